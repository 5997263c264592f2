"""Time limits in working days or working hours on the official calendar (with the ledger's rulings).

A per-order rule asks whether a time of an order came later than N working days (or hours) after
another one. Both are answered by one moment, the **limit**, and a time later than the limit is
late; a time exactly at the limit is not (as an order completed exactly at its due time is on time):

- N working days after a time: the end (23:59:59) of the N-th working day after its date — the
  date itself is never counted, counting begins on the first working day after it (RUBRIC.md §7).
- N working hours after a time: the earliest moment by which N hours of the ruleset's working
  hours (``[calendar] working_hours``, e.g. 09:00–12:00 and 13:30–17:30) on working days have passed
  since it; a time outside working hours starts the count at the next working period.

Times are the read model's ``YYYY-MM-DDTHH:MM:SS`` local-time strings, so a limit compares with
them as text. Pure: no store, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from ledger.domain.calendar import CalendarYearUnknown, WorkingCalendar
from ledger.translation import gettext as _

_ONE_DAY = timedelta(days=1)
#: Working days scanned at most for one limit in working hours (a calendar with no working day would loop).
_MAX_DAYS = 3660

#: A working day's hours: (start, end) in seconds since midnight, in order, not overlapping.
Spans = tuple[tuple[int, int], ...]


def parse_spans(texts: tuple[str, ...]) -> Spans:
    """``("09:00-12:00", "13:30-17:30")`` as seconds since midnight; ValueError naming a bad one."""
    spans: list[tuple[int, int]] = []
    for text in texts:
        parts = text.replace("–", "-").replace("~", "-").split("-")
        try:
            start, end = (_seconds(p.strip()) for p in parts) if len(parts) == 2 else (None, None)
        except ValueError:
            start = end = None
        if start is None or end is None or start >= end:
            raise ValueError(_("{span} is not a span of a day such as 09:00-12:00").format(span=repr(text)))
        if spans and start < spans[-1][1]:
            raise ValueError(_("{span} begins before the span before it ends (give the spans in order)").format(
                span=repr(text)))
        spans.append((start, end))
    return tuple(spans)


def _seconds(text: str) -> int:
    hours, _, minutes = text.partition(":")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60) or h * 60 + m > 24 * 60 or len(minutes) != 2:
        raise ValueError(text)
    return (h * 60 + m) * 60


def days_limit(start: str, n: int, calendar: WorkingCalendar) -> str:
    """The end of the ``n``-th working day after ``start``'s date (CalendarYearUnknown if a year is not known)."""
    return f"{calendar.add_working_days(date.fromisoformat(start[:10]), n).isoformat()}T23:59:59"


def hours_limit(start: str, hours: Decimal, spans: Spans, calendar: WorkingCalendar) -> str:
    """The last moment by which no more than ``hours`` working hours have passed since ``start``: a time after it
    is more than ``hours`` working hours later. Reached at the end of a working period, it is the start of the
    next one (a time in the lunch break after it is still in time)."""
    left = hours * 3600
    day = date.fromisoformat(start[:10])
    at = int(start[11:13]) * 3600 + int(start[14:16]) * 60 + int(start[17:19])
    reached = False  # the hours ran out exactly at the end of a working period: the next one's start is the limit
    for _day in range(_MAX_DAYS):
        if calendar.is_workday(day):
            for begin, end in spans:
                if at >= end:
                    continue
                begin = max(at, begin)
                if reached or left < end - begin:
                    return _moment(day, begin + left)
                if left == end - begin:
                    reached, left = True, Decimal(0)
                    continue
                left -= end - begin
        day += _ONE_DAY
        at = 0
    raise ValueError(_("no working hours within {days} days after {start}").format(days=_MAX_DAYS, start=start))


def _moment(day: date, seconds: Decimal | int) -> str:
    """``day`` at ``seconds`` after midnight, a fraction of a second rounded down (the times have none)."""
    return (datetime(day.year, day.month, day.day) + timedelta(seconds=int(seconds))).isoformat()


def within_day(seconds: int, spans: Spans) -> int:
    """The working seconds of a working day up to ``seconds`` after midnight."""
    return sum(min(seconds, end) - begin for begin, end in spans if seconds > begin)


@dataclass(frozen=True)
class DayTable:
    """The working days and hours of a run of days, counted from its first, to measure limits by arithmetic.

    Attributes:
        rows: per day ``(YYYY-MM-DD, working days before it, 1 if a working day else 0, working seconds before
            it)``, from the first day asked for to the last, or to the last day the calendar knows.
        unknown: why the rows stop before the last day asked for (a year the calendar does not know), or None.
    """

    rows: tuple[tuple[str, int, int, int], ...]
    unknown: str | None = None


def day_table(first: date, last: date, calendar: WorkingCalendar, spans: Spans) -> DayTable:
    """Working days and seconds counted day by day from ``first`` to ``last`` (as far as the calendar knows)."""
    rows = []
    days = seconds = 0
    full = within_day(24 * 3600, spans)
    day = first
    while day <= last:
        try:
            workday = calendar.is_workday(day)
        except CalendarYearUnknown as e:
            return DayTable(tuple(rows), str(e))
        rows.append((day.isoformat(), days, int(workday), seconds))
        days += workday
        seconds += full if workday else 0
        day += _ONE_DAY
    return DayTable(tuple(rows))
