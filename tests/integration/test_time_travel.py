"""Both time axes (CLI.md "Two time axes") through the application, on a real store.

``as_of`` is valid time: corrections (retractions, dispute decisions) apply whatever the date.
``known_at`` is system time: only what the ledger held at that moment, corrections and rulesets
included. Event timestamps are the real UTC clock, so each test captures a moment between two
recordings (record, sleep, take the moment, sleep, record the next).

Item 2.1 (知识库信息滞后) has 3 points and deducts 0.10 per occurrence under the built-in ruleset.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.domain.errors import LedgerError
from ledger.rulesets.loading import builtin_text
from projections.documents import score_document
from projections.reading import open_reading
from tests.conftest import items_of, unit_of

YEAR_END = date(2025, 12, 31)
BUILTIN_21 = 'code = "2.1"\nname = "知识库信息滞后"\nsection = "2"\nkind = "per_occurrence"\nmax = 3\namount = 0.1\n'


def _moment() -> datetime:
    """A moment strictly between the recording before and the one after."""
    time.sleep(0.05)
    moment = datetime.now(UTC)
    time.sleep(0.05)
    return moment


def _item(ledger: Any, code: str, as_of: date = YEAR_END, known_at: datetime | None = None) -> dict[str, Any]:
    reading = open_reading(ledger, 2025, as_of, known_at)
    return items_of(unit_of(score_document(reading, reading.scores()), "taishan"))[code]


def _disputed_occurrence(ledger: Any) -> tuple[str, str]:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    occ = ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单TA-1", count=2,
                                   actor="centre")
    did = ledger.open_dispute(event_id=occ, reason="已按时更新", evidence="截图", actor="taishan-clerk")
    return occ, did


def test_an_accepted_dispute_restores_the_points_whatever_the_as_of_date(ledger: Any) -> None:
    _, did = _disputed_occurrence(ledger)
    assert _item(ledger, "2.1")["points"] == "2.80"  # 3.00 − 2 × 0.10 while the dispute is open

    ledger.decide_dispute(dispute_id=did, decision="accept", reason="核实属实", actor="centre-head")

    assert _item(ledger, "2.1")["points"] == "3.00"  # 3.00 − 0 × 0.10
    # The decision was recorded today, long after 2025-06-30, yet the deduction was wrong from the start.
    assert _item(ledger, "2.1", as_of=date(2025, 6, 30))["points"] == "3.00"


def test_known_at_before_the_decision_shows_the_old_score(ledger: Any) -> None:
    occ, did = _disputed_occurrence(ledger)
    before_decision = _moment()
    ledger.decide_dispute(dispute_id=did, decision="accept", reason="核实属实", actor="centre-head")
    after_decision = _moment()

    then = _item(ledger, "2.1", known_at=before_decision)
    now = _item(ledger, "2.1", known_at=after_decision)

    assert (then["points"], then["events"]) == ("2.80", [occ])  # 3.00 − 2 × 0.10, as the ledger said then
    assert (now["points"], now["events"]) == ("3.00", [])  # 3.00 − 0 × 0.10
    assert _item(ledger, "2.1", as_of=date(2025, 6, 30), known_at=before_decision)["points"] == "2.80"


def test_known_at_before_an_occurrence_was_recorded_shows_no_deduction(ledger: Any) -> None:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    before_recording = _moment()
    ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单TA-1", count=2,
                             actor="centre")

    assert _item(ledger, "2.1", known_at=before_recording)["points"] == "3.00"  # nothing recorded yet
    assert _item(ledger, "2.1")["points"] == "2.80"  # 3.00 − 2 × 0.10


def test_a_retraction_applies_at_every_as_of_but_not_known_at_before_it(ledger: Any) -> None:
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
    occ = ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单TA-1", count=3,
                                   actor="centre")
    before_retraction = _moment()
    ledger.retract(occ, "录入错误", "centre")

    assert _item(ledger, "2.1", as_of=date(2025, 3, 4))["points"] == "3.00"  # retracted: 3.00 − 0 × 0.10
    assert _item(ledger, "2.1", known_at=before_retraction)["points"] == "2.70"  # 3.00 − 3 × 0.10


def test_an_amended_decision_is_seen_only_from_the_moment_it_was_recorded(ledger: Any) -> None:
    _, did = _disputed_occurrence(ledger)
    before_decision = _moment()
    ledger.decide_dispute(dispute_id=did, decision="amend", count=1, reason="核减为一次", actor="centre-head")

    assert _item(ledger, "2.1", known_at=before_decision)["points"] == "2.80"  # 3.00 − 2 × 0.10
    assert _item(ledger, "2.1", as_of=date(2025, 3, 31))["points"] == "2.90"  # 3.00 − 1 × 0.10


def test_known_at_before_a_ruleset_amendment_scores_with_the_earlier_rules(ledger: Any) -> None:
    text = builtin_text()
    assert BUILTIN_21 in text
    amended = text.replace(BUILTIN_21, BUILTIN_21.replace("amount = 0.1", "amount = 0.2"))
    ledger.adopt_ruleset(2025, text, "built-in:taian", "admin")
    ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 4), evidence="工单TA-1", count=2,
                             actor="centre")
    before_amendment = _moment()

    _, changed = ledger.adopt_ruleset(2025, amended, "taian-amended.toml", "admin")

    assert changed
    assert _item(ledger, "2.1")["points"] == "2.60"  # 3.00 − 2 × 0.20 under the amendment
    assert _item(ledger, "2.1", known_at=before_amendment)["points"] == "2.80"  # 3.00 − 2 × 0.10 before it
    earlier = open_reading(ledger, 2025, YEAR_END, before_amendment)
    later = open_reading(ledger, 2025, YEAR_END)
    assert earlier.ruleset_sha != later.ruleset_sha


def test_known_at_before_any_ruleset_is_refused_naming_the_year(ledger: Any) -> None:
    too_early = datetime.now(UTC)
    time.sleep(0.05)
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")

    with pytest.raises(LedgerError, match="no ruleset for 2025 had been adopted by"):
        open_reading(ledger, 2025, YEAR_END, too_early)
