"""Disputes: a unit contests an occurrence, or asks that a work order be screened out (甄别)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from events.base import Attachment, LedgerCreated, LedgerEvent


class DisputeOpened(LedgerCreated):
    """A unit disputed an occurrence, or asked for a work order to be screened out of one rate.

    Attributes:
        subject: ``occurrence`` or ``workorder``.
        target: the occurrence id (subject occurrence) or the work-order id (subject workorder).
        unit, item: the unit and the item concerned (for a screening, the rate's item).
        rate: for a screening, a rate code of the ruleset of the order's year (``[[rates]]``; events
        recorded before rates were data name ``satisfaction``, ``reply`` or ``ontime``, which the
        rulesets still declare), else None.
        reason, evidence, attachments: the unit's case.
        filed_on: the date the unit filed it, when given (e.g. on paper before it was recorded).
    """

    #: 2: ``filed_on`` added (2025-11-25); 3: ``authenticated_as`` added (2026-12-02).
    class_version: ClassVar[int] = 3

    subject: Literal["occurrence", "workorder"]
    target: str
    unit: str
    item: str
    rate: str | None = None
    reason: str
    evidence: str
    attachments: tuple[Attachment, ...] = ()
    filed_on: date | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Opened before a filing date could be given: none was."""
        state.setdefault("filed_on", None)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        LedgerEvent.upcast_v1_v2(state)


class DisputeDecided(LedgerEvent):
    """The centre decided a dispute.

    Attributes:
        decision: ``accept`` (the occurrence no longer counts / the order is screened out),
        ``reject`` (it stands) or ``amend`` (its count is replaced by ``count``).
        count: the amended count (amend only). reason: why.
    """

    decision: Literal["accept", "reject", "amend"]
    count: int | None = None
    reason: str
