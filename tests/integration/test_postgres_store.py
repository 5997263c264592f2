"""Opening a PostgreSQL store: tables created once, even when many processes start on an empty schema at once.

eventsourcing's own ``CREATE_TABLE=y`` runs its DDL (including ``CREATE OR REPLACE FUNCTION``) on
every start, and several processes doing it at once can fail with "tuple concurrently updated".
The ledger creates only what is missing and retries when it loses that race.
"""

from __future__ import annotations

import multiprocessing
import uuid

import psycopg
import pytest

from ledger.storage.store import parse_store
from ledger.usecases.application import Ledger
from tests.conftest import BACKENDS, PG_URL

STARTERS = 6
pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="HOTLINE_LEDGER_TEST_BACKENDS excludes postgres")
# The row version of each function in the schema: CREATE OR REPLACE FUNCTION writes a new one.
PROC_VERSIONS = "SELECT p.xmin::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s"


def _open(url: str) -> str:
    app = Ledger(parse_store(url))
    try:
        return str(app.recorder.max_notification_id())
    finally:
        app.close()


@pytest.fixture
def empty_schema_url():
    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield f"{PG_URL}?schema={schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}", "{schema}_views" CASCADE')


class TestOpening:
    def test_six_processes_opening_an_empty_schema_at_once_all_succeed(self, empty_schema_url):
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(STARTERS) as pool:
            results = pool.map(_open, [empty_schema_url] * STARTERS)

        assert results == ["None"] * STARTERS  # every one opened the (empty) ledger
        schema = empty_schema_url.rsplit("=", 1)[1]
        with psycopg.connect(PG_URL) as conn:
            tables = sorted(r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)))
        assert tables == ["ledger_credentials", "ledger_events", "ledger_events_chain", "ledger_events_evidence",
                          "ledger_events_evidence_chunks", "ledger_events_leaves", "ledger_events_orders",
                          "ledger_events_tree"]

    def test_opening_an_existing_ledger_runs_no_ddl(self, empty_schema_url):
        _open(empty_schema_url)
        schema = empty_schema_url.rsplit("=", 1)[1]
        with psycopg.connect(PG_URL) as conn:
            before = conn.execute(PROC_VERSIONS, (schema,)).fetchall()

        _open(empty_schema_url)

        with psycopg.connect(PG_URL) as conn:
            after = conn.execute(PROC_VERSIONS, (schema,)).fetchall()
        assert after == before  # CREATE OR REPLACE FUNCTION would have rewritten the row
