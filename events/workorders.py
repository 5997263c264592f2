"""Work-order facts from the hotline platform's exports, recorded in batches.

A million orders a year cannot be one aggregate each (the store tops out near 18,000
aggregates/s), so one event carries a chunk of facts; per-order state lives in a projection.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import model_validator

from events.base import LedgerCreated, LedgerEvent

#: The fields of one fact row, in order. A row holds only what is new or changed for the order:
#: ``None`` in a position means "not stated by this fact" (absent column or unchanged value).
FACT_FIELDS: tuple[str, ...] = (
    "order_id",
    "unit",
    "dispatched_at",
    "due_at",
    "completed_at",
    "reply_required",
    "replied",
    "satisfaction",
    "counted",
)


class WorkOrderFactsRecorded(LedgerCreated):
    """A chunk of work-order facts from one export.

    Attributes:
        batch: the import's id (shared by its chunks). chunk: position within the import.
        source: the file name. sha256: the file's digest. exported_at: the export time the
        facts are as of (``YYYY-MM-DDTHH:MM:SS``, local time); a fact older than what the ledger
        already knows of an order never rolls it back.
        rows: fact rows, each laid out as ``FACT_FIELDS``; times as ``YYYY-MM-DDTHH:MM:SS``,
        flags as ``"1"``/``"0"``, an empty string for a cleared completion time.
        extra: the extra export columns a ruleset declares (``[workorders] columns``, e.g. 解决情况),
        header → one value per fact row, aligned with ``rows``; ``None`` means "not stated", ``""``
        an empty cell. Only columns some row of the chunk states are present; events recorded
        before the ledger kept extra columns load with none.
        unit: the unit (code) every fact of the chunk concerns, so that one unit's facts can be shown
        and proven without another unit's (docs/merkle.md); ``None`` for a chunk recorded before
        chunks were per unit, which may hold several units' orders.
    """

    #: 2: ``extra`` added (2025-11-25); 3: ``authenticated_as`` added (2026-12-02).
    class_version: ClassVar[int] = 3

    batch: str
    chunk: int
    source: str
    sha256: str
    exported_at: str
    rows: list[list[str | None]]
    extra: dict[str, list[str | None]] = {}
    unit: str | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Recorded before the ledger kept extra columns: none stated."""
        state.setdefault("extra", {})

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        LedgerEvent.upcast_v1_v2(state)

    @model_validator(mode="after")
    def _extra_aligned_with_rows(self) -> WorkOrderFactsRecorded:
        for header, values in self.extra.items():
            if len(values) != len(self.rows):
                raise ValueError(f"extra column {header!r} has {len(values)} values for {len(self.rows)} fact rows")
        return self
