"""PostgreSQL's binary formats as an append builds them (``ledger/storage/pg_binary.py``), read back by the server, and
the one catalog query a PostgreSQL store is opened with (``ChainedPostgresApplicationRecorder.read_catalog``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from ledger.storage.pg_binary import bigint_array, bytea_array, copy_rows, text_array, uuid_array
from tests.conftest import PG_URL, _pg_connect


@pytest.fixture
def conn() -> Any:
    try:
        connection = _pg_connect()
    except Exception as e:  # pragma: no cover - CI starts PostgreSQL
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {e}")
    yield connection
    connection.close()


def test_arrays_reach_the_server_as_the_values_they_were(conn: Any) -> None:
    ids = [UUID("00000000-0000-0000-0000-000000000001"), UUID("6a1f0c52-6f64-4a55-9a3e-2f1c0b7d9e01")]
    row = conn.execute("SELECT %s::uuid[], %s::bigint[], %s::text[], %s::bytea[]", (
        uuid_array(ids), bigint_array([1, -2, 2**62]), text_array(["a", "工单\t\\\"", ""]),
        bytea_array([b"\x00\xff", b"", b"\\x"]))).fetchone()
    assert row == (ids, [1, -2, 2**62], ["a", "工单\t\\\"", ""], [b"\x00\xff", b"", b"\\x"])


def test_empty_arrays_are_empty(conn: Any) -> None:
    assert conn.execute("SELECT %s::uuid[], %s::text[], cardinality(%s::bytea[])",
                        (uuid_array([]), text_array([]), bytea_array([]))).fetchone() == ([], [], 0)


def test_a_binary_copy_stores_each_row_as_given(conn: Any) -> None:
    conn.execute("CREATE TEMPORARY TABLE rows_copied (level integer, idx bigint, hash bytea)")
    rows = [(0, 0, b"\x00" * 32), (7, 2**40, b""), (-1, -5, b"\r\n\t\\")]
    with conn.cursor() as cursor, cursor.copy("COPY rows_copied FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(copy_rows(rows, ("integer", "bigint", "bytea")))
    assert conn.execute("SELECT level, idx, hash FROM rows_copied ORDER BY idx").fetchall() == sorted(
        rows, key=lambda r: r[1])


def test_a_column_kind_it_cannot_write_is_refused() -> None:
    with pytest.raises(ValueError, match="no binary COPY writer"):
        copy_rows([("x",)], ("text",))


def test_the_opening_catalog_knows_what_is_there_and_asks_again_about_what_was_missing(schema: str) -> None:
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger
    from projections.view_postgres import TABLES

    with _pg_connect() as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    from ledger.rulesets.loading import builtin_text

    app = Ledger(parse_store(f"{PG_URL}?schema={schema}"))  # the owner: creates the tables, then the read model's
    try:
        app.adopt_ruleset(2025, builtin_text(), "built-in:taian", "admin")
        app.refresh()
        catalog = app.recorder.read_catalog(app.location.views_schema, TABLES)
        assert {app.recorder.events_table_name, app.recorder.chain_table_name, "ledger_credentials",
                app.recorder.order_index_table} <= catalog.tables
        assert catalog.views == TABLES and catalog.protected
        # A catalog read before the read model existed says nothing of it: the view asks the server itself.
        with _pg_connect() as c:
            c.execute(f'DROP SCHEMA "{schema}_views" CASCADE')
        missing = app.recorder.read_catalog(app.location.views_schema, TABLES)
        assert missing.views == frozenset()
        app.close()
        app = Ledger(parse_store(f"{PG_URL}?schema={schema}"))
        assert app.refresh().position(app.name) == app.recorder.max_notification_id()  # rebuilt in a new schema
    finally:
        app.close()
