"""Scoring: a pure function from the units' facts and the ruleset to their points, pools, sections and ranks.

No I/O, no clock: the facts (counts, assessments, rate counts, deadline verdicts) are gathered
by ``projections.facts`` from the read model. Each item's own rule is ``projections.item_points``;
this module adds up pools, sections, bonuses and units, and ranks them. The arithmetic is kept as
text (``projections.explanations``) so ``trace`` explains exactly what ``score`` computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from ledger.rulesets.grades import grade_of
from ledger.rulesets.kinds import kind_of
from ledger.rulesets.kinds.bonus import Bonus
from ledger.rulesets.schema import Pool, Ruleset, Section
from projections import explanations as say
from projections.explanations import fmt, shown
from projections.item_points import floor_at, member_deduction, round_points, score_own
from projections.ranked_items import RankPlace
from projections.score_sheet import ZERO, ItemResult, SectionResult, UnitScore, pending_summary
from projections.unit_facts import DeadlineOutcome, RateCounts, UnitFacts

HUNDRED = Decimal(100)

# Re-exported: other modules and tests import these names from here.
__all__ = [
    "HUNDRED", "ZERO", "DeadlineOutcome", "ItemResult", "RateCounts", "SectionResult", "UnitFacts", "UnitScore",
    "fmt", "pending_summary", "rank", "score_city", "score_unit",
]


def _score_pool(pool: Pool, members: list[ItemResult], q: Decimal) -> ItemResult:
    total = sum((m.deducted for m in members if m.deducted is not None), ZERO)
    value, absorbed = floor_at(pool.max - total, pool.min_points)
    pts = round_points(value, q)
    terms = "".join(f" − {shown(m.deducted)}" for m in members if m.deducted)
    text = f"{shown(pool.max)}{terms} = {shown(pool.max - total)}"
    if absorbed:
        text += say.floored(pool.min_points, absorbed)
    reason = pending_summary(members)
    return ItemResult(code=pool.code, name=pool.name, kind="pool", max=pool.max, points=pts,
                      status="pending" if reason else "scored", absorbed=absorbed, explanation=text,
                      reason=reason)


def _score_section(section: Section, ruleset: Ruleset, unit: str, facts: UnitFacts, vmax: int,
                   bonus_left: Decimal | None, places: Mapping[str, RankPlace]) -> tuple[SectionResult, Decimal]:
    q = ruleset.scoring.rounding
    names = say.rate_names(ruleset)
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
        kind = kind_of(item)
        if isinstance(kind, Bonus):
            line, earned = kind.add(item, facts, q, bonus_left)
            if bonus_left is not None:
                bonus_left -= earned
            bonus += earned
            lines.append(line)
        elif item.pool in pools:
            if not members[item.pool]:
                lines.append(item.pool)
            members[item.pool].append(member_deduction(item, facts, q, item.pool))
        elif item.pool == section.code:
            member = member_deduction(item, facts, q, section.code)
            section_deductions.append(member)
            lines.append(member)
        else:
            lines.append(score_own(item, facts, vmax, q, places.get(item.code), names))
    expanded = _expanded(lines, pools, members, q)
    points, text, absorbed, capped = _section_total(section, expanded, section_deductions, bonus, q)
    # A pool's line repeats its members' reasons: the section names the members themselves.
    reason = pending_summary([i for i in expanded if i.kind != "pool"])
    return SectionResult(section.code, section.name, section.max, points, tuple(expanded),
                         text, absorbed, "pending" if reason else "scored", reason, capped), bonus


def _expanded(lines: list[ItemResult | str], pools: Mapping[str, Pool], members: Mapping[str, list[ItemResult]],
              q: Decimal) -> list[ItemResult]:
    """A section's lines with each pool's line scored and followed by its members."""
    expanded: list[ItemResult] = []
    for line in lines:
        if isinstance(line, str):
            expanded.append(_score_pool(pools[line], members[line], q))
            expanded.extend(members[line])
        else:
            expanded.append(line)
    return expanded


def _section_total(section: Section, expanded: list[ItemResult], section_deductions: list[ItemResult],
                   bonus: Decimal, q: Decimal) -> tuple[Decimal, str, Decimal, Decimal]:
    """A section's points and how they add up: its lines less the section-wide deductions (floored at zero), plus
    its bonus, capped; (points, explanation, absorbed by the floor, taken by the cap)."""
    subtotal = sum((i.points for i in expanded if i.points is not None), ZERO)
    taken = sum((d.deducted for d in section_deductions if d.deducted is not None), ZERO)
    value, absorbed = floor_at(subtotal - taken, ZERO)
    text = f"{shown(subtotal)}" + "".join(f" − {shown(d.deducted)}" for d in section_deductions if d.deducted)
    if absorbed:
        text += say.floored(ZERO, absorbed)
    bonus = round_points(bonus, q)
    if bonus:
        text += say.plus_bonus(bonus)
    points = value + bonus
    text = f"{text} = {shown(points)}"
    capped = ZERO
    if section.cap is not None and points > section.cap:
        capped = points - section.cap
        text += say.capped(section.cap, capped)
        points = section.cap
    return points, text, absorbed, capped


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
    text = " + ".join(shown(s.points) for s in sections) + f" = {shown(total)}"
    capped = ZERO
    cap = ruleset.scoring.total_cap
    if cap is not None and total > cap:
        capped = total - cap
        text += say.capped(cap, capped)
        total = cap
    unit_class = ruleset.class_of(unit)
    full_marks = ruleset.full_marks(unit_class)
    verdict = grade_of(total, full_marks, facts.counts, ruleset.grades, ruleset.vetoes)
    return UnitScore(unit, ruleset.unit(unit).name, total, bonus_total, tuple(sections), unit_class=unit_class,
                     full_marks=full_marks, grade=verdict.grade, vetoed_by=verdict.vetoed_by,
                     explanation=text, capped=capped)


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


def _places(ruleset: Ruleset, members: list[str], facts: Mapping[str, UnitFacts]) -> dict[str, dict[str, RankPlace]]:
    """unit → item code → the unit's place among ``members`` (the units of one class), for every item whose kind
    scores by comparing units."""
    out: dict[str, dict[str, RankPlace]] = {u: {} for u in members}
    for raw in ruleset.items:
        kind = kind_of(raw)
        places = kind.places(ruleset, raw, members, facts) if kind is not None else None
        for u, place in (places or {}).items():
            out[u][raw.code] = place
    return out


#: What ``score_city`` may reuse: unit → (the inputs of its ``score_unit``, the sheet they gave).
UnitSheets = dict[str, tuple[tuple[UnitFacts, int, dict[str, RankPlace]], UnitScore]]


def score_city(ruleset: Ruleset, facts: Mapping[str, UnitFacts], sheets: UnitSheets | None = None) -> list[UnitScore]:
    """Every unit of the ruleset, scored and ranked within its class (Vmax is the largest V in the class).

    ``sheets``, kept by the caller for this ruleset between calls, lets a unit whose facts, Vmax and places
    are equal to last time keep its sheet rather than be scored again (a recording changes one unit); it is
    updated in place. The facts passed in must not be changed afterwards.
    """
    scores = []
    for unit_class in dict.fromkeys(ruleset.class_of(u.code) for u in ruleset.units):
        members = [u.code for u in ruleset.units if ruleset.class_of(u.code) == unit_class]
        vmax = max((facts[u].volume for u in members if u in facts), default=0)
        places = _places(ruleset, members, facts)
        for u in members:
            inputs = (facts.get(u, UnitFacts()), vmax, places[u])
            kept = sheets.get(u) if sheets is not None else None
            if kept is not None and kept[0] == inputs:
                scores.append(kept[1])
                continue
            sheet = score_unit(ruleset, u, *inputs)
            if sheets is not None:
                sheets[u] = (inputs, sheet)
            scores.append(sheet)
    return rank(scores)
