"""Seals: a published head of the tamper-evidence chain."""

from __future__ import annotations

from events.base import LedgerCreated


class LedgerSealed(LedgerCreated):
    """The chain head at ``notification_id`` was ``head`` when sealed (print it in the bulletin)."""

    notification_id: int
    head: str
    note: str = ""
