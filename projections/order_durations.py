"""A rate's duration conditions judged on an order, when read: in time or late, and why.

A rate may count the orders whose ``end`` came within N working days (or hours) of their
``start`` (``ledger.rulesets.durations.Within``). Whether an order does depends on the calendar
with the ledger's rulings and, for an order whose ``end`` is not there yet, on the as-of date: so
such a rate is never kept in the daily tallies, but judged here whenever it is read, exactly as a
``per_order`` item judges its orders (its query): an order is late when its end (or, not there by
the as-of date, the as-of date's end) is later than the limit ``ledger.rulesets.durations.limit_of``
gives — the one ``trace`` shows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ledger.domain.calendar import CalendarYearUnknown, WorkingCalendar
from ledger.domain.working_time import Spans
from ledger.rulesets.durations import BUILTIN_TIMES, Within, limit_of, limit_words, time_words
from ledger.rulesets.kinds.per_order import late_orders
from projections.local_time import with_offset
from projections.rate_specs import COLUMNS, RateSpec

#: Where a built-in time is in an order's state row.
_AT = {name: COLUMNS.index(column) for name, (column, _) in BUILTIN_TIMES.items()}


class Judge:
    """Judges a rate's duration conditions on the orders of a year as of a date.

    Which orders are late is asked once per duration and year placement, of ``per_order``'s query
    (``ledger.rulesets.kinds.per_order.late_orders``: SQL over a table of the days' working days and seconds,
    a million orders in about a second); the words of ``why`` compute the one order's limit (cached: many
    orders share a start day).

    Attributes:
        db: the read model. ruleset: the year's. year, as_of: the year read, and the date it is read as of
        (an end later than its end is not there yet). calendar: the working-day calendar, rulings included.
    """

    def __init__(self, db: sqlite3.Connection, ruleset: Any, year: int, as_of: date,
                 calendar: WorkingCalendar) -> None:
        self.db, self.ruleset, self.year, self.as_of, self.calendar = db, ruleset, year, as_of, calendar
        self.spans: Spans = ruleset.calendar.spans()
        self.zone: str = ruleset.scoring.timezone
        self.now = f"{as_of.isoformat()}T23:59:59"
        self._late: dict[tuple[Within, str], tuple[frozenset[str], dict[str, str]]] = {}
        self._limits: dict[tuple[Within, str], str] = {}
        self._plans: dict[str, list[tuple[str, int | None, str, frozenset[str]]]] = {}

    def late(self, within: Within, basis: str) -> tuple[frozenset[str], dict[str, str]]:
        """The ids of the orders placed in the year by ``basis`` (a rate's, ``dispatched_at``/``due_at``) whose end
        came later than ``within``'s limit; and unit → why some of its orders cannot be judged."""
        key = (within, basis)
        if key not in self._late:
            year_by = next(name for name, (column, _) in BUILTIN_TIMES.items() if column == basis)
            self._late[key] = late_orders(self.db, self.ruleset, within, year_by, self.year, self.as_of,
                                          self.calendar)
        return self._late[key]

    def pending(self, spec: RateSpec) -> dict[str, str]:
        """unit → why some of its orders cannot be judged on one of the rate's durations."""
        out: dict[str, str] = {}
        for within in spec.durations:
            for unit, reason in self.late(within, spec.basis)[1].items():
                out.setdefault(unit, reason)
        return out

    def fields(self, spec: RateSpec, order: Sequence[Any], extra: Mapping[str, str]) -> dict[str, str]:
        """``extra`` with each of the rate's durations judged under its field (``是``: met), as its tests read it:
        met when the order's start is there and the order is not late."""
        plan = self._plans.get(spec.key)
        if plan is None:  # what each duration reads, found once per rate (a million orders ask)
            plan = self._plans[spec.key] = [(within.name(), _AT.get(within.start), within.start,
                                             self.late(within, spec.basis)[0]) for within in spec.durations]
        out = dict(extra)
        for name, at, column, late in plan:
            start = order[at] if at is not None else extra.get(column)
            out[name] = "是" if start and order[0] not in late else "否"
        return out

    def times(self, within: Within, order: Sequence[Any], extra: Mapping[str, str]) -> tuple[str | None, str | None]:
        """The order's start and end for ``within`` (an end after the as-of date is not there yet)."""
        start, end = (order[_AT[t]] if t in _AT else (extra.get(t) or None) for t in (within.start, within.end))
        return start, end if end is not None and end <= self.now else None

    def limit(self, within: Within, start: str) -> str:
        """The limit after ``start`` (CalendarYearUnknown if a year it needs is not known)."""
        # In working days the limit depends on the start's day alone.
        key = (within, start[:10] + "T00:00:00" if within.working_days is not None else start)
        found = self._limits.get(key)
        if found is None:
            found = self._limits[key] = limit_of(key[1], within.working_days, within.working_hours, self.spans,
                                                 self.calendar)
        return found

    def why(self, within: Within, order: Sequence[Any], extra: Mapping[str, str]) -> str:
        """In words, as a ``per_order`` trace gives them: ``签收时间 … > 时限 …（派单时间 … 后2个工作小时）``."""
        start, end = self.times(within, order, extra)
        end_words, start_words = time_words(within.end), time_words(within.start)
        if start is None:
            return f"无{start_words}"
        try:
            limit = self.limit(within, start)
        except CalendarYearUnknown as e:
            return str(e)
        done = with_offset(end, self.zone) if end else f"未{end_words}（截至 {self.as_of.isoformat()}）"
        sign = "≤" if (end or self.now) <= limit else ">"
        return (f"{end_words} {done} {sign} 时限 {with_offset(limit, self.zone)}"
                f"（{start_words} {with_offset(start, self.zone)} 后"
                f"{limit_words(within.working_days, within.working_hours)}）")
