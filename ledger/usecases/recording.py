"""Recording use cases: occurrences (deductions, bonuses), assessments, and retracting an occurrence.

Each validates against the ruleset adopted for the year of the date concerned, then makes one
``save()``; a refusal raises a ``LedgerError`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledger.aggregates import Assessment, Occurrence
from ledger.domain.counts import check_count
from ledger.domain.date_window import check_recorded_date
from ledger.domain.errors import NotFound, RuleViolation
from ledger.rulesets.grades import VetoItem
from ledger.rulesets.kinds import kind_of
from ledger.translation import N_
from ledger.translation import gettext as _


def recorded_as(item: Any) -> str | None:
    """How an item is recorded: ``occurrence`` (``record``; a veto's own item 一票否决事项 too), ``assessment``
    (``assess``), or None (the ledger computes it from other records)."""
    if isinstance(item, VetoItem):
        return "occurrence"
    kind = kind_of(item)
    return kind.recorded if kind is not None else None

if TYPE_CHECKING:
    from ledger.usecases.application import LedgerCore as _Core
else:
    _Core = object


class Recording(_Core):
    """Occurrences and assessments: the facts a unit is scored on."""

    def occurrence_fields(self, unit: str, item: str, on: date, count: int, evidence: str,
                          note: str = "") -> dict[str, Any]:
        """Validate one occurrence and return its event fields (shared by ``record`` and imports)."""
        ruleset, unit_code, it = self.resolve(on.year, unit, item)
        assert it is not None
        recorded = recorded_as(it)
        if recorded != "occurrence":
            raise RuleViolation(
                (_("item {code} is of kind {kind}: use `assess`") if recorded == "assessment"
                 else _("item {code} is of kind {kind}: it is not recorded as occurrences")).format(code=it.code,
                                                                                                  kind=it.kind),
                field="item")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise RuleViolation(_("count must be a positive integer, not {count}").format(count=repr(count)),
                                field="count")
        check_count(count)
        self._check_date(ruleset, on)
        return {"unit": unit_code, "item": it.code, "year": on.year, "date": on, "count": count,
                "evidence": self._require_evidence(evidence), "note": note or ""}

    def _check_date(self, ruleset: Any, on: date) -> None:
        """Refuse a date outside its year's window or still to come; a date found good is not checked again
        within ``cached_rulesets`` (an import of a year's rows: a few hundred days, each clock read once)."""
        memo = getattr(self, "_dates_checked", None)
        if memo is not None and (on.year, on) in memo:
            return
        check_recorded_date(ruleset, on.year, on, N_("the date"), self.today_in(ruleset))  # translated only if refused
        if memo is not None:
            memo.add((on.year, on))

    def record_occurrence(self, *, unit: str, item: str, on: date, evidence: str, actor: str, count: int = 1,
                          note: str = "", attachments: Sequence[str] = ()) -> str:
        """Record a deduction or bonus occurrence; returns its id."""
        fields = self.occurrence_fields(unit, item, on, count, evidence, note)
        kept = tuple(self.evidence.add(a) for a in attachments)
        occ = Occurrence.record(**fields, attachments=kept, actor=actor)
        self.save(occ)
        return str(occ.id)

    def assessment_fields(self, unit: str, item: str, on: date, points: Decimal, evidence: str,
                          note: str = "") -> dict[str, Any]:
        """Validate one assessment and return its event fields."""
        ruleset, unit_code, it = self.resolve(on.year, unit, item)
        assert it is not None
        if recorded_as(it) != "assessment":
            raise RuleViolation(_("item {code} is of kind {kind}, not an assessment: use `record`").format(
                code=it.code, kind=it.kind), field="item")
        if not points.is_finite() or points < 0 or points > it.max:
            raise RuleViolation(_("points {points} are outside 0..{max} for item {code}").format(
                points=points, max=it.max, code=it.code), field="points")
        if points.is_zero():
            points = Decimal(0)  # "-0" passes the range check but would print as "-0.00"
        self._check_date(ruleset, on)
        return {"unit": unit_code, "item": it.code, "year": on.year, "date": on, "points": points,
                "evidence": self._require_evidence(evidence), "note": note or ""}

    def assess(self, *, unit: str, item: str, points: Decimal, on: date, evidence: str, actor: str,
               note: str = "") -> str:
        """Record an assessment; the latest one recorded for the year counts."""
        fields = self.assessment_fields(unit, item, on, points, evidence, note)
        agg = Assessment.record(**fields, actor=actor)
        self.save(agg)
        return str(agg.id)

    def retract(self, event_id: str, reason: str, actor: str) -> str:
        """Withdraw an occurrence (it stays in the ledger, marked retracted)."""
        if not reason.strip():
            raise RuleViolation(_("a retraction needs a reason (--reason)"))
        try:
            occ_id = self.find_id("occurrences", event_id, "occurrence")
            self.aggregate(occ_id, Occurrence, "occurrence")
        except NotFound:
            self._refuse_assessment_retraction(event_id)
            raise

        def attempt() -> str:
            occ = self.aggregate(occ_id, Occurrence, "occurrence")
            occ.retract(reason.strip(), actor)  # re-read after a conflict: "already retracted" is then the answer
            self.save(occ)
            return occ_id

        return self._retrying(attempt, _("occurrence {id} kept changing meanwhile; try again").format(id=occ_id))

    def _refuse_assessment_retraction(self, event_id: str) -> None:
        """An assessment is not retracted but superseded (the latest recorded counts): say so, not "no occurrence"."""
        try:
            found = self.find_id("assessments", event_id, "assessment")
            self.aggregate(found, Assessment, "assessment")
        except NotFound:
            return
        raise RuleViolation(_("{id} is an assessment: assessments are not retracted; record the right points with "
                              "`assess` (the latest assessment recorded counts)").format(id=found))
