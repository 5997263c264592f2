"""Work-order facts merged into the orders' states, a run of chunk events at a time.

An import of a year's export is a run of ``WorkOrderFactsRecorded`` chunks, its orders in whatever
order the platform exported them. Applying each chunk on its own writes a thousand scattered
B-tree pages per chunk and upserts every daily tally once per chunk; applying the run as one
writes each order once, in key order, and the tallies once (the orders that cost points,
``projections.order_misses``, are adjusted with each write). The merge keeps the orders it has
touched in memory and writes them out every ``FLUSH`` orders (bounded memory); the tally changes
are only counted meanwhile and written once, when the run ends (``finish``).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from itertools import chain
from typing import Any

from events.workorders import WorkOrderFactsRecorded
from projections import order_misses, order_tallies, rate_specs, read_db

#: Orders kept in memory before their states are written (a few hundred bytes each).
FLUSH = 50_000
_STATE_SQL = f"SELECT {', '.join(order_tallies.COLUMNS)} FROM workorders"


class FactMerge:
    """Applies a run of ``WorkOrderFactsRecorded`` events to the view inside the caller's transaction.

    ``add`` each event in notification order, then ``finish`` once: until then the view's order,
    field and tally tables may lag behind what was added (nothing may read them meanwhile).
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._known: dict[str, list[Any]] = {}  # order id → its current state (COLUMNS), as merged so far
        self._before: dict[str, tuple[Any, ...]] = {}  # order id → its state in the table, for the tallies
        self._dirty: set[str] = set()  # orders whose state changed since the last flush
        self._fields: dict[tuple[str, str], str] = {}  # (order id, extra column) → value stated
        self._logs: list[tuple[Any, ...]] = []
        self._tallies: Counter[tuple[str, str, str]] = Counter()
        self._specs = rate_specs.kept(db)  # the rates tallied, and listed for trace

    def add(self, e: WorkOrderFactsRecorded, nid: int, log_row: tuple[Any, ...]) -> None:
        """Merge one chunk's facts (notification ``nid``); ``log_row`` is its entry in the ``log`` table."""
        known, dirty = self._known, self._dirty
        self._look_up([r.order_id for r in e.rows if r.order_id not in known])
        at = e.exported_at
        stale: set[str] = set()
        for fact in e.rows:
            order_id = fact.order_id
            old = known.get(order_id)
            if old is None:
                state = [order_id, None, None, None, None, 1, 0, None, 1, at, ""]
            elif old[9] > at:  # a fact older than what is known is stale
                stale.add(order_id)
                continue
            else:
                state = old
            fact.onto(state, 1)  # what the fact states; None keeps the value
            state[9] = at
            known[order_id] = state
            dirty.add(order_id)
        if e.extra:
            fields = self._fields
            for field, values in e.extra.items():
                for fact, value in zip(e.rows, values, strict=True):
                    if value is not None and fact.order_id not in stale:
                        fields[(fact.order_id, field)] = value
        self._logs.append(log_row)
        if len(known) >= FLUSH:
            self._flush()

    def finish(self) -> None:
        """Write what is still held, then the tally changes of the whole run."""
        self._flush()
        order_tallies.add(self.db, self._tallies)
        self._tallies = Counter()

    def _look_up(self, ids: list[str]) -> None:
        """Fetch the states of the orders of ``ids`` the table holds, in key order (neighbouring pages)."""
        if not ids:
            return
        ids.sort()
        known, before = self._known, self._before
        for row in read_db.select_in(self.db, _STATE_SQL, "order_id", ids):
            before[row[0]] = row
            known[row[0]] = list(row)

    def _flush(self) -> None:
        """Write the changed orders in key order, their extra fields and log entries; count their tally changes."""
        known, before, db = self._known, self._before, self.db
        dirty = sorted(self._dirty)
        after = [known[i] for i in dirty]
        measure = rate_specs.compiled(self._specs, False)
        self._tallies.update(chain.from_iterable(map(measure, after)))
        self._tallies.subtract(chain.from_iterable(measure(before[i]) for i in dirty if i in before))
        read_db.upsert(db, "workorders", order_tallies.COLUMNS, ("order_id",), after)  # each order's new state
        order_misses.adjust(db, (before[i] for i in dirty if i in before), after, self._specs)
        if self._fields:
            read_db.upsert(db, "workorder_fields", ("order_id", "field", "value"), ("order_id", "field"),
                           [(order_id, field, value) for (order_id, field), value in sorted(self._fields.items())])
        db.executemany("INSERT INTO log VALUES (?,?,?,?,?,?,?,?,?,?)", self._logs)
        self._known, self._before, self._dirty, self._fields, self._logs = {}, {}, set(), {}, []


def log_row(e: WorkOrderFactsRecorded, nid: int) -> tuple[Any, ...]:
    """The chunk's entry in the ``log`` table: what it recorded, not its thousands of facts.

    A per-unit chunk names its unit (``proof unit`` finds a unit's chunks by it); an older chunk, of several
    units' orders, names none."""
    payload = {"batch": e.batch, "chunk": e.chunk, "source": e.source, "sha256": e.sha256,
               "exported_at": e.exported_at, "facts": len(e.rows)}
    return (nid, str(e.originator_id), e.originator_version, type(e).__name__, e.unit, None, e.timestamp.isoformat(),
            e.recorded_by, json.dumps(payload, ensure_ascii=False), e.authenticated_as)
