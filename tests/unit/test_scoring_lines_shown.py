"""What a line of the sheet carries beyond its points (issue 15's mutation run, docs/mutation.md).

A pool's line carries its max (``score --format json`` prints it beside the points); a rate item held at its floor
shows the arithmetic down to the points it would have had, then the floor. Figures worked out by hand.
"""

from __future__ import annotations

from decimal import Decimal

from projections.scores import RateCounts, UnitFacts
from tests.unit.test_scoring_core_mutants import POOL, RATE, ruleset, scored

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
