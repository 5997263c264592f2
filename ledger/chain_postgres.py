"""The hash chain's PostgreSQL recorder (see ``ledger.chain``), in a module of its own.

Kept apart so that SQLite stores never import psycopg; ``ledger.chain.chain_env`` names this
class by its topic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.errors import InsufficientPrivilege
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier, Literal

from ledger.chain_format import ChainBrokenError, ChainFailure, _link_rows
from ledger.chain_sql import SQLChainPages
from ledger.errors import NotPermitted
from ledger.event_tree import extend_tree
from ledger.evidence_postgres import evidence_table_statements, evidence_tables
from ledger.order_index_postgres import PostgresOrderIndex
from ledger.pg_binary import bigint_array, bytea_array, text_array, uuid_array
from ledger.pg_binary import copy_rows as binary_copy
from ledger.provisioning import first_line
from ledger.translation import _

#: The trigger function that refuses to change the ledger's history (one per schema).
REFUSE_CHANGE_FUNCTION = "hotline_ledger_refuse_change"

#: Stored bytes, and events, per INSERT statement within one append: a slice of small events (an import of
#: occurrences) is one round of statements for a thousand of them, a slice of work-order chunk events (about
#: 0.6 MB each) a dozen (measured: slices of 16 small events made a 100,000-row `import events` ~6,000 rounds).
_SLICE_BYTES = 8 * 2**20
_SLICE_EVENTS = 1000


def slices(stored_events: Sequence[StoredEvent]) -> Iterator[Sequence[StoredEvent]]:
    """The events in order, cut into runs of at most _SLICE_EVENTS events and _SLICE_BYTES of state (one event
    larger than that makes a run of its own)."""
    start, size = 0, 0
    for n, e in enumerate(stored_events):
        if n > start and (n - start >= _SLICE_EVENTS or size + len(e.state) > _SLICE_BYTES):
            yield stored_events[start:n]
            start, size = n, 0
        size += len(e.state)
    if start < len(stored_events):
        yield stored_events[start:]


def append_lock_key(schema: str, events_table: str) -> int:
    """The advisory-lock key that serialises appends to one events table (a signed 64-bit integer)."""
    digest = hashlib.sha256(f"hotline-ledger append {schema}.{events_table}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder, SQLChainPages, PostgresOrderIndex):
    """A PostgreSQL application recorder that chains every inserted event and keeps the order index.

    The chain table lives in the same ``POSTGRES_SCHEMA`` as the events table.
    """

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        if datastore.enable_db_functions:
            # That path inserts through a stored function, bypassing the hooks chained here.
            msg = "POSTGRES_ENABLE_DB_FUNCTIONS must be off for a chained recorder"
            raise ProgrammingError(msg)
        # The pool is opened here, once, waiting for its first connection (as long as a connection may take):
        # opened in the background by the first request, it found none idle and opened a second one at once.
        # (Not by ``pool_open_timeout``: the library then waits in every request, and psycopg's pool refuses
        # two threads waiting at once.)
        datastore.pool.open(wait=True, timeout=datastore.pool.timeout)
        super().__init__(datastore, events_table_name=events_table_name)
        self.check_identifier_length(self.chain_table_name)
        self.check_identifier_length(self.leaves_table_name)
        self.check_identifier_length(self.tree_table_name)
        for table in evidence_tables(events_table_name):
            self.check_identifier_length(table)
        self.check_identifier_length(self.order_index_table)
        #: The evidence store whose held files go into the next insert's transaction (ledger/evidence_postgres.py).
        self.evidence: Any = None
        fmt = {"s": Identifier(datastore.schema), "e": Identifier(events_table_name),
               "c": Identifier(self.chain_table_name)}
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {s}.{c} "
            "(notification_id bigint PRIMARY KEY, digest bytea NOT NULL, hash bytea NOT NULL)"
        ).format(**fmt))
        self.sql_create_statements.extend(self.tree_table_statements())
        self._tree_sql(_qualified(datastore.schema, self.tree_table_name),
                       _qualified(datastore.schema, self.leaves_table_name), "%s")
        # Canonical originator id text: the uuid's hex, as the library writes it to SQLite.
        oid = "replace(originator_id::text, '-', '')" if datastore.originator_id_type == "uuid" else (
            "originator_id")
        # The events' columns as four arrays sent in binary, not an array of composites sent as text (psycopg
        # escapes every event's bytes with a regular expression for that: a third of a bulk append's time).
        self._insert_arrays_sql = SQL(
            "INSERT INTO {s}.{e} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{t}[], %b::bigint[], %b::text[], %b::bytea[]) RETURNING notification_id"
        ).format(**fmt, t=Identifier(datastore.originator_id_type))
        self._insert_chain_sql = SQL("COPY {s}.{c} (notification_id, digest, hash) FROM STDIN (FORMAT BINARY)"
                                     ).format(**fmt)
        self._bound_sql = SQL("SELECT (SELECT MAX(notification_id) FROM {s}.{e}), "
                              "(SELECT MAX(notification_id) FROM {s}.{c})").format(**fmt)
        self._events_sql = SQL(
            "SELECT notification_id, " + oid + ", originator_version, topic, state FROM {s}.{e} "
            "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
        ).format(**fmt)
        self._chain_sql = SQL(
            "SELECT notification_id, digest, hash FROM {s}.{c} "
            "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
        ).format(**fmt)
        self._last_sql = SQL("SELECT notification_id, hash FROM {s}.{c} WHERE notification_id < %s "
                             "ORDER BY notification_id DESC LIMIT 1").format(**fmt)
        self._positions_sql = SQL("SELECT notification_id FROM {s}.{c} WHERE digest = %s "
                                  "ORDER BY notification_id").format(**fmt)
        self._locate_sql = SQL("SELECT notification_id FROM {s}.{e} "
                               "WHERE originator_id = %s AND originator_version = %s").format(**fmt)
        # Appends are serialised by a transaction-level advisory lock keyed by this events table,
        # not by the library's LOCK TABLE … IN EXCLUSIVE MODE, which needs the UPDATE right: a
        # writer may append without any right to rewrite a row (CLI.md, "The shared store").
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(datastore.lock_timeout),
            SQL("SELECT pg_advisory_xact_lock({0})").format(Literal(append_lock_key(datastore.schema,
                                                                                     events_table_name))),
        ]
        self.sql_create_statements.extend(evidence_table_statements(datastore.schema, events_table_name))
        self.sql_create_statements.extend(self.order_index_statements())
        self.sql_create_statements.extend(self.protection_statements())

    def protection_statements(self) -> list[Any]:
        """DDL making the events and chain tables refuse UPDATE, DELETE and TRUNCATE, even for their owner."""
        schema = self.datastore.schema
        fn = Identifier(schema, REFUSE_CHANGE_FUNCTION)
        statements: list[Any] = [SQL(
            "CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'the ledger''s history cannot be changed: % on %.% refused', "
            "TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$"
        ).format(fn=fn)]
        for table in self.protected_tables():
            t = Identifier(schema, table)
            statements.append(SQL(
                "CREATE OR REPLACE TRIGGER {name} BEFORE UPDATE OR DELETE ON {t} "
                "FOR EACH ROW EXECUTE FUNCTION {fn}()").format(name=Identifier(f"{table}_immutable"), t=t, fn=fn))
            statements.append(SQL(
                "CREATE OR REPLACE TRIGGER {name} BEFORE TRUNCATE ON {t} "
                "FOR EACH STATEMENT EXECUTE FUNCTION {fn}()").format(name=Identifier(f"{table}_kept"), t=t, fn=fn))
        return statements

    def protected_tables(self) -> list[str]:
        """The tables that hold the ledger's history: the events, their chain and Merkle tree, the evidence they cite
        and the order index (append-only: each row names the event it comes from)."""
        return [self.events_table_name, self.chain_table_name, self.leaves_table_name, self.tree_table_name,
                *evidence_tables(self.events_table_name), self.order_index_table]

    def _stored_originator_id(self, originator_id: UUID | str) -> Any:
        if self.datastore.originator_id_type == "uuid":
            return originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
        return str(originator_id)

    def _canonical_originator_id(self, originator_id: UUID | str) -> str:
        if self.datastore.originator_id_type == "uuid":
            return (originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))).hex
        return str(originator_id)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's insert (lock, notify, insert, ids) and the chain rows, in one plain transaction.

        The library pipelines these statements; with multi-megabyte events (a chunk of work-order
        facts) libpq's pipeline mode can deadlock, client and server each waiting for the other
        (psycopg issue #685), so the chained recorder sends them one after another instead.
        """
        try:
            return self._insert_chained(stored_events, **kwargs)
        except ProgrammingError as e:
            if isinstance(e.__cause__, InsufficientPrivilege):
                role = self.session_user()
                raise NotPermitted(_(
                    "the role {role} may only read this ledger ({error}); nothing was recorded. "
                    "The store's owner can allow it to record with `hotline-ledger db grant {name} --as writer`"
                ).format(role=repr(role), error=first_line(e.__cause__), name=role)) from None
            raise

    #: What the opening's catalog query found (``read_catalog``); None before it.
    catalog: Catalog | None = None

    def read_catalog(self, views_schema: str | None, view_tables: Collection[str] = ()) -> Catalog:
        """Which of the store's tables and of the read model's (``view_tables`` in ``views_schema``; a
        ``table.column`` name asks for a column) are there, and
        whether every trigger of the history is in place: one query when the store is opened, not one per check.

        It answers only that something is there (``has``): whatever it found missing is asked again, live, before
        anything is created (another process may have created it meanwhile). Names are looked up one by one
        (``to_regclass``, an index each): a scan of the catalog grows with every schema of a shared server.
        """
        from ledger.credentials import TABLE as CREDENTIALS

        store = [self.events_table_name, self.chain_table_name, self.leaves_table_name, self.tree_table_name,
                 self.order_index_table, CREDENTIALS]
        triggers = [f"{t}_{suffix}" for t in self.protected_tables() for suffix in ("immutable", "kept")]
        schema = self.datastore.schema
        views = sorted(view_tables) if views_schema else []
        (tables, found, protected), = self._fetch(_CATALOG_SQL, (
            store, schema, views, views_schema or "-", triggers, schema, self.protected_tables()))
        self.catalog = Catalog(frozenset(tables), frozenset(found), protected == len(triggers))
        return self.catalog

    def has(self, *tables: str) -> bool:
        """Whether the opening's catalog query found all of ``tables`` (False: not known, ask)."""
        return self.catalog is not None and set(tables) <= self.catalog.tables

    def tables_exist(self) -> bool:
        if self.has(self.events_table_name, self.chain_table_name):
            return True
        schema = self.datastore.schema
        with self.datastore.transaction(commit=False) as curs:
            tables = (self.events_table_name, self.chain_table_name)
            row = curs.execute(
                "SELECT " + ", ".join(f"to_regclass(format('%%I.%%I', %s::text, %s::text)) IS NOT NULL AS t{i}"
                                      for i in range(len(tables))),
                [x for table in tables for x in (schema, table)],
            ).fetchone()
        return bool(row and all(row.values()))

    def tree_exists(self) -> bool:
        if self.has(self.leaves_table_name, self.tree_table_name):
            return True
        rows = self._fetch(SQL("SELECT to_regclass({}) IS NOT NULL AND to_regclass({}) IS NOT NULL").format(
            Literal(_qualified(self.datastore.schema, self.leaves_table_name)),
            Literal(_qualified(self.datastore.schema, self.tree_table_name))), ())
        return bool(rows[0][0])

    def tree_table_statements(self) -> list[Any]:
        """DDL of the Merkle tree's tables (ledger/event_tree.py)."""
        fmt = {"s": Identifier(self.datastore.schema), "lv": Identifier(self.leaves_table_name),
               "t": Identifier(self.tree_table_name)}
        return [
            SQL("CREATE TABLE IF NOT EXISTS {s}.{lv} "
                "(notification_id bigint PRIMARY KEY, idx bigint NOT NULL UNIQUE, salt bytea NOT NULL)").format(**fmt),
            SQL("CREATE TABLE IF NOT EXISTS {s}.{t} "
                "(level integer NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx))"
                ).format(**fmt),
        ]

    def create_tables(self) -> None:
        """Create the schema if missing, then the tables, the library's objects and the history's triggers."""
        with self.datastore.transaction(commit=True) as curs:
            exists = curs.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.datastore.schema,)).fetchone()
            if not exists:
                curs.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(self.datastore.schema)))
        self.create_table()

    def protect_history(self) -> None:
        """Add the triggers to a store created before they existed; only the owner can (others open it as it is)."""
        if self.catalog is not None and self.catalog.protected:
            return
        names = [f"{t}_{suffix}" for t in self.protected_tables() for suffix in ("immutable", "kept")]
        with self.datastore.transaction(commit=False) as curs:
            row = curs.execute(
                "SELECT count(*) AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND t.tgname = ANY(%s)",
                (self.datastore.schema, names),
            ).fetchone()
        if row and row["n"] == len(names):
            return
        try:
            with self.datastore.transaction(commit=True) as curs:
                # A store made before evidence was kept in it gets its evidence tables here too, and one made
                # before the Merkle tree its tree's tables.
                for statement in [*evidence_table_statements(self.datastore.schema, self.events_table_name),
                                  *self.tree_table_statements(), *self.protection_statements()]:
                    curs.execute(statement)
        except ProgrammingError as e:
            if not isinstance(e.__cause__, InsufficientPrivilege):
                raise

    def session_user(self) -> str:
        """The role PostgreSQL authenticated for this store's connections."""
        rows = self._fetch(SQL("SELECT session_user"), ())
        return str(rows[0][0])

    def authenticated_as(self) -> str:
        """Who the server authenticated: the session's login role (not one taken later with SET ROLE)."""
        return self.session_user()

    def _insert_chained(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            if self.evidence is not None and self.evidence.pending:
                # The cited files first, in this very transaction, before the append lock is taken:
                # a long upload does not hold up other writers, and a failed event leaves no file.
                self.evidence.write_pending(curs)
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return []
            # Insert in slices within the one transaction: a single statement carrying a whole
            # import (hundreds of megabytes) would be buffered again by the driver.
            ids: list[int] = []
            tree = PostgresTreeRows(self, curs)  # one for the append: it keeps the tree's frontier between slices
            for part in slices(stored_events):
                self._insert_stored_events(curs, part, **kwargs)
                ids.extend(self._fetch_ids_after_insert_events(curs, part, tree=tree, **kwargs) or ())
            return ids

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any) -> None:
        """The library's insert (lock, notify, one INSERT of the slice returning its ids), its rows sent as arrays."""
        self._lock_table(curs)
        self._notify_channel(curs)
        ids = [self._stored_originator_id(s.originator_id) for s in stored_events]
        curs.execute(self._insert_arrays_sql, (
            uuid_array(ids) if self.datastore.originator_id_type == "uuid" else text_array(ids),
            bigint_array([s.originator_version for s in stored_events]),
            text_array([s.topic for s in stored_events]),
            bytea_array([bytes(s.state) for s in stored_events]),
        ))

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], *, tree: PostgresTreeRows | None = None,
        **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        # Still inside the insert's transaction, which holds the append lock of this events table:
        # every earlier writer has committed, and no later one can start.
        curs.execute(self._last_sql, (2**63 - 1,))
        row = curs.fetchone()
        head = (row["notification_id"], bytes(row["hash"])) if row else None
        events = [(self._canonical_originator_id(s.originator_id), s.originator_version, s.topic, s.state)
                  for s in stored_events]
        copy_rows(curs, self._insert_chain_sql, _link_rows(head, ids, events), _CHAIN_COLUMNS)
        extend_tree(tree or PostgresTreeRows(self, curs),
                    [(n, *event) for n, event in zip(ids or (), events, strict=True)], self.plain_state)
        self._index_inserted(curs, stored_events, ids or ())
        return ids

    def build_tree(self) -> int:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            for statement in self.lock_table_statements:
                curs.execute(statement)
            return extend_tree(PostgresTreeRows(self, curs), [], self.plain_state)

    def _fetch(self, sql: SQL | Any, params: Sequence[Any]) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(sql, params)
            return cur.fetchall()


class Catalog(NamedTuple):
    """What ``read_catalog`` found: the store schema's tables, the read model schema's, and whether every trigger of
    the history is in place."""

    tables: frozenset[str]
    views: frozenset[str]
    protected: bool


_CATALOG_SQL = SQL(
    "SELECT array(SELECT t FROM unnest(%s::text[]) t WHERE to_regclass(format('%%I.%%I', %s::text, t)) IS NOT NULL), "
    # The read model's names: a table, or ``table.column`` for a column a later version added (present or not).
    "array(SELECT t FROM unnest(%s::text[]) t, LATERAL (SELECT %s::text AS s) v WHERE CASE WHEN strpos(t, '.') = 0 "
    "THEN to_regclass(format('%%I.%%I', s, t)) IS NOT NULL ELSE EXISTS (SELECT 1 FROM pg_attribute WHERE "
    "attrelid = to_regclass(format('%%I.%%I', s, split_part(t, '.', 1))) AND attname = split_part(t, '.', 2) "
    "AND NOT attisdropped) END), "
    "(SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s::text[]) AND tgrelid = ANY(array("
    "SELECT to_regclass(format('%%I.%%I', %s::text, t))::oid FROM unnest(%s::text[]) t)))")


def _qualified(schema: str, table: str) -> str:
    """A schema-qualified table name, quoted for SQL text."""
    return ".".join('"' + name.replace('"', '""') + '"' for name in (schema, table))


class PostgresTreeRows:
    """The tree's rows written in the append's transaction, under its advisory lock (``event_tree.TreeStore``)."""

    def __init__(self, recorder: ChainedPostgresApplicationRecorder, curs: Cursor[DictRow]) -> None:
        schema = recorder.datastore.schema
        self.curs, self.recorder = curs, recorder
        self.leaves = _qualified(schema, recorder.leaves_table_name)
        self.tree = _qualified(schema, recorder.tree_table_name)
        self.events = _qualified(schema, recorder.events_table_name)
        #: The last node added at each level, (index, hash): the left sibling the next slice of an append needs
        #: there, if any (nodes of a level are added in index order), without a query.
        self.added: dict[int, tuple[int, bytes]] = {}

    def last_leaf(self) -> tuple[int, int]:
        row = self.curs.execute(f"SELECT idx, notification_id FROM {self.leaves} ORDER BY idx DESC LIMIT 1"  # noqa: S608
                                ).fetchone()
        return (int(row["idx"]) + 1, int(row["notification_id"])) if row else (0, 0)

    def events_after(self, after: int, before: int, limit: int) -> list[tuple[int, str, int, str, bytes]]:
        rows = self.curs.execute(
            f"SELECT notification_id, originator_id, originator_version, topic, state FROM {self.events} "  # noqa: S608
            "WHERE notification_id > %s AND notification_id < %s ORDER BY notification_id LIMIT %s",
            (after, before, limit)).fetchall()
        return [(r["notification_id"], self.recorder._canonical_originator_id(r["originator_id"]),
                 r["originator_version"], r["topic"], bytes(r["state"])) for r in rows]

    def node(self, level: int, index: int) -> bytes:
        added = self.added.get(level)
        if added is not None and added[0] == index:
            return added[1]
        row = self.curs.execute(f"SELECT hash FROM {self.tree} WHERE level = %s AND idx = %s",  # noqa: S608
                                (level, index)).fetchone()
        if row is None:
            lacks = _("the Merkle tree lacks node ({level}, {index})").format(level=level, index=index)
            raise ChainBrokenError(ChainFailure(0, None, None, lacks))
        return bytes(row["hash"])

    def add(self, leaves: list[tuple[int, int, bytes]], nodes: list[tuple[int, int, bytes]]) -> None:
        copy_rows(self.curs, f"COPY {self.leaves} (notification_id, idx, salt) FROM STDIN (FORMAT BINARY)", leaves,
                  ("bigint", "bigint", "bytea"))
        copy_rows(self.curs, f"COPY {self.tree} (level, idx, hash) FROM STDIN (FORMAT BINARY)", nodes,
                  ("integer", "bigint", "bytea"))
        for level, index, h in nodes:
            self.added[level] = (index, h)


#: The chain table's columns as its binary COPY writes them.
_CHAIN_COLUMNS = ("bigint", "bytea", "bytea")


def copy_rows(curs: Cursor[Any], statement: Any, rows: Sequence[Sequence[Any]], kinds: Sequence[str]) -> None:
    """Append ``rows`` with one binary ``COPY … FROM STDIN (FORMAT BINARY)`` (``kinds``: each column's type, as
    ``ledger.pg_binary.copy_rows`` writes it): an append's chain and tree rows (two or three per event) as one
    stream, not a statement each (100,000 occurrences made 300,000 INSERTs), built in bulk, not value by value."""
    if not rows:
        return
    with curs.copy(statement) as copy:
        copy.write(binary_copy(rows, kinds))
