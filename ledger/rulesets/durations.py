"""Durations between two times of an order, in working days or hours: one definition for rules and rates.

A ``per_order`` item deducts for each order whose ``end`` came later than a limit after its
``start``; a rate (``[[rates]]``) may count the orders whose ``end`` came within it (``within``).
Both name the times and the limit alike — ``start``/``end`` one of ``dispatched``, ``due``,
``completed`` or an export column declared ``type = "time"``; exactly one of ``working_days`` and
``working_hours`` — and both measure the limit with ``ledger.domain.working_time`` (the official calendar
with the ledger's rulings; ``[calendar] working_hours``). An order is **late** when its ``end`` is
later than the limit, or when its ``end`` is not there (as of the as-of date) and the limit has passed
by the end of the as-of date; an end exactly at the limit is in time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, model_validator

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.working_time import Spans, days_limit, hours_limit
from ledger.rulesets.frozen import Frozen as _Frozen
from ledger.translation import gettext as _

#: The order's own times a rule or rate may name, with their column in the read model and their words.
BUILTIN_TIMES = {"dispatched": ("dispatched_at", "派单时间"), "due": ("due_at", "办结时限"),
                 "completed": ("completed_at", "办结时间")}


def time_words(name: str) -> str:
    """A time's Chinese name: 派单时间 for ``dispatched``; a column's header as it is."""
    return BUILTIN_TIMES[name][1] if name in BUILTIN_TIMES else name


def limit_words(working_days: int | None, working_hours: Decimal | None) -> str:
    """``10个工作日`` / ``2个工作小时``."""
    if working_days is not None:
        return f"{working_days}个工作日"
    text = f"{working_hours or Decimal(0):f}"  # as a person writes it: 2, 1.5 (no trailing zeros)
    return f"{text.rstrip('0').rstrip('.') if '.' in text else text}个工作小时"


def limit_of(start: str, working_days: int | None, working_hours: Decimal | None, spans: Spans,
             calendar: WorkingCalendar) -> str:
    """The limit after the time ``start`` (``YYYY-MM-DDTHH:MM:SS``): a later end is late (CalendarYearUnknown if a
    year it needs is not known)."""
    if working_days is not None:
        return days_limit(start, working_days, calendar)
    return hours_limit(start, working_hours or Decimal(0), spans, calendar)


def check_times(ruleset: Any, start: str, end: str, hours: bool, at: str) -> list[str]:
    """The problems of a duration's times (at the key path ``at``): unknown or not a time, the same twice,
    working hours without ``[calendar] working_hours``."""
    errors = []
    columns = {c.header: c.type for c in ruleset.workorders.columns}
    for key, name in (("start", start), ("end", end)):
        if columns.get(name) == "text":
            errors.append(f"{at}.{key}: " + _("{name} is a text column: declare it in [[workorders.columns]] with "
                                              "type = \"time\" to measure from or to it").format(name=repr(name)))
        elif name not in BUILTIN_TIMES and name not in columns:
            errors.append(f"{at}.{key}: " + _(
                "unknown time {name} (dispatched, due, completed, or a column of [[workorders.columns]] with "
                "type = \"time\")").format(name=repr(name)))
    if start == end:
        errors.append(f"{at}.end: " + _("the same time as start"))
    if hours and not ruleset.calendar.working_hours:
        errors.append(f"{at}.working_hours: " + _("needs the working day's hours in [calendar] working_hours "
                                                   "(e.g. [\"09:00-12:00\", \"13:30-17:30\"])"))
    return errors


class Within(_Frozen):
    """A rate's duration condition: the order's ``end`` came no later than N working days (or hours) after its
    ``start`` — or, not there yet, the limit has not passed by the as-of date. An order without its ``start``
    does not meet it.

    Attributes:
        start, end: two times of an order (``dispatched``, ``due``, ``completed`` or a time column's header).
        working_days / working_hours: N, exactly one of them.
    """

    start: str
    end: str
    working_days: int | None = Field(default=None, gt=0)
    working_hours: Decimal | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_limit(self) -> Within:
        if (self.working_days is None) == (self.working_hours is None):
            raise ValueError(_("give exactly one of working_days and working_hours"))
        return self

    def name(self) -> str:
        """The condition as a field name the read model's tests use (stable: a rate's key digests it)."""
        n = f"{self.working_days}d" if self.working_days is not None else f"{self.working_hours}h"
        return f"within:{self.start}>{self.end}<={n}"

    def words(self) -> str:
        """``签收时间不晚于派单时间后2个工作小时``."""
        return (f"{time_words(self.end)}不晚于{time_words(self.start)}后"
                f"{limit_words(self.working_days, self.working_hours)}")

    def check(self, ruleset: Any, at: str) -> list[str]:
        """The condition's problems in ``ruleset``, at the key path ``at``."""
        return check_times(ruleset, self.start, self.end, self.working_hours is not None, at)
