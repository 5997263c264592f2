"""``import ledger``: restore an export (projections/export.py) into an empty store, exactly.

Every event keeps its notification id, originator, version, topic and stored bytes, so the
tamper-evidence chain rebuilt here is the very chain of the source: ``verify`` passes and heads
published from the source still match. The file is checked as it is read — each event's hash
recomputed and compared with the file's, the ids rising, the trailer's counts and head — and any
failure refuses the whole file: the events go in one transaction, so nothing is written.

This bypasses the library's insert path (which would assign new ids), so it refuses a store that
holds any event, and on PostgreSQL it takes the same table lock as the library's writers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from ledger.chain import chain_link, event_digest
from ledger.encryption import KeyRefused, key_problem
from ledger.errors import RuleViolation
from projections.export import FORMAT, VERSION

#: Events inserted per executemany (all of them in one transaction).
BATCH = 1000

_Row = tuple[int, str, int, str, bytes, bytes, bytes]  # id, originator, version, topic, state, digest, hash


def import_ledger(app: Any, path: str) -> dict[str, Any]:
    """Restore the export at ``path`` into the (empty) store of ``app``; return the counts and head."""
    existing = app.recorder.max_notification_id()
    if existing is not None:
        raise RuleViolation(f"the store {app.location.display} is not empty (its last event is #{existing}): "
                            "a ledger is imported only into an empty store")
    writer = _writer_for(app.recorder)
    with open(path, encoding="utf-8") as f:
        lines = _numbered(f, path)
        _check_header(next(lines, None), path)
        trailer = writer(app.recorder, _events(lines, path, app))
    # A view left from an earlier store at this place must not survive the move; the next read
    # rebuilds it (which needs the cipher key of an encrypted ledger, the import itself does not).
    app.view.reset()
    return trailer


def _numbered(f: IO[str], path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in enumerate(f, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise RuleViolation(f"{path}:{number}: not a JSON object ({e.msg}); nothing was imported") from None
        if not isinstance(obj, dict):
            raise RuleViolation(f"{path}:{number}: not a JSON object; nothing was imported")
        yield number, obj


def _check_header(first: tuple[int, dict[str, Any]] | None, path: str) -> None:
    if first is None:
        raise RuleViolation(f"{path}: the file is empty: not a ledger export")
    number, obj = first
    if obj.get("format") != FORMAT:
        raise RuleViolation(f"{path}:{number}: not a hotline-ledger export (no {FORMAT!r} header)")
    if obj.get("version") != VERSION:
        raise RuleViolation(f"{path}:{number}: export version {obj.get('version')!r} is not supported "
                            f"(this program reads version {VERSION})")


def _events(lines: Iterator[tuple[int, dict[str, Any]]], path: str, app: Any) -> Iterator[_Row | dict[str, Any]]:
    """Yield each checked event row, then the trailer's summary; refuse the file at the first fault."""
    previous, last_id, events, files = bytes(32), 0, 0, 0
    for number, obj in lines:
        kind = obj.get("kind")
        where = f"{path}:{number}"
        if kind == "event":
            try:
                nid, oid = int(obj["notification_id"]), str(obj["originator_id"])
                version = int(obj["originator_version"])
                topic, state = str(obj["topic"]), base64.b64decode(obj["state"], validate=True)
                claimed = bytes.fromhex(obj["hash"])
            except (KeyError, TypeError, ValueError, binascii.Error) as e:
                raise RuleViolation(f"{where}: a malformed event ({type(e).__name__}: {e}); nothing was imported"
                                    ) from None
            if events == 0 and (problem := key_problem(app.mapper, state, f"the export {where}")) is not None:
                raise KeyRefused(problem)  # restored bytes stay as they are: the key must be the export's own
            if nid <= last_id:
                raise RuleViolation(f"{where}: event #{nid} does not come after #{last_id}; nothing was imported")
            digest = event_digest(oid, version, topic, state)
            link = chain_link(previous, nid, digest)
            if link != claimed:
                raise RuleViolation(f"{where}: event #{nid} does not match its chain hash (the file was altered?); "
                                    "nothing was imported")
            yield nid, oid, version, topic, state, digest, link
            previous, last_id, events = link, nid, events + 1
        elif kind == "evidence":
            _keep_evidence(app, obj, where)
            files += 1
        elif kind == "end":
            if obj.get("events") != events or obj.get("evidence") != files or obj.get("head") != previous.hex():
                raise RuleViolation(f"{where}: the trailer says {obj.get('events')} events and {obj.get('evidence')} "
                                    f"evidence files, the file holds {events} and {files}; nothing was imported")
            yield {"events": events, "evidence": files, "head": previous.hex()}
            return
        else:
            raise RuleViolation(f"{where}: unknown line kind {kind!r}; nothing was imported")
    raise RuleViolation(f"{path}: the file ends without its trailer (truncated?); nothing was imported")


def _keep_evidence(app: Any, obj: dict[str, Any], where: str) -> None:
    """Put one evidence file into the store (content-addressed: a file already kept is left as it is)."""
    try:
        data = base64.b64decode(obj["content"], validate=True)
        sha = str(obj["sha256"])
    except (KeyError, TypeError, ValueError, binascii.Error) as e:
        raise RuleViolation(f"{where}: a malformed evidence file ({e}); nothing was imported") from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise RuleViolation(f"{where}: evidence file {sha} does not match its digest; nothing was imported")
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / sha
        staged.write_bytes(data)
        app.evidence.add(staged)


def _writer_for(recorder: Any) -> Any:
    return _write_postgres if hasattr(recorder.datastore, "schema") else _write_sqlite


def _batches(rows: Iterator[_Row | dict[str, Any]]) -> Iterator[list[_Row] | dict[str, Any]]:
    batch: list[_Row] = []
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


def _write_sqlite(recorder: Any, rows: Iterator[_Row | dict[str, Any]]) -> dict[str, Any]:
    e, c = recorder.events_table_name, recorder.chain_table_name
    with recorder.datastore.transaction(commit=True) as cur:
        cur.execute(f"SELECT COUNT(*) FROM {e}")  # re-checked inside the transaction
        if cur.fetchone()[0]:
            raise RuleViolation("the store is no longer empty (another writer?); nothing was imported")
        for batch in _batches(rows):
            if isinstance(batch, dict):
                return batch
            cur.executemany(f"INSERT INTO {e} (rowid, originator_id, originator_version, topic, state) "
                            "VALUES (?,?,?,?,?)", [r[:5] for r in batch])
            cur.executemany(f"INSERT INTO {c} (notification_id, digest, hash) VALUES (?,?,?)",
                            [(r[0], r[5], r[6]) for r in batch])
    raise AssertionError("unreachable: _events ends with the trailer or raises")


def _write_postgres(recorder: Any, rows: Iterator[_Row | dict[str, Any]]) -> dict[str, Any]:
    from psycopg.sql import SQL, Identifier, Literal

    ds = recorder.datastore
    s, e, c = Identifier(ds.schema), Identifier(recorder.events_table_name), Identifier(recorder.chain_table_name)
    uuid_ids = ds.originator_id_type == "uuid"
    with ds.transaction(commit=True) as cur:
        # The same lock as the library's writers: nobody appends while the ledger is restored.
        cur.execute(SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE").format(s, e))
        if cur.execute(SQL("SELECT 1 FROM {}.{} LIMIT 1").format(s, e)).fetchone():
            raise RuleViolation("the store is no longer empty (another writer?); nothing was imported")
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
        if summary.get("events"):
            # Later appends continue after the restored ids.
            table = Literal(f'"{ds.schema}"."{recorder.events_table_name}"')
            cur.execute(SQL("SELECT setval(pg_get_serial_sequence({}, 'notification_id'), "
                            "(SELECT MAX(notification_id) FROM {}.{}))").format(table, s, e))
        return summary
