"""A page of the store's events as the read model's catch-up pulls it (see ``projections.view``): its size, and the
checks it passes before any of it is applied (its chain links, its types, then each event's decoding).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from events.registry import is_ledger_topic
from ledger.domain.errors import BrokenLink, ForeignEvent, UnreadableEvent
from ledger.storage.chain import ChainBrokenError, canonical_originator_id, linked

#: Notifications pulled at a time, at most: a page of small events (occurrences) costs one query, and one of
#: its chain rows (on PostgreSQL each a round trip: 100,000 occurrences made 1,000 of them at 200 a page).
PAGE = 1000
#: Stored bytes a page aims at: a work-order chunk event carries thousands of facts (~0.6 MB), so a page of
#: them is cut to a dozen or so (the database client may hold a page twice: its own buffer and Python's bytes).
PAGE_BYTES = 8 * 2**20

class StoredRow(NamedTuple):
    """One stored event as the chain's page reads return it (``ChainedRecorder.event_rows``): the originator id
    in the chain's canonical text (the uuid's hex)."""

    id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes

    def notification(self) -> Notification:
        """The library's notification of this row, for the mapper to decode."""
        return Notification(id=self.id, originator_id=UUID(self.originator_id),
                            originator_version=self.originator_version, topic=self.topic, state=bytes(self.state))


def page_limit(page: Sequence[Any]) -> int:
    """How many notifications to pull next, after ``page``: PAGE, or fewer if its events were large (PAGE_BYTES)."""
    size = sum(len(n.state) for n in page)
    return max(1, min(PAGE, len(page) * PAGE_BYTES // size)) if size else PAGE


def chain_hash_at(app: Application[Any], notification_id: int) -> bytes | None:
    """The chain's stored hash of ``notification_id`` (None: no such chain row)."""
    row = app.recorder.last_chain_row(notification_id + 1)  # type: ignore[attr-defined]
    return row[1] if row and row[0] == notification_id else None


def checked_page(app: Application[Any], start: int | None, hash_: bytes | None, page: Sequence[Any]) -> bytes:
    """Check a page's types and chain links in order; return the chain hash of its last event."""
    foreign = next((i for i, n in enumerate(page) if not is_ledger_topic(n.topic)), None)
    previous = (start, hash_) if start and hash_ is not None else None
    try:
        hash_ = linked(app.recorder, previous, page if foreign is None else page[:foreign])
    except ChainBrokenError as e:
        f = e.failure
        raise BrokenLink(f.notification_id, f.originator_id, f.originator_version, f.reason) from None
    if foreign is not None:
        n = page[foreign]
        raise ForeignEvent(n.id, canonical_originator_id(n.originator_id), n.originator_version,
                           f"its type {n.topic[:120]!r} is not one of the ledger's event types "
                           "(a row the ledger did not write); it was not decoded")
    return hash_


def decode(app: Application[Any], notification: StoredRow) -> Any:
    """The domain event of one stored row; altered bytes become a refusal naming the event, not a traceback."""
    try:
        return app.mapper.to_domain_event(notification.notification())
    except ForeignEvent as e:  # not the ledger's: no hint about keys
        raise e.at(notification.id) from None
    except Exception as e:  # invalid JSON, a failed validation, a damaged cipher text …
        # The chain link was checked before: the bytes are the ones recorded, so a wrong key is likely.
        problem = (f"{_first_line(e)}; if `verify` finds the chain intact, HOTLINE_LEDGER_CIPHER_KEY is wrong "
                   "or missing for this ledger")
        raise UnreadableEvent(notification.id, canonical_originator_id(notification.originator_id), problem,
                              notification.originator_version) from None


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return f"{type(e).__name__}: {text.splitlines()[0]}" if text else type(e).__name__
