"""Rates with a duration condition (``within``) counted from the orders (``projections.order_rates.order_rate_facts``):
units whose limits fall in a year the calendar does not know wait while every other unit's rate is counted, and a
condition on an extra export column beside the duration reads the order's own column.

Hand-computed on the official 2026 calendar (bundled; 2027 unknown), as of Sun 10 January 2027.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from ledger.domain.calendar import WorkingCalendar
from ledger.rulesets.loading import parse_ruleset
from projections import rate_specs
from projections.order_durations import Judge
from projections.order_rates import order_rate_facts
from projections.view import SCHEMA

RULESET_TEXT = """
id = "q"
name = "快速办结"
[[units]]
code = "a"
name = "甲区"
[[units]]
code = "b"
name = "乙区"
[[units]]
code = "c"
name = "丙区"
[[rates]]
code = "quick"
name = "快速办结率"
numerator = [{ within = { start = "dispatched", end = "completed", working_days = 1 } }]
[[sections]]
code = "1"
name = "一"
max = 5
[[items]]
code = "1.1"
name = "快速办结率"
section = "1"
kind = "rate_threshold"
rate = "quick"
max = 5
threshold = 100
per_point = 0.1
"""
RULESET = parse_ruleset(RULESET_TEXT, "q.toml")


def test_units_whose_limits_fall_in_an_unknown_year_wait_and_the_others_are_counted() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, counted) "
                   "VALUES (?, ?, ?, '2026-12-31T18:00:00', ?, 1)", [
                       ("A1", "a", "2026-12-28T09:00:00", "2026-12-28T10:00:00"),  # Mon, done at once: in time
                       ("A2", "a", "2026-12-28T09:00:00", "2026-12-30T10:00:00"),  # limit Tue 29 Dec: late
                       ("B1", "b", "2026-12-31T18:00:00", None),  # open; limit in 2027, not known
                       ("C1", "c", "2026-12-31T18:00:00", None)])  # likewise
    spec = rate_specs.specs(RULESET)["quick"]
    judge = Judge(db, RULESET, 2026, date(2027, 1, 10), WorkingCalendar())
    facts = order_rate_facts(db, RULESET, [spec], "2026-01-01T00:00:00", "2026-12-31T23:59:59", judge)
    # a: 1 of 2 within a working day; b and c wait on 2027, whatever order the units are met in
    assert ((facts["a"].rates["quick"].numerator, facts["a"].rates["quick"].denominator), facts["a"].pending) == (
        (1, 2), {})
    for unit in ("b", "c"):
        assert facts[unit].rates == {} and "2027" in facts[unit].pending["quick"]


def test_a_duration_and_an_extra_column_in_one_condition_read_the_orders_own_fields() -> None:
    text = RULESET_TEXT.replace("[[rates]]", '[workorders]\ncolumns = [{ header = "解决情况" }]\n[[rates]]', 1)
    text = text.replace("numerator = [{ within", 'numerator = [{ where = { "解决情况" = ["解决"] }, within', 1)
    ruleset = parse_ruleset(text, "r.toml")
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, counted) "
                   "VALUES (?, 'a', '2026-12-28T09:00:00', '2026-12-31T18:00:00', ?, 1)", [
                       ("A1", "2026-12-28T10:00:00"),   # within a working day, 解决: counts
                       ("A2", "2026-12-28T10:00:00"),   # within, 未解决
                       ("A3", "2026-12-30T10:00:00")])  # 解决, but after Tue 29 Dec: late
    db.executemany("INSERT INTO workorder_fields (order_id, field, value) VALUES (?, '解决情况', ?)",
                   [("A1", "解决"), ("A2", "未解决"), ("A3", "解决")])
    spec = rate_specs.specs(ruleset)["quick"]
    judge = Judge(db, ruleset, 2026, date(2026, 12, 31), WorkingCalendar())
    facts = order_rate_facts(db, ruleset, [spec], "2026-01-01T00:00:00", "2026-12-31T23:59:59", judge)
    # A1 alone is resolved and within its limit: 1 of 3
    assert (facts["a"].rates["quick"].numerator, facts["a"].rates["quick"].denominator) == (1, 3)
