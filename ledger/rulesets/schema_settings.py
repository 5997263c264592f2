"""A ruleset's settings beside its units, sections and items: scoring, how the work-order export is read,
disputes, working time and the date window. Re-exported by ``ledger.rulesets.schema`` with the rest of the
ruleset's vocabulary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ledger.domain.working_time import Spans, parse_spans
from ledger.rulesets.frozen import Frozen as _Frozen
from ledger.rulesets.rates import ExtraColumn
from ledger.translation import _

#: A number of points: never negative.
Points = Annotated[Decimal, Field(ge=0)]


class Scoring(_Frozen):
    """Ruleset-wide scoring parameters.

    Attributes:
        rounding: the quantum each item score is rounded to, half-up (0.01).
        bonus_cap: the most bonus points a unit may earn in a year (None: no cap).
        total_cap: the most points a unit's total reaches, bonuses included (总分不超过100分;
        None: no cap).
        timezone: the zone dates are calendar dates in.
    """

    rounding: Decimal = Decimal("0.01")
    bonus_cap: Points | None = None
    total_cap: Points | None = None
    timezone: str = "Asia/Shanghai"


class WorkOrders(_Frozen):
    """How the platform's work-order export is read.

    Attributes:
        satisfaction_scale: every label the platform uses. satisfied_values: labels that count as
        satisfied. unrated_value: the label of an order with no satisfaction result (excluded).
        columns: extra export columns the rates read.
        screening_leaves: what an accepted screening (甄别) takes an order out of: ``rate`` (the
        numerator and denominator of the one rate it names, RUBRIC.md §6) or ``all`` (every
        rate's at once, whichever rate it was filed for).
    """

    satisfaction_scale: tuple[str, ...] = ("满意", "基本满意", "不满意", "未评价")
    satisfied_values: tuple[str, ...] = ("满意", "基本满意")
    unrated_value: str = "未评价"
    columns: tuple[ExtraColumn, ...] = ()
    screening_leaves: Literal["rate", "all"] = "rate"

    @model_validator(mode="after")
    def _labels_on_the_scale(self) -> WorkOrders:
        scale = set(self.satisfaction_scale)
        stray = [v for v in (*self.satisfied_values, self.unrated_value) if v not in scale]
        if stray:
            raise ValueError(_("labels not on satisfaction_scale: {labels}").format(labels=", ".join(stray)))
        return self


class Disputes(_Frozen):
    """Limits on disputes.

    Attributes:
        working_days: a dispute must be filed within N working days of the evaluation it
        contests (an occurrence's date; for a screening, the order's date ``screening_from``
        names); None: no limit.
        screening_from: which date of a work order a screening's window counts from:
        ``completed`` (its completion, the default: an open order has no window yet),
        ``dispatched`` or ``due``.
    """

    working_days: int | None = Field(default=None, gt=0)
    screening_from: Literal["completed", "dispatched", "due"] = "completed"


class WorkingTime(_Frozen):
    """The centre's working hours, for time limits in working hours (``[calendar]``).

    Attributes:
        working_hours: the spans of a working day (``["09:00-12:00", "13:30-17:30"]``), in order; empty: the
        ruleset counts no working hours (a rule that needs them is refused).
    """

    working_hours: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _spans(self) -> WorkingTime:
        try:
            parse_spans(self.working_hours)
        except ValueError as e:
            raise ValueError(_("working_hours: {problem}").format(problem=e)) from None
        return self

    def spans(self) -> Spans:
        """The working hours as (start, end) seconds since midnight."""
        return parse_spans(self.working_hours)


class DateWindow(_Frozen):
    """The dates a year's records may carry: from 1 January ``years_before`` years before the
    ruleset's year to 31 December ``years_after`` years after it.

    Attributes:
        years_before, years_after: whole years either side (a year's last reports and the
        explanations of its December notices fall in the next year; an order dispatched in
        December of the year before may be completed in this one).
    """

    years_before: int = Field(default=1, ge=0, le=10)
    years_after: int = Field(default=1, ge=0, le=10)

    def bounds(self, year: int) -> tuple[date, date]:
        """The first and last date allowed for the records of ``year`` (clamped to the calendar)."""
        return (date(max(1, year - self.years_before), 1, 1), date(min(9999, year + self.years_after), 12, 31))
