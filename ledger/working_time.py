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

from datetime import date, datetime, timedelta
from decimal import Decimal

from ledger.calendar import WorkingCalendar
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
    """The earliest moment by which ``hours`` working hours have passed since ``start``."""
    left = hours * 3600
    day = date.fromisoformat(start[:10])
    at = int(start[11:13]) * 3600 + int(start[14:16]) * 60 + int(start[17:19])
    for _day in range(_MAX_DAYS):
        if calendar.is_workday(day):
            for begin, end in spans:
                if at >= end:
                    continue
                begin = max(at, begin)
                if left <= end - begin:
                    moment = datetime(day.year, day.month, day.day) + timedelta(seconds=int(begin + left))
                    # A fraction of a second counts as the whole second after it (the times have none).
                    if begin + left != int(begin + left):
                        moment += timedelta(seconds=1)
                    return moment.isoformat()
                left -= end - begin
        day += _ONE_DAY
        at = 0
    raise ValueError(_("no working hours within {days} days after {start}").format(days=_MAX_DAYS, start=start))
