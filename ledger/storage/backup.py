"""``import ledger``: restore an export (ledger/storage/export.py) into an empty store, exactly.

Every event keeps its notification id, originator, version, topic and stored bytes, so the
tamper-evidence chain rebuilt here is the very chain of the source: ``verify`` passes and heads
published from the source still match. The file is checked as it is read:

- its form and its chain: each event's hash recomputed and compared with the file's, the ids
  rising, the trailer's counts and head; a fault here stops the reading at once (nothing after it
  can be trusted);
- its meaning: each event decoded through the ledger's own types and re-decided as the write side
  would have decided it (ledger/storage/restore_check.py), every attachment's file present, and the chain
  reaching each head given with ``--seal``. These faults are collected, each named ``FILE:LINE``.

Any fault refuses the whole file: the events go in one transaction, rolled back. On PostgreSQL the
evidence rows are inserted in that same transaction (ledger/storage/evidence_postgres.py); on SQLite the
evidence files, streamed into a staging folder, are moved into the store only after that
transaction has committed (ledger/storage/evidence_staging.py). Memory stays bounded whatever the size of an attachment.

This bypasses the library's insert path (which would assign new ids), so it refuses a store that
holds any event, and on PostgreSQL it takes the same table lock as the library's writers. The lines are
read and checked by ``ledger.storage.backup_reader``; this module opens the file and writes what it yields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any
from uuid import UUID

from ledger.domain.errors import RuleViolation
from ledger.storage.backup_reader import RestoreReader, Row
from ledger.storage.chain_sqlite import SQLiteTreeRows
from ledger.storage.event_tree import extend_tree
from ledger.storage.export import FORMAT, READABLE_VERSIONS
from ledger.storage.restore_check import RestoreCheck
from ledger.translation import _

#: Events inserted per executemany (all of them in one transaction).
BATCH = 1000
#: The longest line a version-2 export has any reason to hold (an event, or one evidence chunk, is far
#: smaller); a longer line is refused before it is held in memory. Version 1 put whole files in a line.
MAX_LINE = 32 << 20



def import_ledger(app: Any, path: str, seals: Iterable[tuple[int, str]] = ()) -> dict[str, Any]:
    """Restore the export at ``path`` into the (empty) store of ``app``; return the counts and head.

    ``seals`` are published heads, (notification id, hex hash): the file's chain must reach each one.
    """
    existing = app.recorder.max_notification_id()
    if existing is not None:
        raise RuleViolation(_("the store {store} is not empty (its last event is #{last}): "
                              "a ledger is imported only into an empty store").format(store=app.location.display,
                                                                                      last=existing))
    writer = _writer_for(app.recorder)
    with app.evidence.staging() as staging:
        with open(path, encoding="utf-8") as f:
            header = next(_numbered(f, path, MAX_LINE), None)
            version = _check_header(header, path)
            lines = _numbered(f, path, None if version == 1 else MAX_LINE, after=header[0] if header else 0)
            restore = RestoreReader(path, version, RestoreCheck(app.mapper), staging, dict(seals))
            trailer = writer(app.recorder, restore.rows(lines), staging)
        staging.commit()
    # A view left from an earlier store at this place must not survive the move; the next read
    # rebuilds it.
    app.view.reset()
    return trailer


def _numbered(f: IO[str], path: str, limit: int | None, after: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-blank line's number and object; a line longer than ``limit`` characters is refused unread."""
    number = after
    while True:
        text = f.readline(-1 if limit is None else limit + 1)
        if not text:
            return
        number += 1
        if limit is not None and len(text) > limit:
            raise RuleViolation(_("{path}:{number}: a line longer than {limit} characters: not an export line; "
                                  "nothing was imported").format(path=path, number=number, limit=limit))
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise RuleViolation(_("{path}:{number}: not a JSON object ({error}); nothing was imported").format(
                path=path, number=number, error=e.msg)) from None
        if not isinstance(obj, dict):
            raise RuleViolation(_("{path}:{number}: not a JSON object; nothing was imported").format(path=path,
                                                                                              number=number))
        yield number, obj


def _check_header(first: tuple[int, dict[str, Any]] | None, path: str) -> int:
    if first is None:
        raise RuleViolation(_("{path}: the file is empty: not a ledger export").format(path=path))
    number, obj = first
    if obj.get("format") != FORMAT:
        raise RuleViolation(_("{path}:{number}: not a hotline-ledger export (no {format} header)").format(
            path=path, number=number, format=repr(FORMAT)))
    version = obj.get("version")
    if version not in READABLE_VERSIONS:
        raise RuleViolation(_("{path}:{number}: export version {version} is not supported "
                              "(this program reads versions {versions})").format(
            path=path, number=number, version=repr(version), versions=", ".join(map(str, READABLE_VERSIONS))))
    return int(version)


def _salts(batch: list[Row]) -> dict[int, bytes]:
    return {r[0]: r[7] for r in batch if r[7] is not None}


def _writer_for(recorder: Any) -> Any:
    return _write_postgres if hasattr(recorder.datastore, "schema") else _write_sqlite


def _batches(rows: Iterator[Row | dict[str, Any]]) -> Iterator[list[Row] | dict[str, Any]]:
    batch: list[Row] = []
    for row in rows:
        if isinstance(row, dict):
            if batch:
                yield batch
            yield row
            return
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []


def _write_sqlite(recorder: Any, rows: Iterator[Row | dict[str, Any]], staging: Any) -> dict[str, Any]:
    e, c = recorder.events_table_name, recorder.chain_table_name
    with recorder.datastore.transaction(commit=True) as cur:
        cur.execute(f"SELECT COUNT(*) FROM {e}")  # re-checked inside the transaction
        if cur.fetchone()[0]:
            raise RuleViolation(_("the store is no longer empty (another writer?); nothing was imported"))
        for batch in _batches(rows):
            if isinstance(batch, dict):
                recorder.index_restored(cur)  # the order index, built from the restored facts
                # (ledger/storage/order_index.py)
                return batch
            cur.executemany(f"INSERT INTO {e} (rowid, originator_id, originator_version, topic, state) "
                            "VALUES (?,?,?,?,?)", [r[:5] for r in batch])
            cur.executemany(f"INSERT INTO {c} (notification_id, digest, hash) VALUES (?,?,?)",
                            [(r[0], r[5], r[6]) for r in batch])
            # The Merkle tree again, with the leaves' own salts: every signed tree head still holds.
            extend_tree(SQLiteTreeRows(recorder, cur), [], recorder.plain_state, _salts(batch))
    raise AssertionError("unreachable: _events ends with the trailer or raises")


def _write_postgres(recorder: Any, rows: Iterator[Row | dict[str, Any]], staging: Any) -> dict[str, Any]:
    from psycopg.sql import SQL, Identifier, Literal

    ds = recorder.datastore
    s, e, c = Identifier(ds.schema), Identifier(recorder.events_table_name), Identifier(recorder.chain_table_name)
    uuid_ids = ds.originator_id_type == "uuid"
    with ds.transaction(commit=True) as cur:
        # The same lock as the library's writers: nobody appends while the ledger is restored.
        cur.execute(SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE").format(s, e))
        if cur.execute(SQL("SELECT 1 FROM {}.{} LIMIT 1").format(s, e)).fetchone():
            raise RuleViolation(_("the store is no longer empty (another writer?); nothing was imported"))
        staging.bind(cur)  # the evidence rows go into this transaction too: a refused file leaves none
        summary: dict[str, Any] = {}
        for batch in _batches(rows):
            if isinstance(batch, dict):
                summary = batch
                break
            cur.executemany(SQL("INSERT INTO {}.{} (notification_id, originator_id, originator_version, topic, state) "
                                "VALUES (%s, %s, %s, %s, %s)").format(s, e),
                            [(r[0], UUID(r[1]) if uuid_ids else r[1], r[2], r[3], r[4]) for r in batch])
            cur.executemany(SQL("INSERT INTO {}.{} (notification_id, digest, hash) VALUES (%s, %s, %s)").format(s, c),
                            [(r[0], r[5], r[6]) for r in batch])
            from ledger.storage.chain_postgres_rows import PostgresTreeRows

            extend_tree(PostgresTreeRows(recorder, cur), [], recorder.plain_state, _salts(batch))
        if summary.get("events"):
            # Later appends continue after the restored ids.
            table = Literal(f'"{ds.schema}"."{recorder.events_table_name}"')
            cur.execute(SQL("SELECT setval(pg_get_serial_sequence({}, 'notification_id'), "
                            "(SELECT MAX(notification_id) FROM {}.{}))").format(table, s, e))
        recorder.index_restored(cur)  # the order index, built from the restored facts (ledger/storage/order_index.py)
        return summary
