"""``import ledger``: restore an export (projections/export.py) into an empty store, exactly.

Every event keeps its notification id, originator, version, topic and stored bytes, so the
tamper-evidence chain rebuilt here is the very chain of the source: ``verify`` passes and heads
published from the source still match. The file is checked as it is read:

- its form and its chain: each event's hash recomputed and compared with the file's, the ids
  rising, the trailer's counts and head; a fault here stops the reading at once (nothing after it
  can be trusted);
- its meaning: each event decoded through the ledger's own types and re-decided as the write side
  would have decided it (ledger/restore_check.py), every attachment's file present, and the chain
  reaching each head given with ``--seal``. These faults are collected, each named ``FILE:LINE``.

Any fault refuses the whole file: the events go in one transaction, rolled back. On PostgreSQL the
evidence rows are inserted in that same transaction (ledger/evidence_postgres.py); on SQLite the
evidence files, streamed into a staging folder, are moved into the store only after that
transaction has committed (ledger/evidence_staging.py). Memory stays bounded whatever the size of an attachment.

This bypasses the library's insert path (which would assign new ids), so it refuses a store that
holds any event, and on PostgreSQL it takes the same table lock as the library's writers.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any
from uuid import UUID

from ledger.chain_format import chain_link, event_digest
from ledger.chain_sqlite import SQLiteTreeRows
from ledger.encryption import KeyRefused, key_problem
from ledger.errors import LedgerError, RuleViolation
from ledger.event_tree import SALT_SIZE, extend_tree
from ledger.evidence import check_digest
from ledger.restore_check import RestoreCheck
from ledger.translation import _
from projections.export import FORMAT, READABLE_VERSIONS

#: Events inserted per executemany (all of them in one transaction).
BATCH = 1000
#: Problems listed in a refusal; the rest are counted.
SHOWN_PROBLEMS = 50
#: The longest line a version-2 export has any reason to hold (an event, or one evidence chunk, is far
#: smaller); a longer line is refused before it is held in memory. Version 1 put whole files in a line.
MAX_LINE = 32 << 20

# id, originator, version, topic, state, digest, hash, the salt of its Merkle leaf (None: the export has none)
_Row = tuple[int, str, int, str, bytes, bytes, bytes, bytes | None]


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
            restore = _Restore(path, version, RestoreCheck(app.mapper), staging, dict(seals))
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


class _Restore:
    """Reads the lines after the header: yields each event row, then the trailer's summary."""

    def __init__(self, path: str, version: int, check: RestoreCheck, staging: Any,
                 seals: dict[int, str]) -> None:
        self.path, self.version, self.check, self.staging = path, version, check, staging
        self.seals = {int(n): h.lower() for n, h in seals.items()}
        self.problems: list[str] = []
        self.evidence: set[str] = set()

    def rows(self, lines: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[_Row | dict[str, Any]]:
        """Yield each event row as it is checked, then the summary; raise at the end if anything was wrong."""
        previous, last_id, events, files = bytes(32), 0, 0, 0
        for number, obj in lines:
            kind = obj.get("kind")
            where = f"{self.path}:{number}"
            if kind == "event":
                row = self._event(obj, where, previous, last_id)
                if events == 0 and (problem := key_problem(self.check.mapper, row[4],
                                                                 _("the export {where}").format(where=where))):
                    raise KeyRefused(problem)  # restored bytes stay as they are: the key must be the export's own
                self._meaning(number, row)
                if not self.problems:  # after the first problem nothing is written: the rest is only checked
                    yield row
                previous, last_id, events = row[6], row[0], events + 1
            elif kind == "evidence":
                self._evidence(obj, where, lines)
                files += 1
            elif kind == "end":
                if obj.get("events") != events or obj.get("evidence") != files or obj.get("head") != previous.hex():
                    raise RuleViolation(_("{where}: the trailer says {said_events} events and {said_evidence} evidence "
                                          "files, the file holds {events} and {files}; nothing was imported").format(
                        where=where, said_events=obj.get("events"), said_evidence=obj.get("evidence"),
                        events=events, files=files))
                self._finish(last_id)
                yield {"events": events, "evidence": files, "head": previous.hex()}
                return
            else:
                raise RuleViolation(_("{where}: unknown line kind {kind}; nothing was imported").format(where=where,
                                                                                                 kind=repr(kind)))
        raise RuleViolation(_("{path}: the file ends without its trailer (truncated?); nothing was imported").format(
            path=self.path))

    def _event(self, obj: dict[str, Any], where: str, previous: bytes, last_id: int) -> _Row:
        """The event's row, its chain link checked (a fault here stops the reading)."""
        try:
            nid, oid = int(obj["notification_id"]), str(obj["originator_id"])
            version = int(obj["originator_version"])
            topic, state = str(obj["topic"]), base64.b64decode(obj["state"], validate=True)
            claimed = bytes.fromhex(obj["hash"])
            salt = bytes.fromhex(obj["salt"]) if obj.get("salt") is not None else None
            if salt is not None and len(salt) != SALT_SIZE:
                raise ValueError(_("its leaf salt is {size} bytes, not {expected}").format(size=len(salt),
                                                                                           expected=SALT_SIZE))
        except (KeyError, TypeError, ValueError, binascii.Error) as e:
            raise RuleViolation(_("{where}: a malformed event ({kind}: {error}); nothing was imported").format(
                where=where, kind=type(e).__name__, error=e)) from None
        if nid <= last_id:
            raise RuleViolation(_("{where}: event #{nid} does not come after #{last}; nothing was imported").format(
                where=where, nid=nid, last=last_id))
        if nid >= 2**63 or not 0 < version < 2**63:
            raise RuleViolation(_("{where}: event #{nid} version {version}: out of the store's range; "
                                  "nothing was imported").format(where=where, nid=nid, version=version))
        digest = event_digest(oid, version, topic, state)
        link = chain_link(previous, nid, digest)
        if link != claimed:
            raise RuleViolation(_("{where}: event #{nid} does not match its chain hash (the file was altered?); "
                                  "nothing was imported").format(where=where, nid=nid))
        return nid, oid, version, topic, state, digest, link, salt

    def _meaning(self, number: int, row: _Row) -> None:
        nid, oid, version, topic, state, _digest, link, _salt = row
        where = f"{self.path}:{number}"
        try:
            self.check.check(number, nid, oid, version, topic, state, link.hex())
        except LedgerError as e:
            self.problems.append(f"{where}: {e}")
        sealed = self.seals.pop(nid, None)
        if sealed is not None and sealed != link.hex():
            self.problems.append(_("{where}: event #{nid}'s chain hash is {link}, not the published head "
                                   "{sealed} given with --seal (the file is not the sealed ledger)").format(
                where=where, nid=nid, link=link.hex(), sealed=sealed))

    def _evidence(self, obj: dict[str, Any], where: str, lines: Iterator[tuple[int, dict[str, Any]]]) -> None:
        """Stream one evidence file into the staging folder: inline (version 1) or from its chunk lines."""
        try:
            sha, size = str(obj["sha256"]), int(obj["size"])
            check_digest(sha)
            if "content" in obj:
                blocks: Iterable[bytes] = [base64.b64decode(obj["content"], validate=True)]
            else:
                blocks = self._chunks(int(obj["chunks"]), where, lines)
            name = obj.get("name")
            if name is not None and (not isinstance(name, str) or len(name) > 1000):
                raise ValueError(_("its name is not a short text"))
            problem = self.staging.receive(sha, size, blocks, name or "")
        except (KeyError, TypeError, ValueError, binascii.Error) as e:
            raise RuleViolation(_("{where}: a malformed evidence file ({kind}: {error}); nothing was imported").format(
                where=where, kind=type(e).__name__, error=e)) from None
        if problem:
            self.problems.append(f"{where}: {problem}")
        self.evidence.add(sha)

    def _chunks(self, count: int, where: str, lines: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[bytes]:
        for _chunk in range(count):
            number, obj = next(lines, (0, {}))
            if obj.get("kind") != "chunk" or not isinstance(obj.get("data"), str):
                raise RuleViolation(_("{path}:{number}: the evidence file of {where} lacks one of its {count} chunk "
                                      "lines; nothing was imported").format(path=self.path, number=number or "end",
                                                                            where=where, count=count))
            yield base64.b64decode(obj["data"], validate=True)

    def _finish(self, last_id: int) -> None:
        """Add what only the whole file shows, then refuse it if anything was wrong."""
        for sha, number in self.check.attachments.items():
            if sha not in self.evidence:
                self.problems.append(_("{path}:{number}: its attachment {sha} is not among the file's "
                                       "evidence files").format(path=self.path, number=number, sha=sha))
        for nid, head in sorted(self.seals.items()):
            self.problems.append(_("{path}: no event #{nid} in the file (its last is #{last}): it does "
                                   "not reach the published head {nid}:{head} given with --seal").format(
                path=self.path, nid=nid, last=last_id, head=head))
        if self.problems:
            shown = self.problems[:SHOWN_PROBLEMS]
            more = len(self.problems) - len(shown)
            more_line = "\n" + _("… and {more} more").format(more=more) if more else ""
            raise RuleViolation("\n".join(shown) + more_line + "\n"
                                + _("{path}: {count} problem(s); nothing was imported").format(
                                    path=self.path, count=len(self.problems)))


def _salts(batch: list[_Row]) -> dict[int, bytes]:
    return {r[0]: r[7] for r in batch if r[7] is not None}


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


def _write_sqlite(recorder: Any, rows: Iterator[_Row | dict[str, Any]], staging: Any) -> dict[str, Any]:
    e, c = recorder.events_table_name, recorder.chain_table_name
    with recorder.datastore.transaction(commit=True) as cur:
        cur.execute(f"SELECT COUNT(*) FROM {e}")  # re-checked inside the transaction
        if cur.fetchone()[0]:
            raise RuleViolation(_("the store is no longer empty (another writer?); nothing was imported"))
        for batch in _batches(rows):
            if isinstance(batch, dict):
                recorder.index_restored(cur)  # the order index, built from the restored facts (ledger/order_index.py)
                return batch
            cur.executemany(f"INSERT INTO {e} (rowid, originator_id, originator_version, topic, state) "
                            "VALUES (?,?,?,?,?)", [r[:5] for r in batch])
            cur.executemany(f"INSERT INTO {c} (notification_id, digest, hash) VALUES (?,?,?)",
                            [(r[0], r[5], r[6]) for r in batch])
            # The Merkle tree again, with the leaves' own salts: every signed tree head still holds.
            extend_tree(SQLiteTreeRows(recorder, cur), [], recorder.plain_state, _salts(batch))
    raise AssertionError("unreachable: _events ends with the trailer or raises")


def _write_postgres(recorder: Any, rows: Iterator[_Row | dict[str, Any]], staging: Any) -> dict[str, Any]:
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
            from ledger.chain_postgres_rows import PostgresTreeRows

            extend_tree(PostgresTreeRows(recorder, cur), [], recorder.plain_state, _salts(batch))
        if summary.get("events"):
            # Later appends continue after the restored ids.
            table = Literal(f'"{ds.schema}"."{recorder.events_table_name}"')
            cur.execute(SQL("SELECT setval(pg_get_serial_sequence({}, 'notification_id'), "
                            "(SELECT MAX(notification_id) FROM {}.{}))").format(table, s, e))
        recorder.index_restored(cur)  # the order index, built from the restored facts (ledger/order_index.py)
        return summary
