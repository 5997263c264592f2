"""``--store`` through the command line: a usable store is created by ``init``; a bad one is one clear message.

Every failure exits 1 with a single message on stderr, no traceback, and never prints the password.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import BACKENDS, PG_URL, Cli

SECRET = "s3cr3t-pw"


def _run(store: str, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["--store", store, *args], env=env, catch_exceptions=False)


def _refused(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert SECRET not in result.output
    return result.stderr


class TestBadStores:
    @pytest.mark.parametrize("url, says", [
        (f"postgresql://postgres:{SECRET}@127.0.0.1:1/test", "Connection refused"),
        (f"postgresql://postgres:{SECRET}@127.0.0.1:99999/test", "no valid port"),
        (f"postgresql://postgres:{SECRET}@127.0.0.1:5432/", "names no database"),
        (f"mysql://root:{SECRET}@127.0.0.1/ledger", "not supported"),
        ("sqlite://", "names no file"),
    ])
    def test_an_unusable_store_url_is_one_message_without_the_password(self, url, says):
        stderr = _refused(_run(url, "init", "--year", "2025"))

        assert says in stderr
        assert stderr.count("\n") == 1

    def test_a_database_that_does_not_exist_is_named(self):
        url = f"postgresql://postgres:{SECRET}@127.0.0.1:5432/no_such_db_h7"
        stderr = _refused(_run(url, "score", "--year", "2025"))

        assert 'database "no_such_db_h7" does not exist' in stderr
        assert "postgres:***@" in stderr

    def test_the_store_can_come_from_the_environment(self, store_url):
        result = CliRunner().invoke(main, ["init", "--year", "2025", "--format", "json"],
                                    env={"HOTLINE_LEDGER_STORE": store_url}, catch_exceptions=False)

        assert result.exit_code == 0, result.stderr
        assert Cli(store_url).json("rules", "show", "--year", "2025")["id"] == "taian"


@pytest.fixture
def pg_schema() -> str:
    """An empty schema owned by postgres, dropped afterwards with any role made for the test."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}", "{schema}_views" CASCADE')


@pytest.fixture
def clerk(pg_schema: str) -> str:
    """A login role with USAGE but not CREATE on the schema (as a clerk's account would be)."""
    role = f"clerk_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT USAGE ON SCHEMA "{pg_schema}" TO "{role}"')
    yield role
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP OWNED BY "{role}"')
        conn.execute(f'DROP ROLE "{role}"')


def _as(role: str, schema: str) -> str:
    host = PG_URL.split("@", 1)[1].split("?", 1)[0]
    return f"postgresql://{role}:{SECRET}@{host}?schema={schema}"


@pytest.mark.skipif("postgres" not in BACKENDS, reason="HOTLINE_LEDGER_TEST_BACKENDS excludes postgres")
class TestRights:
    def test_init_by_a_role_without_create_on_the_schema_is_refused_clearly(self, pg_schema, clerk, tmp_path,
                                                                             monkeypatch):
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))

        stderr = _refused(_run(_as(clerk, pg_schema), "init", "--year", "2025"))

        assert "cannot create the ledger's tables" in stderr
        assert "permission denied" in stderr
        with psycopg.connect(PG_URL) as conn:  # nothing was created
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (pg_schema,)).fetchone()
        assert tables[0] == 0

    def test_a_role_granted_only_reading_and_appending_can_use_a_store_another_role_created(
            self, pg_schema, clerk, tmp_path, monkeypatch):
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))
        owner = Cli(f"{PG_URL}?schema={pg_schema}")
        owner.json("init", "--year", "2025")
        owner("db", "grant", clerk, "--as", "writer")  # what docs/deployment.md tells the owner to run
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "clerk-views.db"))
        as_clerk = Cli(_as(clerk, pg_schema), actor="clerk")

        new = as_clerk.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-01",
                            "--evidence", "工单TA1")

        assert len(new["id"]) == 36
        assert as_clerk("verify").exit_code == 0

    def test_a_schema_that_does_not_exist_yet_is_created_by_init(self, tmp_path, monkeypatch):
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))
        schema = f"t_{uuid.uuid4().hex[:16]}"
        try:
            result = _run(f"{PG_URL}?schema={schema}", "init", "--year", "2025")
            assert result.exit_code == 0, result.stderr
        finally:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}", "{schema}_views" CASCADE')
