"""Shared fixtures: a fresh ledger per test on each backend, and a CLI runner bound to it.

Every store-backed test runs twice: on an SQLite file under ``tmp_path`` and on PostgreSQL in a
schema of its own (created here, dropped afterwards), so tests never see each other's events.
PostgreSQL is expected at ``HOTLINE_LEDGER_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``);
``.ci/run`` makes sure it runs. Set ``HOTLINE_LEDGER_TEST_BACKENDS=sqlite`` to run SQLite only.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

# The tests were written against the English texts (the msgids); tests of the Chinese default (the
# language a person without an English locale reads) set the locale themselves (test_cli_language.py).
# Pinned in the process environment so that CLI subprocesses speak English too.
for _variable in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "en_US.UTF-8"


def browser_env() -> dict[str, str]:
    """The environment a browser under test runs in: a locale every machine has. The suite's en_US.UTF-8
    may not be installed, and Chromium then reads the non-ASCII names of the files it uploads wrongly."""
    return {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}

PG_URL = os.environ.get("HOTLINE_LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = os.environ.get("HOTLINE_LEDGER_TEST_BACKENDS", "sqlite,postgres").split(",")


def _pg_connect() -> Any:
    import psycopg

    return psycopg.connect(PG_URL.replace("postgresql://", "postgresql://", 1), autocommit=True, connect_timeout=5)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty store URL: SQLite in tmp_path, or a new PostgreSQL schema."""
    # An SQLite store's read model; a PostgreSQL store's is in its database (``<schema>_views``, dropped below).
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "evidence"))
    monkeypatch.delenv("HOTLINE_LEDGER_STORE", raising=False)
    monkeypatch.delenv("HOTLINE_LEDGER_CIPHER_KEY", raising=False)
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ledger.db"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    try:
        conn = _pg_connect()
    except Exception as e:  # pragma: no cover - CI starts PostgreSQL; a developer may not have it
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {e}")
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?schema={schema}"
    finally:
        with _pg_connect() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}", "{schema}_views" CASCADE')


@pytest.fixture
def schema() -> Iterator[str]:
    """A fresh PostgreSQL schema name (not created: the ledger's owner creates it), dropped afterwards with its
    read-model schema."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    yield name
    with _pg_connect() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}", "{name}_views" CASCADE')


@pytest.fixture
def today_is(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the day the ledger takes as today (``ledger.domain.date_window.CLOCK``): for a year still to come, whose
    records would otherwise be refused as dated in the future (docs/dates.md)."""
    from datetime import date, datetime, time

    from ledger.domain import date_window

    def set_today(day: date) -> None:
        monkeypatch.setattr(date_window, "CLOCK", lambda zone: datetime.combine(day, time(12), zone))

    return set_today


@pytest.fixture
def ledger(store_url: str) -> Iterator[Any]:
    """A Ledger application on the fresh store (no ruleset adopted yet)."""
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger

    app = Ledger(parse_store(store_url))
    yield app
    app.close()


@pytest.fixture
def memory_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Ledger application in memory (no database): for fast aggregate and use-case tests."""
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger

    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "evidence"))
    app = Ledger(parse_store("memory:"))
    yield app
    app.close()


@contextmanager
def read_model(store: str, views: str | None = None) -> Iterator[Any]:
    """The store's read model opened directly, as an intruder or a check would: the SQLite file (``views``, by
    default HOTLINE_LEDGER_VIEWS) or the PostgreSQL store's read-model schema; ``?`` parameters on both."""
    if store.startswith("sqlite"):
        db = sqlite3.connect(views or os.environ["HOTLINE_LEDGER_VIEWS"])
        try:
            with db:
                yield db
        finally:
            db.close()
        return
    from psycopg.sql import SQL, Identifier

    from ledger.storage.store import parse_store
    from projections.view_postgres import PgReadDB, connect

    location = parse_store(store)
    conn = connect(location.env)
    try:
        conn.execute(SQL("SET search_path TO {}").format(Identifier(location.views_schema)))
        yield PgReadDB(conn)
    finally:
        conn.close()


@dataclass
class Cli:
    """Runs ``hotline-ledger`` in-process against one store, as a user would."""

    store: str
    actor: str = "tester"

    def __call__(self, *args: Any, env: dict[str, str] | None = None, input: str | None = None) -> Result:  # noqa: A002
        from cli import main

        argv = ["--store", self.store, "--actor", self.actor, *[str(a) for a in args]]
        return CliRunner().invoke(main, argv, env=env, input=input, catch_exceptions=False)

    def json(self, *args: Any) -> Any:
        """Run with ``--format json`` and parse stdout; fail the test on a non-zero exit."""
        result = self(*args, "--format", "json")
        assert result.exit_code == 0, result.stderr or result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(store_url: str) -> Cli:
    """The CLI bound to a fresh store."""
    return Cli(store_url)


def items_of(unit_doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A unit's items from ``score --format json``, by code."""
    return {i["code"]: i for sec in unit_doc["sections"] for i in sec["items"]}


def unit_of(score_doc: dict[str, Any], code: str) -> dict[str, Any]:
    """One unit's entry in ``score --format json``."""
    return next(u for u in score_doc["units"] if u["unit"] == code)
