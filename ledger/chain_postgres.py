"""The hash chain's PostgreSQL recorder (see ``ledger.chain``), in a module of its own.

Kept apart so that SQLite stores never import psycopg; ``ledger.chain.chain_env`` names this
class by its topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier

from ledger.chain import ChainedRecorder, _link_rows

#: Events per INSERT statement within one append (work-order chunk events are about 1 MB each).
_SLICE = 16


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder, ChainedRecorder):
    """A PostgreSQL application recorder that chains every inserted event.

    The chain table lives in the same ``POSTGRES_SCHEMA`` as the events table.
    """

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        if datastore.enable_db_functions:
            # That path inserts through a stored function, bypassing the hooks chained here.
            msg = "POSTGRES_ENABLE_DB_FUNCTIONS must be off for a chained recorder"
            raise ProgrammingError(msg)
        super().__init__(datastore, events_table_name=events_table_name)
        self.check_identifier_length(self.chain_table_name)
        fmt = {"s": Identifier(datastore.schema), "e": Identifier(events_table_name),
               "c": Identifier(self.chain_table_name)}
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {s}.{c} "
            "(notification_id bigint PRIMARY KEY, digest bytea NOT NULL, hash bytea NOT NULL)"
        ).format(**fmt))
        # Canonical originator id text: the uuid's hex, as the library writes it to SQLite.
        oid = "replace(originator_id::text, '-', '')" if datastore.originator_id_type == "uuid" else (
            "originator_id")
        self._insert_chain_sql = SQL("INSERT INTO {s}.{c} (notification_id, digest, hash) "
                                     "VALUES (%s, %s, %s)").format(**fmt)
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
        return UUID(str(originator_id)) if self.datastore.originator_id_type == "uuid" else str(originator_id)

    def _canonical_originator_id(self, originator_id: UUID | str) -> str:
        if self.datastore.originator_id_type == "uuid":
            return UUID(str(originator_id)).hex
        return str(originator_id)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's insert (lock, notify, insert, ids) and the chain rows, in one plain transaction.

        The library pipelines these statements; with multi-megabyte events (a chunk of work-order
        facts) libpq's pipeline mode can deadlock, client and server each waiting for the other
        (psycopg issue #685), so the chained recorder sends them one after another instead.
        """
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return []
            # Insert in slices within the one transaction: a single statement carrying a whole
            # import (hundreds of megabytes) would be buffered again by the driver.
            ids: list[int] = []
            for start in range(0, len(stored_events), _SLICE):
                part = stored_events[start:start + _SLICE]
                self._insert_stored_events(curs, part, **kwargs)
                ids.extend(self._fetch_ids_after_insert_events(curs, part, **kwargs) or ())
            return ids

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        # Still inside the insert's transaction, which holds LOCK TABLE … IN EXCLUSIVE MODE on the
        # events table: every earlier writer has committed, and no later one can start.
        curs.execute(self._last_sql, (2**63 - 1,))
        row = curs.fetchone()
        head = (row["notification_id"], bytes(row["hash"])) if row else None
        events = [(self._canonical_originator_id(s.originator_id), s.originator_version, s.topic, s.state)
                  for s in stored_events]
        rows = _link_rows(head, ids, events)
        curs.executemany(self._insert_chain_sql, rows)
        return ids

    def _fetch(self, sql: SQL | Any, params: Sequence[Any]) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(sql, params)
            return cur.fetchall()
