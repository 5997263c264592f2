"""Scoring the directly recorded items of RUBRIC.md: a pure fold from facts to points (no store).

Each expected figure is worked out by hand from RUBRIC.md in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.rulesets.loading import builtin_text, parse_ruleset
from projections.scores import RateCounts, UnitFacts, score_city, score_unit

D = Decimal


@pytest.fixture(scope="module")
def taian():
    return parse_ruleset(builtin_text(), "built-in:taian")


def sheet(ruleset, **counts: int):
    """taishan's sheet with the given occurrence counts (item codes written 2_2_1 → 2.2.1)."""
    facts = UnitFacts(counts={code.replace("_", "."): n for code, n in counts.items()})
    return score_unit(ruleset, "taishan", facts, vmax=0)


def section(score, code: str):
    return next(s for s in score.sections if s.code == code)


class TestOccurrences:
    def test_three_deductions_of_0_10_take_exactly_0_30(self, taian):
        s = sheet(taian, **{"2_1": 3})
        # 2.1: 3.00 − 3 × 0.10 = 2.70, exactly (no binary float residue)
        assert s.item("2.1").points == D("2.70")

    def test_35_knowledge_base_lags_floor_2_1_at_zero_and_report_the_surplus_absorbed(self, taian):
        s = sheet(taian, **{"2_1": 35})
        # 3.00 − 35 × 0.10 = −0.50 → floored at 0.00, 0.50 absorbed
        assert s.item("2.1").points == D("0.00")
        assert s.item("2.1").absorbed == D("0.50")

    def test_eight_2_2_2_deductions_empty_the_7_point_pool_and_no_more(self, taian):
        s = sheet(taian, **{"2_2_2": 8})
        # pool 2.2: 7.00 − 8 × 1.00 = −1.00 → 0.00, 1.00 absorbed; 2.2.2 deducted 8.00
        assert s.item("2.2").points == D("0.00")
        assert s.item("2.2").absorbed == D("1.00")
        assert s.item("2.2.2").deducted == D("8.00")
        # the other items of section 2 keep their points: 2.1 full 3.00, nothing else recorded
        assert s.item("2.1").points == D("3.00")

    def test_the_members_of_a_pool_add_up_against_its_shared_maximum(self, taian):
        s = sheet(taian, **{"2_2_1": 3, "2_2_2": 2, "2_2_3": 1})
        # 7.00 − (3 × 0.10 + 2 × 1.00 + 1 × 0.50) = 7.00 − 2.80 = 4.20
        assert s.item("2.2").points == D("4.20")

    def test_2_4_and_2_5_come_out_of_section_2_as_a_whole(self, taian):
        without = section(sheet(taian), "2").points
        with_them = section(sheet(taian, **{"2_4": 2, "2_5": 1}), "2").points
        # (2 + 1) × 0.50 = 1.50 off section 2; no item of section 2 changes
        assert without - with_them == D("1.50")
        assert sheet(taian, **{"2_4": 2}).item("2.4").deducted == D("1.00")

    def test_section_2_floors_at_zero_when_2_4_takes_more_than_it_has(self, taian):
        s = sheet(taian, **{"2_4": 200})
        # 200 × 0.50 = 100.00 > everything section 2 holds: it floors at 0.00
        assert section(s, "2").points == D("0.00")
        assert section(s, "2").absorbed > 0

    def test_per_block_3_2_1_1_deducts_per_full_20_orders_first_supervised(self, taian):
        # ⌊45 / 20⌋ × 0.10 = 2 × 0.10 = 0.20 off pool 3.2: 30.00 − 0.20 = 29.80
        s = sheet(taian, **{"3_2_1_1": 45})
        assert s.item("3.2.1.1").deducted == D("0.20")
        assert s.item("3.2").points == D("29.80")
        # ⌊19 / 20⌋ = 0 blocks: nothing deducted
        assert sheet(taian, **{"3_2_1_1": 19}).item("3.2.1.1").deducted == D("0.00")

    def test_4_1_floors_at_zero_after_four_media_cases(self, taian):
        # 4.00 − 5 × 1.00 = −1.00 → 0.00, 1.00 absorbed
        s = sheet(taian, **{"4_1": 5})
        assert s.item("4.1").points == D("0.00")
        assert s.item("4.1").absorbed == D("1.00")


class TestBonus:
    def test_a_praise_adds_1_above_section_5s_4_points(self, taian):
        s = sheet(taian, **{"5_1": 1})
        # section 5: 5.2 full 4.00 + bonus 1 × 1.00 = 5.00, above its max of 4.00
        assert section(s, "5").points == D("5.00")
        assert section(s, "5").max == D("4.00")
        assert s.bonus == D("1.00")
        assert s.base == s.total - D("1.00")

    def test_the_total_may_exceed_100(self, taian):
        assessed = {i.code: i.max for i in taian.items if i.kind == "assessment"}
        facts = UnitFacts(counts={"5.1": 2}, assessments=assessed)
        facts.rates = {r: RateCounts(1, 1) for r in ("satisfaction", "reply", "ontime")}
        facts.volume = 10
        s = score_unit(taian, "taishan", facts, vmax=10)
        # everything full: 100.00 base + 2 × 1.00 bonus = 102.00
        assert s.total == D("102.00")
        assert s.base == D("100.00")


class TestAssessments:
    def test_an_unassessed_item_is_pending_and_counts_as_zero(self, taian):
        line = sheet(taian).item("1.1.1")
        assert line.status == "pending"
        assert line.points == D("0.00")

    def test_an_assessment_scores_its_awarded_points(self, taian):
        facts = UnitFacts(assessments={"1.2.1": D("0.8")})
        line = score_unit(taian, "taishan", facts, vmax=0).item("1.2.1")
        # awarded 0.8 of 1 → 0.80, scored
        assert (line.points, line.status) == (D("0.80"), "scored")

    def test_an_item_score_is_rounded_once_half_up_to_0_01(self, taian):
        facts = UnitFacts(assessments={"1.2.1": D("0.125"), "1.2.2": D("0.124")})
        s = score_unit(taian, "taishan", facts, vmax=0)
        # 0.125 → 0.13 (half up, not banker's 0.12); 0.124 → 0.12
        assert s.item("1.2.1").points == D("0.13")
        assert s.item("1.2.2").points == D("0.12")
        # section 1 is the sum of its rounded items: 0.13 + 0.12 = 0.25 (others pending at 0)
        assert section(s, "1").points == D("0.25")


class TestRanks:
    def test_equal_totals_share_a_rank_and_the_next_rank_skips(self, taian):
        # taishan and daiyue lose 0.10 each, xintai 0.20; the five others lose nothing
        facts = {"taishan": UnitFacts(counts={"2.1": 1}), "daiyue": UnitFacts(counts={"2.1": 1}),
                 "xintai": UnitFacts(counts={"2.1": 2})}
        ranks = {s.unit: s.rank for s in score_city(taian, facts)}
        # five untouched units share rank 1; the two at −0.10 share 6; xintai is 8th
        assert [ranks[u] for u in ("feicheng", "ningyang", "dongping", "gaoxin", "jingqu")] == [1] * 5
        assert ranks["taishan"] == ranks["daiyue"] == 6
        assert ranks["xintai"] == 8

    def test_three_units_rank_1_1_3(self, taian):
        # everyone loses 0.20 except taishan and daiyue (0.10): they share 1, the next is 3
        worse = {u.code: UnitFacts(counts={"2.1": 2}) for u in taian.units}
        worse["taishan"] = UnitFacts(counts={"2.1": 1})
        worse["daiyue"] = UnitFacts(counts={"2.1": 1})
        ranks = {s.unit: s.rank for s in score_city(taian, worse)}
        assert (ranks["taishan"], ranks["daiyue"], ranks["xintai"]) == (1, 1, 3)
