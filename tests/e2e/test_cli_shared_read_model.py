"""A PostgreSQL store is one ledger for every machine: its read model lives in the database, not in ~/.cache.

Two clients are two homes (``HOME`` and ``XDG_CACHE_HOME`` of their own, no HOTLINE_LEDGER_VIEWS) on
one store: they read the same read model, see each other's records at once, and leave no file behind.
Several processes catching the read model up at once end where a ``rebuild`` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger.rulesets.loading import builtin_text
from ledger.storage.store import parse_store
from ledger.usecases.application import Ledger
from projections.view_postgres import TABLES
from tests.conftest import Cli, read_model

RECORD = ("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-01", "--evidence", "工单TA1")
SCORE = ("score", "--year", "2025", "--as-of", "2025-12-31")


@pytest.fixture
def pg_store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    if not store_url.startswith("postgresql"):
        pytest.skip("the shared read model is a PostgreSQL store's")
    monkeypatch.delenv("HOTLINE_LEDGER_VIEWS", raising=False)
    monkeypatch.delenv("HOTLINE_LEDGER_EVIDENCE", raising=False)
    return store_url


def _home(tmp_path: Path, name: str) -> dict[str, str]:
    home = tmp_path / name
    (home / ".cache").mkdir(parents=True)
    return {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())


class Client(Cli):
    """The CLI as run from one machine: its own home and cache."""

    home: dict[str, str] = {}

    def __call__(self, *args: Any, env: dict[str, str] | None = None) -> Any:
        return super().__call__(*args, env={**self.home, **(env or {})})


def _client(store: str, tmp_path: Path, name: str) -> Client:
    client = Client(store, actor=name)
    client.home = _home(tmp_path, name)
    return client


def test_two_clients_read_identical_scores_from_one_read_model(pg_store, tmp_path):
    first, second = (_client(pg_store, tmp_path, n) for n in ("first", "second"))
    first.json("init", "--year", "2025")
    first.json(*RECORD)

    assert first.json(*SCORE) == second.json(*SCORE)


def test_a_record_made_by_one_client_counts_on_the_other_at_once(pg_store, tmp_path):
    first, second = (_client(pg_store, tmp_path, n) for n in ("first", "second"))
    first.json("init", "--year", "2025")
    before = second.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1")

    first.json(*RECORD)
    after = second.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1")

    assert before["items"][0]["events"] == []
    assert [e["evidence"] for e in after["items"][0]["events"]] == ["工单TA1"]


def test_no_file_appears_under_either_clients_home(pg_store, tmp_path):
    first, second = (_client(pg_store, tmp_path, n) for n in ("first", "second"))
    first.json("init", "--year", "2025")
    first.json(*RECORD)
    second.json(*SCORE)
    second.json("log")
    assert second("verify").exit_code == 0
    first("rebuild")

    assert _files(tmp_path / "first") == []
    assert _files(tmp_path / "second") == []


def test_the_read_model_is_in_its_own_schema_beside_the_events(pg_store):
    schema = parse_store(pg_store).env["POSTGRES_SCHEMA"]
    Cli(pg_store).json("init", "--year", "2025")
    Cli(pg_store).json("log")

    with read_model(pg_store) as db:
        row = db.execute("SELECT notification_id FROM tracking").fetchone()
        tables = {r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = ?",
                                           (f"{schema}_views",))}

    assert row[0] == 1  # the adopted ruleset, applied
    assert TABLES <= tables


def _snapshot(store: str) -> dict[str, list[tuple[Any, ...]]]:
    with read_model(store) as db:
        return {t: [tuple(r) for r in db.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall()]
                for t in sorted(TABLES)}


def test_several_processes_catching_up_at_once_end_equal_to_a_rebuild(pg_store, tmp_path):
    app = Ledger(parse_store(pg_store))
    try:
        app.adopt_ruleset(2025, builtin_text(), "built-in:taian", "tester")
        for i in range(400):  # recorded without catching up: the read model stays behind
            app.record_occurrence(unit="taishan", item="2.1", on=date(2025, 3, 1 + i % 28), evidence=f"e{i}",
                                  actor="tester")
    finally:
        app.close()
    env = {k: v for k, v in os.environ.items() if k not in ("HOTLINE_LEDGER_VIEWS", "HOTLINE_LEDGER_EVIDENCE")}
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, str(root / "cli.py"), "--store", pg_store, *SCORE, "--format", "json"]

    runs = [subprocess.Popen(command, env={**env, **_home(tmp_path, f"p{n}")}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=root) for n in range(4)]
    outputs = [run.communicate(timeout=300) for run in runs]
    caught_up = _snapshot(pg_store)
    assert Cli(pg_store)("rebuild").exit_code == 0

    assert [run.returncode for run in runs] == [0, 0, 0, 0], [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1  # every process read the same scores
    assert len(caught_up["occurrences"]) == 400
    assert caught_up == _snapshot(pg_store)
