"""Tests that kill the mutants of the scoring core (issue 15; docs/mutation.md).

Each test pins one rule that a mutation of ``projections/`` or ``ledger/rulesets/`` once broke without any test
failing: pools and their floors, rounding of pool members, rate items (whole points, caps, floors), monthly
rates from the orders (未评价, screenings, the due month, completion exactly at the due time), volume formulas
at V = 0, ranks and grades. Scores come from the public scoring functions on small rulesets of our own, or from
the application on the in-memory store with an imported export; every figure is worked out by hand in a comment
(RUBRIC.md).
"""

from __future__ import annotations

import csv
import pickle
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from ledger.domain.calendar import CalendarYearUnknown, WorkingCalendar
from ledger.rulesets.expression import EvaluationError, ExpressionError, parse
from ledger.rulesets.loading import builtin_text, parse_ruleset
from ledger.rulesets.schema import Ruleset
from ledger.usecases.imports.workorder_import import import_workorders
from projections import order_tallies
from projections.deadlines import notice_verdicts, parse_period, report_verdicts
from projections.reading import open_reading
from projections.scores import DeadlineOutcome, RateCounts, UnitFacts, UnitScore, score_city
from tests.ruleset_text import TWO_UNITS

D = Decimal
YEAR_END = date(2025, 12, 31)

UNITS = TWO_UNITS


def adopt_tiny(app: Any, body: str) -> None:
    """Adopt the small city's ruleset for 2025: its two units and ``body``."""
    app.adopt_ruleset(2025, f'id = "tiny"\nname = "小城细则"\n{UNITS}\n{body}', "tiny.toml", "tester")


def ruleset(body: str, units: str = UNITS) -> Ruleset:
    return parse_ruleset(f'id = "tiny"\nname = "小城细则"\n{units}\n{body}', "tiny.toml")


def scored(r: Ruleset, facts: dict[str, UnitFacts]) -> dict[str, UnitScore]:
    return {s.unit: s for s in score_city(r, facts)}


def section_of(sheet: UnitScore, code: str) -> Any:
    return next(s for s in sheet.sections if s.code == code)


POOL = """
[[sections]]
code = "1"
name = "办理质量"
max = 10

[[pools]]
code = "1.1"
name = "答复质量"
section = "1"
max = 10
min_points = 4

[[items]]
code = "1.1.1"
name = "答复笼统"
section = "1"
pool = "1.1"
kind = "per_occurrence"
amount = 1

[[items]]
code = "1.1.2"
name = "答复不及时"
section = "1"
pool = "1.1"
kind = "per_occurrence"
amount = 0.125
"""


class TestPools:
    def test_a_pool_floors_at_its_min_points_and_reports_the_surplus(self) -> None:
        sheet = scored(ruleset(POOL), {"a": UnitFacts(counts={"1.1.1": 8})})["a"]
        # 10 − 8 × 1 = 2.00, below the pool's floor of 4: 4.00, and 2.00 absorbed
        pool = sheet.item("1.1")
        assert (pool.points, pool.absorbed, pool.status) == (D("4.00"), D("2.00"), "scored")
        assert pool.explanation == "10.00 − 8.00 = 2.00 → 保底 4.00（超出的 2.00 不再扣）"
        assert section_of(sheet, "1").points == D("4.00")
        assert sheet.total == D("4.00")

    def test_a_pool_above_its_floor_absorbs_nothing(self) -> None:
        pool = scored(ruleset(POOL), {"a": UnitFacts(counts={"1.1.1": 6})})["a"].item("1.1")
        # 10 − 6 = 4.00: exactly the floor, nothing absorbed
        assert (pool.points, pool.absorbed) == (D("4.00"), D("0"))

    def test_a_pool_members_deduction_is_rounded_before_the_pool_adds_it_up(self) -> None:
        sheet = scored(ruleset(POOL), {"a": UnitFacts(counts={"1.1.2": 3})})["a"]
        # 3 × 0.125 = 0.375 → 0.38 half-up; the pool is 10 − 0.38 = 9.62 (not 9.625 → 9.63): the sheet adds up
        assert sheet.item("1.1.2").deducted == D("0.38")
        assert sheet.item("1.1.2").count == 3
        assert sheet.item("1.1").points == D("9.62")
        assert section_of(sheet, "1").points == D("9.62") == sheet.total

    def test_a_unit_with_no_occurrence_keeps_the_whole_pool(self) -> None:
        sheet = scored(ruleset(POOL), {})["b"]
        assert sheet.item("1.1").points == D("10.00")
        assert sheet.item("1.1.1").deducted == D("0.00")


RATE = """
[[sections]]
code = "1"
name = "办理质量"
max = 20

[[items]]
code = "1.1"
name = "群众满意率"
section = "1"
kind = "rate_threshold"
rate = "satisfaction"
max = 20
threshold = 90
per_point = 0.2
"""


def rate_line(body: str, numerator: int, denominator: int) -> Any:
    facts = {"a": UnitFacts(rates={"satisfaction": RateCounts(numerator, denominator)})}
    return scored(ruleset(body), facts)["a"].item("1.1")


class TestRateItems:
    def test_proportional_counts_the_fraction_of_a_point_below(self) -> None:
        # 221 / 250 = 88.4 %: 1.6 points below 90 %: 20 − 1.6 × 0.2 = 19.68
        line = rate_line(RATE, 221, 250)
        assert line.points == D("19.68")
        assert (line.numerator, line.denominator, line.status) == (221, 250, "scored")

    def test_whole_points_truncates_the_points_below_rather_than_rounding_them(self) -> None:
        body = RATE + 'rate_rounding = "whole_points"\n'
        # 88.4 %: 1.6 points below, truncated to 1 (rounding would make it 2): 20 − 1 × 0.2 = 19.80
        assert rate_line(body, 221, 250).points == D("19.80")
        assert rate_line(body, 221, 250).explanation == "221/250 = 88.40% < 90%：20.00 − 1 × 0.20 = 19.80"
        # 87.5 %: 2.5 below → 2: 20 − 0.4 = 19.60
        assert rate_line(body, 7, 8).points == D("19.60")

    def test_a_rate_items_cap_limits_its_deduction(self) -> None:
        body = RATE.replace("per_point = 0.2", "per_point = 1") + "cap = 3\n"
        # 80 %: 10 points below × 1 = 10, capped at 3: 20 − 3 = 17.00
        line = rate_line(body, 8, 10)
        assert line.points == D("17.00")
        assert line.explanation == "8/10 = 80.00% < 90%：20.00 − 10 × 1.00（最多扣 3.00） = 17.00"
        # 88 %: 2 points below × 1 = 2, under the cap: 18.00
        assert rate_line(body, 22, 25).points == D("18.00")

    def test_a_rate_item_floors_at_its_min_points_and_reports_the_surplus(self) -> None:
        body = RATE.replace("per_point = 0.2", "per_point = 1") + "min_points = 5\n"
        # 70 %: 20 points below × 1 = 20 → 0, held at 5.00 with 5.00 absorbed
        line = rate_line(body, 7, 10)
        assert (line.points, line.absorbed) == (D("5.00"), D("5.00"))

    def test_at_the_threshold_the_item_is_full(self) -> None:
        # 9 / 10 = 90 %: not below 90 %: 20.00
        assert rate_line(RATE, 9, 10).points == D("20.00")
        assert rate_line(RATE, 9, 10).absorbed == D("0.00")


VOLUME = """
[[sections]]
code = "1"
name = "承办量"
max = 10

[[items]]
code = "1.1"
name = "承办量"
section = "1"
kind = "formula_volume"
max = 10
formula = "10 × (V / Vmax) ^ 0.5"
"""


class TestVolumeFormula:
    def test_a_unit_with_no_order_scores_0_when_another_has_some(self) -> None:
        sheets = scored(ruleset(VOLUME), {"a": UnitFacts(volume=0), "b": UnitFacts(volume=400)})
        # a: 10 × (0 / 400) ^ 0.5 = 0.00, scored (not an error); b: 10 × 1 ^ 0.5 = 10.00
        assert (sheets["a"].item("1.1").points, sheets["a"].item("1.1").status) == (D("0.00"), "scored")
        assert sheets["b"].item("1.1").points == D("10.00")

    def test_a_quarter_of_the_largest_volume_scores_half(self) -> None:
        sheets = scored(ruleset(VOLUME), {"a": UnitFacts(volume=100), "b": UnitFacts(volume=400)})
        # 10 × (100 / 400) ^ 0.5 = 10 × 0.5 = 5.00
        assert sheets["a"].item("1.1").points == D("5.00")

    def test_a_formula_may_name_the_items_max(self) -> None:
        body = VOLUME.replace("10 × (V / Vmax) ^ 0.5", "max × (V / Vmax) ^ 0.5")
        line = scored(ruleset(body), {"a": UnitFacts(volume=100), "b": UnitFacts(volume=400)})["a"].item("1.1")
        # max = 10: 10 × (100 / 400) ^ 0.5 = 5.00
        assert (line.points, line.explanation) == (D("5.00"), "10 × (100 / 400) ^ 0.5 = 5.00")

    def test_the_linear_rule_shows_v_vmax_and_its_arithmetic(self) -> None:
        body = VOLUME.replace('formula = "10 × (V / Vmax) ^ 0.5"', "")
        line = scored(ruleset(body), {"a": UnitFacts(volume=100), "b": UnitFacts(volume=400)})["a"].item("1.1")
        # (0.6 + 0.4 × 100 / 400) × 10 = 0.7 × 10 = 7.00
        assert (line.points, line.status, line.numerator, line.denominator, line.rate) == (
            D("7.00"), "scored", 100, 400, Fraction(1, 4))
        assert line.explanation == "(0.60 + 0.40 × 100 / 400) × 10 = 7.00"

    def test_no_order_in_the_city_leaves_the_volume_pending(self) -> None:
        line = scored(ruleset(VOLUME), {})["a"].item("1.1")
        assert (line.points, line.status, line.reason, line.explanation) == (
            D("0.00"), "pending", "无派发工单（Vmax = 0）", "Vmax = 0，暂无法计算：待定（按 0.00 计）")


# --- rates counted from imported orders (the in-memory store) -------------------------------------------------

MONTHLY = """
[[sections]]
code = "1"
name = "办理质量"
max = 20

[[items]]
code = "1.1"
name = "群众满意率"
section = "1"
kind = "rate_threshold"
rate = "satisfaction"
max = 10
threshold = 100
per_point = 0.1
period = "monthly_average"

[[items]]
code = "1.2"
name = "按期办结率"
section = "1"
kind = "rate_threshold"
rate = "ontime"
max = 10
threshold = 100
per_point = 0.1
period = "monthly_average"
"""

HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "是否需回复", "是否已回复", "满意度",
          "是否计入统计"]


def order(order_id: str, *, unit: str = "a", dispatched: str = "2025-04-01 09:00:00",
          due: str = "2025-04-08 09:00:00", completed: str = "2025-04-03 10:00:00", reply_required: str = "是",
          replied: str = "是", satisfaction: str = "满意") -> list[str]:
    """One export row: by default a completed, replied, satisfied order of April 2025."""
    return [order_id, unit, dispatched, due, completed, reply_required, replied, satisfaction, "是"]


def imported(app: Any, tmp_path: Path, rows: list[list[str]], name: str = "orders.csv",
             header: list[str] = HEADER) -> None:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    import_workorders(app, str(path), "tester")


def line(app: Any, code: str, unit: str = "a") -> Any:
    sheet = next(s for s in open_reading(app, 2025, YEAR_END).scores() if s.unit == unit)
    return sheet.item(code)


@pytest.fixture
def monthly(memory_ledger: Any) -> Any:
    adopt_tiny(memory_ledger, MONTHLY)
    return memory_ledger


class TestMonthlyRatesFromOrders:
    def test_unrated_orders_stay_out_of_a_monthly_satisfaction_rate(self, monthly, tmp_path) -> None:
        imported(monthly, tmp_path, [order("A1"), order("A2", satisfaction="不满意"),
                                     order("A3", satisfaction="未评价"), order("A4", satisfaction="未评价")])
        sat = line(monthly, "1.1")
        # April: 1 satisfied of 2 rated (未评价 left out) = 50 %: 10 − 50 × 0.1 = 5.00 (with them: 25 % → 2.50)
        assert (sat.numerator, sat.denominator) == (1, 2)
        assert sat.points == D("5.00")

    def test_an_order_completed_exactly_at_its_due_time_is_on_time(self, monthly, tmp_path) -> None:
        imported(monthly, tmp_path, [order("A1", completed="2025-04-08 09:00:00"),
                                     order("A2", completed="2025-04-08 09:00:01")])
        ontime = line(monthly, "1.2")
        # A1 at its due time is on time, A2 one second later is late: 1 / 2 = 50 %: 10 − 5 = 5.00
        assert (ontime.numerator, ontime.denominator, ontime.points) == (1, 2, D("5.00"))

    def test_an_order_counts_in_the_month_of_its_due_time_for_the_on_time_rate(self, monthly, tmp_path) -> None:
        # A1: dispatched in March, due and completed late in April; A2, A3: dispatched and due in April, on time.
        imported(monthly, tmp_path, [
            order("A1", dispatched="2025-03-28 09:00:00", due="2025-04-02 09:00:00", completed="2025-04-03 09:00:00"),
            order("A2", dispatched="2025-04-01 09:00:00"), order("A3", dispatched="2025-04-01 09:00:00")])
        ontime = line(monthly, "1.2")
        # By the due month: April only, 2 of 3 on time = 66.66…%: 10 − 3.333… = 6.666… → 6.67.
        # (By the dispatch month it would be March 0/1 → 0 and April 2/2 → 10: (0 + 10) / 2 = 5.00.)
        assert ontime.points == D("6.67")
        assert ontime.explanation.startswith("1 个月平均")
        # The satisfaction rate goes by the dispatch month: March 1/1 and April 2/2 → two full months.
        assert line(monthly, "1.1").explanation.startswith("2 个月平均：(10.00 + 10.00) / 2 = 10.00")

    def test_an_accepted_screening_leaves_the_monthly_rate(self, monthly, tmp_path) -> None:
        imported(monthly, tmp_path, [order("A1"), order("A2", satisfaction="不满意"),
                                     order("A3", due="2025-04-02 09:00:00")])
        # satisfaction 2/3 = 66.66…%: 10 − 3.333… → 6.67; on time 2/3 → 6.67
        assert line(monthly, "1.1").points == D("6.67")
        assert line(monthly, "1.2").points == D("6.67")
        screening = monthly.open_screening(order_id="A2", rate="satisfaction", reason="恶意差评",
                                           evidence="甄别申请", actor="a-office")
        monthly.decide_dispute(dispute_id=screening, decision="accept", reason="核实", actor="centre")
        # A2 leaves the satisfaction rate only: 2/2 = 100 % → 10.00; on time still 2/3 → 6.67
        sat = line(monthly, "1.1")
        assert (sat.numerator, sat.denominator, sat.points) == (2, 2, D("10.00"))
        assert line(monthly, "1.2").points == D("6.67")
        screening = monthly.open_screening(order_id="A3", rate="ontime", reason="延期已批准",
                                           evidence="延期批复", actor="a-office")
        monthly.decide_dispute(dispute_id=screening, decision="accept", reason="核实", actor="centre")
        ontime = line(monthly, "1.2")
        assert (ontime.numerator, ontime.denominator, ontime.points) == (2, 2, D("10.00"))


YEARLY_ONTIME = """
[[sections]]
code = "1"
name = "办理质量"
max = 10

[[items]]
code = "1.1"
name = "按期办结率"
section = "1"
kind = "rate_threshold"
rate = "ontime"
max = 10
threshold = 100
per_point = 0.1
"""


def test_a_yearly_on_time_rate_counts_completion_exactly_at_the_due_time_as_on_time(memory_ledger, tmp_path) -> None:
    adopt_tiny(memory_ledger, YEARLY_ONTIME)
    imported(memory_ledger, tmp_path, [order("A1", completed="2025-04-08 09:00:00"),
                                       order("A2", completed="2025-04-08 09:00:01"), order("A3")])
    ontime = line(memory_ledger, "1.1")
    # A1 at its due time and A3 early are on time, A2 a second late: 2 / 3 = 66.66…%: 10 − 3.333… = 6.67
    assert (ontime.numerator, ontime.denominator, ontime.points) == (2, 3, D("6.67"))


BONUSES = """
[[sections]]
code = "1"
name = "加分"
max = 10

[[items]]
code = "1.1"
name = "表扬"
section = "1"
kind = "bonus"
amount = 0.125

[[items]]
code = "1.2"
name = "创新"
section = "1"
kind = "bonus"
amount = 0.125
"""


class TestBonusLines:
    def test_the_section_adds_up_the_bonus_lines_as_they_are_shown(self) -> None:
        sheet = scored(ruleset(BONUSES), {"a": UnitFacts(counts={"1.1": 1, "1.2": 1})})["a"]
        # each line: 1 × 0.125 = 0.125 → 0.13; the section is 0.13 + 0.13 = 0.26 (it once added 0.25 unrounded)
        assert [i.bonus for i in sheet.sections[0].items] == [D("0.13"), D("0.13")]
        assert sheet.sections[0].points == D("0.26") == sheet.total == sheet.bonus

    def test_a_bonus_cap_holds_over_the_rounded_lines(self) -> None:
        r = ruleset('[scoring]\nbonus_cap = 0.25\n' + BONUSES)
        sheet = scored(r, {"a": UnitFacts(counts={"1.1": 1, "1.2": 1})})["a"]
        # 0.13, then what is left of the cap: 0.25 − 0.13 = 0.12; together 0.25, the cap
        assert [i.bonus for i in sheet.sections[0].items] == [D("0.13"), D("0.12")]
        assert sheet.bonus == D("0.25") == sheet.total


DEFINED = """
[[sections]]
code = "1"
name = "办理质量"
max = 10

[[rates]]
code = "completed_satisfaction"
name = "办结工单满意率"
denominator = { completed = ["是"] }
numerator = [{ where = { satisfaction = ["满意"] } }, { where = { satisfaction = ["基本满意"] }, weight = 0.5 }]

[[items]]
code = "1.1"
name = "办结工单满意率"
section = "1"
kind = "rate_threshold"
rate = "completed_satisfaction"
max = 10
threshold = 100
per_point = 0.1
"""


def test_a_defined_rate_skips_an_order_outside_its_denominator_and_counts_the_rest(memory_ledger, tmp_path) -> None:
    adopt_tiny(memory_ledger, DEFINED)
    # A1 is still open (first in the export): not in the denominator; A2 满意 counts 1, A3 基本满意 0.5, A4 不满意 0
    imported(memory_ledger, tmp_path, [order("A1", completed=""), order("A2"), order("A3", satisfaction="基本满意"),
                                       order("A4", satisfaction="不满意")])
    rate = line(memory_ledger, "1.1")
    # (1 + 0.5) / 3 = 50 %: 10 − 50 × 0.1 = 5.00
    assert (rate.numerator, rate.denominator, rate.points) == (D("1.5"), 3, D("5.00"))


GRADED = """
[[sections]]
code = "1"
name = "评价"
max = 50

[[items]]
code = "1.1"
name = "检查"
section = "1"
kind = "assessment"
max = 50

[[grades]]
name = "优秀"
min_percent = 90

[[grades]]
name = "合格"
min_points = 0
"""


class TestGrades:
    def test_a_percent_band_is_reached_at_that_share_of_the_full_marks(self) -> None:
        sheets = scored(ruleset(GRADED), {"a": UnitFacts(assessments={"1.1": D("45")}),
                                          "b": UnitFacts(assessments={"1.1": D("44.99")})})
        # full marks 50: 90 % is 45 points; a at 45.00 is 优秀, b at 44.99 合格
        assert (sheets["a"].grade, sheets["b"].grade) == ("优秀", "合格")
        assert sheets["a"].full_marks == D("50")


class TestExpressionLanguage:
    """The formula language's corners that no other test reached (ledger/rulesets/expression.py)."""

    def test_a_zero_base_with_a_negative_exponent_is_a_division_by_zero_not_infinity(self) -> None:
        # (0 / 400) ^ −0.5 = 1 / 0: once Decimal's Infinity, which the item's bounds turned into full marks
        with pytest.raises(EvaluationError, match=r"^division by zero: \(V / Vmax\) \^ \(−0.5\) is 0 \^ \(−0.5\)$"):
            parse("(V / Vmax) ^ -0.5").evaluate({"V": 0, "Vmax": 400})
        with pytest.raises(EvaluationError, match=r"^division by zero: V \^ \(−1\) is 0 \^ \(−1\)$"):
            parse("V ^ -1").evaluate({"V": 0})
        assert parse("V ^ -1").evaluate({"V": 4}) == D("0.25")

    def test_zero_to_the_power_zero_says_the_result_is_undefined(self) -> None:
        with pytest.raises(EvaluationError) as caught:
            parse("0 ^ 0").evaluate({})
        assert str(caught.value) == "cannot compute 0 ^ 0: undefined result"

    def test_an_error_crosses_a_process_boundary_intact(self) -> None:
        with pytest.raises(ExpressionError) as caught:
            parse("(1 + 2))")
        copied = pickle.loads(pickle.dumps(caught.value))
        assert (copied.message, copied.position, copied.text) == ("unexpected ')'", 7, "(1 + 2))")
        assert str(copied) == str(caught.value)

    def test_an_error_without_its_text_is_one_line(self) -> None:
        assert str(ExpressionError("bad", 0)) == "bad at column 1"

    def test_an_unclosed_call_points_at_its_opening_parenthesis(self) -> None:
        with pytest.raises(ExpressionError) as caught:
            parse("max(1, 2")
        assert str(caught.value) == "unclosed '(' at column 4\n  max(1, 2\n     ^"

    def test_a_call_with_too_many_arguments_says_how_many_it_takes(self) -> None:
        with pytest.raises(ExpressionError) as caught:
            parse("round(1, 2, 3)")
        assert caught.value.message == "round() takes 1 to 2 argument(s), got 3"
        with pytest.raises(ExpressionError) as caught:
            parse("abs(1, 2)")
        assert caught.value.message == "abs() takes 1 argument(s), got 2"
        with pytest.raises(ExpressionError) as caught:
            parse("max()")
        assert caught.value.message == "max() takes at least 1 argument(s), got 0"

    def test_arguments_may_be_whole_expressions(self) -> None:
        assert parse("min(a + b, c * 2)").evaluate({"a": 1, "b": 2, "c": 1}) == 2
        assert parse("max(a, b - c)").evaluate({"a": 1, "b": 5, "c": 1}) == 4

    def test_an_unknown_name_with_nothing_known_says_so(self) -> None:
        with pytest.raises(EvaluationError) as caught:
            parse("V").evaluate({})
        assert str(caught.value) == "unknown name 'V'; known names: (none)"

    def test_a_value_that_is_not_a_finite_number_is_named(self) -> None:
        with pytest.raises(EvaluationError) as caught:
            parse("V + 1").evaluate({"V": D("NaN")})
        assert str(caught.value) == "V is NaN, not a finite number"
        with pytest.raises(TypeError) as wrong:
            parse("V + 1").evaluate({"V": 1.5})
        assert str(wrong.value) == "V must be Decimal, int or Fraction, not float"

    def test_explain_shows_a_result_beyond_28_digits(self) -> None:
        # 31 digits before the point and 2 after: more than Python's default 28-digit context holds
        assert parse("10 ^ 30").explain({}) == "10 ^ 30 = 1000000000000000000000000000000.00"

    def test_explain_shows_halves_and_long_exact_fractions_as_decimals(self) -> None:
        assert parse("a * 3").explain({"a": Fraction(1, 2)}) == "0.5 × 3 = 1.50"
        # 1 / 2^50 is exact in 50 digits (not in 28): its own digits, not (1/1125899906842624)
        assert parse("a * 1").explain({"a": Fraction(1, 2**50)}) == (
            "0.00000000000000088817841970012523233890533447265625 × 1 = 0.00")

    def test_explain_writes_values_in_plain_digits_never_exponents(self) -> None:
        assert parse("x + 1").explain({"x": D("1E+2")}) == "100 + 1 = 101.00"

    def test_a_sign_before_a_sum_keeps_its_parentheses_and_a_double_sign_needs_none(self) -> None:
        assert str(parse("-(a + b)")) == "−(a + b)"
        assert str(parse("--a")) == "−−a"
        assert parse("-(a + b)").evaluate({"a": 1, "b": 2}) == -3


MONTHLY_REPLY = """
[[sections]]
code = "1"
name = "办理质量"
max = 10

[[items]]
code = "1.1"
name = "回复群众率"
section = "1"
kind = "rate_threshold"
rate = "reply"
max = 10
threshold = 100
per_point = 0.1
period = "monthly_average"
"""


class TestMonthlyReplyRate:
    @pytest.fixture
    def app(self, memory_ledger: Any) -> Any:
        adopt_tiny(memory_ledger, MONTHLY_REPLY)
        return memory_ledger

    def test_the_months_count_orders_needing_a_reply_and_those_replied(self, app, tmp_path) -> None:
        imported(app, tmp_path, [
            order("A1", dispatched="2025-03-03 09:00:00"), order("A2", dispatched="2025-03-04 09:00:00", replied="否"),
            order("A3", dispatched="2025-03-05 09:00:00", reply_required="否", replied="否"),
            order("A4"), order("A5", replied="否"), order("A6", replied="否"), order("A7"),
            order("A8", reply_required="否", replied="否")])
        reply = line(app, "1.1")
        # March: 1 replied of 2 needing a reply (A3 needs none) = 50 %: 10 − 50 × 0.1 = 5.00;
        # April: 2 of 4 (A8 needs none) = 50 %: 5.00. Average (5 + 5) / 2 = 5.00, over 3 / 6 orders in all.
        assert (reply.numerator, reply.denominator, reply.points) == (3, 6, D("5.00"))
        assert reply.explanation == (
            "2 个月平均：(5.00 + 5.00) / 2 = 5.00［2025-03：1/2 = 50.00% < 100%：10.00 − 50 × 0.10 = 5.00；"
            "2025-04：2/4 = 50.00% < 100%：10.00 − 50 × 0.10 = 5.00］")

    def test_an_accepted_reply_screening_leaves_the_month(self, app, tmp_path) -> None:
        imported(app, tmp_path, [order("A1"), order("A2", replied="否")])
        assert line(app, "1.1").points == D("5.00")
        screening = app.open_screening(order_id="A2", rate="reply", reason="来电人拒绝回复", evidence="录音",
                                       actor="a-office")
        app.decide_dispute(dispute_id=screening, decision="accept", reason="核实", actor="centre")
        # April: 1 / 1 = 100 %: 10.00
        reply = line(app, "1.1")
        assert (reply.numerator, reply.denominator, reply.points) == (1, 1, D("10.00"))


EXTRA_COLUMN = """
[workorders]
columns = [{ header = "解决情况", values = ["解决", "部分解决", "未解决"] }, { header = "回访情况" }]

[[sections]]
code = "1"
name = "办理质量"
max = 20

[[rates]]
code = "resolution"
name = "解决率"
denominator = { "回访情况" = ["回访成功"] }
numerator = [{ where = { "解决情况" = ["解决"] } }, { where = { "解决情况" = ["部分解决"] }, weight = 0.5 }]

[[rates]]
code = "unrated_share"
name = "未评价占比"
numerator = [{ where = { satisfaction = ["未评价"] } }]

[[items]]
code = "1.1"
name = "解决率"
section = "1"
kind = "rate_threshold"
rate = "resolution"
max = 10
threshold = 100
per_point = 0.1

[[items]]
code = "1.2"
name = "未评价占比"
section = "1"
kind = "rate_threshold"
rate = "unrated_share"
max = 10
threshold = 100
per_point = 0.1
"""


def test_a_defined_rate_reads_an_extra_column_and_a_blank_satisfaction_as_unrated(memory_ledger, tmp_path) -> None:
    adopt_tiny(memory_ledger, EXTRA_COLUMN)
    imported(memory_ledger, tmp_path, [
        order("A1") + ["解决", "回访成功"], order("A2", satisfaction="") + ["部分解决", "回访成功"],
        order("A3") + ["未解决", "回访成功"], order("A4", satisfaction="未评价") + ["解决", "回访成功"],
        order("A5") + ["解决", "回访失败"]], header=[*HEADER, "解决情况", "回访情况"])
    resolution = line(memory_ledger, "1.1")
    # A5 was not called back (not in the denominator): (1 + 0.5 + 0 + 1) / 4 = 62.5 %: 10 − 37.5 × 0.1 = 6.25
    assert (resolution.numerator, resolution.denominator, resolution.points) == (D("2.5"), 4, D("6.25"))
    # A2's blank satisfaction is 未评价, as A4's: 2 / 5 = 40 %: 10 − 6 = 4.00
    unrated = line(memory_ledger, "1.2")
    assert (unrated.numerator, unrated.denominator, unrated.points) == (2, 5, D("4.00"))


RANK_BY_VOLUME = """
[[sections]]
code = "1"
name = "承办量"
max = 10

[[items]]
code = "1.1"
name = "承办量排名"
section = "1"
kind = "rank"
by = "volume"
max = 10
step = 1
"""


def test_a_rank_by_volume_reports_the_volume_not_a_rate() -> None:
    sheets = scored(ruleset(RANK_BY_VOLUME), {"a": UnitFacts(volume=120), "b": UnitFacts(volume=300)})
    # b 300 ranks 1 (10.00), a 120 ranks 2: 10 − 1 × 1 = 9.00; the line carries V, and no rate
    first, second = sheets["b"].item("1.1"), sheets["a"].item("1.1")
    assert (first.rank, first.points, first.numerator, first.rate) == (1, D("10.00"), 300, None)
    assert (first.status, first.absorbed, second.status) == ("scored", D("0"), "scored")
    assert (second.rank, second.points, second.numerator, second.rate) == (2, D("9.00"), 120, None)


def test_an_unknown_calendar_year_crosses_a_process_boundary_intact() -> None:
    unknown = CalendarYearUnknown(2031, date(2031, 1, 2))
    copied = pickle.loads(pickle.dumps(unknown))
    assert (copied.year, copied.day, str(copied)) == (2031, date(2031, 1, 2), str(unknown))


class TestErrorsAsValues:
    """A refusal's repr and its caret are what a log or a person reads: they name what and where."""

    def test_a_formula_of_exactly_200_tokens_parses_and_one_more_is_refused_with_the_caret(self) -> None:
        text = "-1" + " + 1" * 99  # 2 + 2 × 99 = 200 tokens
        assert parse(text).evaluate({}) == 98
        with pytest.raises(ExpressionError) as caught:
            parse(text + " + 1")
        assert caught.value.message == "formula longer than 200 tokens"
        assert str(caught.value).splitlines()[1] == "  " + text + " + 1"

    def test_an_unexpected_character_is_shown_under_a_caret(self) -> None:
        with pytest.raises(ExpressionError) as caught:
            parse("1 $ 2")
        assert str(caught.value) == "unexpected character '$' at column 3\n  1 $ 2\n    ^"

    def test_the_repr_of_an_error_carries_its_values(self) -> None:
        assert repr(ExpressionError("bad", 3, "abc")) == "ExpressionError('bad', 3, 'abc')"
        assert repr(CalendarYearUnknown(2031, date(2031, 1, 2))) == (
            "CalendarYearUnknown(2031, datetime.date(2031, 1, 2))")


def test_an_export_without_a_satisfaction_column_leaves_every_order_unrated(memory_ledger, tmp_path) -> None:
    adopt_tiny(memory_ledger, EXTRA_COLUMN)
    rows = [[*order(f"A{n}")[:7], "是", "解决"] for n in range(3)]
    imported(memory_ledger, tmp_path, rows, header=[*HEADER[:7], "是否计入统计", "解决情况"])
    unrated = line(memory_ledger, "1.2")
    # no 满意度 column: each order is 未评价, 3 / 3 = 100 %: 10.00
    assert (unrated.numerator, unrated.denominator, unrated.points) == (3, 3, D("10.00"))
    # no 回访情况 column either: the resolution rate cannot be computed, and says which column it lacks
    resolution = line(memory_ledger, "1.1")
    assert (resolution.status, resolution.reason) == ("pending", "账本尚未保存解决率所需的导出列：回访情况")


LOSSES = """
[[sections]]
code = "1"
name = "办理质量"
max = 15

[[items]]
code = "1.1"
name = "退单不规范"
section = "1"
kind = "per_occurrence"
max = 5
amount = 1

[[items]]
code = "1.2"
name = "答复笼统"
section = "1"
kind = "per_occurrence"
max = 5
amount = 1

[[items]]
code = "1.3"
name = "检查"
section = "1"
kind = "assessment"
max = 5
"""


def test_the_largest_loss_is_the_scored_item_that_cost_most() -> None:
    sheets = scored(ruleset(LOSSES), {"a": UnitFacts(counts={"1.1": 1, "1.2": 3}), "b": UnitFacts()})
    # a: 1.1 lost 1, 1.2 lost 3; 1.3 is pending (not assessed) and lost nothing it was scored on: 1.2
    assert sheets["a"].largest_loss() == "1.2"
    # b lost nothing on a scored item
    assert sheets["b"].largest_loss() is None
    assert scored(ruleset(LOSSES), {"a": UnitFacts(counts={"1.1": 4, "1.2": 3})})["a"].largest_loss() == "1.1"


def test_a_rank_held_at_its_floor_reports_what_the_floor_absorbed() -> None:
    body = RANK_BY_VOLUME.replace("step = 1", "step = 4\nmin_points = 3")
    facts = {u: UnitFacts(volume=v) for u, v in {"a": 10, "b": 20, "c": 30, "d": 40}.items()}
    units = "".join(f'[[units]]\ncode = "{u}"\nname = "单位{u}"\n' for u in "abcd")
    last = scored(ruleset(body, units), facts)["a"].item("1.1")
    # a ranks 4th: 10 − 3 × 4 = −2, held at 3.00; the floor absorbed 3 − (−2) = 5
    assert (last.rank, last.points, last.absorbed, last.status) == (4, D("3.00"), D("5"), "scored")


def test_an_item_not_on_the_sheet_is_a_key_error_naming_it() -> None:
    sheet = scored(ruleset(LOSSES), {})["a"]
    with pytest.raises(KeyError, match="9.9"):
        sheet.item("9.9")


YEARLY_REPLY = MONTHLY_REPLY.replace('period = "monthly_average"\n', "")


def test_an_order_needing_no_reply_stays_out_of_the_yearly_reply_rate(memory_ledger, tmp_path) -> None:
    adopt_tiny(memory_ledger, YEARLY_REPLY)
    imported(memory_ledger, tmp_path, [order("A1"), order("A2", replied="否"),
                                       order("A3", reply_required="否", replied="否")])
    reply = line(memory_ledger, "1.1")
    # A3 needs no reply: 1 / 2 = 50 %: 10 − 5 = 5.00
    assert (reply.numerator, reply.denominator, reply.points) == (1, 2, D("5.00"))


def test_a_notice_received_on_the_day_read_is_judged() -> None:
    calendar = WorkingCalendar()
    verdicts = notice_verdicts([("N1", date(2025, 9, 26), None), ("N2", date(2025, 9, 27), None)], calendar, 7,
                               date(2025, 9, 26))
    # N1 arrived on the day read: judged, not yet due (due 13 October); N2 had not arrived
    assert [(v.period, v.verdict, v.deadline) for v in verdicts] == [("N1", "not_yet_due", date(2025, 10, 13))]


def test_a_calendar_refuses_a_ruling_that_is_not_a_date_or_not_a_yes_or_no() -> None:
    with pytest.raises(TypeError) as caught:
        WorkingCalendar({date(2025, 1, 1): "yes"})  # type: ignore[dict-item]
    assert str(caught.value) == "the ruling for 2025-01-01 must be True (workday) or False (holiday)"
    with pytest.raises(TypeError) as caught:
        WorkingCalendar({"2025-01-01": True})  # type: ignore[dict-item]
    assert str(caught.value) == "a ruling's date must be a datetime.date, not str: '2025-01-01'"


class TestDeadlineCorners:
    CALENDAR = WorkingCalendar()

    def test_a_report_due_one_working_day_after_its_period(self) -> None:
        january = report_verdicts("monthly", 2025, {}, self.CALENDAR, 1, date(2025, 12, 31))[0]
        # January ends on Friday the 31st; 1–4 February are Spring Festival holidays: due Wednesday 5 February
        assert (january.due_from, january.deadline, january.verdict) == (
            date(2025, 1, 31), date(2025, 2, 5), "missing")

    def test_zero_working_days_is_refused(self) -> None:
        with pytest.raises(ValueError, match="^the number of working days must be at least 1, not 0$"):
            report_verdicts("monthly", 2025, {}, self.CALENDAR, 0, date(2025, 12, 31))

    def test_a_pending_verdict_keeps_the_day_its_count_starts_from(self) -> None:
        january = report_verdicts("monthly", 2099, {}, self.CALENDAR, 5, date(2099, 3, 1))[0]
        assert (january.due_from, january.deadline, january.verdict) == (date(2099, 1, 31), None, "pending")
        assert january.reason is not None and "2099" in january.reason

    def test_year_1_is_a_year_and_year_0_is_not(self) -> None:
        assert str(parse_period("monthly", "0001-01")) == "0001-01"
        with pytest.raises(ValueError) as caught:
            parse_period("monthly", "0000-01")
        assert str(caught.value) == "'0000-01' is not a monthly period: year 0 (expected YYYY-MM, e.g. 2025-09)"

    def test_a_date_and_time_is_refused_where_a_date_is_needed(self) -> None:
        with pytest.raises(TypeError) as caught:
            self.CALENDAR.is_workday(datetime(2025, 1, 2))
        assert str(caught.value) == (
            "the day must be a datetime.date, not datetime: datetime.datetime(2025, 1, 2, 0, 0)")
        with pytest.raises(TypeError) as caught:
            self.CALENDAR.add_working_days(datetime(2025, 1, 2), 1)
        assert str(caught.value).startswith("the start day must be a datetime.date, not datetime")


class TestRateArithmeticAsShown:
    """What ``trace`` shows of a rate item is the arithmetic the points came from, to the digit."""

    def test_exactly_at_the_threshold_is_full_marks(self) -> None:
        assert rate_line(RATE, 9, 10).explanation == "9/10 = 90.00% ≥ 90%：满分 20.00"

    def test_a_deduction_equal_to_the_cap_is_not_capped(self) -> None:
        body = RATE.replace("per_point = 0.2", "per_point = 1") + "cap = 3\n"
        # 87 %: 3 points below × 1 = 3, exactly the cap: no cap note
        line = rate_line(body, 87, 100)
        assert (line.points, line.explanation) == (D("17.00"), "87/100 = 87.00% < 90%：20.00 − 3 × 1.00 = 17.00")

    def test_points_landing_exactly_on_the_floor_absorb_nothing(self) -> None:
        body = RATE.replace("per_point = 0.2", "per_point = 1") + "min_points = 5\n"
        # 75 %: 20 − 15 × 1 = 5.00, exactly the floor
        line = rate_line(body, 75, 100)
        assert (line.points, line.absorbed) == (D("5.00"), D("0.00"))
        assert line.explanation == "75/100 = 75.00% < 90%：20.00 − 15 × 1.00 = 5.00"

    def test_a_deduction_above_the_floor_absorbs_nothing(self) -> None:
        assert rate_line(RATE, 221, 250).absorbed == D("0.00")

    def test_the_percent_shown_is_rounded_half_up(self) -> None:
        # 1/32 = 3.125 % → 3.13 % (half-even would show 3.12 %); 20 − 86.875 × 0.2 = 2.625 → 2.63
        assert rate_line(RATE, 1, 32).explanation == "1/32 = 3.13% < 90%：20.00 − 86.875 × 0.20 = 2.63"

    def test_a_weighted_numerator_is_shown_without_trailing_zeros(self) -> None:
        facts = {"a": UnitFacts(rates={"satisfaction": RateCounts(D("0.50"), 2)})}
        line = scored(ruleset(RATE), facts)["a"].item("1.1")
        # 0.50 / 2 = 25 %: 65 points below × 0.2 = 13: 7.00
        assert line.explanation == "0.5/2 = 25.00% < 90%：20.00 − 65 × 0.20 = 7.00"


def test_a_loss_of_exactly_one_point_is_the_largest_loss() -> None:
    sheets = scored(ruleset(LOSSES), {"a": UnitFacts(counts={"1.1": 1})})
    assert sheets["a"].largest_loss() == "1.1"


def test_a_formula_above_max_is_held_at_max_and_says_so() -> None:
    body = VOLUME.replace("10 × (V / Vmax) ^ 0.5", "20 × V / Vmax")
    line = scored(ruleset(body), {"a": UnitFacts(volume=400), "b": UnitFacts(volume=100)})["a"].item("1.1")
    # 20 × 400 / 400 = 20, held at the item's max of 10
    assert (line.points, line.explanation) == (D("10.00"), "20 × 400 / 400 = 20.00 → 封顶 10.00")


def test_the_taian_sheet_gathers_assessments_volumes_and_the_three_yearly_rates(memory_ledger, tmp_path) -> None:
    app = memory_ledger
    app.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
    app.assess(unit="taishan", item="1.2.1", points=D("0.8"), on=date(2025, 6, 1), evidence="检查记录", actor="centre")
    imported(app, tmp_path, [
        # T1 is dispatched on 1 January: the year's window starts that day
        order("T1", unit="taishan", dispatched="2025-01-01 08:00:00", due="2025-01-08 08:00:00",
              completed="2025-01-07 08:00:00"),
        order("T2", unit="taishan", satisfaction="不满意", replied="否"),
        order("T3", unit="taishan", satisfaction="基本满意", completed="2025-04-09 09:00:00"),
        order("D1", unit="daiyue")])
    sheet = next(s for s in open_reading(app, 2025, YEAR_END).scores() if s.unit == "taishan")
    daiyue = next(s for s in open_reading(app, 2025, YEAR_END).scores() if s.unit == "daiyue")
    assert sheet.item("1.2.1").points == D("0.80")
    # 2.3.1: taishan V = 3 = Vmax: 5.00; daiyue V = 1: (0.6 + 0.4 × 1 / 3) × 5 = 3.666… → 3.67
    assert (sheet.item("2.3.1").points, sheet.item("2.3.1").numerator) == (D("5.00"), 3)
    assert daiyue.item("2.3.1").points == D("3.67")
    # 2.3.2: 2 of 3 satisfied (满意, 基本满意) = 66.66…%, 23.33… below 90 × 0.2 = 4.666…: 15.33
    assert (sheet.item("2.3.2").numerator, sheet.item("2.3.2").denominator) == (2, 3)
    assert sheet.item("2.3.2").points == D("15.33")
    # 2.3.3: 2 of 3 replied: 33.33… below 100 × 0.1 = 3.33…: 6.67
    assert (sheet.item("2.3.3").numerator, sheet.item("2.3.3").denominator, sheet.item("2.3.3").points) == (
        2, 3, D("6.67"))
    # 2.3.4: T3 completed a day late: 2 of 3 on time: 6.67
    assert (sheet.item("2.3.4").numerator, sheet.item("2.3.4").denominator, sheet.item("2.3.4").points) == (
        2, 3, D("6.67"))


def test_a_pool_and_its_members_show_their_names_kinds_and_arithmetic() -> None:
    sheet = scored(ruleset(POOL), {"a": UnitFacts(counts={"1.1.1": 1, "1.1.2": 3})})["a"]
    pool, first, second = sheet.item("1.1"), sheet.item("1.1.1"), sheet.item("1.1.2")
    # 10 − 1 × 1 − (3 × 0.125 = 0.375 → 0.38) = 8.62
    assert (pool.name, pool.kind, pool.status, pool.points) == ("答复质量", "pool", "scored", D("8.62"))
    assert pool.explanation == "10.00 − 1.00 − 0.38 = 8.62"
    assert (first.name, first.kind, first.pool, first.reason) == ("答复笼统", "per_occurrence", "1.1", None)
    assert first.explanation == "1 × 1.00 = 1.00，从 1.1 中扣除"
    assert (second.deducted, second.explanation.endswith("= 0.38，从 1.1 中扣除")) == (D("0.38"), True)


def test_building_the_tallies_of_an_old_read_model_is_all_or_nothing() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute(f"CREATE TABLE workorders ({', '.join(order_tallies.COLUMNS)})")
    # an order with no dispatch time cannot be tallied: the build fails on it
    values = {"order_id": "A1", "unit": "a", "dispatched_at": None, "due_at": "2025-04-08T09:00:00",
              "completed_at": None, "reply_required": 1, "replied": 1, "satisfaction": "满意", "counted": 1,
              "observed_at": "2025-05-01"}
    db.execute(f"INSERT INTO workorders VALUES ({', '.join('?' * len(order_tallies.COLUMNS))})",
               [values.get(column, 0) for column in order_tallies.COLUMNS])
    with pytest.raises((TypeError, sqlite3.Error)):  # the row (or the rates it would be counted for) fails
        order_tallies.ensure(db)
    # rolled back: no transaction left open, no half-built table
    assert not db.in_transaction
    assert db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (order_tallies.TABLE,)).fetchone() is None


CAPPED_AND_DEADLINE = """
[[sections]]
code = "1"
name = "办理质量"
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
code = "1.2"
name = "月度分析报告"
section = "1"
kind = "deadline"
schedule = "monthly"
working_days = 5
amount = 0.5
pool = "1"
"""


class TestCapsAndPendingMembers:
    def test_a_deduction_equal_to_the_cap_shows_no_cap_and_one_above_does(self) -> None:
        r = ruleset(CAPPED_AND_DEADLINE)
        at_cap = scored(r, {"a": UnitFacts(counts={"1.1": 3})})["a"].item("1.1")
        above = scored(r, {"a": UnitFacts(counts={"1.1": 4})})["a"].item("1.1")
        # 3 × 1 = 3 is the cap itself: 7.00 plainly; 4 × 1 = 4 is capped at 3: 7.00 with the cap shown
        assert (at_cap.points, at_cap.explanation) == (D("7.00"), "10.00 − 3 × 1.00 = 7.00")
        assert (above.points, above.explanation) == (D("7.00"), "10.00 − min(4 × 1.00, 最多扣 3.00) = 7.00")

    def test_a_member_waiting_for_two_calendar_years_gives_both_reasons(self) -> None:
        facts = {"a": UnitFacts(deadlines={"1.2": DeadlineOutcome(1, ("2099 年未知", "2100 年未知"))})}
        sheet = scored(ruleset(CAPPED_AND_DEADLINE), facts)["a"]
        member = sheet.item("1.2")
        # one late report: 1 × 0.5 = 0.50 out of section 1, and the item is pending on both years
        assert (member.deducted, member.status, member.reason) == (D("0.50"), "pending", "2099 年未知；2100 年未知")
        assert member.explanation == "1 × 0.50 = 0.50，从 1 中扣除"
        assert sheet.sections[0].status == "pending"
        assert sheet.sections[0].points == D("9.50")

    def test_a_pool_is_pending_while_a_member_is_and_names_it(self) -> None:
        body = POOL + """
[[items]]
code = "1.1.3"
name = "季度报告"
section = "1"
pool = "1.1"
kind = "deadline"
schedule = "quarterly"
working_days = 5
amount = 1
"""
        facts = {"a": UnitFacts(deadlines={"1.1.3": DeadlineOutcome(0, ("2099 年未知",))})}
        sheet = scored(ruleset(body), facts)["a"]
        pool = sheet.item("1.1")
        assert (pool.points, pool.status, pool.reason) == (D("10.00"), "pending", "1.1.3：2099 年未知")
        # the section names the member, not the pool as well
        assert sheet.sections[0].reason == "1.1.3：2099 年未知"
        settled = scored(ruleset(body), {"a": UnitFacts(deadlines={"1.1.3": DeadlineOutcome(1)})})["a"].item("1.1")
        assert (settled.points, settled.status, settled.reason) == (D("9.00"), "scored", None)


class TestRateItemsPending:
    def test_a_unit_with_no_order_in_the_denominator_is_pending_at_zero_of_zero(self) -> None:
        line = scored(ruleset(RATE), {})["a"].item("1.1")
        assert (line.points, line.status, line.numerator, line.denominator, line.rate) == (
            D("0.00"), "pending", 0, 0, None)
        assert line.reason == "无计入群众满意率的工单"
        assert line.explanation == "无计入群众满意率的工单：待定（按 0.00 计）"

    def test_a_rate_that_cannot_be_computed_says_why(self) -> None:
        line = scored(ruleset(RATE), {"a": UnitFacts(rate_pending={"satisfaction": "缺少列"})})["a"].item("1.1")
        assert (line.points, line.status, line.reason, line.explanation) == (
            D("0.00"), "pending", "缺少列", "缺少列：待定（按 0.00 计）")

    def test_a_scored_rate_carries_the_exact_fraction(self) -> None:
        assert rate_line(RATE, 221, 250).rate == Fraction(221, 250)


def test_a_rank_item_after_other_items_and_in_a_class_of_one_is_ranked() -> None:
    units = """
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
    body = RANK_BY_VOLUME.replace("[[items]]", '[[items]]\ncode = "1.0"\nname = "检查"\nsection = "1"\n'
                                  'kind = "assessment"\nmax = 1\n\n[[items]]', 1)
    sheets = scored(ruleset(body, units), {"a": UnitFacts(volume=5), "b": UnitFacts(volume=9),
                                           "c": UnitFacts(volume=1)})
    # big: b 9 ranks 1, a 5 ranks 2 (10 − 1 = 9.00); small: c alone ranks 1 of 1
    assert [(u, sheets[u].item("1.1").rank, sheets[u].item("1.1").points) for u in "abc"] == [
        ("a", 2, D("9.00")), ("b", 1, D("10.00")), ("c", 1, D("10.00"))]


class TestOwnItemLines:
    def test_an_unassessed_item_says_so_and_an_assessed_one_shows_its_award(self) -> None:
        pending = scored(ruleset(LOSSES), {})["a"].item("1.3")
        assert (pending.status, pending.reason) == ("pending", "尚未评估")
        assert pending.explanation == "未评估：待定（按 0.00 计）"
        awarded = scored(ruleset(LOSSES), {"a": UnitFacts(assessments={"1.3": D("4.5")})})["a"].item("1.3")
        assert (awarded.points, awarded.status, awarded.explanation) == (D("4.50"), "scored", "评定 4.50（满分 5.00）")

    def test_a_floored_item_shows_the_whole_arithmetic_and_the_floor(self) -> None:
        line = scored(ruleset(LOSSES), {"a": UnitFacts(counts={"1.1": 7})})["a"].item("1.1")
        # 5 − 7 × 1 = −2 → 0.00, 2 absorbed
        assert (line.points, line.absorbed, line.count) == (D("0.00"), D("2"), 7)
        assert line.explanation == "5.00 − 7 × 1.00 = −2.00 → 扣完为止，计 0.00（超出的 2.00 不再扣）"

    def test_a_deadline_item_with_points_of_its_own_is_pending_on_an_unknown_year(self) -> None:
        body = CAPPED_AND_DEADLINE.replace('pool = "1"', "max = 2")
        facts = {"a": UnitFacts(deadlines={"1.2": DeadlineOutcome(1, ("2099 年未知", "2100 年未知"))})}
        sheet = scored(ruleset(body), facts)["a"]
        line = sheet.item("1.2")
        # one late report: 2 − 1 × 0.5 = 1.50, pending on the years the rest needs
        assert (line.points, line.status, line.reason, line.explanation, line.count) == (
            D("1.50"), "pending", "2099 年未知；2100 年未知", "2.00 − 1 × 0.50 = 1.50", 1)
        assert sheet.sections[0].reason == "1.2：2099 年未知；2100 年未知"


def test_a_section_says_which_items_wait_and_why_each_reason_once() -> None:
    taian = parse_ruleset(builtin_text(), "built-in:taian")
    sheet = next(s for s in score_city(taian, {}) if s.unit == "taishan")
    # nothing recorded: section 1's six assessments wait for the same reason; section 2's four work-order items
    # each for their own
    assert sheet.sections[0].reason == "1.1.1、1.1.2、1.2.1、1.2.2、1.2.3、1.3：尚未评估"
    assert sheet.sections[1].reason == ("2.3.1：无派发工单（Vmax = 0）；2.3.2：无计入群众满意率的工单；"
                                        "2.3.3：无计入回复群众率的工单；2.3.4：无计入按期办结率的工单")
    assert (sheet.sections[3].status, sheet.sections[3].reason) == ("scored", None)


class TestBonusCaps:
    def test_a_bonus_meeting_the_cap_exactly_is_not_capped(self) -> None:
        r = ruleset("[scoring]\nbonus_cap = 0.13\n" + BONUSES)
        line = scored(r, {"a": UnitFacts(counts={"1.1": 1})})["a"].item("1.1")
        # 1 × 0.125 → 0.13, exactly the cap
        assert (line.name, line.count, line.bonus, line.explanation) == ("表扬", 1, D("0.13"), "+ 1 × 0.12 = 0.13")

    def test_a_bonus_beyond_the_sections_cap_is_cut_and_says_so(self) -> None:
        r = ruleset(BONUSES.replace("max = 10", "max = 10\nbonus_cap = 0.2"))
        sheet = scored(r, {"a": UnitFacts(counts={"1.1": 1, "1.2": 1})})["a"]
        # 0.13, then 0.13 more is beyond the section's 0.20: 0.07
        assert [(i.bonus, i.explanation) for i in sheet.sections[0].items] == [
            (D("0.13"), "+ 1 × 0.12 = 0.13"), (D("0.07"), "+ 1 × 0.12 = 0.13 → 加分已达上限，计 0.07")]
        assert sheet.bonus == D("0.20")

    def test_the_smaller_of_the_section_and_ruleset_bonus_caps_holds(self) -> None:
        body = BONUSES.replace("max = 10", "max = 10\nbonus_cap = 0.2")
        counts = {"a": UnitFacts(counts={"1.1": 1, "1.2": 1})}
        assert scored(ruleset("[scoring]\nbonus_cap = 0.3\n" + body), counts)["a"].bonus == D("0.20")
        assert scored(ruleset("[scoring]\nbonus_cap = 0.15\n" + body), counts)["a"].bonus == D("0.15")


def test_a_report_on_time_before_an_unknown_year_is_not_pending(memory_ledger, today_is) -> None:
    from projections.deadlines import Period

    today_is(date(2027, 1, 5))
    app = memory_ledger
    app.adopt_ruleset(2026, builtin_text(), "built-in:taian", "tester")
    for kind, count in (("monthly", 12), ("quarterly", 4)):
        for number in range(1, count + 1):
            period = Period(kind, 2026, number)  # type: ignore[arg-type]
            app.submit_report(unit="taishan", kind=kind, period=str(period), on=period.end, evidence="OA",
                              actor="centre")
    sheet = next(s for s in open_reading(app, 2026, date(2026, 12, 31)).scores() if s.unit == "taishan")
    # December's and Q4's reports came on 31 December: on time whatever 2027's calendar says, so nothing waits
    for code in ("3.2.5.1", "3.2.5.2"):
        assert (sheet.item(code).status, sheet.item(code).deducted) == (None, D("0.00"))
    assert (sheet.item("3.2").status, sheet.item("3.2").points) == ("scored", D("30.00"))


RATE_AND_VOLUME = RATE + """
[[items]]
code = "1.2"
name = "承办量"
section = "1"
kind = "formula_volume"
max = 10
formula = "10 × (V / Vmax) ^ 0.5"
"""


def test_a_unit_with_only_an_order_due_this_year_has_no_volume_and_no_satisfaction_rate(memory_ledger,
                                                                                         tmp_path) -> None:
    adopt_tiny(memory_ledger, RATE_AND_VOLUME)
    # A1 was dispatched in 2024 and falls due in 2025: it counts in 2025's on-time rate only
    imported(memory_ledger, tmp_path, [order("A1", dispatched="2024-12-30 09:00:00", due="2025-01-06 09:00:00",
                                             completed="2025-01-03 09:00:00"),
                                       order("B1", unit="b", satisfaction="不满意")])
    sat = line(memory_ledger, "1.1")
    assert (sat.status, sat.numerator, sat.denominator) == ("pending", 0, 0)
    # b: 0 of 1 satisfied: 90 points below × 0.2 = 18: 2.00
    unsatisfied = line(memory_ledger, "1.1", unit="b")
    assert (unsatisfied.numerator, unsatisfied.denominator, unsatisfied.points) == (0, 1, D("2.00"))
    volume = line(memory_ledger, "1.2")
    # V = 0 against b's Vmax = 1: 10 × (0 / 1) ^ 0.5 = 0.00
    assert (volume.numerator, volume.points) == (0, D("0.00"))


CAPPED_SHEET = """
[scoring]
total_cap = 12

[[sections]]
code = "1"
name = "办理质量"
max = 10
cap = 9

[[sections]]
code = "2"
name = "组织领导"
max = 5

[[items]]
code = "1.1"
name = "退单不规范"
section = "1"
kind = "per_occurrence"
max = 10
amount = 1

[[items]]
code = "1.2"
name = "违反首接责任制"
section = "1"
pool = "1"
kind = "per_occurrence"
amount = 2

[[items]]
code = "1.3"
name = "表扬"
section = "1"
kind = "bonus"
amount = 1

[[items]]
code = "2.1"
name = "检查"
section = "2"
kind = "assessment"
max = 5
"""


def test_sections_and_the_total_show_their_arithmetic_with_floors_bonuses_and_caps() -> None:
    units = UNITS + '[[units]]\ncode = "c"\nname = "丙区"\n'
    sheets = scored(ruleset(CAPPED_SHEET, units), {
        "a": UnitFacts(counts={"1.1": 1, "1.2": 1, "1.3": 3}, assessments={"2.1": D("5")}),
        "b": UnitFacts(counts={"1.2": 10}),
        "c": UnitFacts(counts={"1.1": 1}, assessments={"2.1": D("3")})})
    a, b, c = sheets["a"], sheets["b"], sheets["c"]
    first = a.sections[0]
    # a: 9 (1.1) − 2 (1.2) + 3 bonus = 10, held at the section's 9; 9 + 5 = 14, held at the total's 12
    assert (first.name, first.points, first.capped) == ("办理质量", D("9"), D("1.00"))
    assert first.explanation == "9.00 − 2.00 + 加分 3.00 = 10.00 → 封顶 9.00（不超过 9.00 分，超出的 1.00 不计）"
    assert (a.name, a.total, a.capped) == ("甲区", D("12"), D("2.00"))
    assert a.explanation == "9.00 + 5.00 = 14.00 → 封顶 12.00（不超过 12.00 分，超出的 2.00 不计）"
    # b: 10 − 10 × 2 = −10 → floored at 0; nothing to cap
    assert (b.sections[0].points, b.sections[0].absorbed, b.sections[0].capped) == (D("0"), D("10.00"), D("0"))
    assert b.sections[0].explanation.startswith("10.00 − 20.00")
    # c: 9 + 3 = 12, exactly the total cap: not capped
    assert (c.total, c.capped, c.explanation) == (D("12.00"), D("0"), "9.00 + 3.00 = 12.00")


def test_a_section_meeting_its_cap_exactly_lists_each_deduction_and_is_not_capped() -> None:
    body = CAPPED_SHEET + """
[[items]]
code = "1.4"
name = "违反快速处理办法"
section = "1"
pool = "1"
kind = "per_occurrence"
amount = 1
"""
    sheet = scored(ruleset(body), {"a": UnitFacts(counts={"1.2": 1, "1.4": 1, "1.3": 2})})["a"]
    # 10 − 2 − 1 + 2 bonus = 9: the section's cap itself
    first = sheet.sections[0]
    assert (first.points, first.capped) == (D("9.00"), D("0"))
    assert first.explanation == "10.00 − 2.00 − 1.00 + 加分 2.00 = 9.00"
