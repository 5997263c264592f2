"""A unit's work orders as a proof file states them: fact rows merged into order states, screenings applied.

``proof check`` recounts a unit's rates from the work-order chunks in its proof file without
building a read model (projections/proof_rates.py). This module gives it each order's state the
way the read model would hold it (projections/order_facts.py), written again plainly:

- the chunks are merged in notification order; a fact states only what is new or changed
  (``None``: not stated), and a later fact's stated fields replace the earlier ones; a fact
  exported before what is already known of the order is stale and ignored (its extra columns too);
- an order's state is its merged fact row, read with the defaults of an order first seen: a
  field never stated is ``None`` — no unit, no times, a reply required (``reply_required`` not
  ``"0"``), unreplied (``replied`` not ``"1"``), counted (``counted`` not ``"0"``), no
  satisfaction result; an empty completion time is an order reopened, as is none;
- an accepted screening (甄别, a ``workorder`` dispute decided ``accept``) takes an order out of
  the rate it names — only if the order is known by then, as the read model applies it.

A quarter of a million rows: a chunk of orders not seen before (the usual case) is taken whole,
and only an order stated again is merged field by field. A row's layout is read from
``FACT_FIELDS`` here alone (``ORDER_ID`` … ``COUNTED``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from eventsourcing.utils import get_topic

from events.disputes import DisputeDecided, DisputeOpened
from events.workorders import FACT_FIELDS

#: Where each field sits in a fact row, and so in an order's state (the one place that knows the layout).
ORDER_ID, UNIT, DISPATCHED, DUE, COMPLETED, REPLY_REQUIRED, REPLIED, SATISFACTION, COUNTED = (
    FACT_FIELDS.index(name) for name in ("order_id", "unit", "dispatched_at", "due_at", "completed_at",
                                         "reply_required", "replied", "satisfaction", "counted"))
_OPENED, _DECIDED = get_topic(DisputeOpened), get_topic(DisputeDecided)


@dataclass
class OrderBook:
    """The orders as merged so far.

    Attributes:
        orders: order id → its state (its fact rows merged, laid out as a fact row).
        observed: order id → the export time its state is as of (``observed_at``), once some order is merged one
        by one (until then, chunks taken whole keep their time once, not per order).
        extra: extra export column → order id → the value last stated.
        screened: order id → the rate codes it was screened out of.
    """

    orders: dict[str, list[str | None]] = field(default_factory=dict)
    observed: dict[str, str] = field(default_factory=dict)
    extra: dict[str, dict[str, str]] = field(default_factory=dict)
    screened: dict[str, frozenset[str]] = field(default_factory=dict)
    _chunks: list[tuple[str, list[str]]] = field(default_factory=list)  # (export time, ids) of chunks taken whole

    def record(self, facts: dict[str, Any]) -> None:
        """Merge one ``WorkOrderFactsRecorded`` chunk (its plain JSON, parsed)."""
        rows, at = facts["rows"], facts["exported_at"]
        ids = list(map(itemgetter(ORDER_ID), rows))
        stale = set() if self._taken_whole(ids, rows, at) else self._merge(rows, at)
        for column, values in (facts.get("extra") or {}).items():
            stated = self.extra.setdefault(column, {})
            stated.update((i, v) for i, v in zip(ids, values, strict=True) if v is not None and i not in stale)

    def _taken_whole(self, ids: list[str], rows: list[list[str | None]], at: str) -> bool:
        """Take a chunk of orders not seen before whole, each id hashed into ``orders`` alone (the usual case);
        False, nothing taken, when one of them is known or repeated in the chunk."""
        if not self.orders.keys().isdisjoint(ids):
            return False
        before = len(self.orders)
        self.orders.update(zip(ids, rows, strict=True))
        if len(self.orders) == before + len(ids):
            self._chunks.append((at, ids))
            return True
        for order_id in ids:  # an order repeated within the chunk: all were new, so undone, to be merged row by row
            self.orders.pop(order_id, None)
        return False

    def observed_at(self, order_id: str) -> str:
        """The export time a known order's state is as of: of the fact merged last."""
        return self.observed[order_id]

    def _merge(self, rows: list[list[str | None]], at: str) -> set[str]:
        """Merge rows one by one (some order is stated again); the ids of the stale ones."""
        for chunk_at, ids in self._chunks:  # from now on each order keeps its own time (rare: a chunk stated again)
            self.observed.update(dict.fromkeys(ids, chunk_at))
        self._chunks.clear()
        stale = set()
        for row in rows:
            order_id = row[ORDER_ID]
            state = self.orders.get(order_id)
            if state is not None and self.observed_at(order_id) > at:
                stale.add(order_id)
                continue
            merged = list(row) if state is None else [old if new is None else new for old, new in zip(state, row,
                                                                                                      strict=True)]
            self.orders[order_id], self.observed[order_id] = merged, at
        return stale

    def screen(self, order_id: str, rate: str) -> None:
        """Take a known order out of ``rate`` (an unknown one is not screened: the read model has no row)."""
        if order_id in self.orders:
            self.screened[order_id] = self.screened.get(order_id, frozenset()) | {rate}


def order_book(events: list[dict[str, Any]], chunks: dict[int, dict[str, Any]]) -> OrderBook:
    """The orders of a proof file's ``events`` in order: the chunks (``chunks``: notification id → parsed plain
    JSON) merged, the accepted screenings applied where they fall."""
    book = OrderBook()
    screenings: dict[str, tuple[str, str]] = {}  # dispute id → (order id, rate code)
    for e in events:
        facts = chunks.get(e["notification_id"])
        if facts is not None:
            book.record(facts)
        elif e["topic"] == _OPENED:
            opened = json.loads(e["plain"])
            if opened.get("subject") == "workorder" and opened.get("rate"):
                screenings[e["originator_id"]] = (opened["target"], opened["rate"])
        elif e["topic"] == _DECIDED and e["originator_id"] in screenings:
            if json.loads(e["plain"]).get("decision") == "accept":
                book.screen(*screenings[e["originator_id"]])
    return book
