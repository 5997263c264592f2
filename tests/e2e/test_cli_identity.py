"""Authenticated identity: every event says who the store authenticated, beside who the person declared.

``recorded_by`` is ``--actor`` (what anyone may type); ``authenticated_as`` is PostgreSQL's
``session_user`` or, on SQLite, the operating-system account running the command — never what the
command line or the environment claims.
"""

from __future__ import annotations

import json
import os
import pwd
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from tests.conftest import BACKENDS, PG_URL, Cli

DATA = Path(__file__).parent.parent / "data"
#: An export written by the ledger before events carried authenticated_as (4 events, recorded by 王五,
#: 张三, 张三 and 李四: the ruleset, an occurrence of 2.1 for taishan, an assessment of 1.1.1, a dispute).
OLD_EXPORT = DATA / "export-before-authenticated-identity.jsonl"
OS_USER = pwd.getpwuid(os.getuid()).pw_name
RECORD = ("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-01", "--evidence", "工单TA1")
HOST = PG_URL.split("@", 1)[1].split("?", 1)[0]


def _sqlite_only(store_url: str) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("the OS account is the authenticated identity of a file store only")


def test_on_sqlite_authenticated_as_is_the_os_account_whatever_actor_and_environment_claim(cli):
    _sqlite_only(cli.store)
    cli.actor = "张三"
    cli.json("init", "--year", "2025")
    # getpass.getuser() would believe LOGNAME/USER: a claim anyone can make for one command.
    claims = {"USER": "mallory", "LOGNAME": "mallory", "LNAME": "mallory", "USERNAME": "mallory",
              "HOTLINE_LEDGER_ACTOR": "mallory"}
    result = cli(*RECORD, "--format", "json", env=claims)
    assert result.exit_code == 0, result.output
    new = json.loads(result.stdout)["id"]

    entry = next(e for e in cli.json("log") if e["id"] == new)
    assert (entry["recorded_by"], entry["authenticated_as"]) == ("张三", OS_USER)
    assert OS_USER != "mallory"


def test_trace_json_shows_the_declared_recorder_and_the_authenticated_identity(cli):
    _sqlite_only(cli.store)
    cli.actor = "张三"
    cli.json("init", "--year", "2025")
    occurrence = cli.json(*RECORD)["id"]
    cli.actor = "李四"
    cli.json("dispute", "open", occurrence, "--reason", "重复", "--evidence", "申诉书")
    cli.json("assess", "--unit", "taishan", "--item", "1.1.1", "--points", "0.5", "--date", "2025-03-02",
             "--evidence", "考核表")

    doc = cli.json("trace", "--year", "2025", "--unit", "taishan")
    events = {e["id"]: e for i in doc["items"] for e in i["events"]}
    occ = events[occurrence]
    assert (occ["recorded_by"], occ["authenticated_as"]) == ("张三", OS_USER)
    assert [(h["type"], h["by"], h["authenticated_as"]) for h in occ["history"]] == [
        ("dispute_opened", "李四", OS_USER)]
    assessment = next(e for e in events.values() if e["type"] == "assessment")
    assert (assessment["recorded_by"], assessment["authenticated_as"]) == ("李四", OS_USER)


def test_the_reports_recorder_columns_show_the_declared_recorder_and_the_authenticated_identity(cli, tmp_path):
    _sqlite_only(cli.store)
    cli.actor = "张三"
    cli.json("init", "--year", "2025")
    cli.json(*RECORD)
    shown = f"张三（{OS_USER}）"

    html = tmp_path / "score.html"
    assert cli("score", "--year", "2025", "--as-of", "2025-12-31", "--format", "html",
               "--output", html).exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert '<th class="aside">记录人（认证身份）</th>' in text and f'<td class="aside">{shown}</td>' in text

    book = tmp_path / "score.xlsx"
    assert cli("score", "--year", "2025", "--as-of", "2025-12-31", "--format", "xlsx",
               "--output", book).exit_code == 0
    cells = [c.value for ws in load_workbook(book).worksheets for row in ws.iter_rows() for c in row]
    assert "记录人（认证身份）" in cells and shown in cells

    table = cli("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1", env={"COLUMNS": "200"})
    assert shown in table.stdout


def test_an_export_from_before_authenticated_identity_imports_and_reads_as_unknown(cli):
    assert cli("import", "ledger", OLD_EXPORT).exit_code == 0
    entries = cli.json("log")
    assert [(e["type"], e["recorded_by"], e["authenticated_as"]) for e in entries] == [
        ("RulesetAdopted", "王五", None), ("OccurrenceRecorded", "张三", None),
        ("AssessmentRecorded", "张三", None), ("DisputeOpened", "李四", None)]
    doc = cli.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1")
    [occ] = [e for i in doc["items"] for e in i["events"]]
    assert (occ["recorded_by"], occ["authenticated_as"]) == ("张三", None)
    assert [h["authenticated_as"] for h in occ["history"]] == [None]
    assert cli("verify").exit_code == 0

    # What is recorded from now on carries the identity; the old events keep their stored bytes.
    cli.actor = "赵六"
    new = cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-04-01", "--evidence", "工单TA2")
    entry = next(e for e in cli.json("log") if e["id"] == new["id"])
    assert entry["recorded_by"] == "赵六" and entry["authenticated_as"] is not None
    assert cli("verify").exit_code == 0


def test_a_read_model_from_before_the_column_is_rebuilt_with_it(cli, tmp_path):
    _sqlite_only(cli.store)
    cli.actor = "张三"
    cli.json("init", "--year", "2025")
    cli.json(*RECORD)
    cli.json("log")  # the read model is made on the first read
    views = Path(os.environ["HOTLINE_LEDGER_VIEWS"])
    with sqlite3.connect(views) as db:  # the read model as the ledger left it before the column existed
        db.execute("ALTER TABLE log DROP COLUMN authenticated_as")

    assert [e["authenticated_as"] for e in cli.json("log")] == [OS_USER, OS_USER]
    result = cli("verify")
    assert result.exit_code == 0, result.output


# ── PostgreSQL: the role the server authenticated ─────────────────────────────────────────────────
pg_only = pytest.mark.skipif("postgres" not in BACKENDS, reason="HOTLINE_LEDGER_TEST_BACKENDS excludes postgres")


@pytest.fixture
def login_role() -> Iterator[str]:
    role = f"clerk_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    yield role
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP OWNED BY "{role}"')
        conn.execute(f'DROP ROLE "{role}"')


@pg_only
def test_on_postgresql_authenticated_as_is_the_login_role_whatever_actor_says(schema, login_role, tmp_path,
                                                                               monkeypatch):
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "owner-views.db"))
    owner = Cli(f"{PG_URL}?schema={schema}", actor="王五")
    owner.json("init", "--year", "2025")
    assert owner("db", "grant", login_role, "--as", "writer").exit_code == 0

    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "clerk-views.db"))
    clerk = Cli(f"postgresql://{login_role}@{HOST}?schema={schema}", actor="张三")
    new = clerk.json(*RECORD)["id"]

    entries = {e["id"]: e for e in clerk.json("log")}
    owner_role = PG_URL.split("://", 1)[1].split("@", 1)[0]
    assert [(e["recorded_by"], e["authenticated_as"]) for e in entries.values()] == [
        ("王五", owner_role), ("张三", login_role)]
    assert entries[new]["authenticated_as"] == login_role
    doc = clerk.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.1")
    [occ] = [e for i in doc["items"] for e in i["events"]]
    assert (occ["recorded_by"], occ["authenticated_as"]) == ("张三", login_role)
