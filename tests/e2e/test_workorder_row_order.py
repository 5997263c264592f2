"""A work-order export scores the same whatever its row order, and the read model an import leaves equals a rebuild.

The import merges its chunks into the read model as one run, in key order, and writes the daily tallies once;
these tests hold it to what applying the rows in any order, or replaying them from the store, gives. Chunks and
merge runs are made small so that a few thousand orders cross many of their boundaries.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PG_URL, Cli, _pg_connect, read_model

GEN = Path(__file__).parent.parent.parent / "benchmarks" / "gen_workorders.py"
AS_OF_DATES = ("2025-03-31", "2025-08-15", "2025-12-31")


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_workorders", GEN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 300 facts and merge flushes every 700 orders: a 2,500-order export crosses both many times."""
    monkeypatch.setattr("ledger.usecases.imports.workorder_import.CHUNK", 300)
    monkeypatch.setattr("projections.order_facts.FLUSH", 700)


@pytest.fixture
def export() -> tuple[list[str], list[list[str]]]:
    """A platform's wide export of 2,500 orders in shuffled order: (header, rows)."""
    header, *rows = _generator().generate(2500, 2025, 7)
    return header, rows


@pytest.fixture
def other_store(store_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A second fresh store on the same backend, with its own read-model file: (store URL, views path)."""
    views = str(tmp_path / "other.views.db")
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/other.db", views
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?schema={schema}", views
    finally:
        with _pg_connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}", "{schema}_views" CASCADE')


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def scores(run: Any) -> list[Any]:
    """``score --format json`` at several dates through the year (each reads the daily tallies up to it)."""
    out = []
    for day in AS_OF_DATES:
        result = run("score", "--year", 2025, "--as-of", day, "--format", "json")
        assert result.exit_code == 0, result.stderr
        out.append(result.stdout)
    return out


def tables(store: str, views: str) -> dict[str, list[tuple[Any, ...]]]:
    """The orders, the daily tallies and the orders that cost points, as the read model holds them."""
    with read_model(store, views) as db:
        return {t: [tuple(r) for r in db.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall()]
                for t in ("workorders", "workorder_tallies", "workorder_misses")}


def later_export(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    """The same orders a month later, in another shuffled order: open ones completed and rated, some ratings
    changed, some replies given."""
    at = {name: header.index(name) for name in ("办结时限", "办结时间", "满意度", "是否已回复")}
    rng = random.Random(11)
    out = []
    for row in rows:
        row = list(row)
        if not row[at["办结时间"]]:
            row[at["办结时间"]] = row[at["办结时限"]] if rng.random() < 0.5 else "2026-01-20 10:00:00"
            row[at["满意度"]] = rng.choice(["满意", "不满意", "基本满意"])
        elif rng.random() < 0.2:
            row[at["满意度"]] = rng.choice(["满意", "不满意", "未评价"])
        if rng.random() < 0.1:
            row[at["是否已回复"]] = "是"
        out.append(row)
    rng.shuffle(out)
    return out


def test_a_shuffled_export_gives_the_same_scores_and_tallies_as_its_rows_sorted_by_id(
        cli: Cli, other_store: tuple[str, str], export: Any, small_runs: None, tmp_path: Path) -> None:
    header, rows = export
    assert rows != sorted(rows)  # the generator's export is shuffled
    shuffled = write(tmp_path / "shuffled.csv", header, rows)
    in_order = write(tmp_path / "sorted.csv", header, sorted(rows))
    store, views = other_store
    sorted_cli = Cli(store)

    def run_sorted(*args: Any) -> Any:
        return sorted_cli(*args, env={"HOTLINE_LEDGER_VIEWS": views})

    for run, path in ((cli, shuffled), (run_sorted, in_order)):
        assert run("init", "--year", 2025).exit_code == 0
        result = run("import", "workorders", path, "--as-exported", "2026-01-05", "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert '"new": 2500' in result.stdout

    assert scores(cli) == scores(run_sorted)
    assert tables(cli.store, str(tmp_path / "views.db")) == tables(store, views)


def test_the_read_model_after_shuffled_imports_equals_a_rebuild(
        cli: Cli, export: Any, small_runs: None, tmp_path: Path) -> None:
    header, rows = export
    first = write(tmp_path / "december.csv", header, rows)
    later = write(tmp_path / "january.csv", header, later_export(header, rows))
    assert cli("init", "--year", 2025).exit_code == 0
    for path, exported in ((first, "2026-01-05"), (later, "2026-02-05"), (first, "2026-01-05")):
        result = cli("import", "workorders", path, "--as-exported", exported, "--format", "json")
        assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["stale"] > 0  # the older file again: what changed since is stale
    scored, held = scores(cli), tables(cli.store, str(tmp_path / "views.db"))

    assert cli("rebuild").exit_code == 0

    assert scores(cli) == scored
    assert tables(cli.store, str(tmp_path / "views.db")) == held
    assert len(held["workorders"]) == 2500
