"""The read model of a PostgreSQL store, kept in the database in a schema of its own beside the events.

A shared store is one ledger for every machine: the read model lives with it, so nothing is
written to a client's disk and every client reads the same tables. Its schema is the store's
schema name with ``_views`` appended (``public`` → ``public_views``; ``?schema=centre`` →
``centre_views``), created by the first catch-up of the store's owner (or by ``db grant``).

Catching up is the SQLite code (``projections.view.View``) over this connection: the rows and the
tracking position (with its chain hash) commit in one transaction, and a transaction-level
advisory lock serialises catch-ups, so a second client waits, then finds nothing left to apply.
The same SQL text serves both backends: ``PgReadDB`` turns ``?`` parameters into psycopg's and
gives rows readable by index and by column name, as ``sqlite3.Row`` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from ledger.domain.errors import StoreUnavailable
from projections import order_misses, order_tallies
from projections.view import View
from projections.view_schema import SCHEMA


def postgres_ddl(sqlite_ddl: str) -> str:
    """The read model's SQLite DDL in PostgreSQL's types: byte strings, text compared byte by byte as SQLite does."""
    ddl = sqlite_ddl.replace(" WITHOUT ROWID", "").replace(" BLOB", " BYTEA")
    return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', ddl)


DDL = postgres_ddl(SCHEMA + ";\n" + order_tallies.DDL + ";\n" + order_misses.DDL + ";")
TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", DDL))
#: What the store's opening asks the catalog for (ChainedPostgres…read_catalog): every table, and the column a read
#: model from before rates were data lacks (a flag per built-in rate then), which has it upgraded and rebuilt.
CATALOG_NAMES = TABLES | {"workorders.screened"}


@lru_cache(maxsize=512)
def _pg(sql: str) -> str:
    """``?`` parameters as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Row(tuple):  # type: ignore[type-arg]
    """A row readable by index and by column name, like ``sqlite3.Row``."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            key = self._index[key]
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[_Row]:
    return type("Row", (_Row,), {"__slots__": (), "_index": {n: i for i, n in enumerate(names)}})


class PgCursor:
    """A cursor of ``PgReadDB``: named rows unless ``row_factory`` is set to None (plain tuples)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._cursor = conn.cursor()
        self.row_factory: Any = _Row

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> PgCursor:
        if params:
            self._cursor.execute(_pg(sql), params)
        else:
            self._cursor.execute(sql)  # type: ignore[arg-type]  # no parameters: the text as written
        return self

    def _row(self) -> type[_Row]:
        return _row_class(tuple(d.name for d in self._cursor.description or ()))

    def fetchone(self) -> Any:
        values = self._cursor.fetchone()
        return values if values is None or self.row_factory is None else self._row()(values)

    def fetchall(self) -> list[Any]:
        rows = self._cursor.fetchall()
        if self.row_factory is None:
            return rows
        cls = self._row()
        return [cls(r) for r in rows]

    def __iter__(self) -> Iterator[Any]:
        if self.row_factory is None:
            yield from self._cursor
            return
        cls = self._row()
        for values in self._cursor:
            yield cls(values)

    @property
    def description(self) -> Any:
        return self._cursor.description


class PgReadDB:
    """The read-model connection interface (``projections.read_db.ReadDB``) over one psycopg connection."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> PgCursor:
        return PgCursor(self.conn).execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(_pg(sql), rows)

    def cursor(self) -> PgCursor:
        return PgCursor(self.conn)

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """``projections.read_db.upsert``: the rows ``COPY``-ed into a temporary twin of ``table``, then one
        ``INSERT … SELECT … ON CONFLICT`` (inside the caller's transaction; the twin empties at its end)."""
        if not rows:
            return
        stage = f"{table}_incoming"
        names = ", ".join(columns)
        changed = [c for c in columns if c not in key]
        with self.conn.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {table}) "  # type: ignore[arg-type]
                           "ON COMMIT DELETE ROWS")
            cursor.execute(f"TRUNCATE {stage}")  # type: ignore[arg-type]  # an earlier batch of this transaction
            with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:  # type: ignore[arg-type]
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} "  # type: ignore[arg-type]
                           f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
                           f"{', '.join(f'{c}=excluded.{c}' for c in changed)}")

    def copy_in(self, table: str, rows: Sequence[Sequence[Any]]) -> None:
        """``projections.read_db.insert``: the rows streamed with one ``COPY``."""
        if rows:
            with self.conn.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN") as copy:  # type: ignore
                for row in rows:
                    copy.write_row(row)

    def select_any(self, select: str, column: str, keys: Sequence[Any]) -> list[tuple[Any, ...]]:
        """``projections.read_db.select_in``: one query, the keys as one array parameter."""
        return self.conn.execute(f"{_pg(select)} WHERE {column} = ANY(%s)", (list(keys),)).fetchall()  # type: ignore

    def close(self) -> None:
        self.conn.close()


def connect(env: dict[str, str]) -> psycopg.Connection[Any]:
    """A new connection to the store's database, from its eventsourcing settings
    (``ledger.storage.store.parse_store``)."""
    try:
        return psycopg.connect(
            host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"], password=env.get("POSTGRES_PASSWORD") or None,
            connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", "10")), autocommit=True,
        )
    except psycopg.OperationalError as e:
        raise StoreUnavailable(f"cannot open the read model's connection: {str(e).strip().splitlines()[0]}") from None


class PostgresView(View):
    """The read model in a PostgreSQL schema (or, ``temporary``, in this session's temporary tables).

    A temporary read model (``verify``'s replay) is private to its connection: it takes no lock.
    """

    def __init__(self, env: dict[str, str], schema: str, *, temporary: bool = False,
                 conn: psycopg.Connection[Any] | None = None, present: frozenset[str] = frozenset()) -> None:
        self.path = None if temporary else schema
        self.schema = schema
        self.temporary = temporary
        # An open autocommit connection to the store's database (the application's probe) is used, not a new one.
        self.conn = conn if conn is not None else connect(env)
        self.db = PgReadDB(self.conn)  # type: ignore[assignment]
        self._lock_key = f"hotline-ledger read model {schema}"
        if temporary:
            self.conn.execute("SET search_path TO pg_temp")
            self.conn.execute(DDL)  # type: ignore[arg-type]
        else:
            self.conn.execute(SQL("SET search_path TO {}").format(Identifier(schema)))
            if not CATALOG_NAMES <= present:  # what the store's opening found there (ChainedPostgres…read_catalog)
                self._ensure_tables()

    def _ensure_tables(self) -> None:
        """Create the schema and any missing table (the store's owner does; others only use them)."""
        present = {r[0] for r in self.conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,))}
        # A read model made before rates were data (a flag per built-in rate): screenings, tallies and costly
        # orders are now kept per rate code, so it gets the column and counts them again from the first event.
        stale = "workorders" in present and not self.conn.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = 'workorders' "
            "AND column_name = 'screened'", (self.schema,)).fetchone()
        try:
            if not TABLES <= present or stale:
                with self.conn.transaction():
                    self._lock()
                    if not self.conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                                             (self.schema,)).fetchone():
                        self.conn.execute(SQL("CREATE SCHEMA {}").format(Identifier(self.schema)))
                    self.conn.execute(DDL)  # type: ignore[arg-type]
                    if stale:
                        self.conn.execute("ALTER TABLE workorders ADD COLUMN IF NOT EXISTS screened "
                                          "TEXT COLLATE \"C\" NOT NULL DEFAULT ''")
                        # The old per-rate flags go (a replay's table, which `verify` compares, has none).
                        for (column,) in self.conn.execute(
                                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                                "AND table_name = 'workorders' AND column_name LIKE 'screened\\_%%'",
                                (self.schema,)).fetchall():
                            self.conn.execute(SQL("ALTER TABLE workorders DROP COLUMN {}").format(Identifier(column)))
                    elif order_misses.TABLE not in present and "workorders" in present:
                        order_misses.refill(self.db)  # type: ignore[arg-type]  # a read model from before the table
            if stale:
                self.reset()
        except psycopg.errors.InsufficientPrivilege:
            self.conn.close()
            raise StoreUnavailable(
                f"the read model's schema {self.schema} is missing tables and this role may not create them: "
                "the store's owner creates them (any command run as the owner, or `db grant`)") from None

    def _lock(self) -> None:
        """Take the catch-up lock until the transaction ends (another catch-up waits for it)."""
        if not self.temporary:
            self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (self._lock_key,))

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One write transaction, catch-ups serialised by the advisory lock (nested: a savepoint)."""
        with self.conn.transaction():
            self._lock()
            yield self.db

    def reset(self) -> None:
        """Empty every table and the position: the next catch-up rebuilds from the first event."""
        with self.transaction() as db:
            for t in sorted(TABLES):
                db.execute(f"DELETE FROM {t}")
