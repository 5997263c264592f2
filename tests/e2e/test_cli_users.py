"""The ``users`` commands (CLI.md, "Accounts, the web service and its API") on SQLite and PostgreSQL.

Passwords are hashed with argon2's cheapest parameters here (``cheap_hashing``) so that the suite
stays fast; tests/unit/test_accounts_in_memory.py checks the real parameters.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import argon2
import pytest
from argon2 import PasswordHasher

import ledger.usecases.accounts as accounts_module
from ledger.aggregates import Account
from ledger.domain.errors import RuleViolation
from ledger.storage.credentials import PASSWORD, TOKEN, credentials_for
from ledger.storage.store import parse_store
from ledger.usecases.accounts import NotAuthenticated, token_hash
from ledger.usecases.application import Ledger
from tests.conftest import BACKENDS, PG_URL, Cli, read_model

PW = "correct horse battery"
PW2 = "staple of the ledger"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts_module, "_HASHER", PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))


@pytest.fixture
def year(cli: Any) -> Any:
    """The store with this year's built-in ruleset (unit accounts belong to its units)."""
    cli.actor = "root"
    result = cli("init")
    assert result.exit_code == 0, result.output
    return cli


def add(cli: Any, login: str, *args: str, password: str = PW) -> Any:
    return cli("users", "add", login, *args, "--password-stdin", input=password + "\n")


def listing(cli: Any) -> list[dict[str, Any]]:
    return cli.json("users", "list")



@pytest.fixture
def app(store_url: str) -> Any:
    ledger = Ledger(parse_store(store_url))
    yield ledger
    ledger.close()


def refused(result: Any, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output


class TestAdd:
    def test_an_account_opened_with_a_password_from_stdin_is_listed_and_logs_in(self, year, app):
        result = add(year, "Alice", "--role", "clerk", "--name", "张三")
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "opened account alice"
        [row] = listing(year)
        assert (row["login"], row["name"], row["role"], row["role_label"], row["unit"], row["enabled"],
                row["password_set"], row["tokens"], row["opened_by"]) == (
            "alice", "张三", "clerk", "中心工作人员", None, True, True, 0, "root")
        assert app.authenticate_password("ALICE", PW).as_dict() == {
            "login": "alice", "name": "张三", "role": "clerk", "unit": None, "enabled": True}

    def test_without_password_stdin_the_password_is_asked_twice(self, year, app):
        result = year("users", "add", "bob", "--role", "viewer", input=f"{PW}\n{PW}\n", env={"LANG": "zh_CN.UTF-8"})
        assert result.exit_code == 0, result.output
        assert result.output.count("密码") == 2 and PW not in result.output
        assert app.authenticate_password("bob", PW).role == "viewer"

    def test_a_unit_account_keeps_its_units_code_given_by_name(self, year, app):
        result = add(year, "ts", "--role", "unit", "--unit", "泰山区", "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"login": "ts", "name": "", "role": "unit", "unit": "taishan",
                                             "enabled": True}

    def test_a_unit_account_without_a_unit_is_refused(self, year):
        refused(add(year, "ts", "--role", "unit"), "a unit account needs its unit: give --unit U")
        assert listing(year) == []

    def test_a_unit_account_of_a_unit_the_ruleset_does_not_name_is_refused(self, year):
        refused(add(year, "ts", "--role", "unit", "--unit", "atlantis"),
                f"unknown unit 'atlantis' in the {datetime.now().year} ruleset")
        assert listing(year) == []

    def test_a_unit_given_to_another_role_is_refused(self, year):
        refused(add(year, "c", "--role", "clerk", "--unit", "taishan"), "--unit goes with --role unit only")
        assert listing(year) == []

    def test_a_second_account_of_one_login_is_refused_whatever_its_case(self, year, app):
        assert add(year, "alice", "--role", "clerk").exit_code == 0
        refused(add(year, "ALICE", "--role", "admin", password=PW2), "an account with login 'alice' already exists")
        [row] = listing(year)
        assert row["role"] == "clerk"
        assert app.authenticate_password("alice", PW).role == "clerk"  # the first password still holds
        with pytest.raises(NotAuthenticated):
            app.authenticate_password("alice", PW2)

    def test_a_short_password_is_refused_saying_the_minimum(self, year):
        refused(add(year, "alice", "--role", "clerk", password="123456789"),
                "the password is too short: it needs at least 10 characters")
        assert listing(year) == []

    def test_an_empty_password_is_refused(self, year):
        refused(add(year, "alice", "--role", "clerk", password=""), "the password is empty")
        assert listing(year) == []

    def test_a_login_with_spaces_or_slashes_is_refused(self, year):
        refused(add(year, "a b/c", "--role", "clerk"), "login 'a b/c' is not valid")
        assert listing(year) == []


class TestManage:
    @pytest.mark.parametrize("command", [("disable",), ("enable",), ("role", "--role", "viewer"),
                                         ("password", "--password-stdin"), ("token",), ("revoke-token",)])
    def test_an_unknown_login_is_refused_by_every_command(self, year, command):
        name, *rest = command
        refused(year("users", name, "nobody", *rest, input=PW + "\n"), "no account with login 'nobody'")

    def test_a_disabled_accounts_password_and_token_are_both_refused_until_it_is_enabled(self, year, app):
        add(year, "alice", "--role", "clerk")
        token = year.json("users", "token", "alice")["token"]
        result = year("users", "disable", "alice")
        assert result.exit_code == 0 and result.stdout.strip() == "disabled account alice"
        with pytest.raises(NotAuthenticated, match="account alice is disabled"):
            app.authenticate_password("alice", PW)
        with pytest.raises(NotAuthenticated, match="account alice is disabled"):
            app.authenticate_token(token)
        assert listing(year)[0]["enabled"] is False
        assert year("users", "enable", "alice").exit_code == 0
        assert app.authenticate_password("alice", PW).enabled is True
        assert app.authenticate_token(token).login == "alice"

    def test_disabling_a_disabled_account_is_refused(self, year):
        add(year, "alice", "--role", "clerk")
        year("users", "disable", "alice")
        refused(year("users", "disable", "alice"), "account alice is already disabled")

    def test_a_new_role_and_unit_are_listed_and_authenticated(self, year, app):
        add(year, "alice", "--role", "clerk")
        result = year("users", "role", "alice", "--role", "unit", "--unit", "daiyue", "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["unit"] == "daiyue"
        assert (listing(year)[0]["role"], listing(year)[0]["unit"]) == ("unit", "daiyue")
        assert app.authenticate_password("alice", PW).unit == "daiyue"

    def test_the_role_an_account_already_has_is_refused(self, year):
        add(year, "alice", "--role", "clerk")
        refused(year("users", "role", "alice", "--role", "clerk"), "account alice already has the role clerk")

    def test_a_unit_role_without_a_unit_is_refused_and_the_role_stays(self, year):
        add(year, "alice", "--role", "clerk")
        refused(year("users", "role", "alice", "--role", "unit"), "a unit account needs its unit")
        assert listing(year)[0]["role"] == "clerk"

    def test_a_password_change_makes_the_old_one_fail(self, year, app):
        add(year, "alice", "--role", "clerk")
        result = year("users", "password", "alice", "--password-stdin", input=PW2 + "\n")
        assert result.exit_code == 0 and result.stdout.strip() == "password set for alice"
        with pytest.raises(NotAuthenticated, match="wrong login or password"):
            app.authenticate_password("alice", PW)
        assert app.authenticate_password("alice", PW2).login == "alice"

    def test_a_short_new_password_is_refused_and_the_old_one_stays(self, year, app):
        add(year, "alice", "--role", "clerk")
        refused(year("users", "password", "alice", "--password-stdin", input="short\n"), "at least 10 characters")
        assert app.authenticate_password("alice", PW).login == "alice"

    def test_a_token_is_printed_once_and_authenticates_its_account(self, year, app):
        add(year, "bot", "--role", "auditor")
        result = year("users", "token", "bot", "--label", "nightly verify", env={"LANG": "zh_CN.UTF-8"})
        assert result.exit_code == 0, result.output
        token = result.stdout.strip()
        assert "只显示这一次" in result.stderr
        assert app.authenticate_token(token).role == "auditor"
        assert listing(year)[0]["tokens"] == 1

    def test_a_revoked_token_is_refused(self, year, app):
        add(year, "bot", "--role", "auditor")
        first = year.json("users", "token", "bot")["token"]
        second = year.json("users", "token", "bot", "--label", "backup")["token"]
        assert year.json("users", "revoke-token", "bot") == {"login": "bot", "revoked": 2}
        for token in (first, second):
            with pytest.raises(NotAuthenticated, match="unknown or revoked API token"):
                app.authenticate_token(token)
        assert listing(year)[0]["tokens"] == 0
        assert [credentials_for(app.recorder).get(TOKEN, t.split(".")[0]) for t in (first, second)] == [None, None]
        assert year("users", "revoke-token", "bot").stdout.strip() == "revoked 0 API tokens of bot"

    def test_a_token_with_its_secret_altered_is_refused(self, year, app):
        add(year, "bot", "--role", "auditor")
        token = year.json("users", "token", "bot")["token"]
        token_id, secret = token.split(".")
        with pytest.raises(NotAuthenticated, match="unknown or revoked API token"):
            app.authenticate_token(f"{token_id}.{secret[::-1]}")


class TestReplay:
    def test_the_accounts_list_is_rebuilt_identically(self, year):
        add(year, "alice", "--role", "clerk", "--name", "张三")
        add(year, "ts", "--role", "unit", "--unit", "taishan")
        year("users", "role", "alice", "--role", "admin")
        year("users", "disable", "ts")
        year.json("users", "token", "alice")
        year.json("users", "token", "ts")
        year("users", "revoke-token", "ts")
        before = year("users", "list", "--format", "json").stdout
        assert year("rebuild").exit_code == 0
        assert year("users", "list", "--format", "json").stdout == before
        assert [(r["login"], r["role"], r["enabled"], r["tokens"]) for r in json.loads(before)] == [
            ("alice", "admin", True, 1), ("ts", "unit", False, 0)]

    def test_account_events_are_in_the_log_but_never_in_a_units_own_log(self, year):
        add(year, "ts", "--role", "unit", "--unit", "taishan")
        types = [e["type"] for e in year.json("log")]
        assert types[-2:] == ["AccountOpened", "AccountPasswordSet"]
        assert year.json("log", "--unit", "taishan") == []

    def test_the_table_listing_names_roles_in_chinese(self, year):
        add(year, "ts", "--role", "unit", "--unit", "taishan", "--name", "李四")
        out = year("users", "list").stdout
        assert "单位联络员" in out and "李四" in out and "启用" in out


def _stored_bytes(app: Any) -> bytes:
    rows = app.recorder.event_rows(0, 2**62, 100000)
    return b"\n".join(bytes(r[4]) + r[3].encode() for r in rows)


def _read_model_bytes(store: str) -> bytes:
    """Every row of every read-model table as text (the SQLite file or the PostgreSQL read-model schema)."""
    sqlite = store.startswith("sqlite")
    listing = ("SELECT name FROM sqlite_master WHERE type='table'" if sqlite
               else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    with read_model(store) as db:
        tables = [row[0] for row in db.execute(listing).fetchall()]
        assert "accounts" in tables
        text = "\n".join(repr([tuple(r) for r in db.execute(f'SELECT * FROM "{t}"').fetchall()]) for t in tables)
    assert "alice" in text  # the rows' contents, not their objects' names
    return text.encode()


def test_no_password_hash_token_or_token_hash_reaches_an_event_the_read_model_or_the_output(year, app, tmp_path):
    outputs = [add(year, "alice", "--role", "clerk").output]
    token = year.json("users", "token", "alice", "--label", "ci")["token"]
    outputs.append(year("users", "password", "alice", "--password-stdin", input=PW2 + "\n").output)
    outputs += [year("users", "list").output, year("users", "list", "--format", "json").output,
                year("log", "--format", "json").output]
    store = credentials_for(app.recorder)
    password_hash = store.get(PASSWORD, Account.id_for("alice").hex)[1]
    kept_token_hash = store.get(TOKEN, token.split(".")[0])[1]
    assert password_hash.startswith("$argon2id$") and kept_token_hash == token_hash(token)
    events = _stored_bytes(app)
    assert b"AccountPasswordSet" in events and token.split(".")[0].encode() in events  # the facts are there
    views = _read_model_bytes(app.location.url)
    secrets_ = [password_hash, password_hash.rsplit("$", 1)[1], kept_token_hash, token, token.split(".")[1], PW, PW2]
    for secret in secrets_:
        assert secret.encode() not in events, secret
        assert secret.encode() not in views, secret
        assert all(secret not in out for out in outputs), secret


def test_two_concurrent_adds_of_one_login_one_wins(year, store_url):
    apps = [Ledger(parse_store(store_url)) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[Any] = [None, None]

    def add_one(i: int) -> None:
        barrier.wait()
        try:
            apps[i].add_account(login="alice", role="clerk", password=[PW, PW2][i], actor=f"writer{i}")
            outcomes[i] = "won"
        except RuleViolation as e:
            outcomes[i] = str(e)

    threads = [threading.Thread(target=add_one, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert sorted(outcomes) == ["an account with login 'alice' already exists", "won"]
        winner = outcomes.index("won")
        assert apps[0].authenticate_password("alice", [PW, PW2][winner]).login == "alice"
        with pytest.raises(NotAuthenticated):
            apps[0].authenticate_password("alice", [PW, PW2][1 - winner])
        [row] = listing(year)
        assert row["opened_by"] == f"writer{winner}"
    finally:
        for a in apps:
            a.close()


@pytest.mark.skipif("postgres" not in BACKENDS, reason="HOTLINE_LEDGER_TEST_BACKENDS excludes postgres")
class TestRoles:
    """A writer role (the web service) manages credentials; a reader role cannot read a hash."""

    @pytest.fixture
    def stores(self, tmp_path, monkeypatch) -> Iterator[tuple[Any, Any, Any]]:
        import psycopg

        schema, made = f"t_{uuid.uuid4().hex[:16]}", []
        host = PG_URL.split("@", 1)[1].split("?", 1)[0]
        owner = Cli(f"{PG_URL}?schema={schema}", actor="owner")
        owner.json("init")
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for kind in ("writer", "reader"):
                made.append(f"{kind}_{uuid.uuid4().hex[:10]}")
                conn.execute(f'CREATE ROLE "{made[-1]}" LOGIN')
                assert owner("db", "grant", made[-1], "--as", kind).exit_code == 0
        try:
            yield owner, *(Cli(f"postgresql://{role}@{host}?schema={schema}", actor=role) for role in made)
        finally:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                for role in made:
                    conn.execute(f'DROP OWNED BY "{role}"')
                    conn.execute(f'DROP ROLE "{role}"')

    def test_a_writer_role_opens_accounts_and_changes_passwords(self, stores):
        _, writer, _ = stores
        assert add(writer, "alice", "--role", "clerk").exit_code == 0
        assert writer("users", "password", "alice", "--password-stdin", input=PW2 + "\n").exit_code == 0
        assert writer.json("users", "token", "alice")["token"]
        assert writer.json("users", "revoke-token", "alice")["revoked"] == 1

    def test_a_reader_role_cannot_read_the_hashes(self, stores):
        import psycopg

        owner, _, reader = stores
        add(owner, "alice", "--role", "clerk")
        with psycopg.connect(reader.store.split("?")[0], autocommit=True) as conn, \
                pytest.raises(psycopg.errors.InsufficientPrivilege):
            schema = owner.store.split("schema=")[1]
            conn.execute(f'SELECT hash FROM "{schema}".ledger_credentials')


def test_a_taken_login_is_refused_before_the_password_is_asked_for(year):
    add(year, "alice", "--role", "clerk")
    result = year("users", "add", "alice", "--role", "viewer", input="")
    refused(result, "an account with login 'alice' already exists")
    assert "Password" not in result.output


def test_a_store_made_before_accounts_gets_its_credentials_table_when_next_opened(year, store_url, app):
    if store_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(store_url[len("sqlite:///"):]) as conn:
            conn.execute("DROP TABLE ledger_credentials")
    else:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP TABLE "{store_url.split("schema=")[1]}".ledger_credentials')
    assert add(year, "alice", "--role", "clerk").exit_code == 0
    assert app.authenticate_password("alice", PW).login == "alice"


def test_account_events_keep_the_chain_and_the_read_model_verifiable(year):
    add(year, "alice", "--role", "clerk")
    year.json("users", "token", "alice")
    year("users", "revoke-token", "alice")
    result = year("verify")
    assert result.exit_code == 0, result.output
