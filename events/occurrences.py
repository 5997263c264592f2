"""Deductions, bonuses and assessments recorded against a unit's items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from events.base import Attachment, LedgerCreated, LedgerEvent


class OccurrenceRecorded(LedgerCreated):
    """Something that costs or earns points happened (a deduction or a bonus; the item's kind decides).

    Attributes:
        unit: unit code. item: item code. year: the scoring year (of ``date``).
        date: when it happened (valid time). count: how many (≥ 1).
        evidence: the evidence reference (a work-order number, a notice, a document).
        note: free text. attachments: files in the evidence store.
        batch: the import batch id when recorded by ``import events``; source: ``file:row``.
    """

    unit: str
    item: str
    year: int
    date: date
    count: int
    evidence: str
    note: str = ""
    attachments: tuple[Attachment, ...] = ()
    batch: str | None = None
    source: str | None = None


class OccurrenceRetracted(LedgerEvent):
    """A recorded occurrence was withdrawn (it stays in the ledger, marked retracted)."""

    reason: str


class AssessmentRecorded(LedgerCreated):
    """Assessors awarded points on an assessment item; the latest one recorded for a year counts.

    Attributes:
        unit, item, year, date, evidence, note, batch, source: as for occurrences.
        points: the points awarded (0 ≤ points ≤ the item's max).
    """

    unit: str
    item: str
    year: int
    date: date
    points: Decimal
    evidence: str
    note: str = ""
    batch: str | None = None
    source: str | None = None


class EventsFileImported(LedgerCreated):
    """A file of occurrences and assessments was imported (``import events``).

    Attributes:
        sha256: the file content's digest (an identical file is refused unless ``--again``).
        name: the file name as given. rows: data rows applied. again: 0 for the first import of
        this content, n for the n-th repeat allowed with ``--again``.
    """

    sha256: str
    name: str
    rows: int
    again: int = 0
