"""``export``: the whole ledger as JSON Lines, the form in which it is backed up and moved between stores.

One JSON object a line, in this order:

- a header ``{"format": "hotline-ledger-export", "version": 1, "exported_at": ISO instant}``;
- one ``{"kind": "event", "notification_id", "originator_id", "originator_version", "topic", "state",
  "hash"}`` per stored event, in global (notification) order. ``state`` is the stored bytes in
  base64, exactly as kept (so an encrypted ledger stays encrypted, and the export needs no key);
  ``originator_id`` is the id's canonical text (uuid hex) and ``hash`` the event's chain hash.
  Keeping the notification ids and the bytes lets an import rebuild the very same chain, so
  hashes and published seals still verify afterwards;
- one ``{"kind": "evidence", "sha256", "size", "chunks": N}`` per file in the evidence store, since
  ``verify`` checks those too, followed by its content in N ``{"kind": "chunk", "data"}`` lines of at
  most ``CHUNK`` bytes each (base64): a file of any size is streamed, never held in memory. (Version 1
  exports put the whole content in the evidence line's ``"content"``; ``import ledger`` reads both.)
- a trailer ``{"kind": "end", "events": N, "evidence": M, "head": hash}``, so a truncated file
  is recognised.

Every event is verified against the chain as it is read: a broken ledger is not exported.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ledger.chain import GENESIS, iter_chain

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
    for entry in iter_chain(app.recorder):
        yield {"kind": "event", "notification_id": entry.notification_id, "originator_id": entry.originator_id,
               "originator_version": entry.originator_version, "topic": entry.topic,
               "state": base64.b64encode(entry.state).decode("ascii"), "hash": entry.hash}
        events, head = events + 1, entry.hash
    files = 0
    for path in _evidence_files(app.evidence.root):
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            yield {"kind": "evidence", "sha256": path.name, "size": size, "chunks": -(-size // CHUNK)}
            for _ in range(-(-size // CHUNK)):
                yield {"kind": "chunk", "data": base64.b64encode(f.read(CHUNK)).decode("ascii")}
        files += 1
    yield {"kind": "end", "events": events, "evidence": files, "head": head}


def write_export(app: Any, out: IO[str]) -> dict[str, Any]:
    """Write the export to ``out``; return the trailer (counts and chain head)."""
    last: dict[str, Any] = {}
    for obj in export_lines(app):
        out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        last = obj
    return last


def _evidence_files(root: Path) -> Iterator[Path]:
    """The kept files (``root/ab/abcdef…``), in digest order; temporary files are skipped."""
    if not root.is_dir():
        return
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and len(p.name) == 2):
        for path in sorted(sub.iterdir()):
            if path.is_file() and len(path.name) == 64 and path.name.startswith(sub.name):
                yield path
