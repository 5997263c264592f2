"""Deadline records: notices and their explanations, calendar rulings, and periodic report submissions."""

from __future__ import annotations

from datetime import date
from typing import Self
from uuid import UUID, uuid4

from events.deadlines import (
    CalendarRuled,
    CalendarRulingChanged,
    CalendarYearCompleted,
    ExplanationSubmitted,
    NoticeReceived,
    ReportSubmitted,
)
from ledger.domain.aggregates_base import (
    TOPIC_MODULE,
    LedgerAggregate,
    check_year_of,
    checked_evidence,
    handlers,
    ledger_id,
    required,
)
from ledger.domain.errors import RuleViolation
from ledger.translation import N_
from ledger.translation import gettext as _


class Notice(LedgerAggregate):
    """A first-supervision notice (its id is unique) and the unit's explanation."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @staticmethod
    def id_for(notice: str) -> UUID:
        return ledger_id("notice", notice)

    @classmethod
    def receive(cls, *, unit: str, notice: str, received: date, year: int, evidence: str, actor: str) -> Self:
        """Record a notice the unit received; its id derives from the notice's own id (unique)."""
        notice = required(notice, N_("the notice id is empty"))
        check_year_of(year, received)
        return cls._create(NoticeReceived, id=cls.id_for(notice), unit=required(unit, N_("the unit is empty")),
                           notice=notice, received=received, year=year, evidence=checked_evidence(evidence),
                           recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: NoticeReceived) -> None:
        self.unit, self.notice, self.received, self.explained = e.unit, e.notice, e.received, None

    @when.register
    def _(self, e: ExplanationSubmitted) -> None:
        self.explained = e.date

    def explain(self, on: date, evidence: str, actor: str) -> None:
        """Record the explanation, once: the first explanation decides the verdict."""
        if self.explained is not None:
            raise RuleViolation(_("notice {notice} already has an explanation dated {date}").format(
                notice=self.notice, date=self.explained))
        if on < self.received:
            raise RuleViolation(
                _("explanation for notice {notice} dated {date} is before the notice was received ({received})")
                .format(notice=self.notice, date=on, received=self.received))
        self.trigger_event(ExplanationSubmitted, date=on, evidence=evidence, recorded_by=actor)


class CalendarDay(LedgerAggregate):
    """The official ruling for one date (a later ruling replaces the earlier)."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @staticmethod
    def id_for(day: date) -> UUID:
        return ledger_id("calendar", day.isoformat())

    @classmethod
    def rule(cls, *, day: date, workday: bool, evidence: str, actor: str) -> Self:
        """The first ruling for ``day``: a working day (``workday``) or a holiday."""
        return cls._create(CalendarRuled, id=cls.id_for(day), date=day, workday=workday,
                           evidence=checked_evidence(evidence), recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: CalendarRuled) -> None:
        self.workday = e.workday

    @when.register
    def _(self, e: CalendarRulingChanged) -> None:
        self.workday = e.workday

    def change(self, workday: bool, evidence: str, actor: str) -> bool:
        """Change the ruling; the same ruling again changes nothing (returns False)."""
        if workday == self.workday:
            return False
        self.trigger_event(CalendarRulingChanged, workday=workday, evidence=evidence, recorded_by=actor)
        return True


class CalendarYear(LedgerAggregate):
    """A year whose rulings have all been entered."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @staticmethod
    def id_for(year: int) -> UUID:
        return ledger_id("calendar-year", year)

    @classmethod
    def complete(cls, *, year: int, evidence: str, actor: str) -> Self:
        """Declare every ruling of ``year`` entered: its other dates follow the weekday rule."""
        return cls._create(CalendarYearCompleted, id=cls.id_for(year), year=year, evidence=checked_evidence(evidence),
                           recorded_by=actor)


class ReportSubmission(LedgerAggregate):
    """One submission of a periodic report (the earliest per period decides its verdict)."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @classmethod
    def submit(cls, *, unit: str, kind: str, period: str, year: int, date: date, evidence: str,
               actor: str) -> Self:
        """Record a report submitted on ``date`` for ``period`` (``2025-09``, ``2025-Q3``) of ``year``."""
        if not period.startswith(f"{year}-"):
            raise RuleViolation(_("the period {period} is not in the year {year}").format(period=period, year=year))
        return cls._create(ReportSubmitted, id=uuid4(), unit=required(unit, N_("the unit is empty")), kind=kind,
                           period=period, year=year, date=date, evidence=checked_evidence(evidence), recorded_by=actor)
