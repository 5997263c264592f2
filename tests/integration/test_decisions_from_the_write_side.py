"""Decisions come from the aggregates in the event store, never from the read model (issue 12).

The read model is only an index for reading: with it switched off, every decision about a record
named by its whole id — retractable? already disputed? decided already? — is still made, and
made right, from the events themselves.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger.errors import NotFound, RuleViolation
from ledger.rulesets.loading import builtin_text
from projections.view import View


@pytest.fixture
def blind(ledger: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The ledger with a year and one occurrence recorded, and its read model switched off afterwards."""
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    ledger.occ = ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单TA-1",
                                          count=1, actor="centre")
    ledger.assessment = ledger.assess(unit="taishan", item="1.1.1", points=Decimal("0.5"),
                                      on=date(2025, 12, 20), evidence="年终检查", actor="centre")

    def no_reading(*_: Any, **__: Any) -> None:
        raise AssertionError("a decision read the read model")

    monkeypatch.setattr(View, "catch_up", no_reading)
    return ledger


def test_a_second_open_dispute_is_refused_from_the_events_alone(blind: Any) -> None:
    first = blind.open_dispute(event_id=blind.occ, reason="已更新", evidence="截图", actor="unit")

    with pytest.raises(RuleViolation, match=f"already has an open dispute {first}"):
        blind.open_dispute(event_id=blind.occ, reason="再次申诉", evidence="截图", actor="unit")


def test_after_a_decision_the_next_dispute_gets_the_next_number(blind: Any) -> None:
    first = blind.open_dispute(event_id=blind.occ, reason="已更新", evidence="截图", actor="unit")
    blind.decide_dispute(dispute_id=first, decision="reject", reason="不属实", actor="centre")

    second = blind.open_dispute(event_id=blind.occ, reason="补充材料", evidence="录音", actor="unit")

    assert second != first
    with pytest.raises(RuleViolation, match="already decided"):
        blind.decide_dispute(dispute_id=first, decision="accept", reason="改判", actor="centre")


def test_a_retraction_is_decided_from_the_occurrence_itself(blind: Any) -> None:
    blind.retract(blind.occ, "录入错误", "centre")

    with pytest.raises(RuleViolation, match="already retracted"):
        blind.retract(blind.occ, "再次撤回", "centre")
    with pytest.raises(RuleViolation, match="is retracted: there is nothing to dispute"):
        blind.open_dispute(event_id=blind.occ, reason="x", evidence="y", actor="unit")


def test_an_assessment_named_by_its_whole_id_is_not_disputed(blind: Any) -> None:
    with pytest.raises(RuleViolation, match="assessments are not disputed"):
        blind.open_dispute(event_id=blind.assessment, reason="x", evidence="y", actor="unit")


def test_an_id_of_another_kind_of_record_is_not_retracted(blind: Any) -> None:
    did = blind.open_dispute(event_id=blind.occ, reason="已更新", evidence="截图", actor="unit")

    with pytest.raises(NotFound, match="another kind"):
        blind.retract(did, "撤回", "centre")
    with pytest.raises(NotFound, match="no occurrence with id"):
        blind.retract("00000000-0000-0000-0000-000000000001", "撤回", "centre")


@pytest.mark.parametrize("given", ["%%%%%%%%", "________", "%", "zzzzzzzz"])
def test_an_id_is_never_a_wildcard(ledger: Any, given: str) -> None:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单TA-1", count=1,
                             actor="centre")

    with pytest.raises(NotFound):
        ledger.retract(given, "撤回", "centre")
