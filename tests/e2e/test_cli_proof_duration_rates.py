"""A ruleset with duration rates (``within``, ``denominator_within``) in a unit's proof.

The proof checker counts them itself from the chunks' fact rows (projections/proof_rates.py,
projections/proof_durations.py), measuring each limit on the calendar with the rulings the proof
file carries — never through the read model — and must agree with the published figures of
``test_cli_rate_durations`` (甲区: 签收及时率 4/8, 快速办结率 6/8, 及时签收工单快速办结率 4/4; with Sat 8
March ruled a working day 3/8, 5/8, 2/3). A forged count, an edited ruling and a ruling left out
are refused.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.e2e.test_cli_proof_workorders import _check, _prove, _seal
from tests.e2e.test_cli_rate_durations import city  # noqa: F401 - the fixture


def _counts(doc: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {i["code"]: (i.get("numerator"), i.get("denominator")) for s in doc["score"]["sections"]
            for i in s["items"]}


def _write(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _rulings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in doc["events"] if "Calendar" in e["topic"] and "2025-03-08" in e["plain"]]


def test_duration_rates_are_counted_from_the_fact_rows(city: Any, tmp_path: Path) -> None:  # noqa: F811
    key = city.json("seal", "keygen", str(tmp_path / "seal.pem"))["public_key"]
    _seal(city, tmp_path / "seal.pem", "2025年通报")
    path = tmp_path / "a.json"
    doc = _prove(city, path, "a")
    assert _counts(doc) == {"1.1": (4, 8), "1.2": (6, 8), "1.3": (4, 4)}
    result = _check(city, path, key)
    assert result.exit_code == 0, result.stderr
    assert "3 items equal the published points" in result.stdout
    assert "facts of the unit's orders in 1 events, the rates recomputed from them\n" in result.stdout
    assert "through the read model" not in result.stdout
    # A published count the orders do not give is refused: of the rate, and of the one whose denominator is timed.
    for code, figure, value in (("1.1", "numerator", 5), ("1.3", "denominator", 5)):
        forged = copy.deepcopy(doc)
        item = next(i for s in forged["score"]["sections"] for i in s["items"] if i["code"] == code)
        item[figure] = value
        _write(path, forged)
        result = _check(city, path, key)
        assert result.exit_code == 1
        assert f"item {code}: published {figure} {value}, but the work orders in the file give" in result.stderr


def test_the_calendar_rulings_in_the_file_measure_the_durations(city: Any, tmp_path: Path) -> None:  # noqa: F811
    assert city("calendar", "set", "2025-03-08", "--workday", "--evidence", "调休通知").exit_code == 0
    key = city.json("seal", "keygen", str(tmp_path / "seal.pem"))["public_key"]
    _seal(city, tmp_path / "seal.pem", "2025年通报")
    path = tmp_path / "a.json"
    doc = _prove(city, path, "a")
    assert _counts(doc) == {"1.1": (3, 8), "1.2": (5, 8), "1.3": (2, 3)}
    (ruling,) = _rulings(doc)
    assert ruling["proof"] is not None and ruling["salt"]
    result = _check(city, path, key)
    assert result.exit_code == 0, result.stderr
    assert "through the read model" not in result.stdout
    # The ruling edited (Sat 8 a rest day again): its leaf is not in the signed tree.
    edited = copy.deepcopy(doc)
    (e,) = _rulings(edited)
    e["plain"] = e["plain"].replace('"workday":true', '"workday":false')
    assert e["plain"] != ruling["plain"]
    e.pop("fields", None)
    _write(path, edited)
    result = _check(city, path, key)
    assert result.exit_code == 1
    assert f"event #{ruling['notification_id']}" in result.stderr and "not in the signed tree" in result.stderr
    # The ruling left out: the bundled calendar gives 4/8 where 3/8 was published.
    left_out = copy.deepcopy(doc)
    left_out["events"] = [x for x in left_out["events"] if x["notification_id"] != ruling["notification_id"]]
    _write(path, left_out)
    result = _check(city, path, key)
    assert result.exit_code == 1
    assert "item 1.1: published" in result.stderr


def test_the_check_opens_no_store(city: Any, tmp_path: Path) -> None:  # noqa: F811
    """``proof check`` needs no store: given one that cannot be reached or does not exist, it checks all the same and
    creates nothing."""
    from click.testing import CliRunner

    from cli import main

    key = city.json("seal", "keygen", str(tmp_path / "seal.pem"))["public_key"]
    _seal(city, tmp_path / "seal.pem", "2025年通报")
    path = tmp_path / "a.json"
    _prove(city, path, "a")
    missing = tmp_path / "nowhere"
    for store in (f"sqlite:///{missing / 'ledger.db'}", "postgresql://nobody@127.0.0.1:1/none"):
        result = CliRunner().invoke(main, ["--store", store, "proof", "check", str(path), "--key", key])
        assert result.exit_code == 0, result.output
        assert "3 items equal the published points" in result.output
    assert not missing.exists()
