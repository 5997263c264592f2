"""One key per ledger (issue 11): every command refuses a missing or wrong key on an encrypted ledger, and any key
on a plaintext one, with one message, exit 1 and nothing written; the right key (or none) works as usual.

The store is counted past the ledger (its events and chain rows), as someone with the database would.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.cipher import AESCipher

from ledger.storage.store import parse_store

KEY_ENV = "HOTLINE_LEDGER_CIPHER_KEY"
KEY, OTHER = AESCipher.create_key(32), AESCipher.create_key(32)
WORKORDERS = Path(__file__).resolve().parents[1] / "data" / "workorders_small.csv"


def _rows(url: str) -> tuple[int, int]:
    """(events, chain rows) in the store, counted past the ledger."""
    env = parse_store(url).env
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        if not Path(env["SQLITE_DBNAME"]).exists():
            return (0, 0)  # a refused command removes the new store it made: nothing was written
        with sqlite3.connect(env["SQLITE_DBNAME"]) as conn:
            return (conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0],
                    conn.execute("SELECT COUNT(*) FROM stored_events_chain").fetchone()[0])
    schema = env["POSTGRES_SCHEMA"]
    with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], dbname=env["POSTGRES_DBNAME"],
                         user=env["POSTGRES_USER"]) as conn:
        return (conn.execute(f'SELECT COUNT(*) FROM "{schema}".ledger_events').fetchone()[0],
                conn.execute(f'SELECT COUNT(*) FROM "{schema}".ledger_events_chain').fetchone()[0])


def _first_state(url: str) -> bytes:
    env = parse_store(url).env
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        with sqlite3.connect(env["SQLITE_DBNAME"]) as conn:
            return bytes(conn.execute("SELECT state FROM stored_events ORDER BY rowid LIMIT 1").fetchone()[0])
    with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], dbname=env["POSTGRES_DBNAME"],
                         user=env["POSTGRES_USER"]) as conn:
        return bytes(conn.execute(f'SELECT state FROM "{env["POSTGRES_SCHEMA"]}".ledger_events '
                                  "ORDER BY notification_id LIMIT 1").fetchone()[0])


def _small_ledger(cli: Any, monkeypatch: pytest.MonkeyPatch, key: str | None) -> str:
    """A ruleset and one occurrence, recorded with ``key`` (or none), read once so the read model is current.

    Returns the occurrence's id.
    """
    if key:
        monkeypatch.setenv(KEY_ENV, key)
    cli.json("init", "--year", "2025")
    occurrence = cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04",
                          "--evidence", "工单TA1")["id"]
    cli.json("score", "--year", "2025")
    return str(occurrence)


def _commands(tmp_path: Path, occurrence: str) -> dict[str, list[str]]:
    """One command of every family, by name: each would read or write the ledger."""
    batch = tmp_path / "events.csv"
    batch.write_text("unit,item,date,count,evidence,note\ntaishan,2.1,2025-03-05,1,工单TA2,\n", encoding="utf-8")
    return {
        "init": ["init", "--year", "2026"],
        "init-same-year": ["init", "--year", "2025"],
        "record": ["record", "--unit", "taishan", "--item", "2.1", "--date", "2025-05-01", "--evidence", "x"],
        "retract": ["retract", occurrence, "--reason", "r"],
        "dispute-open": ["dispute", "open", occurrence, "--reason", "r", "--evidence", "e"],
        "seal": ["seal", "--unsigned", "--note", "bulletin"],
        "calendar-set": ["calendar", "set", "2025-10-08", "--workday", "--evidence", "国办发明电"],
        "import-events": ["import", "events", str(batch)],
        "import-workorders": ["import", "workorders", str(WORKORDERS)],
        "score": ["score", "--year", "2025"],
        "trace": ["trace", "--year", "2025", "--unit", "taishan"],
        "log": ["log"],
        "rules-show": ["rules", "show", "--year", "2025"],
        "dispute-list": ["dispute", "list"],
        "verify": ["verify"],
        "rebuild": ["rebuild"],
        "export": ["export", str(tmp_path / "backup.jsonl")],
    }


COMMANDS = ["init", "init-same-year", "record", "retract", "dispute-open", "seal", "calendar-set", "import-events",
            "import-workorders", "score", "trace", "log", "rules-show", "dispute-list", "verify", "rebuild", "export"]


def _assert_refused(result: Any, cli: Any, before: tuple[int, int], tmp_path: Path, *, says: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""  # nothing read: no score, no log, no id
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and KEY_ENV in lines[0] and says in lines[0], result.stderr
    assert _rows(cli.store) == before
    assert not (tmp_path / "backup.jsonl").exists()


class TestEncryptedLedger:
    @pytest.mark.parametrize("name", COMMANDS)
    def test_every_command_without_the_key_is_refused_and_writes_nothing(self, cli, monkeypatch, tmp_path, name):
        occurrence = _small_ledger(cli, monkeypatch, KEY)
        before = _rows(cli.store)
        monkeypatch.delenv(KEY_ENV)

        result = cli(*_commands(tmp_path, occurrence)[name])

        _assert_refused(result, cli, before, tmp_path, says="this ledger is encrypted")

    @pytest.mark.parametrize("name", COMMANDS)
    def test_every_command_with_a_wrong_key_is_refused_and_writes_nothing(self, cli, monkeypatch, tmp_path, name):
        occurrence = _small_ledger(cli, monkeypatch, KEY)
        before = _rows(cli.store)
        monkeypatch.setenv(KEY_ENV, OTHER)

        result = cli(*_commands(tmp_path, occurrence)[name])

        _assert_refused(result, cli, before, tmp_path, says="is not the key of this ledger")

    @pytest.mark.parametrize("name", COMMANDS)
    def test_every_command_with_the_right_key_works(self, cli, monkeypatch, tmp_path, name):
        occurrence = _small_ledger(cli, monkeypatch, KEY)

        result = cli(*_commands(tmp_path, occurrence)[name])

        assert result.exit_code == 0, result.output

    def test_the_key_is_never_printed_when_it_is_wrong(self, cli, monkeypatch):
        _small_ledger(cli, monkeypatch, KEY)
        monkeypatch.setenv(KEY_ENV, OTHER)

        result = cli("score", "--year", "2025")

        assert OTHER not in result.output and KEY not in result.output

    def test_an_edited_first_event_is_named_as_an_edit_not_as_a_wrong_key(self, cli, monkeypatch, tmp_path):
        _small_ledger(cli, monkeypatch, KEY)
        env = parse_store(cli.store).env
        if env["PERSISTENCE_MODULE"] != "eventsourcing.sqlite":
            pytest.skip("the events table refuses UPDATE on PostgreSQL")
        with sqlite3.connect(env["SQLITE_DBNAME"]) as conn:
            state = bytearray(_first_state(cli.store))
            state[-1] ^= 1
            conn.execute("UPDATE stored_events SET state = ? WHERE rowid = 1", (bytes(state),))
        before = _rows(cli.store)

        result = cli("score", "--year", "2025")

        _assert_refused(result, cli, before, tmp_path, says="first event #1")
        assert "differs from its chain entry (edited?)" in result.stderr


class TestPlaintextLedger:
    @pytest.mark.parametrize("name", COMMANDS)
    def test_a_key_given_to_a_plaintext_ledger_is_refused_and_writes_nothing(self, cli, monkeypatch, tmp_path, name):
        occurrence = _small_ledger(cli, monkeypatch, None)
        before = _rows(cli.store)
        monkeypatch.setenv(KEY_ENV, KEY)

        result = cli(*_commands(tmp_path, occurrence)[name])

        _assert_refused(result, cli, before, tmp_path, says="this ledger is not encrypted")
        assert _first_state(cli.store).startswith(b"{")  # still plain JSON: nothing half-encrypted

    def test_without_a_key_a_plaintext_ledger_works_as_usual(self, cli, monkeypatch):
        _small_ledger(cli, monkeypatch, None)

        assert cli("verify").exit_code == 0


class TestTheFirstWriteFixesTheMode:
    def test_the_first_init_with_a_key_encrypts_the_ledger_for_good(self, cli, monkeypatch):
        monkeypatch.setenv(KEY_ENV, KEY)
        cli.json("init", "--year", "2025")
        monkeypatch.delenv(KEY_ENV)

        result = cli("init", "--year", "2026")

        assert result.exit_code == 1 and "this ledger is encrypted" in result.stderr
        assert _rows(cli.store) == (1, 1)

    def test_a_writer_that_opened_the_empty_store_without_a_key_is_refused_once_another_encrypted_it(
            self, store_url, monkeypatch):
        from ledger.rulesets.loading import builtin_text
        from ledger.storage.encryption import KeyRefused
        from ledger.usecases.application import Ledger

        plain = Ledger(parse_store(store_url))  # opened while the store is empty: nothing to check yet
        monkeypatch.setenv(KEY_ENV, KEY)
        keyed = Ledger(parse_store(store_url))
        keyed.adopt_ruleset(2025, builtin_text(), "built-in", "clerk-a")
        keyed.close()
        try:
            with pytest.raises(KeyRefused, match="this ledger is encrypted"):
                plain.adopt_ruleset(2026, builtin_text(), "built-in", "clerk-b")
        finally:
            plain.close()

        assert _rows(store_url) == (1, 1)

    def test_a_malformed_key_is_refused_before_the_store_is_touched(self, cli, monkeypatch):
        monkeypatch.setenv(KEY_ENV, "bm90IGEga2V5")  # base64, but of 9 bytes

        result = cli("init", "--year", "2025")

        assert result.exit_code == 1 and "is not a key" in result.stderr
        assert "bm90IGEga2V5" not in result.output


class TestMovingAnEncryptedLedger:
    """There is no key rotation: an export copies the cipher text, so the moved ledger keeps its key."""

    def _export(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Any]:
        from tests.conftest import Cli

        monkeypatch.setenv(KEY_ENV, KEY)
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "source.views"))
        source = Cli(f"sqlite:///{tmp_path}/source.db")
        source.json("init", "--year", "2025")
        source.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04", "--evidence", "工单TA1")
        assert source("export", str(tmp_path / "moved.jsonl")).exit_code == 0
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "target.views"))
        return tmp_path / "moved.jsonl", source

    def test_an_export_imported_with_a_new_key_is_refused_and_writes_nothing(self, cli, monkeypatch, tmp_path):
        export, _ = self._export(tmp_path, monkeypatch)
        monkeypatch.setenv(KEY_ENV, OTHER)

        result = cli("import", "ledger", str(export))

        assert result.exit_code == 1 and "is not the key of the export" in result.stderr
        assert _rows(cli.store) == (0, 0)

    def test_an_export_imported_without_a_key_is_refused_and_writes_nothing(self, cli, monkeypatch, tmp_path):
        export, _ = self._export(tmp_path, monkeypatch)
        monkeypatch.delenv(KEY_ENV)

        result = cli("import", "ledger", str(export))

        assert result.exit_code == 1 and "is encrypted: set HOTLINE_LEDGER_CIPHER_KEY" in result.stderr
        assert _rows(cli.store) == (0, 0)

    def test_an_export_imported_with_its_own_key_reads_as_before(self, cli, monkeypatch, tmp_path):
        export, source = self._export(tmp_path, monkeypatch)
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "source.views"))
        before = source.json("score", "--year", "2025")
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "target.views"))

        assert cli("import", "ledger", str(export)).exit_code == 0

        assert cli("verify").exit_code == 0
        after = cli.json("score", "--year", "2025")
        assert after["units"] == before["units"]
