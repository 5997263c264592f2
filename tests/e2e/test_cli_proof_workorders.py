"""A unit's proof carries its own work orders, and nobody else's: the rates are proven, not stated.

The demo year (ledger/usecases/demo.py: 12,000 work orders, each unit's in a chunk of its own) is sealed
monthly; every unit's proof file must check with the public key alone, recompute the rates from the
unit's work-order chunks, hold none of another unit's order ids, and be refused — naming the event —
when one of the unit's work-order facts is edited. An order moved between units in a later export is
shown to both: the unit it left (the move) and the unit it joined (the order stated whole).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli

#: ledger/rulesets/taian_demo.toml's [units] orders: work orders per unit in the demo year.
DEMO_ORDERS = {"taishan": 2400, "daiyue": 2100, "xintai": 1900, "feicheng": 1700, "ningyang": 1300,
               "dongping": 1200, "gaoxin": 800, "jingqu": 600}
ORDER_ID = re.compile(r"TA2025\d{6}")


def _seal(cli: Cli, key_file: Path, note: str) -> dict[str, Any]:
    result = cli("seal", "--note", note, "--format", "json", env={"HOTLINE_LEDGER_SEAL_KEY": str(key_file)})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _prove(cli: Cli, out: Path, unit: str, *args: str) -> dict[str, Any]:
    result = cli("proof", "unit", "--year", "2025", "--unit", unit, "--output", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _check(cli: Cli, path: Path, key: str) -> Any:
    result = cli("proof", "check", str(path), "--key", key)
    assert "Traceback" not in result.output
    return result


def _chunks(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in doc["events"] if e["topic"].endswith(":WorkOrderFactsRecorded")]


@pytest.fixture
def demo_sealed(cli: Cli, tmp_path: Path) -> dict[str, Any]:
    """The 2025 demo year, sealed twelve times (a seal per monthly bulletin)."""
    result = cli("demo", "--year", "2025")
    assert result.exit_code == 0, result.stderr
    key = cli.json("seal", "keygen", str(tmp_path / "seal.pem"))
    seals = [_seal(cli, tmp_path / "seal.pem", f"2025年{month}月通报") for month in range(1, 13)]
    return {"public_key": key["public_key"], "seals": seals}


def test_every_units_proof_proves_its_rates_from_its_own_work_orders_alone(
        cli: Cli, tmp_path: Path, demo_sealed: dict[str, Any]) -> None:
    key = demo_sealed["public_key"]
    seen: dict[str, set[str]] = {}
    for unit, orders in DEMO_ORDERS.items():
        path = tmp_path / f"{unit}.proof.json"
        doc = _prove(cli, path, unit)
        # The demo imports one export: each unit's orders are one chunk of its own (fewer than 5,000).
        chunks = _chunks(doc)
        assert [json.loads(c["plain"])["unit"] for c in chunks] == [unit]
        assert "fields" not in chunks[0]  # its plain JSON is its fields: not written twice
        assert doc["work_orders"] == {"complete": True, "chunks": 1, "facts": orders}
        # The file holds no other unit's order ids: every id in its text is one of the unit's own orders.
        ids = set(ORDER_ID.findall(path.read_text(encoding="utf-8")))
        assert ids == {row[0] for row in json.loads(chunks[0]["plain"])["rows"]} and len(ids) == orders
        seen[unit] = ids
        result = _check(cli, path, key)
        assert result.exit_code == 0, result.stderr
        # Tai'an's 37 scored items (6 + 11 + 17 + 1 + 2, pools 2.2 and 3.2 included): all but 2.3.1 (volume
        # against the largest unit's) are recomputed, the three rates 2.3.2–2.3.4 among them.
        assert "36 items equal the published points" in result.stdout
        assert f"work orders: {orders} facts of the unit's orders in 1 events, the rates recomputed" in result.stdout
        assert "stated, not proven (other units' figures): 2.3.1;" in result.stdout
    # The eight files share no order, and together hold all 12,000 of the year's.
    assert sum(map(len, seen.values())) == len(set().union(*seen.values())) == 12000
    # At January's seal too; and the twelve seals are consistent, one event (the seal) apart each.
    first, last = demo_sealed["seals"][0], demo_sealed["seals"][-1]
    assert last["tree_size"] - first["tree_size"] == 11
    doc = _prove(cli, tmp_path / "gaoxin.proof.json", "gaoxin", "--seal", first["id"])
    assert doc["seal"]["id"] == first["id"] and doc["work_orders"]["facts"] == 800
    assert _check(cli, tmp_path / "gaoxin.proof.json", key).exit_code == 0
    out = tmp_path / "jan-dec.json"
    assert cli("proof", "consistency", "--from", first["id"], "--to", last["id"], "--output", str(out)).exit_code == 0
    assert _check(cli, out, key).exit_code == 0
    assert cli("verify").exit_code == 0


def _edit_fact(doc: dict[str, Any]) -> dict[str, Any]:
    """Turn the first dissatisfied order of the unit's chunk satisfied (and its published rate with it)."""
    chunk = _chunks(doc)[0]
    facts = json.loads(chunk["plain"])
    row = next(r for r in facts["rows"] if r[7] == "不满意")
    row[7] = "满意"
    chunk["plain"] = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    return chunk


def test_an_edited_work_order_fact_or_rate_is_refused_naming_it(cli: Cli, tmp_path: Path,
                                                                 demo_sealed: dict[str, Any]) -> None:
    key = demo_sealed["public_key"]
    path = tmp_path / "xintai.proof.json"
    doc = _prove(cli, path, "xintai")
    # One of the unit's facts edited (a dissatisfied caller made satisfied): its event is not in the signed tree.
    forged = copy.deepcopy(doc)
    chunk = _edit_fact(forged)
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    result = _check(cli, path, key)
    assert result.exit_code == 1
    assert f"event #{chunk['notification_id']} ({chunk['originator_id']} v1): not in the signed tree" in result.stderr
    # A published count the work orders do not give (the points alone may not show it).
    item = next(i for s in doc["score"]["sections"] for i in s["items"] if i["code"] == "2.3.2")
    forged = copy.deepcopy(doc)
    edited = next(i for s in forged["score"]["sections"] for i in s["items"] if i["code"] == "2.3.2")
    edited["numerator"] = item["numerator"] + 1
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    result = _check(cli, path, key)
    assert result.exit_code == 1
    assert (f"item 2.3.2: published numerator {item['numerator'] + 1}, but the work orders in the file give "
            f"{item['numerator']}") in result.stderr
    # The unit's work orders left out of the file: the rates are no longer what was published.
    forged = copy.deepcopy(doc)
    forged["events"] = [e for e in forged["events"] if e not in _chunks(forged)]
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    result = _check(cli, path, key)
    assert result.exit_code == 1
    assert f"item 2.3.2: published points {item['points']}, but the events in the file give" in result.stderr


HEADER = "工单编号,承办单位,派单时间,办结时限,办结时间,是否需回复,是否已回复,满意度,是否计入统计\n"


def test_an_order_moved_to_another_unit_is_shown_to_both_and_both_proofs_check(cli: Cli, tmp_path: Path) -> None:
    cli.json("init", "--year", "2025")
    first = tmp_path / "march.csv"
    first.write_text(HEADER + "TA2025000001,泰山区,2025-03-01 09:00:00,2025-03-08 09:00:00,,是,否,,是\n"
                              "TA2025000002,泰山区,2025-03-02 09:00:00,2025-03-09 09:00:00,2025-03-03 09:00:00,"
                              "是,是,满意,是\n"
                              "TA2025000003,岱岳区,2025-03-02 10:00:00,2025-03-09 10:00:00,2025-03-04 10:00:00,"
                              "是,是,不满意,是\n", encoding="utf-8")
    assert cli("import", "workorders", str(first), "--as-exported", "2025-03-05T00:00:00").exit_code == 0
    # The next export: order 1 was re-dispatched to 岱岳区 and completed on time, replied, satisfied.
    later = tmp_path / "april.csv"
    later.write_text(HEADER + "TA2025000001,岱岳区,2025-03-01 09:00:00,2025-03-08 09:00:00,2025-03-07 09:00:00,"
                              "是,是,满意,是\n", encoding="utf-8")
    assert cli("import", "workorders", str(later), "--as-exported", "2025-04-01T00:00:00").exit_code == 0
    key = cli.json("seal", "keygen", str(tmp_path / "seal.pem"))["public_key"]
    _seal(cli, tmp_path / "seal.pem", "四月通报")
    taishan = _prove(cli, tmp_path / "taishan.json", "taishan")
    daiyue = _prove(cli, tmp_path / "daiyue.json", "daiyue")
    # 泰山区's chunks: its two orders (an empty satisfaction is 未评价), then the move of order 1 (the fields
    # that changed, unit included).
    assert [json.loads(c["plain"])["rows"] for c in _chunks(taishan)] == [
        [["TA2025000001", "taishan", "2025-03-01T09:00:00", "2025-03-08T09:00:00", None, "1", "0", "未评价", "1"],
         ["TA2025000002", "taishan", "2025-03-02T09:00:00", "2025-03-09T09:00:00", "2025-03-03T09:00:00",
          "1", "1", "满意", "1"]],
        [["TA2025000001", "daiyue", None, None, "2025-03-07T09:00:00", None, "1", "满意", None]]]
    # 岱岳区's: its own order 3, then order 1 stated whole (its dispatch and due times from the first export).
    assert [json.loads(c["plain"])["rows"] for c in _chunks(daiyue)] == [
        [["TA2025000003", "daiyue", "2025-03-02T10:00:00", "2025-03-09T10:00:00", "2025-03-04T10:00:00",
          "1", "1", "不满意", "1"]],
        [["TA2025000001", "daiyue", "2025-03-01T09:00:00", "2025-03-08T09:00:00", "2025-03-07T09:00:00",
          "1", "1", "满意", "1"]]]
    assert "TA2025000003" not in (tmp_path / "taishan.json").read_text(encoding="utf-8")
    assert "TA2025000002" not in (tmp_path / "daiyue.json").read_text(encoding="utf-8")
    score = {u["unit"]: {i["code"]: i for s in u["sections"] for i in s["items"]} for u in (taishan["score"],
                                                                                             daiyue["score"])}
    # 泰山区 keeps order 2 only: satisfied 1/1 = 100 %; 岱岳区 has orders 3 and 1: satisfied 1/2 = 50 %.
    assert (score["taishan"]["2.3.2"]["numerator"], score["taishan"]["2.3.2"]["denominator"]) == (1, 1)
    assert (score["daiyue"]["2.3.2"]["numerator"], score["daiyue"]["2.3.2"]["denominator"]) == (1, 2)
    for path in (tmp_path / "taishan.json", tmp_path / "daiyue.json"):
        result = _check(cli, path, key)
        assert result.exit_code == 0, result.stderr
        assert "the rates recomputed from them" in result.stdout


def test_on_a_ledger_with_chunks_of_several_units_the_rates_stay_stated(cli: Cli, tmp_path: Path,
                                                                         ledger: Any) -> None:
    from ledger.aggregates import WorkOrderBatch

    cli.json("init", "--year", "2025")
    # A chunk as imports recorded them before chunks were per unit: two units' orders, no unit named.
    rows = [["TA2025000001", "taishan", "2025-03-01T09:00:00", "2025-03-08T09:00:00", "2025-03-02T09:00:00",
             "1", "1", "满意", "1"],
            ["TA2025000002", "daiyue", "2025-03-01T10:00:00", "2025-03-08T10:00:00", "2025-03-02T10:00:00",
             "1", "1", "不满意", "1"]]
    ledger.save(WorkOrderBatch.record(batch="before",
                                      chunk=0, source="old.csv", sha256="0" * 64, exported_at="2025-03-05T00:00:00",
                                      rows=rows, actor="tester"))
    key = cli.json("seal", "keygen", str(tmp_path / "seal.pem"))["public_key"]
    _seal(cli, tmp_path / "seal.pem", "三月通报")
    path = tmp_path / "taishan.json"
    doc = _prove(cli, path, "taishan")
    # The old chunk is left out (it holds 岱岳区's order), and the file says why the rates are only stated.
    assert _chunks(doc) == []
    assert doc["work_orders"]["complete"] is False
    assert "1 work-order events were recorded before work orders were recorded per unit" in \
        doc["work_orders"]["stated_because"]
    assert "TA2025000002" not in path.read_text(encoding="utf-8")
    result = _check(cli, path, key)
    assert result.exit_code == 0, result.stderr
    assert "work orders not shown: 1 work-order events were recorded before" in result.stdout
    # Stated: the volume and the three rates (satisfaction 1/1 = 100 % as published, unproven here).
    assert "stated, not proven (other units' figures): 2.3.1, 2.3.2, 2.3.3, 2.3.4;" in result.stdout
