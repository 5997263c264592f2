"""``import ledger`` checks what a restored event means, not only that the chain agrees with itself.

Each hostile file below is a real export edited and then re-chained exactly as ledger/storage/chain.py
chains events (``_rechain``), so only the meaning checks can catch it. Every refusal must name
``FILE:LINE``, write no event and leave no evidence file behind. Source: an SQLite ledger; target:
the parametrized fresh store (SQLite and PostgreSQL).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger.storage.export import CHUNK
from tests.conftest import Cli

SCORE = ("score", "--year", "2025", "--as-of", "2025-12-31")


@pytest.fixture
def exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Any]:
    """An export of: #1 the 2025 ruleset, #2 an occurrence with an attachment, #3 an occurrence, #4 its retraction.

    Returns the export's path and the source's scores.
    """
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "source.views"))
    source = Cli(f"sqlite:///{tmp_path}/source.db")
    source.json("init", "--year", "2025")
    (tmp_path / "photo.txt").write_text("现场照片", encoding="utf-8")
    source.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", "2025-03-04", "--evidence", "工单TA1",
                "--attach", str(tmp_path / "photo.txt"))
    b = source.json("record", "--unit", "daiyue", "--item", "2.4", "--date", "2025-04-01", "--evidence", "工单TA2")
    source.json("retract", b["id"], "--reason", "重复")
    path = tmp_path / "ledger.jsonl"
    source.json("export", str(path))
    score = source.json(*SCORE)
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "target.views"))
    return path, score


def _objects(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _rechain(objects: list[dict[str, Any]]) -> None:
    """Recompute every chain hash, the trailer's head and count, as ledger/storage/chain.py does (sha256,
    length-prefixed)."""
    previous, events = bytes(32), 0
    for obj in objects:
        if obj.get("kind") == "event":
            digest = hashlib.sha256()
            fields = (str(obj["originator_id"]).encode(), str(obj["originator_version"]).encode(),
                      str(obj["topic"]).encode(), base64.b64decode(obj["state"]))
            for field in fields:
                digest.update(len(field).to_bytes(8, "big"))
                digest.update(field)
            previous = hashlib.sha256(previous + int(obj["notification_id"]).to_bytes(8, "big", signed=True)
                                      + digest.digest()).digest()
            obj["hash"], events = previous.hex(), events + 1
        elif obj.get("kind") == "end":
            obj["head"], obj["events"] = previous.hex(), events


def _state(event: dict[str, Any], **changes: Any) -> None:
    state = json.loads(base64.b64decode(event["state"]))
    state.update(changes)
    event["state"] = base64.b64encode(json.dumps(state, ensure_ascii=False).encode()).decode()


def _craft(path: Path, edit: Callable[[list[dict[str, Any]]], None]) -> Path:
    """A copy of the export with ``edit`` applied to its event objects (in order), correctly re-chained."""
    objects = _objects(path)
    edit([o for o in objects if o.get("kind") == "event"])
    _rechain(objects)
    crafted = path.with_name("crafted.jsonl")
    crafted.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")
    return crafted


def _evidence_left(tmp_path: Path) -> list[Path]:
    """Evidence files (or staging folders) anywhere under tmp_path but the source's own evidence."""
    source = tmp_path / "source.db.evidence"
    return [p for p in tmp_path.rglob("*")
            if source not in p.parents and (len(p.name) == 64 or ".restore-" in p.name)]


def _refused(cli: Cli, tmp_path: Path, crafted: Path, line: int, message: str) -> str:
    result = cli("import", "ledger", str(crafted))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    named = [x for x in result.stderr.removeprefix("Error: ").splitlines() if x.startswith(f"{crafted}:{line}: ")]
    assert named and message in named[0], result.stderr
    assert "nothing was imported" in result.stderr
    assert cli.json("log") == []
    assert _evidence_left(tmp_path) == []
    return result.stderr


class TestCraftedFiles:
    def test_a_negative_count_is_refused_naming_its_line(self, exported, cli, tmp_path):
        crafted = _craft(exported[0], lambda ev: _state(ev[1], count=-3))

        _refused(cli, tmp_path, crafted, 3, "count must be a positive integer, not -3")

    def test_an_unknown_unit_is_refused_naming_its_line(self, exported, cli, tmp_path):
        crafted = _craft(exported[0], lambda ev: _state(ev[2], unit="nowhere"))

        _refused(cli, tmp_path, crafted, 4, "unknown unit 'nowhere' in the 2025 ruleset")

    def test_an_unknown_item_is_refused_naming_its_line(self, exported, cli, tmp_path):
        crafted = _craft(exported[0], lambda ev: _state(ev[2], item="9.9.9"))

        _refused(cli, tmp_path, crafted, 4, "unknown item '9.9.9' in the 2025 ruleset")

    def test_an_occurrence_in_2031_with_no_ruleset_restored_for_it_is_refused(self, exported, cli, tmp_path):
        crafted = _craft(exported[0], lambda ev: _state(ev[1], date="2031-03-04", year=2031))

        _refused(cli, tmp_path, crafted, 3, "no ruleset for 2031 is adopted before this event in the file")

    def test_a_year_that_disagrees_with_the_date_is_refused(self, exported, cli, tmp_path):
        crafted = _craft(exported[0], lambda ev: _state(ev[2], year=2031))

        _refused(cli, tmp_path, crafted, 4, "its year is 2031, where the ledger would record 2025")

    def test_an_aggregate_id_that_is_not_a_uuid_is_refused(self, exported, cli, tmp_path):
        def edit(ev: list[dict[str, Any]]) -> None:
            ev[2]["originator_id"] = ev[3]["originator_id"] = "not-a-uuid"

        _refused(cli, tmp_path, _craft(exported[0], edit), 4, "its aggregate id 'not-a-uuid' is not a UUID")

    def test_a_foreign_topic_is_refused_and_never_run(self, exported, cli, tmp_path):
        victim = tmp_path / "victim.txt"
        victim.write_text("keep me", encoding="utf-8")

        def edit(ev: list[dict[str, Any]]) -> None:
            ev[2]["topic"] = "logging:basicConfig"
            ev[2]["state"] = base64.b64encode(json.dumps({"filename": str(victim), "filemode": "w"}).encode()).decode()

        _refused(cli, tmp_path, _craft(exported[0], edit), 4, "'logging:basicConfig' is not one of the ledger's event")
        assert victim.read_text(encoding="utf-8") == "keep me"

    def test_a_version_gap_is_refused(self, exported, cli, tmp_path):
        crafted = _craft(exported[0], lambda ev: ev[3].update(originator_version=3))

        _refused(cli, tmp_path, crafted, 5, "version 3 follows version 1 of its aggregate")

    def test_a_repeated_version_is_named_by_line_even_when_earlier_batches_were_already_sent(
            self, exported, cli, tmp_path, monkeypatch):
        monkeypatch.setattr("ledger.storage.backup.BATCH", 1)  # every event goes to the store as soon as it is checked
        crafted = _craft(exported[0], lambda ev: ev[3].update(originator_version=1))

        _refused(cli, tmp_path, crafted, 5, "version 1 follows version 1 of its aggregate")

    def test_an_event_before_its_aggregate_was_created_is_refused(self, exported, cli, tmp_path):
        def edit(ev: list[dict[str, Any]]) -> None:
            ev[2]["originator_version"] = 2  # the occurrence's creation claims to be its second version

        _refused(cli, tmp_path, _craft(exported[0], edit), 4, "an aggregate starts at version 1, not 2")

    def test_a_retraction_of_an_occurrence_already_retracted_is_refused(self, exported, cli, tmp_path):
        objects = _objects(exported[0])
        last = max(i for i, o in enumerate(objects) if o.get("kind") == "event")
        again = dict(objects[last], originator_version=3, notification_id=objects[last]["notification_id"] + 1)
        objects.insert(last + 1, again)
        _rechain(objects)
        crafted = exported[0].with_name("crafted.jsonl")
        crafted.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")

        _refused(cli, tmp_path, crafted, 6, "is already retracted")

    def test_a_dispute_of_an_occurrence_the_file_does_not_hold_is_refused(self, cli, tmp_path, monkeypatch):
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "source.views"))
        source = Cli(f"sqlite:///{tmp_path}/source.db")
        source.json("init", "--year", "2025")
        a = source.json("record", "--unit", "taishan", "--item", "2.4", "--date", "2025-03-04", "--evidence", "工单1")
        d = source.json("dispute", "open", a["id"], "--reason", "已答复", "--evidence", "录音")
        source.json("dispute", "decide", d["id"], "--decision", "accept", "--reason", "核实")
        path = tmp_path / "ledger.jsonl"
        source.json("export", str(path))
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "target.views"))
        crafted = _craft(path, lambda ev: _state(ev[2], target="00000000-0000-4000-8000-000000000000"))

        stderr = _refused(cli, tmp_path, crafted, 4, "disputes occurrence '00000000-0000-4000-8000-000000000000', "
                                                     "which no earlier event records")
        assert "1 problem(s)" in stderr  # its decision, on line 5, is still re-decided: no crash, no echo

    def test_every_problem_of_a_file_is_listed_each_with_its_line(self, exported, cli, tmp_path):
        def edit(ev: list[dict[str, Any]]) -> None:
            _state(ev[1], count=0)
            _state(ev[2], unit="nowhere")

        stderr = _refused(cli, tmp_path, _craft(exported[0], edit), 3, "count must be a positive integer, not 0")
        assert f"{exported[0].with_name('crafted.jsonl')}:4: " in stderr
        assert "2 problem(s)" in stderr

    def test_an_attachment_whose_file_is_missing_from_the_export_is_refused(self, exported, cli, tmp_path):
        path = exported[0]
        objects = _objects(path)
        objects = [o for o in objects if o.get("kind") not in ("evidence", "chunk")]
        objects[-1]["evidence"] = 0
        path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")

        _refused(cli, tmp_path, path, 3, "is not among the file's evidence files")

    def test_an_evidence_file_that_does_not_match_its_digest_writes_no_evidence(self, exported, cli, tmp_path):
        path = exported[0]
        objects = _objects(path)
        chunk = next(o for o in objects if o.get("kind") == "chunk")
        chunk["data"] = base64.b64encode("改过的照片".encode()).decode()
        path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")
        line = 1 + next(i for i, o in enumerate(objects) if o.get("kind") == "evidence")

        _refused(cli, tmp_path, path, line, "does not match its digest")


    def test_an_overlong_line_is_refused_before_it_is_read_whole(self, exported, cli, tmp_path, monkeypatch):
        monkeypatch.setattr("ledger.storage.backup.MAX_LINE", 1000)
        path = exported[0]
        objects = _objects(path)
        objects.insert(1, {"kind": "padding", "text": "x" * 2000})
        path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")

        _refused(cli, tmp_path, path, 2, "a line longer than 1000 characters")


class TestSeal:
    def test_a_file_whose_chain_reaches_the_published_heads_is_restored(self, exported, cli):
        objects = _objects(exported[0])
        second = next(o for o in objects if o.get("notification_id") == 2)

        result = cli("import", "ledger", str(exported[0]), "--seal", f"4:{objects[-1]['head']}",
                     "--seal", f"2:{second['hash']}")

        assert result.exit_code == 0, result.output
        assert cli("verify", "--seal", f"4:{objects[-1]['head']}").exit_code == 0

    def test_a_file_whose_chain_differs_from_the_published_head_is_refused(self, exported, cli, tmp_path):
        result = cli("import", "ledger", str(exported[0]), "--seal", "4:" + "ab" * 32)

        assert result.exit_code == 1
        assert f"{exported[0]}:5: event #4's chain hash is" in result.stderr
        assert "given with --seal" in result.stderr
        assert cli.json("log") == []
        assert _evidence_left(tmp_path) == []

    def test_a_file_that_stops_before_the_published_head_is_refused(self, exported, cli, tmp_path):
        result = cli("import", "ledger", str(exported[0]), "--seal", "9:" + "ab" * 32)

        assert result.exit_code == 1
        assert f"{exported[0]}: no event #9 in the file (its last is #4)" in result.stderr
        assert cli.json("log") == []


class TestEvidenceStreaming:
    def test_an_attachment_larger_than_a_chunk_moves_in_chunk_lines_byte_for_byte(self, tmp_path, cli, monkeypatch):
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "source.views"))
        source = Cli(f"sqlite:///{tmp_path}/source.db")
        source.json("init", "--year", "2025")
        big = tmp_path / "scan.bin"
        data = os.urandom(2 * CHUNK + 123)
        big.write_bytes(data)
        source.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04", "--evidence", "扫描件",
                    "--attach", str(big))
        path = tmp_path / "ledger.jsonl"
        source.json("export", str(path))
        monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "target.views"))
        chunks = [o for o in _objects(path) if o.get("kind") == "chunk"]

        assert cli.json("import", "ledger", str(path))["evidence"] == 1

        assert len(chunks) == 3
        assert max(len(line) for line in path.read_text(encoding="utf-8").splitlines()) < 2 * CHUNK
        assert _kept(cli, hashlib.sha256(data).hexdigest()) == data
        assert cli("verify").exit_code == 0

    def test_an_export_of_format_version_1_with_inline_evidence_is_still_read(self, exported, cli, tmp_path):
        path, score = exported
        objects, old = _objects(path), []
        for obj in objects:
            if obj.get("kind") == "chunk":
                old[-1]["content"] = base64.b64encode(base64.b64decode(old[-1].get("content", ""))
                                                      + base64.b64decode(obj["data"])).decode()
                continue
            if obj.get("kind") == "evidence":
                obj = {k: v for k, v in obj.items() if k != "chunks"}
            old.append(obj)
        old[0]["version"] = 1
        path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in old), encoding="utf-8")

        assert cli.json("import", "ledger", str(path))["evidence"] == 1

        assert cli("verify").exit_code == 0
        assert cli.json(*SCORE) == score


def _kept(cli: Cli, sha256: str) -> bytes:
    """The content the target store keeps under ``sha256`` (a file beside SQLite, rows in PostgreSQL)."""
    from ledger.storage.store import parse_store
    from ledger.usecases.application import Ledger

    app = Ledger(parse_store(cli.store))
    try:
        return b"".join(app.evidence.open(sha256))
    finally:
        app.close()


@pytest.fixture
def exported_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An export of: #1 this year's ruleset, #2 a unit account opened for taishan, #3 its password set, #4 it
    disabled, #5 it enabled (the password's hash stays behind: it is never in the log)."""
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "source.views"))
    source = Cli(f"sqlite:///{tmp_path}/source.db")
    assert source("init").exit_code == 0
    added = source("users", "add", "ts-liaison", "--role", "unit", "--unit", "taishan", "--password-stdin",
                   input="correct horse battery staple\n")
    assert added.exit_code == 0, added.output
    source.json("users", "disable", "ts-liaison")
    source.json("users", "enable", "ts-liaison")
    path = tmp_path / "ledger.jsonl"
    source.json("export", str(path))
    monkeypatch.setenv("HOTLINE_LEDGER_VIEWS", str(tmp_path / "target.views"))
    return path


class TestAccounts:
    """Account events are restored and re-decided like the others (they once stopped ``import ledger`` with a
    traceback)."""

    def test_a_ledger_with_accounts_is_restored_with_them(self, exported_accounts, cli):
        result = cli("import", "ledger", str(exported_accounts))

        assert result.exit_code == 0, result.output
        listed = cli.json("users", "list")
        rows = listed if isinstance(listed, list) else listed["users"]
        assert [(u["login"], u["role"], u["unit"]) for u in rows] == [("ts-liaison", "unit", "taishan")]

    def test_an_unknown_role_is_refused_naming_its_line(self, exported_accounts, cli, tmp_path):
        crafted = _craft(exported_accounts, lambda ev: _state(ev[1], role="root"))

        _refused(cli, tmp_path, crafted, 3, "cannot be read: 1 validation error for AccountOpened")  # role: a Literal

    def test_a_unit_account_of_a_unit_no_ruleset_names_is_refused(self, exported_accounts, cli, tmp_path):
        crafted = _craft(exported_accounts, lambda ev: _state(ev[1], unit="nowhere"))

        _refused(cli, tmp_path, crafted, 3, "the role unit with the unit 'nowhere' is not an account the ledger opens")

    def test_disabling_an_account_twice_is_refused(self, exported_accounts, cli, tmp_path):
        def edit(ev: list[dict[str, Any]]) -> None:
            ev[4]["topic"] = ev[3]["topic"]  # the enabling becomes a second disabling

        _refused(cli, tmp_path, _craft(exported_accounts, edit), 6, "is already disabled")
