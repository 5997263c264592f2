"""The shared store under load: 8 processes × 200 records, each through a writer role of its own.

Each process is a clerk's terminal: its own login role (``db grant ROLE --as writer``), its own
Ledger, recording one occurrence per transaction and catching the read model up every few
records, all at the same time as the others. Afterwards: every record is stored exactly once,
stamped with the role that wrote it, the chain verifies, and the read model the processes caught
up concurrently equals one rebuilt from the first event.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest

from tests.conftest import BACKENDS, PG_URL, Cli

pytestmark = [pytest.mark.slow, pytest.mark.postgres,
              pytest.mark.skipif("postgres" not in BACKENDS, reason="HOTLINE_LEDGER_TEST_BACKENDS excludes postgres")]

PROCESSES = 8
RECORDS = 200
#: Each process catches the shared read model up after this many records.
CATCH_UP_EVERY = 25
UNITS = ("taishan", "daiyue", "xintai", "feicheng")
HOST = PG_URL.split("@", 1)[1].split("?", 1)[0]


def _clerk(url: str, views: str, evidence: str, writer: int) -> tuple[list[str], float]:
    """One process: RECORDS occurrences through its own role, catching the read model up as it goes."""
    os.environ["HOTLINE_LEDGER_VIEWS"], os.environ["HOTLINE_LEDGER_EVIDENCE"] = views, evidence
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger

    app = Ledger(parse_store(url))
    ids = []
    started = time.perf_counter()
    try:
        for i in range(RECORDS):
            ids.append(app.record_occurrence(unit=UNITS[(writer + i) % len(UNITS)], item="2.1",
                                             on=date(2025, 1, 1) + timedelta(days=i), evidence=f"w{writer}-{i}",
                                             actor="张三"))
            if i % CATCH_UP_EVERY == CATCH_UP_EVERY - 1:
                app.refresh()
    finally:
        app.close()
    return ids, time.perf_counter() - started


@pytest.fixture
def writer_roles() -> Iterator[list[str]]:
    roles = [f"clerk{w}_{uuid.uuid4().hex[:8]}" for w in range(PROCESSES)]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for role in roles:
            conn.execute(f'CREATE ROLE "{role}" LOGIN')
    yield roles
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for role in roles:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def test_eight_writer_roles_recording_at_once_store_each_record_once_and_the_read_model_equals_a_rebuild(
        schema, writer_roles, tmp_path, monkeypatch):
    views, evidence = str(tmp_path / "views.db"), str(tmp_path / "evidence")
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", views)
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", evidence)
    owner = Cli(f"{PG_URL}?schema={schema}", actor="王五")
    owner.json("init", "--year", "2025")
    for role in writer_roles:
        assert owner("db", "grant", role, "--as", "writer").exit_code == 0

    started = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        jobs = [pool.apply_async(_clerk, (f"postgresql://{role}@{HOST}?schema={schema}", views, evidence, w))
                for w, role in enumerate(writer_roles)]
        results = [job.get(timeout=600) for job in jobs]
    elapsed = time.perf_counter() - started
    print(f"\n{PROCESSES} processes x {RECORDS} records through writer roles: {elapsed:.1f} s "
          f"({PROCESSES * RECORDS / elapsed:.0f} records/s; slowest process {max(t for _, t in results):.1f} s)")

    # Each record stored exactly once: the ruleset and 1,600 occurrences, no more, all ids distinct.
    with psycopg.connect(PG_URL) as conn:
        stored = conn.execute(f'SELECT count(*) FROM "{schema}".ledger_events').fetchone()[0]
    assert stored == 1 + PROCESSES * RECORDS
    ids = [i for r, _ in results for i in r]
    assert len(set(ids)) == PROCESSES * RECORDS

    # The read model as the processes left it (caught up concurrently), read before anything rebuilds it.
    log = owner.json("log")
    occurrences = [e for e in log if e["type"] == "OccurrenceRecorded"]
    assert sorted(e["id"] for e in occurrences) == sorted(ids)
    assert sorted(e["evidence"] for e in occurrences) == sorted(f"w{w}-{i}" for w in range(PROCESSES)
                                                                for i in range(RECORDS))
    # Each stamped with the role that wrote it, whatever it declared.
    by_writer = {(e["evidence"].split("-")[0], e["recorded_by"], e["authenticated_as"]) for e in occurrences}
    assert by_writer == {(f"w{w}", "张三", role) for w, role in enumerate(writer_roles)}
    scores = owner.json("score", "--year", "2025", "--as-of", "2025-12-31")

    # The chain verifies, and verify finds the read model equal to a replay.
    result = owner("verify")
    assert result.exit_code == 0, result.output
    assert f"chain ok: {1 + PROCESSES * RECORDS} events" in result.output

    assert owner("rebuild").exit_code == 0
    assert owner.json("log") == log
    assert owner.json("score", "--year", "2025", "--as-of", "2025-12-31") == scores
