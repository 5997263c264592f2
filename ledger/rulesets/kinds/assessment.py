"""``assessment``: points awarded by the assessors; the latest assessment recorded for the year counts."""

from __future__ import annotations

from typing import Any, Literal

from ledger.rulesets.kinds.base import ItemBase, Kind, Phrases, Points, ScoreContext, n, round_points
from ledger.translation import N_
from projections import explanations as say
from projections.score_sheet import ZERO, ItemResult
from projections.unit_facts import UnitFacts


class AssessmentItem(ItemBase):
    """Points awarded by the assessors; the latest assessment recorded for the year counts."""

    kind: Literal["assessment"]
    max: Points


class Assessment(Kind):
    """Recorded with ``assess``: 0 ≤ points ≤ max, pending until assessed."""

    name = "assessment"
    demo = "assessment"
    model = AssessmentItem
    label = N_("assessed")
    recorded = "assessment"
    own_events = True

    def describe(self, ruleset: Any, item: AssessmentItem, p: Phrases) -> str:
        return f"由考核组评定，0～{n(item.max)}分；未评定前为“待定”（按0分计）"

    def score(self, item: AssessmentItem, facts: UnitFacts, ctx: ScoreContext) -> ItemResult:
        base = {"code": item.code, "name": item.name, "kind": item.kind, "max": item.max}
        awarded = facts.assessments.get(item.code)
        if awarded is None:
            return ItemResult(**base, points=round_points(ZERO, ctx.q), status="pending", reason=say.NOT_ASSESSED,
                              explanation=say.NOT_ASSESSED_EXPLAINED)
        pts = round_points(awarded, ctx.q)
        return ItemResult(**base, points=pts, status="scored", explanation=say.assessed(pts, item.max))

    def trace_json(self, result: ItemResult, item: AssessmentItem, unit: str, sources: Any) -> dict[str, Any]:
        return {"events": sources.assessment_events(unit, item.code)}


KIND = Assessment()
