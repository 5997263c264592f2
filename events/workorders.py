"""Work-order facts from the hotline platform's exports, recorded in batches.

A million orders a year cannot be one aggregate each (the store tops out near 18,000
aggregates/s), so one event carries a chunk of facts; per-order state lives in a projection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Annotated, Any, ClassVar, NamedTuple

from pydantic import AfterValidator, model_validator

from events.base import LedgerCreated, LedgerEvent


class FactRow(NamedTuple):
    """One work-order fact: what a chunk states of one order, stored as a JSON array of these fields in order.

    Only what is new or changed for the order is stated: ``None`` means "not stated by this fact" (an absent
    column or an unchanged value). Times are ``YYYY-MM-DDTHH:MM:SS`` (local time); ``completed_at`` is ``""``
    when the fact clears a completion time (the order was reopened); flags are ``"1"``/``"0"``.
    """

    order_id: str
    unit: str | None
    dispatched_at: str | None
    due_at: str | None
    completed_at: str | None
    reply_required: str | None
    replied: str | None
    satisfaction: str | None
    counted: str | None

    def onto(self, state: list[Any], first: int) -> None:
        """Write what this fact states into an order's ``state``, whose fields from ``unit`` to ``counted`` stand in
        this order from index ``first``: a field not stated keeps its value, an empty completion time clears it (the
        order was reopened), flags become 0/1. The one rule every merge of facts (read model, order index) follows."""
        if self.unit is not None:
            state[first] = self.unit
        if self.dispatched_at is not None:
            state[first + 1] = self.dispatched_at
        if self.due_at is not None:
            state[first + 2] = self.due_at
        if self.completed_at is not None:
            state[first + 3] = self.completed_at or None
        if self.reply_required is not None:
            state[first + 4] = int(self.reply_required)
        if self.replied is not None:
            state[first + 5] = int(self.replied)
        if self.satisfaction is not None:
            state[first + 6] = self.satisfaction
        if self.counted is not None:
            state[first + 7] = int(self.counted)


#: The fields of one fact row, in their stored order.
FACT_FIELDS: tuple[str, ...] = FactRow._fields

#: A ``FactRow`` from a sequence of its fields in order, at C speed: no argument handling and no width check (the
#: caller checks widths, or reads rows the ledger wrote): a year's import builds and reads a million of them.
as_fact_row: Callable[[Iterable[str | None]], FactRow] = partial(tuple.__new__, FactRow)


#: A fact row as stored: a JSON array of ``FACT_FIELDS``. pydantic checks this shape (a few times faster than it
#: checks a ``NamedTuple``: a year's import validates a million rows, and the read model as many again), then
#: ``_fact_rows`` makes each a ``FactRow``; a row is dumped as the same array.
_StoredRow = tuple[str, str | None, str | None, str | None, str | None, str | None, str | None, str | None,
                   str | None]


def _fact_rows(rows: list[tuple[str | None, ...]]) -> list[FactRow]:
    """The validated rows as ``FactRow`` s (their shape checked already)."""
    return list(map(as_fact_row, rows))


class WorkOrderFactsRecorded(LedgerCreated):
    """A chunk of work-order facts from one export.

    Attributes:
        batch: the import's id (shared by its chunks). chunk: position within the import.
        source: the file name. sha256: the file's digest. exported_at: the export time the
        facts are as of (``YYYY-MM-DDTHH:MM:SS``, local time); a fact older than what the ledger
        already knows of an order never rolls it back.
        rows: the facts, one ``FactRow`` each (stored as a JSON array of its fields: the stored bytes are
        those of the positional rows recorded before the rows were typed).
        extra: the extra export columns a ruleset declares (``[workorders] columns``, e.g. 解决情况),
        header → one value per fact row, aligned with ``rows``; ``None`` means "not stated", ``""``
        an empty cell. Only columns some row of the chunk states are present; events recorded
        before the ledger kept extra columns load with none.
        unit: the unit (code) every fact of the chunk concerns, so that one unit's facts can be shown
        and proven without another unit's (docs/merkle.md); ``None`` for a chunk recorded before
        chunks were per unit, which may hold several units' orders.
    """

    #: 2: ``extra`` added (2025-11-25); 3: ``authenticated_as`` added (2026-12-02); 4: ``unit`` added (2026-12-02,
    #: chunks per unit).
    class_version: ClassVar[int] = 4

    batch: str
    chunk: int
    source: str
    sha256: str
    exported_at: str
    rows: Annotated[list[_StoredRow], AfterValidator(_fact_rows)]
    extra: dict[str, list[str | None]] = {}
    unit: str | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Recorded before the ledger kept extra columns: none stated."""
        state.setdefault("extra", {})

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        LedgerEvent.upcast_v1_v2(state)

    @staticmethod
    def upcast_v3_v4(state: dict[str, Any]) -> None:
        """Recorded before chunks were per unit: the chunk names no unit (it may hold several units' orders)."""
        state.setdefault("unit", None)

    @model_validator(mode="after")
    def _extra_aligned_with_rows(self) -> WorkOrderFactsRecorded:
        for header, values in self.extra.items():
            if len(values) != len(self.rows):
                raise ValueError(f"extra column {header!r} has {len(values)} values for {len(self.rows)} fact rows")
        return self
