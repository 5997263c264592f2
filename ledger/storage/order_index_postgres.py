"""The order index (``ledger/storage/order_index.py``) in a PostgreSQL store: a table beside the events, in their
schema.

It is part of the history the triggers protect (``ChainedPostgresApplicationRecorder.protected_tables``):
rows are only ever inserted, so a writer needs INSERT and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

from eventsourcing.persistence import StoredEvent
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from ledger.storage.order_index import COLUMNS, FACTS_TOPIC, IndexRow, OrderIndexing, OrderState

#: Orders per lookup: one array parameter (``= ANY(%s)``), not a list of placeholders.
_LOOKUP = 5000
_SELECTED = SQL(", ").join(Identifier(c) for c in COLUMNS)


class PostgresOrderIndex(OrderIndexing):
    """The order index's SQL for the chained PostgreSQL recorder (``ledger.storage.chain_postgres``)."""

    events_table_name: str
    datastore: Any

    @property
    def order_index_table(self) -> str:
        """The index table: one row per (order, chunk event that changed it)."""
        return f"{self.events_table_name}_orders"

    @cached_property
    def _index_sql(self) -> dict[str, Any]:
        t = Identifier(self.datastore.schema, self.order_index_table)
        return {
            "create": SQL("CREATE TABLE IF NOT EXISTS {} (order_id text NOT NULL, nid bigint NOT NULL, unit text, "
                          "dispatched_at text, due_at text, completed_at text, reply_required smallint, "
                          "replied smallint, satisfaction text, counted smallint, observed_at text, extra text, "
                          "PRIMARY KEY (order_id, nid))").format(t),
            "lookup": SQL("SELECT DISTINCT ON (order_id) order_id, nid, {}, extra FROM {} "
                          "WHERE order_id = ANY(%s) ORDER BY order_id, nid DESC").format(_SELECTED, t),
            "all": SQL("SELECT DISTINCT ON (order_id) order_id, nid, {}, extra FROM {} "
                       "ORDER BY order_id, nid DESC").format(_SELECTED, t),
            "copy": SQL("COPY {} (order_id, nid, {}, extra) FROM STDIN").format(t, _SELECTED),
            "facts": SQL("SELECT notification_id FROM {} WHERE topic = %s ORDER BY notification_id").format(
                Identifier(self.datastore.schema, self.events_table_name)),
            "event": SQL("SELECT originator_id, originator_version, topic, state FROM {} "
                         "WHERE notification_id = %s").format(Identifier(self.datastore.schema,
                                                                          self.events_table_name)),
        }

    def order_index_statements(self) -> list[Any]:
        """DDL of the index table."""
        return [self._index_sql["create"]]

    def _index_lookup(self, cursor: Any, ids: list[str]) -> dict[str, OrderState]:
        sql = self._index_sql["lookup"]
        found: dict[str, OrderState] = {}
        factory = cursor.row_factory
        cursor.row_factory = tuple_row
        try:
            for start in range(0, len(ids), _LOOKUP):
                for row in cursor.execute(sql, (ids[start:start + _LOOKUP],)).fetchall():
                    found[row[0]] = tuple(row[2:])
        finally:
            cursor.row_factory = factory
        return found

    def _index_write(self, cursor: Any, rows: list[IndexRow]) -> None:
        if rows:
            # COPY, not a row-by-row INSERT: a first import writes a million rows (it needs only the INSERT right).
            with cursor.copy(self._index_sql["copy"]) as copy:
                for row in rows:
                    copy.write_row(row)

    def order_states(self, ids: list[str]) -> dict[str, OrderState]:
        with self.datastore.transaction(commit=False) as curs:
            return self._index_lookup(curs, ids)

    def order_index_rows(self) -> Iterator[tuple[str, int, OrderState]]:
        with self.datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor(name="order_index", row_factory=tuple_row) as curs:
            curs.execute(self._index_sql["all"])
            while rows := curs.fetchmany(5000):
                for row in rows:
                    yield row[0], row[1], tuple(row[2:])

    def order_index_exists(self) -> bool:
        if self.has(self.order_index_table):  # type: ignore[attr-defined]  # the opening's catalog query
            return True
        with self.datastore.transaction(commit=False) as curs:
            row = curs.execute("SELECT to_regclass(format('%%I.%%I', %s::text, %s::text)) IS NOT NULL AS found",
                               (self.datastore.schema, self.order_index_table)).fetchone()
        return bool(row and row["found"])

    def create_order_index(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # The append lock first: no chunk is appended before the table holds every earlier one.
            for statement in self.lock_table_statements:  # type: ignore[attr-defined]
                curs.execute(statement)
            for statement in self.order_index_statements():
                curs.execute(statement)
            # A process that created it meanwhile (it held the lock first) has filled it already.
            if curs.execute(SQL("SELECT 1 FROM {} LIMIT 1").format(
                    Identifier(self.datastore.schema, self.order_index_table))).fetchone() is None:
                self._fill_index(curs, self._fact_events(curs))
        # Its triggers come with the history's others (``protect_history``, run next when the store is opened).

    def fact_events(self) -> Iterator[tuple[int, StoredEvent]]:
        with self.datastore.transaction(commit=False) as curs:
            yield from self._fact_events(curs)

    def _fact_events(self, curs: Any) -> Iterator[tuple[int, StoredEvent]]:
        """The chunk events, one at a time (each is a megabyte or so), read with ``curs``."""
        sql = self._index_sql
        nids = [row["notification_id"] for row in curs.execute(sql["facts"], (FACTS_TOPIC,)).fetchall()]
        for nid in nids:
            row = curs.execute(sql["event"], (nid,)).fetchone()
            yield nid, StoredEvent(originator_id=row["originator_id"], originator_version=row["originator_version"],
                                   topic=row["topic"], state=bytes(row["state"]))
