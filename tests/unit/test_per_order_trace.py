"""What ``trace`` lists for a per-order item and a deadline item: the orders (periods) behind the deduction.

Hand-computed on the official 2026 calendar (bundled; 2027 unknown): Tue 1 December 2026 + 3 working days is
Fri 4 December, so an order due on the 1st and completed after Fri 4 December 23:59:59 is late. Times are shown
with the offset of the ruleset's time zone (here Asia/Tokyo, +09:00, so that it cannot be the default's).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.domain.calendar import WorkingCalendar
from ledger.rulesets.kinds import KINDS
from ledger.rulesets.kinds.per_order import orders_meeting
from ledger.rulesets.loading import parse_ruleset
from projections.score_sheet import ItemResult
from projections.view import SCHEMA
from tests.ruleset_text import LATE_ORDERS_ITEM

RULESET = parse_ruleset("""
id = "t"
name = "时限"
[scoring]
timezone = "Asia/Tokyo"
[[units]]
code = "a"
name = "甲区"
[[units]]
code = "b"
name = "乙区"
[[sections]]
code = "1"
name = "一"
max = 10
""" + LATE_ORDERS_ITEM + """[[items]]
code = "1.2"
name = "月报"
section = "1"
kind = "deadline"
schedule = "monthly"
working_days = 5
amount = 0.5
max = 5
""", "t.toml")
DUE = "2026-12-01T09:00:00"


@dataclass
class Sources:
    """What a trace reads: the read model, the ruleset, the year, the as-of date and the calendar."""

    db: sqlite3.Connection
    ruleset: Any = RULESET
    year: int = 2026
    as_of: date = date(2026, 12, 10)

    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar()


def _db() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    orders = [("O0", "2026-12-04T23:00:00"),  # in time
              ("O1", "2026-12-08T10:00:00"),  # late
              ("O2", None),                   # open, its limit passed: late
              ("O3", "2026-12-20T10:00:00"),  # completed after the as-of date: open as of then, late
              ("O4", "2026-12-10T23:59:59")]  # completed in the last second of the as-of date: late
    db.executemany("INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, counted) "
                   "VALUES (?, 'a', '2026-11-20T08:30:00', ?, ?, 1)", [(o, DUE, done) for o, done in orders])
    return db


def test_a_per_order_trace_lists_each_late_order_with_its_times_and_why() -> None:
    result = ItemResult(code="1.1", name="超期", kind="per_order")
    orders = KINDS["per_order"].trace_json(result, RULESET.item("1.1"), "a", Sources(_db()))["orders"]
    why = "（办结时限 2026-12-01T09:00:00+09:00 后3个工作日）"
    limit = "时限 2026-12-04T23:59:59+09:00"
    assert orders == [
        {"order_id": o, "dispatched_at": "2026-11-20T08:30:00", "due_at": DUE, "completed_at": done, "start": DUE,
         "end": end, "limit": "2026-12-04T23:59:59", "reason": f"办结时间 {shown} > {limit}{why}",
         "screened_out": False, "screenings": []}
        for o, done, end, shown in [
            ("O1", "2026-12-08T10:00:00", "2026-12-08T10:00:00", "2026-12-08T10:00:00+09:00"),
            ("O2", None, None, "未办结时间（截至 2026-12-10）"),
            ("O3", "2026-12-20T10:00:00", None, "未办结时间（截至 2026-12-10）"),
            ("O4", "2026-12-10T23:59:59", "2026-12-10T23:59:59", "2026-12-10T23:59:59+09:00")]]
    # a unit with no late order lists none
    assert KINDS["per_order"].trace_json(result, RULESET.item("1.1"), "b", Sources(_db())) == {"orders": []}


def test_a_deadline_trace_lists_each_period_with_its_deadline_submission_and_verdict() -> None:
    db = _db()
    db.executemany("INSERT INTO submissions (unit, kind, year, period, date) VALUES ('a', 'monthly', 2026, ?, ?)",
                   [("2026-10", "2026-11-06"), ("2026-09", "2026-10-15")])
    result = ItemResult(code="1.2", name="月报", kind="deadline")
    periods = KINDS["deadline"].trace_json(result, RULESET.item("1.2"), "a", Sources(db, as_of=date(2027, 1, 5)))
    listed = periods["periods"]
    assert [p["period"] for p in listed] == [f"2026-{m:02}" for m in range(1, 13)]
    # September's: 5th working day of October after the National Day holiday (8, 9, Sat 10 worked, 12, 13): 13th,
    # submitted the 15th: late. October's: Mon 2 … Fri 6 November, submitted on the 6th: on time. December's is
    # due in January 2027, a year the calendar does not know: pending, no deadline.
    assert listed[8:10] == [
        {"period": "2026-09", "due_from": "2026-09-30", "deadline": "2026-10-13", "submitted": "2026-10-15",
         "verdict": "late", "deducts": True, "reason": None},
        {"period": "2026-10", "due_from": "2026-10-31", "deadline": "2026-11-06", "submitted": "2026-11-06",
         "verdict": "on_time", "deducts": False, "reason": None}]
    december = listed[11]
    assert (december["deadline"], december["submitted"], december["verdict"], december["deducts"]) == (
        None, None, "pending", False)
    assert "2027" in december["reason"]


HOURS = parse_ruleset("""
id = "h"
name = "签收"
[calendar]
working_hours = ["09:00-12:00", "13:30-17:30"]
[[units]]
code = "a"
name = "甲区"
[[sections]]
code = "1"
name = "一"
max = 10
[[items]]
code = "1.1"
name = "超时"
section = "1"
kind = "per_order"
start = "dispatched"
end = "completed"
working_hours = 2
amount = 0.1
max = 5
""", "h.toml")


def test_an_open_order_is_late_on_the_as_of_day_once_its_working_hours_have_passed() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, counted) "
                   "VALUES (?, 'a', ?, '2026-12-20T09:00:00', ?, 1)", [
                       ("H1", "2026-12-10T09:00:00", None),                   # limit 11:00 the same day: late
                       ("H2", "2026-12-10T16:00:00", None),                   # 1.5 h that day + 0.5 h: Fri 09:30
                       ("H3", "2026-12-10T09:00:00", "2026-12-10T10:30:00")])  # done within 2 h
    found = orders_meeting(db, HOURS, HOURS.item("1.1"), ["a"], 2026, date(2026, 12, 10), WorkingCalendar(),
                           listing=True)["a"]
    assert (found.count, [(o["order_id"], o["limit"]) for o in found.orders]) == (1, [("H1", "2026-12-10T11:00:00")])


def test_only_a_unit_with_an_order_the_unknown_year_decides_is_pending() -> None:
    ruleset = parse_ruleset("""
id = "y"
name = "跨年"
[[units]]
code = "q"
name = "甲区"
[[units]]
code = "k"
name = "乙区"
[[sections]]
code = "1"
name = "一"
max = 10
""" + LATE_ORDERS_ITEM, "y.toml")
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, counted) "
                   "VALUES (?, ?, '2026-11-20T08:30:00', ?, ?, 1)", [
                       ("Q1", "q", DUE, "2026-12-02T10:00:00"),   # in time, judged on known days
                       ("K1", "k", "2026-12-31T18:00:00", None)])  # open; its limit falls in 2027, unknown
    found = orders_meeting(db, ruleset, ruleset.item("1.1"), None, 2026, date(2027, 1, 10), WorkingCalendar())
    assert list(found) == ["k"] and found["k"].count == 0
    assert len(found["k"].pending) == 1 and "2027" in next(iter(found["k"].pending))
