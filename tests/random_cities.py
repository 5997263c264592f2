"""Random rulesets and random facts for the scoring properties (tests/unit/test_scoring_properties.py).

``cities()`` draws a valid ruleset of 1–3 sections (optional caps, optional pools with floors) with items of every
kind scored from facts (per occurrence, per block, assessment, bonus, rate, rank: floors, caps and amounts of up
to three decimals), optional total and bonus caps, and random facts for four units.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ledger.rulesets.loading import parse_ruleset
from ledger.rulesets.schema import Ruleset
from projections.scores import RateCounts, UnitFacts

D = Decimal
UNITS = ("a", "b", "c", "d")
#: Amounts of up to three decimals, so rounding to 0.01 is exercised.
AMOUNTS = st.sampled_from([D("0.1"), D("0.125"), D("0.2"), D("0.333"), D("0.5"), D("1"), D("2.5")])
POINTS = st.integers(0, 40).map(lambda n: D(n) / 2)  # 0, 0.5, … 20


def _optional(draw: Any, values: st.SearchStrategy[Any]) -> Any:
    return draw(st.one_of(st.none(), values))


def _scoring(draw: Any) -> list[str]:
    """The ``[scoring]`` table: an optional total cap and an optional bonus cap (nothing when neither)."""
    scoring = []
    if (cap := _optional(draw, st.integers(20, 120))) is not None:
        scoring.append(f"total_cap = {cap}")
    if (cap := _optional(draw, st.integers(0, 5))) is not None:
        scoring.append(f"bonus_cap = {cap}")
    return ["[scoring]", *scoring] if scoring else []


def _cap(draw: Any, info: dict[str, Any]) -> list[str]:
    """An optional cap on what a deducting item takes."""
    if (cap := _optional(draw, st.integers(0, 6))) is None:
        return []
    info["cap"] = D(cap)
    return [f"cap = {cap}"]


def _counted(draw: Any, info: dict[str, Any], top: Decimal, floor: Decimal, homes: list[str]) -> list[str]:
    """per_occurrence / per_block: an amount (and a block), points of its own or deducted from a pool or the
    section, optionally capped."""
    fields = [f"amount = {draw(AMOUNTS)}"]
    if info["kind"] == "per_block":
        fields.append(f"block = {draw(st.integers(1, 5))}")
    into = draw(st.sampled_from([None, *homes]))
    if into is None:
        fields += [f"max = {top}", f"min_points = {floor}"]
        info.update(max=top, min_points=floor)
    else:
        fields.append(f'pool = "{into}"')
        info["pool"] = into
    return fields + _cap(draw, info)


def _assessed(draw: Any, info: dict[str, Any], top: Decimal, floor: Decimal, homes: list[str]) -> list[str]:
    info["max"] = top
    return [f"max = {top}"]


def _bonus(draw: Any, info: dict[str, Any], top: Decimal, floor: Decimal, homes: list[str]) -> list[str]:
    return [f"amount = {draw(AMOUNTS)}"]


def _rate(draw: Any, info: dict[str, Any], top: Decimal, floor: Decimal, homes: list[str]) -> list[str]:
    info.update(max=top, min_points=floor)
    fields = [f"max = {top}", f"min_points = {floor}", 'rate = "satisfaction"',
              f"threshold = {draw(st.integers(50, 100))}", f"per_point = {draw(AMOUNTS)}",
              f'rate_rounding = "{draw(st.sampled_from(["proportional", "whole_points"]))}"']
    return fields + _cap(draw, info)


def _rank(draw: Any, info: dict[str, Any], top: Decimal, floor: Decimal, homes: list[str]) -> list[str]:
    info.update(max=top, min_points=floor)
    return [f"max = {top}", f"min_points = {floor}", f"step = {draw(AMOUNTS)}",
            f'by = "{draw(st.sampled_from(["satisfaction", "volume"]))}"',
            f'order = "{draw(st.sampled_from(["high_first", "low_first"]))}"']


#: Each kind the rulesets draw, and how its own fields are drawn.
_KIND_FIELDS = {"per_occurrence": _counted, "per_block": _counted, "assessment": _assessed, "bonus": _bonus,
                "rate_threshold": _rate, "rank": _rank}


def _item(draw: Any, code: str, section: str, homes: list[str]) -> tuple[list[str], dict[str, Any]]:
    """One random item of ``section`` (``homes``: where a counted item may deduct), and what a test knows of it."""
    kind = draw(st.sampled_from(list(_KIND_FIELDS)))
    info: dict[str, Any] = {"kind": kind, "section": section}
    top = draw(POINTS)
    floor = draw(st.integers(0, 3).map(lambda k, t=top: min(D(k), t)))
    fields = _KIND_FIELDS[kind](draw, info, top, floor, homes)
    head = [f'code = "{code}"', f'name = "事项{code}"', f'section = "{section}"', f'kind = "{kind}"']
    return ["[[items]]", *head, *fields], info


def _section(draw: Any, s: int, items: dict[str, dict[str, Any]]) -> list[str]:
    """Section ``s`` with an optional cap, an optional pool with a floor, and 1–5 items (added to ``items``)."""
    lines = ["[[sections]]", f'code = "{s}"', f'name = "第{s}部分"', "max = 100"]
    if (cap := _optional(draw, st.integers(5, 60))) is not None:
        lines.append(f"cap = {cap}")
    homes = [str(s)]
    if draw(st.booleans()):
        pool_max = draw(POINTS)
        pool_min = draw(st.integers(0, 4).map(lambda n, top=pool_max: min(D(n), top)))
        homes.append(f"{s}.0")
        lines += ["[[pools]]", f'code = "{s}.0"', 'name = "共用分值"', f'section = "{s}"', f"max = {pool_max}",
                  f"min_points = {pool_min}"]
    for n in range(1, draw(st.integers(1, 5)) + 1):
        item, items[f"{s}.{n}"] = _item(draw, f"{s}.{n}", str(s), homes)
        lines += item
    return lines


@st.composite
def rulesets(draw: Any) -> tuple[Ruleset, dict[str, dict[str, Any]]]:
    """A random valid ruleset, and its items by code with what a test needs to know of them."""
    lines = ['id = "random"', 'name = "随机细则"', *_scoring(draw)]
    for u in UNITS:
        lines += ["[[units]]", f'code = "{u}"', f'name = "单位{u}"']
    items: dict[str, dict[str, Any]] = {}
    for s in range(1, draw(st.integers(1, 3)) + 1):
        lines += _section(draw, s, items)
    return parse_ruleset("\n".join(lines) + "\n", "random.toml"), items


@st.composite
def city_facts(draw: Any, items: dict[str, dict[str, Any]]) -> dict[str, UnitFacts]:
    """Random facts for every unit: counts, assessments (within max), a satisfaction rate and a volume."""
    facts = {}
    for u in UNITS:
        f = UnitFacts(volume=draw(st.integers(0, 3)))
        for code, info in items.items():
            if info["kind"] in ("per_occurrence", "per_block", "bonus"):
                f.counts[code] = draw(st.integers(0, 30))
            elif info["kind"] == "assessment" and draw(st.booleans()):
                f.assessments[code] = draw(st.integers(0, 1000).map(lambda n, m=info["max"]: m * n / 1000))
        denominator = draw(st.integers(0, 8))
        f.rates["satisfaction"] = RateCounts(draw(st.integers(0, denominator)), denominator)
        facts[u] = f
    return facts


@st.composite
def cities(draw: Any) -> tuple[Ruleset, dict[str, dict[str, Any]], dict[str, UnitFacts]]:
    """A random ruleset, its items as ``rulesets`` describes them, and random facts for its units."""
    ruleset, items = draw(rulesets())
    return ruleset, items, draw(city_facts(items))
