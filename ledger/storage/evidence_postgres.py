"""Evidence in a PostgreSQL store: content-addressed rows in the store's own schema.

Two tables beside the events (``<events>_evidence``: digest, size, original name, media type and
chunk count; ``<events>_evidence_chunks``: ``(sha256, seq, bytes)`` of ``CHUNK`` bytes each), so a
1 GiB file never sits in memory and every machine that opens the store sees the same files.

``add`` hashes the file (streamed, refused above the size limit) and holds it for the next save;
the chained recorder (ledger/storage/chain_postgres.py) calls ``write_pending`` inside the transaction that
inserts the event, before it takes the append lock: the file is read again, re-hashed as its
chunks are inserted, and the transaction fails if it changed meanwhile. An event and the evidence
it cites are committed together or not at all. A file already kept is not written again
(``ON CONFLICT DO NOTHING``: no UPDATE right is needed, and the rows are never changed).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from psycopg.sql import SQL, Composed, Identifier

from events.base import Attachment
from ledger.domain.errors import LedgerError
from ledger.storage.evidence import (
    CHUNK,
    EvidenceStore,
    blocks_of,
    check_digest,
    digest_mismatch,
    max_bytes,
    readable,
    rechunk,
)
from ledger.translation import _


def evidence_tables(events_table: str) -> tuple[str, str]:
    """The names of the evidence and chunk tables beside ``events_table``."""
    return f"{events_table}_evidence", f"{events_table}_evidence_chunks"


def evidence_table_statements(schema: str, events_table: str) -> list[Composed]:
    """DDL creating the evidence tables when missing."""
    files, chunks = (Identifier(schema, t) for t in evidence_tables(events_table))
    return [
        SQL("CREATE TABLE IF NOT EXISTS {} (sha256 text PRIMARY KEY, size bigint NOT NULL, name text NOT NULL, "
            "media_type text NOT NULL, chunks integer NOT NULL)").format(files),
        SQL("CREATE TABLE IF NOT EXISTS {} (sha256 text NOT NULL, seq integer NOT NULL, bytes bytea NOT NULL, "
            "PRIMARY KEY (sha256, seq))").format(chunks),
    ]


class _Sql:
    """The statements on one store's evidence tables."""

    def __init__(self, schema: str, events_table: str) -> None:
        files, chunks = (Identifier(schema, t) for t in evidence_tables(events_table))
        self.claim = SQL("INSERT INTO {} (sha256, size, name, media_type, chunks) VALUES (%s, %s, %s, %s, %s) "
                         "ON CONFLICT (sha256) DO NOTHING RETURNING sha256").format(files)
        self.chunk = SQL("INSERT INTO {} (sha256, seq, bytes) VALUES (%s, %s, %s)").format(chunks)
        self.header = SQL("SELECT size, chunks, name FROM {} WHERE sha256 = %s").format(files)
        self.read = SQL("SELECT bytes FROM {} WHERE sha256 = %s AND seq = %s").format(chunks)
        self.count = SQL("SELECT count(*) FROM {} WHERE sha256 = %s").format(chunks)
        self.page = SQL("SELECT sha256, size FROM {} WHERE sha256 > %s ORDER BY sha256 LIMIT 1000").format(files)


def _insert(cur: Any, sql: _Sql, sha: str, size: int, name: str, blocks: Iterable[bytes]
            ) -> tuple[str, int] | None:
    """Insert one file's rows through ``cur`` unless it is kept already; (digest, bytes) of what was inserted."""
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if cur.execute(sql.claim, (sha, size, name, media, -(-size // CHUNK))).fetchone() is None:
        return None  # kept already (perhaps by a concurrent writer, whose commit this waited for)
    digest, seq, received = hashlib.sha256(), 0, 0
    for block in blocks:
        digest.update(block)
        cur.execute(sql.chunk, (sha, seq, block))
        seq, received = seq + 1, received + len(block)
    return digest.hexdigest(), received


class PostgresEvidenceStore(EvidenceStore):
    """Attachments as rows of the store's schema, written with the event that cites them."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.datastore = recorder.datastore
        self.sql = _Sql(self.datastore.schema, recorder.events_table_name)
        self.pending: dict[str, tuple[Path, int, str]] = {}  # digest → (file, size, name), for the next save
        recorder.evidence = self

    def add(self, source: str | os.PathLike[str]) -> Attachment:
        """Hash the file (streamed) and hold it for the next save, which stores it in the same transaction."""
        src = readable(source)
        digest, size = hashlib.sha256(), 0
        try:
            for block in blocks_of(src, max_bytes()):
                digest.update(block)
                size += len(block)
        except OSError as e:
            raise LedgerError(_("attachment {source} cannot be read: {error}").format(source=repr(str(source)),
                                                                                  error=e.strerror or e)) from None
        sha = digest.hexdigest()
        self.pending.setdefault(sha, (src, size, src.name))
        return Attachment(name=src.name, sha256=sha, size=size)

    def write_pending(self, cur: Any) -> None:
        """Insert the files held for this save through the save's own cursor (its transaction)."""
        limit = max_bytes()
        for sha, (path, size, name) in sorted(self.pending.items()):
            try:
                found = _insert(cur, self.sql, sha, size, name, blocks_of(path, limit))
            except OSError as e:
                raise LedgerError(_("attachment {source} cannot be read: {error}; nothing was recorded").format(
                    source=repr(str(path)), error=e.strerror or e)) from None
            if found is not None and found != (sha, size):
                raise LedgerError(_("attachment {source} changed while it was being recorded; nothing was recorded")
                                  .format(source=repr(str(path))))

    def settle(self) -> None:
        """Forget the files held for the save that has just ended."""
        self.pending.clear()

    def keep(self, source: str | os.PathLike[str]) -> Attachment:
        """Store a file now, in a transaction of its own (an upload cited later: stateless service processes)."""
        held = dict(self.pending)
        self.pending.clear()
        try:
            attachment = self.add(source)
            with self.datastore.transaction(commit=True) as cur:
                self.write_pending(cur)
        finally:
            self.pending = held
        return attachment

    def has(self, sha256: str) -> bool:
        with self.datastore.get_connection() as conn, conn.cursor() as cur:
            return cur.execute(self.sql.header, (check_digest(sha256),)).fetchone() is not None

    def check(self, attachment: Attachment) -> str | None:
        """None if the kept rows hash to the attachment's digest, else what is wrong."""
        sha = check_digest(attachment.sha256)
        with self.datastore.get_connection() as conn, conn.cursor() as cur:
            head = cur.execute(self.sql.header, (sha,)).fetchone()
            if head is None:
                return _("evidence file {sha} ({name}) is missing").format(sha=sha, name=attachment.name)
            digest, size = hashlib.sha256(), 0
            for block in self._blocks(cur, sha, head["chunks"]):
                digest.update(block)
                size += len(block)
            if cur.execute(self.sql.count, (sha,)).fetchone()["count"] != head["chunks"]:
                return _("evidence file {sha} ({name}) was changed: it has chunks it should not have").format(
                    sha=sha, name=attachment.name)
        return self.problem_of(sha, attachment.name, digest.hexdigest(), size, head["size"])

    def _blocks(self, cur: Any, sha: str, chunks: int) -> Iterator[bytes]:
        for seq in range(chunks):
            row = cur.execute(self.sql.read, (sha, seq)).fetchone()
            if row is None:
                return  # a missing chunk: the digest will not match
            yield bytes(row["bytes"])

    def iterate(self) -> Iterator[tuple[str, int]]:
        """Every kept file's (digest, size), in digest order, a page at a time."""
        after = ""
        while True:
            with self.datastore.get_connection() as conn, conn.cursor() as cur:
                rows = cur.execute(self.sql.page, (after,)).fetchall()
            if not rows:
                return
            for row in rows:
                yield row["sha256"], int(row["size"])
            after = rows[-1]["sha256"]

    def name_of(self, sha256: str) -> str | None:
        """The original name the file was first kept under."""
        with self.datastore.get_connection() as conn, conn.cursor() as cur:
            head = cur.execute(self.sql.header, (check_digest(sha256),)).fetchone()
        return None if head is None else str(head["name"])

    def open(self, sha256: str) -> Iterator[bytes]:
        """The kept content of one file, one chunk row at a time."""
        sha = check_digest(sha256)
        with self.datastore.get_connection() as conn, conn.cursor() as cur:
            head = cur.execute(self.sql.header, (sha,)).fetchone()
            if head is None:
                raise LedgerError(_("evidence file {sha} is missing").format(sha=sha))
            yield from self._blocks(cur, sha, head["chunks"])

    def staging(self) -> PostgresEvidenceStaging:
        """A restore's files, inserted through the restore's own transaction."""
        return PostgresEvidenceStaging(self)


class PostgresEvidenceStaging:
    """Receives a restore's evidence into the transaction that inserts its events (``bind``): a refused
    import rolls both back."""

    def __init__(self, store: PostgresEvidenceStore) -> None:
        self.store = store
        self.cursor: Any = None

    def __enter__(self) -> PostgresEvidenceStaging:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.cursor = None

    def bind(self, cursor: Any) -> None:
        """The restore's cursor: every file received goes through it."""
        self.cursor = cursor

    def receive(self, sha256: str, size: int, chunks: Iterable[bytes], name: str = "") -> str | None:
        """Insert one file's rows; None when it matches ``sha256`` and ``size``, else what is wrong.

        ``name`` is its original name when the export gives one (else the digest stands for it).
        """
        assert self.cursor is not None, "receive() after bind()"
        sha = check_digest(sha256)
        found = _insert(self.cursor, self.store.sql, sha, size, name or sha, rechunk(chunks, CHUNK))
        if found is None or found == (sha, size):
            return None  # (a mismatch is rolled back with the whole restore, which it refuses)
        received = found[1]
        return digest_mismatch(sha, size, received)

    def commit(self) -> None:
        """Nothing to do: the rows were committed with the events."""

