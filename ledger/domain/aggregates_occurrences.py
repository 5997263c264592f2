"""Scoring records: occurrences (deductions and bonuses), assessments, and the files of them imported once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Self
from uuid import UUID, uuid4

from events.base import Attachment
from events.occurrences import AssessmentRecorded, EventsFileImported, OccurrenceRecorded, OccurrenceRetracted
from ledger.domain.aggregates_base import (
    TOPIC_MODULE,
    LedgerAggregate,
    check_positive_count,
    check_year_of,
    checked_evidence,
    handlers,
    ledger_id,
    required,
)
from ledger.domain.errors import RuleViolation
from ledger.translation import N_
from ledger.translation import gettext as _


class Occurrence(LedgerAggregate):
    """A deduction or bonus occurrence; it may be retracted once."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @classmethod
    def record(cls, *, unit: str, item: str, year: int, date: date, count: int, evidence: str, actor: str,
               note: str = "", attachments: tuple[Attachment, ...] = (), batch: str | None = None,
               source: str | None = None, id: UUID | None = None) -> Self:  # noqa: A002
        """Record an occurrence (the use case has checked the unit, item and date against the year's ruleset).

        ``id``: the import's deterministic id of the row; a new one otherwise.
        """
        check_year_of(year, date)
        check_positive_count(count)
        return cls._create(OccurrenceRecorded, id=id or uuid4(), unit=required(unit, N_("the unit is empty")),
                           item=required(item, N_("the item is empty")), year=year, date=date, count=count,
                           evidence=checked_evidence(evidence), note=note, attachments=attachments, batch=batch,
                           source=source, recorded_by=actor)

    when = handlers()

    @when.register
    def _(self, e: OccurrenceRecorded) -> None:
        self.unit, self.item, self.year, self.date, self.retracted = e.unit, e.item, e.year, e.date, False

    @when.register
    def _(self, e: OccurrenceRetracted) -> None:
        self.retracted = True

    def retract(self, reason: str, actor: str) -> None:
        """Withdraw the occurrence; it stays in the ledger, marked retracted."""
        if self.retracted:
            raise RuleViolation(_("occurrence {id} is already retracted").format(id=self.id))
        self.trigger_event(OccurrenceRetracted, reason=reason, recorded_by=actor)


class Assessment(LedgerAggregate):
    """One assessment of an assessment item (later ones replace it in the score, not in the ledger)."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @classmethod
    def record(cls, *, unit: str, item: str, year: int, date: date, points: Decimal, evidence: str, actor: str,
               note: str = "", batch: str | None = None, source: str | None = None,
               id: UUID | None = None) -> Self:  # noqa: A002
        """Record an assessment (the use case has checked ``points`` against the item's maximum)."""
        check_year_of(year, date)
        if not isinstance(points, Decimal) or not points.is_finite() or points < 0:
            raise RuleViolation(_("points must be a number of at least 0, not {points}").format(points=points))
        return cls._create(AssessmentRecorded, id=id or uuid4(), unit=required(unit, N_("the unit is empty")),
                           item=required(item, N_("the item is empty")), year=year, date=date, points=points,
                           evidence=checked_evidence(evidence), note=note, batch=batch, source=source,
                           recorded_by=actor)


class EventsFile(LedgerAggregate):
    """A file of occurrences imported once (by content); repeats only with ``--again``."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @staticmethod
    def id_for(sha256: str, again: int) -> UUID:
        return ledger_id("events-file", sha256, again)

    @classmethod
    def record(cls, *, sha256: str, name: str, rows: int, again: int, actor: str,
               timestamp: datetime | None = None) -> Self:
        """Record that a file was imported: its ``again``-th repeat (0: the first import of its content)."""
        if rows < 0 or again < 0:
            raise RuleViolation(_("its digest, row count or repeat number is not one the ledger writes"))
        return cls._create(EventsFileImported, id=cls.id_for(sha256, again), timestamp=timestamp, sha256=sha256,
                           name=name, rows=rows, again=again, recorded_by=actor)
