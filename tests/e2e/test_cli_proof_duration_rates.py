"""A ruleset with duration rates (``within``) in a unit's proof: never counted without its durations.

The proof checker's own counting (projections/proof_rates.py) does not evaluate duration
conditions; for such a ruleset ``proof check`` replays the unit's orders through the read model
(projections/proof_rescore.py), says so, and still refuses an edited count. Runs where the ledger
has duration conditions (ledger/rulesets/durations.py, from the branch that adds them); skipped
before they are merged.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ledger.rulesets.durations")

from tests.e2e.test_cli_proof_workorders import _check, _prove, _seal  # noqa: E402
from tests.e2e.test_cli_rate_durations import city  # noqa: E402, F401 - the fixture


def test_duration_rates_are_proven_through_the_read_model(city: Any, tmp_path: Path) -> None:  # noqa: F811
    key = city.json("seal", "keygen", str(tmp_path / "seal.pem"))["public_key"]
    _seal(city, tmp_path / "seal.pem", "2025年通报")
    path = tmp_path / "a.json"
    doc = _prove(city, path, "a")
    result = _check(city, path, key)
    assert result.exit_code == 0, result.stderr
    assert "3 items equal the published points" in result.stdout
    assert "the rates recomputed from them through the read model (" in result.stdout and "'within'" in result.stdout
    # test_cli_rate_durations: 1.1 签收及时率 4/8 for 甲区. A published count the orders do not give is refused.
    forged = copy.deepcopy(doc)
    item = next(i for s in forged["score"]["sections"] for i in s["items"] if i["code"] == "1.1")
    assert (item["numerator"], item["denominator"]) == (4, 8)
    item["numerator"] = 5
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    result = _check(city, path, key)
    assert result.exit_code == 1
    assert "item 1.1: published" in result.stderr
