"""Disputes: a unit's dispute of an occurrence, or its request to screen a work order out of a rate."""

from __future__ import annotations

from datetime import date
from typing import Self
from uuid import UUID

from events.base import Attachment
from events.disputes import DisputeDecided, DisputeOpened
from ledger.domain.aggregates_base import TOPIC_MODULE, LedgerAggregate, checked_evidence, handlers, ledger_id, required
from ledger.domain.counts import check_count
from ledger.domain.errors import Conflict, RuleViolation
from ledger.translation import N_
from ledger.translation import gettext as _


class Dispute(LedgerAggregate):
    """A unit's dispute of an occurrence, or request to screen a work order out of a rate."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @staticmethod
    def id_for(subject: str, target: str, rate: str | None, earlier: int) -> UUID:
        """The id of the next dispute of ``target`` (and ``rate``), which already has ``earlier`` disputes.

        Two writers opening a dispute of the same target at once compute the same id, so the store
        refuses the second: at most one dispute per target is opened on any one count of earlier ones.
        """
        return ledger_id("dispute", subject, target, rate or "", earlier)

    @classmethod
    def open(cls, *, id: UUID, subject: str, target: str, unit: str, item: str, reason: str,  # noqa: A002
             evidence: str, actor: str, rate: str | None = None, attachments: tuple[Attachment, ...] = (),
             filed_on: date | None = None) -> Self:
        """Open a dispute; ``id`` is ``id_for`` of the disputes the target already has (the use case counts them).

        A screening (subject ``workorder``) names the rate it asks to leave; a dispute of an occurrence names none.
        """
        if not reason or not reason.strip():
            raise RuleViolation(_("a dispute needs a reason"))
        if (subject == "workorder") != (rate is not None):
            raise RuleViolation(_("a screening names the rate it concerns, and a dispute of an occurrence none"))
        return cls._create(DisputeOpened, id=id, subject=subject, target=required(target, N_("the target is empty")),
                           unit=unit, item=item, rate=rate, reason=reason.strip(), evidence=checked_evidence(evidence),
                           attachments=attachments, filed_on=filed_on, recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: DisputeOpened) -> None:
        self.subject, self.target, self.decision = e.subject, e.target, None

    @when.register
    def _(self, e: DisputeDecided) -> None:
        self.decision = e.decision

    def decide(self, decision: str, count: int | None, reason: str, actor: str) -> None:
        """Decide once: accept, reject, or (occurrences only) amend the count."""
        if self.decision is not None:
            raise Conflict(
                _("dispute {id} was already decided ({decision}); open a new dispute").format(
                    id=self.id, decision=self.decision)
            )
        if decision == "amend":
            if self.subject != "occurrence":
                raise RuleViolation(_("a screening is accepted or rejected; it cannot be amended"))
            if count is None or count < 1:
                raise RuleViolation(_("amend needs --count N with N a positive integer"))
            check_count(count)
        elif count is not None:
            raise RuleViolation(_("--count goes with --decision amend only"))
        self.trigger_event(DisputeDecided, decision=decision, count=count, reason=reason, recorded_by=actor)
