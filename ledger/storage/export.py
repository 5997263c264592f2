"""``export``: the whole ledger as JSON Lines, the form in which it is backed up and moved between stores.

One JSON object a line, in this order:

- a header ``{"format": "hotline-ledger-export", "version": 1, "exported_at": ISO instant}``;
- one ``{"kind": "event", "notification_id", "originator_id", "originator_version", "topic", "state",
  "hash"}`` per stored event, in global (notification) order. ``state`` is the stored bytes in
  base64, exactly as kept (so an encrypted ledger stays encrypted, and the export needs no key);
  ``originator_id`` is the id's canonical text (uuid hex) and ``hash`` the event's chain hash.
  Keeping the notification ids and the bytes lets an import rebuild the very same chain, so
  hashes and published seals still verify afterwards;
- one ``{"kind": "evidence", "sha256", "size", "chunks": N}`` (and its original ``"name"``, where the
  store keeps one) per file in the evidence store (files beside an SQLite store, rows in a PostgreSQL
  one: ledger/storage/evidence.py), since ``verify`` checks those too, followed by its content in N
  ``{"kind": "chunk", "data"}`` lines of at most ``CHUNK`` bytes each (base64): a file of any size is
  streamed, never held in memory. (Version 1 exports put the whole content in the evidence line's
  ``"content"``; ``import ledger`` reads both.)
- a trailer ``{"kind": "end", "events": N, "evidence": M, "head": hash}``, so a truncated file
  is recognised.

Every event is verified against the chain as it is read: a broken ledger is not exported.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from ledger.storage.chain import GENESIS, iter_chain
from ledger.storage.evidence import rechunk

FORMAT = "hotline-ledger-export"
VERSION = 2
#: Versions ``import ledger`` reads (1: evidence content inline in one line).
READABLE_VERSIONS = (1, 2)
#: Bytes of evidence per chunk line (a multiple of 3: each line's base64 has no padding but the last).
CHUNK = 3 << 18


def export_lines(app: Any) -> Iterator[dict[str, Any]]:
    """Yield the export's objects in order (header, events, evidence files, trailer)."""
    yield {"format": FORMAT, "version": VERSION, "exported_at": datetime.now(UTC).isoformat()}
    events, head = 0, GENESIS
    leaves = _salts(app.recorder)
    leaf = next(leaves, None)
    for entry in iter_chain(app.recorder):
        while leaf is not None and leaf[0] < entry.notification_id:
            leaf = next(leaves, None)
        line = {"kind": "event", "notification_id": entry.notification_id, "originator_id": entry.originator_id,
                "originator_version": entry.originator_version, "topic": entry.topic,
                "state": base64.b64encode(entry.state).decode("ascii"), "hash": entry.hash}
        if leaf is not None and leaf[0] == entry.notification_id:
            line["salt"] = leaf[1].hex()  # its Merkle leaf's: a restored ledger keeps every signed tree head
        yield line
        events, head = events + 1, entry.hash
    files = 0
    for sha, size in app.evidence.iterate():
        count, sent = -(-size // CHUNK), 0
        line = {"kind": "evidence", "sha256": sha, "size": size, "chunks": count}
        if (name := app.evidence.name_of(sha)) is not None:
            line["name"] = name  # kept by a PostgreSQL store; an import there keeps it too
        yield line
        # Re-cut into export chunks as it is read: one stored block and one line at a time in memory.
        for piece in rechunk(app.evidence.open(sha), CHUNK):
            if sent == count:
                break  # the store holds more than its size says: the import's digest check names it
            yield {"kind": "chunk", "data": base64.b64encode(piece).decode("ascii")}
            sent += 1
        for _ in range(count - sent):  # fewer bytes than its size says: likewise, the import names it
            yield {"kind": "chunk", "data": ""}
        files += 1
    yield {"kind": "end", "events": events, "evidence": files, "head": head}


def _salts(recorder: Any) -> Iterator[tuple[int, bytes]]:
    """(notification id, salt) of every Merkle leaf, in order."""
    after = -1
    while True:
        page = recorder.leaf_page(after, 5000)
        for index, nid, salt, _ in page:
            yield nid, salt
            after = index
        if len(page) < 5000:
            return


def write_export(app: Any, out: IO[str]) -> dict[str, Any]:
    """Write the export to ``out``; return the trailer (counts and chain head)."""
    last: dict[str, Any] = {}
    for obj in export_lines(app):
        out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        last = obj
    return last

