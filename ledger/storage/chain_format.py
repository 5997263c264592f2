"""The hash chain's format: what is hashed for each event, how the hashes link, and what a check reports.

See ``ledger.storage.chain`` for the chain as a whole: this module holds the arithmetic that every recorder
(SQLite, PostgreSQL, in memory) uses to link new events and that every check recomputes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from uuid import UUID

from eventsourcing.persistence import ProgrammingError

GENESIS = "0" * 64
"""The hex hash that the first event links to."""

EDITED = "stored bytes differ from the chain (edited?)"
NO_CHAIN = "no chain entry (inserted outside the ledger?)"
ORPHAN = "chain entry without an event (deleted?)"
REORDERED = "order differs (reordered?)"
FOREIGN = "its type is not one of the ledger's event types (a row the ledger did not write)"
UNLINKED = "does not link to the previous chain entry (an earlier event deleted, or the chain altered?)"

GENESIS_BYTES = bytes(32)
"""The raw hash that the first event links to (``GENESIS`` as bytes)."""


class ChainEntry(NamedTuple):
    """One verified event, as the export writes it; ``hash`` is hex."""

    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes
    hash: str


class ChainFailure(NamedTuple):
    """The first event (or orphan chain row) that fails, and why.

    The originator is ``None`` when there is no event to name (a chain row whose event is gone, or a
    sealed head that is missing altogether).
    """

    notification_id: int
    originator_id: str | None
    originator_version: int | None
    reason: str

    def __str__(self) -> str:
        who = "" if self.originator_id is None else f" ({self.originator_id} v{self.originator_version})"
        return f"event #{self.notification_id}{who}: {self.reason}"


class ChainReport(NamedTuple):
    """The outcome of ``verify_chain``.

    ``count`` is the number of events verified before any failure, and ``head`` the hex hash of the
    last of them (``GENESIS`` when there are none).
    """

    ok: bool
    count: int
    head: str
    failure: ChainFailure | None


class ChainBrokenError(Exception):
    """The chain is broken at ``failure``.

    Raised by ``iter_chain`` at the first entry that fails, and by a save that cannot be chained
    (nothing is written then).
    """

    def __init__(self, failure: ChainFailure) -> None:
        super().__init__(str(failure))
        self.failure = failure


def event_digest(originator_id: str, originator_version: int, topic: str, state: bytes) -> bytes:
    """Return the sha256 of one event's canonical bytes (the notification id is not included)."""
    h = hashlib.sha256()
    for field in (originator_id.encode(), str(originator_version).encode(), topic.encode(), bytes(state)):
        h.update(len(field).to_bytes(8, "big"))
        h.update(field)
    return h.digest()


def canonical_originator_id(originator_id: UUID | str) -> str:
    """An originator id as the chain hashes it: the uuid's hex, as the library writes it to SQLite."""
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


def chain_link(previous: bytes, notification_id: int, digest: bytes) -> bytes:
    """Return the chain hash of an event, given the previous event's hash (raw bytes)."""
    return hashlib.sha256(previous + notification_id.to_bytes(8, "big", signed=True) + digest).digest()


def link_rows(
    head: tuple[int, bytes] | None, ids: Sequence[int] | None, events: Sequence[tuple[str, int, str, bytes]]
) -> list[tuple[int, bytes, bytes]]:
    """Chain new events onto ``head``, refusing ids that do not come after it."""
    if ids is None or len(ids) != len(events):
        msg = f"expected {len(events)} notification ids from the insert, got {ids!r}"
        raise ProgrammingError(msg)
    last_id, previous = head if head is not None else (0, GENESIS_BYTES)
    for notification_id, (originator_id, version, _topic, _state) in zip(ids, events, strict=True):
        if notification_id <= last_id:
            # Only if the last events were deleted behind the ledger's back and SQLite reuses their
            # rowids. Not an IntegrityError, which callers may take for an idempotent replay.
            reason = f"does not come after chain head #{last_id} (events deleted?); run verify"
            raise ChainBrokenError(ChainFailure(notification_id, originator_id, version, reason))
        last_id = notification_id
    rows = []
    sha256 = hashlib.sha256
    for notification_id, digest in zip(ids, event_digests(events), strict=True):
        # chain_link, inlined: a bulk import links a hundred thousand events here.
        previous = sha256(previous + notification_id.to_bytes(8, "big", signed=True) + digest).digest()
        rows.append((notification_id, digest, previous))
    return rows


def event_digests(events: Iterable[tuple[str, int, str, bytes]]) -> list[bytes]:
    """``event_digest`` of many (originator id, version, topic, state) events, in one tight loop."""
    sha256 = hashlib.sha256
    # A bulk append repeats a few (version, topic) pairs: each one's length-prefixed bytes are made once.
    prefixed: dict[tuple[int, str], bytes] = {}
    hex_len = (32).to_bytes(8, "big")  # a uuid's hex, the usual originator id
    out = []
    for originator_id, version, topic, state in events:
        vt = prefixed.get((version, topic))
        if vt is None:
            v, t = str(version).encode(), topic.encode()
            vt = prefixed[(version, topic)] = len(v).to_bytes(8, "big") + v + len(t).to_bytes(8, "big") + t
        oid, state = originator_id.encode(), bytes(state)
        h = sha256((hex_len if len(oid) == 32 else len(oid).to_bytes(8, "big")) + oid)
        h.update(vt)
        h.update(len(state).to_bytes(8, "big"))
        h.update(state)
        out.append(h.digest())
    return out
