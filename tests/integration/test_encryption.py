"""Encryption at rest: with HOTLINE_LEDGER_CIPHER_KEY set, the stored event payloads are AES-GCM cipher text.

The raw tables are read directly, as someone with a copy of the database file or a dump would;
the order id, the unit's code and name, and the evidence text must not appear in them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from eventsourcing.cipher import AESCipher

from ledger.storage.store import parse_store
from projections.view_postgres import TABLES
from tests.conftest import read_model

DATA = Path(__file__).resolve().parents[1] / "data"
SECRETS = ["TA2025040100001", "taishan", "泰山区", "工单TA2025030400123", "群众反映的隐私"]


def _raw_states(url: str) -> list[bytes]:
    """Every stored event's state bytes, read past the ledger."""
    env = parse_store(url).env
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        with sqlite3.connect(env["SQLITE_DBNAME"]) as conn:
            return [bytes(r[0]) for r in conn.execute("SELECT state FROM stored_events")]
    with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], dbname=env["POSTGRES_DBNAME"],
                         user=env["POSTGRES_USER"]) as conn:
        rows = conn.execute(f'SELECT state FROM "{env["POSTGRES_SCHEMA"]}".ledger_events').fetchall()
        return [bytes(r[0]) for r in rows]


def _record_sensitive(cli) -> None:
    cli.json("init", "--year", "2025")
    cli.json("record", "--unit", "泰山区", "--item", "2.2.1", "--date", "2025-03-04",
             "--evidence", "工单TA2025030400123", "--note", "群众反映的隐私")
    assert cli("import", "workorders", str(DATA / "workorders_small.csv")).exit_code == 0


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    key = AESCipher.create_key(32)
    monkeypatch.setenv("HOTLINE_LEDGER_CIPHER_KEY", key)
    return key


class TestEncryptedAtRest:
    def test_no_order_id_unit_name_or_evidence_text_is_stored_in_plain_text(self, cli, key):
        _record_sensitive(cli)

        states = _raw_states(cli.store)

        assert len(states) >= 3  # the ruleset, the occurrence, at least one work-order chunk
        for secret in SECRETS:
            assert not any(secret.encode() in s for s in states), secret

    def test_without_a_key_the_same_records_are_plain_json(self, cli, monkeypatch):
        """The control: the check above would have found them."""
        monkeypatch.delenv("HOTLINE_LEDGER_CIPHER_KEY", raising=False)
        _record_sensitive(cli)

        states = _raw_states(cli.store)

        for secret in SECRETS:
            assert any(secret.encode() in s for s in states), secret

    def test_with_the_key_the_ledger_reads_as_usual(self, cli, key):
        _record_sensitive(cli)

        trace = cli.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.2.1", "--as-of", "2025-12-31")

        assert [e["evidence"] for e in trace["items"][0]["events"]] == ["工单TA2025030400123"]
        assert cli("verify").exit_code == 0


def _fresh_read_model(cli, monkeypatch):
    """Read through a read model not yet built, so that the key must decode the events themselves."""
    location = parse_store(cli.store)
    if location.views_path is not None:
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(Path(location.views_path).with_suffix(".2")))
        return
    with read_model(cli.store) as db:
        for table in TABLES:
            db.execute(f"DELETE FROM {table}")


class TestWrongKey:
    @pytest.mark.parametrize("command", [("score", "--year", "2025"), ("init", "--year", "2025"),
                                         ("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-05-01",
                                          "--evidence", "x")])
    def test_a_wrong_key_is_refused_with_one_message_and_changes_nothing(self, cli, key, monkeypatch, command):
        _record_sensitive(cli)
        before = _raw_states(cli.store)
        monkeypatch.setenv("HOTLINE_LEDGER_CIPHER_KEY", AESCipher.create_key(32))
        # a fresh read model, so the wrong key must decode the events itself
        _fresh_read_model(cli, monkeypatch)

        result = cli(*command)

        assert result.exit_code == 1
        assert "HOTLINE_LEDGER_CIPHER_KEY" in result.stderr
        assert "Traceback" not in result.output
        assert _raw_states(cli.store) == before

    def test_a_missing_key_on_an_encrypted_ledger_is_refused(self, cli, key, monkeypatch):
        _record_sensitive(cli)
        monkeypatch.delenv("HOTLINE_LEDGER_CIPHER_KEY")
        _fresh_read_model(cli, monkeypatch)

        result = cli("score", "--year", "2025")

        assert result.exit_code == 1
        assert "HOTLINE_LEDGER_CIPHER_KEY" in result.stderr
        assert "Traceback" not in result.output

    def test_a_malformed_key_is_refused_with_one_message(self, cli, monkeypatch):
        monkeypatch.setenv("HOTLINE_LEDGER_CIPHER_KEY", "not-a-key")

        result = cli("init", "--year", "2025")

        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert "not-a-key" not in result.stderr  # a key is never printed either
