"""The order index (``ledger/storage/order_index.py``) in an SQLite store: a table beside the events, in the same
file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import StoredEvent

from ledger.storage.order_index import COLUMNS, FACTS_TOPIC, LOOKUP, IndexRow, OrderIndexing, OrderState

_SELECTED = ", ".join(COLUMNS)


class SQLiteOrderIndex(OrderIndexing):
    """The order index's SQL for the chained SQLite recorder (``ledger.storage.chain``)."""

    events_table_name: str
    datastore: Any

    @property
    def order_index_table(self) -> str:
        """The index table: one row per (order, chunk event that changed it)."""
        return f"{self.events_table_name}_orders"

    def order_index_statements(self) -> list[str]:
        """DDL of the index table."""
        return [f"CREATE TABLE IF NOT EXISTS {self.order_index_table} (order_id TEXT NOT NULL, nid INTEGER NOT NULL, "
                "unit TEXT, dispatched_at TEXT, due_at TEXT, completed_at TEXT, reply_required INTEGER, "
                "replied INTEGER, satisfaction TEXT, counted INTEGER, observed_at TEXT, extra TEXT, "
                "PRIMARY KEY (order_id, nid)) WITHOUT ROWID"]

    def _index_lookup(self, cursor: Any, ids: list[str]) -> dict[str, OrderState]:
        raw = cursor.sqlite_cursor if hasattr(cursor, "sqlite_cursor") else cursor
        factory, raw.row_factory = raw.row_factory, None  # plain tuples: a re-import looks up a million orders
        found: dict[str, OrderState] = {}
        try:
            for start in range(0, len(ids), LOOKUP):
                part = ids[start:start + LOOKUP]
                # In key order (the primary key's own order: no sort), each order's rows oldest first, so the
                # last one assigned is its latest: no GROUP BY (an order has one row unless an export changed it).
                raw.execute(f"SELECT order_id, {_SELECTED}, extra FROM {self.order_index_table} "
                            f"WHERE order_id IN ({','.join('?' * len(part))}) ORDER BY order_id, nid", part)
                for row in raw.fetchall():
                    found[row[0]] = row[1:]
        finally:
            raw.row_factory = factory
        return found

    def _index_write(self, cursor: Any, rows: list[IndexRow]) -> None:
        cursor.executemany(f"INSERT INTO {self.order_index_table} VALUES ({','.join('?' * (len(COLUMNS) + 3))})", rows)

    def order_states(self, ids: list[str]) -> dict[str, OrderState]:
        with self.datastore.transaction(commit=False) as c:
            return self._index_lookup(c, ids)

    def order_index_rows(self) -> Iterator[tuple[str, int, OrderState]]:
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None
            c.execute(f"SELECT order_id, MAX(nid), {_SELECTED}, extra FROM {self.order_index_table} "
                      "GROUP BY order_id ORDER BY order_id")
            while rows := c.sqlite_cursor.fetchmany(5000):
                for row in rows:
                    yield row[0], row[1], tuple(row[2:])

    def order_index_exists(self) -> bool:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=?", (self.order_index_table,))
            (found,) = c.fetchone()
        return bool(found)

    def create_order_index(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for statement in self.order_index_statements():
                c.execute(statement)
            # Under the write lock the CREATE took: no chunk is appended before the table holds every earlier one,
            # and a process that created it meanwhile has filled it already.
            c.execute(f"SELECT 1 FROM {self.order_index_table} LIMIT 1")
            if c.fetchone() is None:
                self._fill_index(c, self._fact_events(c))

    def fact_events(self) -> Iterator[tuple[int, StoredEvent]]:
        with self.datastore.transaction(commit=False) as c:
            yield from self._fact_events(c)

    def _fact_events(self, c: Any) -> Iterator[tuple[int, StoredEvent]]:
        """The chunk events, one at a time (each is a megabyte or so), read with ``c``."""
        raw = c.sqlite_cursor
        raw.row_factory = None
        raw.execute(f"SELECT rowid FROM {self.events_table_name} WHERE topic=? ORDER BY rowid", (FACTS_TOPIC,))
        nids = [r[0] for r in raw.fetchall()]
        for nid in nids:
            raw.execute(f"SELECT originator_id, originator_version, topic, state FROM {self.events_table_name} "
                        "WHERE rowid=?", (nid,))
            oid, version, topic, state = raw.fetchone()
            yield nid, StoredEvent(originator_id=oid, originator_version=version, topic=topic, state=state)
