"""Reading a store this process may not write: an archived ledger, a file of mode 0444, a read-only folder.

SQLite would otherwise try to switch the file to WAL or create its ``-shm`` beside it, and refuse
to open at all; the read model would try to write its file. Here the store is opened read-only
(``immutable`` when not even the ``-shm`` file can be made: nobody can be writing it then) and
the read model is kept in memory, caught up from the events as for a rebuild. Writes are then
refused by SQLite itself, and nothing is written anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote


def writable(path: Path) -> bool:
    """True if this process may write ``path`` (an existing file), or create it in its folder."""
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return os.access(parent, os.W_OK | os.X_OK)


def sqlite_read_only_name(db: Path) -> str | None:
    """The URI to open an existing SQLite file this process cannot write, or None if it can (or it is missing)."""
    if not db.is_file() or writable(db):
        return None
    uri = f"file:{quote(str(db.resolve()))}?mode=ro"
    shm = db.with_name(db.name + "-shm")
    if not shm.exists() and not os.access(db.parent, os.W_OK | os.X_OK):
        uri += "&immutable=1"  # no -shm can be made: no writer can be using the file either
    return uri
