"""A veto on a named item (一票否决事项) declared in ``[[vetoes]]`` itself: recorded with ``record`` like any
occurrence, scoring no points, forcing the grade — with no dummy 0-point item in the rubric.

The ruleset: one section of 100 points (1.1 deducts 0.5 per occurrence); grades 优秀 from 90, 合格 from
60, 不合格 from 0; veto V1 发生重大失泄密事件 forces 不合格 at its first occurrence, V2 发生较大舆情事件
forces 合格 from its second.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli import main
from tests.conftest import Cli, items_of, unit_of
from tests.ruleset_text import THREE_GRADES, TWO_UNITS

RULESET = """id = "vetoed"
name = "否决细则"
""" + TWO_UNITS + """
[[sections]]
code = "1"
name = "办理质量"
max = 100

[[items]]
code = "1.1"
name = "退单不规范"
section = "1"
kind = "per_occurrence"
max = 100
amount = 0.5
""" + THREE_GRADES + """
[[vetoes]]
item = "V1"
name = "发生重大失泄密事件"
grade = "不合格"

[[vetoes]]
item = "V2"
name = "发生较大舆情事件"
grade = "合格"
count = 2
"""


def _write(tmp_path: Path, text: str = RULESET) -> str:
    path = tmp_path / "vetoed.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _record(cli: Cli, unit: str, item: str, count: int = 1) -> str:
    result = cli("record", "--unit", unit, "--item", item, "--date", "2025-05-06", "--evidence", f"通报{item}",
                 "--count", count, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["id"]


def _score(cli: Cli) -> dict:
    return cli.json("score", "--year", 2025, "--as-of", "2025-12-31")


def test_a_recorded_veto_forces_the_grade_and_costs_no_points(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--year", 2025, "--ruleset", _write(tmp_path)).exit_code == 0
    _record(cli, "a", "1.1", 2)
    veto = _record(cli, "a", "V1")
    doc = _score(cli)
    a, b = unit_of(doc, "a"), unit_of(doc, "b")
    # a: 100 − 2 × 0.5 = 99.00, 优秀 by points, but V1 happened once: 不合格
    assert (a["total"], a["grade"], a["vetoed_by"]) == ("99.00", "不合格", "V1")
    assert (b["total"], b["grade"], b["vetoed_by"]) == ("100.00", "优秀", None)
    assert set(items_of(a)) == {"1.1"}  # the veto item is on no score sheet: it has no points
    trace = cli.json("trace", "--year", 2025, "--unit", "a", "--as-of", "2025-12-31")
    v1 = next(v for v in trace["vetoes"] if v["item"] == "V1")
    assert (v1["name"], v1["effective_count"], v1["applied"], v1["grade"]) == ("发生重大失泄密事件", 1, True, "不合格")
    assert [e["id"] for e in v1["events"]] == [veto]
    table = cli("trace", "--year", 2025, "--unit", "a", "--as-of", "2025-12-31")
    assert "一票否决 V1 发生重大失泄密事件" in table.stdout and "已否决" in table.stdout
    # retracted, the veto no longer applies: a is graded by its points again
    assert cli("retract", veto, "--reason", "误报").exit_code == 0
    a = unit_of(_score(cli), "a")
    assert (a["grade"], a["vetoed_by"]) == ("优秀", None)


def test_a_veto_with_a_count_applies_only_from_that_count(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--year", 2025, "--ruleset", _write(tmp_path)).exit_code == 0
    _record(cli, "b", "V2")
    assert unit_of(_score(cli), "b")["grade"] == "优秀"  # 1 of the 2 occurrences V2 needs
    _record(cli, "b", "V2")
    b = unit_of(_score(cli), "b")
    assert (b["total"], b["grade"], b["vetoed_by"]) == ("100.00", "合格", "V2")


def test_an_unknown_item_is_still_refused_and_nothing_is_recorded(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--year", 2025, "--ruleset", _write(tmp_path)).exit_code == 0
    result = cli("record", "--unit", "a", "--item", "V9", "--date", "2025-05-06", "--evidence", "x")
    assert result.exit_code == 1 and "V9" in result.stderr
    assert cli.json("log") == [e for e in cli.json("log") if e["type"] != "occurrence"]


def test_rules_check_describes_the_veto_item_in_words(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "check", _write(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert ("V1 发生重大失泄密事件（否决事项，不计分，用 record --item V1 记录）"
            "发生1次及以上，等次直接定为不合格（不论得分）") in result.stdout


def test_a_veto_item_may_not_reuse_a_scored_items_code_nor_name_an_unknown_one(tmp_path: Path) -> None:
    text = RULESET.replace('item = "V1"', 'item = "1.1"').replace('item = "V2"\nname = "发生较大舆情事件"\n',
                                                                   'item = "V3"\n')
    result = CliRunner().invoke(main, ["rules", "check", _write(tmp_path, text)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "vetoes[0](1.1).item: 1.1 is already a scored item" in result.stderr
    assert "vetoes[1](V3).item: unknown item 'V3' (give the veto a name" in result.stderr


def test_an_accepted_dispute_on_the_veto_lifts_it(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--year", 2025, "--ruleset", _write(tmp_path)).exit_code == 0
    veto = _record(cli, "a", "V1")
    dispute = cli.json("dispute", "open", veto, "--reason", "非本单位责任", "--evidence", "说明")["id"]
    assert unit_of(_score(cli), "a")["grade"] == "不合格"  # an open dispute keeps the occurrence counting
    assert cli("dispute", "decide", dispute, "--decision", "accept", "--reason", "核实").exit_code == 0
    a = unit_of(_score(cli), "a")
    assert (a["total"], a["grade"], a["vetoed_by"]) == ("100.00", "优秀", None)


def test_a_veto_item_is_imported_like_any_occurrence(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", "--year", 2025, "--ruleset", _write(tmp_path)).exit_code == 0
    batch = tmp_path / "events.csv"
    batch.write_text("unit,item,date,count,evidence,note\nb,V2,2025-06-01,2,通报2025-06,\n", encoding="utf-8")
    counts = cli.json("import", "events", batch)
    assert counts["new"] == 1
    b = unit_of(_score(cli), "b")
    assert (b["grade"], b["vetoed_by"]) == ("合格", "V2")  # 2 occurrences in one row reach V2's count of 2
