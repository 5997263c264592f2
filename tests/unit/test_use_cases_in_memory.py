"""The use cases against the in-memory store: the same application, no database, milliseconds.

Item 2.1 (知识库信息滞后) deducts 0.10 per occurrence from its 3 points (RUBRIC.md), so two
occurrences of count 1 and 2 leave 3.00 − 3 × 0.10 = 2.70.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.domain.errors import RuleViolation, UnknownUnit
from ledger.rulesets.loading import builtin_text
from ledger.storage.chain import verify_chain
from projections.documents import score_document
from projections.reading import open_reading
from tests.conftest import items_of, unit_of


def _points(ledger: Any, item: str) -> str:
    reading = open_reading(ledger, 2025, date(2025, 12, 31))
    return items_of(unit_of(score_document(reading, reading.scores()), "taishan"))[item]["points"]


@pytest.fixture
def year(memory_ledger: Any) -> Any:
    memory_ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    return memory_ledger


def _record(ledger: Any, count: int) -> str:
    return ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单", count=count,
                                    actor="centre")


def test_occurrences_deduct_their_counts(year: Any) -> None:
    _record(year, 1)
    _record(year, 2)

    assert _points(year, "2.1") == "2.70"


def test_a_retracted_occurrence_no_longer_counts_and_cannot_be_retracted_twice(year: Any) -> None:
    kept, withdrawn = _record(year, 1), _record(year, 2)

    year.retract(withdrawn, "录入错误", "centre")

    assert kept != withdrawn
    assert _points(year, "2.1") == "2.90"
    with pytest.raises(RuleViolation, match="already retracted"):
        year.retract(withdrawn, "again", "centre")


def test_an_amended_dispute_replaces_the_count(year: Any) -> None:
    occ = _record(year, 3)
    did = year.open_dispute(event_id=occ, reason="只有一次", evidence="录音", actor="unit")

    year.decide_dispute(dispute_id=did, decision="amend", count=1, reason="核实为一次", actor="centre")

    assert _points(year, "2.1") == "2.90"


def test_an_unknown_unit_is_refused_and_nothing_is_recorded(year: Any) -> None:
    before = year.recorder.max_notification_id()

    with pytest.raises(UnknownUnit):
        year.record_occurrence(unit="nowhere", item="2.1", on=date(2025, 3, 4), evidence="x", count=1, actor="c")

    assert year.recorder.max_notification_id() == before


def test_the_memory_store_keeps_the_same_chain(year: Any) -> None:
    _record(year, 1)

    report = verify_chain(year.recorder)

    assert report.ok and report.count == 2
