"""Two clerks open a dispute of the same target at the same instant: the store lets only one through.

Both pass the read model's "already has an open dispute" check before either has saved; the
dispute's id is derived from its target and the number of disputes the target already has, so
both compute the same id and the second save is refused. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger.domain.errors import RuleViolation
from ledger.rulesets.loading import builtin_text
from ledger.usecases.application import Ledger
from ledger.usecases.imports.workorder_import import import_workorders


def _rival_saves_first(monkeypatch: pytest.MonkeyPatch, app: Ledger, rival: Callable[[], str]) -> list[str]:
    """Run ``rival()`` once, just before ``app``'s next save: ``app`` has passed every check by then.

    Returns a list that holds the rival's result once it has run.
    """
    real_save = app.save
    done: list[str] = []

    def save(*aggregates: Any, **kwargs: Any) -> Any:
        if not done:
            done.append(rival())
        return real_save(*aggregates, **kwargs)

    monkeypatch.setattr(app, "save", save)
    return done


def _count(app: Ledger, sql: str, *params: Any) -> int:
    return int(app.refresh().db.execute(sql, params).fetchone()[0])


def _export(path: Path) -> str:
    """One work order of taishan, completed in April 2025 and rated 不满意."""
    header = ["工单编号", "承办单位", "派单时间", "办结时限", "办结时间", "是否需回复", "是否已回复", "满意度",
              "是否计入统计"]
    row = ["TS-bad-1", "taishan", "2025-04-01 09:00:00", "2025-04-08 09:00:00", "2025-04-03 10:00:00", "是", "是",
           "不满意", "是"]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, row])
    return str(path)


@pytest.fixture
def rival(ledger: Ledger) -> Any:
    """A second Ledger on the same store and read model, as another clerk's terminal."""
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
    other = Ledger(ledger.location)
    yield other
    other.close()


class TestConcurrentOpens:
    def test_two_disputes_of_one_occurrence_opened_at_once_let_only_the_first_through(self, ledger, rival,
                                                                                        monkeypatch):
        occ = ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 1), evidence="e", actor="a")
        theirs = _rival_saves_first(monkeypatch, ledger, lambda: rival.open_dispute(
            event_id=occ, reason="他们的理由", evidence="e", actor="clerk-b"))
        before = ledger.recorder.max_notification_id()

        with pytest.raises(RuleViolation, match="already has an open dispute") as refused:
            ledger.open_dispute(event_id=occ, reason="我的理由", evidence="e", actor="clerk-a")

        # the refusal names the dispute that got through
        assert str(refused.value) == f"occurrence {occ} already has an open dispute {theirs[0]}"
        # nothing of the loser's was written: 1 event (the rival's) after the occurrence
        assert ledger.recorder.max_notification_id() == before + 1
        assert _count(ledger, "SELECT COUNT(*) FROM log WHERE type='DisputeOpened'") == 1
        rows = ledger.refresh().db.execute("SELECT id, reason FROM disputes WHERE target=?", (occ,)).fetchall()
        assert [tuple(r) for r in rows] == [(theirs[0], "他们的理由")]

    def test_after_the_race_is_decided_the_occurrence_may_be_disputed_again(self, ledger, rival, monkeypatch):
        occ = ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 1), evidence="e", actor="a")
        theirs = _rival_saves_first(monkeypatch, ledger, lambda: rival.open_dispute(
            event_id=occ, reason="他们的理由", evidence="e", actor="clerk-b"))
        with pytest.raises(RuleViolation, match="already has an open dispute"):
            ledger.open_dispute(event_id=occ, reason="我的理由", evidence="e", actor="clerk-a")
        ledger.decide_dispute(dispute_id=theirs[0], decision="reject", reason="证据不足", actor="centre")

        second = ledger.open_dispute(event_id=occ, reason="新证据", evidence="e2", actor="clerk-a")

        # 2 disputes of the occurrence: the rival's (rejected) and the new one (open)
        rows = ledger.refresh().db.execute("SELECT id, decision FROM disputes WHERE target=? ORDER BY nid",
                                           (occ,)).fetchall()
        assert [tuple(r) for r in rows] == [(theirs[0], "reject"), (second, None)]

    def test_two_screenings_of_one_order_and_rate_opened_at_once_let_only_the_first_through(
            self, ledger, rival, monkeypatch, tmp_path):
        import_workorders(ledger, _export(tmp_path / "orders.csv"), "tester")
        theirs = _rival_saves_first(monkeypatch, ledger, lambda: rival.open_screening(
            order_id="TS-bad-1", rate="satisfaction", reason="恶意差评", evidence="甄别申请-b", actor="clerk-b"))
        before = ledger.recorder.max_notification_id()

        with pytest.raises(RuleViolation, match="already has an open screening") as refused:
            ledger.open_screening(order_id="TS-bad-1", rate="satisfaction", reason="恶意差评",
                                  evidence="甄别申请-a", actor="clerk-a")

        assert str(refused.value) == f"work order TS-bad-1 already has an open screening {theirs[0]} for satisfaction"
        # nothing of the loser's was written: 1 event (the rival's) after the import
        assert ledger.recorder.max_notification_id() == before + 1
        rows = ledger.refresh().db.execute("SELECT id, evidence FROM disputes WHERE target='TS-bad-1'").fetchall()
        assert [tuple(r) for r in rows] == [(theirs[0], "甄别申请-b")]

    def test_screenings_of_one_order_for_two_rates_opened_at_once_both_go_through(self, ledger, rival, monkeypatch,
                                                                                  tmp_path):
        import_workorders(ledger, _export(tmp_path / "orders.csv"), "tester")
        theirs = _rival_saves_first(monkeypatch, ledger, lambda: rival.open_screening(
            order_id="TS-bad-1", rate="reply", reason="已回复", evidence="录音", actor="clerk-b"))

        mine = ledger.open_screening(order_id="TS-bad-1", rate="satisfaction", reason="恶意差评",
                                     evidence="甄别申请", actor="clerk-a")

        # one open screening per rate: reply (the rival's) and satisfaction (mine)
        rows = ledger.refresh().db.execute("SELECT id, rate FROM disputes WHERE target='TS-bad-1' ORDER BY nid")
        assert [tuple(r) for r in rows] == [(theirs[0], "reply"), (mine, "satisfaction")]
