"""Scoring: a pure function from a unit's facts and the ruleset to its points, item by item.

No I/O, no clock: the facts (counts, assessments, rate counts, deadline verdicts) are gathered
by ``projections.facts`` from the read model; this module applies the rules of the ruleset and
keeps the arithmetic as text so ``trace`` explains exactly what ``score`` computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ledger.rulesets.schema import Item, Pool, Ruleset, Section

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RateCounts:
    """A rate's exact counts: ``numerator / denominator`` (no rounding, ever)."""

    numerator: int
    denominator: int


@dataclass(frozen=True)
class DeadlineOutcome:
    """How many periods or notices deduct, and why any are not computable yet."""

    deductions: int = 0
    pending: tuple[str, ...] = ()


@dataclass
class UnitFacts:
    """Everything that decides one unit's points in one year.

    Attributes:
        counts: item code → Σ effective count of its occurrences.
        assessments: item code → the latest awarded points.
        rates: rate name (satisfaction/reply/ontime) → counts.
        volume: V, work orders dispatched to the unit (2.3.1).
        deadlines: item code → outcome.
    """

    counts: dict[str, int] = field(default_factory=dict)
    assessments: dict[str, Decimal] = field(default_factory=dict)
    rates: dict[str, RateCounts] = field(default_factory=dict)
    volume: int = 0
    deadlines: dict[str, DeadlineOutcome] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemResult:
    """One line of a unit's sheet.

    Attributes:
        code, name, kind: the item (or pool: kind ``pool``).
        max, points, status: for an item with points of its own (or a pool); status is
            ``scored`` or ``pending``.
        pool, deducted: for an item deducting from a pool (or a section).
        bonus: for a bonus item.
        absorbed: deductions beyond the floor, reported rather than silently dropped.
        explanation: the arithmetic, as text. reason: why pending.
        rate, numerator, denominator: for a rate item (``rate`` exact).
    """

    code: str
    name: str
    kind: str
    max: Decimal | None = None
    points: Decimal | None = None
    status: str | None = None
    pool: str | None = None
    deducted: Decimal | None = None
    bonus: Decimal | None = None
    absorbed: Decimal = ZERO
    explanation: str = ""
    reason: str | None = None
    rate: Fraction | None = None
    numerator: int | None = None
    denominator: int | None = None
    count: int = 0


@dataclass(frozen=True)
class SectionResult:
    """A section: its items (pools reported as items), points and any absorbed surplus.

    ``status`` is ``pending`` while any of its items is, and ``reason`` then says which and why.
    """

    code: str
    name: str
    max: Decimal
    points: Decimal
    items: tuple[ItemResult, ...]
    explanation: str
    absorbed: Decimal = ZERO
    status: str = "scored"
    reason: str | None = None


@dataclass(frozen=True)
class UnitScore:
    """A unit's year: total = Σ sections (bonus inside its section), base = total − bonus."""

    unit: str
    name: str
    total: Decimal
    bonus: Decimal
    sections: tuple[SectionResult, ...]
    rank: int = 0

    @property
    def base(self) -> Decimal:
        return self.total - self.bonus

    def item(self, code: str) -> ItemResult:
        """The result line for an item or pool code."""
        for s in self.sections:
            for i in s.items:
                if i.code == code:
                    return i
        raise KeyError(code)


def fmt(d: Decimal) -> str:
    """Points as printed everywhere: two decimals (the value is already rounded)."""
    return f"{d:.2f}"


def _num(d: Decimal) -> str:
    """An amount or parameter as written (0.1 → 0.10, 92 → 92)."""
    return fmt(d) if d != d.to_integral_value() or d < 10 else f"{d:f}"


def _round(value: Decimal | Fraction, quantum: Decimal) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _floor_at(value: Decimal, floor: Decimal) -> tuple[Decimal, Decimal]:
    """(value floored, the surplus absorbed by the floor)."""
    return (value, ZERO) if value >= floor else (floor, floor - value)


def _occurrence_deduction(item: Item, facts: UnitFacts) -> tuple[Decimal, int, str]:
    """(points deducted, occurrences counted, the arithmetic) for a deduction item."""
    count = facts.counts.get(item.code, 0)
    if item.kind == "per_block":
        blocks = count // item.block
        return blocks * item.amount, count, f"⌊{count} / {item.block}⌋ × {_num(item.amount)}"
    if item.kind == "deadline":
        outcome = facts.deadlines.get(item.code, DeadlineOutcome())
        return outcome.deductions * item.amount, outcome.deductions, f"{outcome.deductions} × {_num(item.amount)}"
    return count * item.amount, count, f"{count} × {_num(item.amount)}"


def _pending_reasons(item: Item, facts: UnitFacts) -> tuple[str, ...]:
    if item.kind == "deadline":
        return facts.deadlines.get(item.code, DeadlineOutcome()).pending
    return ()


def _score_own(item: Item, facts: UnitFacts, vmax: int, q: Decimal) -> ItemResult:
    """An item with points of its own."""
    base = {"code": item.code, "name": item.name, "kind": item.kind, "max": item.max}
    if item.kind == "assessment":
        awarded = facts.assessments.get(item.code)
        if awarded is None:
            return ItemResult(**base, points=_round(ZERO, q), status="pending", reason="not assessed yet",
                              explanation="no assessment recorded: pending (counts as 0.00)")
        pts = _round(awarded, q)
        return ItemResult(**base, points=pts, status="scored", explanation=f"assessed {fmt(pts)} of {fmt(item.max)}")
    if item.kind == "formula_volume":
        if vmax == 0:
            return ItemResult(**base, points=_round(ZERO, q), status="pending", reason="no work orders in the city (Vmax = 0)",
                              explanation="Vmax = 0: not computable yet (counts as 0.00)")
        v = facts.volume
        exact = (item.base + item.weight * Decimal(v) / Decimal(vmax)) * item.max
        pts = _round(exact, q)
        return ItemResult(**base, points=pts, status="scored", numerator=v, denominator=vmax,
                          rate=Fraction(v, vmax),
                          explanation=f"({_num(item.base)} + {_num(item.weight)} × {v} / {vmax}) × "
                                      f"{_num(item.max)} = {fmt(pts)}")
    if item.kind == "rate_threshold":
        counts = facts.rates.get(item.rate, RateCounts(0, 0))
        if counts.denominator == 0:
            return ItemResult(**base, points=_round(ZERO, q), status="pending", numerator=0, denominator=0,
                              reason=f"no work order counts towards the {item.rate} rate",
                              explanation="no work order in the denominator: pending (counts as 0.00)")
        rate = Fraction(counts.numerator, counts.denominator)
        threshold = Fraction(item.threshold) / 100
        shown = f"{counts.numerator}/{counts.denominator} = {_round(rate * 100, q)}%"
        common = {**base, "rate": rate, "numerator": counts.numerator, "denominator": counts.denominator}
        if rate >= threshold:
            return ItemResult(**common, points=item.max, status="scored",
                              explanation=f"{shown} ≥ {_num(item.threshold)}%: full {fmt(item.max)}")
        below = (threshold - rate) * 100
        if item.rate_rounding == "whole_points":
            below = Fraction(int(below))
        deduction = below * Fraction(item.per_point)
        exact = Fraction(item.max) - deduction
        value, absorbed = _floor_at(_round(exact, Decimal("1e-12")), item.min_points)
        pts = _round(value, q)
        return ItemResult(**common, points=pts, status="scored", absorbed=_round(absorbed, q),
                          explanation=f"{shown} < {_num(item.threshold)}%: {fmt(item.max)} − "
                                      f"{_round(below, Decimal('0.0001')).normalize():f} × {_num(item.per_point)} "
                                      f"= {fmt(pts)}")
    # per_occurrence / per_block / deadline with points of their own
    deduction, count, arithmetic = _occurrence_deduction(item, facts)
    value, absorbed = _floor_at(item.max - deduction, item.min_points)
    pts = _round(value, q)
    text = f"{fmt(item.max)} − {arithmetic} = {fmt(item.max - deduction)}"
    if absorbed:
        text += f" → floored at {fmt(item.min_points)} ({fmt(absorbed)} absorbed)"
    pending = _pending_reasons(item, facts)
    return ItemResult(**base, points=pts, status="pending" if pending else "scored", absorbed=absorbed,
                      explanation=text, count=count, reason="; ".join(pending) or None)


def _member(item: Item, facts: UnitFacts, q: Decimal, into: str) -> ItemResult:
    deduction, count, arithmetic = _occurrence_deduction(item, facts)
    pending = _pending_reasons(item, facts)
    return ItemResult(code=item.code, name=item.name, kind=item.kind, pool=into, deducted=_round(deduction, q),
                      explanation=f"{arithmetic} = {fmt(_round(deduction, q))} deducted from {into}",
                      count=count, reason="; ".join(pending) or None, status="pending" if pending else None)


def _score_pool(pool: Pool, members: list[ItemResult], q: Decimal) -> ItemResult:
    total = sum((m.deducted for m in members if m.deducted is not None), ZERO)
    value, absorbed = _floor_at(pool.max - total, pool.min_points)
    pts = _round(value, q)
    terms = "".join(f" − {fmt(m.deducted)}" for m in members if m.deducted)
    text = f"{fmt(pool.max)}{terms} = {fmt(pool.max - total)}"
    if absorbed:
        text += f" → floored at {fmt(pool.min_points)} ({fmt(absorbed)} absorbed)"
    reason = pending_summary(members)
    return ItemResult(code=pool.code, name=pool.name, kind="pool", max=pool.max, points=pts,
                      status="pending" if reason else "scored", absorbed=absorbed, explanation=text,
                      reason=reason)


def pending_summary(lines: list[ItemResult]) -> str | None:
    """Why some of ``lines`` are pending: each reason once, after the codes it holds up.

    Two deadline items waiting for the same calendar year give one
    ``"3.2.5.1, 3.2.5.2: <reason>"``, not the same sentence twice.
    """
    codes: dict[str, list[str]] = {}
    for line in lines:
        if line.status == "pending" and line.reason:
            codes.setdefault(line.reason, []).append(line.code)
    return "; ".join(f"{', '.join(c)}: {reason}" for reason, c in codes.items()) or None


def _score_section(section: Section, ruleset: Ruleset, unit: str, facts: UnitFacts, vmax: int,
                   bonus_left: Decimal | None) -> tuple[SectionResult, Decimal]:
    q = ruleset.scoring.rounding
    # Lines keep the ruleset's order; a pool's line stands where its first member appears.
    lines: list[ItemResult | str] = []
    pools = {p.code: p for p in ruleset.pools if p.section == section.code}
    members: dict[str, list[ItemResult]] = {code: [] for code in pools}
    section_deductions: list[ItemResult] = []
    bonus = ZERO
    for raw in ruleset.items:
        if raw.section != section.code:
            continue
        item = ruleset.item_for(unit, raw.code)
        if item.kind == "bonus":
            count = facts.counts.get(item.code, 0)
            earned = count * item.amount
            if bonus_left is not None and earned > bonus_left:
                earned = bonus_left
            bonus += earned
            lines.append(ItemResult(code=item.code, name=item.name, kind="bonus", bonus=_round(earned, q), count=count,
                                    explanation=f"+ {count} × {_num(item.amount)} = {fmt(_round(earned, q))}"))
        elif item.pool in pools:
            if not members[item.pool]:
                lines.append(item.pool)
            members[item.pool].append(_member(item, facts, q, item.pool))
        elif item.pool == section.code:
            member = _member(item, facts, q, section.code)
            section_deductions.append(member)
            lines.append(member)
        else:
            lines.append(_score_own(item, facts, vmax, q))
    expanded: list[ItemResult] = []
    for line in lines:
        if isinstance(line, str):
            expanded.append(_score_pool(pools[line], members[line], q))
            expanded.extend(members[line])
        else:
            expanded.append(line)
    subtotal = sum((i.points for i in expanded if i.points is not None), ZERO)
    taken = sum((d.deducted for d in section_deductions if d.deducted is not None), ZERO)
    value, absorbed = _floor_at(subtotal - taken, ZERO)
    text = f"{fmt(subtotal)}" + "".join(f" − {fmt(d.deducted)}" for d in section_deductions if d.deducted)
    if absorbed:
        text += f" → floored at 0.00 ({fmt(absorbed)} absorbed)"
    bonus = _round(bonus, q)
    if bonus:
        text += f" + bonus {fmt(bonus)}"
    points = value + bonus
    # A pool's line repeats its members' reasons: the section names the members themselves.
    reason = pending_summary([i for i in expanded if i.kind != "pool"])
    return SectionResult(section.code, section.name, section.max, points, tuple(expanded),
                         f"{text} = {fmt(points)}", absorbed, "pending" if reason else "scored", reason), bonus


def score_unit(ruleset: Ruleset, unit: str, facts: UnitFacts, vmax: int) -> UnitScore:
    """One unit's score sheet."""
    sections = []
    bonus_total = ZERO
    for section in ruleset.sections:
        cap_left = None if ruleset.scoring.bonus_cap is None else ruleset.scoring.bonus_cap - bonus_total
        result, bonus = _score_section(section, ruleset, unit, facts, vmax, cap_left)
        sections.append(result)
        bonus_total += bonus
    total = sum((s.points for s in sections), ZERO)
    return UnitScore(unit, ruleset.unit(unit).name, total, bonus_total, tuple(sections))


def rank(scores: list[UnitScore]) -> list[UnitScore]:
    """Order by total, descending; equal totals share a rank and the next skips (1, 1, 3)."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.unit))
    out: list[UnitScore] = []
    for i, s in enumerate(ordered):
        r = out[-1].rank if out and out[-1].total == s.total else i + 1
        out.append(UnitScore(s.unit, s.name, s.total, s.bonus, s.sections, r))
    return out


def score_city(ruleset: Ruleset, facts: Mapping[str, UnitFacts]) -> list[UnitScore]:
    """Every unit of the ruleset, scored and ranked (Vmax is the largest V among them)."""
    vmax = max((f.volume for f in facts.values()), default=0)
    return rank([score_unit(ruleset, u.code, facts.get(u.code, UnitFacts()), vmax) for u in ruleset.units])
