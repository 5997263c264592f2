"""Scoring explains its arithmetic in Chinese: the numbers as computed, the words for staff and units.

Each expected line is written out by hand, with the arithmetic in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.rulesets.loading import builtin_text, parse_ruleset
from projections.scores import RateCounts, UnitFacts, score_unit

D = Decimal


@pytest.fixture(scope="module")
def taian():
    return parse_ruleset(builtin_text(), "built-in:taian")


def sheet(ruleset, vmax: int = 0, **facts):
    """taishan's sheet from the given facts (UnitFacts keyword arguments)."""
    return score_unit(ruleset, "taishan", UnitFacts(**facts), vmax=vmax)


def section(score, code: str):
    return next(s for s in score.sections if s.code == code)


class TestDeductions:
    def test_a_deduction_below_zero_shows_the_typographic_minus_and_what_the_floor_absorbed(self, taian):
        line = sheet(taian, counts={"2.1": 35}).item("2.1")
        # 3.00 − 35 × 0.10 = −0.50: floored at 0.00, 0.50 not deducted
        assert line.explanation == "3.00 − 35 × 0.10 = −0.50 → 扣完为止，计 0.00（超出的 0.50 不再扣）"
        assert (line.points, line.absorbed) == (D("0.00"), D("0.50"))

    def test_a_pool_member_says_which_pool_it_is_deducted_from(self, taian):
        s = sheet(taian, counts={"2.2.1": 3})
        # 3 × 0.10 = 0.30 out of pool 2.2: 7.00 − 0.30 = 6.70
        assert s.item("2.2.1").explanation == "3 × 0.10 = 0.30，从 2.2 中扣除"
        assert s.item("2.2").explanation == "7.00 − 0.30 = 6.70"

    def test_an_emptied_pool_reports_the_surplus_it_did_not_deduct(self, taian):
        pool = sheet(taian, counts={"2.2.2": 8}).item("2.2")
        # 7.00 − 8 × 1.00 = 7.00 − 8.00 = −1.00 → 0.00, 1.00 absorbed
        assert pool.explanation == "7.00 − 8.00 = −1.00 → 扣完为止，计 0.00（超出的 1.00 不再扣）"

    def test_a_section_deduction_that_empties_the_section_says_so(self, taian):
        sec = section(sheet(taian, counts={"2.4": 200}), "2")
        # 200 × 0.50 = 100.00 taken from section 2, which cannot go below 0.00
        assert "− 100.00" in sec.explanation
        assert sec.explanation.endswith("不再扣） = 0.00")
        assert "→ 扣完为止，计 0.00（超出的" in sec.explanation


class TestAssessments:
    def test_an_item_not_assessed_is_pending_and_counts_as_zero(self, taian):
        line = sheet(taian).item("1.1.1")
        assert line.explanation == "未评估：待定（按 0.00 计）"
        assert (line.status, line.reason, line.points) == ("pending", "尚未评估", D("0.00"))

    def test_an_assessed_item_shows_its_points_out_of_its_maximum(self, taian):
        line = sheet(taian, assessments={"1.1.1": D("0.5")}).item("1.1.1")
        assert line.explanation == "评定 0.50（满分 0.50）"


class TestRates:
    def test_a_rate_below_its_threshold_loses_points_per_point_below(self, taian):
        line = sheet(taian, rates={"satisfaction": RateCounts(620, 700)}).item("2.3.2")
        # 620 / 700 = 88.5714…%; 90 − 88.5714 = 1.4286 points below; 20 − 1.4286 × 0.20 = 19.7143 → 19.71
        assert line.explanation == "620/700 = 88.57% < 90%：20.00 − 1.4286 × 0.20 = 19.71"
        assert line.points == D("19.71")

    def test_a_rate_at_or_above_its_threshold_scores_full(self, taian):
        line = sheet(taian, rates={"satisfaction": RateCounts(700, 700)}).item("2.3.2")
        assert line.explanation == "700/700 = 100.00% ≥ 90%：满分 20.00"

    def test_a_rate_without_orders_is_pending_and_names_the_rate_in_chinese(self, taian):
        line = sheet(taian).item("2.3.2")
        assert line.reason == "无计入群众满意率的工单"
        assert line.explanation == "无计入群众满意率的工单：待定（按 0.00 计）"
        assert (line.status, line.points) == ("pending", D("0.00"))


class TestVolumeAndBonus:
    def test_no_work_orders_in_the_city_leave_the_volume_item_pending(self, taian):
        line = sheet(taian, vmax=0).item("2.3.1")
        assert line.explanation == "Vmax = 0，暂无法计算：待定（按 0.00 计）"
        assert (line.status, line.points) == ("pending", D("0.00"))

    def test_a_praise_is_added_to_section_5_as_a_bonus(self, taian):
        s = sheet(taian, counts={"5.1": 1})
        # 5.1: + 1 × 1.00 = 1.00; section 5: 4.00 (5.2 untouched) + 1.00 = 5.00
        assert s.item("5.1").explanation == "+ 1 × 1.00 = 1.00"
        assert section(s, "5").explanation == "4.00 + 加分 1.00 = 5.00"
