"""Sealing: recording a published head of the tamper-evidence chain (see ledger/chain.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from events.seals import LedgerSealed
from ledger.aggregates import Seal

if TYPE_CHECKING:
    from ledger.application import LedgerCore as _Core
else:
    _Core = object


class Sealing(_Core):
    """Published chain heads, kept in the ledger itself."""

    def seal(self, *, notification_id: int, head: str, note: str, actor: str) -> str:
        """Record a published chain head."""
        agg = Seal.start(LedgerSealed, notification_id=notification_id, head=head, note=note, recorded_by=actor)
        self.save(agg)
        return str(agg.id)
