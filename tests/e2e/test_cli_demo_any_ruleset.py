"""``demo --ruleset FILE``: the demo year is generated from the ruleset it runs, whatever the city.

Run through the CLI with the built-in Lianyungang ruleset (two classes, rates and assessments only) and
with a small ruleset of our own (tests/data/demo_small_ruleset.toml: a declared rate reading an extra
text column, a rank by a rate measured to a time column, per_order rules, and every kind recorded by
hand). For every item of the ruleset the demo must have recorded what its kind is scored from, and
``score``, ``trace`` and ``verify`` must succeed. Tai'an's demo stays the year the other tests know.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli

RULESETS = Path(__file__).resolve().parents[2] / "ledger" / "rulesets"
SMALL = Path(__file__).resolve().parents[1] / "data" / "demo_small_ruleset.toml"
SUMMARY = re.compile(r"recorded the 2025 demo year: (\d+) occurrences, (\d+) assessments, (\d+) reports, "
                     r"(\d+) work orders")


def _recorded(kind: str, found: list[dict[str, Any]]) -> bool:
    """Whether the traces of the units an item applies to show what an item of ``kind`` is scored from."""
    if kind in ("per_occurrence", "per_block", "bonus"):
        return any(t["events"] for t in found)
    if kind == "assessment":  # every unit assessed, once
        return all(len(t["events"]) == 1 and t["status"] == "scored" for t in found)
    if kind == "deadline":
        return any(p["submitted"] for t in found for p in t["periods"])
    if kind == "per_order":
        return any(t["orders"] for t in found)
    if kind == "rate_threshold":
        return all(t["denominator"] > 0 and t["numerator"] > 0 for t in found)
    if kind == "formula_volume":
        return all(t["numerator"] > 0 for t in found)
    if kind == "rank":
        return all(Decimal(t["points"]) > 0 for t in found)
    raise AssertionError(f"a kind this test does not know: {kind}")


def _traces(cli: Cli, units: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Item code → its trace for every unit it applies to."""
    by_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for unit in units:
        for item in cli.json("trace", "--year", "2025", "--unit", unit)["items"]:
            by_item[item["code"]].append(item)
    return by_item


@pytest.mark.parametrize("ruleset_file", [RULESETS / "lianyungang.toml", SMALL], ids=["lianyungang", "small"])
def test_a_demo_year_for_any_ruleset_records_every_item_and_scores_traces_and_verifies(cli: Cli,
                                                                                       ruleset_file: Path) -> None:
    result = cli("demo", "--year", "2025", "--ruleset", str(ruleset_file))
    assert result.exit_code == 0, result.stderr
    summary = SUMMARY.search(result.stderr)
    assert summary is not None, result.stderr
    assert int(summary[4]) > 0  # work orders, whatever the ruleset
    ruleset = cli.json("rules", "show", "--year", "2025")
    units = [u["code"] for u in ruleset["units"]]
    score = cli.json("score", "--year", "2025")
    assert sorted(u["unit"] for u in score["units"]) == sorted(units)
    traces = _traces(cli, units)
    kinds = {item["code"]: item["kind"] for item in ruleset["items"]}
    assert set(traces) == set(kinds)  # every item is traced for some unit
    unrecorded = [code for code, kind in kinds.items() if not _recorded(kind, traces[code])]
    assert unrecorded == []
    verify = cli("verify")
    assert verify.exit_code == 0, verify.output
    assert "read model ok" in verify.output


def test_the_small_rulesets_demo_fills_its_declared_columns(cli: Cli) -> None:
    """The extra text column takes the values the ruleset declares, the time column a time after dispatch: the
    resolution rate counts 解决 once and 部分解决 half, and some orders are signed late, some in time."""
    assert cli("demo", "--year", "2025", "--ruleset", str(SMALL)).exit_code == 0
    east = cli.json("trace", "--year", "2025", "--unit", "east")["items"]
    by_code = {i["code"]: i for i in east}
    resolution = by_code["1.1"]
    assert 0 < resolution["numerator"] < resolution["denominator"]
    assert Decimal(str(resolution["numerator"])) % 1 in (Decimal(0), Decimal("0.5"))
    signed_late = len(by_code["1.4"]["orders"])
    assert 0 < signed_late < by_code["1.3"]["numerator"]  # some orders late, not all (V: the unit's orders)
    assert cli("demo", "--year", "2025", "--ruleset", str(SMALL)).exit_code == 0  # run again: shown, not doubled
    again = {i["code"]: i for i in cli.json("trace", "--year", "2025", "--unit", "east")["items"]}
    assert len(again["1.4"]["orders"]) == signed_late


#: The Tai'an demo year's totals, as the demo recorded them before it was generated from the ruleset
#: (ledger/rulesets/taian_demo.toml keeps its hand-tuned figures): the same year, unit for unit.
TAIAN_2025 = {"taishan": "98.22", "xintai": "97.55", "daiyue": "97.35", "dongping": "96.72", "jingqu": "96.12",
              "gaoxin": "95.54", "feicheng": "95.29", "ningyang": "88.59"}


def test_taians_demo_year_is_the_year_it_always_was(cli: Cli) -> None:
    result = cli("demo", "--year", "2025")
    assert result.exit_code == 0, result.stderr
    assert "138 occurrences, 56 assessments, 126 reports, 12000 work orders, 1 retraction, 2 disputes" in \
        result.stderr
    score = cli.json("score", "--year", "2025")
    assert {u["unit"]: u["total"] for u in score["units"]} == TAIAN_2025
    assert [u["unit"] for u in score["units"]] == list(TAIAN_2025)  # the ranking, in order


def test_the_demo_accounts_of_another_ruleset_give_the_unit_account_to_its_first_unit(ledger, monkeypatch) -> None:
    """``demo --ruleset lianyungang.toml --serve``: this year runs Lianyungang's ruleset, whose first unit (东海县)
    holds the unit account; the built-in ruleset's first unit (taishan) has none."""
    import argon2
    from argon2 import PasswordHasher

    import ledger.usecases.accounts as accounts_module
    from ledger.usecases.demo import DEMO_ACCOUNTS, demo_accounts

    monkeypatch.setattr(accounts_module, "_HASHER", PasswordHasher.from_parameters(argon2.profiles.CHEAPEST))
    text = (RULESETS / "lianyungang.toml").read_text(encoding="utf-8")
    passwords = demo_accounts(ledger, "demo", text, "lianyungang.toml")
    assert set(passwords) == {"admin", "clerk", "donghai", "auditor", "viewer"}
    assert ledger.account("donghai").unit == "donghai"
    assert ledger.authenticate_password("donghai", passwords["donghai"]).role == "unit"
    assert DEMO_ACCOUNTS["taishan"] == ("unit", "taishan")  # the built-in ruleset's demo, as before


def test_a_half_recorded_demo_year_of_a_ruleset_without_occurrence_items_is_never_shown_as_done(cli: Cli) -> None:
    """Lianyungang's demo records assessments, then the work orders (its last step: it has nothing to dispute):
    assessments without work orders are a demo cut short."""
    lianyungang = str(RULESETS / "lianyungang.toml")
    cli.actor = "someone (demo)"
    cli.json("init", "--year", "2025", "--ruleset", lianyungang)
    cli.json("assess", "--unit", "donghai", "--item", "2.1", "--points", "90", "--date", "2025-12-20",
             "--evidence", "年终检查")
    before = len(cli.json("log"))
    result = cli("demo", "--year", "2025", "--ruleset", lianyungang)
    assert result.exit_code == 1 and "half-recorded 2025 demo year" in result.stderr
    assert len(cli.json("log")) == before


def test_a_demo_of_an_invalid_ruleset_is_refused_before_its_first_event(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\nname = "无单位"\n', encoding="utf-8")
    result = cli("demo", "--year", "2025", "--ruleset", str(bad))
    assert result.exit_code == 1 and "bad.toml: units:" in result.stderr
    assert "Traceback" not in result.output
    assert cli.json("log") == []
