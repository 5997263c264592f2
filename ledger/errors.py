"""The ledger's error vocabulary: every refusal names what was wrong and where.

Any other exception is a bug and should crash loudly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class LedgerError(Exception):
    """A domain refusal: the command changed nothing (exit status 1)."""


class UnknownUnit(LedgerError):
    """A unit that the adopted ruleset does not name."""

    def __init__(self, unit: str, year: int, known: Sequence[str]) -> None:
        super().__init__(f"unknown unit {unit!r} in the {year} ruleset (known: {', '.join(known)})")


class UnknownItem(LedgerError):
    """An item code that the adopted ruleset does not have."""

    def __init__(self, item: str, year: int) -> None:
        super().__init__(f"unknown item {item!r} in the {year} ruleset (see `rules show --year {year}`)")


class RuleViolation(LedgerError):
    """A recording that breaks a rule (kind mismatch, points out of range, a double retraction …)."""


class NotFound(LedgerError):
    """An id that names nothing in the ledger."""


class NoRuleset(LedgerError):
    """A year with no adopted ruleset."""

    def __init__(self, year: int) -> None:
        super().__init__(f"no ruleset adopted for {year}: run `hotline-ledger init --year {year}` first")


class RulesetInvalid(LedgerError):
    """A ruleset file that does not validate; ``problems`` are ``key.path: message`` lines."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(f"{source}: {p}" for p in self.problems))


class StoreUnavailable(LedgerError):
    """The store URL is malformed or the store cannot be reached."""


class NotPermitted(LedgerError):
    """The store's role lacks a right the command needs (a reader recording, say)."""


class UnreadableEvent(LedgerError):
    """A stored event that cannot be decoded (its bytes were altered, or written by other code).

    Attributes:
        notification_id: its position in the ledger's global order. originator_id: its aggregate.
    """

    def __init__(self, notification_id: int, originator_id: str, problem: str) -> None:
        self.notification_id, self.originator_id = notification_id, originator_id
        super().__init__(f"event #{notification_id} ({originator_id}) cannot be read: {problem}")


class ImportRejected(LedgerError):
    """An import refused as a whole: nothing was applied; ``errors`` lists every bad row, sorted.

    Each error is a ``RowError`` (``ledger.imports.tabular``) printing as ``FILE:ROW:COLUMN: message``.
    """

    def __init__(self, errors: list[Any]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
