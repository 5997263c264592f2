"""Dispute use cases: a unit disputes an occurrence or asks for a work order to be screened out (甄别),
and the centre decides.

At most one dispute per target is open at a time. Whether one is open is decided from the
Dispute aggregates in the event store, never from the read model: a target's disputes have ids
numbered from its own (``Dispute.id_for``), so the next free number names the new dispute, and two
writers opening one at the same instant compute the same id and the store refuses the second.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.aggregates import Assessment, Dispute, Occurrence
from ledger.domain.date_window import check_recorded_date
from ledger.domain.errors import Conflict, LedgerError, NoRuleset, NotFound, RuleViolation
from ledger.translation import gettext as _

if TYPE_CHECKING:
    from ledger.rulesets.schema import Ruleset
    from ledger.usecases.application import LedgerCore as _Core
else:
    _Core = object

#: How many pages' answers ``dispute_refusals`` keeps per process.
_REFUSALS_KEPT = 32


class Disputing(_Core):
    """Disputes of occurrences, screenings of work orders, and their decisions."""

    def open_dispute(self, *, event_id: str, reason: str, evidence: str, actor: str,
                     attachments: Sequence[str] = (), filed_on: date | None = None) -> str:
        """A unit disputes an occurrence; it keeps counting until the dispute is decided.

        ``filed_on`` (default: today) is checked against the ruleset's filing deadline, if any.
        """
        occ_id, occ, dispute_id = self._disputable(event_id, filed_on)
        return self._open(id=dispute_id, subject="occurrence", target=occ_id, unit=occ.unit, item=occ.item, rate=None,
                          reason=reason, evidence=evidence, actor=actor, attachments=attachments, filed_on=filed_on,
                          conflict=_("occurrence {id} already has an open dispute {dispute}").format(
                              id=occ_id, dispute=dispute_id))

    def dispute_refusals(self, event_ids: Iterable[str]) -> dict[str, str | None]:
        """For each occurrence id, why ``open_dispute`` would refuse a dispute of it filed today, or None when it
        would take one: what a page asks before it offers a 申诉 button (the same checks, nothing saved).

        The answers are kept per process, keyed by the store's last notification id (any new event asks
        again) and the quarter hour (a filing deadline passes at midnight, and every time zone's midnight
        falls on a quarter hour): a page read again and again between two recordings asks once.
        """
        ids = tuple(event_ids)
        key = (ids, self.recorder.max_notification_id(), int(self.clock(UTC).timestamp() // 900))
        memo: dict[Any, dict[str, str | None]] = self.__dict__.setdefault("_dispute_refusals", {})
        if key in memo:
            return dict(memo[key])
        out: dict[str, str | None] = {}
        with self.cached_rulesets():
            for event_id in ids:
                try:
                    self._disputable(event_id, None)
                    out[event_id] = None
                except LedgerError as e:
                    out[event_id] = str(e)
        if len(memo) >= _REFUSALS_KEPT:
            memo.clear()
        memo[key] = out
        return dict(out)

    def _disputable(self, event_id: str, filed_on: date | None) -> tuple[str, Occurrence, UUID]:
        """The occurrence's id, aggregate and the id its new dispute takes; or the refusal of a dispute of it."""
        occ_id = self.find_id("occurrences", event_id, "occurrence")
        try:
            occ = self.aggregate(occ_id, Occurrence, "occurrence")
        except NotFound:
            self._refuse_assessment_dispute(event_id)
            raise
        if occ.retracted:
            raise RuleViolation(_("occurrence {id} is retracted: there is nothing to dispute").format(id=occ_id))
        dispute_id = self._next_dispute_id(
            "occurrence", occ_id, None,
            lambda open_: _("occurrence {id} already has an open dispute {dispute}").format(id=occ_id, dispute=open_),
            lambda accepted: _("occurrence {id} was removed when dispute {dispute} was accepted: "
                               "there is nothing left to dispute").format(id=occ_id, dispute=accepted))
        if filed_on is not None and filed_on < occ.date:
            raise RuleViolation(_("occurrence {id} happened on {date}: a dispute of it cannot be filed on {filed}, "
                                  "before it happened (--date)").format(id=occ_id, date=occ.date, filed=filed_on))
        self._check_filing(occ.year, occ.date, filed_on, _("occurrence {id}").format(id=occ_id))
        return occ_id, occ, dispute_id

    def _next_dispute_id(self, subject: str, target: str, rate: str | None, refusal: Callable[[UUID], str],
                         settled: Callable[[UUID], str]) -> UUID:
        """The id of a new dispute of ``target``, decided from the Dispute aggregates in the event store.

        Disputes of one target are numbered (``Dispute.id_for``): the next number is free only when
        every earlier dispute is decided (``refusal`` otherwise), and none was accepted: an accepted
        dispute removed the occurrence or screened the order out for good (``settled``). Two writers
        deciding at once derive the same id, and the store refuses the second.
        """
        for earlier in itertools.count():
            candidate = Dispute.id_for(subject, target, rate, earlier)
            try:
                dispute = self.repository.get(candidate)
            except AggregateNotFoundError:
                return candidate
            if dispute.decision is None:
                raise Conflict(refusal(candidate))
            if dispute.decision == "accept":
                raise Conflict(settled(candidate))
        raise AssertionError("unreachable")  # pragma: no cover - itertools.count() never ends

    def _refuse_assessment_dispute(self, event_id: str) -> None:
        """An assessment is not disputed (RUBRIC.md §9): say so instead of "no occurrence"."""
        try:
            found = self.find_id("assessments", event_id, "assessment")
            self.aggregate(found, Assessment, "assessment")
        except NotFound:
            return
        raise RuleViolation(_("{id} is an assessment: assessments are not disputed; "
                              "ask for a re-assessment (record it with `assess`)").format(id=found))

    def open_screening(self, *, order_id: str, rate: str, reason: str, evidence: str, actor: str,
                       attachments: Sequence[str] = (), filed_on: date | None = None) -> str:
        """A unit asks that a work order be screened out (甄别) of one rate: any rate code of the ruleset of the year
        the order counts in for that rate (its ``year_by`` time's year)."""
        # The order as its recorded facts leave it: the store's order index, never the read model.
        state = self.order_states([order_id]).get(order_id)
        if state is None:
            raise NotFound(_("no work order {order} in the ledger (import the export that has it first)").format(
                order=repr(order_id)))
        unit, dispatched_at, due_at, completed = state[:4]
        year, ruleset = self._screening_ruleset(rate, dispatched_at, due_at)
        # The item the screening concerns: one that scores the rate, or ranks by it.
        item = next((i.code for i in ruleset.items if rate in (getattr(i, "rate", None), getattr(i, "by", None))),
                    None)
        if item is None:
            raise RuleViolation(_("the {year} ruleset scores no {rate} rate").format(year=year, rate=rate))
        dispute_id = self._next_dispute_id(
            "workorder", order_id, rate,
            lambda open_: _("work order {order} already has an open screening {dispute} for {rate}").format(
                order=order_id, dispute=open_, rate=rate),
            lambda accepted: _("work order {order} was screened out of {rate} when screening {dispute} was "
                               "accepted").format(order=order_id, rate=rate, dispute=accepted))
        # The window counts from the order's date the ruleset names (its completion by default: none while open).
        start = {"completed": completed, "dispatched": dispatched_at, "due": due_at}[ruleset.disputes.screening_from]
        self._check_filing(year, date.fromisoformat(start[:10]) if start else None, filed_on,
                           _("work order {order}").format(order=order_id))
        return self._open(id=dispute_id, subject="workorder", target=order_id, unit=unit, item=item, rate=rate,
                          reason=reason, evidence=evidence, actor=actor, attachments=attachments, filed_on=filed_on,
                          conflict=_("work order {order} already has an open screening {dispute} for {rate}")
                          .format(order=order_id, dispute=dispute_id, rate=rate))

    def _screening_ruleset(self, rate: str, dispatched_at: str, due_at: str) -> tuple[int, Ruleset]:
        """The year an order counts in for ``rate``, and its ruleset (which declares the rate).

        The rate decides which time places the order in a year, and that year's ruleset declares the rate: the one
        of the dispatch year or of the due year whose definition places the order in its own year.
        """
        times = {"dispatched": dispatched_at, "due": due_at}
        found: list[tuple[int, Ruleset]] = []
        for year in dict.fromkeys((int(dispatched_at[:4]), int(due_at[:4]))):
            try:
                found.append((year, self.ruleset(year)))
            except NoRuleset:
                continue
        if not found:
            self.ruleset(int(dispatched_at[:4]))  # raises: no ruleset for the order's year
        for y, r in found:
            d = r.rate_definition(rate)
            if d is not None and times[d.year_by][:4] == str(y):
                return y, r
        for _year, r in found:
            d = r.rate_definition(rate)
            if d is not None:  # a rate of a year the order is in, placing it in another year: that year's ruleset
                raise NoRuleset(int(times[d.year_by][:4]))
        year, ruleset = found[0]
        raise RuleViolation(_("{rate} is not a rate of the {year} ruleset; rate codes: {rates}").format(
            rate=repr(rate), year=year, rates=", ".join(r.code for r in ruleset.rates)))

    def _check_filing(self, year: int, evaluated_on: date | None, filed_on: date | None, what: str) -> None:
        """Refuse a dispute filed after the deadline of the ruleset for ``year`` (issue 8)."""
        ruleset = self.ruleset(year)
        if filed_on is not None:
            today = self.today_in(ruleset)
            if filed_on > today:
                raise RuleViolation(_("{what}: a dispute cannot be filed on {date}, a date still to come (--date)")
                                    .format(what=what, date=filed_on))
            check_recorded_date(ruleset, year, filed_on, _("{what}: the filing date").format(what=what), today)
        if ruleset.disputes.working_days is None:
            return
        from ledger.domain.dispute_window import check_filing

        check_filing(ruleset, self.working_calendar(), evaluated_on, filed_on or self.today_in(ruleset), what)

    def _open(self, *, attachments: Sequence[str], actor: str, reason: str, evidence: str, conflict: str,
              **fields: Any) -> str:
        """Save the dispute; ``conflict`` is the refusal when a concurrent writer opened the same one first."""
        if not reason.strip():
            raise RuleViolation(_("a dispute needs a reason (--reason)"))
        kept = tuple(self.evidence.add(a) for a in attachments)
        dispute = Dispute.open(**fields, reason=reason.strip(),
                               evidence=self._require_evidence(evidence), attachments=kept, actor=actor)
        self.save_new(dispute, conflict=conflict)
        return str(dispute.id)

    def decide_dispute(self, *, dispute_id: str, decision: str, reason: str, actor: str,
                       count: int | None = None) -> str:
        """Decide a dispute once: accept, reject or amend."""
        if not reason.strip():
            raise RuleViolation(_("a decision needs a reason (--reason)"))
        did = self.find_id("disputes", dispute_id, "dispute")

        def attempt() -> str:
            dispute = self.aggregate(did, Dispute, "dispute")
            dispute.decide(decision, count, reason.strip(), actor)  # after a conflict: "already decided"
            self.save(dispute)
            return did

        return self._retrying(attempt, _("dispute {id} kept changing meanwhile; try again").format(id=did))
