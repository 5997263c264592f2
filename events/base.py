"""The base of every domain event: an immutable, validated, past-tense fact.

Events are frozen pydantic models (validated on the way in and when read back) that
eventsourcing's aggregates can be mutated with. They live outside the aggregate classes so
their stored topics (``events.occurrences:OccurrenceRecorded``) never change when the write
side is refactored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
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

    originator_id: UUID
    originator_version: int
    timestamp: datetime = Field(default_factory=datetime_now_with_tzinfo)


class LedgerEvent(DomainEvent, CanMutateAggregate[UUID]):
    """An event that changes an existing aggregate.

    Attributes:
        recorded_by: the actor (``--actor``) who recorded it, as declared.
        authenticated_as: who the store (or the web service) authenticated when it was written:
            PostgreSQL's ``session_user``, the OS account on SQLite, the account's login behind the
            service. Stamped by the mapper as the event is stored (ledger/identity.py), whatever a
            caller passed; None only in events recorded before the ledger kept it (an optional field
            with a default, so their stored shape still decodes: no upcaster needed).
    """

    recorded_by: str
    authenticated_as: str | None = None

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
