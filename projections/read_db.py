"""The one connection interface every projection reads and writes the read model through.

It is the part of ``sqlite3.Connection`` the projections use, so an SQLite connection (with
``sqlite3.Row`` rows) is one implementation as it stands; ``projections.view_postgres.PgReadDB`` is
the other. SQL is written once, with ``?`` parameters, in the dialect both backends speak
(``INSERT … ON CONFLICT … DO UPDATE``, no ``INSERT OR REPLACE``, no bare columns beside an aggregate).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol


class ReadCursor(Protocol):
    """What a query returns: rows readable by index and by column name; ``row_factory = None`` gives plain tuples."""

    row_factory: Any

    def execute(self, sql: str, params: Sequence[Any] = ...) -> ReadCursor: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class ReadDB(Protocol):
    """A read-model connection: ``execute`` with ``?`` parameters, ``executemany``, and cursors."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> ReadCursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any: ...

    def cursor(self) -> ReadCursor: ...

    def close(self) -> None: ...


def upsert(db: Any, table: str, columns: Sequence[str], key: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write ``rows`` (values of ``columns``) into ``table``, replacing the rows already there with the same ``key``.

    On SQLite one statement per row (in-process: cheap); a PostgreSQL connection streams a batch with ``COPY``
    (``PgReadDB.upsert``): one statement per row there is a round of the protocol each, the bulk of an import.
    """
    if isinstance(db, sqlite3.Connection):
        db.executemany(upsert_sql(table, columns, key), rows)
    else:
        db.upsert(table, columns, key, rows)


def insert(db: Any, table: str, rows: Sequence[Sequence[Any]]) -> None:
    """Append ``rows`` (a value for every column, in the table's order) to ``table``: on PostgreSQL with ``COPY``."""
    if isinstance(db, sqlite3.Connection):
        if rows:
            db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)
    else:
        db.copy_in(table, rows)


def upsert_sql(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` of every other column (SQL both backends speak)."""
    changed = [c for c in columns if c not in key]
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({','.join('?' * len(columns))}) "
            f"ON CONFLICT({', '.join(key)}) DO UPDATE SET {', '.join(f'{c}=excluded.{c}' for c in changed)}")


#: Keys per ``IN (…)`` list on SQLite: under its oldest default limit of 999 parameters.
_IN_LIST = 900


def select_in(db: Any, select: str, column: str, keys: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of ``select`` (``SELECT … FROM t``) whose ``column`` is one of ``keys``, as plain tuples.

    SQLite takes them in ``IN (…)`` lists; PostgreSQL in one array parameter (``= ANY``): a list of 900
    placeholders is parsed afresh by psycopg on every query (it caches queries of at most 50 parameters).
    """
    if not isinstance(db, sqlite3.Connection):
        return db.select_any(select, column, keys)  # type: ignore[no-any-return]
    cursor = db.cursor()
    cursor.row_factory = None
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(keys), _IN_LIST):
        part = keys[start:start + _IN_LIST]
        out += cursor.execute(f"{select} WHERE {column} IN ({','.join('?' * len(part))})", part).fetchall()
    return out
