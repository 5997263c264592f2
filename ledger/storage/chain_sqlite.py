"""The hash chain's SQLite recorder (see ``ledger.storage.chain``): each insert chains its events, extends
the Merkle tree and keeps the order index, in the insert's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import OperationalError, ProgrammingError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from ledger.storage.chain_format import ChainBrokenError, ChainFailure, link_rows
from ledger.storage.chain_sql import SQLChainPages
from ledger.storage.event_tree import extend_tree
from ledger.storage.order_index_sqlite import SQLiteOrderIndex

#: An SQLite append of this many events or more runs with a page cache of BULK_CACHE_KIB (a bulk import).
BULK_EVENTS = 10_000
BULK_CACHE_KIB = 128 * 1024


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder, SQLChainPages, SQLiteOrderIndex):
    """An SQLite application recorder that chains every inserted event and keeps the order index."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        e, c = self.events_table_name, self.chain_table_name
        self._insert_chain_sql = f"INSERT INTO {c} (notification_id, digest, hash) VALUES (?,?,?)"
        self._bound_sql = f"SELECT (SELECT MAX(rowid) FROM {e}), (SELECT MAX(notification_id) FROM {c})"
        self._events_sql = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {e} "
            "WHERE rowid>? AND rowid<=? ORDER BY rowid LIMIT ?"
        )
        self._chain_sql = (
            f"SELECT notification_id, digest, hash FROM {c} "
            "WHERE notification_id>? AND notification_id<=? ORDER BY notification_id LIMIT ?"
        )
        self._last_sql = (
            f"SELECT notification_id, hash FROM {c} WHERE notification_id<? "
            "ORDER BY notification_id DESC LIMIT 1"
        )
        self._positions_sql = f"SELECT notification_id FROM {c} WHERE digest=? ORDER BY notification_id"
        self._locate_sql = f"SELECT rowid FROM {e} WHERE originator_id=? AND originator_version=?"
        self._max_rowid_sql = f"SELECT MAX(rowid) FROM {e}"
        self._tree_sql(self.tree_table_name, self.leaves_table_name, "?")

    def construct_create_table_statements(self) -> list[str]:
        # INTEGER PRIMARY KEY aliases the rowid: the chain is stored in notification order.
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.chain_table_name} "
            "(notification_id INTEGER PRIMARY KEY, digest BLOB NOT NULL, hash BLOB NOT NULL)",
            *self.tree_table_statements(),
            *self.order_index_statements(),
        ]

    def tree_table_statements(self) -> list[str]:
        """DDL of the Merkle tree's tables (also what a store made before them gets, ``protect_history``)."""
        return [
            f"CREATE TABLE IF NOT EXISTS {self.leaves_table_name} "
            "(notification_id INTEGER PRIMARY KEY, idx INTEGER NOT NULL UNIQUE, salt BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.tree_table_name} "
            "(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) "
            "WITHOUT ROWID",
        ]

    def build_tree(self) -> int:
        with self.datastore.transaction(commit=True) as c:
            return extend_tree(SQLiteTreeRows(self, c), [], self.plain_state)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        events = [
            (s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
             s.originator_version, s.topic, s.state)
            for s in stored_events
        ]
        cache = None
        if len(events) >= BULK_EVENTS:
            # The events' primary key is a random uuid: with SQLite's default 2 MB of page cache, a hundred
            # thousand rows in one transaction spill and read back the same index pages over and over.
            c.execute("PRAGMA cache_size")
            (cache,) = c.fetchone()
            c.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        try:
            ids = self._insert_rows(c, events)
            # The inserts above hold SQLite's write lock until commit, so the head read here is the
            # latest one and no other writer can append before this transaction commits.
            c.execute(self._last_sql, (2**63 - 1,))
            head = c.fetchone()
            c.executemany(self._insert_chain_sql, link_rows(tuple(head) if head else None, ids, events))
            extend_tree(SQLiteTreeRows(self, c), [(n, *event) for n, event in zip(ids or (), events, strict=True)],
                        self.plain_state)
            self._index_inserted(c, stored_events, ids or ())
        finally:
            if cache is not None:
                c.execute(f"PRAGMA cache_size={int(cache)}")  # the pooled connection as it was
        return ids

    def _insert_rows(self, c: SQLiteCursor, events: list[tuple[str, int, str, bytes]]) -> list[int]:
        """Insert the events' rows; their notification ids (rowids), in order.

        The library inserts one row per statement to read each ``lastrowid``. Here the first row is
        inserted alone (which takes the write lock: no other writer until commit) and the rest in one
        ``executemany``: SQLite gives each new row the largest rowid plus one, so the ids run on from
        the first one, as the largest rowid afterwards confirms.
        """
        c.execute(self.insert_events_statement, events[0])
        first = c.lastrowid
        if len(events) == 1:
            return [first]
        c.executemany(self.insert_events_statement, events[1:])
        c.execute(self._max_rowid_sql)
        (last,) = c.fetchone()
        if last - first != len(events) - 1:  # never, short of a rowid at SQLite's largest: then say so
            msg = f"expected notification ids {first}..{first + len(events) - 1} from the insert, got up to {last}"
            raise ProgrammingError(msg)
        return list(range(first, last + 1))

    def tables_exist(self) -> bool:
        return self._count_tables(self.events_table_name, self.chain_table_name) == 2

    def tree_exists(self) -> bool:
        return self._count_tables(self.leaves_table_name, self.tree_table_name) == 2

    def _count_tables(self, *names: str) -> int:
        with self.datastore.transaction(commit=False) as c:
            marks = ",".join("?" * len(names))
            c.execute(f"SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name IN ({marks})", names)
            (found,) = c.fetchone()
        return int(found)

    def protect_history(self) -> None:
        """Add the Merkle tree's tables to a store made before them (nothing, if the file may only be read)."""
        if self.tree_exists():
            return
        try:
            with self.datastore.transaction(commit=True) as c:
                for statement in self.tree_table_statements():
                    c.execute(statement)
        except OperationalError as e:
            if "readonly" not in str(e).replace(" ", "").lower():
                raise

    def create_tables(self) -> None:
        self.create_table()

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples: cheaper than sqlite3.Row
            c.execute(sql, params)
            return c.fetchall()


class SQLiteTreeRows:
    """The tree's rows written through an SQLite cursor that holds the write lock (``event_tree.TreeStore``)."""

    def __init__(self, recorder: ChainedSQLiteApplicationRecorder, c: SQLiteCursor) -> None:
        self.c, self.leaves, self.tree, self.events = (c, recorder.leaves_table_name, recorder.tree_table_name,
                                                       recorder.events_table_name)

    def last_leaf(self) -> tuple[int, int]:
        self.c.execute(f"SELECT idx, notification_id FROM {self.leaves} ORDER BY idx DESC LIMIT 1")
        row = self.c.fetchone()
        return (int(row[0]) + 1, int(row[1])) if row else (0, 0)

    def events_after(self, after: int, before: int, limit: int) -> list[tuple[int, str, int, str, bytes]]:
        self.c.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events} "
                       "WHERE rowid > ? AND rowid < ? ORDER BY rowid LIMIT ?", (after, before, limit))
        return [tuple(row) for row in self.c.fetchall()]  # type: ignore[misc]

    def node(self, level: int, index: int) -> bytes:
        self.c.execute(f"SELECT hash FROM {self.tree} WHERE level = ? AND idx = ?", (level, index))
        row = self.c.fetchone()
        if row is None:
            raise ChainBrokenError(ChainFailure(0, None, None, f"the Merkle tree lacks node ({level}, {index})"))
        return bytes(row[0])

    def add(self, leaves: list[tuple[int, int, bytes]], nodes: list[tuple[int, int, bytes]]) -> None:
        self.c.executemany(f"INSERT INTO {self.leaves} (notification_id, idx, salt) VALUES (?, ?, ?)", leaves)
        self.c.executemany(f"INSERT INTO {self.tree} (level, idx, hash) VALUES (?, ?, ?)", nodes)
