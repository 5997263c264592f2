"""The hash chain's PostgreSQL recorder (see ``ledger.storage.chain``), in a module of its own.

Kept apart so that SQLite stores never import psycopg; ``ledger.storage.chain.chain_env`` names this
class by its topic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.errors import InsufficientPrivilege
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier, Literal

from ledger.domain.errors import NotPermitted
from ledger.storage.chain_format import link_rows
from ledger.storage.chain_postgres_rows import CHAIN_COLUMNS, PostgresTreeRows, copy_rows, qualified
from ledger.storage.chain_postgres_tables import PostgresHistoryTables
from ledger.storage.chain_sql import SQLChainPages
from ledger.storage.event_tree import extend_tree
from ledger.storage.evidence_postgres import evidence_table_statements, evidence_tables
from ledger.storage.order_index_postgres import PostgresOrderIndex
from ledger.storage.pg_binary import bigint_array, bytea_array, text_array, uuid_array
from ledger.storage.provisioning import first_line
from ledger.translation import _

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


class ChainedPostgresApplicationRecorder(PostgresHistoryTables, PostgresApplicationRecorder, SQLChainPages,
                                         PostgresOrderIndex):
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
        for table in (self.chain_table_name, self.leaves_table_name, self.tree_table_name,
                      *evidence_tables(events_table_name), self.order_index_table):
            self.check_identifier_length(table)
        #: The evidence store whose held files go into the next insert's transaction
        #: (ledger/storage/evidence_postgres.py).
        self.evidence: Any = None
        fmt = {"s": Identifier(datastore.schema), "e": Identifier(events_table_name),
               "c": Identifier(self.chain_table_name)}
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {s}.{c} "
            "(notification_id bigint PRIMARY KEY, digest bytea NOT NULL, hash bytea NOT NULL)"
        ).format(**fmt))
        self.sql_create_statements.extend(self.tree_table_statements())
        self._tree_sql(qualified(datastore.schema, self.tree_table_name),
                       qualified(datastore.schema, self.leaves_table_name), "%s")
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
        self._page_sql(fmt, oid)
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

    def _page_sql(self, fmt: dict[str, Identifier], oid: str) -> None:
        """The chain's page reads (``SQLChainPages``), given the tables' identifiers and the canonical originator id
        column expression ``oid``."""
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
        copy_rows(curs, self._insert_chain_sql, link_rows(head, ids, events), CHAIN_COLUMNS)
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
