"""Work-order facts, recorded in chunks of one export (one aggregate per chunk, not per order)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import Self
from uuid import UUID

from events.workorders import FACT_FIELDS, WorkOrderFactsRecorded, as_fact_row
from ledger.domain.aggregates_base import TOPIC_MODULE, LedgerAggregate, ledger_id
from ledger.domain.errors import RuleViolation
from ledger.translation import gettext as _


class WorkOrderBatch(LedgerAggregate):
    """One chunk of work-order facts from one export."""

    __module__ = TOPIC_MODULE  # its stored topic: ``ledger.aggregates:<class>`` (ledger/domain/aggregates_base.py)

    @staticmethod
    def id_for(batch: str, chunk: int) -> UUID:
        return ledger_id("workorders", batch, chunk)

    @classmethod
    def record(cls, *, batch: str, chunk: int, source: str, sha256: str, exported_at: str,
               rows: Sequence[Sequence[str | None]], actor: str, extra: Mapping[str, list[str | None]] | None = None,
               unit: str | None = None) -> Self:
        """Record chunk ``chunk`` of import ``batch``: its facts, each a ``FactRow`` or its fields in order
        (``extra`` aligned); ``unit``: the unit whose orders the chunk concerns (a row moving an order away states
        its new unit)."""
        if chunk < 0 or not rows:
            raise RuleViolation(_("a chunk of work-order facts has a position of 0 or more and at least one fact row"))
        # Checked at C speed (a million orders go through here); the loop only finds the row to name.
        facts = list(map(as_fact_row, rows))
        if set(map(len, facts)) != {len(FACT_FIELDS)} or not all(map(_ORDER_ID, facts)):
            n = next(n for n, f in enumerate(facts, start=1) if len(f) != len(FACT_FIELDS) or not f.order_id)
            raise RuleViolation(_("fact row {n} is not a work-order fact the ledger writes").format(n=n))
        return cls._create(WorkOrderFactsRecorded, id=cls.id_for(batch, chunk), batch=batch, chunk=chunk,
                           source=source, sha256=sha256, exported_at=exported_at, rows=facts,
                           extra=dict(extra or {}), unit=unit, recorded_by=actor)


_ORDER_ID = attrgetter("order_id")
