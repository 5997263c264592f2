"""Dated facts from which deadline deductions are derived, and calendar rulings."""

from __future__ import annotations

from datetime import date
from typing import Literal

from events.base import LedgerCreated, LedgerEvent


class ReportSubmitted(LedgerCreated):
    """A unit submitted its periodic (monthly / quarterly) report.

    Attributes: unit, kind (``monthly``/``quarterly``), period (``2025-09``/``2025-Q3``),
    year (of the period), date (submitted), evidence.
    """

    unit: str
    kind: Literal["monthly", "quarterly"]
    period: str
    year: int
    date: date
    evidence: str


class NoticeReceived(LedgerCreated):
    """A unit received a first-supervision notice; its explanation is due within N working days.

    Attributes: unit, notice (the notice id, unique), received (date), year (of receipt), evidence.
    """

    unit: str
    notice: str
    received: date
    year: int
    evidence: str


class ExplanationSubmitted(LedgerEvent):
    """The unit submitted its explanation for a first-supervision notice."""

    date: date
    evidence: str


class CalendarRuled(LedgerCreated):
    """An official working-day ruling: ``date`` is a working day (``workday``) or a holiday."""

    date: date
    workday: bool
    evidence: str


class CalendarRulingChanged(LedgerEvent):
    """A later ruling for the same date replaced the earlier one."""

    workday: bool
    evidence: str


class CalendarYearCompleted(LedgerCreated):
    """Every ruling of ``year`` has been entered: its other dates follow the weekday rule."""

    year: int
    evidence: str
