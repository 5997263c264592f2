"""A long-running process keeps each reading's scores per state of the read model (``ledger.usecases.kept_scores``).

Every read after a write must show the write: each step below records something, then reads through
the kept path (``ledger.usecases.reads.score_doc`` / ``trace_doc``) and checks the hand-computed points and that
the document is exactly what a fresh reading computes. Item 2.1 (知识库信息滞后) is per_occurrence,
3 points, 0.10 per occurrence (RUBRIC.md).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import projections.facts
from ledger.rulesets.loading import builtin_text
from ledger.usecases.reads import score_doc, trace_doc
from projections.documents import score_document, trace_document
from projections.reading import open_reading
from tests.conftest import items_of, unit_of

YEAR_END = date(2025, 12, 31)


@pytest.fixture
def gathered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often every fact is gathered afresh (the path a recording of an occurrence avoids)."""
    calls: list[int] = []
    real = projections.facts.gather

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(projections.facts, "gather", counting)
    return calls


def _points(ledger: Any, unit: str, as_of: date = YEAR_END) -> str:
    doc = score_doc(ledger, 2025, as_of=as_of)
    fresh = open_reading(ledger, 2025, as_of)
    assert doc == score_document(fresh, fresh.scores())  # kept or brought forward: what a fresh reading says
    return items_of(unit_of(doc, unit))["2.1"]["points"]


def _record(ledger: Any, unit: str, count: int = 1, on: date = date(2025, 3, 4)) -> str:
    return ledger.record_occurrence(unit=unit, item="2.1", on=on, evidence="工单TA-1", count=count, actor="centre")


def test_each_recording_shows_in_the_next_reading_and_only_its_unit_is_counted_again(
        ledger: Any, gathered: list[int]) -> None:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    first = _record(ledger, "taishan", count=2)
    assert _points(ledger, "taishan") == "2.80"  # 3.00 − 2 × 0.10
    assert len(gathered) == 1  # the first reading gathers everything

    _record(ledger, "daiyue")
    assert (_points(ledger, "daiyue"), _points(ledger, "taishan")) == ("2.90", "2.80")  # 3.00 − 1 × 0.10
    _record(ledger, "daiyue", count=3)
    assert _points(ledger, "daiyue") == "2.60"  # 3.00 − (1 + 3) × 0.10
    ledger.retract(first, reason="录入错误", actor="centre")
    assert _points(ledger, "taishan") == "3.00"  # 3.00 − 0 × 0.10
    assert len(gathered) == 1  # occurrences and a retraction: brought forward, not gathered again

    # A recording dated after the reading's as_of changes nothing in it, and shows in the year-end reading.
    _record(ledger, "xintai", on=date(2025, 11, 20))
    assert _points(ledger, "xintai", as_of=date(2025, 10, 31)) == "3.00"
    assert _points(ledger, "xintai") == "2.90"


def test_a_dispute_decision_makes_the_next_reading_gather_every_fact_again(ledger: Any, gathered: list[int]) -> None:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    occ = _record(ledger, "taishan", count=2)
    assert _points(ledger, "taishan") == "2.80"  # 3.00 − 2 × 0.10
    did = ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")
    ledger.decide_dispute(dispute_id=did, decision="amend", count=1, reason="核减为一次", actor="centre-head")
    assert _points(ledger, "taishan") == "2.90"  # 3.00 − 1 × 0.10
    assert len(gathered) == 2  # a decision is not an occurrence: every fact gathered again


def test_an_assessment_shows_in_the_next_reading(ledger: Any) -> None:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    _record(ledger, "taishan")
    score_doc(ledger, 2025, as_of=YEAR_END)
    ledger.assess(unit="taishan", item="1.1.1", points=Decimal("0.40"), on=date(2025, 6, 30), evidence="考核表",
                  actor="centre")
    doc = score_doc(ledger, 2025, as_of=YEAR_END)
    assert items_of(unit_of(doc, "taishan"))["1.1.1"]["points"] == "0.40"  # as awarded (of 0.50)


def test_a_kept_trace_follows_the_recordings(ledger: Any) -> None:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    first = _record(ledger, "taishan")
    (item,) = trace_doc(ledger, 2025, "taishan", "2.1", as_of=YEAR_END)["items"]
    assert [e["id"] for e in item["events"]] == [first]
    second = _record(ledger, "taishan", on=date(2025, 5, 6))
    (item,) = trace_doc(ledger, 2025, "taishan", "2.1", as_of=YEAR_END)["items"]
    assert ([e["id"] for e in item["events"]], item["points"]) == ([first, second], "2.80")  # 3.00 − 2 × 0.10


def _fresh_trace(ledger: Any, unit: str) -> dict[str, Any]:
    fresh = open_reading(ledger, 2025, YEAR_END)
    return trace_document(fresh, next(s for s in fresh.scores() if s.unit == unit))


def test_a_units_kept_documents_follow_its_rank_when_another_unit_is_recorded_for(ledger: Any) -> None:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    _record(ledger, "taishan")
    ranks = []
    for unit, count in (("daiyue", 2), ("xintai", 1), ("daiyue", 1)):
        before = trace_doc(ledger, 2025, "taishan", as_of=YEAR_END)
        assert before == _fresh_trace(ledger, "taishan")
        _record(ledger, unit, count=count)
        after = trace_doc(ledger, 2025, "taishan", as_of=YEAR_END)
        assert after == _fresh_trace(ledger, "taishan")  # its rank moves with the others' recordings
        assert score_doc(ledger, 2025, "taishan", as_of=YEAR_END)["units"][0]["rank"] == after["rank"]
        ranks.append((before["rank"], after["rank"]))
    # Every other fact is equal (no orders, reports or assessments), so 2.1 alone ranks them: taishan's 2.90
    # is last of eight behind seven 3.00s (8); daiyue's 2.80 goes below it (7); xintai's 2.90 ties it (6, 6, then
    # daiyue 8); daiyue's 2.70 changes nothing for taishan (6: its documents are kept as they were).
    assert ranks == [(8, 7), (7, 6), (6, 6)]


def test_a_traces_costly_orders_are_kept_over_recordings_and_follow_a_screening(ledger: Any) -> None:
    from ledger.usecases.imports.workorder_import import import_workorders

    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    import_workorders(ledger, str(Path(__file__).parents[1] / "data" / "workorders_small.csv"), "tester")

    def unsatisfied() -> list[tuple[str, bool]]:
        (item,) = trace_doc(ledger, 2025, "daiyue", "2.3.2", as_of=YEAR_END)["items"]
        fresh = open_reading(ledger, 2025, YEAR_END)
        expected = trace_document(fresh, next(s for s in fresh.scores() if s.unit == "daiyue"), "2.3.2")
        assert item == expected["items"][0]
        return [(o["order_id"], o["screened_out"]) for o in item["orders"]]

    assert unsatisfied() == [("TA2025040100002", False)]  # the export rates it 不满意
    _record(ledger, "daiyue")
    assert unsatisfied() == [("TA2025040100002", False)]
    did = ledger.open_screening(order_id="TA2025040100002", rate="satisfaction", reason="恶意差评", evidence="录音",
                                actor="daiyue-clerk")
    ledger.decide_dispute(dispute_id=did, decision="accept", reason="核实", actor="centre-head")
    assert unsatisfied() == [("TA2025040100002", True)]  # screened out (甄别): still listed, marked
