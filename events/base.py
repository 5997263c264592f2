"""The base of every domain event: an immutable, validated, past-tense fact.

Events are frozen pydantic models (validated on the way in and when read back) that
eventsourcing's aggregates can be mutated with. They live outside the aggregate classes so
their stored topics (``events.occurrences:OccurrenceRecorded``) never change when the write
side is refactored.

Versions (eventsourcing's convention): an event class whose shape changed has ``class_version``
N > 1, and static methods ``upcast_v1_v2`` … ``upcast_v{N-1}_vN`` that each turn a stored state
of one version into the next, in place. The mapper (ledger/storage/store.py) writes ``class_version``
into the stored state of a class at N > 1, and on reading runs the upcasters from the stored
version (1 when absent) up to the class's. The stored bytes are never rewritten: the chain and
the Merkle tree go on committing to what was written.

Every event written before versions were marked (until 2026-12-02) is stored without one, so it
reads as version 1 whatever shape it was written in; the upcasters from version 1 therefore only
fill a field the state lacks (``setdefault``) and never replace one it has.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import CanInitAggregate, CanMutateAggregate, datetime_now_with_tzinfo
from pydantic import BaseModel, ConfigDict, Field


class DomainEvent(BaseModel):
    """Identity and time common to every event.

    Attributes:
        originator_id: the aggregate the event belongs to.
        originator_version: its position in that aggregate's sequence (from 1).
        timestamp: when the ledger recorded it (UTC): the system-time axis of ``--known-at``.
    """

    # defer_build: a command builds the validators of only the event types it actually touches.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    #: The shape's version (see the module's docstring); 1 until a field is added or changed.
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: datetime = Field(default_factory=datetime_now_with_tzinfo)


class LedgerEvent(DomainEvent, CanMutateAggregate[UUID]):
    """An event that changes an existing aggregate.

    Attributes:
        recorded_by: the actor (``--actor``) who recorded it, as declared.
        authenticated_as: who the store (or the web service) authenticated when it was written:
            PostgreSQL's ``session_user``, the OS account on SQLite, the account's login behind the
            service. Stamped by the mapper as the event is stored (ledger/storage/identity.py), whatever a
            caller passed; None only in events recorded before the ledger kept it (version 1).
    """

    #: 2: ``authenticated_as`` added (2026-12-02).
    class_version: ClassVar[int] = 2

    recorded_by: str
    authenticated_as: str | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Written before the ledger kept who was authenticated: nobody is known."""
        state.setdefault("authenticated_as", None)

    def apply(self, aggregate: Any) -> None:
        # The aggregate decides how each fact changes it (its ``when`` dispatch).
        aggregate.when(self)


class LedgerCreated(LedgerEvent, CanInitAggregate[UUID]):
    """An event that starts a new aggregate."""

    originator_topic: str


class Attachment(BaseModel):
    """A file kept in the content-addressed evidence store.

    Attributes:
        name: the file name the user gave (display only; never used as a path).
        sha256: hex digest of the content; the stored file's name.
        size: bytes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    sha256: str
    size: int
