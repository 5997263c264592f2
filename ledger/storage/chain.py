"""Tamper evidence: a hash chain over the stored events in their global order.

Every event insert also appends, in the same transaction, one row per event to a side table
``<events table>_chain(notification_id, digest, hash)``::

    digest_n = sha256(len ‖ originator_id ‖ len ‖ originator_version ‖ len ‖ topic ‖ len ‖ state)
    hash_n   = sha256(hash_prev ‖ notification_id_n ‖ digest_n)

Each ``len`` is an 8-byte big-endian length prefix and ``notification_id`` an 8-byte big-endian
signed integer. The version is its decimal text, and the originator id is the text the library
writes to SQLite (``uuid.hex`` for UUID ids). ``hash_prev`` is the previous event's hash in
notification order, or 32 zero bytes (``GENESIS``) for the first. The chain follows the actual
order, so Postgres id gaps need no special case. The stored, possibly encrypted, bytes are
hashed, so ``verify_chain`` never decodes an event.

The writers are serialised by SQLite's write lock, or on Postgres by the library's ``LOCK TABLE …
IN EXCLUSIVE MODE``. Each writer reads the previous hash under that lock, so writers in several
processes still build a single chain. An application opts in with ``chain_env``.

This module checks the chain (``verify_chain``, ``iter_chain``, ``linked``). Beside it:
``chain_format`` (the hashes and the reports), ``chain_recorder`` (what a backend provides),
``chain_sql`` (its page reads over SQL) and one recorder per backend (``chain_sqlite``,
``chain_postgres``, ``chain_memory``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from ledger.storage.chain_format import (
    EDITED,
    FOREIGN,
    GENESIS,
    GENESIS_BYTES,
    NO_CHAIN,
    ORPHAN,
    REORDERED,
    UNLINKED,
    ChainBrokenError,
    ChainEntry,
    ChainFailure,
    ChainReport,
    canonical_originator_id,
    chain_link,
    event_digest,
    event_digests,
)
from ledger.storage.chain_recorder import ChainedRecorder

_RECORDER_TOPICS = {
    "eventsourcing.sqlite": "ledger.storage.chain_sqlite:ChainedSQLiteApplicationRecorder",
    # Named, not imported: psycopg costs every SQLite command ~80 ms to import.
    "eventsourcing.postgres": "ledger.storage.chain_postgres:ChainedPostgresApplicationRecorder",
    # The in-memory store's factory builds its chained recorder itself (the library's ignores the topic).
    "ledger.storage.chain_memory:ChainedPOPOFactory": "ledger.storage.chain_memory:ChainedPOPOApplicationRecorder",
}


def chain_env(persistence_module: str) -> dict[str, str]:
    """Return the env entries that make an Application record through a chained recorder.

    Merge them into the Application's ``env=``, e.g.
    ``Ledger(env={"PERSISTENCE_MODULE": m, **chain_env(m), ...})``.
    """
    try:
        return {"APPLICATION_RECORDER_TOPIC": _RECORDER_TOPICS[persistence_module]}
    except KeyError:
        msg = f"no chained recorder for {persistence_module!r}; expected one of {sorted(_RECORDER_TOPICS)}"
        raise ValueError(msg) from None


def _chained(recorder: ApplicationRecorder) -> ChainedRecorder:
    if not isinstance(recorder, ChainedRecorder):
        msg = f"{type(recorder).__qualname__} keeps no hash chain: construct the application with chain_env()"
        raise TypeError(msg)
    return recorder


def _pages(fetch: Any, after: int, upto: int, batch: int) -> Iterator[Any]:
    """Yield every row of a keyset-paged query."""
    while True:
        rows = fetch(after, upto, batch)
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1][0]


def _walk(
    recorder: ChainedRecorder, *, start: int | None, batch: int, sealed: dict[int, str],
    accept_topic: Callable[[str], bool] | None = None,
) -> Iterator[ChainEntry | ChainFailure]:
    """Yield each verified entry in order; a failure is yielded last.

    ``accept_topic``, if given, is asked about each event's type first: a refused one is the failure
    (``FOREIGN``), whether or not a chain row was forged for it.
    """
    upto = recorder.chain_bound()
    first = 1 if start is None else start
    before = recorder.last_chain_row(first) if first > 1 else None
    previous = before[1] if before else GENESIS_BYTES
    if upto is not None:
        events = _pages(recorder.event_rows, first - 1, upto, batch)
        chain = _pages(recorder.chain_rows, first - 1, upto, batch)
        event, link = next(events, None), next(chain, None)
        while event is not None or link is not None:
            if (event is None or link is None or event[0] != link[0]
                    or (accept_topic is not None and not accept_topic(event[3]))):
                yield _misplaced(event, link, accept_topic)
                return
            notification_id, originator_id, version, topic, state = event
            try:
                digest = event_digest(originator_id, version, topic, state)
            except (AttributeError, TypeError):  # a column overwritten with NULL or another type
                digest = b""
            current = chain_link(previous, notification_id, digest)
            if current != link[2]:
                yield ChainFailure(notification_id, originator_id, version, _mismatch(recorder, event, digest, link))
                return
            hex_hash = current.hex()
            if sealed.pop(notification_id, hex_hash) != hex_hash:
                reason = f"differs from the sealed head published for #{notification_id}"
                yield ChainFailure(notification_id, originator_id, version, reason)
                return
            yield ChainEntry(notification_id, originator_id, version, topic, bytes(state), hex_hash)
            previous = current
            event, link = next(events, None), next(chain, None)
    for notification_id in sorted(sealed):
        reason = f"differs from the sealed head published for #{notification_id}: no such event (deleted?)"
        yield ChainFailure(notification_id, None, None, reason)
        return


def _misplaced(event: Any, link: Any, accept_topic: Callable[[str], bool] | None) -> ChainFailure:
    """The failure of an event of a foreign type, or of an event and a chain row that are not for the same
    position (one of them missing), in that order of precedence."""
    if event is not None and accept_topic is not None and not accept_topic(event[3]):
        return ChainFailure(event[0], event[1], event[2], f"{FOREIGN}: {str(event[3])[:120]!r}")
    if link is None or (event is not None and event[0] < link[0]):
        return ChainFailure(event[0], event[1], event[2], NO_CHAIN)
    return ChainFailure(link[0], None, None, ORPHAN)


def _mismatch(recorder: ChainedRecorder, event: Any, digest: bytes, link: Any) -> str:
    """Why an event's recomputed hash differs from its chain row: the link, its place, or its bytes."""
    if digest == link[1]:
        return UNLINKED
    if [p for p in recorder.positions_of(digest) if p != event[0]]:
        return REORDERED
    return EDITED


def verify_chain(
    recorder: ApplicationRecorder, *, batch: int = 5000, expected: Iterable[tuple[int, str]] = (),
    accept_topic: Callable[[str], bool] | None = None,
) -> ChainReport:
    """Recompute the chain over every stored event and report the first failure.

    ``expected`` holds sealed heads, (notification id, hex hash) pairs published earlier; a
    recomputed hash that differs from one of them reveals a rewrite of the whole chain.
    ``accept_topic`` (e.g. ``events.registry.is_ledger_topic``) names an event of any other type as
    the failure. Events recorded after the verification began are not included.
    """
    sealed = {int(n): h.lower() for n, h in expected}
    count, head_hash = 0, GENESIS
    for item in _walk(_chained(recorder), start=None, batch=batch, sealed=sealed, accept_topic=accept_topic):
        if isinstance(item, ChainFailure):
            return ChainReport(ok=False, count=count, head=head_hash, failure=item)
        count, head_hash = count + 1, item.hash
    return ChainReport(ok=True, count=count, head=head_hash, failure=None)


def head(recorder: ApplicationRecorder) -> tuple[int, str] | None:
    """Return the stored chain head (last notification id, hex hash), or None if empty.

    This is what a seal publishes; it is read, not verified.
    """
    row = _chained(recorder).last_chain_row()
    return (row[0], bytes(row[1]).hex()) if row else None


def iter_chain(recorder: ApplicationRecorder, start: int | None = None, *, batch: int = 5000
               ) -> Iterator[ChainEntry]:
    """Yield events with notification id >= ``start`` in order, each with its hash.

    Every entry is checked as it goes, linking from the stored hash before ``start``;
    raises ``ChainBrokenError`` at the first that fails.
    """
    for item in _walk(_chained(recorder), start=start, batch=batch, sealed={}):
        if isinstance(item, ChainFailure):
            raise ChainBrokenError(item)
        yield item


def linked(recorder: ApplicationRecorder, previous: tuple[int, bytes] | None, page: Sequence[Any]) -> bytes:
    """Check a page of notifications against the chain, linking on from ``previous``; return the last hash.

    ``previous`` is the (notification id, hash) a reader has already checked up to (None: from the
    first event, linking from ``GENESIS``), and ``page`` the notifications that follow it, in order
    (objects with ``id``, ``originator_id``, ``originator_version``, ``topic`` and ``state``, as
    ``select_notifications`` returns them). Each one's digest is recomputed from its stored bytes and
    linked as the writer linked it; the first that differs from its chain row, or has none, or a chain
    row without an event before it, raises ``ChainBrokenError`` naming it. Nothing is decoded. One
    query of chain rows per page: a reader pays two SHA-256 per event, not a walk of the whole chain.
    """
    chained = _chained(recorder)
    after, hash_ = previous if previous is not None else (0, GENESIS_BYTES)
    if not page:
        return hash_
    links = chained.chain_rows(after, page[-1].id, len(page) + 1)
    # Rows as ``event_rows`` reads them carry the canonical text already; a notification carries a UUID.
    oids = [oid if type(oid) is str else canonical_originator_id(oid) for oid in (n.originator_id for n in page)]
    digests = event_digests([(oid, n.originator_version, n.topic, n.state) for oid, n in zip(oids, page, strict=True)])
    sha256 = hashlib.sha256
    for i, n in enumerate(page):
        oid = oids[i]
        link = links[i] if i < len(links) else None
        if link is None or link[0] > n.id:
            raise ChainBrokenError(ChainFailure(n.id, oid, n.originator_version, NO_CHAIN))
        if link[0] < n.id:
            raise ChainBrokenError(ChainFailure(link[0], None, None, ORPHAN))
        digest = digests[i]
        current = sha256(hash_ + n.id.to_bytes(8, "big", signed=True) + digest).digest()  # chain_link, inlined
        if current != bytes(link[2]):
            reason = UNLINKED if digest == bytes(link[1]) else EDITED
            raise ChainBrokenError(ChainFailure(n.id, oid, n.originator_version, reason))
        hash_ = current
    return hash_
