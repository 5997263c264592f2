"""The use cases take today from the clock the application is given, never from the machine's; the zone and the
built-in ruleset's source come from the built-in ruleset's own text (ledger/domain/defaults.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ledger.domain.errors import RuleViolation


def noon_of(day: date) -> Any:
    return lambda zone: datetime.combine(day, time(12), zone)


@pytest.fixture
def ledger_on_2025_06_01(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A ledger in memory whose clock says 2025-06-01, the machine's clock left as it is."""
    from ledger.domain.defaults import builtin_source
    from ledger.rulesets.loading import builtin_text
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger

    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "evidence"))
    app = Ledger(parse_store("memory:"), clock=noon_of(date(2025, 6, 1)))
    app.adopt_ruleset(2025, builtin_text(), builtin_source(), "tester")
    yield app
    app.close()


def test_a_record_dated_after_the_given_clock_s_today_is_refused_and_nothing_is_recorded(ledger_on_2025_06_01):
    app = ledger_on_2025_06_01
    before = app.recorder.max_notification_id()
    with pytest.raises(RuleViolation, match="2025-06-02 is still to come .today is 2025-06-01."):
        app.record_occurrence(unit="taishan", item="2.2.1", on=date(2025, 6, 2), evidence="x", actor="tester")
    assert app.recorder.max_notification_id() == before
    app.record_occurrence(unit="taishan", item="2.2.1", on=date(2025, 6, 1), evidence="x", actor="tester")
    assert app.recorder.max_notification_id() == before + 1


def test_notices_explanations_and_dispute_filings_take_today_from_the_given_clock(ledger_on_2025_06_01):
    app = ledger_on_2025_06_01
    with pytest.raises(RuleViolation, match="still to come"):
        app.receive_notice(unit="taishan", notice="DB-9", received=date(2025, 6, 2), evidence="x", actor="tester")
    app.receive_notice(unit="taishan", notice="DB-1", received=date(2025, 5, 20), evidence="x", actor="tester")
    with pytest.raises(RuleViolation, match="still to come"):
        app.explain(notice="DB-1", on=date(2025, 6, 2), evidence="x", actor="tester")
    occ = app.record_occurrence(unit="taishan", item="2.2.1", on=date(2025, 5, 30), evidence="x", actor="tester")
    with pytest.raises(RuleViolation, match="2025-06-02, a date still to come"):
        app.open_dispute(event_id=occ, reason="r", evidence="e", actor="tester", filed_on=date(2025, 6, 2))


def test_the_default_zone_and_the_built_in_source_are_the_built_in_ruleset_s_own() -> None:
    from ledger.domain.defaults import builtin_source, default_zone, default_zone_name
    from ledger.rulesets.loading import BUILTIN, builtin_text, parse_ruleset

    ruleset = parse_ruleset(builtin_text())
    assert default_zone_name() == ruleset.scoring.timezone == "Asia/Shanghai"
    assert default_zone() == ZoneInfo("Asia/Shanghai")
    assert builtin_source() == f"built-in:{ruleset.id}" == f"built-in:{BUILTIN}" == "built-in:taian"
