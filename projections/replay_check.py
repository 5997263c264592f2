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

from projections.view import View

#: Characters of a row shown in a message.
_SHOWN = 160


def replay_differences(app: Any) -> str | None:
    """None when the read model equals a replay of the events up to its position; else the first difference.

    The read model is read in one read transaction (a snapshot: another process catching it up
    meanwhile changes nothing here), and the replay stops at the position read in it.
    """
    live = app.view
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
