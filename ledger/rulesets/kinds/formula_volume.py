"""``formula_volume``: relative volume, ``(base + weight × V / Vmax) × max``, or a formula of V, Vmax and max."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from ledger.rulesets.expression import Expression
from ledger.rulesets.kinds.base import ItemBase, Kind, Phrases, Points, ScoreContext, n, round_points
from ledger.translation import N_
from projections import explanations as say
from projections.explanations import num, shown
from projections.score_sheet import ZERO, ItemResult
from projections.unit_facts import UnitFacts

#: The names a volume formula may use.
VOLUME_NAMES = ("V", "Vmax", "max")


class VolumeItem(ItemBase):
    """Relative volume: ``(base + weight × V / Vmax) × max`` over the units of the same class.

    Attributes:
        formula: instead of base and weight, a formula of ``V``, ``Vmax`` and ``max``
        (``10 × (V / Vmax) ^ 0.5``); its result is held between min_points and max.
    """

    kind: Literal["formula_volume"]
    max: Points
    base: Decimal = Decimal("0.6")
    weight: Decimal = Decimal("0.4")
    formula: Expression | None = None


class FormulaVolume(Kind):
    """Scored from V, the orders dispatched to the unit, against Vmax among its class."""

    name = "formula_volume"
    demo = "orders"
    model = VolumeItem
    label = N_("volume formula")

    def check(self, ruleset: Any, item: VolumeItem, at: str) -> list[str]:
        if item.formula is None:
            return []
        return [f"{at}.formula: {m}" for m in item.formula.check(VOLUME_NAMES)]

    def describe(self, ruleset: Any, item: VolumeItem, p: Phrases) -> str:
        v = "V为本单位全年承办量，Vmax为同类单位中最大的承办量"
        if item.formula is not None:
            return f"承办量得分 = {item.formula}，{v}，结果在{n(item.min_points)}～{n(item.max)}分之间"
        return f"承办量得分 = ({n(item.base)} + {n(item.weight)} × V / Vmax) × {n(item.max)}，{v}"

    def score(self, item: VolumeItem, facts: UnitFacts, ctx: ScoreContext) -> ItemResult:
        q, vmax = ctx.q, ctx.vmax
        base = {"code": item.code, "name": item.name, "kind": item.kind, "max": item.max}
        if vmax == 0:
            return ItemResult(**base, points=round_points(ZERO, q), status="pending", reason=say.NO_VOLUME,
                              explanation=say.NO_VOLUME_EXPLAINED)
        v = facts.volume
        common = {**base, "status": "scored", "numerator": v, "denominator": vmax, "rate": Fraction(v, vmax)}
        if item.formula is None:
            exact = (item.base + item.weight * Decimal(v) / Decimal(vmax)) * item.max
            pts = round_points(exact, q)
            return ItemResult(**common, points=pts,
                              explanation=f"({num(item.base)} + {num(item.weight)} × {v} / {vmax}) × "
                                          f"{num(item.max)} = {shown(pts)}")
        env = {"V": v, "Vmax": vmax, "max": item.max}
        exact = item.formula.evaluate(env)
        held = min(max(exact, item.min_points), item.max)
        text = item.formula.explain(env)
        if held != exact:
            text += say.held_at(held, exact)
        return ItemResult(**common, points=round_points(held, q), explanation=text)


KIND = FormulaVolume()
