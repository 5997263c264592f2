"""What a line of the sheet carries beyond its points (issue 15's mutation run, docs/mutation.md).

A pool's line carries its max (``score --format json`` prints it beside the points); a rate item held at its floor
shows the arithmetic down to the points it would have had, then the floor; a rank item ranks the units of the
classes it applies to, and scored on its own, with no place, is pending. Figures worked out by hand.
"""

from __future__ import annotations

from decimal import Decimal

from projections.explanations import rate_names
from projections.item_points import score_own
from projections.scores import RateCounts, UnitFacts
from tests.unit.test_scoring_core_mutants import POOL, RANK_BY_VOLUME, RATE, ruleset, scored

D = Decimal


def test_a_pool_line_carries_its_max_beside_its_points() -> None:
    pool = scored(ruleset(POOL), {"a": UnitFacts(counts={"1.1.1": 3})})["a"].item("1.1")
    # 10 − 3 × 1 = 7.00 of the pool's 10
    assert (pool.kind, pool.max, pool.points) == ("pool", D(10), D("7.00"))


def test_a_rate_item_held_at_its_floor_shows_the_points_below_it() -> None:
    facts = {"a": UnitFacts(rates={"satisfaction": RateCounts(50, 100)})}
    line = scored(ruleset(RATE + "min_points = 15\n"), facts)["a"].item("1.1")
    # 50 % is 40 points below 90 %: 20 − 40 × 0.2 = 12.00, below the floor of 15: 15.00, 3.00 absorbed
    assert (line.points, line.absorbed) == (D("15.00"), D("3.00"))
    assert line.explanation == "50/100 = 50.00% < 90%：20.00 − 40 × 0.20 = 12.00 → 保底 15.00（超出的 3.00 不再扣）"


RANKED_IN_ONE_CLASS = """
[[classes]]
code = "big"
name = "大单位"

[[classes]]
code = "small"
name = "小单位"

[[units]]
code = "a"
name = "甲区"
class = "big"

[[units]]
code = "b"
name = "乙区"
class = "big"

[[units]]
code = "c"
name = "丙区"
class = "small"
"""


def test_a_rank_item_of_one_class_ranks_its_units_and_leaves_the_other_class_alone() -> None:
    body = RANK_BY_VOLUME.replace('kind = "rank"', 'kind = "rank"\nclasses = ["big"]')
    sheets = scored(ruleset(body, RANKED_IN_ONE_CLASS), {"a": UnitFacts(volume=5), "b": UnitFacts(volume=9),
                                                        "c": UnitFacts(volume=1)})
    # big: b 9 ranks 1 (10.00), a 5 ranks 2 (10 − 1 = 9.00); small has no unit the item applies to
    assert [(u, sheets[u].item("1.1").rank, sheets[u].item("1.1").points) for u in "ab"] == [
        ("a", 2, D("9.00")), ("b", 1, D("10.00"))]
    assert [line.code for s in sheets["c"].sections for line in s.items] == []


def test_a_rank_item_scored_without_a_place_is_pending_at_zero() -> None:
    r = ruleset(RANK_BY_VOLUME)
    line = score_own(r.item("1.1"), UnitFacts(volume=5), 5, D("0.01"), names=rate_names(r))
    assert (line.status, line.points, line.rank, line.reason) == ("pending", D("0.00"), None, "无承办量数值，无法排名")


def test_a_section_whose_deductions_exceed_its_points_shows_its_floor_of_zero() -> None:
    body = """
[[sections]]
code = "1"
name = "办理质量"
max = 2

[[items]]
code = "1.1"
name = "检查"
section = "1"
kind = "assessment"
max = 2

[[items]]
code = "1.2"
name = "通报"
section = "1"
pool = "1"
kind = "per_occurrence"
amount = 1
"""
    sheet = scored(ruleset(body), {"a": UnitFacts(assessments={"1.1": D(2)}, counts={"1.2": 3})})["a"]
    section = sheet.sections[0]
    # 2.00 − 3 × 1 = −1.00: the section is held at 0 (扣完为止), the 1.00 beyond it absorbed
    assert (section.points, section.absorbed) == (D(0), D("1.00"))
    assert section.explanation == "2.00 − 3.00 → 扣完为止，计 0.00（超出的 1.00 不再扣） = 0.00"


def test_a_per_block_line_counts_the_full_blocks_and_shows_them() -> None:
    body = """
[[sections]]
code = "1"
name = "工单质量"
max = 5

[[items]]
code = "1.1"
name = "退单"
section = "1"
kind = "per_block"
amount = 0.5
block = 20
max = 5
"""
    sheets = scored(ruleset(body), {"a": UnitFacts(counts={"1.1": 45})})
    # a: ⌊45 / 20⌋ = 2 full blocks × 0.5 = 1.00: 4.00; b recorded none: ⌊0 / 20⌋ = 0: 5.00
    a, b = sheets["a"].item("1.1"), sheets["b"].item("1.1")
    assert (a.points, a.count, a.explanation) == (D("4.00"), 45, "5.00 − ⌊45 / 20⌋ × 0.50 = 4.00")
    assert (a.code, a.name, a.kind, a.max) == ("1.1", "退单", "per_block", D(5))
    assert (b.points, b.count, b.explanation) == (D("5.00"), 0, "5.00 − ⌊0 / 20⌋ × 0.50 = 5.00")
