"""A ruleset's own rate over extra export columns (解决情况, 回访情况), end to end through the CLI, on both backends.

The ruleset below scores 解决率 twice: over the orders called back successfully (回访情况 = 成功), and
over every completed order. 解决 counts 1, 部分解决 0.5. Each item has 10 points, full at 90 % and
above, 0.1 off per percentage point below.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import items_of, unit_of
from tests.ruleset_text import TWO_UNITS

RULESET = """
id = "xiaocheng"
name = "小城细则"

[workorders]
satisfaction_scale = ["满意", "不满意", "未评价"]
satisfied_values = ["满意"]
unrated_value = "未评价"
columns = [{ header = "解决情况", values = ["解决", "部分解决", "未解决"] },
           { header = "回访情况", values = ["成功", "失败"] }]
""" + TWO_UNITS + """
[[sections]]
code = "1"
name = "办理质量"
max = 20

[[rates]]
code = "resolution"
name = "解决率"
denominator = { "回访情况" = ["成功"] }
numerator = [{ where = { "解决情况" = ["解决"] } },
             { where = { "解决情况" = ["部分解决"] }, weight = 0.5 }]

[[rates]]
code = "completed_resolution"
name = "办结工单解决率"
denominator = { completed = ["是"] }
numerator = [{ where = { "解决情况" = ["解决"] } },
             { where = { "解决情况" = ["部分解决"] }, weight = 0.5 }]

[[items]]
code = "1.1"
name = "解决率（回访成功）"
section = "1"
kind = "rate_threshold"
rate = "resolution"
max = 10
threshold = 90
per_point = 0.1

[[items]]
code = "1.2"
name = "解决率（全部办结）"
section = "1"
kind = "rate_threshold"
rate = "completed_resolution"
max = 10
threshold = 90
per_point = 0.1
"""

HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "满意度", "解决情况", "回访情况", "导出时间"]
BUILT_IN_HEADER = HEADER[:6] + HEADER[8:]


def order(order_id: str, unit: str, resolved: str, callback: str, *, completed: str = "2025-04-03 10:00:00",
          exported: str = "2025-05-01 08:00:00") -> list[str]:
    """One export row of April 2025 with its 解决情况 and 回访情况."""
    return [order_id, unit, "2025-04-01 09:00:00", "2025-04-08 09:00:00", completed, "满意", resolved, callback,
            exported]


FIRST = [
    order("A1", "甲区", "解决", "成功"),
    order("A2", "甲区", "部分解决", "成功"),
    order("A3", "甲区", "未解决", "成功"),
    order("A4", "甲区", "解决", "失败"),
    order("A5", "甲区", "", "", completed=""),  # still open: in neither denominator
    order("B1", "乙区", "解决", "成功"),
    order("B2", "乙区", "解决", "成功"),
]
# A month later the centre called A3 back again: now 解决. Nothing else changed.
SECOND = [[*row[:6], "解决" if row[0] == "A3" else row[6], row[7], "2025-06-01 08:00:00"] for row in FIRST]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def score_items(cli: Any, unit: str) -> dict[str, dict[str, Any]]:
    return items_of(unit_of(cli.json("score", "--year", 2025, "--as-of", "2025-12-31"), unit))


def trace_item(cli: Any, unit: str, code: str) -> dict[str, Any]:
    (item,) = cli.json("trace", "--year", 2025, "--as-of", "2025-12-31", "--unit", unit, "--item", code)["items"]
    return item


def log_length(cli: Any) -> int:
    return len(cli.json("log"))


@pytest.fixture
def city(cli: Any, tmp_path: Path) -> Any:
    """The CLI on a store with the small city's ruleset for 2025 and its first export imported."""
    ruleset = tmp_path / "xiaocheng.toml"
    ruleset.write_text(RULESET, encoding="utf-8")
    assert cli("init", "--year", 2025, "--ruleset", ruleset).exit_code == 0
    counts = cli.json("import", "workorders", write(tmp_path / "april.csv", FIRST))
    assert (counts["new"], counts["changed"], counts["unchanged"]) == (7, 0, 0)
    return cli


class TestRateOverExtraColumns:
    def test_score_counts_the_weighted_rate_from_the_imported_columns(self, city: Any) -> None:
        items = score_items(city, "a")
        # 回访成功: A1 A2 A3 = 3 orders; 解决 1 + 部分解决 0.5 + 未解决 0 = 1.5; 1.5 / 3 = 50 %,
        # 40 points below 90 %: 10 − 40 × 0.1 = 6.00
        assert items["1.1"]["points"] == "6.00"
        # a numerator is a JSON number whatever the rate (docs/json.md): a weighted one with its fraction
        assert json.dumps([items["1.1"]["numerator"], items["1.1"]["denominator"]]) == "[1.5, 3]"
        # completed: A1 A2 A3 A4 = 4 orders (A5 is open); 1 + 0.5 + 0 + 1 = 2.5; 2.5 / 4 = 62.5 %,
        # 27.5 points below: 10 − 27.5 × 0.1 = 7.25
        assert items["1.2"]["points"] == "7.25"
        assert json.dumps([items["1.2"]["numerator"], items["1.2"]["denominator"]]) == "[2.5, 4]"

    def test_a_unit_that_resolved_every_order_has_full_marks(self, city: Any) -> None:
        items = score_items(city, "b")
        # B1 B2 解决 and 成功: 2 / 2 = 100 % ≥ 90 %: 10.00 each
        assert (items["1.1"]["points"], items["1.2"]["points"]) == ("10.00", "10.00")

    def test_trace_shows_the_arithmetic_of_the_rate(self, city: Any) -> None:
        item = trace_item(city, "a", "1.1")
        # 1.5 / 3 = 50.00 %, 40 points below 90 %: 10.00 − 40 × 0.10 = 6.00
        assert (item["rate"], item["points"]) == ("50.00", "6.00")
        assert item["explanation"].startswith("1.5/3 = 50.00% < 90%：10.00 − ")
        assert item["explanation"].endswith("= 6.00")

    def test_a_second_export_changing_one_order_records_only_that_change(self, city: Any, tmp_path: Path) -> None:
        counts = city.json("import", "workorders", write(tmp_path / "may.csv", SECOND))
        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 1, 6)

        items = score_items(city, "a")
        # A3 now 解决: 1 + 0.5 + 1 = 2.5 of 3 = 83.33…%, 6.66… below: 10 − 0.666… = 9.33
        assert items["1.1"]["points"] == "9.33"
        assert json.dumps([items["1.1"]["numerator"], items["1.1"]["denominator"]]) == "[2.5, 3]"
        # 1 + 0.5 + 1 + 1 = 3.5 of 4 = 87.5 %, 2.5 below: 10 − 0.25 = 9.75
        assert items["1.2"]["points"] == "9.75"
        item = trace_item(city, "a", "1.2")
        assert item["explanation"].startswith("3.5/4 = 87.50% < 90%：10.00 − ")
        assert item["points"] == "9.75"

    def test_importing_the_same_export_again_records_nothing(self, city: Any, tmp_path: Path) -> None:
        before = log_length(city)
        counts = city.json("import", "workorders", write(tmp_path / "april-again.csv", FIRST))
        assert (counts["new"], counts["changed"], counts["unchanged"], counts["events"]) == (0, 0, 7, 0)
        assert log_length(city) == before

    def test_an_export_without_the_columns_leaves_what_they_said(self, city: Any, tmp_path: Path) -> None:
        before = log_length(city)
        rows = [[*row[:6], "2025-06-01 08:00:00"] for row in FIRST]  # absent is not empty
        counts = city.json("import", "workorders", write(tmp_path / "plain.csv", rows, BUILT_IN_HEADER))
        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, 7)
        assert log_length(city) == before
        # still 1.5 / 3 → 6.00 and 2.5 / 4 → 7.25, as after the first export
        items = score_items(city, "a")
        assert (items["1.1"]["points"], items["1.2"]["points"]) == ("6.00", "7.25")

    def test_emptying_a_cell_is_recorded_and_the_order_no_longer_counts_as_resolved(self, city: Any,
                                                                                   tmp_path: Path) -> None:
        rows = [[*row[:6], "" if row[0] == "A1" else row[6], row[7], "2025-06-01 08:00:00"] for row in FIRST]
        counts = city.json("import", "workorders", write(tmp_path / "cleared.csv", rows))
        assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 1, 6)
        items = score_items(city, "a")
        # A1 stays in the denominator (成功) with no 解决情况: 0 + 0.5 + 0 = 0.5 of 3 = 16.66…%,
        # 73.33… below: 10 − 7.333… = 2.666… → 2.67
        assert items["1.1"]["points"] == "2.67"

    def test_a_value_the_ruleset_does_not_declare_is_refused_and_nothing_is_recorded(self, city: Any,
                                                                                      tmp_path: Path) -> None:
        before = log_length(city)
        rows = [[*row[:6], "已解决" if row[0] == "A3" else row[6], *row[7:]] for row in FIRST]
        result = city("import", "workorders", write(tmp_path / "typo.csv", rows))
        assert result.exit_code == 1
        assert "typo.csv:4:解决情况: '已解决' is not a value of 解决情况 (解决, 部分解决, 未解决)" in result.stderr
        assert log_length(city) == before
        assert score_items(city, "a")["1.1"]["points"] == "6.00"  # 1.5 / 3, as before

    def test_a_rate_over_a_column_no_export_has_carried_is_pending(self, cli: Any, tmp_path: Path) -> None:
        ruleset = tmp_path / "xiaocheng.toml"
        ruleset.write_text(RULESET, encoding="utf-8")
        assert cli("init", "--year", 2025, "--ruleset", ruleset).exit_code == 0
        rows = [[*row[:6], row[8]] for row in FIRST]
        cli.json("import", "workorders", write(tmp_path / "plain.csv", rows, BUILT_IN_HEADER))
        item = score_items(cli, "a")["1.1"]
        assert item["status"] == "pending"
        assert "解决情况" in item["reason"] and "回访情况" in item["reason"]
