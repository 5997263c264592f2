"""``rank``: points by rank among the units of the same class; rank 1 scores ``max``, each lower rank ``step`` less."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Literal

from ledger.rulesets.kinds.base import ItemBase, Kind, Phrases, Points, ScoreContext, floor_at, n, percent, round_points
from ledger.rulesets.kinds.rate_threshold import known_rates
from ledger.translation import N_
from ledger.translation import gettext as _
from projections import explanations as say
from projections.explanations import num, shown
from projections.ranked_items import RankPlace, competition_ranks
from projections.score_sheet import ZERO, ItemResult
from projections.unit_facts import UnitFacts


class RankItem(ItemBase):
    """Points by rank among the units of the same class: rank 1 scores ``max``, each lower rank ``step`` less.

    Attributes:
        by: ``volume`` or a rate (built-in or defined). order: ``high_first`` (the highest rate
        ranks 1) or ``low_first``. Ties share the better rank (1, 1, 3); a unit with no value is
        pending and takes no rank.
    """

    kind: Literal["rank"]
    max: Points
    by: str
    step: Points
    order: Literal["high_first", "low_first"] = "high_first"


def _rank_value(item: RankItem, facts: UnitFacts) -> Fraction | None:
    """The value a unit is ranked by: its volume, or its exact rate (None without orders)."""
    if item.by == "volume":
        return Fraction(facts.volume)
    if item.by in facts.rate_pending:
        return None
    counts = facts.rates.get(item.by)
    return Fraction(counts.numerator) / counts.denominator if counts and counts.denominator else None


class Rank(Kind):
    """Scored by comparing the units of a class on their volume or a rate."""

    name = "rank"
    demo = "orders"
    model = RankItem
    label = N_("rank among peers")

    def check(self, ruleset: Any, item: RankItem, at: str) -> list[str]:
        rates = known_rates(ruleset)
        if item.by in rates | {"volume"}:
            return []
        return [f"{at}.by: " + _("cannot rank by {by} (volume or a rate: {rates})").format(
            by=repr(item.by), rates=", ".join(sorted(rates)))]

    def describe(self, ruleset: Any, item: RankItem, p: Phrases) -> str:
        order = "由高到低" if item.order == "high_first" else "由低到高"
        return (f"按{say.name_of(p.names, item.by)}{order}在同类单位中排名：第1名得{n(item.max)}分，"
                f"每低一名少{n(item.step)}分，并列取较好名次{p.held if item.min_points else ''}")

    def places(self, ruleset: Any, item: RankItem, members: list[str],
               facts: Mapping[str, UnitFacts]) -> dict[str, RankPlace]:
        scored = [u for u in members if ruleset.applies(u, item.code)]
        values: dict[str, Fraction | None] = {}
        order: dict[str, bool] = {}
        for u in scored:
            own = ruleset.item_for(u, item.code)
            values[u] = _rank_value(own, facts.get(u, UnitFacts()))
            order[u] = own.order == "high_first"
        return competition_ranks(values, high_first=order.get(scored[0], True) if scored else True)

    def score(self, item: RankItem, facts: UnitFacts, ctx: ScoreContext) -> ItemResult:
        """Rank 1 scores max; each lower rank ``step`` less, held at min_points."""
        q, place, by = ctx.q, ctx.place or RankPlace(None, 0, None), say.name_of(ctx.names, item.by)
        base = {"code": item.code, "name": item.name, "kind": item.kind, "max": item.max}
        if place.rank is None:
            reason = say.not_ranked(by)
            return ItemResult(**base, points=round_points(ZERO, q), status="pending", reason=reason,
                              explanation=say.pending_as_zero(reason))
        raw = item.max - (place.rank - 1) * item.step
        value, absorbed = floor_at(raw, item.min_points)
        text = (f"{say.ranked(by, place.rank, place.of)}"
                f"{shown(item.max)} − ({place.rank} − 1) × {num(item.step)} = {shown(raw)}")
        if absorbed:
            text += say.held_at(item.min_points, raw)
        ranked = {"numerator": int(place.value)} if item.by == "volume" else {"rate": place.value}
        return ItemResult(**base, points=round_points(value, q), status="scored", absorbed=absorbed,
                          rank=place.rank, explanation=text, **ranked)

    def score_json(self, result: ItemResult, events: list[str]) -> dict[str, Any]:
        # By a rate: its percent (a string, as every rate); by volume: V (an integer).
        return {"rank": result.rank,
                **({"rate": percent(result.rate)} if result.rate is not None else {"volume": result.numerator})}


KIND = Rank()
