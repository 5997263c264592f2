"""The per-order kind's limits on the official calendar: working days and hours, and a year the calendar does not know.

Hand-computed on the 2026 calendar (bundled) and 2027 (not known): Mon 28 December 2026 … Thu 31, then 2027.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest

from ledger.domain.calendar import CalendarYearUnknown, WorkingCalendar
from ledger.domain.working_time import hours_limit, parse_spans
from ledger.rulesets.kinds.per_order import PerOrderItem, orders_meeting
from ledger.rulesets.loading import parse_ruleset
from projections.view import SCHEMA

RULESET = parse_ruleset("""
id = "t"
name = "时限"
[calendar]
working_hours = ["09:00-12:00", "13:30-17:30"]
[[units]]
code = "a"
name = "甲区"
[[sections]]
code = "1"
name = "一"
max = 5
[[items]]
code = "1.1"
name = "超期"
section = "1"
kind = "per_order"
start = "due"
end = "completed"
working_days = 3
year_by = "due"
amount = 0.2
max = 5
""", "t.toml")
SPANS = parse_spans(("09:00-12:00", "13:30-17:30"))


def _db(orders: list[tuple[str, str | None]]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, counted) "
                   "VALUES (?, 'a', '2026-12-01T09:00:00', ?, ?, 1)", [(f"O{n}", due, done)
                                                                       for n, (due, done) in enumerate(orders)])
    return db


def test_an_open_order_whose_limit_falls_in_an_unknown_year_is_pending_and_one_known_late_counts() -> None:
    db = _db([("2026-12-28T18:00:00", None),                    # limit Thu 31 Dec: passed by 10 Jan 2027, late
              ("2026-12-31T18:00:00", None),                    # limit in 2027, which the calendar does not know
              ("2026-12-31T18:00:00", "2026-12-31T20:00:00")])  # done before any limit: in time
    tally = orders_meeting(db, RULESET, RULESET.item("1.1"), None, 2026, date(2027, 1, 10), WorkingCalendar())["a"]
    assert tally.count == 1
    assert len(tally.pending) == 1 and "2027" in next(iter(tally.pending))


def test_the_same_orders_as_of_the_last_known_day_are_all_judged() -> None:
    db = _db([("2026-12-28T18:00:00", None), ("2026-12-31T18:00:00", None)])
    found = orders_meeting(db, RULESET, RULESET.item("1.1"), None, 2026, date(2026, 12, 31), WorkingCalendar())
    # As of Thu 31 the first limit (Thu 31 23:59:59) has not passed; nothing is late, nothing pending.
    assert found == {}


def test_a_year_completed_in_the_ledger_counts_its_weekdays() -> None:
    db = _db([("2026-12-31T18:00:00", "2027-01-06T09:00:00")])
    calendar = WorkingCalendar(complete_years=[2027])  # then Fri 1, Mon 4, Tue 5 January: limit Tue 5
    tally = orders_meeting(db, RULESET, RULESET.item("1.1"), None, 2026, date(2027, 1, 10), calendar)["a"]
    assert (tally.count, tally.pending) == (1, set())


def test_working_hours_reached_at_the_end_of_a_period_run_to_the_start_of_the_next() -> None:
    calendar = WorkingCalendar()
    # Mon 28 Dec 2026, 10:00 + 2 h = 12:00, the end of the morning: the limit is 13:30 (the lunch break is in time)
    assert hours_limit("2026-12-28T10:00:00", Decimal(2), SPANS, calendar) == "2026-12-28T13:30:00"
    # 11:00 + 1 h to 12:00 + 1.5 h from 13:30 = 15:00
    assert hours_limit("2026-12-28T11:00:00", Decimal("2.5"), SPANS, calendar) == "2026-12-28T15:00:00"
    # Thu 31 Dec 17:00 + 0.5 h reaches 17:30: the next working period is in 2027, unknown
    with pytest.raises(CalendarYearUnknown, match="2027"):
        hours_limit("2026-12-31T17:00:00", Decimal("0.5"), SPANS, calendar)


def test_an_item_with_both_limits_is_refused() -> None:
    with pytest.raises(ValueError, match="exactly one of working_days and working_hours"):
        PerOrderItem(code="1", name="x", section="1", kind="per_order", start="due", end="completed", amount=1,
                     working_days=1, working_hours=Decimal(1))
