"""Rates as data (issue 15), end to end through the CLI on both backends: a city's own rates screened and traced,
yearly and monthly; ``screening_leaves``; the date a screening's filing window counts from.

The small city below declares three rates in its ruleset and the program knows none of them by name:

- 群众满意率 ``satisfaction`` (as Tai'an declares it): 满意 / orders with a result (未评价 left out);
- 办结率 ``closing``: completed orders / every counted order (over built-in fields: kept in the daily tallies);
- 解决率 ``resolution``: (解决 + 0.5 × 部分解决) / completed orders, over the export's 解决情况 column
  (counted from the orders when read), scored month by month.

Unit a (甲区), all dispatched in April or May 2025, due a week later:

| order | month | 办结 | 满意度 | 解决情况 |
|---|---|---|---|---|
| A1 | April | 2025-04-03 | 满意 | 解决 |
| A2 | April | 2025-04-03 | 满意 | 部分解决 |
| A3 | April | 2025-04-03 | 不满意 | 未解决 |
| A4 | May | 2025-05-06 | 满意 | 解决 |
| A5 | May | open | 未评价 | (none) |

Hand-computed, with nothing screened: 满意率 3 / 4 = 75 %, 15 points below 90 × 0.2 = 3 off → 7.00;
办结率 4 / 5 = 80 %, 20 below 100 × 0.1 = 2 off → 8.00; 解决率 April 1.5 / 3 = 50 % → 10 − 40 × 0.1 = 6,
May 1 / 1 = 100 % → 10 (A5 is open: not in the denominator), average (6 + 10) / 2 = 8.00.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from ledger.rulesets.loading import builtin_text
from tests.conftest import items_of, read_model, unit_of
from tests.ruleset_text import TWO_UNITS

RULESET = """
id = "rateville"
name = "比率城细则"

[workorders]
satisfaction_scale = ["满意", "不满意", "未评价"]
satisfied_values = ["满意"]
unrated_value = "未评价"
columns = [{{ header = "解决情况", values = ["解决", "部分解决", "未解决"] }}]
{workorders}
{disputes}
""" + TWO_UNITS + """
[[sections]]
code = "1"
name = "办理质量"
max = 30

[[rates]]
code = "satisfaction"
name = "群众满意率"
denominator = {{ rated = ["是"] }}
numerator = [{{ where = {{ satisfied = ["是"] }} }}]

[[rates]]
code = "closing"
name = "办结率"
numerator = [{{ where = {{ completed = ["是"] }} }}]

[[rates]]
code = "resolution"
name = "解决率"
denominator = {{ completed = ["是"] }}
numerator = [{{ where = {{ "解决情况" = ["解决"] }} }},
             {{ where = {{ "解决情况" = ["部分解决"] }}, weight = 0.5 }}]

[[items]]
code = "1.1"
name = "群众满意率"
section = "1"
kind = "rate_threshold"
rate = "satisfaction"
max = 10
threshold = 90
per_point = 0.2

[[items]]
code = "1.2"
name = "办结率"
section = "1"
kind = "rate_threshold"
rate = "closing"
max = 10
threshold = 100
per_point = 0.1

[[items]]
code = "1.3"
name = "解决率"
section = "1"
kind = "rate_threshold"
rate = "resolution"
max = 10
threshold = 90
per_point = 0.1
period = "monthly_average"
"""

HEADER = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "满意度", "解决情况", "导出时间"]
ROWS = [
    ["A1", "甲区", "2025-04-01 09:00:00", "2025-04-08 09:00:00", "2025-04-03 10:00:00", "满意", "解决"],
    ["A2", "甲区", "2025-04-01 09:00:00", "2025-04-08 09:00:00", "2025-04-03 10:00:00", "满意", "部分解决"],
    ["A3", "甲区", "2025-04-01 09:00:00", "2025-04-08 09:00:00", "2025-04-03 10:00:00", "不满意", "未解决"],
    ["A4", "甲区", "2025-05-06 09:00:00", "2025-05-13 09:00:00", "2025-05-06 10:00:00", "满意", "解决"],
    ["A5", "甲区", "2025-05-06 09:00:00", "2025-05-13 09:00:00", "", "未评价", ""],
    ["B1", "乙区", "2025-04-01 09:00:00", "2025-04-08 09:00:00", "2025-04-03 10:00:00", "满意", "解决"],
]


def ruleset(tmp_path: Path, *, workorders: str = "", disputes: str = "") -> Path:
    path = tmp_path / "rateville.toml"
    path.write_text(RULESET.format(workorders=workorders, disputes=disputes), encoding="utf-8")
    return path


def start(cli: Any, tmp_path: Path, **options: str) -> Any:
    """The CLI on a store with the city's 2025 ruleset (``options``: extra ``[workorders]``/``[disputes]`` lines)."""
    assert cli("init", "--year", 2025, "--ruleset", ruleset(tmp_path, **options)).exit_code == 0
    export = tmp_path / "orders.csv"
    with export.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *[[*r, "2025-06-01 08:00:00"] for r in ROWS]])
    assert cli.json("import", "workorders", export)["new"] == 6
    return cli


def points(cli: Any, unit: str = "a") -> dict[str, str]:
    items = items_of(unit_of(cli.json("score", "--year", 2025, "--as-of", "2025-12-31"), unit))
    return {code: items[code]["points"] for code in ("1.1", "1.2", "1.3")}


def traced(cli: Any, code: str, unit: str = "a") -> list[tuple[str, str, bool]]:
    (item,) = cli.json("trace", "--year", 2025, "--as-of", "2025-12-31", "--unit", unit, "--item", code)["items"]
    return [(o["order_id"], o["reason"], o["screened_out"]) for o in item["orders"]]


def screen(cli: Any, order_id: str, rate: str, *, decide: bool = True, **options: str) -> str:
    opened = cli.json("dispute", "open", "--workorder", order_id, "--rate", rate, "--reason", "非本单位职责",
                      "--evidence", "工单记录", *(x for k, v in options.items() for x in (f"--{k}", v)))
    if decide:
        cli.json("dispute", "decide", opened["id"], "--decision", "accept", "--reason", "核实属实")
    return str(opened["id"])


@pytest.fixture
def city(cli: Any, tmp_path: Path) -> Any:
    return start(cli, tmp_path)


class TestDeclaredRates:
    def test_every_rate_is_scored_from_its_declaration(self, city: Any) -> None:
        assert points(city) == {"1.1": "7.00", "1.2": "8.00", "1.3": "8.00"}
        # 乙区: its one order is satisfied, completed and resolved in April.
        assert points(city, "b") == {"1.1": "10.00", "1.2": "10.00", "1.3": "10.00"}

    def test_trace_lists_the_orders_that_cost_points_on_each_rate(self, city: Any) -> None:
        assert traced(city, "1.1") == [("A3", "满意度: 不满意", False)]
        assert traced(city, "1.2") == [("A5", "未办结", False)]
        # monthly, over an export column: 部分解决 counts 0.5 of the 1 an order may count, so it costs points too
        assert traced(city, "1.3") == [("A2", "解决情况: 部分解决", False), ("A3", "解决情况: 未解决", False)]
        assert traced(city, "1.3", "b") == []


class TestScreeningAnyRate:
    def test_a_declared_monthly_rate_is_screened_and_only_that_rate_moves(self, city: Any) -> None:
        screen(city, "A3", "resolution")
        # 解决率 April without A3: 1.5 / 2 = 75 % → 10 − 15 × 0.1 = 8.5; May 10; (8.5 + 10) / 2 = 9.25.
        assert points(city) == {"1.1": "7.00", "1.2": "8.00", "1.3": "9.25"}
        assert traced(city, "1.3") == [("A2", "解决情况: 部分解决", False), ("A3", "解决情况: 未解决", True)]
        assert traced(city, "1.1") == [("A3", "满意度: 不满意", False)]

    def test_a_declared_tallied_rate_is_screened(self, city: Any) -> None:
        screen(city, "A5", "closing")
        # 办结率 without A5: 4 / 4 = 100 % → 10.00
        assert points(city)["1.2"] == "10.00"
        assert traced(city, "1.2") == [("A5", "未办结", True)]

    def test_an_unknown_rate_code_is_refused_naming_the_rates_and_nothing_is_recorded(self, city: Any) -> None:
        before = len(city.json("log"))
        result = city("dispute", "open", "--workorder", "A3", "--rate", "ontime", "--reason", "r", "--evidence", "e")
        assert result.exit_code == 1
        assert "'ontime' is not a rate of the 2025 ruleset; rate codes: satisfaction, closing, resolution" \
            in result.stderr
        assert len(city.json("log")) == before

    def test_a_rejected_screening_changes_nothing(self, city: Any) -> None:
        opened = screen(city, "A3", "resolution", decide=False)
        city.json("dispute", "decide", opened, "--decision", "reject", "--reason", "理由不足")
        assert points(city) == {"1.1": "7.00", "1.2": "8.00", "1.3": "8.00"}


class TestScreeningLeavesAll:
    def test_an_accepted_screening_leaves_every_denominator_at_once(self, cli: Any, tmp_path: Path) -> None:
        city = start(cli, tmp_path, workorders='screening_leaves = "all"')
        assert points(city) == {"1.1": "7.00", "1.2": "8.00", "1.3": "8.00"}
        screen(city, "A3", "resolution")
        # A3 leaves all three: 满意率 3 / 3 = 100 % → 10; 办结率 3 / 4 = 75 % → 10 − 25 × 0.1 = 7.5;
        # 解决率 as above, 9.25.
        assert points(city) == {"1.1": "10.00", "1.2": "7.50", "1.3": "9.25"}
        assert traced(city, "1.1") == [("A3", "满意度: 不满意", True)]
        (item,) = city.json("trace", "--year", 2025, "--as-of", "2025-12-31", "--unit", "a", "--item", "1.1")["items"]
        assert [s["rate"] for s in item["orders"][0]["screenings"]] == ["resolution"]

    def test_rules_check_says_what_a_screening_leaves(self, cli: Any, tmp_path: Path) -> None:
        lines = cli("rules", "check", ruleset(tmp_path, workorders='screening_leaves = "all"')).stdout
        assert "甄别通过的工单退出全部比率的分子和分母" in lines
        assert "甄别通过的工单退出所甄别比率的分子和分母" in cli("rules", "check", ruleset(tmp_path)).stdout


class TestTheFilingWindowStart:
    # A1: dispatched Tue 1 April 2025, completed Thu 3 April, due Tue 8 April; 4–6 April are the Qingming holiday.
    # Five working days from dispatch: 2, 3, 7, 8, 9 April; from completion: 7, 8, 9, 10, 11 April; from the due
    # date: 9, 10, 11, 14, 15 April.
    @pytest.mark.parametrize(("start_from", "last_day", "day_after"), [
        ("", "2025-04-11", "2025-04-14"),  # default: the completion
        ('screening_from = "completed"', "2025-04-11", "2025-04-14"),
        ('screening_from = "dispatched"', "2025-04-09", "2025-04-10"),
        ('screening_from = "due"', "2025-04-15", "2025-04-16"),
    ])
    def test_the_window_counts_from_the_date_the_ruleset_names(self, cli: Any, tmp_path: Path, start_from: str,
                                                               last_day: str, day_after: str) -> None:
        city = start(cli, tmp_path, disputes=f"[disputes]\nworking_days = 5\n{start_from}")
        late = city("dispute", "open", "--workorder", "A1", "--rate", "satisfaction", "--reason", "r",
                    "--evidence", "e", "--date", day_after)
        assert late.exit_code == 1
        assert f"by {last_day} (today is {day_after})" in late.stderr
        assert city.json("dispute", "list") == []
        screen(city, "A1", "satisfaction", decide=False, date=last_day)
        assert len(city.json("dispute", "list")) == 1


class TestRulesetsAdoptedLater:
    def test_a_ruleset_adopted_after_the_orders_counts_them_as_one_adopted_before(self, cli: Any,
                                                                                    tmp_path: Path) -> None:
        # The orders come in under the 2026 ruleset (a 2025 date is within its window); the 2025 one, with rates
        # the read model has not kept yet (screenings leave every rate), is adopted afterwards.
        assert cli("init", "--year", 2026, "--ruleset", ruleset(tmp_path)).exit_code == 0
        export = tmp_path / "orders.csv"
        with export.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([HEADER, *[[*r, "2025-06-01 08:00:00"] for r in ROWS]])
        assert cli.json("import", "workorders", export)["new"] == 6
        later = tmp_path / "later"
        later.mkdir()
        assert cli("init", "--year", 2025, "--ruleset",
                   ruleset(later, workorders='screening_leaves = "all"')).exit_code == 0
        assert points(cli) == {"1.1": "7.00", "1.2": "8.00", "1.3": "8.00"}
        assert traced(cli, "1.2") == [("A5", "未办结", False)]
        screen(cli, "A3", "resolution")
        assert points(cli) == {"1.1": "10.00", "1.2": "7.50", "1.3": "9.25"}
        cli("rebuild")  # a rebuild counts the same
        assert points(cli) == {"1.1": "10.00", "1.2": "7.50", "1.3": "9.25"}


class TestTaianTextsFromBeforeRatesWereData:
    def test_a_text_declaring_no_rates_reads_the_standard_three_and_its_screenings_mean_the_same(
            self, cli: Any, tmp_path: Path) -> None:
        text = builtin_text()
        old = text[:text.index("\n# The work-order rates")] + text[text.index("\n[[units]]"):]
        assert "[[rates]]" not in old
        path = tmp_path / "taian-2024.toml"
        path.write_text(old, encoding="utf-8")
        assert cli("init", "--year", 2025, "--ruleset", path).exit_code == 0
        header = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "是否需回复", "是否已回复", "满意度"]
        times = ["2025-04-01 09:00:00", "2025-04-08 09:00:00", "2025-04-03 10:00:00"]
        rows = [["T1", "泰山区", *times, "是", "否", "满意"], ["T2", "泰山区", *times, "是", "是", "不满意"]]
        export = tmp_path / "taian.csv"
        with export.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *rows])
        cli.json("import", "workorders", export)
        items = items_of(unit_of(cli.json("score", "--year", 2025, "--as-of", "2025-12-31"), "taishan"))
        # 2.3.3 回复率 1 / 2 = 50 %: 50 points below 100 × 0.1 = 5 off → 5.00
        assert (items["2.3.3"]["points"], items["2.3.3"]["numerator"], items["2.3.3"]["denominator"]) == ("5.00", 1, 2)
        screen(cli, "T1", "reply")
        items = items_of(unit_of(cli.json("score", "--year", 2025, "--as-of", "2025-12-31"), "taishan"))
        assert (items["2.3.3"]["points"], items["2.3.3"]["numerator"], items["2.3.3"]["denominator"]) == ("10.00", 1, 1)


RANKED = """
id = "rankville"
name = "排名城细则"

[workorders]
satisfaction_scale = ["满意", "不满意", "未评价"]
satisfied_values = ["满意"]
unrated_value = "未评价"
columns = [{ header = "解决情况" }]
""" + TWO_UNITS + """
[[sections]]
code = "1"
name = "满意率排名"
max = 10

[[rates]]
code = "satisfaction"
name = "群众满意率"
denominator = { rated = ["是"] }
numerator = [{ where = { satisfied = ["是"] } }]

[[items]]
code = "1.1"
name = "满意率排名"
section = "1"
kind = "rank"
by = "satisfaction"
max = 10
step = 2
"""


class TestScreeningARankedRate:
    def test_a_rate_only_an_item_ranks_by_is_screened(self, cli: Any, tmp_path: Path) -> None:
        path = tmp_path / "rankville.toml"
        path.write_text(RANKED, encoding="utf-8")
        assert cli("init", "--year", 2025, "--ruleset", path).exit_code == 0
        export = tmp_path / "orders.csv"
        with export.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([HEADER, *[[*r, "2025-06-01 08:00:00"] for r in ROWS]])
        cli.json("import", "workorders", export)

        def ranked() -> dict[str, str]:
            doc = cli.json("score", "--year", 2025, "--as-of", "2025-12-31")
            return {u: items_of(unit_of(doc, u))["1.1"]["points"] for u in ("a", "b")}

        # 甲区 3 / 4 = 75 % ranks 2nd behind 乙区's 100 %: 10 − 2 = 8
        assert ranked() == {"a": "8.00", "b": "10.00"}
        opened = screen(cli, "A3", "satisfaction")
        assert next(d for d in cli.json("dispute", "list") if d["id"] == opened)["item"] == "1.1"
        # 甲区 3 / 3 = 100 %: tied first
        assert ranked() == {"a": "10.00", "b": "10.00"}


class TestReadModelsFromBefore:
    def test_a_read_model_with_a_flag_per_built_in_rate_is_counted_again(self, city: Any) -> None:
        screen(city, "A3", "resolution")
        screen(city, "A5", "closing")
        expected = city.json("score", "--year", 2025, "--as-of", "2025-12-31")
        traces = traced(city, "1.2"), traced(city, "1.3")
        with read_model(city.store) as db:  # as the read model was before rates were data
            db.execute("ALTER TABLE workorders DROP COLUMN screened")
            db.execute("ALTER TABLE workorders ADD COLUMN screened_satisfaction INTEGER DEFAULT 0")
            db.execute("DELETE FROM workorder_tallies")
        assert city.json("score", "--year", 2025, "--as-of", "2025-12-31") == expected
        assert (traced(city, "1.2"), traced(city, "1.3")) == traces
        assert points(city) == {"1.1": "7.00", "1.2": "10.00", "1.3": "9.25"}


class TestTheYearOfAScreening:
    def test_an_order_counts_in_the_year_its_rates_year_by_time_gives(self, cli: Any, tmp_path: Path) -> None:
        # Dispatched 30 December 2024, due 6 January 2025: on-time in 2025 (year_by = "due"), satisfaction in 2024.
        assert cli("init", "--year", 2025).exit_code == 0
        header = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "满意度"]
        export = tmp_path / "turn.csv"
        with export.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, ["T9", "泰山区", "2024-12-30 09:00:00", "2025-01-06 09:00:00",
                                              "2025-01-08 09:00:00", "不满意"]])
        cli.json("import", "workorders", export)
        opened = screen(cli, "T9", "ontime", decide=False)
        assert next(d for d in cli.json("dispute", "list") if d["id"] == opened)["item"] == "2.3.4"
        refused = cli("dispute", "open", "--workorder", "T9", "--rate", "satisfaction", "--reason", "r",
                      "--evidence", "e")
        assert refused.exit_code == 1
        assert "2024" in refused.stderr
