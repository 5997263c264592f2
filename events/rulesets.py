"""Rulesets adopted for a scoring year."""

from __future__ import annotations

from events.base import LedgerCreated, LedgerEvent


class RulesetAdopted(LedgerCreated):
    """The first ruleset adopted for a year.

    Attributes:
        year: the scoring year.
        ruleset_id: the ruleset's own id (e.g. ``taian``).
        text: the ruleset file's full text, so a replay years later uses the rules then in force.
        sha256: hex digest of ``text`` (UTF-8).
        source: where the text came from (``built-in`` or the file name given).
    """

    year: int
    ruleset_id: str
    text: str
    sha256: str
    source: str


class RulesetAmended(LedgerEvent):
    """A different ruleset adopted for a year that already had one: it replaces it from now on."""

    year: int
    ruleset_id: str
    text: str
    sha256: str
    source: str
