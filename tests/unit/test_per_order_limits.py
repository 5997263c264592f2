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
from tests.ruleset_text import LATE_ORDERS_ITEM

TEXT = """
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
""" + LATE_ORDERS_ITEM
RULESET = parse_ruleset(TEXT, "t.toml")
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


def test_an_open_order_whose_working_hours_pass_on_the_last_known_day_is_late_past_the_calendar() -> None:
    hours = parse_ruleset(TEXT.replace("working_days = 3", "working_hours = 2"), "h.toml")
    db = _db([("2026-12-31T09:00:00", None),    # limit Thu 31 Dec 11:00: that day is over by 10 Jan 2027, late
              ("2026-12-31T16:00:00", None)])   # 1.5 h on the 31st, the last 0.5 h in 2027, unknown: pending
    tally = orders_meeting(db, hours, hours.item("1.1"), None, 2026, date(2027, 1, 10), WorkingCalendar())["a"]
    assert tally.count == 1
    assert len(tally.pending) == 1 and "2027" in next(iter(tally.pending))


#: Both times extra export columns (受理时间 → 签收时间 within 3 working days), for two units and a third.
COLUMNS = parse_ruleset(TEXT.replace('[calendar]', '[workorders]\ncolumns = [{ header = "受理时间", type = "time" }, '
                                     '{ header = "签收时间", type = "time" }]\n[calendar]')
                        .replace('start = "due"\nend = "completed"', 'start = "受理时间"\nend = "签收时间"')
                        .replace('year_by = "due"\n', '')
                        + '[[units]]\ncode = "b"\nname = "乙区"\n[[units]]\ncode = "c"\nname = "丙区"\n', "c.toml")


def _columns_db() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    # Accepted Tue 1 December 2026 + 3 working days: signed for after Fri 4 December 23:59:59 is late
    orders = [("A1", "a", "2026-12-08T10:00:00"),  # late
              ("A2", "a", "2026-12-02T10:00:00"),  # in time
              ("B1", "b", None),                   # not signed for by the as-of date: late
              ("C1", "c", "2026-12-09T10:00:00")]  # late
    db.executemany("INSERT INTO workorders (order_id, unit, dispatched_at, due_at, counted) "
                   "VALUES (?, ?, '2026-12-01T08:00:00', '2026-12-20T09:00:00', 1)", [o[:2] for o in orders])
    db.executemany("INSERT INTO workorder_fields (order_id, field, value) VALUES (?, ?, ?)",
                   [(o, "受理时间", "2026-12-01T09:00:00") for o, _, _ in orders]
                   + [(o, "签收时间", signed) for o, _, signed in orders if signed is not None])
    return db


def test_a_limit_between_two_extra_columns_reads_both() -> None:
    found = orders_meeting(_columns_db(), COLUMNS, COLUMNS.item("1.1"), None, 2026, date(2026, 12, 10),
                           WorkingCalendar())
    assert {u: (t.count, t.pending) for u, t in found.items()} == {"a": (1, set()), "b": (1, set()), "c": (1, set())}


def test_two_units_asked_for_at_once_are_each_counted_and_no_other() -> None:
    found = orders_meeting(_columns_db(), COLUMNS, COLUMNS.item("1.1"), ["a", "b"], 2026, date(2026, 12, 10),
                           WorkingCalendar(), listing=True)
    assert {u: (t.count, [o["order_id"] for o in t.orders]) for u, t in found.items()} == {
        "a": (1, ["A1"]), "b": (1, ["B1"])}
