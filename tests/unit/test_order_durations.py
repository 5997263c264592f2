"""One definition of a duration: the limit ``trace`` shows (``ledger.rulesets.durations.limit_of``) decides, for a
``per_order`` item (its SQL count) and a rate's ``within`` (``projections.order_durations.Judge``) alike: an order
with a start is late exactly when its end (or, not there by the as-of date, the as-of date's end) is later than
it — on random orders, ends at the limit and a second after, calendars with rulings and as-of dates."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.calendar import WorkingCalendar
from ledger.rulesets.durations import Within, limit_of
from ledger.rulesets.kinds.per_order import PerOrderItem, orders_meeting
from ledger.rulesets.loading import parse_ruleset
from projections import rate_specs
from projections.order_durations import Judge
from projections.order_rates import order_rate_facts
from projections.rate_specs import COLUMNS
from projections.view import SCHEMA

RULESET = parse_ruleset("""
id = "t"
name = "时限"
[calendar]
working_hours = ["09:00-12:00", "13:30-17:30"]
[[units]]
code = "a"
name = "甲区"
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
name = "超期"
section = "1"
kind = "per_order"
start = "dispatched"
end = "completed"
working_days = 1
amount = 0.2
max = 5
""", "t.toml")
SPANS = RULESET.calendar.spans()
FIRST = date(2025, 9, 22)  # Mon; National Day holidays (1–8 October) and the adjusted Sunday 28 September within

moments = st.builds(lambda d, s: f"{(FIRST + timedelta(days=d)).isoformat()}T{s // 3600:02d}:{s // 60 % 60:02d}:"
                                 f"{s % 60:02d}",
                    st.integers(0, 30), st.sampled_from([0, 9 * 3600, 12 * 3600, 13 * 3600 + 1800, 17 * 3600 + 1800,
                                                         10 * 3600 + 17, 15 * 3600 + 3599, 86399]))
#: An end: none, some seconds after the start, or exactly at the limit (+ 0 or 1 second: the boundary).
ends = st.one_of(st.none(), st.integers(0, 8 * 86400), st.sampled_from(["limit+0", "limit+1"]))
orders = st.lists(st.tuples(moments, ends), min_size=1, max_size=12)
limits = st.one_of(st.builds(lambda n: {"working_days": n}, st.integers(1, 6)),
                   st.builds(lambda h: {"working_hours": h}, st.sampled_from([Decimal("0.5"), Decimal(2),
                                                                              Decimal("7"), Decimal("12.25")])))


def _end(start: str, after: int | str | None, limit: dict[str, object], calendar: WorkingCalendar) -> str | None:
    """``after`` seconds after ``start``, or after the limit (``limit+S``); None: the order has no end (yet)."""
    if after is None:
        return None
    if isinstance(after, str):
        days, hours = limit.get("working_days"), limit.get("working_hours")
        at = limit_of(start, days, hours, SPANS, calendar)  # type: ignore[arg-type]
        return (datetime.fromisoformat(at) + timedelta(seconds=int(after[-1]))).isoformat()
    return (datetime.fromisoformat(start) + timedelta(seconds=after)).isoformat()


@settings(max_examples=60, deadline=None)
@given(orders, limits, st.integers(0, 40), st.booleans())
def test_within_is_the_complement_of_per_order(found: list[tuple[str, int | str | None]], limit: dict[str, object],
                                               as_of_days: int, ruling: bool) -> None:
    calendar = WorkingCalendar({date(2025, 10, 11): False} if ruling else {})  # the adjusted Saturday off
    rows = [(f"O{k}", start, _end(start, after, limit, calendar)) for k, (start, after) in enumerate(found)]
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, counted) "
                   "VALUES (?, 'a', ?, '2025-12-31T18:00:00', ?, 1)", rows)
    as_of = FIRST + timedelta(days=as_of_days)
    item = PerOrderItem.model_validate({**RULESET.item("1.1").model_dump(exclude={"working_days"}), **limit})
    late = orders_meeting(db, RULESET, item, None, 2025, as_of, calendar).get("a")
    within = Within(start="dispatched", end="completed", **limit)  # type: ignore[arg-type]
    now = f"{as_of.isoformat()}T23:59:59"
    in_year = [(i, start, end if end is not None and end <= now else None) for i, start, end in rows if start <= now]
    expected = {i for i, start, end in in_year if (end or now) > limit_of(start, within.working_days,
                                                                           within.working_hours, SPANS, calendar)}
    assert (late.count if late else 0) == len(expected)
    spec = replace(rate_specs.spec(RULESET, RULESET.rates[0]), durations=(within,))
    judge = Judge(db, RULESET, 2025, as_of, calendar)
    states = [(i, "a", start, "2025-12-31T18:00:00", end, 1, 0, None, 1, "", "") for i, start, end in rows]
    assert len(COLUMNS) == len(states[0])
    assert {o[0] for o in states if judge.fields(spec, o, {})[within.name()] == "否"} == expected


def test_a_limit_in_a_year_the_calendar_does_not_know_makes_the_units_rate_pending() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO workorders (order_id, unit, dispatched_at, due_at, completed_at, counted) "
                   "VALUES (?, 'a', ?, '2026-12-31T18:00:00', ?, 1)",
                   [("O1", "2026-12-28T09:00:00", "2026-12-28T10:00:00"),  # Mon, done at once: in time
                    ("O2", "2026-12-31T18:00:00", None)])  # limit: the first working day of 2027, not known
    spec = rate_specs.specs(RULESET)["quick"]
    judge = Judge(db, RULESET, 2026, date(2027, 1, 10), WorkingCalendar())
    facts = order_rate_facts(db, RULESET, [spec], "2026-01-01T00:00:00", "2026-12-31T23:59:59", judge)
    assert facts["a"].rates == {} and "2027" in facts["a"].pending["quick"]
    # As of the year's last day, O2's limit has not passed whatever 2027 holds: 2/2 in time.
    judge = Judge(db, RULESET, 2026, date(2026, 12, 31), WorkingCalendar())
    facts = order_rate_facts(db, RULESET, [spec], "2026-01-01T00:00:00", "2026-12-31T23:59:59", judge)
    assert (facts["a"].rates["quick"].numerator, facts["a"].rates["quick"].denominator) == (2, 2)
