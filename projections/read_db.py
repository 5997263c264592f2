"""The one connection interface every projection reads and writes the read model through.

It is the part of ``sqlite3.Connection`` the projections use, so an SQLite connection (with
``sqlite3.Row`` rows) is one implementation as it stands; ``projections.view_postgres.PgReadDB`` is
the other. SQL is written once, with ``?`` parameters, in the dialect both backends speak
(``INSERT … ON CONFLICT … DO UPDATE``, no ``INSERT OR REPLACE``, no bare columns beside an aggregate).
"""

from __future__ import annotations

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
