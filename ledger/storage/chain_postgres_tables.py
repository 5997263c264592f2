"""The PostgreSQL store's tables (see ``ledger.storage.chain_postgres``): their DDL, the triggers that make the
history refuse changes, and the one catalog query a store is opened with.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, NamedTuple

from eventsourcing.persistence import ProgrammingError
from eventsourcing.postgres import PostgresDatastore
from psycopg.errors import InsufficientPrivilege
from psycopg.sql import SQL, Identifier, Literal

from ledger.storage.chain_postgres_rows import qualified
from ledger.storage.evidence_postgres import evidence_table_statements, evidence_tables

#: The trigger function that refuses to change the ledger's history (one per schema).
REFUSE_CHANGE_FUNCTION = "hotline_ledger_refuse_change"

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


class PostgresHistoryTables:
    """The tables of a chained PostgreSQL recorder (``ChainedPostgresApplicationRecorder``'s first base)."""

    datastore: PostgresDatastore
    events_table_name: str
    chain_table_name: str
    leaves_table_name: str
    tree_table_name: str
    order_index_table: str
    _fetch: Any
    create_table: Any

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
        from ledger.storage.credentials import TABLE as CREDENTIALS

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
            Literal(qualified(self.datastore.schema, self.leaves_table_name)),
            Literal(qualified(self.datastore.schema, self.tree_table_name))), ())
        return bool(rows[0][0])

    def tree_table_statements(self) -> list[Any]:
        """DDL of the Merkle tree's tables (ledger/storage/event_tree.py)."""
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
