"""Least privilege on a shared store: writers append, readers read, nobody rewrites history.

Each test makes its own login roles (trust authentication on the loopback, as in CI) and drops
them afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.conftest import BACKENDS, PG_URL, Cli

pytestmark = pytest.mark.skipif("postgres" not in BACKENDS, reason="HOTLINE_LEDGER_TEST_BACKENDS excludes postgres")

HOST = PG_URL.split("@", 1)[1].split("?", 1)[0]


@pytest.fixture
def roles() -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for role in made:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def _role(roles: list[str], kind: str) -> str:
    role = f"{kind}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    roles.append(role)
    return role


def _sql_as(role: str, sql: str) -> None:
    with psycopg.connect(f"postgresql://{role}@{HOST}", autocommit=True) as conn:
        conn.execute(sql)


def _count(schema: str) -> int:
    with psycopg.connect(PG_URL) as conn:
        return conn.execute(f'SELECT count(*) FROM "{schema}".ledger_events').fetchone()[0]


@pytest.fixture
def owner(schema: str, tmp_path, monkeypatch) -> Cli:
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "owner-views.db"))
    cli = Cli(f"{PG_URL}?schema={schema}", actor="owner")
    cli.json("init", "--year", "2025")
    return cli


def _as(role: str, schema: str, tmp_path, monkeypatch) -> Cli:
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / f"{role}-views.db"))
    return Cli(f"postgresql://{role}@{HOST}?schema={schema}", actor=role)


RECORD = ("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-01", "--evidence", "工单TA1")


def test_a_writer_records_and_may_not_update_delete_or_truncate_any_table(owner, schema, roles, tmp_path,
                                                                          monkeypatch):
    writer = _role(roles, "writer")
    owner("db", "grant", writer, "--as", "writer")

    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"a photo")
    new = _as(writer, schema, tmp_path, monkeypatch).json(*RECORD, "--attach", photo)

    assert len(new["id"]) == 36
    with psycopg.connect(PG_URL) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))]
        first = {t: conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                                 "AND table_name = %s AND ordinal_position = 1", (schema, t)).fetchone()[0]
                 for t in tables}
    assert {"ledger_events", "ledger_events_chain", "ledger_events_evidence",
            "ledger_events_evidence_chunks"} <= set(tables)
    for table in set(tables) - {"ledger_credentials"}:  # hashes, changed on purpose (tests/e2e/test_cli_users.py)
        for sql in (f'UPDATE "{schema}"."{table}" SET {first[table]} = {first[table]}',
                    f'DELETE FROM "{schema}"."{table}"', f'TRUNCATE "{schema}"."{table}"'):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                _sql_as(writer, sql)
    assert _count(schema) == 2


@pytest.mark.parametrize("sql", [
    'UPDATE "{s}".ledger_events SET originator_version = originator_version',
    'DELETE FROM "{s}".ledger_events',
    'TRUNCATE "{s}".ledger_events CASCADE',
    'UPDATE "{s}".ledger_events_chain SET hash = digest',
    'DELETE FROM "{s}".ledger_events_chain',
    'TRUNCATE "{s}".ledger_events_chain',
    'UPDATE "{s}".ledger_events_evidence SET name = name',
    'DELETE FROM "{s}".ledger_events_evidence',
    'TRUNCATE "{s}".ledger_events_evidence',
    'UPDATE "{s}".ledger_events_evidence_chunks SET bytes = bytes',
    'DELETE FROM "{s}".ledger_events_evidence_chunks',
    'TRUNCATE "{s}".ledger_events_evidence_chunks',
])
def test_even_the_owner_cannot_rewrite_the_history(owner, schema, sql, tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"a photo")
    owner(*RECORD, "--attach", tmp_path / "photo.jpg")

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="history cannot be changed"):
        _sql_as("postgres", sql.format(s=schema))

    assert _count(schema) == 2
    assert owner("verify").exit_code == 0


def test_a_reader_reads_and_a_record_is_one_clear_refusal(owner, schema, roles, tmp_path, monkeypatch):
    (tmp_path / "photo.jpg").write_bytes(b"a photo")
    owner(*RECORD, "--attach", tmp_path / "photo.jpg")
    reader = _role(roles, "reader")
    owner("db", "grant", reader, "--as", "reader")
    as_reader = _as(reader, schema, tmp_path, monkeypatch)

    scored = as_reader.json("score", "--year", "2025", "--unit", "taishan")
    verified = as_reader.json("verify")
    refused = as_reader(*RECORD)

    assert scored["units"][0]["unit"] == "taishan"
    assert "evidence files checked: 1" in verified["lines"]
    assert refused.exit_code == 1
    assert f"the role '{reader}' may only read this ledger" in refused.stderr
    assert f"db grant {reader} --as writer" in refused.stderr
    assert "Traceback" not in refused.output
    assert _count(schema) == 2


def test_a_reader_granted_writing_later_records(owner, schema, roles, tmp_path, monkeypatch):
    role = _role(roles, "clerk")
    owner("db", "grant", role, "--as", "reader")
    owner("db", "grant", role, "--as", "writer")

    assert _as(role, schema, tmp_path, monkeypatch)(*RECORD).exit_code == 0


def test_a_writer_demoted_to_reader_can_no_longer_record(owner, schema, roles, tmp_path, monkeypatch):
    role = _role(roles, "clerk")
    owner("db", "grant", role, "--as", "writer")
    owner("db", "grant", role, "--as", "reader")

    assert _as(role, schema, tmp_path, monkeypatch)(*RECORD).exit_code == 1
    assert _count(schema) == 1


def test_granting_an_unknown_role_is_refused(owner):
    result = owner("db", "grant", "no_such_role_h7", "--as", "writer")

    assert result.exit_code == 1
    assert "no PostgreSQL role 'no_such_role_h7'" in result.stderr


def test_db_grant_on_an_sqlite_store_says_roles_are_postgresql_s(tmp_path):
    cli = Cli(f"sqlite:///{tmp_path}/ledger.db")
    cli.json("init", "--year", "2025")

    result = cli("db", "grant", "someone", "--as", "reader")

    assert result.exit_code == 1
    assert "file's permissions" in result.stderr


def test_a_store_made_before_the_protection_gets_it_when_its_owner_next_opens_it(owner, schema):
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP FUNCTION "{schema}".hotline_ledger_refuse_change() CASCADE')
        conn.execute(f'DELETE FROM "{schema}".ledger_events_chain WHERE false')  # no trigger left to refuse

    assert owner("score", "--year", "2025").exit_code == 0

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql_as("postgres", f'DELETE FROM "{schema}".ledger_events')


def test_a_store_made_before_evidence_was_kept_in_it_gets_its_tables_when_its_owner_next_opens_it(
        owner, schema, tmp_path):
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP TABLE "{schema}".ledger_events_evidence, "{schema}".ledger_events_evidence_chunks')
    (tmp_path / "photo.jpg").write_bytes(b"a photo")

    assert owner.json(*RECORD, "--attach", tmp_path / "photo.jpg")["id"]

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="history cannot be changed"):
        _sql_as("postgres", f'DELETE FROM "{schema}".ledger_events_evidence_chunks')
    assert "evidence files checked: 1" in owner.json("verify")["lines"]


# ── the read model in the database: every granted role keeps it current, none reshapes it ──
def _empty_read_model(schema: str) -> None:
    from projections.view_postgres import TABLES

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f'DELETE FROM "{schema}_views"."{table}"')


@pytest.mark.parametrize("access", ["reader", "writer"])
def test_a_granted_role_catches_the_read_model_up_from_the_first_event(owner, schema, roles, tmp_path, monkeypatch,
                                                                      access):
    owner(*RECORD)
    role = _role(roles, access)
    owner("db", "grant", role, "--as", access)
    _empty_read_model(schema)  # nothing applied yet: the role's read must write every row itself

    scored = _as(role, schema, tmp_path, monkeypatch).json("trace", "--year", "2025", "--unit", "taishan",
                                                           "--item", "2.1")

    assert [e["evidence"] for e in scored["items"][0]["events"]] == ["工单TA1"]
    with psycopg.connect(PG_URL) as conn:
        applied = conn.execute(f'SELECT notification_id FROM "{schema}_views".tracking').fetchone()
    assert applied == (2,)


@pytest.mark.parametrize("sql", [
    'DROP TABLE "{s}_views".occurrences',
    'TRUNCATE "{s}_views".occurrences',
    'CREATE TABLE "{s}_views".intruder (x int)',
    'ALTER TABLE "{s}_views".occurrences ADD COLUMN x int',
])
def test_a_reader_may_not_reshape_or_truncate_the_read_model(owner, schema, roles, sql):
    owner(*RECORD)
    reader = _role(roles, "reader")
    owner("db", "grant", reader, "--as", "reader")

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql_as(reader, sql.format(s=schema))


def test_a_reader_may_not_change_the_events_though_it_writes_the_read_model(owner, schema, roles):
    owner(*RECORD)
    reader = _role(roles, "reader")
    owner("db", "grant", reader, "--as", "reader")

    _sql_as(reader, f'DELETE FROM "{schema}_views".log WHERE nid = 2')
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql_as(reader, f'INSERT INTO "{schema}".ledger_events SELECT * FROM "{schema}".ledger_events LIMIT 1')
    assert _count(schema) == 2


def test_a_writer_imports_work_orders_into_the_order_index_with_insert_alone(owner, schema, roles, tmp_path,
                                                                              monkeypatch):
    from tests.integration.test_rates import order, write_export

    writer = _role(roles, "writer")
    owner("db", "grant", writer, "--as", "writer")
    export = write_export(tmp_path / "april.csv", [order("TA1", "泰山区"), order("TA2", "岱岳区")])
    clerk = _as(writer, schema, tmp_path, monkeypatch)

    first = clerk.json("import", "workorders", export)
    again = clerk.json("import", "workorders", export)

    assert (first["new"], again["new"], again["unchanged"]) == (2, 0, 2)
    with psycopg.connect(PG_URL) as conn:
        indexed = conn.execute(f'SELECT order_id, unit FROM "{schema}".ledger_events_orders ORDER BY 1').fetchall()
    assert indexed == [("TA1", "taishan"), ("TA2", "daiyue")]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql_as(writer, f'UPDATE "{schema}".ledger_events_orders SET unit = \'daiyue\'')
