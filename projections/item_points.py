"""The rules of each kind of item: the points (or deduction) of one item for one unit, with its arithmetic.

Pure: an item of the ruleset and the unit's facts in, one ``ItemResult`` out. Pools, sections,
bonuses and ranking among units are ``projections.scores``; the words are ``projections.explanations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ledger.rulesets.schema import Item, RankItem
from projections import explanations as say
from projections.explanations import num, shown
from projections.ranked_items import RankPlace
from projections.rate_points import monthly_average, rate_points
from projections.score_sheet import ZERO, ItemResult
from projections.unit_facts import DeadlineOutcome, RateCounts, UnitFacts


def round_points(value: Decimal | Fraction, quantum: Decimal) -> Decimal:
    """Points rounded once, half-up, to the ruleset's quantum."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def floor_at(value: Decimal, floor: Decimal) -> tuple[Decimal, Decimal]:
    """(value floored, the surplus absorbed by the floor)."""
    return (value, ZERO) if value >= floor else (floor, floor - value)


def _occurrence_deduction(item: Item, facts: UnitFacts) -> tuple[Decimal, int, str]:
    """(points deducted, occurrences counted, the arithmetic) for a deduction item."""
    count = facts.counts.get(item.code, 0)
    if item.kind == "per_block":
        blocks = count // item.block
        return blocks * item.amount, count, f"⌊{count} / {item.block}⌋ × {num(item.amount)}"
    if item.kind == "deadline":
        outcome = facts.deadlines.get(item.code, DeadlineOutcome())
        return outcome.deductions * item.amount, outcome.deductions, f"{outcome.deductions} × {num(item.amount)}"
    return count * item.amount, count, f"{count} × {num(item.amount)}"


def _capped(item: Item, deduction: Decimal, arithmetic: str) -> tuple[Decimal, str]:
    """A deduction limited by the item's cap ("deducts at most 3 points")."""
    if item.cap is not None and deduction > item.cap:
        return item.cap, f"min({arithmetic}, {say.at_most(item.cap)})"
    return deduction, arithmetic


def _pending_reasons(item: Item, facts: UnitFacts) -> tuple[str, ...]:
    if item.kind == "deadline":
        return facts.deadlines.get(item.code, DeadlineOutcome()).pending
    return ()


def score_own(item: Item, facts: UnitFacts, vmax: int, q: Decimal, place: RankPlace | None = None,
              names: Mapping[str, str] | None = None) -> ItemResult:
    """An item with points of its own (``names``: rate code → Chinese name, for the explanation)."""
    base = {"code": item.code, "name": item.name, "kind": item.kind, "max": item.max}
    names = names or {}
    if item.kind == "assessment":
        awarded = facts.assessments.get(item.code)
        if awarded is None:
            return ItemResult(**base, points=round_points(ZERO, q), status="pending", reason=say.NOT_ASSESSED,
                              explanation=say.NOT_ASSESSED_EXPLAINED)
        pts = round_points(awarded, q)
        return ItemResult(**base, points=pts, status="scored", explanation=say.assessed(pts, item.max))
    if item.kind == "formula_volume":
        return _score_volume(item, facts, vmax, q, base)
    if item.kind == "rate_threshold":
        return _score_rate(item, facts, q, base, say.name_of(names, item.rate))
    if item.kind == "rank":
        return _score_rank(item, place or RankPlace(None, 0, None), q, base, say.name_of(names, item.by))
    # per_occurrence / per_block / deadline with points of their own
    deduction, count, arithmetic = _occurrence_deduction(item, facts)
    deduction, arithmetic = _capped(item, deduction, arithmetic)
    value, absorbed = floor_at(item.max - deduction, item.min_points)
    pts = round_points(value, q)
    text = f"{shown(item.max)} − {arithmetic} = {shown(item.max - deduction)}"
    if absorbed:
        text += say.floored(item.min_points, absorbed)
    pending = _pending_reasons(item, facts)
    return ItemResult(**base, points=pts, status="pending" if pending else "scored", absorbed=absorbed,
                      explanation=text, count=count, reason="；".join(pending) or None)


def _score_volume(item: Item, facts: UnitFacts, vmax: int, q: Decimal, base: dict[str, object]) -> ItemResult:
    """Relative volume: ``(base + weight × V / Vmax) × max``, or the item's own formula held in [min_points, max]."""
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


def _score_rate(item: Item, facts: UnitFacts, q: Decimal, base: dict[str, object], rate_name: str) -> ItemResult:
    """A rate against its threshold, over the year or averaged over the months."""
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
        reason = say.no_orders_for(rate_name)
        return ItemResult(**base, points=round_points(ZERO, q), status="pending", numerator=0, denominator=0,
                          reason=reason, explanation=say.pending_as_zero(reason))
    return ItemResult(**base, points=round_points(result.value, q), status="scored",
                      absorbed=round_points(result.absorbed, q), rate=Fraction(numerator) / denominator,
                      numerator=numerator, denominator=denominator, explanation=result.text)


def _score_rank(item: RankItem, place: RankPlace, q: Decimal, base: dict[str, object], by: str) -> ItemResult:
    """Rank 1 scores max; each lower rank ``step`` less, held at min_points."""
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
    return ItemResult(**base, points=round_points(value, q), status="scored", absorbed=absorbed, rank=place.rank,
                      explanation=text, **ranked)


def member_deduction(item: Item, facts: UnitFacts, q: Decimal, into: str) -> ItemResult:
    """An item deducting from a pool (or its section) ``into``: its deduction, capped, not yet floored."""
    deduction, count, arithmetic = _occurrence_deduction(item, facts)
    deduction, arithmetic = _capped(item, deduction, arithmetic)
    pending = _pending_reasons(item, facts)
    deducted = round_points(deduction, q)
    return ItemResult(code=item.code, name=item.name, kind=item.kind, pool=into, deducted=deducted,
                      explanation=f"{arithmetic} = {shown(deducted)}{say.deducted_from(into)}",
                      count=count, reason="；".join(pending) or None, status="pending" if pending else None)

