"""``export`` and ``import ledger``: a ledger moves from SQLite to PostgreSQL (or back) exactly.

The source is always an SQLite file; the target is the parametrized fresh store (SQLite or
PostgreSQL), so the move SQLite → PostgreSQL is exercised on the postgres leg.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.domain.errors import RuleViolation
from ledger.storage.chain import verify_chain
from tests.conftest import Cli


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """An SQLite ledger with a year of records, a retraction, a decided dispute, an attachment and a seal."""
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "source.views"))
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "source.evidence"))
    cli = Cli(f"sqlite:///{tmp_path}/source.db")
    cli.json("init", "--year", "2025")
    (tmp_path / "photo.txt").write_text("现场照片", encoding="utf-8")
    a = cli.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "工单TA1",
                 "--attach", str(tmp_path / "photo.txt"))["id"]
    b = cli.json("record", "--unit", "daiyue", "--item", "2.4", "--date", "2025-04-01", "--evidence", "工单TA2")["id"]
    cli.json("record", "--unit", "gaoxin", "--item", "5.1", "--date", "2025-05-01", "--evidence", "表扬")
    cli.json("assess", "--unit", "taishan", "--item", "1.1.1", "--points", "0.4", "--date", "2025-06-01",
             "--evidence", "检查表")
    cli.json("retract", b, "--reason", "重复")
    d = cli.json("dispute", "open", a, "--reason", "已答复", "--evidence", "录音")["id"]
    cli.json("dispute", "decide", d, "--decision", "amend", "--count", "2", "--reason", "核实")
    cli.json("seal", "keygen", str(tmp_path / "seal.pem"))
    monkeypatch.setenv("HOTLINE_LEDGER_SEAL_KEY", str(tmp_path / "seal.pem"))
    cli.json("seal")
    return cli


def _export(source: Cli, path: Path) -> dict:
    return source.json("export", str(path))


def _in_target_env(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "views.db"))
    monkeypatch.setenv("HOTLINE_LEDGER_EVIDENCE", str(tmp_path / "evidence"))


SCORE = ("score", "--year", "2025", "--as-of", "2025-12-31")
TRACE = ("trace", "--year", "2025", "--unit", "taishan", "--as-of", "2025-12-31")


class TestMove:
    def test_a_ledger_moved_by_export_and_import_verifies_and_scores_identically(
            self, source, cli, tmp_path, monkeypatch):
        score_before, trace_before = source.json(*SCORE), source.json(*TRACE)
        exported = _export(source, tmp_path / "ledger.jsonl")
        _in_target_env(cli, tmp_path, monkeypatch)

        imported = cli.json("import", "ledger", str(tmp_path / "ledger.jsonl"))

        # init + 3 records + 1 assessment + 1 retraction + dispute opened and decided + 1 seal = 9 events
        assert exported["events"] == imported["events"] == 9
        assert imported["evidence"] == 1
        assert imported["head"] == exported["head"]
        assert cli("verify").exit_code == 0
        assert [s["signature"] for s in cli.json("verify")["seals"]] == ["valid"]  # the signature moved with it
        assert cli.json(*SCORE) == score_before
        assert cli.json(*TRACE) == trace_before

    def test_the_moved_ledger_keeps_recording_after_the_restored_events(self, source, cli, tmp_path, monkeypatch):
        _export(source, tmp_path / "ledger.jsonl")
        _in_target_env(cli, tmp_path, monkeypatch)
        cli.json("import", "ledger", str(tmp_path / "ledger.jsonl"))

        cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-07-01", "--evidence", "知识库")

        assert cli("verify").exit_code == 0
        # 2.1 max 3.00 − 1 × 0.10 = 2.90
        taishan = next(u for u in cli.json(*SCORE)["units"] if u["unit"] == "taishan")
        items = {i["code"]: i for s in taishan["sections"] for i in s["items"]}
        assert items["2.1"]["points"] == "2.90"

    def test_an_encrypted_ledger_moves_with_its_key_and_reads_as_before(self, tmp_path, cli, monkeypatch):
        """The cipher text is copied, not re-encrypted: the moved ledger opens with the same key."""
        from eventsourcing.cipher import AESCipher

        key = AESCipher.create_key(32)
        monkeypatch.setenv("HOTLINE_LEDGER_CIPHER_KEY", key)
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "enc.views"))
        src = Cli(f"sqlite:///{tmp_path}/enc.db")
        src.json("init", "--year", "2025")
        src.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04", "--evidence", "工单TA9")
        score_before = src.json(*SCORE)
        assert src("export", str(tmp_path / "enc.jsonl")).exit_code == 0
        _in_target_env(cli, tmp_path, monkeypatch)
        monkeypatch.setenv("HOTLINE_LEDGER_CIPHER_KEY", key)

        assert cli("import", "ledger", str(tmp_path / "enc.jsonl")).exit_code == 0  # each event decoded and checked
        assert cli("verify").exit_code == 0
        assert cli.json(*SCORE) == score_before

    def test_an_encrypted_export_imported_without_its_key_is_refused_naming_the_key(self, tmp_path, cli, monkeypatch):
        from eventsourcing.cipher import AESCipher

        monkeypatch.setenv("HOTLINE_LEDGER_CIPHER_KEY", AESCipher.create_key(32))
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "enc.views"))
        src = Cli(f"sqlite:///{tmp_path}/enc.db")
        src.json("init", "--year", "2025")
        assert src("export", str(tmp_path / "enc.jsonl")).exit_code == 0
        monkeypatch.delenv("HOTLINE_LEDGER_CIPHER_KEY")
        _in_target_env(cli, tmp_path, monkeypatch)

        result = cli("import", "ledger", str(tmp_path / "enc.jsonl"))

        assert result.exit_code == 1
        assert f"the export {tmp_path / 'enc.jsonl'}:2 is encrypted: set HOTLINE_LEDGER_CIPHER_KEY" in result.stderr
        assert cli.json("log") == []


class TestRefusals:
    def test_importing_into_a_store_that_holds_events_is_refused_and_changes_nothing(
            self, source, cli, tmp_path, monkeypatch):
        _export(source, tmp_path / "ledger.jsonl")
        _in_target_env(cli, tmp_path, monkeypatch)
        cli.json("init", "--year", "2025")
        before = cli.json("log")

        result = cli("import", "ledger", str(tmp_path / "ledger.jsonl"))

        assert result.exit_code == 1
        assert "not empty" in result.stderr
        assert "Traceback" not in result.output
        assert cli.json("log") == before

    @pytest.mark.parametrize("damage", ["edited", "truncated", "reordered"])
    def test_a_damaged_export_is_refused_and_imports_nothing(self, source, ledger, tmp_path, damage):
        from ledger.storage.backup import import_ledger

        path = tmp_path / "ledger.jsonl"
        _export(source, path)
        lines = path.read_text(encoding="utf-8").splitlines()
        if damage == "edited":
            event = json.loads(lines[3])
            event["topic"] = event["topic"] + "X"
            lines[3] = json.dumps(event)
        elif damage == "truncated":
            lines = lines[:-1]
        else:
            lines[2], lines[3] = lines[3], lines[2]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

        with pytest.raises(RuleViolation, match="nothing was imported"):
            import_ledger(ledger, str(path))

        assert ledger.recorder.max_notification_id() is None
        assert verify_chain(ledger.recorder).count == 0

    def test_a_file_that_is_not_an_export_is_refused_naming_it(self, cli, tmp_path):
        path = tmp_path / "orders.csv"
        path.write_text('{"order_id": "TA1"}\n', encoding="utf-8")

        result = cli("import", "ledger", str(path))

        assert result.exit_code == 1
        assert f"{path}:1: not a hotline-ledger export" in result.stderr
