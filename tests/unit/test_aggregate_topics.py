"""The aggregates live in one module per kind of record, yet every creation event names its aggregate by the topic
the ledger has always stored (``ledger.aggregates:<class>``): old ledgers decode and new events match them."""

from __future__ import annotations

from datetime import date

import pytest
from eventsourcing.utils import get_topic, resolve_topic

from ledger.aggregates import AGGREGATE_TYPES, Occurrence, Seal

NAMES = ["RulesetBook", "Occurrence", "Assessment", "EventsFile", "Dispute", "Notice", "CalendarDay", "CalendarYear",
         "WorkOrderBatch", "ReportSubmission", "Seal", "Account"]


def test_every_aggregate_is_named_by_the_topic_ledgers_have_stored() -> None:
    assert [get_topic(cls) for cls in AGGREGATE_TYPES] == [f"ledger.aggregates:{name}" for name in NAMES]


@pytest.mark.parametrize("name", NAMES)
def test_each_stored_topic_resolves_to_its_aggregate(name: str) -> None:
    cls = resolve_topic(f"ledger.aggregates:{name}")
    assert cls.__name__ == name and cls in AGGREGATE_TYPES and cls.__module__ == "ledger.aggregates"


def test_a_new_creation_event_stores_the_same_topic() -> None:
    occurrence = Occurrence.record(unit="taishan", item="2.1", year=2025, date=date(2025, 3, 1), count=1,
                                   evidence="工单TA1", actor="张三")
    assert occurrence.collect_events()[0].originator_topic == "ledger.aggregates:Occurrence"
    assert get_topic(Seal) != get_topic(Occurrence)
