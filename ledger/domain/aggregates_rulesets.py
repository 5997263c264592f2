"""The rulesets adopted for a year, as one aggregate: the first adoption opens the book, a different text amends it."""

from __future__ import annotations

from typing import Self
from uuid import UUID

from events.rulesets import RulesetAdopted, RulesetAmended
from ledger.domain.aggregates_base import TOPIC_MODULE, LedgerAggregate, check_digest, handlers, ledger_id, required
from ledger.translation import N_


class RulesetBook(LedgerAggregate):
    """The rulesets adopted for one year, in order; the last one is in force."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @staticmethod
    def id_for(year: int) -> UUID:
        return ledger_id("ruleset", year)

    @classmethod
    def adopt_first(cls, *, year: int, ruleset_id: str, text: str, sha256: str, source: str, actor: str) -> Self:
        """Open the year's book with its first ruleset (``sha256``: the digest of ``text``, checked)."""
        check_digest(text, sha256)
        ruleset_id = required(ruleset_id, N_("the ruleset id is empty"))
        return cls._create(RulesetAdopted, id=cls.id_for(year), year=year, ruleset_id=ruleset_id, text=text,
                           sha256=sha256, source=source, recorded_by=actor)

    def adopt(self, *, year: int, ruleset_id: str, text: str, sha256: str, source: str, actor: str) -> bool:
        """Record a different ruleset; identical text changes nothing (returns False)."""
        check_digest(text, sha256)
        if sha256 == self.sha256:
            return False
        self.trigger_event(RulesetAmended, year=year, ruleset_id=ruleset_id, text=text, sha256=sha256,
                           source=source, recorded_by=actor)
        return True

    when = handlers()

    @when.register
    def _(self, e: RulesetAdopted) -> None:
        self.year, self.text, self.sha256 = e.year, e.text, e.sha256

    @when.register
    def _(self, e: RulesetAmended) -> None:
        self.text, self.sha256 = e.text, e.sha256
