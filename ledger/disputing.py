"""Dispute use cases: a unit disputes an occurrence or asks for a work order to be screened out (甄别),
and the centre decides.

At most one dispute per target is open at a time. Whether one is open is decided from the
Dispute aggregates in the event store, never from the read model: a target's disputes have ids
numbered from its own (``Dispute.id_for``), so the next free number names the new dispute, and two
writers opening one at the same instant compute the same id and the store refuses the second.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError

from events.disputes import DisputeOpened
from ledger.aggregates import Assessment, Dispute, Occurrence
from ledger.date_window import check_in_window
from ledger.errors import Conflict, NotFound, RuleViolation
from ledger.rulesets.rates import BUILTIN_RATES

if TYPE_CHECKING:
    from ledger.application import LedgerCore as _Core
else:
    _Core = object

#: The built-in rates a work order may be screened out of.
#: The rates a work order can be screened out of (the platform export's own rates).
RATE_ITEMS = frozenset(BUILTIN_RATES)


class Disputing(_Core):
    """Disputes of occurrences, screenings of work orders, and their decisions."""

    def open_dispute(self, *, event_id: str, reason: str, evidence: str, actor: str,
                     attachments: Sequence[str] = (), filed_on: date | None = None) -> str:
        """A unit disputes an occurrence; it keeps counting until the dispute is decided.

        ``filed_on`` (default: today) is checked against the ruleset's filing deadline, if any.
        """
        occ_id = self.find_id("occurrences", event_id, "occurrence")
        try:
            occ = self.aggregate(occ_id, Occurrence, "occurrence")
        except NotFound:
            self._refuse_assessment_dispute(event_id)
            raise
        if occ.retracted:
            raise RuleViolation(f"occurrence {occ_id} is retracted: there is nothing to dispute")
        dispute_id = self._next_dispute_id("occurrence", occ_id, None,
                                           lambda open_: f"occurrence {occ_id} already has an open dispute {open_}")
        self._check_filing(occ.year, occ.date, filed_on, f"occurrence {occ_id}")
        return self._open(id=dispute_id, subject="occurrence", target=occ_id, unit=occ.unit, item=occ.item, rate=None,
                          reason=reason, evidence=evidence, actor=actor, attachments=attachments, filed_on=filed_on,
                          conflict=f"occurrence {occ_id} already has an open dispute {dispute_id}")

    def _next_dispute_id(self, subject: str, target: str, rate: str | None, refusal: Callable[[UUID], str]) -> UUID:
        """The id of a new dispute of ``target``, decided from the Dispute aggregates in the event store.

        Disputes of one target are numbered (``Dispute.id_for``): the next number is free only when
        every earlier dispute is decided. Two writers deciding at once derive the same id, and the
        store refuses the second.
        """
        for earlier in itertools.count():
            candidate = Dispute.id_for(subject, target, rate, earlier)
            try:
                dispute = self.repository.get(candidate)
            except AggregateNotFoundError:
                return candidate
            if dispute.decision is None:
                raise Conflict(refusal(candidate))
        raise AssertionError("unreachable")  # pragma: no cover - itertools.count() never ends

    def _refuse_assessment_dispute(self, event_id: str) -> None:
        """An assessment is not disputed (RUBRIC.md §9): say so instead of "no occurrence"."""
        try:
            found = self.find_id("assessments", event_id, "assessment")
            self.aggregate(found, Assessment, "assessment")
        except NotFound:
            return
        raise RuleViolation(f"{found} is an assessment: assessments are not disputed; "
                            "ask for a re-assessment (record it with `assess`)")

    def open_screening(self, *, order_id: str, rate: str, reason: str, evidence: str, actor: str,
                       attachments: Sequence[str] = (), filed_on: date | None = None) -> str:
        """A unit asks that a work order be screened out (甄别) of one rate."""
        if rate not in RATE_ITEMS:
            raise RuleViolation(f"rate must be one of {', '.join(sorted(RATE_ITEMS))}, not {rate!r}")
        # The order as its recorded facts leave it: the store's order index, never the read model.
        state = self.order_states([order_id]).get(order_id)
        if state is None:
            raise NotFound(f"no work order {order_id!r} in the ledger (import the export that has it first)")
        unit, dispatched_at, due_at, completed = state[:4]
        year = int((due_at if rate == "ontime" else dispatched_at)[:4])
        ruleset = self.ruleset(year)
        item = next((i.code for i in ruleset.items if getattr(i, "rate", None) == rate), None)
        if item is None:
            raise RuleViolation(f"the {year} ruleset scores no {rate} rate")
        dispute_id = self._next_dispute_id(
            "workorder", order_id, rate,
            lambda open_: f"work order {order_id} already has an open screening {open_} for {rate}")
        self._check_filing(year, date.fromisoformat(completed[:10]) if completed else None, filed_on,
                           f"work order {order_id}")
        return self._open(id=dispute_id, subject="workorder", target=order_id, unit=unit, item=item, rate=rate,
                          reason=reason, evidence=evidence, actor=actor, attachments=attachments, filed_on=filed_on,
                          conflict=f"work order {order_id} already has an open screening {dispute_id} for {rate}")

    def _check_filing(self, year: int, evaluated_on: date | None, filed_on: date | None, what: str) -> None:
        """Refuse a dispute filed after the deadline of the ruleset for ``year`` (issue 8)."""
        ruleset = self.ruleset(year)
        today = datetime.now(ZoneInfo(ruleset.scoring.timezone)).date()
        if filed_on is not None and filed_on > today:
            raise RuleViolation(f"{what}: a dispute cannot be filed on {filed_on}, a date still to come (--date)")
        if filed_on is not None:
            check_in_window(ruleset, year, filed_on, f"{what}: the filing date")
        if ruleset.disputes.working_days is None:
            return
        from ledger.dispute_window import check_filing

        check_filing(ruleset, self.working_calendar(), evaluated_on, filed_on or today, what)

    def _open(self, *, attachments: Sequence[str], actor: str, reason: str, evidence: str, conflict: str,
              **fields: Any) -> str:
        """Save the dispute; ``conflict`` is the refusal when a concurrent writer opened the same one first."""
        if not reason.strip():
            raise RuleViolation("a dispute needs a reason (--reason)")
        kept = tuple(self.evidence.add(a) for a in attachments)
        dispute = Dispute.start(DisputeOpened, **fields, reason=reason.strip(),
                                evidence=self._require_evidence(evidence), attachments=kept, recorded_by=actor)
        self._save_new(dispute, conflict)
        return str(dispute.id)

    def decide_dispute(self, *, dispute_id: str, decision: str, reason: str, actor: str,
                       count: int | None = None) -> str:
        """Decide a dispute once: accept, reject or amend."""
        if not reason.strip():
            raise RuleViolation("a decision needs a reason (--reason)")
        did = self.find_id("disputes", dispute_id, "dispute")

        def attempt() -> str:
            dispute = self.aggregate(did, Dispute, "dispute")
            dispute.decide(decision, count, reason.strip(), actor)  # after a conflict: "already decided"
            self.save(dispute)
            return did

        return self._retrying(attempt, f"dispute {did} kept changing meanwhile; try again")
