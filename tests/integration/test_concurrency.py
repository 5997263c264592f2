"""Several processes write to one ledger at the same time: nothing is lost, nothing doubled, the chain holds.

Each writer is a separate process (``spawn``: nothing shared with the test) with its own Ledger on
the same store and the same read-model file, as several clerks' terminals would be. On SQLite the
writers wait for each other; on PostgreSQL they interleave under the library's table lock.
"""

from __future__ import annotations

import multiprocessing
import os
from datetime import date
from typing import Any

import pytest

from ledger.domain.errors import RuleViolation
from ledger.rulesets.loading import builtin_text
from ledger.storage.chain import verify_chain
from ledger.storage.store import parse_store
from ledger.usecases.application import Ledger

WRITERS = 4
RECORDS = 15
UNITS = ["taishan", "daiyue", "xintai", "feicheng"]


def _write(url: str, views: str, evidence: str, writer: int, records: int) -> list[str]:
    """One writer: occurrences of its own, catching the read model up as it goes, plus shared decisions."""
    os.environ["HOTLINE_LEDGER_VIEWS"], os.environ["HOTLINE_LEDGER_EVIDENCE"] = views, evidence
    app = Ledger(parse_store(url))
    ids = []
    try:
        for i in range(records):
            ids.append(app.record_occurrence(unit=UNITS[writer % len(UNITS)], item="2.1", on=date(2025, 3, 1 + i),
                                             evidence=f"writer{writer}-{i}", actor=f"clerk{writer}"))
            if i % 5 == 4:
                app.refresh()  # several processes catch the same read-model file up at once
            # Every writer rules the same day and completes the same year: read-decide-save retried on conflict.
            app.rule_calendar(day=date(2031, 1, 2), workday=False, evidence=f"ruling by {writer}",
                              actor=f"clerk{writer}")
        app.complete_calendar_year(year=2031, evidence=f"complete by {writer}", actor=f"clerk{writer}")
        app.refresh()
    finally:
        app.close()
    return ids


def _run_writers(url: str, views: str, evidence: str) -> list[list[str]]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(WRITERS) as pool:
        jobs = [pool.apply_async(_write, (url, views, evidence, w, RECORDS)) for w in range(WRITERS)]
        return [job.get(timeout=300) for job in jobs]


def _count(app: Ledger, sql: str, *params: Any) -> int:
    return int(app.refresh().db.execute(sql, params).fetchone()[0])


class TestConcurrentWriters:
    def test_four_processes_recording_at_once_lose_nothing_and_double_nothing(self, ledger, tmp_path):
        ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
        views, evidence = os.environ["HOTLINE_LEDGER_VIEWS"], os.environ["HOTLINE_LEDGER_EVIDENCE"]

        results = _run_writers(ledger.location.url, views, evidence)

        ids = [i for r in results for i in r]
        # 4 writers × 15 occurrences = 60, every id distinct
        assert len(ids) == 60
        assert len(set(ids)) == 60
        assert _count(ledger, "SELECT COUNT(*) FROM occurrences") == 60
        assert _count(ledger, "SELECT COUNT(DISTINCT evidence) FROM occurrences") == 60
        # each writer's own 15, none twice
        for w in range(WRITERS):
            assert _count(ledger, "SELECT COUNT(*) FROM occurrences WHERE evidence LIKE ?", f"writer{w}-%") == 15

    def test_the_chain_verifies_and_shared_decisions_are_recorded_once(self, ledger):
        ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
        views, evidence = os.environ["HOTLINE_LEDGER_VIEWS"], os.environ["HOTLINE_LEDGER_EVIDENCE"]

        _run_writers(ledger.location.url, views, evidence)

        report = verify_chain(ledger.recorder)
        assert report.ok, report.failure
        # 1 ruleset + 60 occurrences + 1 ruling (the same ruling again changes nothing) + 1 completed year
        assert report.count == 63
        assert _count(ledger, "SELECT COUNT(*) FROM calendar_rulings") == 1
        assert _count(ledger, "SELECT COUNT(*) FROM calendar_years WHERE year = 2031") == 1
        # the read model caught up by five processes at once equals one rebuilt from scratch
        before = [tuple(r) for r in ledger.refresh().db.execute("SELECT * FROM occurrences ORDER BY id")]
        ledger.view.reset()
        assert [tuple(r) for r in ledger.refresh().db.execute("SELECT * FROM occurrences ORDER BY id")] == before


def _race(monkeypatch: Any, app: Ledger, rival: Any) -> None:
    """Make ``rival()`` run just after ``app``'s first read of an aggregate, as another process could."""
    real_get = app.repository.get
    pending = [rival]

    def get(*args: Any, **kwargs: Any) -> Any:
        aggregate = real_get(*args, **kwargs)
        if pending:
            pending.pop()()
        return aggregate

    monkeypatch.setattr(app.repository, "get", get)


class TestConflictsRetried:
    def test_a_decision_that_lost_the_race_is_decided_again_and_refused(self, ledger, monkeypatch):
        ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
        occ = ledger.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 1), evidence="e", actor="a")
        dispute = ledger.open_dispute(event_id=occ, reason="r", evidence="e", actor="unit")
        other = Ledger(ledger.location)
        _race(monkeypatch, ledger,
              lambda: other.decide_dispute(dispute_id=dispute, decision="accept", reason="ok", actor="b"))
        try:
            with pytest.raises(RuleViolation, match="already decided"):
                ledger.decide_dispute(dispute_id=dispute, decision="reject", reason="no", actor="a")
        finally:
            other.close()
        # nothing changed by the loser: one decision, the winner's accept
        rows = ledger.refresh().db.execute("SELECT decision FROM disputes WHERE id=?", (dispute,)).fetchall()
        assert [r[0] for r in rows] == ["accept"]
        assert _count(ledger, "SELECT COUNT(*) FROM log WHERE type='DisputeDecided'") == 1

    def test_a_ruling_that_lost_the_race_to_the_same_ruling_changes_nothing(self, ledger, monkeypatch):
        ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
        ledger.rule_calendar(day=date(2031, 5, 6), workday=True, evidence="first", actor="a")
        other = Ledger(ledger.location)
        _race(monkeypatch, ledger,
              lambda: other.rule_calendar(day=date(2031, 5, 6), workday=False, evidence="rival", actor="b"))
        try:
            _, changed = ledger.rule_calendar(day=date(2031, 5, 6), workday=False, evidence="mine", actor="a")
        finally:
            other.close()
        assert changed is False  # re-read: the day is already a holiday
        assert _count(ledger, "SELECT COUNT(*) FROM log WHERE type LIKE 'Calendar%'") == 2

    def test_adopting_a_ruleset_that_lost_the_race_amends_it(self, ledger, monkeypatch):
        ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
        other = Ledger(ledger.location)
        mine, theirs = builtin_text() + "\n# mine\n", builtin_text() + "\n# theirs\n"
        _race(monkeypatch, ledger, lambda: other.adopt_ruleset(2025, theirs, "theirs.toml", "b"))
        try:
            _, changed = ledger.adopt_ruleset(2025, mine, "mine.toml", "a")
        finally:
            other.close()
        assert changed is True  # re-read after the rival's amendment, then amended again: the last one counts
        rows = ledger.refresh().db.execute("SELECT source FROM rulesets WHERE year=2025 ORDER BY nid")
        sources = [r[0] for r in rows]
        assert sources == ["built-in:taian", "theirs.toml", "mine.toml"]
