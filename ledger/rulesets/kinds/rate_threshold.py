"""``rate_threshold``: a work-order rate against a threshold, full at or above it, ``per_point`` off per point below."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from pydantic import Field

from ledger.rulesets.kinds.base import (
    ItemBase,
    Kind,
    Phrases,
    Points,
    ScoreContext,
    json_count,
    n,
    percent,
    round_points,
)
from ledger.rulesets.rates import standard_rates
from ledger.translation import N_
from ledger.translation import gettext as _
from projections import explanations as say
from projections.rate_points import monthly_average, rate_points
from projections.score_sheet import ZERO, ItemResult
from projections.unit_facts import RateCounts, UnitFacts


class RateItem(ItemBase):
    """A work-order rate against a threshold (percent).

    Attributes:
        rate: ``satisfaction``, ``reply`` or ``ontime`` (RUBRIC.md §6), or the code of a rate
        defined in ``[[rates]]``.
        threshold: percent at or above which the item scores ``max``.
        per_point: points deducted per percentage point below the threshold.
        rate_rounding: ``proportional`` (88.5% against 90% is 1.5 points below) or
        ``whole_points`` (only whole points below count).
        period: ``year`` (one rate over the year's pooled counts) or ``monthly_average`` (each
        month scored on its own rate, the item's points the average of the months with orders).
    """

    kind: Literal["rate_threshold"]
    max: Points
    rate: str
    threshold: Decimal = Field(gt=0, le=100)
    per_point: Points
    rate_rounding: Literal["proportional", "whole_points"] = "proportional"
    period: Literal["year", "monthly_average"] = "year"


def known_rates(ruleset: Any) -> set[str]:
    """Every rate an item may name: the ruleset's ``[[rates]]``, and the standard rates (standard_rates.toml),
    known by their codes to any ruleset that names them."""
    return {x.code for x in ruleset.rates} | {str(x["code"]) for x in standard_rates()}


class RateThreshold(Kind):
    """Scored from the unit's work orders (the ledger computes the rate); ``cap`` limits its deduction."""

    name = "rate_threshold"
    demo = "orders"
    model = RateItem
    label = N_("rate against a threshold")
    deducts = True
    own_orders = True

    def check(self, ruleset: Any, item: RateItem, at: str) -> list[str]:
        rates = known_rates(ruleset)
        if item.rate in rates:
            return []
        return [f"{at}.rate: " + _("unknown rate {rate} (known: {rates})").format(
            rate=repr(item.rate), rates=", ".join(sorted(rates)))]

    def describe(self, ruleset: Any, item: RateItem, p: Phrases) -> str:
        how = "按比例计算" if item.rate_rounding == "proportional" else "只计整百分点"
        monthly = "；按月计分，全年得分为有工单月份得分的平均值" if item.period == "monthly_average" else ""
        return (f"{say.name_of(p.names, item.rate)}达到{n(item.threshold)}%得满分{n(item.max)}分，每低1个百分点扣"
                f"{n(item.per_point)}分（{how}）{p.cap}{p.held}{monthly}；无工单时为“待定”")

    def score(self, item: RateItem, facts: UnitFacts, ctx: ScoreContext) -> ItemResult:
        """A rate against its threshold, over the year or averaged over the months."""
        q = ctx.q
        base = {"code": item.code, "name": item.name, "kind": item.kind, "max": item.max}
        if item.rate in facts.rate_pending:
            reason = facts.rate_pending[item.rate]
            return ItemResult(**base, points=round_points(ZERO, q), status="pending", reason=reason,
                              explanation=say.pending_as_zero(reason))
        if item.period == "monthly_average":
            months = facts.monthly_rates.get(item.rate, {})
            result = monthly_average(item, {m: (c.numerator, c.denominator) for m, c in months.items()}, q)
            numerator = sum((c.numerator for c in months.values()), 0)
            denominator = sum(c.denominator for c in months.values())
        else:
            counts = facts.rates.get(item.rate, RateCounts(0, 0))
            numerator, denominator = counts.numerator, counts.denominator
            result = rate_points(item, numerator, denominator, q) if denominator else None
        if result is None:
            reason = say.no_orders_for(say.name_of(ctx.names, item.rate))
            return ItemResult(**base, points=round_points(ZERO, q), status="pending", numerator=0, denominator=0,
                              reason=reason, explanation=say.pending_as_zero(reason))
        return ItemResult(**base, points=round_points(result.value, q), status="scored",
                          absorbed=round_points(result.absorbed, q), rate=Fraction(numerator) / denominator,
                          numerator=numerator, denominator=denominator, explanation=result.text)

    def score_json(self, result: ItemResult, events: list[str]) -> dict[str, Any]:
        return {"rate": percent(result.rate), "numerator": json_count(result.numerator),
                "denominator": result.denominator}

    def trace_json(self, result: ItemResult, item: RateItem, unit: str, sources: Any) -> dict[str, Any]:
        return {"rate": percent(result.rate), "threshold": f"{item.threshold:.2f}",
                "orders": sources.costly_orders(unit, item.rate)}


KIND = RateThreshold()
