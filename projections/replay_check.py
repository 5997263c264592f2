"""``verify``'s check of the read model: it must equal a replay of the events, table by table.

The read model is derived data, but every score is read from it, so an edit to its file (an
UPDATE on ``occurrences``) would change every score while the chain still verifies. The check
replays the ledger, up to the read model's own position, into a fresh read model in a temporary
file and compares the two, row by row.

Why a replay into a file and an ordered, streamed comparison (not an in-memory View, nor a digest
kept beside the read model): a digest stored in the same file is rewritten as easily as the rows
it vouches for, and an in-memory replay of a large ledger (a million work orders) holds the whole
read model in RAM. The temporary file lives beside the read model (same disk, same privacy: it
holds the same decrypted facts, mode 0600 in a 0700 directory) and is removed afterwards; both
tables are read in the same order with cursors, so memory stays bounded whatever the ledger's
size (SQLite sorts on disk when it must). The cost is one more catch-up from the first event.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from projections.view import View
from projections.view_postgres import TABLES, PostgresView

#: Characters of a row shown in a message.
_SHOWN = 160


def replay_differences(app: Any) -> str | None:
    """None when the read model equals a replay of the events up to its position; else the first difference.

    The read model is read in one read transaction (a snapshot: another process catching it up
    meanwhile changes nothing here), and the replay stops at the position read in it.
    """
    live = app.view
    if isinstance(live, PostgresView):
        return _postgres_differences(app, live)
    where = None if live.path == ":memory:" else Path(live.path).parent
    live.db.execute("BEGIN")
    try:
        position, _ = live.checked(app.name)
        with tempfile.TemporaryDirectory(prefix=".verify-", dir=where) as tmp:
            replay = View(Path(tmp) / "replay.views")
            try:
                replay.catch_up(app, upto=position or 0)
                return first_difference(live.db, replay.db)
            finally:
                replay.close()
    finally:
        live.db.execute("COMMIT")


def _postgres_differences(app: Any, live: PostgresView) -> str | None:
    """The PostgreSQL read model against a replay into this session's temporary tables (nothing on the client's
    disk, memory bounded: the server compares). One REPEATABLE READ transaction: the read model's position and
    rows are one snapshot, however other clients catch it up meanwhile."""
    replay = PostgresView(app.location.env, live.schema, temporary=True)
    try:
        replay.conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with replay.conn.transaction():
            mine = Identifier(live.schema)
            row = replay.conn.execute(SQL("SELECT notification_id FROM {}.tracking WHERE application_name = %s")
                                      .format(mine), (app.name,)).fetchone()
            replay.catch_up(app, upto=row[0] if row else 0)
            tables = {r[0] for r in replay.conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (live.schema,))}
            for name in sorted(tables | TABLES):
                if name not in tables:
                    return f"table {name} is missing from the read model"
                columns = _pg_columns(replay.conn, SQL("{}.{}").format(mine, Identifier(name)))
                if columns != _pg_columns(replay.conn, Identifier(name)):
                    return f"table {name} has other columns than a replay's"
                extra = SQL("(SELECT * FROM {} EXCEPT ALL SELECT * FROM {}) ORDER BY {} LIMIT 1")
                order = SQL(", ".join(str(i) for i in range(1, len(columns) + 1)))
                held = replay.conn.execute(extra.format(SQL("{}.{}").format(mine, Identifier(name)),
                                                        Identifier(name), order)).fetchone()
                if held is not None:
                    return f"table {name} holds a row the events do not give: {_show(columns, held)}"
                lacked = replay.conn.execute(extra.format(Identifier(name), SQL("{}.{}").format(
                    mine, Identifier(name)), order)).fetchone()
                if lacked is not None:
                    return f"table {name} lacks a row the events give: {_show(columns, lacked)}"
            return None
    finally:
        replay.close()


def _pg_columns(conn: Any, table: Any) -> list[str]:
    cursor = conn.execute(SQL("SELECT * FROM {} LIMIT 0").format(table))
    return [d.name for d in cursor.description or ()]


def first_difference(live: sqlite3.Connection, replay: sqlite3.Connection) -> str | None:
    """The first table whose rows differ between two read models, described in one line (None: equal)."""
    tables = _tables(live)
    for name in sorted(set(tables) | set(_tables(replay))):
        if name not in tables:
            return f"table {name} is missing from the read model"
        columns = _columns(live, name)
        if columns != _columns(replay, name):
            return f"table {name} has other columns than a replay's"
        for mine, theirs in zip_longest(_rows(live, name, columns), _rows(replay, name, columns)):
            if mine != theirs:
                if mine is None or (theirs is not None and theirs < mine):
                    return f"table {name} lacks a row the events give: {_show(columns, theirs)}"
                return f"table {name} holds a row the events do not give: {_show(columns, mine)}"
    return None


def _tables(db: sqlite3.Connection) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]


def _rows(db: sqlite3.Connection, table: str, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """Every row as a plain tuple, ordered by every column (the same order in both read models)."""
    order = ", ".join(str(i) for i in range(1, len(columns) + 1))
    cursor = db.cursor()
    cursor.row_factory = None
    yield from cursor.execute(f'SELECT * FROM "{table}" ORDER BY {order}')


def _show(columns: Sequence[str], row: tuple[Any, ...]) -> str:
    text = ", ".join(f"{c}={v.hex() if isinstance(v, bytes) else v!r}" for c, v in zip(columns, row, strict=True))
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
