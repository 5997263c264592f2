"""``proof unit``, ``proof consistency`` and ``proof check``: a unit checks its score without the ledger.

A small year is recorded for two units and sealed; the unit's proof file must check with the
centre's public key alone, hold none of the other unit's records, and be refused — naming what
failed — after any edit: an event, the ruleset, a sibling hash, the signature, the published points.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli

RECORD = ["record", "--item", "2.1"]


def _seal(cli: Cli, key_file: Path, note: str) -> dict[str, Any]:
    result = cli("seal", "--note", note, "--format", "json", env={"HOTLINE_LEDGER_SEAL_KEY": str(key_file)})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def sealed(cli: Cli, tmp_path: Path) -> dict[str, Any]:
    """init; three 2.1 occurrences for taishan (one retracted), one for daiyue; a signed seal."""
    cli.json("init", "--year", "2025")
    ids = [cli.json(*RECORD, "--unit", "taishan", "--date", f"2025-03-0{n}", "--evidence", f"泰山工单{n}")["id"]
           for n in (1, 2, 3)]
    cli.json(*RECORD, "--unit", "daiyue", "--date", "2025-03-04", "--evidence", "岱岳机密工单")
    cli.json("retract", ids[2], "--reason", "记错了")
    key = cli.json("seal", "keygen", str(tmp_path / "seal.pem"))
    seal = _seal(cli, tmp_path / "seal.pem", "三月通报")
    return {"ids": ids, "public_key": key["public_key"], "seal": seal, "key_file": tmp_path / "seal.pem"}


def _prove(cli: Cli, tmp_path: Path, *args: str) -> tuple[Path, dict[str, Any]]:
    out = tmp_path / "taishan.proof.json"
    result = cli("proof", "unit", "--year", "2025", "--unit", "taishan", "--output", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return out, json.loads(out.read_text(encoding="utf-8"))


def _check(cli: Cli, path: Path, key: str) -> Any:
    result = cli("proof", "check", str(path), "--key", key)
    assert "Traceback" not in result.output
    return result


def test_a_units_proof_checks_with_the_public_key_alone(cli: Cli, tmp_path: Path, sealed: dict[str, Any]) -> None:
    path, doc = _prove(cli, tmp_path)
    # The seal: init + 4 records + 1 retraction = 6 events, all in the signed tree.
    assert (doc["seal"]["tree_size"], doc["seal"]["notification_id"]) == (6, 6)
    assert doc["seal"]["id"] == sealed["seal"]["id"] and doc["seal"]["tree_root"] == sealed["seal"]["tree_root"]
    # Events behind the score: the ruleset, taishan's three occurrences and the retraction of the third.
    topics = [e["topic"].rsplit(":", 1)[1] for e in doc["events"]]
    assert topics == ["RulesetAdopted", "OccurrenceRecorded", "OccurrenceRecorded", "OccurrenceRecorded",
                      "OccurrenceRetracted"]
    # Two effective occurrences of 2.1 at 0.10 each from its 3.00: 3.00 − 2 × 0.10 = 2.80, as published.
    item = next(i for s in doc["score"]["sections"] for i in s["items"] if i["code"] == "2.1")
    assert item["points"] == "2.80"
    assert "岱岳机密工单" not in path.read_text(encoding="utf-8")  # nothing of the other unit's records
    result = _check(cli, path, sealed["public_key"])
    assert result.exit_code == 0, result.stderr
    assert "events: 5 in the signed tree of 6" in result.stdout
    assert result.stdout.rstrip().endswith("proof ok")


def test_proof_check_needs_no_store(cli: Cli, tmp_path: Path, sealed: dict[str, Any]) -> None:
    from click.testing import CliRunner

    from cli import main

    path, _ = _prove(cli, tmp_path)
    missing = tmp_path / "nowhere" / "none.db"
    result = CliRunner().invoke(main, ["--store", f"sqlite:///{missing}", "proof", "check", str(path),
                                       "--key", sealed["public_key"]])
    assert result.exit_code == 0, result.output
    assert not missing.parent.exists()


def _flip_hex(text: str) -> str:
    return ("1" if text[0] == "0" else "0") + text[1:]


def _edit_event_count(doc: dict[str, Any]) -> None:
    event = doc["events"][1]
    fields = json.loads(event["plain"])
    fields["count"] = 0
    event["plain"] = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    event["fields"] = fields


def _edit_ruleset(doc: dict[str, Any]) -> None:
    event = doc["events"][0]
    event["plain"] = event["plain"].replace("0.1", "0.0", 1)
    event["fields"] = json.loads(event["plain"])


def _edit_sibling(doc: dict[str, Any]) -> None:
    doc["events"][2]["proof"][0] = _flip_hex(doc["events"][2]["proof"][0])


def _edit_signature(doc: dict[str, Any]) -> None:
    raw = bytearray(base64.b64decode(doc["seal"]["signature"]))
    raw[5] ^= 1
    doc["seal"]["signature"] = base64.b64encode(bytes(raw)).decode()


def _edit_root(doc: dict[str, Any]) -> None:
    doc["seal"]["tree_root"] = _flip_hex(doc["seal"]["tree_root"])


def _edit_points(doc: dict[str, Any]) -> None:
    item = next(i for s in doc["score"]["sections"] for i in s["items"] if i["code"] == "2.1")
    item["points"] = "2.90"


def _edit_fields_only(doc: dict[str, Any]) -> None:
    doc["events"][1]["fields"]["count"] = 7


def _drop_ruleset(doc: dict[str, Any]) -> None:
    del doc["events"][0]


@pytest.mark.parametrize(("edit", "named"), [
    (_edit_event_count, "not in the signed tree"),
    (_edit_ruleset, "not in the signed tree"),
    (_edit_sibling, "not in the signed tree"),
    (_edit_signature, "the signature does not verify"),
    (_edit_root, "the signature does not verify"),
    (_edit_points, "item 2.1: published points 2.90, but the events in the file give 2.80"),
    (_edit_fields_only, "its decoded fields are not its recorded content"),
    (_drop_ruleset, "the ruleset adopted for 2025 is not among the events"),
])
def test_any_edit_of_the_proof_file_is_refused_naming_it(cli: Cli, tmp_path: Path, sealed: dict[str, Any],
                                                         edit: Any, named: str) -> None:
    path, doc = _prove(cli, tmp_path)
    forged = copy.deepcopy(doc)
    edit(forged)
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    result = _check(cli, path, sealed["public_key"])
    assert result.exit_code == 1
    assert named in result.stderr


def test_another_key_is_refused(cli: Cli, tmp_path: Path, sealed: dict[str, Any]) -> None:
    path, _ = _prove(cli, tmp_path)
    other = cli.json("seal", "keygen", str(tmp_path / "other.pem"))["public_key"]
    result = _check(cli, path, other)
    assert result.exit_code == 1
    assert "not by the key given" in result.stderr


def test_consecutive_seals_are_consistent_and_a_forged_proof_is_refused(cli: Cli, tmp_path: Path,
                                                                        sealed: dict[str, Any]) -> None:
    cli.json(*RECORD, "--unit", "taishan", "--date", "2025-04-01", "--evidence", "四月")
    later = _seal(cli, sealed["key_file"], "四月通报")
    # The first seal's own event (#7) and the April record (#8): the later tree holds 8.
    assert later["tree_size"] == 8
    out = tmp_path / "consistency.json"
    result = cli("proof", "consistency", "--from", sealed["seal"]["id"], "--to", later["id"], "--output", str(out))
    assert result.exit_code == 0, result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert (doc["from"]["tree_size"], doc["to"]["tree_size"]) == (6, 8) and len(doc["proof"]) >= 1
    ok = _check(cli, out, sealed["public_key"])
    assert ok.exit_code == 0, ok.stderr
    assert "tree head 8 extends tree head 6" in ok.stdout
    doc["proof"][0] = _flip_hex(doc["proof"][0])
    out.write_text(json.dumps(doc), encoding="utf-8")
    refused = _check(cli, out, sealed["public_key"])
    assert refused.exit_code == 1
    assert f"seal {later['id']} does not extend seal {sealed['seal']['id']}" in refused.stderr
    # A proof for an earlier seal, named by a prefix of its id, still checks against its own head.
    path, earlier = _prove(cli, tmp_path, "--seal", sealed["seal"]["id"][:8])
    assert earlier["seal"]["tree_size"] == 6
    assert _check(cli, path, sealed["public_key"]).exit_code == 0


def test_without_a_tree_signed_seal_proof_unit_refuses(cli: Cli, tmp_path: Path) -> None:
    cli.json("init", "--year", "2025")
    result = cli("proof", "unit", "--year", "2025", "--unit", "taishan", "--output", str(tmp_path / "p.json"))
    assert result.exit_code == 1
    assert "no seal signs a tree head yet" in result.stderr
    assert not (tmp_path / "p.json").exists()
