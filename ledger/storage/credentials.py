"""The credentials table: password and API-token hashes, kept beside the ledger and never in it.

The ledger's history is immutable and is copied, exported and published; a secret's hash must
not be in it. So hashes live in one small, deliberately mutable table of the same store (SQLite:
a table in the database file; PostgreSQL: a table in the store's schema), created by provisioning:

    ledger_credentials(kind, key, account, hash)   PRIMARY KEY (kind, key)

``kind`` is ``password`` (``key``: the account's id; ``hash``: an argon2id hash) or ``token``
(``key``: the token's public id; ``hash``: the SHA-256 of the whole token). The table holds nothing
but hashes: who an account is and what it may do are events (``events/accounts.py``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from threading import Lock
from typing import Any

from ledger.domain.errors import NotPermitted

TABLE = "ledger_credentials"
PASSWORD, TOKEN = "password", "token"


class Credentials(ABC):
    """The credentials table of one store: look hashes up, replace and remove them."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether the table is there (read only)."""

    @abstractmethod
    def create(self) -> None:
        """Create the table (the caller has checked it is missing)."""

    @abstractmethod
    def get(self, kind: str, key: str) -> tuple[str, str] | None:
        """The (account id, hash) kept under ``kind`` and ``key``, or None."""

    @abstractmethod
    def put(self, kind: str, key: str, account: str, hash_: str) -> None:
        """Keep ``hash_`` under ``kind`` and ``key``, replacing what was there."""

    @abstractmethod
    def remove(self, kind: str, keys: Sequence[str]) -> None:
        """Forget the hashes under ``kind`` and each of ``keys``."""


class SQLiteCredentials(Credentials):
    """The table in the SQLite database file, beside the events."""

    def __init__(self, datastore: Any) -> None:
        self.datastore = datastore

    def exists(self) -> bool:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=?", (TABLE,))
            return bool(c.fetchone()[0])

    def create(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (kind TEXT NOT NULL, key TEXT NOT NULL, "
                      "account TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (kind, key))")

    def get(self, kind: str, key: str) -> tuple[str, str] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT account, hash FROM {TABLE} WHERE kind=? AND key=?", (kind, key))
            row = c.fetchone()
        return (row[0], row[1]) if row else None

    def put(self, kind: str, key: str, account: str, hash_: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"INSERT INTO {TABLE} VALUES (?,?,?,?) ON CONFLICT(kind, key) "
                      "DO UPDATE SET account=excluded.account, hash=excluded.hash", (kind, key, account, hash_))

    def remove(self, kind: str, keys: Sequence[str]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.executemany(f"DELETE FROM {TABLE} WHERE kind=? AND key=?", [(kind, k) for k in keys])


class PostgresCredentials(Credentials):
    """The table in the store's PostgreSQL schema (not protected like the history: it is meant to change)."""

    def __init__(self, datastore: Any, recorder: Any = None) -> None:
        from psycopg.sql import Identifier

        self.datastore = datastore
        self.schema = datastore.schema
        self.table = Identifier(datastore.schema, TABLE)
        self.recorder = recorder  # its catalog, read when the store was opened, may say the table is there

    def exists(self) -> bool:
        if self.recorder is not None and self.recorder.has(TABLE):
            return True
        with self.datastore.transaction(commit=False) as curs:
            row = curs.execute("SELECT to_regclass(format('%%I.%%I', %s::text, %s::text)) IS NOT NULL AS found",
                               (self.schema, TABLE)).fetchone()
        return bool(row and row["found"])

    def create(self) -> None:
        from psycopg.sql import SQL

        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("CREATE TABLE IF NOT EXISTS {} (kind text NOT NULL, key text NOT NULL, "
                             "account text NOT NULL, hash text NOT NULL, PRIMARY KEY (kind, key))").format(self.table))

    def _run(self, sql: str, params: Sequence[Any], *, fetch: bool = False, many: bool = False) -> Any:
        """Run one statement on the table (``{}`` in ``sql``); the first row when ``fetch``."""
        import psycopg.errors as pe
        from psycopg.sql import SQL

        try:
            with self.datastore.transaction(commit=not fetch) as curs:
                statement = SQL(sql).format(self.table)
                if many:
                    curs.executemany(statement, params)
                    return None
                curs.execute(statement, params)
                return curs.fetchone() if fetch else None
        except (pe.UndefinedTable, pe.InsufficientPrivilege):
            raise NotPermitted(
                f"this store's credentials table ({self.schema}.{TABLE}) is missing or out of reach for this role: "
                "open the store once as its owner, who can then `hotline-ledger db grant ROLE --as writer`"
            ) from None

    def get(self, kind: str, key: str) -> tuple[str, str] | None:
        row = self._run("SELECT account, hash FROM {} WHERE kind = %s AND key = %s", (kind, key), fetch=True)
        return (row["account"], row["hash"]) if row else None

    def put(self, kind: str, key: str, account: str, hash_: str) -> None:
        self._run("INSERT INTO {} VALUES (%s, %s, %s, %s) ON CONFLICT (kind, key) "
                  "DO UPDATE SET account = excluded.account, hash = excluded.hash", (kind, key, account, hash_))

    def remove(self, kind: str, keys: Sequence[str]) -> None:
        if keys:
            self._run("DELETE FROM {} WHERE kind = %s AND key = %s", [(kind, k) for k in keys], many=True)


class MemoryCredentials(Credentials):
    """The table as a dict, living as long as the in-memory store's recorder."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], tuple[str, str]] = {}
        self._lock = Lock()

    def exists(self) -> bool:
        return True

    def create(self) -> None:
        """Nothing to create."""

    def get(self, kind: str, key: str) -> tuple[str, str] | None:
        with self._lock:
            return self._rows.get((kind, key))

    def put(self, kind: str, key: str, account: str, hash_: str) -> None:
        with self._lock:
            self._rows[(kind, key)] = (account, hash_)

    def remove(self, kind: str, keys: Sequence[str]) -> None:
        with self._lock:
            for k in keys:
                self._rows.pop((kind, k), None)


def credentials_for(recorder: Any) -> Credentials:
    """The credentials table of the store ``recorder`` writes to (one object per recorder)."""
    found = getattr(recorder, "_ledger_credentials", None)
    if found is None:
        from eventsourcing.popo import POPOApplicationRecorder
        from eventsourcing.sqlite import SQLiteApplicationRecorder

        if isinstance(recorder, SQLiteApplicationRecorder):
            found = SQLiteCredentials(recorder.datastore)
        elif isinstance(recorder, POPOApplicationRecorder):
            found = MemoryCredentials()
        else:  # PostgreSQL (named, not imported here: psycopg costs SQLite commands ~80 ms to import)
            found = PostgresCredentials(recorder.datastore, recorder)
        recorder._ledger_credentials = found
    return found
