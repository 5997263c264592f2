"""Rates whose conditions measure a duration (``within``): counted from the orders, through the CLI, on both backends.

The ruleset below scores, over the orders of ``test_cli_per_order`` (March 2025: Mon 3 … Fri 7, Sat 8, Sun 9,
Mon 10; working hours 09:00–12:00 and 13:30–17:30):
- 签收及时率 ``signing``: orders signed (签收时间) within 2 working hours of dispatch ÷ orders dispatched;
- 快速办结率 ``quick``: orders completed within 3 working days of dispatch ÷ orders dispatched;
- 及时签收工单快速办结率 ``signed_quick``: of the orders signed within 2 working hours (``denominator_within``),
  those completed within 3 working days.
Each is a ``rate_threshold`` item: 10 points at 100 %, 0.1 off per point below.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import items_of, unit_of
from tests.e2e.test_cli_per_order import HEADER, ORDERS, write
from tests.ruleset_text import TWO_UNITS

SIGNED = '{ start = "dispatched", end = "签收时间", working_hours = 2 }'
QUICK = '{ start = "dispatched", end = "completed", working_days = 3 }'

RULESET = """
id = "shicheng_rates"
name = "时限比率细则"

[workorders]
columns = [{ header = "签收时间", type = "time" }]

[calendar]
working_hours = ["09:00-12:00", "13:30-17:30"]
""" + TWO_UNITS + f"""
[[rates]]
code = "signing"
name = "签收及时率"
numerator = [{{ within = {SIGNED} }}]

[[rates]]
code = "quick"
name = "快速办结率"
numerator = [{{ within = {QUICK} }}]

[[rates]]
code = "signed_quick"
name = "及时签收工单快速办结率"
denominator_within = {SIGNED}
numerator = [{{ within = {QUICK} }}]

[[sections]]
code = "1"
name = "办理时效"
max = 30
""" + "".join(f"""
[[items]]
code = "1.{k}"
name = "{name}"
section = "1"
kind = "rate_threshold"
rate = "{code}"
max = 10
threshold = 100
per_point = 0.1
""" for k, (code, name) in enumerate((("signing", "签收及时率"), ("quick", "快速办结率"),
                                      ("signed_quick", "及时签收工单快速办结率")), 1))


def score_items(cli: Any, unit: str, as_of: str = "2025-12-31") -> dict[str, dict[str, Any]]:
    return items_of(unit_of(cli.json("score", "--year", 2025, "--as-of", as_of), unit))


def counts(cli: Any, unit: str = "a", as_of: str = "2025-12-31") -> dict[str, tuple[Any, ...]]:
    """item → (numerator, denominator, points)."""
    return {code: (i.get("numerator"), i.get("denominator"), i["points"])
            for code, i in score_items(cli, unit, as_of).items()}


def trace_orders(cli: Any, code: str, unit: str = "a") -> list[tuple[str, str]]:
    (item,) = cli.json("trace", "--year", 2025, "--as-of", "2025-12-31", "--unit", unit, "--item", code)["items"]
    return [(o["order_id"], o["reason"]) for o in item["orders"]]


@pytest.fixture
def city(cli: Any, tmp_path: Path) -> Any:
    """The CLI on a store with the ruleset for 2025 and the orders imported."""
    ruleset = tmp_path / "shicheng.toml"
    ruleset.write_text(RULESET, encoding="utf-8")
    result = cli("init", "--year", 2025, "--ruleset", ruleset)
    assert result.exit_code == 0, result.output
    assert cli.json("import", "workorders", write(tmp_path / "march.csv", ORDERS))["new"] == 10
    return cli



class TestCounts:
    def test_each_rate_counts_the_orders_within_their_limits(self, city: Any) -> None:
        # 甲区's 2025 orders A1…A8 (A0 was dispatched in 2024). Signed within 2 working hours (the limits of
        # test_cli_per_order's 1.2): A1 (12:00 exactly), A3, A6, A7 (13:30 exactly, after the lunch break); late
        # A2, A4, A8 and A5 (never signed): 4/8 = 50 % → 10 − 50 × 0.1 = 5.00.
        # Completed within 3 working days of dispatch: A1 (Mon 3 → Thu 6 23:59:59, completed exactly then), A3
        # (Wed 5 → Mon 10 23:59:59, completed Mon 10 09:00), A4, A6 (Fri 7 → Wed 12), A7, A8; late A2 (Fri 7
        # 08:00 > Thu 6) and A5 (open, its limit passed): 6/8 = 75 % → 7.50.
        # Of the 4 signed in time, all completed within 3 working days: 4/4 → 10.00.
        assert counts(city) == {"1.1": (4, 8, "5.00"), "1.2": (6, 8, "7.50"), "1.3": (4, 4, "10.00")}
        assert counts(city, "b") == {"1.1": (1, 1, "10.00"), "1.2": (1, 1, "10.00"), "1.3": (1, 1, "10.00")}

    def test_a_ruling_re_derives_the_rates(self, city: Any) -> None:
        assert city("calendar", "set", "2025-03-08", "--workday", "--evidence", "调休通知").exit_code == 0
        # Sat 8 a working day: A6 (Fri 17:00 + 0.5 h, Sat 09:00 + 1.5 h = Sat 10:30) signed Mon 09:30 is late:
        # 3/8 = 37.5 % → 10 − 62.5 × 0.1 = 3.75. A3's third working day after Wed 5 is Sat 8: completed Mon 10 is
        # late: 5/8 = 62.5 % → 6.25. Signed in time now A1, A3, A7, of which A1 and A7 completed in time:
        # 2/3 = 66.67 % → 10 − 33.33… × 0.1 = 6.67.
        assert counts(city) == {"1.1": (3, 8, "3.75"), "1.2": (5, 8, "6.25"), "1.3": (2, 3, "6.67")}

    def test_an_end_still_to_come_is_in_time_until_its_limit_passes(self, city: Any) -> None:
        # As of Mon 3, A1, A2, A4 and A5 are dispatched. Signing: A1 in time, A2 late (14:31 > 14:30), A4 signs on
        # Tue 4 (not yet; its limit Tue 11:00 has not passed), A5 unsigned past its limit 11:00: 2/4.
        # Completion: none is completed yet and no limit (Thu 6 at the earliest) has passed: 4/4.
        assert counts(city, "a", "2025-03-03") == {"1.1": (2, 4, "5.00"), "1.2": (4, 4, "10.00"),
                                                   "1.3": (2, 2, "10.00")}


class TestTrace:
    def test_trace_lists_the_late_orders_with_their_limits(self, city: Any) -> None:
        assert trace_orders(city, "1.1") == [
            ("A2", "签收时间 2025-03-03T14:31:00+08:00 > 时限 2025-03-03T14:30:00+08:00"
                   "（派单时间 2025-03-03T11:00:00+08:00 后2个工作小时）"),
            ("A4", "签收时间 2025-03-04T11:00:01+08:00 > 时限 2025-03-04T11:00:00+08:00"
                   "（派单时间 2025-03-03T18:00:00+08:00 后2个工作小时）"),
            ("A5", "签收时间 未签收时间（截至 2025-12-31） > 时限 2025-03-03T11:00:00+08:00"
                   "（派单时间 2025-03-03T09:00:00+08:00 后2个工作小时）"),
            ("A8", "签收时间 2025-03-04T13:30:01+08:00 > 时限 2025-03-04T13:30:00+08:00"
                   "（派单时间 2025-03-04T10:00:00+08:00 后2个工作小时）")]
        assert [o for o, _ in trace_orders(city, "1.2")] == ["A2", "A5"]
        assert trace_orders(city, "1.2")[0][1] == ("办结时间 2025-03-07T08:00:00+08:00 > 时限 2025-03-06T23:59:59+08:00"
                                                    "（派单时间 2025-03-03T11:00:00+08:00 后3个工作日）")
        assert trace_orders(city, "1.3") == []

    def test_the_late_orders_are_listed_by_order_id_after_a_re_import_changes_some(self, city: Any,
                                                                                   tmp_path: Path) -> None:
        # A re-import that restates A2 and A4 (both still signed late) rewrites their rows in the read model: on
        # PostgreSQL the new row versions come after A5's and A8's in the table, so only the query's own order puts
        # them back in id order (docs/mutation.md: order_rates._orders' ORDER BY).
        signed = {"A2": "2025-03-03 14:32:00", "A4": "2025-03-04 11:00:02"}
        later = [[*row[:5], signed[row[0]]] if row[0] in signed else row for row in ORDERS]
        assert city.json("import", "workorders", write(tmp_path / "march-again.csv", later))["changed"] == 2
        assert [o for o, _ in trace_orders(city, "1.1")] == ["A2", "A4", "A5", "A8"]

    def test_the_trace_table_shows_the_reasons(self, city: Any) -> None:
        table = city("trace", "--year", 2025, "--as-of", "2025-12-31", "--unit", "a", "--item", "1.2")
        assert table.exit_code == 0, table.output
        assert "后3个工作日）" in table.stdout


def test_an_order_screened_out_of_such_a_rate_leaves_it(city: Any) -> None:
    dispute = city.json("dispute", "open", "--workorder", "A2", "--rate", "signing", "--reason", "系统故障",
                        "--evidence", "故障通报")["id"]
    assert counts(city)["1.1"] == (4, 8, "5.00")  # an open screening changes nothing
    assert city("dispute", "decide", dispute, "--decision", "accept", "--reason", "属实").exit_code == 0
    # A2 out of 签收及时率 only: 4/7 = 57.142857… % → 10 − 42.857… × 0.1 = 5.71
    assert counts(city) == {"1.1": (4, 7, "5.71"), "1.2": (6, 8, "7.50"), "1.3": (4, 4, "10.00")}
    (item,) = city.json("trace", "--year", 2025, "--as-of", "2025-12-31", "--unit", "a", "--item", "1.1")["items"]
    assert [(o["order_id"], o["screened_out"]) for o in item["orders"]] == [
        ("A2", True), ("A4", False), ("A5", False), ("A8", False)]
    assert item["orders"][0]["screenings"][0]["dispute"] == dispute


def test_a_rate_over_a_time_column_no_order_carries_is_pending(cli: Any, tmp_path: Path) -> None:
    ruleset = tmp_path / "shicheng.toml"
    ruleset.write_text(RULESET, encoding="utf-8")
    assert cli("init", "--year", 2025, "--ruleset", ruleset).exit_code == 0
    cli.json("import", "workorders", write(tmp_path / "plain.csv", [r[:5] for r in ORDERS], HEADER[:5]))
    items = score_items(cli, "a")
    assert (items["1.1"]["status"], items["1.1"]["reason"]) == (
        "pending", "账本尚未保存签收及时率所需的导出列：签收时间")
    assert (items["1.2"]["status"], items["1.2"]["points"]) == ("scored", "7.50")  # over built-in times only



class TestRulesCheck:
    def test_the_rates_are_described_in_words(self, cli: Any, tmp_path: Path) -> None:
        path = tmp_path / "shicheng.toml"
        path.write_text(RULESET, encoding="utf-8")
        rules = {r["code"]: r["rule"] for r in cli.json("rules", "check", path)["rates"]}
        assert rules["signing"] == ("签收及时率 = （签收时间不晚于派单时间后2个工作小时的工单）÷ 全部计入统计的工单"
                                    "（按派单时间归属年度、月份）；签收时间为空的工单，时限未过视为不晚于时限，"
                                    "时限一过即为晚于时限")
        assert rules["signed_quick"].startswith("及时签收工单快速办结率 = （办结时间不晚于派单时间后3个工作日的工单）÷ "
                                                "签收时间不晚于派单时间后2个工作小时的工单（按派单时间归属年度、月份）")

    @pytest.mark.parametrize(("old", "new", "error"), [
        ('end = "签收时间"', 'end = "回访时间"',
         "rates[2](signed_quick).denominator_within.end: unknown time '回访时间' (dispatched, due, completed"),
        ('columns = [{ header = "签收时间", type = "time" }]', 'columns = [{ header = "签收时间" }]',
         "rates[0](signing).numerator[0].within.end: '签收时间' is a text column: declare it in "
         "[[workorders.columns]] with type = \"time\""),
        ("working_hours = 2", "working_hours = -2",
         "rates[0](signing).numerator[0].within.working_hours: Input should be greater than 0"),
        ("working_days = 3", "working_days = 0",
         "rates[1](quick).numerator[0].within.working_days: Input should be greater than 0"),
        ("working_days = 3", "working_weeks = 3", "rates[1](quick).numerator[0].within.working_weeks: "),
        ("working_days = 3", "working_days = 3, working_hours = 4",
         "rates[1](quick).numerator[0].within: give exactly one of working_days and working_hours"),
        ('start = "dispatched", end = "completed"', 'start = "completed", end = "completed"',
         "rates[1](quick).numerator[0].within.end: the same time as start"),
        ('working_hours = ["09:00-12:00", "13:30-17:30"]', "",
         "rates[0](signing).numerator[0].within.working_hours: needs the working day's hours in [calendar]"),
    ])
    def test_bad_input_names_its_key_path(self, cli: Any, tmp_path: Path, old: str, new: str, error: str) -> None:
        path = tmp_path / "bad.toml"
        assert old in RULESET
        path.write_text(RULESET.replace(old, new), encoding="utf-8")
        result = cli("rules", "check", path)
        assert result.exit_code == 1
        assert error in result.stderr
        assert "Traceback" not in result.output + result.stderr


def test_an_xlsx_export_with_real_time_cells_counts_alike(cli: Any, tmp_path: Path) -> None:
    """The same orders as a workbook, its times real date-time cells (as the platform's .xlsx has them)."""
    openpyxl = pytest.importorskip("openpyxl")
    ruleset = tmp_path / "shicheng.toml"
    ruleset.write_text(RULESET, encoding="utf-8")
    assert cli("init", "--year", 2025, "--ruleset", ruleset).exit_code == 0
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in ORDERS:
        ws.append([*row[:2], *(datetime.fromisoformat(t) if t else None for t in row[2:])])
    path = tmp_path / "march.xlsx"
    wb.save(path)
    assert cli.json("import", "workorders", path)["new"] == 10
    # As from the CSV (TestCounts): 4/8, 6/8, 4/4.
    assert counts(cli) == {"1.1": (4, 8, "5.00"), "1.2": (6, 8, "7.50"), "1.3": (4, 4, "10.00")}
