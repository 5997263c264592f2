"""Scoring: a pure function from a unit's facts and the ruleset to its points, item by item.

No I/O, no clock: the facts (counts, assessments, rate counts, deadline verdicts) are gathered
by ``projections.facts`` from the read model; this module applies the rules of the ruleset and
keeps the arithmetic as text so ``trace`` explains exactly what ``score`` computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ledger.rulesets.grades import grade_of
from ledger.rulesets.schema import Item, Pool, RankItem, Ruleset, Section
from projections.ranked_items import RankPlace, competition_ranks
from projections.rate_points import monthly_average, rate_points

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RateCounts:
    """A rate's exact counts: ``numerator / denominator`` (no rounding, ever; a weighted numerator is a Decimal)."""

    numerator: int | Decimal
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
        rates: rate name (satisfaction/reply/ontime, or a ruleset's own rate) → counts.
        monthly_rates: rate name → month (``YYYY-MM``) → counts, for items averaged over the months.
        rate_pending: rate name → why it cannot be computed (e.g. an export column not kept).
        volume: V, work orders dispatched to the unit (2.3.1).
        deadlines: item code → outcome.
    """

    counts: dict[str, int] = field(default_factory=dict)
    assessments: dict[str, Decimal] = field(default_factory=dict)
    rates: dict[str, RateCounts] = field(default_factory=dict)
    volume: int = 0
    deadlines: dict[str, DeadlineOutcome] = field(default_factory=dict)
    monthly_rates: dict[str, dict[str, RateCounts]] = field(default_factory=dict)
    rate_pending: dict[str, str] = field(default_factory=dict)


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
    numerator: int | Decimal | None = None
    denominator: int | None = None
    count: int = 0
    rank: int | None = None


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
    """A unit's year: total = Σ sections (bonus inside its section), base = total − bonus.

    Attributes:
        rank: among the units of its class. unit_class: the class code ("" with no classes).
        full_marks: the class's base points. grade, vetoed_by: the grade band reached, or forced
        by a veto item (None when the ruleset declares no grades).
    """

    unit: str
    name: str
    total: Decimal
    bonus: Decimal
    sections: tuple[SectionResult, ...]
    rank: int = 0
    unit_class: str = ""
    full_marks: Decimal | None = None
    grade: str | None = None
    vetoed_by: str | None = None

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


def _capped(item: Item, deduction: Decimal, arithmetic: str) -> tuple[Decimal, str]:
    """A deduction limited by the item's cap ("deducts at most 3 points")."""
    if item.cap is not None and deduction > item.cap:
        return item.cap, f"min({arithmetic}, cap {fmt(item.cap)})"
    return deduction, arithmetic


def _pending_reasons(item: Item, facts: UnitFacts) -> tuple[str, ...]:
    if item.kind == "deadline":
        return facts.deadlines.get(item.code, DeadlineOutcome()).pending
    return ()


def _score_own(item: Item, facts: UnitFacts, vmax: int, q: Decimal, place: RankPlace | None = None) -> ItemResult:
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
        return _score_volume(item, facts, vmax, q, base)
    if item.kind == "rate_threshold":
        return _score_rate(item, facts, q, base)
    if item.kind == "rank":
        return _score_rank(item, place or RankPlace(None, 0, None), q, base)
    # per_occurrence / per_block / deadline with points of their own
    deduction, count, arithmetic = _occurrence_deduction(item, facts)
    deduction, arithmetic = _capped(item, deduction, arithmetic)
    value, absorbed = _floor_at(item.max - deduction, item.min_points)
    pts = _round(value, q)
    text = f"{fmt(item.max)} − {arithmetic} = {fmt(item.max - deduction)}"
    if absorbed:
        text += f" → floored at {fmt(item.min_points)} ({fmt(absorbed)} absorbed)"
    pending = _pending_reasons(item, facts)
    return ItemResult(**base, points=pts, status="pending" if pending else "scored", absorbed=absorbed,
                      explanation=text, count=count, reason="; ".join(pending) or None)


def _score_volume(item: Item, facts: UnitFacts, vmax: int, q: Decimal, base: dict[str, object]) -> ItemResult:
    """Relative volume: ``(base + weight × V / Vmax) × max``, or the item's own formula held in [min_points, max]."""
    if vmax == 0:
        return ItemResult(**base, points=_round(ZERO, q), status="pending",
                          reason="no work orders in the city (Vmax = 0)",
                          explanation="Vmax = 0: not computable yet (counts as 0.00)")
    v = facts.volume
    common = {**base, "status": "scored", "numerator": v, "denominator": vmax, "rate": Fraction(v, vmax)}
    if item.formula is None:
        exact = (item.base + item.weight * Decimal(v) / Decimal(vmax)) * item.max
        pts = _round(exact, q)
        return ItemResult(**common, points=pts,
                          explanation=f"({_num(item.base)} + {_num(item.weight)} × {v} / {vmax}) × "
                                      f"{_num(item.max)} = {fmt(pts)}")
    env = {"V": v, "Vmax": vmax, "max": item.max}
    exact = item.formula.evaluate(env)
    held = min(max(exact, item.min_points), item.max)
    text = item.formula.explain(env)
    if held != exact:
        text += f" → held at {fmt(held)}"
    return ItemResult(**common, points=_round(held, q), explanation=text)


def _score_rate(item: Item, facts: UnitFacts, q: Decimal, base: dict[str, object]) -> ItemResult:
    """A rate against its threshold, over the year or averaged over the months."""
    if item.rate in facts.rate_pending:
        reason = facts.rate_pending[item.rate]
        return ItemResult(**base, points=_round(ZERO, q), status="pending", reason=reason,
                          explanation=f"{reason}: pending (counts as 0.00)")
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
        return ItemResult(**base, points=_round(ZERO, q), status="pending", numerator=0, denominator=0,
                          reason=f"no work order counts towards the {item.rate} rate",
                          explanation="no work order in the denominator: pending (counts as 0.00)")
    return ItemResult(**base, points=_round(result.value, q), status="scored", absorbed=_round(result.absorbed, q),
                      rate=Fraction(numerator) / denominator, numerator=numerator, denominator=denominator,
                      explanation=result.text)


def _score_rank(item: RankItem, place: RankPlace, q: Decimal, base: dict[str, object]) -> ItemResult:
    """Rank 1 scores max; each lower rank ``step`` less, held at min_points."""
    if place.rank is None:
        return ItemResult(**base, points=_round(ZERO, q), status="pending", reason=f"no {item.by} value to rank",
                          explanation=f"no {item.by} value: not ranked, pending (counts as 0.00)")
    raw = item.max - (place.rank - 1) * item.step
    value, absorbed = _floor_at(raw, item.min_points)
    text = (f"{item.by} rank {place.rank} of {place.of}: "
            f"{fmt(item.max)} − ({place.rank} − 1) × {_num(item.step)} = {fmt(raw)}")
    if absorbed:
        text += f" → held at {fmt(item.min_points)}"
    ranked = {"numerator": int(place.value)} if item.by == "volume" else {"rate": place.value}
    return ItemResult(**base, points=_round(value, q), status="scored", absorbed=absorbed, rank=place.rank,
                      explanation=text, **ranked)


def _member(item: Item, facts: UnitFacts, q: Decimal, into: str) -> ItemResult:
    deduction, count, arithmetic = _occurrence_deduction(item, facts)
    deduction, arithmetic = _capped(item, deduction, arithmetic)
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
                   bonus_left: Decimal | None, places: Mapping[str, RankPlace]) -> tuple[SectionResult, Decimal]:
    q = ruleset.scoring.rounding
    if section.bonus_cap is not None:
        bonus_left = section.bonus_cap if bonus_left is None else min(bonus_left, section.bonus_cap)
    # Lines keep the ruleset's order; a pool's line stands where its first member appears.
    lines: list[ItemResult | str] = []
    pools = {p.code: p for p in ruleset.pools if p.section == section.code}
    members: dict[str, list[ItemResult]] = {code: [] for code in pools}
    section_deductions: list[ItemResult] = []
    bonus = ZERO
    for raw in ruleset.items:
        if raw.section != section.code or not ruleset.applies(unit, raw.code):
            continue
        item = ruleset.item_for(unit, raw.code)
        if item.kind == "bonus":
            count = facts.counts.get(item.code, 0)
            earned = count * item.amount
            text = f"+ {count} × {_num(item.amount)}"
            if bonus_left is not None and earned > bonus_left:
                text += f" = {fmt(earned)} → capped at {fmt(bonus_left)}"
                earned = bonus_left
            if bonus_left is not None:
                bonus_left -= earned
            bonus += earned
            lines.append(ItemResult(code=item.code, name=item.name, kind="bonus", bonus=_round(earned, q), count=count,
                                    explanation=f"{text} = {fmt(_round(earned, q))}"))
        elif item.pool in pools:
            if not members[item.pool]:
                lines.append(item.pool)
            members[item.pool].append(_member(item, facts, q, item.pool))
        elif item.pool == section.code:
            member = _member(item, facts, q, section.code)
            section_deductions.append(member)
            lines.append(member)
        else:
            lines.append(_score_own(item, facts, vmax, q, places.get(item.code)))
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


def score_unit(ruleset: Ruleset, unit: str, facts: UnitFacts, vmax: int,
               places: Mapping[str, RankPlace] | None = None) -> UnitScore:
    """One unit's score sheet (``vmax`` and ``places`` come from the units of its class)."""
    sections = []
    bonus_total = ZERO
    for section in ruleset.sections:
        if not ruleset.applies(unit, section.code):
            continue
        cap_left = None if ruleset.scoring.bonus_cap is None else ruleset.scoring.bonus_cap - bonus_total
        result, bonus = _score_section(section, ruleset, unit, facts, vmax, cap_left, places or {})
        sections.append(result)
        bonus_total += bonus
    total = sum((s.points for s in sections), ZERO)
    unit_class = ruleset.class_of(unit)
    full_marks = ruleset.full_marks(unit_class)
    verdict = grade_of(total, full_marks, facts.counts, ruleset.grades, ruleset.vetoes)
    return UnitScore(unit, ruleset.unit(unit).name, total, bonus_total, tuple(sections), unit_class=unit_class,
                     full_marks=full_marks, grade=verdict.grade, vetoed_by=verdict.vetoed_by)


def rank(scores: list[UnitScore]) -> list[UnitScore]:
    """Rank each class on its own, by total, descending; equal totals share a rank and the next skips (1, 1, 3).

    Classes keep the order in which their first unit appears; with no classes this is one ranking.
    """
    classes = list(dict.fromkeys(s.unit_class for s in scores))
    out: list[UnitScore] = []
    for unit_class in classes:
        ordered = sorted((s for s in scores if s.unit_class == unit_class), key=lambda s: (-s.total, s.unit))
        ranked: list[UnitScore] = []
        for i, s in enumerate(ordered):
            r = ranked[-1].rank if ranked and ranked[-1].total == s.total else i + 1
            ranked.append(replace(s, rank=r))
        out.extend(ranked)
    return out


def _rank_value(item: RankItem, facts: UnitFacts) -> Fraction | None:
    """The value a unit is ranked by: its volume, or its exact rate (None without orders)."""
    if item.by == "volume":
        return Fraction(facts.volume)
    if item.by in facts.rate_pending:
        return None
    counts = facts.rates.get(item.by)
    return Fraction(counts.numerator) / counts.denominator if counts and counts.denominator else None


def _places(ruleset: Ruleset, members: list[str], facts: Mapping[str, UnitFacts]) -> dict[str, dict[str, RankPlace]]:
    """unit → rank item code → the unit's place among ``members`` (the units of one class)."""
    out: dict[str, dict[str, RankPlace]] = {u: {} for u in members}
    for raw in ruleset.items:
        if raw.kind != "rank":
            continue
        scored = [u for u in members if ruleset.applies(u, raw.code)]
        values: dict[str, Fraction | None] = {}
        order: dict[str, bool] = {}
        for u in scored:
            item = ruleset.item_for(u, raw.code)
            assert isinstance(item, RankItem)
            values[u] = _rank_value(item, facts.get(u, UnitFacts()))
            order[u] = item.order == "high_first"
        for u, place in competition_ranks(values, high_first=order.get(scored[0], True) if scored else True).items():
            out[u][raw.code] = place
    return out


def score_city(ruleset: Ruleset, facts: Mapping[str, UnitFacts]) -> list[UnitScore]:
    """Every unit of the ruleset, scored and ranked within its class (Vmax is the largest V in the class)."""
    scores = []
    for unit_class in dict.fromkeys(ruleset.class_of(u.code) for u in ruleset.units):
        members = [u.code for u in ruleset.units if ruleset.class_of(u.code) == unit_class]
        vmax = max((facts[u].volume for u in members if u in facts), default=0)
        places = _places(ruleset, members, facts)
        scores += [score_unit(ruleset, u, facts.get(u, UnitFacts()), vmax, places[u]) for u in members]
    return rank(scores)
