"""The ledger's own event types: the only topics a stored row may name.

Reading an event must never import whatever module a stored row names and call it: a row
inserted behind the ledger's back (``logging:basicConfig`` with a file name) would then run
on every reader's machine. So a stored topic is looked up in this table and nowhere else.
A renamed class keeps its old topic here (``OLDER_TOPICS``), so old ledgers still decode.
"""

from __future__ import annotations

from eventsourcing.utils import get_topic

from events.accounts import (
    AccountDisabled,
    AccountEnabled,
    AccountOpened,
    AccountPasswordSet,
    AccountRoleChanged,
    AccountTokenIssued,
    AccountTokensRevoked,
)
from events.base import DomainEvent
from events.deadlines import (
    CalendarRuled,
    CalendarRulingChanged,
    CalendarYearCompleted,
    ExplanationSubmitted,
    NoticeReceived,
    ReportSubmitted,
)
from events.disputes import DisputeDecided, DisputeOpened
from events.occurrences import AssessmentRecorded, EventsFileImported, OccurrenceRecorded, OccurrenceRetracted
from events.rulesets import RulesetAdopted, RulesetAmended
from events.seals import LedgerSealed
from events.workorders import WorkOrderFactsRecorded

EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    RulesetAdopted, RulesetAmended,
    OccurrenceRecorded, OccurrenceRetracted, AssessmentRecorded, EventsFileImported,
    DisputeOpened, DisputeDecided,
    ReportSubmitted, NoticeReceived, ExplanationSubmitted,
    CalendarRuled, CalendarRulingChanged, CalendarYearCompleted,
    WorkOrderFactsRecorded,
    LedgerSealed,
    AccountOpened, AccountRoleChanged, AccountDisabled, AccountEnabled, AccountPasswordSet,
    AccountTokenIssued, AccountTokensRevoked,
)
"""Every event class the ledger writes."""

OLDER_TOPICS: dict[str, type[DomainEvent]] = {}
"""Topics the ledger wrote in earlier releases, and the class that reads them now."""

_BY_TOPIC: dict[str, type[DomainEvent]] = {**{get_topic(c): c for c in EVENT_TYPES}, **OLDER_TOPICS}


class ForeignTopic(ValueError):
    """A stored topic that names none of the ledger's event types."""


def event_class(topic: str) -> type[DomainEvent]:
    """The event class for a stored topic; ``ForeignTopic`` for anything else (nothing is imported)."""
    try:
        return _BY_TOPIC[topic]
    except KeyError:
        raise ForeignTopic(f"its type {topic[:120]!r} is not one of the ledger's event types "
                           "(a row the ledger did not write); it was not decoded") from None


def is_ledger_topic(topic: str) -> bool:
    """Whether ``topic`` names one of the ledger's event types."""
    return topic in _BY_TOPIC
