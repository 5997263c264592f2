"""The points of a rate item: a rate against its threshold, per year or averaged over the months.

Pure arithmetic on exact fractions: ``max − min(points below × per_point, cap)``, held at
``min_points``. The text keeps the arithmetic so ``trace`` shows what ``score`` computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from projections.explanations import at_most, floored, num, shown
from projections.numbers import plain

if TYPE_CHECKING:  # the rate kind's module scores with this one
    from ledger.rulesets.kinds.rate_threshold import RateItem

_FINE = Decimal("1e-12")


@dataclass(frozen=True)
class RatePoints:
    """An item's exact points from a rate, the surplus absorbed by its floor, and the arithmetic."""

    value: Decimal
    absorbed: Decimal
    text: str


def _dec(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _q(value: Decimal | Fraction, quantum: Decimal) -> Decimal:
    return (_dec(value) if isinstance(value, Fraction) else value).quantize(quantum, rounding=ROUND_HALF_UP)


#: A numerator as written: whole orders plainly, weighted ones with their decimals (448.5).
show_count = plain


def rate_points(item: RateItem, numerator: int | Decimal, denominator: int, q: Decimal) -> RatePoints:
    """Points for one rate (denominator > 0): full at or above the threshold, else deducted per point below."""
    rate = Fraction(numerator) / denominator
    threshold = Fraction(item.threshold) / 100
    shown_rate = f"{show_count(numerator)}/{denominator} = {_q(rate * 100, q)}%"
    if rate >= threshold:
        return RatePoints(item.max, Decimal(0), f"{shown_rate} ≥ {num(item.threshold)}%：满分 {shown(item.max)}")
    below = (threshold - rate) * 100
    if item.rate_rounding == "whole_points":
        below = Fraction(int(below))
    deduction = below * Fraction(item.per_point)
    text = f"{shown_rate} < {num(item.threshold)}%：{shown(item.max)} − " \
           f"{_q(below, Decimal('0.0001')).normalize():f} × {num(item.per_point)}"
    if item.cap is not None and deduction > item.cap:
        deduction = Fraction(item.cap)
        text += f"（{at_most(item.cap)}）"
    exact = _q(Fraction(item.max) - deduction, _FINE)
    if exact >= item.min_points:
        return RatePoints(exact, Decimal(0), f"{text} = {shown(_q(exact, q))}")
    absorbed = item.min_points - exact
    return RatePoints(item.min_points, absorbed,
                      f"{text} = {shown(_q(exact, q))}{floored(item.min_points, _q(absorbed, q))}")


def monthly_average(item: RateItem, months: Mapping[str, tuple[int | Decimal, int]], q: Decimal) -> RatePoints | None:
    """The average of the monthly points over the months with orders (None: no such month).

    Each month is scored exactly by ``rate_points``; the average is rounded once, by the caller.
    """
    scored = {m: rate_points(item, n, d, q) for m, (n, d) in sorted(months.items()) if d > 0}
    if not scored:
        return None
    total = sum((p.value for p in scored.values()), Decimal(0))
    average = _q(total / len(scored), _FINE)
    lines = "；".join(f"{m}：{p.text}" for m, p in scored.items())
    terms = " + ".join(shown(_q(p.value, q)) for p in scored.values())
    return RatePoints(average, sum((p.absorbed for p in scored.values()), Decimal(0)),
                      f"{len(scored)} 个月平均：({terms}) / {len(scored)} = {shown(_q(average, q))}［{lines}］")
