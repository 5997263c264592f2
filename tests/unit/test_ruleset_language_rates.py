"""The extended ruleset language (issue 8), part two: rates a ruleset defines itself, monthly
averages, items scored by rank, and volume formulas — on small synthetic rulesets and hand-made facts.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.domain.errors import RulesetInvalid
from ledger.rulesets.loading import parse_ruleset
from ledger.rulesets.rates import count_rate
from ledger.rulesets.schema import Ruleset
from projections.scores import RateCounts, UnitFacts, UnitScore, score_city


def ruleset(body: str, units: tuple[str, ...] = ("a", "b")) -> Ruleset:
    declared = "".join(f'[[units]]\ncode = "{u}"\nname = "{u}区"\n\n' for u in units)
    return parse_ruleset(f'id = "tiny"\nname = "小城细则"\n{declared}[[sections]]\ncode = "1"\nname = "办理"\n'
                         f"max = 100\n\n{body}", "tiny.toml")


def problems(body: str) -> list[str]:
    with pytest.raises(RulesetInvalid) as caught:
        ruleset(body)
    return caught.value.problems


def scored(r: Ruleset, facts: dict[str, UnitFacts]) -> dict[str, UnitScore]:
    return {s.unit: s for s in score_city(r, facts)}


RESOLUTION = """
[workorders]
satisfaction_scale = ["非常满意", "满意", "理解", "不满意", "未评价"]
satisfied_values = ["非常满意", "满意", "理解"]
unrated_value = "未评价"
columns = [{ header = "解决情况", values = ["解决", "部分解决", "未解决"] },
           { header = "回访情况", values = ["回访成功", "回访失败"] }]

[[rates]]
code = "resolution"
name = "解决率"
denominator = { "回访情况" = ["回访成功"] }
numerator = [{ where = { "解决情况" = ["解决"] } }, { where = { "解决情况" = ["部分解决"] }, weight = 0.5 }]

[[rates]]
code = "completed_satisfaction"
name = "办结工单满意率"
denominator = { completed = ["是"] }
numerator = [{ where = { satisfaction = ["非常满意", "满意", "理解"] } }]

[[items]]
code = "1.1"
name = "解决率"
section = "1"
kind = "rate_threshold"
rate = "resolution"
max = 10
threshold = 90
per_point = 0.5
"""


class TestDefinedRates:
    def test_a_weighted_numerator_counts_partly_resolved_orders_by_half(self) -> None:
        rate = ruleset(RESOLUTION).rate_definition("resolution")
        assert rate is not None
        orders = [{"解决情况": "解决", "回访情况": "回访成功"}, {"解决情况": "部分解决", "回访情况": "回访成功"},
                  {"解决情况": "未解决", "回访情况": "回访成功"}, {"解决情况": "解决", "回访情况": "回访失败"}]
        # the failed call-back leaves the denominator: (1 + 0.5 × 1 + 0) / 3
        assert count_rate(rate, orders) == (Decimal("1.5"), 3)

    def test_an_order_outside_the_denominator_is_skipped_and_the_orders_after_it_still_count(self) -> None:
        rate = ruleset(RESOLUTION).rate_definition("resolution")
        assert rate is not None
        orders = [{"解决情况": "解决", "回访情况": "回访失败"}, {"解决情况": "部分解决", "回访情况": "回访成功"}]
        # the first order's call-back failed: it leaves the denominator; the second counts 0.5 of 1
        assert count_rate(rate, orders) == (Decimal("0.5"), 1)

    def test_a_denominator_of_all_completed_orders_and_a_satisfaction_scale_of_its_own(self) -> None:
        rate = ruleset(RESOLUTION).rate_definition("completed_satisfaction")
        assert rate is not None
        orders = [{"completed": "是", "satisfaction": "非常满意"}, {"completed": "是", "satisfaction": "理解"},
                  {"completed": "是", "satisfaction": "不满意"}, {"completed": "是", "satisfaction": "未评价"},
                  {"completed": "否", "satisfaction": "满意"}]
        # four completed orders; 非常满意 and 理解 count as satisfied, 未评价 does not: 2 / 4
        assert count_rate(rate, orders) == (Decimal(2), 4)

    def test_an_item_scores_a_defined_rate_with_a_weighted_numerator(self) -> None:
        facts = {"a": UnitFacts(rates={"resolution": RateCounts(Decimal("448.5"), 500)})}
        line = scored(ruleset(RESOLUTION), facts)["a"].item("1.1")
        # 448.5 / 500 = 89.7 %, 0.3 points below 90 %: 10 − 0.3 × 0.5 = 9.85
        assert line.points == Decimal("9.85")
        assert line.explanation.startswith("448.5/500 = 89.70% < 90%")

    def test_a_rate_over_a_column_the_ledger_does_not_keep_is_pending_with_the_reason(self) -> None:
        facts = {"a": UnitFacts(rate_pending={"resolution": "账本尚未保存解决率所需的导出列：解决情况"})}
        line = scored(ruleset(RESOLUTION), facts)["a"].item("1.1")
        assert (line.status, line.points) == ("pending", Decimal("0.00"))
        assert "解决情况" in (line.reason or "")

    def test_a_condition_on_an_undeclared_column_is_refused(self) -> None:
        found = problems(RESOLUTION.replace('"回访情况" = ["回访成功"]', '"回访结果" = ["回访成功"]'))
        assert len(found) == 1
        assert found[0].startswith("rates[0](resolution).denominator: unknown field '回访结果'")

    def test_a_value_not_on_the_columns_list_is_refused(self) -> None:
        assert problems(RESOLUTION.replace('["部分解决"]', '["基本解决"]')) == [
            "rates[0](resolution).numerator[1].where.解决情况: no such value 基本解决 (values: 解决, 部分解决, 未解决)"]

    def test_an_item_naming_an_unknown_rate_is_refused(self) -> None:
        assert problems(RESOLUTION.replace('rate = "resolution"', 'rate = "resolve"')) == [
            "items[0](1.1).rate: unknown rate 'resolve' (known: completed_satisfaction, ontime, reply, resolution, "
            "satisfaction)"]


MONTHLY = """
[[items]]
code = "1.1"
name = "按期办结率"
section = "1"
kind = "rate_threshold"
rate = "ontime"
max = 10
threshold = 100
per_point = 0.1
period = "monthly_average"
"""


class TestMonthlyAverage:
    def test_the_year_is_the_average_of_the_months_with_orders_rounded_once(self) -> None:
        facts = {"a": UnitFacts(monthly_rates={"ontime": {
            "2025-01": RateCounts(2, 3), "2025-02": RateCounts(5, 5), "2025-03": RateCounts(0, 0)}})}
        line = scored(ruleset(MONTHLY), facts)["a"].item("1.1")
        # January 2/3: 10 − 33.33… × 0.1 = 6.6666…; February 100 %: 10; March has no order and is left out.
        # (6.6666… + 10) / 2 = 8.3333… → 8.33 (rounding each month first would give (6.67 + 10) / 2 = 8.34)
        assert line.points == Decimal("8.33")
        assert line.explanation.startswith("2 个月平均：(6.67 + 10.00) / 2 = 8.33")

    def test_pooled_counts_would_score_differently(self) -> None:
        pooled = ruleset(MONTHLY.replace('period = "monthly_average"', 'period = "year"'))
        line = scored(pooled, {"a": UnitFacts(rates={"ontime": RateCounts(7, 8)})})["a"].item("1.1")
        # the same orders pooled: 7/8 = 87.5 %, 12.5 points below: 10 − 1.25 = 8.75
        assert line.points == Decimal("8.75")

    def test_a_unit_with_no_month_of_orders_is_pending(self) -> None:
        line = scored(ruleset(MONTHLY), {})["a"].item("1.1")
        assert (line.status, line.points) == ("pending", Decimal("0.00"))


RANKED = """
[[items]]
code = "1.1"
name = "满意率排名"
section = "1"
kind = "rank"
by = "satisfaction"
max = 10
step = 2
min_points = 3
"""


class TestRankItems:
    UNITS = ("a", "b", "c", "d", "e")

    def facts(self) -> dict[str, UnitFacts]:
        rates = {"a": (9, 10), "b": (18, 20), "c": (8, 10), "d": (1, 10)}  # e has no rated order
        return {u: UnitFacts(rates={"satisfaction": RateCounts(n, d)}) for u, (n, d) in rates.items()}

    def test_rank_one_scores_full_and_ties_share_the_better_rank(self) -> None:
        sheets = scored(ruleset(RANKED, self.UNITS), self.facts())
        # a and b both 90 %: rank 1 (10.00); c 80 % rank 3: 10 − 2 × 2 = 6.00; d rank 4: 10 − 3 × 2 = 4.00
        assert {u: sheets[u].item("1.1").points for u in "abcd"} == {
            "a": Decimal("10.00"), "b": Decimal("10.00"), "c": Decimal("6.00"), "d": Decimal("4.00")}
        assert [sheets[u].item("1.1").rank for u in "abcd"] == [1, 1, 3, 4]

    def test_a_unit_with_nothing_to_rank_is_pending(self) -> None:
        line = scored(ruleset(RANKED, self.UNITS), self.facts())["e"].item("1.1")
        assert (line.status, line.rank) == ("pending", None)
        assert line.reason == "无群众满意率数值，无法排名"
        assert line.explanation == "无群众满意率数值，无法排名：待定（按 0.00 计）"

    def test_a_low_rank_is_held_at_the_floor(self) -> None:
        sheets = scored(ruleset(RANKED.replace("step = 2", "step = 4"), self.UNITS), self.facts())
        # d rank 4: 10 − 3 × 4 = −2, held at 3.00
        assert sheets["d"].item("1.1").points == Decimal("3.00")
        assert sheets["d"].item("1.1").explanation == (
            "群众满意率第 4 名（共 4 个单位）：10.00 − (4 − 1) × 4.00 = −2.00 → 保底 3.00")

    def test_low_first_ranks_the_smallest_value_first(self) -> None:
        sheets = scored(ruleset(RANKED + 'order = "low_first"\n', self.UNITS), self.facts())
        # d 10 % rank 1, c 80 % rank 2, a and b 90 % share rank 3: 10 − 2 × 2 = 6.00
        assert [sheets[u].item("1.1").rank for u in "dcab"] == [1, 2, 3, 3]
        assert sheets["a"].item("1.1").points == Decimal("6.00")

    def test_ranking_by_something_unknown_is_refused(self) -> None:
        found = problems(RANKED.replace('by = "satisfaction"', 'by = "calls"'))
        assert found == ["items[0](1.1).by: cannot rank by 'calls' (volume or a rate: ontime, reply, satisfaction)"]


POWER = """
[[items]]
code = "1.1"
name = "承办量"
section = "1"
kind = "formula_volume"
max = 10
formula = "10 × (V / Vmax) ^ 0.5"
"""


class TestVolumeFormulas:
    def test_a_power_formula_is_evaluated_exactly(self) -> None:
        sheets = scored(ruleset(POWER, ("a", "b", "c")), {
            "a": UnitFacts(volume=100), "b": UnitFacts(volume=25), "c": UnitFacts(volume=50)})
        # b: 10 × (25/100) ^ 0.5 = 10 × 0.5 = 5.00; c: 10 × √0.5 = 7.0710… → 7.07
        assert sheets["b"].item("1.1").points == Decimal("5.00")
        assert sheets["c"].item("1.1").points == Decimal("7.07")
        assert sheets["b"].item("1.1").explanation == "10 × (25 / 100) ^ 0.5 = 5.00"

    def test_a_formula_result_is_held_within_the_items_points(self) -> None:
        r = ruleset(POWER.replace("10 × (V / Vmax) ^ 0.5", "12 × V / Vmax"))
        line = scored(r, {"a": UnitFacts(volume=10), "b": UnitFacts(volume=5)})["a"].item("1.1")
        # 12 × 10 / 10 = 12, held at max 10.00
        assert line.points == Decimal("10.00")
        assert line.explanation.endswith("→ 封顶 10.00")

    def test_a_formula_naming_an_unknown_value_is_refused(self) -> None:
        assert problems(POWER.replace("Vmax", "Vmin")) == [
            "items[0](1.1).formula: unknown name 'Vmin'; known names: V, Vmax, max"]

    def test_a_formula_that_does_not_parse_names_the_key_and_the_column(self) -> None:
        found = problems(POWER.replace("^ 0.5", "** 0.5"))
        assert found[0].startswith("items[0](1.1).formula: '**' is not an operator; write powers with '^' at column")
