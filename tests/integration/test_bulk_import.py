"""A bulk import takes the bulk paths (a large page cache, one checkpoint, log entries cut from the stored JSON,
ids from the rowid range) and leaves exactly what a replay of its events gives, on both backends.

The thresholds are lowered so that a file of 60 rows counts as bulk.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from ledger.rulesets.loading import builtin_text
from ledger.storage import chain_sqlite
from ledger.storage.chain import verify_chain
from ledger.usecases.imports.events_file import import_events_file
from projections import view as views
from projections.replay_check import replay_differences


@pytest.fixture
def app(ledger: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(views, "BULK", 10)
    monkeypatch.setattr(chain_sqlite, "BULK_EVENTS", 10)
    ledger.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
    return ledger


def test_a_bulk_import_reads_back_as_a_replay_of_its_events(app, tmp_path):
    path = tmp_path / "e.csv"
    units, items = ["taishan", "daiyue", "xintai"], ["2.1", "2.2.1", "3.2.1.1", "5.1"]
    rows = [f'{units[i % 3]},{items[i % 4]},2025-0{1 + i % 9}-1{i % 10},{1 + i % 3},"工单""{i}"",\\",备注{i}'
            for i in range(60)]
    path.write_text("unit,item,date,count,evidence,note\n" + "\n".join(rows) + "\n", encoding="utf-8")
    before = app.recorder.max_notification_id()
    assert import_events_file(app, str(path), "tester")["new"] == 60
    # 60 occurrences and the file's own record, numbered on from the events before them
    assert app.recorder.max_notification_id() == before + 61
    assert verify_chain(app.recorder).ok and verify_chain(app.recorder).count == before + 61
    assert replay_differences(app) is None  # the view, log entries included, equals a replay from the store
    logged = app.view.db.execute("SELECT payload FROM log WHERE type='OccurrenceRecorded' ORDER BY nid").fetchall()
    assert len(logged) == 60 and '"evidence":"工单\\"0\\",\\\\"' in logged[0][0]


def test_the_read_models_page_cache_is_as_it_was_after_a_bulk_catch_up(app, tmp_path):
    if not isinstance(app.view.db, sqlite3.Connection):
        pytest.skip("the page cache is SQLite's")
    (cache,) = app.view.db.execute("PRAGMA cache_size").fetchone()
    path = tmp_path / "e.csv"
    path.write_text("unit,item,date,count,evidence\n" + "taishan,2.1,2025-03-04,1,工单\n" * 30, encoding="utf-8")
    import_events_file(app, str(path), "tester")
    assert app.view.db.execute("PRAGMA cache_size").fetchone()[0] == cache
    assert app.view.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
