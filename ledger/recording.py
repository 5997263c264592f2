"""Recording use cases: occurrences (deductions, bonuses), assessments, and retracting an occurrence.

Each validates against the ruleset adopted for the year of the date concerned, then makes one
``save()``; a refusal raises a ``LedgerError`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from events.occurrences import AssessmentRecorded, OccurrenceRecorded
from ledger.aggregates import Assessment, Occurrence
from ledger.counts import check_count
from ledger.date_window import check_in_window
from ledger.errors import RuleViolation
from ledger.rulesets.schema import OCCURRENCE_KINDS

if TYPE_CHECKING:
    from ledger.application import LedgerCore as _Core
else:
    _Core = object


class Recording(_Core):
    """Occurrences and assessments: the facts a unit is scored on."""

    def occurrence_fields(self, unit: str, item: str, on: date, count: int, evidence: str,
                          note: str = "") -> dict[str, Any]:
        """Validate one occurrence and return its event fields (shared by ``record`` and imports)."""
        ruleset, unit_code, it = self.resolve(on.year, unit, item)
        assert it is not None
        if it.kind not in OCCURRENCE_KINDS:
            raise RuleViolation(
                f"item {it.code} is of kind {it.kind}: "
                + ("use `assess`" if it.kind == "assessment" else "it is not recorded as occurrences")
            )
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise RuleViolation(f"count must be a positive integer, not {count!r}")
        check_count(count)
        check_in_window(ruleset, on.year, on, "the date")
        return {"unit": unit_code, "item": it.code, "year": on.year, "date": on, "count": count,
                "evidence": self._require_evidence(evidence), "note": note or ""}

    def record_occurrence(self, *, unit: str, item: str, on: date, evidence: str, actor: str, count: int = 1,
                          note: str = "", attachments: Sequence[str] = ()) -> str:
        """Record a deduction or bonus occurrence; returns its id."""
        fields = self.occurrence_fields(unit, item, on, count, evidence, note)
        kept = tuple(self.evidence.add(a) for a in attachments)
        occ = Occurrence.start(OccurrenceRecorded, **fields, attachments=kept, recorded_by=actor)
        self.save(occ)
        return str(occ.id)

    def assessment_fields(self, unit: str, item: str, on: date, points: Decimal, evidence: str,
                          note: str = "") -> dict[str, Any]:
        """Validate one assessment and return its event fields."""
        ruleset, unit_code, it = self.resolve(on.year, unit, item)
        assert it is not None
        if it.kind != "assessment":
            raise RuleViolation(f"item {it.code} is of kind {it.kind}, not an assessment: use `record`")
        if not points.is_finite() or points < 0 or points > it.max:
            raise RuleViolation(f"points {points} are outside 0..{it.max} for item {it.code}")
        if points.is_zero():
            points = Decimal(0)  # "-0" passes the range check but would print as "-0.00"
        check_in_window(ruleset, on.year, on, "the date")
        return {"unit": unit_code, "item": it.code, "year": on.year, "date": on, "points": points,
                "evidence": self._require_evidence(evidence), "note": note or ""}

    def assess(self, *, unit: str, item: str, points: Decimal, on: date, evidence: str, actor: str,
               note: str = "") -> str:
        """Record an assessment; the latest one recorded for the year counts."""
        fields = self.assessment_fields(unit, item, on, points, evidence, note)
        agg = Assessment.start(AssessmentRecorded, **fields, recorded_by=actor)
        self.save(agg)
        return str(agg.id)

    def retract(self, event_id: str, reason: str, actor: str) -> str:
        """Withdraw an occurrence (it stays in the ledger, marked retracted)."""
        if not reason.strip():
            raise RuleViolation("a retraction needs a reason (--reason)")
        occ_id = self.find_id("occurrences", event_id, "occurrence")

        def attempt() -> str:
            occ = self.aggregate(occ_id, Occurrence, "occurrence")
            occ.retract(reason.strip(), actor)  # re-read after a conflict: "already retracted" is then the answer
            self.save(occ)
            return occ_id

        return self._retrying(attempt, f"occurrence {occ_id} kept changing meanwhile; try again")
