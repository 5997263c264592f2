"""The write side's index of work orders: each order's state as its recorded facts left it, kept in the store.

Why an index and not an aggregate per order: a year's export holds a million orders, and the
store tops out near 18,000 aggregates/s (``events/workorders.py``), so the facts arrive a chunk per
event. A re-import must still decide, per order, what is new or changed; the read model cannot
decide it (a per-machine cache on SQLite, a lagging projection on PostgreSQL). So the recorder
keeps ``<events table>_orders`` beside the events and writes it **in the same transaction** as the
chunk events that change it, under the same append lock, as it writes the hash chain
(``ledger/storage/chain.py``): what a writer reads from it is exactly what the committed events say.

The table is append-only: one row per (order, notification id of the chunk that changed it), the
latest row being the order's state. A writer needs only INSERT (on PostgreSQL the history's
triggers refuse UPDATE, DELETE and TRUNCATE even to the owner), and every row names the event it
comes from. ``verify`` replays the chunk events and compares (``index_differences``); a store
made before the index existed, or restored from an export, has it built from the events.

What it holds is what the decisions need, nothing more: the built-in fields as the read model
holds them, and for the extra export columns (free text such as 解决情况) only a digest of each
value: equal digests mean an unchanged value.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from events.workorders import FactRow, WorkOrderFactsRecorded, as_fact_row
from ledger.translation import _

#: The stored topic of the events the index follows.
FACTS_TOPIC = get_topic(WorkOrderFactsRecorded)
#: An order's state, column by column after its id: the read model's ``workorders`` columns up to
#: ``observed_at`` (flags as 0/1), then ``extra``: the extra columns' digests (column → digest of its
#: value) as JSON text, None for none. Kept as stored so that a lookup builds no object per order.
COLUMNS = ("unit", "dispatched_at", "due_at", "completed_at", "reply_required", "replied", "satisfaction",
           "counted", "observed_at")
#: Orders looked up per query (SQLite: under its oldest default limit of 999 parameters).
LOOKUP = 900

#: One chunk event's facts: (its fact rows, the export time they are as of, extra columns).
FactChunk = tuple[Sequence[FactRow], str, Mapping[str, Sequence[str | None]]]
#: An order's state: the ``COLUMNS`` values, then the extra digests (JSON text or None: ``extra_of``).
OrderState = tuple[Any, ...]
#: One index row as stored: (order_id, nid, *COLUMNS, extra as JSON text or None).
IndexRow = tuple[Any, ...]


class OrderIndexMissing(Exception):
    """The store has no order index yet and this process may not create it."""


def extra_digest(value: str) -> str:
    """The digest kept for an extra column's value (64 bits of SHA-256, hex): enough to tell a change."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


# A flag as stated ("1"/"0"), or its default for a new order when not stated.
_REPLY_REQUIRED = {"1": 1, "0": 0, None: 1}
_REPLIED = {"1": 1, "0": 0, None: 0}
_COUNTED = _REPLY_REQUIRED


def merge(known: Mapping[str, OrderState], chunk: FactChunk) -> list[tuple[str, OrderState]]:
    """The orders a chunk of facts changes, with their new states, as the read model merges them.

    A fact older than the order's state (``observed_at`` later than the chunk's export time) is
    stale and changes nothing; a position the fact leaves ``None`` keeps its value; an empty
    completion time clears it (the order was reopened). ``known`` holds the orders' current states.
    """
    rows, at, extra = chunk
    columns = list(extra.items())
    seen: dict[str, OrderState] = {}  # the orders changed so far (an order twice in a chunk: one state, merged)
    for i, fact in enumerate(map(as_fact_row, rows)):  # rows as decoded, or their fields in order
        order_id, completed = fact.order_id, fact.completed_at
        old = seen.get(order_id) or known.get(order_id)
        if old is None and not columns:  # a new order (a first import is a million of these): its state at once
            new = (fact.unit, fact.dispatched_at, fact.due_at, completed or None,
                   _REPLY_REQUIRED[fact.reply_required], _REPLIED[fact.replied], fact.satisfaction,
                   _COUNTED[fact.counted], at, None)
            seen[order_id] = new
            continue
        if old is None:
            state: list[Any] = [None, None, None, None, 1, 0, None, 1, at, {}]
        elif old[8] > at:
            continue
        else:
            state = [*old[:9], extra_of(old)]
        fact.onto(state, 0)
        state[8] = at
        for column, values in columns:
            if values[i] is not None:
                state[9][column] = extra_digest(values[i])
        state[9] = json.dumps(state[9], sort_keys=True, ensure_ascii=False) if state[9] else None
        seen[order_id] = tuple(state)
    return list(seen.items())


def extra_of(state: OrderState) -> dict[str, str]:
    """An order's extra columns: column → digest of the value last recorded."""
    return json.loads(state[9]) if state[9] else {}


def to_row(order_id: str, nid: int, state: OrderState) -> IndexRow:
    """An order's state as one stored row of the index."""
    return (order_id, nid, *state)


class OrderIndexing:
    """What a chained recorder adds to keep the order index: each backend says how to look up and write rows.

    ``order_facts`` (set by the application) decodes a stored chunk event into its facts; without it
    (a bare recorder, as in the library's own test cases) nothing is indexed.
    """

    order_facts: Callable[[StoredEvent], FactChunk] | None = None

    # ── each backend ─────────────────────────────────────────────────────────────
    def _index_lookup(self, cursor: Any, ids: list[str]) -> dict[str, OrderState]:
        """The latest states of the orders of ``ids`` the index holds, read with ``cursor``."""
        raise NotImplementedError

    def _index_write(self, cursor: Any, rows: list[IndexRow]) -> None:
        """Insert index rows with ``cursor`` (in the caller's transaction)."""
        raise NotImplementedError

    def order_states(self, ids: list[str]) -> dict[str, OrderState]:
        """order id → its latest state, for the orders of ``ids`` the index holds (one read snapshot)."""
        raise NotImplementedError

    def order_index_rows(self) -> Iterator[tuple[str, int, OrderState]]:
        """Every order's latest (order id, nid, state), in order id order (for ``verify``)."""
        raise NotImplementedError

    def order_index_exists(self) -> bool:
        """Whether the store has the index table."""
        raise NotImplementedError

    def create_order_index(self) -> None:
        """Create the index table, then fill it from the events already stored, in one transaction."""
        raise NotImplementedError

    def fact_events(self) -> Iterator[tuple[int, StoredEvent]]:
        """Every stored chunk of work-order facts, with its notification id, in notification order."""
        raise NotImplementedError

    def _fact_events(self, cursor: Any) -> Iterator[tuple[int, StoredEvent]]:
        """``fact_events`` read with ``cursor``, in the caller's transaction."""
        raise NotImplementedError

    def index_restored(self, cursor: Any) -> None:
        """Index the chunk events just restored from an export (``ledger/storage/backup.py``), in the restore's
        transaction."""
        self._fill_index(cursor, self._fact_events(cursor))

    # ── shared ────────────────────────────────────────────────────────────────────
    def _index_inserted(self, cursor: Any, stored_events: Sequence[StoredEvent], ids: Sequence[int]) -> None:
        """Bring the index up to date with events just inserted (same transaction, under the append lock)."""
        if self.order_facts is None:
            return
        for stored, nid in zip(stored_events, ids, strict=True):
            if stored.topic == FACTS_TOPIC:
                self._index_chunk(cursor, nid, self.order_facts(stored))

    def _index_chunk(self, cursor: Any, nid: int, chunk: FactChunk) -> None:
        known = self._index_lookup(cursor, sorted({r.order_id for r in chunk[0]}))  # type: ignore[misc]
        rows = [to_row(order_id, nid, state) for order_id, state in merge(known, chunk)]
        rows.sort()
        self._index_write(cursor, rows)

    def _fill_index(self, cursor: Any, events: Iterable[tuple[int, StoredEvent]]) -> None:
        """Index the chunk events already stored, as their inserts would have (a store older than the index)."""
        if self.order_facts is None:
            raise OrderIndexMissing(_("the order index cannot be built without the ledger's mapper"))
        for nid, stored in events:
            self._index_chunk(cursor, nid, self.order_facts(stored))


def replayed_states(chunks: Iterable[tuple[int, FactChunk]], part: int, parts: int
                    ) -> dict[str, tuple[int, OrderState]]:
    """order id → (nid of the chunk that last changed it, state) from a replay of the chunks, for the orders
    of one partition (``part`` of ``parts``, by a CRC of the id: a million orders need not be held at once)."""
    states: dict[str, tuple[int, OrderState]] = {}
    plain: dict[str, OrderState] = {}  # the same states without their nids, as ``merge`` reads them
    for nid, (rows, at, extra) in chunks:
        mine = [i for i, r in enumerate(rows) if parts == 1 or zlib.crc32(r.order_id.encode()) % parts == part]
        if not mine:
            continue
        chunk = ([rows[i] for i in mine], at, {c: [v[i] for i in mine] for c, v in extra.items()})
        for order_id, state in merge(plain, chunk):
            states[order_id] = (nid, state)
            plain[order_id] = state
    return states


#: Orders held in memory per pass of ``index_differences``.
ORDERS_PER_PASS = 250_000


def index_differences(recorder: Any, decode: Callable[[StoredEvent], FactChunk]) -> str | None:
    """None when the order index equals a replay of the chunk events; else the first difference.

    The replay goes in passes over partitions of the orders (memory stays bounded for a million).
    """
    if not recorder.order_index_exists():
        return _("the store has no order index (open the store once as its owner to build it)")
    total = sum(1 for _row in recorder.order_index_rows())
    parts = 1 + total // ORDERS_PER_PASS
    for part in range(parts):
        replay = replayed_states(((nid, decode(s)) for nid, s in recorder.fact_events()), part, parts)
        for order_id, nid, state in recorder.order_index_rows():
            if parts > 1 and zlib.crc32(order_id.encode()) % parts != part:
                continue
            expected = replay.pop(order_id, None)
            if expected is None:
                return _("order {id} is in the order index but in no work-order fact (inserted?)").format(id=order_id)
            if (nid, state) != expected:
                return _("order {id}: the order index holds {held}, the events give {expected} (edited?)").format(
                    id=order_id, held=_show(nid, state), expected=_show(*expected))
        if replay:
            order_id = min(replay)
            return _("order {id}: the events give {expected}, the order index has no row (deleted?)").format(
                id=order_id, expected=_show(*replay[order_id]))
    return None


def _show(nid: int, state: OrderState) -> str:
    return f"#{nid} " + ", ".join(f"{c}={v}" for c, v in zip((*COLUMNS, "extra"), state, strict=True))
