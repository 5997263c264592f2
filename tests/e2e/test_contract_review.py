"""Deviations from CLI.md found by the contract review, each pinned through the CLI on both backends."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import items_of, unit_of


def _record(cli: Any, item: str, day: str) -> Any:
    return cli("record", "--unit", "taishan", "--item", item, "--date", day, "--evidence", "督办单")


def _assessments_in_log(cli: Any) -> list[dict[str, Any]]:
    return [e for e in cli.json("log") if e["type"] == "AssessmentRecorded"]


def test_log_json_prints_an_assessments_points_as_a_string_with_two_decimals(cli: Any) -> None:
    # CLI.md: every reading command's JSON gives points as strings with exactly two decimals;
    # `log` is a reading command, so an assessment recorded as 0.5 reads "0.50", not "0.5".
    assert cli("init", "--year", "2025").exit_code == 0
    assert cli("assess", "--unit", "taishan", "--item", "1.1.1", "--points", "0.5", "--date", "2025-12-01",
               "--evidence", "检查记录").exit_code == 0
    assert cli("assess", "--unit", "taishan", "--item", "1.2.1", "--points", "1", "--date", "2025-12-01",
               "--evidence", "检查记录").exit_code == 0

    assert [e["points"] for e in _assessments_in_log(cli)] == ["0.50", "1.00"]


def test_log_json_prints_imported_assessment_points_with_two_decimals(cli: Any, tmp_path: Any) -> None:
    # An assessment row of `import events` puts its points in `count`: 0.8 is logged as "0.80".
    assert cli("init", "--year", "2025").exit_code == 0
    batch = tmp_path / "events.csv"
    batch.write_text("单位,项目,日期,次数,证据,备注\n泰山区,1.2.1,2025-12-01,0.8,检查记录,\n", encoding="utf-8")
    assert cli("import", "events", str(batch)).exit_code == 0

    assert [e["points"] for e in _assessments_in_log(cli)] == ["0.80"]


def test_log_refuses_an_item_that_no_adopted_ruleset_has(cli: Any) -> None:
    # CLI.md: unknown items are domain refusals (exit 1) naming what was wrong, as unknown units already are;
    # a mistyped --item must not read as "no events".
    assert cli("init", "--year", "2025").exit_code == 0
    assert _record(cli, "2.1", "2025-03-04").exit_code == 0
    before = cli.json("log")

    refused = cli("log", "--item", "9.9", "--format", "json")

    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert "'9.9'" in refused.stderr and "Traceback" not in refused.stderr
    assert cli.json("log") == before


def test_log_still_filters_by_a_known_item(cli: Any) -> None:
    assert cli("init", "--year", "2025").exit_code == 0
    assert _record(cli, "2.1", "2025-03-04").exit_code == 0
    assert _record(cli, "4.1", "2025-03-05").exit_code == 0

    assert [e["item"] for e in cli.json("log", "--item", "2.1")] == ["2.1"]


def test_score_json_with_output_writes_the_document_to_that_file_and_nothing_to_stdout(cli: Any, tmp_path: Any) -> None:
    # CLI.md names `score ... [--format table|json|csv|xlsx|html] [--output FILE]`: --output must not be ignored.
    assert cli("init", "--year", "2025").exit_code == 0
    assert _record(cli, "2.1", "2025-03-04").exit_code == 0
    target = tmp_path / "scores.json"

    result = cli("score", "--year", "2025", "--as-of", "2025-12-31", "--format", "json", "--output", str(target))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written == cli.json("score", "--year", "2025", "--as-of", "2025-12-31")
    # 2.1: 3.00 − 1 × 0.10 = 2.90
    assert items_of(unit_of(written, "taishan"))["2.1"]["points"] == "2.90"


def test_score_table_with_output_is_a_usage_error_and_writes_nothing(cli: Any, tmp_path: Any) -> None:
    assert cli("init", "--year", "2025").exit_code == 0
    target = tmp_path / "scores.txt"

    result = cli("score", "--year", "2025", "--output", str(target))

    assert result.exit_code == 2
    assert "--output" in result.stderr and result.stdout == ""
    assert not target.exists()
