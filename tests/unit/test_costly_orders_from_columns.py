"""The orders costing points on a rate over an extra export column, found among the unit's orders when read.

A rate the read model keeps no tallies for (解决率 over 解决情况 and 回访情况) is counted from the orders
(``projections.order_rates``); ``trace`` lists the orders that cost the unit points on it (``costly``), of that
unit only, each with why it costs and whether a screening took it out of the rate. Hand-worked (docs/mutation.md).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from projections.documents import costly_orders
from projections.reading import open_reading
from tests.unit.test_scoring_core_mutants import EXTRA_COLUMN, HEADER, adopt_tiny, imported, line, order

ROWS = [order("A1") + ["解决", "回访成功"], order("A2", satisfaction="") + ["部分解决", "回访成功"],
        order("A3") + ["未解决", "回访成功"], order("A4", satisfaction="未评价") + ["解决", "回访成功"],
        order("A5") + ["未解决", "回访失败"],
        order("B1", unit="b") + ["部分解决", "回访成功"], order("B2", unit="b") + ["部分解决", "回访成功"]]


def test_a_trace_lists_the_units_own_orders_that_cost_it_points_on_the_rate(memory_ledger: Any,
                                                                             tmp_path: Path) -> None:
    adopt_tiny(memory_ledger, EXTRA_COLUMN)
    imported(memory_ledger, tmp_path, ROWS, header=[*HEADER, "解决情况", "回访情况"])
    reading = open_reading(memory_ledger, 2025, date(2025, 12, 31))
    listed = costly_orders(reading, "a", "resolution")
    # A2 counts 0.5 (部分解决, below the fullest weight 1) and A3 nothing (未解决): both cost a points; A1 and A4
    # count 1; A5 was not called back (outside the denominator); B1 and B2 are b's
    assert [(o["order_id"], o["reason"]) for o in listed] == [("A2", "解决情况: 部分解决"), ("A3", "解决情况: 未解决")]
    times = ("2025-04-01T09:00:00", "2025-04-08T09:00:00", "2025-04-03T10:00:00")
    assert (listed[0]["dispatched_at"], listed[0]["due_at"], listed[0]["completed_at"]) == times
    assert [o["order_id"] for o in costly_orders(reading, "b", "resolution")] == ["B1", "B2"]


def test_a_weighted_numerator_adding_up_to_a_whole_number_is_a_whole_count(memory_ledger: Any,
                                                                           tmp_path: Path) -> None:
    adopt_tiny(memory_ledger, EXTRA_COLUMN)
    imported(memory_ledger, tmp_path, ROWS, header=[*HEADER, "解决情况", "回访情况"])
    b = line(memory_ledger, "1.1", unit="b")
    # b: 0.5 + 0.5 = 1 of 2 = 50 %: 10 − 50 × 0.1 = 5.00, the numerator a whole count
    assert (b.numerator, b.denominator, b.points) == (1, 2, Decimal("5.00"))
    assert type(b.numerator) is int


#: A rate over built-in fields and an extra column at once: completed orders, resolved (解决) and satisfied (满意).
DONE_RESOLVED = EXTRA_COLUMN + """
[[rates]]
code = "done_resolved"
name = "办结解决率"
denominator = { completed = ["是"] }
numerator = [{ where = { satisfaction = ["满意"], "解决情况" = ["解决"] } }]

[[items]]
code = "1.3"
name = "办结解决率"
section = "1"
kind = "rate_threshold"
rate = "done_resolved"
max = 10
threshold = 100
per_point = 0.1
"""


def test_the_costly_orders_say_why_and_which_a_screening_took_out(memory_ledger: Any, tmp_path: Path) -> None:
    adopt_tiny(memory_ledger, DONE_RESOLVED)
    imported(memory_ledger, tmp_path, [
        order("A1") + ["解决", "回访成功"], order("A2", satisfaction="不满意") + ["解决", "回访成功"],
        order("A3", completed="") + ["未解决", "回访成功"], order("A4") + ["未解决", "回访成功"],
        order("A5") + ["部分解决", "回访成功"], order("B1", unit="b", satisfaction="不满意") + ["解决", "回访成功"],
    ], header=[*HEADER, "解决情况", "回访情况"])
    imported(memory_ledger, tmp_path, [order("A0")], name="without_columns.csv")  # an export without the columns
    for order_id, rate in (("A4", "done_resolved"), ("A5", "resolution")):
        screening = memory_ledger.open_screening(order_id=order_id, rate=rate, reason="甄别", evidence="材料",
                                                 actor="a-office")
        memory_ledger.decide_dispute(dispute_id=screening, decision="accept", reason="核实", actor="centre")
    reading = open_reading(memory_ledger, 2025, date(2025, 12, 31))
    listed = [(o["order_id"], o["reason"], o["screened_out"]) for o in costly_orders(reading, "a", "done_resolved")]
    # A1 counts; A3 is open (outside the denominator); B1 is b's. A4 was screened out of this rate, A5 out of
    # another one only; A0's export never stated 解决情况.
    assert listed == [("A0", "满意度: 满意；解决情况: —", False), ("A2", "满意度: 不满意；解决情况: 解决", False),
                      ("A4", "满意度: 满意；解决情况: 未解决", True), ("A5", "满意度: 满意；解决情况: 部分解决", False)]
    assert [o["order_id"] for o in costly_orders(reading, "b", "done_resolved")] == ["B1"]
    # the rate itself: A0, A1, A2 and A5 completed and not screened out, A1 alone resolved and satisfied: 1 / 4 =
    # 25 %, 75 points below 100 %: 10 − 75 × 0.1 = 2.50
    rate = line(memory_ledger, "1.3")
    assert (rate.numerator, rate.denominator, rate.points) == (1, 4, Decimal("2.50"))


def test_a_rate_over_an_extra_column_scored_month_by_month(memory_ledger: Any, tmp_path: Path) -> None:
    monthly = EXTRA_COLUMN.replace('rate = "resolution"', 'rate = "resolution"\nperiod = "monthly_average"')
    adopt_tiny(memory_ledger, monthly)
    may = {"dispatched": "2025-05-06 09:00:00", "due": "2025-05-13 09:00:00", "completed": "2025-05-07 10:00:00"}
    imported(memory_ledger, tmp_path, [
        order("A1") + ["解决", "回访成功"], order("A2") + ["部分解决", "回访成功"],
        order("A3", **may) + ["未解决", "回访成功"], order("A4", **may) + ["解决", "回访失败"],
        order("B1", unit="b") + ["解决", "回访失败"]],
        header=[*HEADER, "解决情况", "回访情况"])
    resolution = line(memory_ledger, "1.1")
    # April: (1 + 0.5) / 2 = 75 %: 10 − 25 × 0.1 = 7.50; May: A4 not called back, 0 / 1: 0.00; (7.50 + 0.00) / 2
    assert (resolution.numerator, resolution.denominator, resolution.points) == (Decimal("1.5"), 3, Decimal("3.75"))
    assert resolution.explanation.startswith("2 个月平均：(7.50 + 0.00) / 2 = 3.75［2025-04：1.5/2 = 75.00%")
    # b's one order was not called back: no month with an order in the denominator, the item waits
    b = line(memory_ledger, "1.1", unit="b")
    assert (b.status, b.numerator, b.denominator) == ("pending", 0, 0)


#: Two rates over extra columns, the first over a column no export stated (核查情况), the second over one imported.
UNSTATED_FIRST = """
[workorders]
columns = [{ header = "核查情况" }, { header = "回访情况" }]

[[sections]]
code = "1"
name = "办理质量"
max = 20

[[rates]]
code = "checked"
name = "核查率"
numerator = [{ where = { "核查情况" = ["已核查"] } }]

[[rates]]
code = "called"
name = "回访成功率"
numerator = [{ where = { "回访情况" = ["回访成功"] } }]

[[items]]
code = "1.1"
name = "核查率"
section = "1"
kind = "rate_threshold"
rate = "checked"
max = 10
threshold = 100
per_point = 0.1

[[items]]
code = "1.2"
name = "回访成功率"
section = "1"
kind = "rate_threshold"
rate = "called"
max = 10
threshold = 100
per_point = 0.1
"""


def test_a_rate_over_a_column_never_imported_waits_and_the_rates_after_it_are_counted(memory_ledger: Any,
                                                                                   tmp_path: Path) -> None:
    adopt_tiny(memory_ledger, UNSTATED_FIRST)
    imported(memory_ledger, tmp_path, [order("A1") + ["回访成功"], order("A2") + ["回访失败"],
                                       order("B1", unit="b") + ["回访成功"]], header=[*HEADER, "回访情况"])
    checked = line(memory_ledger, "1.1")
    assert (checked.status, checked.reason) == ("pending", "账本尚未保存核查率所需的导出列：核查情况")
    # the next rate in the ruleset is counted all the same: a 1 of 2 called back = 50 %: 10 − 50 × 0.1 = 5.00;
    # b 1 of 1 = 100 %: 10.00
    called = line(memory_ledger, "1.2")
    assert (called.status, called.numerator, called.denominator, called.points) == ("scored", 1, 2, Decimal("5.00"))
    b = line(memory_ledger, "1.2", unit="b")
    assert (b.numerator, b.denominator, b.points) == (1, 1, Decimal("10.00"))
