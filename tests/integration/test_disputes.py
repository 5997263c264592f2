"""Disputes of occurrences through the application, on a real store (SQLite and PostgreSQL).

Item 2.1 (知识库信息滞后) is a per_occurrence item of 3 points, 0.10 per occurrence, so a unit with
one occurrence of count 2 has 3.00 − 2 × 0.10 = 2.80 on it. Every scenario starts there.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger.domain.errors import Conflict, LedgerError, NotFound, RuleViolation
from ledger.rulesets.loading import builtin_text
from projections.documents import score_document, trace_document
from projections.reading import open_reading
from tests.conftest import items_of, unit_of

YEAR_END = date(2025, 12, 31)


def _ledger_with_an_occurrence(ledger: Any) -> str:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    return ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单TA-1", count=2,
                                    actor="centre")


def _points_21(ledger: Any, as_of: date = YEAR_END) -> str:
    reading = open_reading(ledger, 2025, as_of)
    return items_of(unit_of(score_document(reading, reading.scores()), "taishan"))["2.1"]["points"]


def _trace_event(ledger: Any, occurrence: str) -> dict[str, Any]:
    reading = open_reading(ledger, 2025, YEAR_END)
    score = next(s for s in reading.scores() if s.unit == "taishan")
    (item,) = trace_document(reading, score, "2.1")["items"]
    return next(e for e in item["events"] if e["id"] == occurrence)


def _event_count(ledger: Any) -> int:
    return ledger.recorder.max_notification_id() or 0


def test_an_open_dispute_keeps_the_occurrence_counting(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)

    ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")

    assert _points_21(ledger) == "2.80"  # 3.00 − 2 × 0.10, still counting while open
    assert _trace_event(ledger, occ)["state"] == "disputed"


def test_an_accepted_dispute_removes_the_occurrence_from_the_score(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    did = ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")

    ledger.decide_dispute(dispute_id=did, decision="accept", reason="核实属实", actor="centre-head")

    assert _points_21(ledger) == "3.00"  # 3.00 − 0 × 0.10
    event = _trace_event(ledger, occ)
    assert (event["state"], event["effective_count"]) == ("accepted", 0)


def test_a_rejected_dispute_keeps_the_occurrence(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    did = ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")

    ledger.decide_dispute(dispute_id=did, decision="reject", reason="证据不足", actor="centre-head")

    assert _points_21(ledger) == "2.80"  # 3.00 − 2 × 0.10
    assert _trace_event(ledger, occ)["state"] == "rejected"


def test_an_amended_dispute_replaces_the_occurrences_count(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    did = ledger.open_dispute(event_id=occ, reason="只有一次", evidence="截图", actor="taishan-clerk")

    ledger.decide_dispute(dispute_id=did, decision="amend", count=1, reason="核减为一次", actor="centre-head")

    assert _points_21(ledger) == "2.90"  # 3.00 − 1 × 0.10
    event = _trace_event(ledger, occ)
    assert (event["state"], event["count"], event["effective_count"]) == ("amended", 2, 1)


def test_every_step_is_kept_with_its_actor_time_reason_and_decision(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    did = ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")
    ledger.decide_dispute(dispute_id=did, decision="accept", reason="核实属实", actor="centre-head")

    history = _trace_event(ledger, occ)["history"]

    assert [(h["type"], h["by"], h["reason"], h["decision"], h["dispute"]) for h in history] == [
        ("dispute_opened", "taishan-clerk", "已按时更新", None, did),
        ("dispute_decided", "centre-head", "核实属实", "accept", did),
    ]
    assert history[0]["at"] <= history[1]["at"]
    assert all(h["at"].endswith("+08:00") for h in history)  # recording times in the ruleset's zone, Beijing time


def test_a_decided_dispute_cannot_be_decided_again_and_nothing_changes(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    did = ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")
    ledger.decide_dispute(dispute_id=did, decision="accept", reason="核实属实", actor="centre-head")
    before = _event_count(ledger)

    with pytest.raises(RuleViolation, match="already decided"):
        ledger.decide_dispute(dispute_id=did, decision="reject", reason="改判", actor="centre-head")

    assert _event_count(ledger) == before
    assert _points_21(ledger) == "3.00"  # still accepted


def test_a_new_dispute_may_follow_a_decided_one_and_the_history_shows_both(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    first = ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")
    ledger.decide_dispute(dispute_id=first, decision="reject", reason="证据不足", actor="centre-head")

    second = ledger.open_dispute(event_id=occ, reason="补充证据", evidence="系统日志", actor="taishan-clerk")
    ledger.decide_dispute(dispute_id=second, decision="amend", count=1, reason="部分属实", actor="centre-head")

    event = _trace_event(ledger, occ)
    assert [(h["type"], h["dispute"], h["decision"]) for h in event["history"]] == [
        ("dispute_opened", first, None), ("dispute_decided", first, "reject"),
        ("dispute_opened", second, None), ("dispute_decided", second, "amend"),
    ]
    assert event["state"] == "amended"
    assert _points_21(ledger) == "2.90"  # 3.00 − 1 × 0.10


def test_a_second_dispute_while_one_is_open_is_refused(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")
    before = _event_count(ledger)

    with pytest.raises(RuleViolation, match="already has an open dispute"):
        ledger.open_dispute(event_id=occ, reason="再次申诉", evidence="截图", actor="taishan-clerk")

    assert _event_count(ledger) == before


def test_an_occurrence_removed_by_an_accepted_dispute_cannot_be_disputed_again(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    first = ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")
    ledger.decide_dispute(dispute_id=first, decision="accept", reason="核实属实", actor="centre-head")
    before = _event_count(ledger)

    with pytest.raises(Conflict, match=f"removed when dispute {first} was accepted"):
        ledger.open_dispute(event_id=occ, reason="再次申诉", evidence="截图", actor="taishan-clerk")

    assert _event_count(ledger) == before
    assert _points_21(ledger) == "3.00"  # still removed: 3.00 − 0 × 0.10


def test_the_dispute_use_case_says_which_occurrences_it_would_take_a_dispute_of_and_writes_nothing(
        ledger: Any) -> None:
    effective = _ledger_with_an_occurrence(ledger)
    opened, accepted, rejected, retracted = (
        ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, d), evidence=f"工单{d}", actor="centre")
        for d in (5, 6, 7, 8))
    ledger.open_dispute(event_id=opened, reason="理由", evidence="e", actor="t")
    for target, decision in ((accepted, "accept"), (rejected, "reject")):
        did = ledger.open_dispute(event_id=target, reason="理由", evidence="e", actor="t")
        ledger.decide_dispute(dispute_id=did, decision=decision, reason="核实", actor="centre-head")
    ledger.retract(retracted, "录入错误", "centre")
    before = _event_count(ledger)

    refusals = ledger.dispute_refusals([effective, opened, accepted, rejected, retracted])

    assert refusals[effective] is None and refusals[rejected] is None
    assert "already has an open dispute" in refusals[opened]
    assert "was accepted" in refusals[accepted]
    assert "retracted" in refusals[retracted]
    assert _event_count(ledger) == before


def test_the_answers_kept_for_a_page_follow_every_new_event(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    assert ledger.dispute_refusals([occ]) == {occ: None}
    assert ledger.dispute_refusals([occ]) == {occ: None}  # asked again: the kept answer
    did = ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")
    assert ledger.dispute_refusals([occ]) == {occ: f"occurrence {occ} already has an open dispute {did}"}
    ledger.decide_dispute(dispute_id=did, decision="reject", reason="证据不足", actor="centre-head")
    assert ledger.dispute_refusals([occ]) == {occ: None}  # rejected: a new dispute may follow


def test_disputing_a_retracted_occurrence_is_refused_and_writes_nothing(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    ledger.retract(occ, "录入错误", "centre")
    before = _event_count(ledger)

    with pytest.raises(RuleViolation, match="retracted"):
        ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")

    assert _event_count(ledger) == before
    assert _points_21(ledger) == "3.00"  # retracted: 3.00 − 0 × 0.10


def test_deciding_an_unknown_dispute_is_refused_and_writes_nothing(ledger: Any) -> None:
    _ledger_with_an_occurrence(ledger)
    before = _event_count(ledger)

    with pytest.raises(NotFound, match="no dispute"):
        ledger.decide_dispute(dispute_id="0123456789abcdef", decision="accept", reason="核实", actor="centre-head")

    assert _event_count(ledger) == before


@pytest.mark.parametrize("count", [0, -1])
def test_amending_to_a_non_positive_count_is_refused_and_writes_nothing(ledger: Any, count: int) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    did = ledger.open_dispute(event_id=occ, reason="只有一次", evidence="截图", actor="taishan-clerk")
    before = _event_count(ledger)

    with pytest.raises(RuleViolation, match="positive integer"):
        ledger.decide_dispute(dispute_id=did, decision="amend", count=count, reason="核减", actor="centre-head")

    assert _event_count(ledger) == before
    assert _trace_event(ledger, occ)["state"] == "disputed"
    assert _points_21(ledger) == "2.80"  # 3.00 − 2 × 0.10, unchanged


def test_an_assessment_cannot_be_disputed_a_re_assessment_replaces_it(ledger: Any) -> None:
    _ledger_with_an_occurrence(ledger)
    assessment = ledger.assess(unit="taishan", item="1.3", points=Decimal("0.5"),
                               on=date(2025, 12, 1), evidence="考核表", actor="assessor")
    before = _event_count(ledger)

    with pytest.raises(RuleViolation, match="assessments are not disputed.*re-assessment"):
        ledger.open_dispute(event_id=assessment, reason="不服", evidence="说明", actor="taishan-clerk")

    assert _event_count(ledger) == before


def test_an_id_that_names_nothing_is_refused_as_unknown(ledger: Any) -> None:
    _ledger_with_an_occurrence(ledger)
    before = _event_count(ledger)

    with pytest.raises(LedgerError, match="no occurrence"):
        ledger.open_dispute(event_id="ffffffffffff", reason="不服", evidence="说明", actor="taishan-clerk")

    assert _event_count(ledger) == before


def test_decisions_survive_a_rebuild_of_the_read_model(ledger: Any) -> None:
    occ = _ledger_with_an_occurrence(ledger)
    did = ledger.open_dispute(event_id=occ, reason="只有一次", evidence="截图", actor="taishan-clerk")
    ledger.decide_dispute(dispute_id=did, decision="amend", count=1, reason="核减为一次", actor="centre-head")

    ledger.view.reset()

    assert _points_21(ledger) == "2.90"  # replayed from the log: 3.00 − 1 × 0.10
    assert _trace_event(ledger, occ)["state"] == "amended"
