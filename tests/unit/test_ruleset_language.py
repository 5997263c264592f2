"""The extended ruleset language (issue 8) on small synthetic rulesets: caps and floors, unit
classes, bonus caps, grades and vetoes, dispute deadlines, and the errors a bad file gets.

Scores come from ``score_city`` on hand-made facts; every expectation is worked out in a comment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.dispute_window import check_filing, filing_deadline
from ledger.domain.errors import RulesetInvalid, RuleViolation
from ledger.rulesets.loading import builtin_text, parse_ruleset
from ledger.rulesets.schema import Ruleset
from projections.scores import UnitFacts, UnitScore, score_city

TWO_UNITS = """
[[units]]
code = "a"
name = "甲区"

[[units]]
code = "b"
name = "乙区"
"""


def ruleset(body: str, units: str = TWO_UNITS) -> Ruleset:
    return parse_ruleset(f'id = "tiny"\nname = "小城细则"\n{units}\n{body}', "tiny.toml")


def problems(body: str, units: str = TWO_UNITS) -> list[str]:
    with pytest.raises(RulesetInvalid) as caught:
        ruleset(body, units)
    return caught.value.problems


def scored(r: Ruleset, facts: dict[str, UnitFacts]) -> dict[str, UnitScore]:
    return {s.unit: s for s in score_city(r, facts)}


DEDUCTIONS = """
[[sections]]
code = "1"
name = "办理质量"
max = 20

[[pools]]
code = "1.2"
name = "答复质量"
section = "1"
max = 10

[[items]]
code = "1.1"
name = "退单不规范"
section = "1"
kind = "per_occurrence"
max = 10
amount = 1
cap = 3

[[items]]
code = "1.2.1"
name = "答复笼统"
section = "1"
kind = "per_occurrence"
pool = "1.2"
amount = 1
cap = 3

[[items]]
code = "1.2.2"
name = "未告知延时"
section = "1"
kind = "per_occurrence"
pool = "1.2"
amount = 1
"""


class TestCapsAndFloors:
    def test_a_capped_item_deducts_at_most_its_cap(self) -> None:
        r = ruleset(DEDUCTIONS)
        sheet = scored(r, {"a": UnitFacts(counts={"1.1": 5})})["a"]
        # 5 × 1.00 = 5.00 deducted, but the cap is 3: 10.00 − 3.00 = 7.00
        assert sheet.item("1.1").points == Decimal("7.00")
        assert "最多扣 3.00" in sheet.item("1.1").explanation

    def test_a_capped_pool_member_takes_at_most_its_cap_from_the_pool(self) -> None:
        r = ruleset(DEDUCTIONS)
        sheet = scored(r, {"a": UnitFacts(counts={"1.2.1": 5, "1.2.2": 2})})["a"]
        # 1.2.1: min(5 × 1, 3) = 3.00; 1.2.2: 2 × 1 = 2.00 (no cap); pool 10 − 3 − 2 = 5.00
        assert sheet.item("1.2.1").deducted == Decimal("3.00")
        assert sheet.item("1.2.2").deducted == Decimal("2.00")
        assert sheet.item("1.2").points == Decimal("5.00")

    def test_an_item_never_falls_below_a_floor_above_zero(self) -> None:
        r = ruleset(DEDUCTIONS.replace("amount = 1\ncap = 3\n\n[[items]]\ncode = \"1.2.1\"",
                                       "amount = 1\nmin_points = 5\n\n[[items]]\ncode = \"1.2.1\"", 1))
        sheet = scored(r, {"a": UnitFacts(counts={"1.1": 8})})["a"]
        # 10.00 − 8 × 1.00 = 2.00, held at the floor of 5.00: 3.00 absorbed
        assert sheet.item("1.1").points == Decimal("5.00")
        assert sheet.item("1.1").absorbed == Decimal("3.00")

    def test_without_a_cap_or_floor_deductions_run_down_to_zero_as_before(self) -> None:
        r = ruleset(DEDUCTIONS.replace("cap = 3\n", ""))
        sheet = scored(r, {"a": UnitFacts(counts={"1.1": 12})})["a"]
        # 10.00 − 12 × 1.00 = −2.00, floored at 0 (扣完为止)
        assert sheet.item("1.1").points == Decimal("0.00")

    def test_a_floor_above_the_maximum_is_refused(self) -> None:
        found = problems(DEDUCTIONS.replace("cap = 3\n", "min_points = 12\n", 1))
        assert found == ["items[0](1.1).min_points: 12 is above max 10"]

    def test_a_cap_on_an_item_that_deducts_nothing_is_refused(self) -> None:
        body = DEDUCTIONS + '[[items]]\ncode = "1.9"\nname = "表扬"\nsection = "1"\n'
        body += 'kind = "bonus"\namount = 1\ncap = 2\n'
        assert problems(body) == ["items[3](1.9).cap: cap limits deductions, and a bonus item deducts nothing"]


CLASSES = """
[[classes]]
code = "county"
name = "县"
full_marks = 30

[[classes]]
code = "district"
name = "区"
full_marks = 20
overrides = { "1.2" = { base = 0.5, weight = 0.5 } }

[[sections]]
code = "1"
name = "共同部分"
max = 20

[[sections]]
code = "2"
name = "县级部分"
max = 10
classes = ["county"]

[[items]]
code = "1.1"
name = "工作保障"
section = "1"
kind = "assessment"
max = 10

[[items]]
code = "1.2"
name = "承办量"
section = "1"
kind = "formula_volume"
max = 10

[[items]]
code = "2.1"
name = "县级热线建设"
section = "2"
kind = "assessment"
max = 10
"""

CLASS_UNITS = """
[[units]]
code = "c1"
name = "一县"
class = "county"

[[units]]
code = "c2"
name = "二县"
class = "county"

[[units]]
code = "d1"
name = "一区"
class = "district"

[[units]]
code = "d2"
name = "二区"
class = "district"
overrides = { "1.2" = { weight = 0.3 } }
"""


class TestUnitClasses:
    @pytest.fixture
    def sheets(self) -> dict[str, UnitScore]:
        r = ruleset(CLASSES, CLASS_UNITS)
        return scored(r, {
            "c1": UnitFacts(assessments={"1.1": Decimal(5), "2.1": Decimal(10)}, volume=100),
            "c2": UnitFacts(assessments={"1.1": Decimal(10), "2.1": Decimal(0)}, volume=50),
            "d1": UnitFacts(assessments={"1.1": Decimal(9)}, volume=20),
            "d2": UnitFacts(assessments={"1.1": Decimal(10)}, volume=10),
        })

    def test_each_class_has_its_own_full_marks_and_sections(self, sheets: dict[str, UnitScore]) -> None:
        assert sheets["c1"].full_marks == 30 and sheets["d1"].full_marks == 20  # 20 + 10 and 20
        assert [s.code for s in sheets["c1"].sections] == ["1", "2"]
        assert [s.code for s in sheets["d1"].sections] == ["1"]

    def test_vmax_is_the_largest_volume_within_the_class(self, sheets: dict[str, UnitScore]) -> None:
        # county Vmax = 100: c2 (0.6 + 0.4 × 50 / 100) × 10 = 8.00
        assert sheets["c2"].item("1.2").points == Decimal("8.00")
        # district Vmax = 20 (not the city's 100), class override base 0.5 weight 0.5: d1 (0.5 + 0.5 × 20/20) × 10
        assert sheets["d1"].item("1.2").points == Decimal("10.00")

    def test_a_units_own_override_wins_over_its_classs(self, sheets: dict[str, UnitScore]) -> None:
        # d2: base 0.5 from the class, weight 0.3 from the unit: (0.5 + 0.3 × 10 / 20) × 10 = 6.50
        assert sheets["d2"].item("1.2").points == Decimal("6.50")

    def test_each_class_is_ranked_on_its_own(self, sheets: dict[str, UnitScore]) -> None:
        # c1 5 + 10 + 10 = 25, c2 10 + 8 + 0 = 18; d1 9 + 10 = 19, d2 10 + 6.5 = 16.5
        assert (sheets["c1"].total, sheets["c2"].total) == (Decimal("25.00"), Decimal("18.00"))
        assert (sheets["d1"].total, sheets["d2"].total) == (Decimal("19.00"), Decimal("16.50"))
        assert [sheets[u].rank for u in ("c1", "c2", "d1", "d2")] == [1, 2, 1, 2]
        assert sheets["d1"].unit_class == "district"

    def test_full_marks_that_do_not_match_the_sections_are_refused(self) -> None:
        found = problems(CLASSES.replace("full_marks = 30", "full_marks = 150"), CLASS_UNITS)
        assert found == ["classes[0](county).full_marks: 150, but the sections of the class add up to 30"]

    def test_a_unit_without_a_class_is_refused_once_classes_are_declared(self) -> None:
        found = problems(CLASSES, CLASS_UNITS.replace('class = "county"\n', "", 1))
        assert found == ["units[0](c1).class: missing (one of county, district)"]

    def test_an_unknown_class_is_refused_wherever_it_is_named(self) -> None:
        found = problems(CLASSES.replace('classes = ["county"]', 'classes = ["town"]'),
                         CLASS_UNITS.replace('class = "district"', 'class = "zone"', 1))
        assert "units[2](d1).class: unknown class 'zone' (known: county, district)" in found
        assert "sections[1](2).classes: unknown class(es) town" in found


BONUS = """
[scoring]
bonus_cap = 3

[[sections]]
code = "1"
name = "加分一"
max = 5
bonus_cap = 2

[[sections]]
code = "2"
name = "加分二"
max = 5

[[items]]
code = "1.1"
name = "市领导表扬"
section = "1"
kind = "bonus"
amount = 1

[[items]]
code = "1.2"
name = "媒体表扬"
section = "1"
kind = "bonus"
amount = 1

[[items]]
code = "2.1"
name = "省级表扬"
section = "2"
kind = "bonus"
amount = 1
"""


class TestBonusCaps:
    def test_a_sections_bonus_cap_holds_across_its_bonus_items(self) -> None:
        sheet = scored(ruleset(BONUS), {"a": UnitFacts(counts={"1.1": 1, "1.2": 2})})["a"]
        # 1.1 adds 1 of the section's 2; 1.2 would add 2 but only 1 is left
        assert (sheet.item("1.1").bonus, sheet.item("1.2").bonus) == (Decimal("1.00"), Decimal("1.00"))
        assert sheet.bonus == Decimal("2.00")

    def test_the_total_bonus_cap_holds_across_sections(self) -> None:
        sheet = scored(ruleset(BONUS), {"a": UnitFacts(counts={"1.1": 5, "2.1": 4})})["a"]
        # section 1: min(5, 2) = 2; section 2: min(4, 3 − 2) = 1; total bonus 3 = the cap
        assert sheet.item("1.1").bonus == Decimal("2.00")
        assert sheet.item("2.1").bonus == Decimal("1.00")
        assert sheet.total == Decimal("3.00")


GRADES = """
[[sections]]
code = "1"
name = "综合"
max = 100

[[items]]
code = "1.1"
name = "综合评定"
section = "1"
kind = "assessment"
max = 100

[[items]]
code = "1.2"
name = "失泄密"
section = "1"
kind = "per_occurrence"
pool = "1"
amount = 3

[[grades]]
name = "优秀"
min_points = 90

[[grades]]
name = "良好"
min_percent = 80

[[grades]]
name = "合格"
min_points = 60

[[grades]]
name = "不合格"
min_points = 0

[[vetoes]]
item = "1.2"
grade = "不合格"
"""


class TestGradesAndVetoes:
    def test_a_unit_takes_the_highest_band_its_total_reaches(self) -> None:
        sheets = scored(ruleset(GRADES), {"a": UnitFacts(assessments={"1.1": Decimal("89.99")}),
                                          "b": UnitFacts(assessments={"1.1": Decimal(90)})})
        # 89.99 < 90 but ≥ 80 % of 100 = 80: 良好; 90.00 reaches 优秀
        assert (sheets["a"].grade, sheets["b"].grade) == ("良好", "优秀")

    def test_one_occurrence_of_a_veto_item_forces_its_grade_whatever_the_points(self) -> None:
        sheet = scored(ruleset(GRADES), {"a": UnitFacts(assessments={"1.1": Decimal(100)}, counts={"1.2": 1})})["a"]
        # 100 − 3 = 97 points would be 优秀, but one 失泄密 forces 不合格
        assert sheet.total == Decimal("97.00")
        assert (sheet.grade, sheet.vetoed_by) == ("不合格", "1.2")

    def test_a_veto_naming_an_unknown_grade_is_refused(self) -> None:
        assert problems(GRADES.replace('grade = "不合格"', 'grade = "差"')) == [
            "vetoes[0](1.2).grade: unknown grade '差' (grades: 优秀, 良好, 合格, 不合格)"]

    def test_a_band_needs_exactly_one_threshold(self) -> None:
        found = problems(GRADES.replace('min_percent = 80', 'min_percent = 80\nmin_points = 80'))
        assert found == ["grades[1]: give exactly one of min_points or min_percent"]

    def test_without_grades_no_grade_is_given(self) -> None:
        r = parse_ruleset(builtin_text(), "taian")
        assert {s.grade for s in score_city(r, {})} == {None}


class TestDisputeDeadline:
    CALENDAR = WorkingCalendar({}, [])

    def test_the_deadline_counts_working_days_after_the_evaluation(self) -> None:
        # 2025-09-30 (Tue); 1–8 Oct are holidays; 9 Oct (1), 10 Oct (2), Sat 11 Oct is a working day (3),
        # 13 Oct (4), 14 Oct (5)
        assert filing_deadline(self.CALENDAR, date(2025, 9, 30), 5) == date(2025, 10, 14)

    def test_a_dispute_filed_on_the_last_day_is_in_time_and_one_day_later_is_refused(self) -> None:
        r = ruleset(GRADES + "\n[disputes]\nworking_days = 5\n")
        # Mon 3 March + 5 working days = Mon 10 March
        check_filing(r, self.CALENDAR, date(2025, 3, 3), date(2025, 3, 10), "occurrence X")
        with pytest.raises(RuleViolation, match="within 5 working days, by 2025-03-10"):
            check_filing(r, self.CALENDAR, date(2025, 3, 3), date(2025, 3, 11), "occurrence X")

    def test_without_a_deadline_any_filing_date_is_accepted(self) -> None:
        check_filing(ruleset(GRADES), self.CALENDAR, date(2025, 3, 3), date(2026, 3, 3), "occurrence X")


class TestTaianStaysAsItWas:
    def test_the_taian_ruleset_parses_with_every_new_key_at_its_default(self) -> None:
        r = parse_ruleset(builtin_text(), "taian")
        assert (r.classes, r.grades, r.vetoes, r.disputes.working_days) == ((), (), (), None)
        assert [x.code for x in r.rates] == ["satisfaction", "reply", "ontime"]  # declared as data (issue 15)
        assert r.full_marks("") == 100  # 5 + 55 + 32 + 4 + 4
        assert all(i.cap is None and i.classes == () for i in r.items)

    def test_all_taian_units_are_one_class_ranked_together(self) -> None:
        r = parse_ruleset(builtin_text(), "taian")
        facts = {"taishan": UnitFacts(assessments={"1.3": Decimal(1)})}
        ranks = {s.unit: s.rank for s in score_city(r, facts)}
        assert ranks["taishan"] == 1 and set(ranks.values()) == {1, 2}  # the seven others tie at rank 2
