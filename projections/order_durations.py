"""A rate's duration conditions judged on an order, when read: in time or late, and why.

A rate may count the orders whose ``end`` came within N working days (or hours) of their
``start`` (``ledger.rulesets.durations.Within``). Whether an order does depends on the calendar
with the ledger's rulings and, for an order whose ``end`` is not there yet, on the as-of date: so
such a rate is never kept in the daily tallies, but judged here whenever it is read. The limit is
``ledger.rulesets.durations.limit_of`` — the one a ``per_order`` item's trace shows — and an
order is late when its end (or, not there by the as-of date, the as-of date's end) is later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ledger.calendar import WorkingCalendar
from ledger.rulesets.durations import BUILTIN_TIMES, Within, limit_of, limit_words, time_words
from ledger.working_time import Spans
from projections.local_time import with_offset
from projections.rate_specs import COLUMNS

#: Where a built-in time is in an order's state row.
_AT = {name: COLUMNS.index(column) for name, (column, _) in BUILTIN_TIMES.items()}


class Judge:
    """Judges duration conditions on orders as of a date (limits cached: many orders share a start day).

    Attributes:
        calendar: the working-day calendar, rulings included. spans: ``[calendar] working_hours``.
        as_of: the date the orders are read as of: an end later than its end is not there yet.
        zone: the ruleset's timezone, for the words of ``why``.
    """

    def __init__(self, calendar: WorkingCalendar, spans: Spans, as_of: date, zone: str) -> None:
        self.calendar, self.spans, self.zone, self.as_of = calendar, spans, zone, as_of
        self.now = f"{as_of.isoformat()}T23:59:59"
        self._limits: dict[tuple[Within, str], str] = {}

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

    def holds(self, within: Within, order: Sequence[Any], extra: Mapping[str, str]) -> bool:
        """Whether the order meets ``within``: its start there, and its end (or the as-of date's end, while it is
        not there) no later than the limit (CalendarYearUnknown if the limit's year is not known)."""
        start, end = self.times(within, order, extra)
        return start is not None and (end or self.now) <= self.limit(within, start)

    def fields(self, durations: Sequence[Within], order: Sequence[Any], extra: Mapping[str, str]) -> dict[str, str]:
        """``extra`` with each duration's field added (``是``/``否``), as the rate's tests read it."""
        out = dict(extra)
        for within in durations:
            out[within.name()] = "是" if self.holds(within, order, extra) else "否"
        return out

    def why(self, within: Within, order: Sequence[Any], extra: Mapping[str, str]) -> str:
        """In words, as a ``per_order`` trace gives them: ``签收时间 … > 时限 …（派单时间 … 后2个工作小时）``."""
        start, end = self.times(within, order, extra)
        end_words, start_words = time_words(within.end), time_words(within.start)
        if start is None:
            return f"无{start_words}"
        limit = self.limit(within, start)
        done = with_offset(end, self.zone) if end else f"未{end_words}（截至 {self.as_of.isoformat()}）"
        sign = "≤" if (end or self.now) <= limit else ">"
        return (f"{end_words} {done} {sign} 时限 {with_offset(limit, self.zone)}"
                f"（{start_words} {with_offset(start, self.zone)} 后"
                f"{limit_words(within.working_days, within.working_hours)}）")
