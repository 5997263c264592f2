"""A unit's screenings (甄别) in its proof: counted by ``proof check`` from the file alone, and refused when edited.

The demo year is sealed; two of a unit's dissatisfied orders are screened out of the satisfaction
rate (one accepted, one rejected) and the ledger sealed again. The proof at the new seal must
check, its satisfaction rate counting one order less than the proof before; editing the rejected
decision into an acceptance, or leaving the accepted decision out of the file, must be refused,
naming the event or the item.
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import Cli
from tests.e2e.test_cli_proof_workorders import _check, _chunks, _prove, _seal


def _item(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for s in doc["score"]["sections"] for i in s["items"] if i["code"] == code)


def _screen(cli: Cli, row: list[Any], decision: str) -> str:
    filed = (date.fromisoformat(row[4][:10]) + timedelta(days=1)).isoformat()
    opened = cli.json("dispute", "open", "--workorder", row[0], "--rate", "satisfaction", "--reason", "非本单位职责",
                      "--evidence", "转办记录", "--date", filed)
    cli.json("dispute", "decide", opened["id"], "--decision", decision, "--reason", "核实")
    return str(opened["id"])


def test_screenings_are_proven_from_the_file_and_an_edited_one_is_refused(cli: Cli, tmp_path: Path) -> None:
    assert cli("demo", "--year", "2025").exit_code == 0
    key = cli.json("seal", "keygen", str(tmp_path / "seal.pem"))["public_key"]
    _seal(cli, tmp_path / "seal.pem", "2025年通报")
    before = _prove(cli, tmp_path / "before.json", "feicheng")
    rows = json.loads(_chunks(before)[0]["plain"])["rows"]
    unhappy = [r for r in rows if r[7] == "不满意" and r[8] == "1" and r[4]][:2]
    accepted, rejected = _screen(cli, unhappy[0], "accept"), _screen(cli, unhappy[1], "reject")
    _seal(cli, tmp_path / "seal.pem", "甄别后")
    path = tmp_path / "after.json"
    after = _prove(cli, path, "feicheng")
    result = _check(cli, path, key)
    assert result.exit_code == 0, result.stderr
    was, now = _item(before, "2.3.2"), _item(after, "2.3.2")
    assert (now["numerator"], now["denominator"]) == (was["numerator"], was["denominator"] - 1)
    # The rejected decision edited into an acceptance: the event is no longer what the signed tree holds.
    forged = copy.deepcopy(after)
    decision = next(e for e in forged["events"] if e["originator_id"] == rejected and e["originator_version"] == 2)
    decision["fields"]["decision"] = "accept"
    decision["plain"] = json.dumps(decision["fields"], ensure_ascii=False, separators=(",", ":"))
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    result = _check(cli, path, key)
    assert result.exit_code == 1
    assert f"event #{decision['notification_id']} ({rejected} v2): not in the signed tree" in result.stderr
    # The accepted decision left out of the file: the order counts again, and the published rate is refused.
    forged = copy.deepcopy(after)
    forged["events"] = [e for e in forged["events"] if e["originator_id"] != accepted or e["originator_version"] == 1]
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    result = _check(cli, path, key)
    assert result.exit_code == 1
    # (The points are full either way: the rate, compared next, is the first figure that differs.)
    assert now["points"] == was["points"] and now["rate"] != was["rate"]
    assert f"item 2.3.2: published rate {now['rate']}, but the work orders in the file give {was['rate']}" \
        in result.stderr


def test_a_rate_the_second_implementation_cannot_count_is_replayed_through_the_read_model(
        cli: Cli, tmp_path: Path, monkeypatch: Any) -> None:
    """A construct the checker's own counting does not know (a duration condition, say) is never left unchecked:
    every event is replayed, the orders through the read model, and an edited count is still refused."""
    from projections import proof_rescore

    assert cli("demo", "--year", "2025").exit_code == 0
    key = cli.json("seal", "keygen", str(tmp_path / "seal.pem"))["public_key"]
    _seal(cli, tmp_path / "seal.pem", "2025年通报")
    path = tmp_path / "gaoxin.json"
    doc = _prove(cli, path, "gaoxin")
    monkeypatch.setattr(proof_rescore, "unsupported", lambda ruleset: "比率 satisfaction：（测试）")
    result = _check(cli, path, key)
    assert result.exit_code == 0, result.stderr
    assert "36 items equal the published points" in result.stdout
    assert ("work orders: 800 facts of the unit's orders in 1 events, the rates recomputed from them through the "
            "read model (比率 satisfaction：（测试）)") in result.stdout
    forged = copy.deepcopy(doc)
    edited = _item(forged, "2.3.3")
    edited["denominator"] += 1
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    result = _check(cli, path, key)
    assert result.exit_code == 1
    assert (f"item 2.3.3: published denominator {edited['denominator']}, but the work orders in the file give "
            f"{edited['denominator'] - 1}") in result.stderr
