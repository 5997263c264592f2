"""The working-day calendar: which dates are working days (工作日) in China.

A date's status is decided, in this order, by:

1. an official ruling entered with ``calendar set`` (it overrides everything else);
2. the calendar bundled with ``chinese-calendar``, for the years it knows (statutory holidays
   and adjusted working days, 调休, included);
3. the weekday rule (Monday–Friday work, Saturday/Sunday rest), only for a year declared
   complete with ``calendar complete``.

Any other date is unknown and raises :class:`CalendarYearUnknown`: a deadline that needs it is
pending, never guessed from weekdays (RUBRIC.md §7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType

import chinese_calendar

from ledger.domain.errors import LedgerError

# chinese-calendar refuses (NotImplementedError) any year outside the span of its holiday table;
# we read that span once instead of calling its is_workday, which recomputes it on every call.
BUNDLED_YEARS: range = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

_ONE_DAY = timedelta(days=1)
_NO_RULINGS: Mapping[date, bool] = MappingProxyType({})


class CalendarYearUnknown(LedgerError):
    """A date's working-day status is needed in a year the calendar does not know.

    Deadline projections turn it into a ``pending`` verdict; anywhere else it is a refusal.

    Attributes:
        year: the unknown year.
        day: the first date of that year whose status was asked for, when known.
    """

    def __init__(self, year: int, day: date | None = None) -> None:
        # Both values go to args so that the exception pickles and copies intact.
        super().__init__(year, day)
        self.year = year
        self.day = day

    def __str__(self) -> str:
        return (
            f"{self.year} 年的工作日安排尚未录入 (calendar year {self.year} is not known: "
            f"enter its rulings with `calendar set` and `calendar complete {self.year}`)"
        )


def _require_date(value: object, what: str) -> date:
    # datetime is a subclass of date but never equals one, so it would miss every table lookup.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime.date, not {type(value).__name__}: {value!r}")
    return value


@dataclass(frozen=True, init=False)
class WorkingCalendar:
    """The official working days, with the rulings entered in the ledger on top.

    Attributes:
        rulings: official rulings by date, ``True`` for a working day and ``False`` for a
            holiday (read-only; a copy of what was given).
        complete_years: the years whose rulings are all entered; their other dates follow
            the weekday rule.
    """

    rulings: Mapping[date, bool]
    complete_years: frozenset[int]

    def __init__(
        self, rulings: Mapping[date, bool] = _NO_RULINGS, complete_years: Iterable[int] = ()
    ) -> None:
        copied: dict[date, bool] = {}
        for day, is_workday in rulings.items():
            if not isinstance(is_workday, bool):
                raise TypeError(f"the ruling for {day} must be True (workday) or False (holiday)")
            copied[_require_date(day, "a ruling's date")] = is_workday
        # Copies, so that a caller mutating its own dict afterwards cannot change this calendar.
        object.__setattr__(self, "rulings", MappingProxyType(copied))
        object.__setattr__(self, "complete_years", frozenset(complete_years))

    def __hash__(self) -> int:
        return hash((frozenset(self.rulings.items()), self.complete_years))

    def known_years(self) -> frozenset[int]:
        """The years in which every date's status is known (bundled or declared complete)."""
        return frozenset(BUNDLED_YEARS) | self.complete_years

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day.

        Raises:
            CalendarYearUnknown: ``d`` has no ruling and its year is neither bundled nor
                declared complete.
        """
        _require_date(d, "the day")
        ruling = self.rulings.get(d)
        if ruling is not None:
            return ruling
        if d.year in BUNDLED_YEARS:
            # The same rule as chinese_calendar.is_workday, without its per-call range check.
            return d in chinese_calendar.workdays or (d.weekday() < 5 and d not in chinese_calendar.holidays)
        if d.year in self.complete_years:
            return d.weekday() < 5
        raise CalendarYearUnknown(d.year, d)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself is never counted.

        ``add_working_days(received, 7)`` is the last day of a 7-working-day time limit that
        starts running the day after ``received``.

        Raises:
            ValueError: ``n`` is less than 1.
            CalendarYearUnknown: the count reaches a date whose status is unknown.
        """
        if n < 1:
            raise ValueError(f"the number of working days must be at least 1, not {n}")
        day = _require_date(start, "the start day")
        counted = 0
        while counted < n:
            day += _ONE_DAY
            if self.is_workday(day):
                counted += 1
        return day
