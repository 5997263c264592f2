"""A per-order rule (kind ``per_order``) computed from the imported orders, through the CLI, on both backends.

The small ruleset below deducts, in March 2025 (Mon 3 … Fri 7, Sat 8, Sun 9, Mon 10):
- 1.1: 0.2 for each order completed later than 3 working days after its due time (the end of the 3rd
  working day after the due date; the due date itself is not counted), out of 5;
- 1.2: 0.1 for each order signed (签收时间, an export column of type time) later than 2 working hours
  after dispatch, working hours 09:00–12:00 and 13:30–17:30, out of 5, deducting at most 0.2.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import items_of, unit_of
from tests.ruleset_text import TWO_UNITS

RULESET = """
id = "shicheng"
name = "时限细则"

[workorders]
columns = [{ header = "签收时间", type = "time" }]

[calendar]
working_hours = ["09:00-12:00", "13:30-17:30"]
""" + TWO_UNITS + """
[[sections]]
code = "1"
name = "办理时效"
max = 10

[[items]]
code = "1.1"
name = "超期3个工作日以上办结"
section = "1"
kind = "per_order"
start = "due"
end = "completed"
working_days = 3
year_by = "due"
amount = 0.2
max = 5

[[items]]
code = "1.2"
name = "派单后2个工作小时内未签收"
section = "1"
kind = "per_order"
start = "dispatched"
end = "签收时间"
working_hours = 2
amount = 0.1
max = 5
cap = 0.2
"""

HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "签收时间"]
ORDERS = [
    # id, unit, dispatched, due, completed, signed
    ["A0", "甲区", "2024-12-20 09:00:00", "2024-12-27 18:00:00", "2025-01-20 10:00:00", "2024-12-20 15:00:00"],
    ["A1", "甲区", "2025-03-03 10:00:00", "2025-03-03 18:00:00", "2025-03-06 23:59:59", "2025-03-03 12:00:00"],
    ["A2", "甲区", "2025-03-03 11:00:00", "2025-03-03 18:00:00", "2025-03-07 08:00:00", "2025-03-03 14:31:00"],
    ["A3", "甲区", "2025-03-05 09:00:00", "2025-03-05 12:00:00", "2025-03-10 09:00:00", "2025-03-05 09:10:00"],
    ["A4", "甲区", "2025-03-03 18:00:00", "2025-03-10 18:00:00", "2025-03-04 10:00:00", "2025-03-04 11:00:01"],
    ["A5", "甲区", "2025-03-03 09:00:00", "2025-03-03 18:00:00", "", ""],
    ["A6", "甲区", "2025-03-07 17:00:00", "2025-03-14 18:00:00", "2025-03-10 12:00:00", "2025-03-10 09:30:00"],
    ["A7", "甲区", "2025-03-04 10:00:00", "2025-03-11 18:00:00", "2025-03-05 10:00:00", "2025-03-04 13:30:00"],
    ["A8", "甲区", "2025-03-04 10:00:00", "2025-03-11 18:00:00", "2025-03-05 10:00:00", "2025-03-04 13:30:01"],
    ["B1", "乙区", "2025-03-03 09:00:00", "2025-03-10 18:00:00", "2025-03-04 10:00:00", "2025-03-03 09:30:00"],
]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def score_items(cli: Any, unit: str, as_of: str = "2025-12-31") -> dict[str, dict[str, Any]]:
    return items_of(unit_of(cli.json("score", "--year", 2025, "--as-of", as_of), unit))


def trace_item(cli: Any, unit: str, code: str) -> dict[str, Any]:
    (item,) = cli.json("trace", "--year", 2025, "--as-of", "2025-12-31", "--unit", unit, "--item", code)["items"]
    return item


@pytest.fixture
def city(cli: Any, tmp_path: Path) -> Any:
    """The CLI on a store with the ruleset for 2025 and the orders imported."""
    ruleset = tmp_path / "shicheng.toml"
    ruleset.write_text(RULESET, encoding="utf-8")
    assert cli("init", "--year", 2025, "--ruleset", ruleset).exit_code == 0
    counts = cli.json("import", "workorders", write(tmp_path / "march.csv", ORDERS))
    assert counts["new"] == 10
    return cli


class TestLateByWorkingDays:
    def test_orders_completed_after_the_third_working_day_after_due_deduct_each(self, city: Any) -> None:
        item = score_items(city, "a")["1.1"]
        # A0 is due in 2024 (year_by = due): not this year's. A1 due Mon 3 → limit Thu 6 23:59:59, completed exactly
        # then: in time. A2 completed Fri 7 08:00: late. A3 due Wed 5 → Thu 6, Fri 7, (Sat, Sun) Mon 10 23:59:59,
        # completed Mon 10 09:00: in time. A4 and A6 were completed before they were due. A5 still open, its limit
        # (Thu 6) long passed: late.
        # 2 orders: 5 − 2 × 0.2 = 4.60
        assert (item["points"], item["status"], item["count"]) == ("4.60", "scored", 2)

    def test_a_ruling_that_makes_saturday_a_working_day_brings_the_limit_forward(self, city: Any) -> None:
        assert city("calendar", "set", "2025-03-08", "--workday", "--evidence", "调休通知").exit_code == 0
        item = score_items(city, "a")["1.1"]
        # A3's third working day after Wed 5 is now Sat 8: completed Mon 10 09:00 is late. 3 orders:
        # 5 − 3 × 0.2 = 4.40
        assert (item["points"], item["count"]) == ("4.40", 3)

    def test_an_open_order_counts_only_once_its_limit_has_passed(self, city: Any) -> None:
        # As of Thu 6 the limit of A5 (Thu 6 23:59:59) has not passed yet; A2's completion (Fri 7) is still to come.
        assert score_items(city, "a", "2025-03-06")["1.1"]["count"] == 0
        # As of Fri 7: A5 is late, A2 too (completed after its limit); 5 − 2 × 0.2 = 4.60
        item = score_items(city, "a", "2025-03-07")["1.1"]
        assert (item["points"], item["count"]) == ("4.60", 2)

    def test_trace_lists_the_orders_with_their_limits(self, city: Any) -> None:
        item = trace_item(city, "a", "1.1")
        assert item["kind"] == "per_order"
        assert item["explanation"] == "5.00 − 2 × 0.20 = 4.60"
        assert [(o["order_id"], o["limit"], o["end"]) for o in item["orders"]] == [
            ("A2", "2025-03-06T23:59:59", "2025-03-07T08:00:00"), ("A5", "2025-03-06T23:59:59", None)]
        assert (item["orders"][0]["screened_out"], item["orders"][0]["screenings"]) == (False, [])
        assert item["orders"][0]["reason"] == ("办结时间 2025-03-07T08:00:00+08:00 > 时限 2025-03-06T23:59:59+08:00"
                                               "（办结时限 2025-03-03T18:00:00+08:00 后3个工作日）")

    def test_a_unit_with_every_order_in_time_keeps_full_marks(self, city: Any) -> None:
        items = score_items(city, "b")
        assert (items["1.1"]["points"], items["1.1"]["count"]) == ("5.00", 0)
        assert (items["1.2"]["points"], items["1.2"]["count"]) == ("5.00", 0)
        assert trace_item(city, "b", "1.2")["orders"] == []


class TestLateByWorkingHours:
    def test_orders_signed_after_two_working_hours_deduct_up_to_the_cap(self, city: Any) -> None:
        item = score_items(city, "a")["1.2"]
        # A0 dispatched in 2024: not this year's. A1 10:00 + 2 h = 12:00, signed exactly then: in time.
        # A2 11:00 + 1 h (to 12:00) + 1 h (from 13:30) = 14:30, signed 14:31: late. A3 signed 10 minutes after
        # dispatch. A4 dispatched after hours (18:00): Tue 09:00 + 2 h = 11:00, signed 11:00:01: late. A5 never
        # signed, limit 11:00 long passed: late. A6 Fri 17:00 + 0.5 h, then Mon 10 09:00 + 1.5 h = 10:30,
        # signed 09:30: in time. A7 and A8 Tue 10:00 + 2 h = 12:00, the end of the morning: no working time passes
        # until 13:30, so A7 signed at 13:30 is in time, A8 a second later late.
        # 4 × 0.1 = 0.4, at most 0.2: 5 − 0.2 = 4.80
        assert (item["points"], item["count"]) == ("4.80", 4)
        assert trace_item(city, "a", "1.2")["explanation"] == "5.00 − min(4 × 0.10, 最多扣 0.20) = 4.80"

    def test_a_working_saturday_counts_its_working_hours(self, city: Any) -> None:
        assert city("calendar", "set", "2025-03-08", "--workday", "--evidence", "调休通知").exit_code == 0
        # A6: Fri 17:00 + 0.5 h, then Sat 8 09:00 + 1.5 h = 10:30 Sat; signed Mon 09:30: late. 5 orders.
        item = trace_item(city, "a", "1.2")
        assert [(o["order_id"], o["limit"]) for o in item["orders"]] == [
            ("A2", "2025-03-03T14:30:00"), ("A4", "2025-03-04T11:00:00"), ("A5", "2025-03-03T11:00:00"),
            ("A6", "2025-03-08T10:30:00"), ("A8", "2025-03-04T13:30:00")]
        assert item["points"] == "4.80"  # 5 × 0.1 = 0.5, at most 0.2

    def test_the_score_adds_up(self, city: Any) -> None:
        unit = unit_of(city.json("score", "--year", 2025, "--as-of", "2025-12-31"), "a")
        assert unit["total"] == "9.40"  # 4.60 + 4.80

    def test_the_trace_table_and_the_reports_list_the_orders(self, city: Any, tmp_path: Path) -> None:
        table = city("trace", "--year", 2025, "--as-of", "2025-12-31", "--unit", "a", "--item", "1.2")
        assert table.exit_code == 0, table.output
        assert "后2个工作小时）" in table.stdout  # an order's reason, in the orders' table (cut to the width)
        for fmt in ("html", "xlsx"):
            out = tmp_path / f"score.{fmt}"
            assert city("score", "--year", 2025, "--as-of", "2025-12-31", "--format", fmt, "--output",
                        out).exit_code == 0
            assert out.stat().st_size > 0


class TestTimeColumns:
    def test_a_time_column_that_is_not_a_time_refuses_the_whole_file(self, city: Any, tmp_path: Path) -> None:
        before = len(city.json("log"))
        rows = [[*row[:5], "昨天下午" if row[0] == "A1" else row[5]] for row in ORDERS]
        result = city("import", "workorders", write(tmp_path / "bad.csv", rows))
        assert result.exit_code == 1
        assert "bad.csv:3:签收时间: not a time: '昨天下午'" in result.stderr
        assert len(city.json("log")) == before

    def test_a_rule_over_a_column_no_order_carries_is_pending(self, cli: Any, tmp_path: Path) -> None:
        ruleset = tmp_path / "shicheng.toml"
        ruleset.write_text(RULESET, encoding="utf-8")
        assert cli("init", "--year", 2025, "--ruleset", ruleset).exit_code == 0
        cli.json("import", "workorders", write(tmp_path / "plain.csv", [r[:5] for r in ORDERS], HEADER[:5]))
        item = score_items(cli, "a")["1.2"]
        assert (item["status"], item["points"]) == ("pending", "5.00")
        assert item["reason"] == "账本尚未保存派单后2个工作小时内未签收所需的导出列：签收时间"


class TestRulesCheck:
    def test_the_rule_is_described_in_words(self, cli: Any, tmp_path: Path) -> None:
        path = tmp_path / "shicheng.toml"
        path.write_text(RULESET, encoding="utf-8")
        doc = cli.json("rules", "check", path)
        rules = {i["code"]: i["rule"] for i in doc["sections"][0]["items"]}
        assert rules["1.1"] == ("办结时间晚于办结时限后3个工作日的工单，每件扣0.2分，满分5分，扣完为止"
                                "（工单按办结时限归属年度；办结时间为空的工单，时限一过即计入）")
        assert rules["1.2"].startswith("签收时间晚于派单时间后2个工作小时的工单，每件扣0.1分，满分5分，本项最多扣0.2分")

    def test_unknown_times_and_missing_working_hours_are_refused(self, cli: Any, tmp_path: Path) -> None:
        text = (RULESET.replace('working_hours = ["09:00-12:00", "13:30-17:30"]', "")
                .replace('start = "due"', 'start = "受理时间"'))
        path = tmp_path / "bad.toml"
        path.write_text(text, encoding="utf-8")
        result = cli("rules", "check", path)
        assert result.exit_code == 1
        assert "items[0](1.1).start: unknown time '受理时间'" in result.stderr
        assert "items[1](1.2).working_hours: needs the working day's hours in [calendar] working_hours" in result.stderr

    def test_both_limits_at_once_are_refused(self, cli: Any, tmp_path: Path) -> None:
        path = tmp_path / "bad.toml"
        path.write_text(RULESET.replace("working_days = 3", "working_days = 3\nworking_hours = 4"), encoding="utf-8")
        result = cli("rules", "check", path)
        assert result.exit_code == 1
        assert "give exactly one of working_days and working_hours" in result.stderr


def test_a_per_order_item_is_computed_never_recorded(city: Any) -> None:
    before = len(city.json("log"))
    result = city("record", "--unit", "a", "--item", "1.1", "--date", "2025-03-10", "--evidence", "工单A2")
    assert result.exit_code == 1
    assert "item 1.1 is of kind per_order: it is not recorded as occurrences" in result.stderr
    assert len(city.json("log")) == before
