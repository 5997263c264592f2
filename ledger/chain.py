"""Tamper evidence: a hash chain over the stored events in their global order.

Every event insert also appends, in the same transaction, one row per event to a side table
``<events table>_chain(notification_id, digest, hash)``::

    digest_n = sha256(len ‖ originator_id ‖ len ‖ originator_version ‖ len ‖ topic ‖ len ‖ state)
    hash_n   = sha256(hash_prev ‖ notification_id_n ‖ digest_n)

Each ``len`` is an 8-byte big-endian length prefix and ``notification_id`` an 8-byte big-endian
signed integer. The version is its decimal text, and the originator id is the text the library
writes to SQLite (``uuid.hex`` for UUID ids). ``hash_prev`` is the previous event's hash in
notification order, or 32 zero bytes (``GENESIS``) for the first. The chain follows the actual
order, so Postgres id gaps need no special case. The stored, possibly encrypted, bytes are
hashed, so ``verify_chain`` never decodes an event.

The writers are serialised by SQLite's write lock, or on Postgres by the library's ``LOCK TABLE …
IN EXCLUSIVE MODE``. Each writer reads the previous hash under that lock, so writers in several
processes still build a single chain. An application opts in with ``chain_env``.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from ledger.event_tree import extend_tree
from ledger.identity import os_user
from ledger.order_index import OrderIndexing
from ledger.order_index_sqlite import SQLiteOrderIndex

GENESIS = "0" * 64
"""The hex hash that the first event links to."""

EDITED = "stored bytes differ from the chain (edited?)"
NO_CHAIN = "no chain entry (inserted outside the ledger?)"
ORPHAN = "chain entry without an event (deleted?)"
REORDERED = "order differs (reordered?)"
FOREIGN = "its type is not one of the ledger's event types (a row the ledger did not write)"
UNLINKED = "does not link to the previous chain entry (an earlier event deleted, or the chain altered?)"

_GENESIS_BYTES = bytes(32)

#: An SQLite append of this many events or more runs with a page cache of BULK_CACHE_KIB (a bulk import).
BULK_EVENTS = 10_000
BULK_CACHE_KIB = 128 * 1024

# One stored event as hashed: (notification_id, originator_id, originator_version, topic, state).
_EventRow = tuple[int, str, int, str, bytes]
# One chain row: (notification_id, digest, hash).
_ChainRow = tuple[int, bytes, bytes]


class ChainEntry(NamedTuple):
    """One verified event, as the export writes it; ``hash`` is hex."""

    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes
    hash: str


class ChainFailure(NamedTuple):
    """The first event (or orphan chain row) that fails, and why.

    The originator is ``None`` when there is no event to name (a chain row whose event is gone, or a
    sealed head that is missing altogether).
    """

    notification_id: int
    originator_id: str | None
    originator_version: int | None
    reason: str

    def __str__(self) -> str:
        who = "" if self.originator_id is None else f" ({self.originator_id} v{self.originator_version})"
        return f"event #{self.notification_id}{who}: {self.reason}"


class ChainReport(NamedTuple):
    """The outcome of ``verify_chain``.

    ``count`` is the number of events verified before any failure, and ``head`` the hex hash of the
    last of them (``GENESIS`` when there are none).
    """

    ok: bool
    count: int
    head: str
    failure: ChainFailure | None


class ChainBrokenError(Exception):
    """The chain is broken at ``failure``.

    Raised by ``iter_chain`` at the first entry that fails, and by a save that cannot be chained
    (nothing is written then).
    """

    def __init__(self, failure: ChainFailure) -> None:
        super().__init__(str(failure))
        self.failure = failure


def event_digest(originator_id: str, originator_version: int, topic: str, state: bytes) -> bytes:
    """Return the sha256 of one event's canonical bytes (the notification id is not included)."""
    h = hashlib.sha256()
    for field in (originator_id.encode(), str(originator_version).encode(), topic.encode(), bytes(state)):
        h.update(len(field).to_bytes(8, "big"))
        h.update(field)
    return h.digest()


def canonical_originator_id(originator_id: UUID | str) -> str:
    """An originator id as the chain hashes it: the uuid's hex, as the library writes it to SQLite."""
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


def chain_link(previous: bytes, notification_id: int, digest: bytes) -> bytes:
    """Return the chain hash of an event, given the previous event's hash (raw bytes)."""
    return hashlib.sha256(previous + notification_id.to_bytes(8, "big", signed=True) + digest).digest()


def _link_rows(
    head: tuple[int, bytes] | None, ids: Sequence[int] | None, events: Sequence[tuple[str, int, str, bytes]]
) -> list[_ChainRow]:
    """Chain new events onto ``head``, refusing ids that do not come after it."""
    if ids is None or len(ids) != len(events):
        msg = f"expected {len(events)} notification ids from the insert, got {ids!r}"
        raise ProgrammingError(msg)
    last_id, previous = head if head is not None else (0, _GENESIS_BYTES)
    for notification_id, (originator_id, version, _topic, _state) in zip(ids, events, strict=True):
        if notification_id <= last_id:
            # Only if the last events were deleted behind the ledger's back and SQLite reuses their
            # rowids. Not an IntegrityError, which callers may take for an idempotent replay.
            reason = f"does not come after chain head #{last_id} (events deleted?); run verify"
            raise ChainBrokenError(ChainFailure(notification_id, originator_id, version, reason))
        last_id = notification_id
    rows = []
    sha256 = hashlib.sha256
    for notification_id, digest in zip(ids, event_digests(events), strict=True):
        # chain_link, inlined: a bulk import links a hundred thousand events here.
        previous = sha256(previous + notification_id.to_bytes(8, "big", signed=True) + digest).digest()
        rows.append((notification_id, digest, previous))
    return rows


def event_digests(events: Iterable[tuple[str, int, str, bytes]]) -> list[bytes]:
    """``event_digest`` of many (originator id, version, topic, state) events, in one tight loop."""
    sha256 = hashlib.sha256
    # A bulk append repeats a few (version, topic) pairs: each one's length-prefixed bytes are made once.
    prefixed: dict[tuple[int, str], bytes] = {}
    hex_len = (32).to_bytes(8, "big")  # a uuid's hex, the usual originator id
    out = []
    for originator_id, version, topic, state in events:
        vt = prefixed.get((version, topic))
        if vt is None:
            v, t = str(version).encode(), topic.encode()
            vt = prefixed[(version, topic)] = len(v).to_bytes(8, "big") + v + len(t).to_bytes(8, "big") + t
        oid, state = originator_id.encode(), bytes(state)
        h = sha256((hex_len if len(oid) == 32 else len(oid).to_bytes(8, "big")) + oid)
        h.update(vt)
        h.update(len(state).to_bytes(8, "big"))
        h.update(state)
        out.append(h.digest())
    return out


class ChainedRecorder(OrderIndexing, ABC):
    """The seam between the ledger and a backend: what ``verify_chain``, ``head``, ``iter_chain`` and
    provisioning need from a chained recorder, whatever keeps the events.

    Each page method returns rows with ``after < notification_id <= upto`` in ascending order.
    Implementations: SQLite and PostgreSQL (through SQL, ``SQLChainPages``) and in memory
    (``ledger.chain_memory``, for fast aggregate and use-case tests). Each also keeps the write
    side's order index in the insert's transaction (``ledger.order_index``).
    """

    events_table_name: str

    @property
    def chain_table_name(self) -> str:
        """The side table holding one chain row per event."""
        return f"{self.events_table_name}_chain"

    @abstractmethod
    def chain_bound(self) -> int | None:
        """The largest notification id among the events and chain rows, read in one snapshot."""

    @abstractmethod
    def event_rows(self, after: int, upto: int, limit: int) -> list[_EventRow]:
        """A page of raw stored events, originator ids in canonical text."""

    @abstractmethod
    def chain_rows(self, after: int, upto: int, limit: int) -> list[_ChainRow]:
        """A page of chain rows."""

    @abstractmethod
    def last_chain_row(self, before: int | None = None) -> tuple[int, bytes] | None:
        """The last (notification_id, hash) chain row, optionally only among ids < ``before``."""

    @abstractmethod
    def positions_of(self, digest: bytes) -> list[int]:
        """The notification ids whose chain rows carry ``digest`` (used only to explain a failure)."""

    @abstractmethod
    def notification_id_of(self, originator_id: UUID | str, version: int) -> int | None:
        """The notification id of one stored event (used only to name it in a message)."""

    @property
    def leaves_table_name(self) -> str:
        """The side table holding each event's leaf position and salt (ledger/event_tree.py)."""
        return f"{self.events_table_name}_leaves"

    @property
    def tree_table_name(self) -> str:
        """The side table holding the hash of every complete subtree of the Merkle tree."""
        return f"{self.events_table_name}_tree"

    #: The event's plain bytes from its stored state (the application sets the cipher's and compressor's
    #: inverse: ``PydanticMapper.plain_bytes``); the leaves commit to these.
    plain_state: Callable[[bytes], bytes] = staticmethod(bytes)  # type: ignore[assignment]

    @abstractmethod
    def tree_size_at(self, notification_id: int | None = None) -> int:
        """How many leaves the tree has up to and including ``notification_id`` (None: all)."""

    @abstractmethod
    def tree_node(self, level: int, index: int) -> bytes:
        """The stored hash of the complete subtree (level, index); ``LookupError`` if there is none."""

    @abstractmethod
    def leaf_of(self, notification_id: int) -> tuple[int, bytes] | None:
        """The (leaf index, salt) of one stored event, or None if the tree has no leaf for it."""

    @abstractmethod
    def leaf_page(self, after: int, limit: int) -> list[tuple[int, int, bytes, bytes]]:
        """A page of (leaf index, notification_id, salt, stored leaf hash) with index > ``after``."""

    @abstractmethod
    def node_page(self, after: tuple[int, int], limit: int) -> list[tuple[int, int, bytes]]:
        """A page of stored (level, index, hash) rows above the leaves, after ``after`` in (level, index) order."""

    @abstractmethod
    def build_tree(self) -> int:
        """Give every stored event without a leaf its leaf (a store made before the tree), in a
        transaction of its own; the tree's size."""

    def tree_exists(self) -> bool:
        """Whether the Merkle tree's tables are there (a store made before them, opened read-only, has none)."""
        return True

    @abstractmethod
    def tables_exist(self) -> bool:
        """Whether the events and chain tables are there (read only: no right beyond reading needed)."""

    @abstractmethod
    def create_tables(self) -> None:
        """Create the events and chain tables (the caller has checked they are missing)."""

    def protect_history(self) -> None:  # noqa: B027 - optional: most backends have nothing to add
        """Make the stored history refuse changes, where the backend can (PostgreSQL: triggers)."""

    def authenticated_as(self) -> str:
        """Who this backend authenticated for the process: for a file or memory store, the OS account."""
        return os_user()


class SQLChainPages(ChainedRecorder):
    """The page reads of a chained recorder over SQL: each backend names its SQL and how to run a read."""

    _bound_sql: Any
    _events_sql: Any
    _chain_sql: Any
    _last_sql: Any
    _positions_sql: Any
    _locate_sql: Any

    @abstractmethod
    def _fetch(self, sql: Any, params: Sequence[Any]) -> list[Any]:
        """Run one read query in its own snapshot and return plain tuples."""

    def chain_bound(self) -> int | None:
        (events_max, chain_max), = self._fetch(self._bound_sql, ())
        return max((m for m in (events_max, chain_max) if m is not None), default=None)

    def event_rows(self, after: int, upto: int, limit: int) -> list[_EventRow]:
        return self._fetch(self._events_sql, (after, upto, limit))

    def chain_rows(self, after: int, upto: int, limit: int) -> list[_ChainRow]:
        return self._fetch(self._chain_sql, (after, upto, limit))

    def last_chain_row(self, before: int | None = None) -> tuple[int, bytes] | None:
        rows = self._fetch(self._last_sql, (2**63 - 1 if before is None else before,))
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def positions_of(self, digest: bytes) -> list[int]:
        return [row[0] for row in self._fetch(self._positions_sql, (digest,))]

    def notification_id_of(self, originator_id: UUID | str, version: int) -> int | None:
        """The notification id of one stored event (used only to name it in a message)."""
        rows = self._fetch(self._locate_sql, (self._stored_originator_id(originator_id), version))
        return int(rows[0][0]) if rows else None

    def _stored_originator_id(self, originator_id: UUID | str) -> Any:
        return canonical_originator_id(originator_id)

    _size_at_sql: Any
    _node_sql: Any
    _leaf_sql: Any
    _leaf_page_sql: Any
    _node_page_sql: Any

    def tree_size_at(self, notification_id: int | None = None) -> int:
        rows = self._fetch(self._size_at_sql, (2**63 - 1 if notification_id is None else notification_id,))
        return 0 if not rows or rows[0][0] is None else int(rows[0][0]) + 1

    def tree_node(self, level: int, index: int) -> bytes:
        rows = self._fetch(self._node_sql, (level, index))
        if not rows:
            raise LookupError(f"no stored tree node at level {level}, index {index}")
        return bytes(rows[0][0])

    def leaf_of(self, notification_id: int) -> tuple[int, bytes] | None:
        rows = self._fetch(self._leaf_sql, (notification_id,))
        return (int(rows[0][0]), bytes(rows[0][1])) if rows else None

    def leaf_page(self, after: int, limit: int) -> list[tuple[int, int, bytes, bytes]]:
        return [(int(i), int(n), bytes(s), bytes(h)) for i, n, s, h in self._fetch(self._leaf_page_sql, (after, limit))]

    def node_page(self, after: tuple[int, int], limit: int) -> list[tuple[int, int, bytes]]:
        level, index = after
        return [(int(lv), int(ix), bytes(h))
                for lv, ix, h in self._fetch(self._node_page_sql, (level, level, index, limit))]

    def _tree_sql(self, t: str, lv: str, p: str) -> None:
        """The tree's read queries, given the tables' qualified names ``t`` (tree) and ``lv`` (leaves) and
        the driver's placeholder ``p``."""
        self._size_at_sql = f"SELECT MAX(idx) FROM {lv} WHERE notification_id <= {p}"
        self._node_sql = f"SELECT hash FROM {t} WHERE level = {p} AND idx = {p}"
        self._leaf_sql = f"SELECT idx, salt FROM {lv} WHERE notification_id = {p}"
        self._leaf_page_sql = (f"SELECT l.idx, l.notification_id, l.salt, t.hash FROM {lv} l "
                               f"LEFT JOIN {t} t ON t.level = 0 AND t.idx = l.idx "
                               f"WHERE l.idx > {p} ORDER BY l.idx LIMIT {p}")
        self._node_page_sql = (f"SELECT level, idx, hash FROM {t} WHERE level > 0 AND "
                               f"(level > {p} OR (level = {p} AND idx > {p})) ORDER BY level, idx LIMIT {p}")


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
            c.executemany(self._insert_chain_sql, _link_rows(tuple(head) if head else None, ids, events))
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


_RECORDER_TOPICS = {
    "eventsourcing.sqlite": f"{__name__}:{ChainedSQLiteApplicationRecorder.__qualname__}",
    # Named, not imported: psycopg costs every SQLite command ~80 ms to import.
    "eventsourcing.postgres": "ledger.chain_postgres:ChainedPostgresApplicationRecorder",
    # The in-memory store's factory builds its chained recorder itself (the library's ignores the topic).
    "ledger.chain_memory:ChainedPOPOFactory": "ledger.chain_memory:ChainedPOPOApplicationRecorder",
}


def chain_env(persistence_module: str) -> dict[str, str]:
    """Return the env entries that make an Application record through a chained recorder.

    Merge them into the Application's ``env=``, e.g.
    ``Ledger(env={"PERSISTENCE_MODULE": m, **chain_env(m), ...})``.
    """
    try:
        return {"APPLICATION_RECORDER_TOPIC": _RECORDER_TOPICS[persistence_module]}
    except KeyError:
        msg = f"no chained recorder for {persistence_module!r}; expected one of {sorted(_RECORDER_TOPICS)}"
        raise ValueError(msg) from None


def _chained(recorder: ApplicationRecorder) -> ChainedRecorder:
    if not isinstance(recorder, ChainedRecorder):
        msg = f"{type(recorder).__qualname__} keeps no hash chain: construct the application with chain_env()"
        raise TypeError(msg)
    return recorder


def _pages(fetch: Any, after: int, upto: int, batch: int) -> Iterator[Any]:
    """Yield every row of a keyset-paged query."""
    while True:
        rows = fetch(after, upto, batch)
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1][0]


def _walk(
    recorder: ChainedRecorder, *, start: int | None, batch: int, sealed: dict[int, str],
    accept_topic: Callable[[str], bool] | None = None,
) -> Iterator[ChainEntry | ChainFailure]:
    """Yield each verified entry in order; a failure is yielded last.

    ``accept_topic``, if given, is asked about each event's type first: a refused one is the failure
    (``FOREIGN``), whether or not a chain row was forged for it.
    """
    upto = recorder.chain_bound()
    first = 1 if start is None else start
    before = recorder.last_chain_row(first) if first > 1 else None
    previous = before[1] if before else _GENESIS_BYTES
    after = first - 1
    if upto is not None:
        events = _pages(recorder.event_rows, after, upto, batch)
        chain = _pages(recorder.chain_rows, after, upto, batch)
        event, link = next(events, None), next(chain, None)
        while event is not None or link is not None:
            if event is not None and accept_topic is not None and not accept_topic(event[3]):
                yield ChainFailure(event[0], event[1], event[2], f"{FOREIGN}: {str(event[3])[:120]!r}")
                return
            if link is None or (event is not None and event[0] < link[0]):
                yield ChainFailure(event[0], event[1], event[2], NO_CHAIN)
                return
            if event is None or link[0] < event[0]:
                yield ChainFailure(link[0], None, None, ORPHAN)
                return
            notification_id, originator_id, version, topic, state = event
            try:
                digest = event_digest(originator_id, version, topic, state)
            except (AttributeError, TypeError):  # a column overwritten with NULL or another type
                digest = b""
            current = chain_link(previous, notification_id, digest)
            if current != link[2]:
                if digest == link[1]:
                    reason = UNLINKED
                elif [p for p in recorder.positions_of(digest) if p != notification_id]:
                    reason = REORDERED
                else:
                    reason = EDITED
                yield ChainFailure(notification_id, originator_id, version, reason)
                return
            hex_hash = current.hex()
            if sealed.pop(notification_id, hex_hash) != hex_hash:
                reason = f"differs from the sealed head published for #{notification_id}"
                yield ChainFailure(notification_id, originator_id, version, reason)
                return
            yield ChainEntry(notification_id, originator_id, version, topic, bytes(state), hex_hash)
            previous = current
            event, link = next(events, None), next(chain, None)
    for notification_id in sorted(sealed):
        reason = f"differs from the sealed head published for #{notification_id}: no such event (deleted?)"
        yield ChainFailure(notification_id, None, None, reason)
        return


def verify_chain(
    recorder: ApplicationRecorder, *, batch: int = 5000, expected: Iterable[tuple[int, str]] = (),
    accept_topic: Callable[[str], bool] | None = None,
) -> ChainReport:
    """Recompute the chain over every stored event and report the first failure.

    ``expected`` holds sealed heads, (notification id, hex hash) pairs published earlier; a
    recomputed hash that differs from one of them reveals a rewrite of the whole chain.
    ``accept_topic`` (e.g. ``events.registry.is_ledger_topic``) names an event of any other type as
    the failure. Events recorded after the verification began are not included.
    """
    sealed = {int(n): h.lower() for n, h in expected}
    count, head_hash = 0, GENESIS
    for item in _walk(_chained(recorder), start=None, batch=batch, sealed=sealed, accept_topic=accept_topic):
        if isinstance(item, ChainFailure):
            return ChainReport(ok=False, count=count, head=head_hash, failure=item)
        count, head_hash = count + 1, item.hash
    return ChainReport(ok=True, count=count, head=head_hash, failure=None)


def head(recorder: ApplicationRecorder) -> tuple[int, str] | None:
    """Return the stored chain head (last notification id, hex hash), or None if empty.

    This is what a seal publishes; it is read, not verified.
    """
    row = _chained(recorder).last_chain_row()
    return (row[0], bytes(row[1]).hex()) if row else None


def iter_chain(recorder: ApplicationRecorder, start: int | None = None, *, batch: int = 5000
               ) -> Iterator[ChainEntry]:
    """Yield events with notification id >= ``start`` in order, each with its hash.

    Every entry is checked as it goes, linking from the stored hash before ``start``;
    raises ``ChainBrokenError`` at the first that fails.
    """
    for item in _walk(_chained(recorder), start=start, batch=batch, sealed={}):
        if isinstance(item, ChainFailure):
            raise ChainBrokenError(item)
        yield item


def linked(recorder: ApplicationRecorder, previous: tuple[int, bytes] | None, page: Sequence[Any]) -> bytes:
    """Check a page of notifications against the chain, linking on from ``previous``; return the last hash.

    ``previous`` is the (notification id, hash) a reader has already checked up to (None: from the
    first event, linking from ``GENESIS``), and ``page`` the notifications that follow it, in order
    (objects with ``id``, ``originator_id``, ``originator_version``, ``topic`` and ``state``, as
    ``select_notifications`` returns them). Each one's digest is recomputed from its stored bytes and
    linked as the writer linked it; the first that differs from its chain row, or has none, or a chain
    row without an event before it, raises ``ChainBrokenError`` naming it. Nothing is decoded. One
    query of chain rows per page: a reader pays two SHA-256 per event, not a walk of the whole chain.
    """
    chained = _chained(recorder)
    after, hash_ = previous if previous is not None else (0, _GENESIS_BYTES)
    if not page:
        return hash_
    links = chained.chain_rows(after, page[-1].id, len(page) + 1)
    # Rows as ``event_rows`` reads them carry the canonical text already; a notification carries a UUID.
    oids = [oid if type(oid) is str else canonical_originator_id(oid) for oid in (n.originator_id for n in page)]
    digests = event_digests([(oid, n.originator_version, n.topic, n.state) for oid, n in zip(oids, page, strict=True)])
    sha256 = hashlib.sha256
    for i, n in enumerate(page):
        oid = oids[i]
        link = links[i] if i < len(links) else None
        if link is None or link[0] > n.id:
            raise ChainBrokenError(ChainFailure(n.id, oid, n.originator_version, NO_CHAIN))
        if link[0] < n.id:
            raise ChainBrokenError(ChainFailure(link[0], None, None, ORPHAN))
        digest = digests[i]
        current = sha256(hash_ + n.id.to_bytes(8, "big", signed=True) + digest).digest()  # chain_link, inlined
        if current != bytes(link[2]):
            reason = UNLINKED if digest == bytes(link[1]) else EDITED
            raise ChainBrokenError(ChainFailure(n.id, oid, n.originator_version, reason))
        hash_ = current
    return hash_
