"""Caps (总分不超过100分, 本部分不超过N分): declared in the ruleset, applied after bonuses, shown in
``score``, ``trace`` and ``rules check``.

A small ruleset of two sections: section 1 (90 points) deducts 0.5 per occurrence of 1.1;
section 2 (10 points) has 2.1 (10 points, assessed) and a bonus 2.2 of +1.5 per praise.
Unit ``a``: 3 occurrences of 1.1 and 2 praises → 90 − 3 × 0.5 = 88.50; 10.00 + 2 × 1.5 = 13.00;
total 101.50 before any cap.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import Cli, unit_of
from tests.ruleset_text import TWO_UNITS

RULESET = """id = "capped"
name = "封顶细则"
{scoring}""" + TWO_UNITS + """
[[sections]]
code = "1"
name = "办理质量"
max = 90

[[sections]]
code = "2"
name = "领导批示"
max = 10
{section_cap}
[[items]]
code = "1.1"
name = "退单不规范"
section = "1"
kind = "per_occurrence"
max = 90
amount = 0.5

[[items]]
code = "2.1"
name = "批示落实"
section = "2"
kind = "per_occurrence"
max = 10
amount = 1

[[items]]
code = "2.2"
name = "市领导表扬"
section = "2"
kind = "bonus"
amount = 1.5
"""


def _ruleset(tmp_path: Path, *, total_cap: str = "", section_cap: str = "") -> str:
    text = RULESET.format(scoring=f"[scoring]\ntotal_cap = {total_cap}\n" if total_cap else "",
                          section_cap=f"cap = {section_cap}\n" if section_cap else "")
    path = tmp_path / "capped.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _year_of_unit_a(cli: Cli, ruleset: str) -> None:
    assert cli("init", "--year", 2025, "--ruleset", ruleset).exit_code == 0
    for item, count in (("1.1", 3), ("2.2", 2)):
        result = cli("record", "--unit", "a", "--item", item, "--date", "2025-03-04", "--evidence", f"E-{item}",
                     "--count", count)
        assert result.exit_code == 0, result.stderr


def _score(cli: Cli) -> dict:
    return cli.json("score", "--year", 2025, "--as-of", "2025-12-31")


def test_without_a_cap_a_unit_is_published_above_100(cli: Cli, tmp_path: Path) -> None:
    _year_of_unit_a(cli, _ruleset(tmp_path))
    a = unit_of(_score(cli), "a")
    assert a["total"] == "101.50"  # 88.50 + 13.00
    assert "capped" not in a


def test_a_total_cap_holds_the_total_at_100_after_the_bonus(cli: Cli, tmp_path: Path) -> None:
    _year_of_unit_a(cli, _ruleset(tmp_path, total_cap="100"))
    doc = _score(cli)
    a, b = unit_of(doc, "a"), unit_of(doc, "b")
    assert (a["total"], a["capped"], a["bonus"]) == ("100.00", "1.50", "3.00")  # 101.50 − 100
    assert a["base"] == "98.50"  # 88.50 + 10.00: base + bonus − capped = 98.50 + 3.00 − 1.50 = total
    assert [s["points"] for s in a["sections"]] == ["88.50", "13.00"]  # sections are not cut, the total is
    assert (b["total"], a["rank"], b["rank"]) == ("100.00", 1, 1)  # 90 + 10, equal totals share rank 1
    trace = cli.json("trace", "--year", 2025, "--unit", "a", "--as-of", "2025-12-31")
    assert trace["total"] == "100.00"
    assert trace["total_explanation"] == "88.50 + 13.00 = 101.50 → 封顶 100.00（不超过 100.00 分，超出的 1.50 不计）"
    table = cli("trace", "--year", 2025, "--unit", "a", "--as-of", "2025-12-31")
    assert "封顶 100.00" in table.stdout
    ranking = cli("score", "--year", 2025, "--as-of", "2025-12-31")
    assert "100.00 封顶" in ranking.stdout and "封顶：甲区（超出 1.50 不计）" in ranking.stdout


def test_a_section_cap_holds_the_section_with_its_bonus(cli: Cli, tmp_path: Path) -> None:
    _year_of_unit_a(cli, _ruleset(tmp_path, section_cap="12"))
    a = unit_of(_score(cli), "a")
    section = a["sections"][1]
    assert (section["points"], section["capped"]) == ("12.00", "1.00")  # 10.00 + 3.00 = 13.00 → 12.00
    assert a["total"] == "100.50"  # 88.50 + 12.00: no total cap here
    assert a["base"] == "98.50"  # 100.50 + 1.00 capped − 3.00 bonus
    trace = cli.json("trace", "--year", 2025, "--unit", "a", "--as-of", "2025-12-31")
    line = next(s for s in trace["sections"] if s["code"] == "2")
    assert line["explanation"] == "10.00 + 加分 3.00 = 13.00 → 封顶 12.00（不超过 12.00 分，超出的 1.00 不计）"


def test_section_and_total_caps_apply_in_turn(cli: Cli, tmp_path: Path) -> None:
    _year_of_unit_a(cli, _ruleset(tmp_path, total_cap="100", section_cap="12"))
    a = unit_of(_score(cli), "a")
    assert (a["sections"][1]["points"], a["total"], a["capped"]) == ("12.00", "100.00", "0.50")  # 100.50 − 100
    assert a["base"] == "98.50"  # 100.00 + 0.50 + 1.00 − 3.00


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_rules_check_and_show_state_the_caps(fmt: str, tmp_path: Path) -> None:
    ruleset = _ruleset(tmp_path, total_cap="100", section_cap="12")
    result = CliRunner().invoke(main, ["rules", "check", ruleset, "--format", fmt], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    if fmt == "json":
        doc = json.loads(result.stdout)
        assert doc["total_cap"] == "100" and [s["cap"] for s in doc["sections"]] == [None, "12"]
    else:
        assert "2 领导批示（10分，含加分不超过12分）" in result.stdout
        assert "总分（含加分）不超过100分" in result.stdout
    store = f"sqlite:///{tmp_path}/show.db"
    assert CliRunner().invoke(main, ["--store", store, "init", "--year", "2025", "--ruleset", ruleset]).exit_code == 0
    shown = CliRunner().invoke(main, ["--store", store, "rules", "show", "--year", "2025", "--format", fmt])
    assert shown.exit_code == 0, shown.stderr
    if fmt == "json":
        doc = json.loads(shown.stdout)
        assert doc["scoring"]["total_cap"] == "100" and doc["sections"][1]["cap"] == "12"
    else:
        assert "total at most 100, bonus included" in shown.stdout and "at most 12 with its bonus" in shown.stdout
        chinese = CliRunner().invoke(main, ["--store", store, "rules", "show", "--year", "2025"],
                                     env={"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None})
        assert "总分（含加分）不超过 100 分" in chinese.stdout and "含加分不超过 12 分" in chinese.stdout


def test_a_cap_below_the_full_marks_is_warned_about(tmp_path: Path) -> None:
    ruleset = _ruleset(tmp_path, total_cap="95", section_cap="8")
    result = CliRunner().invoke(main, ["rules", "check", ruleset], catch_exceptions=False)
    assert result.exit_code == 0  # a warning, not a refusal
    assert "warning: section 2: its cap 8 is below its max 10" in result.stderr
    assert "warning: scoring.total_cap 95 is below the full marks (100)" in result.stderr


def test_the_html_report_adds_up_with_the_cap(cli: Cli, tmp_path: Path) -> None:
    _year_of_unit_a(cli, _ruleset(tmp_path, total_cap="100"))
    out = tmp_path / "score.html"
    result = cli("score", "--year", 2025, "--as-of", "2025-12-31", "--format", "html", "--output", out)
    assert result.exit_code == 0, result.stderr
    assert "基础分 98.50 + 加分 3.00 − 封顶 1.50" in out.read_text(encoding="utf-8")  # = 100.00
