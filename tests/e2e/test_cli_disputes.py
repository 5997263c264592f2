"""The whole dispute cycle through ``hotline-ledger``: open, list, decide, score, trace, time travel.

Item 2.2.1 (首次答复简单笼统) deducts 0.10 per work order from pool 2.2 (7 points); item 2.1 has 3
points and deducts 0.10 per occurrence.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ledger.rulesets.loading import builtin_text
from tests.conftest import items_of, unit_of

YEAR = ["--year", "2025", "--as-of", "2025-12-31"]


def _moment() -> str:
    """An ISO timestamp with offset, strictly between the recording before and the one after."""
    time.sleep(0.05)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    return moment


def _ledger_with_an_occurrence(cli: Any, count: int = 2) -> str:
    cli.json("init", "--year", "2025")
    return cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04",
                    "--evidence", "工单TA-1", "--count", count)["id"]


def _points(cli: Any, code: str, *extra: str) -> str:
    return items_of(unit_of(cli.json("score", *YEAR, *extra), "taishan"))[code]["points"]


def _trace_event(cli: Any, *extra: str) -> dict[str, Any]:
    (item,) = cli.json("trace", *YEAR, "--unit", "taishan", "--item", "2.1", *extra)["items"]
    (event,) = item["events"]
    return event


def _log_size(cli: Any) -> int:
    return len(cli.json("log"))


def test_the_whole_cycle_open_list_decide_restores_the_points(cli: Any, tmp_path: Path) -> None:
    occ = _ledger_with_an_occurrence(cli)
    letter = tmp_path / "说明函.pdf"
    letter.write_bytes(b"%PDF-1.4 taishan explanation")

    opened = cli.json("dispute", "open", occ, "--reason", "已按时更新", "--evidence", "截图", "--attach", letter)
    assert set(opened) == {"id"}
    listed = cli.json("dispute", "list", "--unit", "泰山区", "--open")
    assert [(d["id"], d["target"], d["state"]) for d in listed] == [(opened["id"], occ, "open")]
    assert listed[0]["attachments"][0]["name"] == "说明函.pdf"
    assert _points(cli, "2.1") == "2.80"  # 3.00 − 2 × 0.10 while open

    decided = cli.json("dispute", "decide", opened["id"], "--decision", "accept", "--reason", "核实属实")

    assert decided == {"id": opened["id"]}
    assert _points(cli, "2.1") == "3.00"  # 3.00 − 0 × 0.10
    assert cli.json("dispute", "list", "--open") == []
    (done,) = cli.json("dispute", "list", "--unit", "taishan")
    assert (done["state"], done["decision"], done["decided_by"]) == ("decided", "accept", "tester")


def test_trace_json_shows_the_whole_history_and_state(cli: Any) -> None:
    occ = _ledger_with_an_occurrence(cli)
    cli.actor = "taishan-clerk"
    first = cli.json("dispute", "open", occ, "--reason", "已按时更新", "--evidence", "截图")["id"]
    cli.actor = "centre-head"
    cli.json("dispute", "decide", first, "--decision", "reject", "--reason", "证据不足")
    cli.actor = "taishan-clerk"
    second = cli.json("dispute", "open", occ, "--reason", "补充证据", "--evidence", "系统日志")["id"]
    cli.actor = "centre-head"
    cli.json("dispute", "decide", second, "--decision", "amend", "--count", "1", "--reason", "部分属实")

    event = _trace_event(cli)

    assert (event["state"], event["count"], event["effective_count"]) == ("amended", 2, 1)
    assert [(h["type"], h["by"], h["reason"], h["decision"]) for h in event["history"]] == [
        ("dispute_opened", "taishan-clerk", "已按时更新", None),
        ("dispute_decided", "centre-head", "证据不足", "reject"),
        ("dispute_opened", "taishan-clerk", "补充证据", None),
        ("dispute_decided", "centre-head", "部分属实", "amend"),
    ]
    assert all(datetime.fromisoformat(h["at"]).tzinfo is not None for h in event["history"])
    assert _points(cli, "2.1") == "2.90"  # 3.00 − 1 × 0.10


def test_trace_as_a_table_shows_the_state_and_history(cli: Any) -> None:
    occ = _ledger_with_an_occurrence(cli)
    did = cli.json("dispute", "open", occ, "--reason", "已按时更新", "--evidence", "截图")["id"]
    cli("dispute", "decide", did, "--decision", "accept", "--reason", "核实属实")

    result = cli("trace", *YEAR, "--unit", "taishan", "--item", "2.1", env={"COLUMNS": "240"})

    assert result.exit_code == 0, result.stderr
    flat = "".join(result.stdout.split())  # the table wraps long cells
    for text in ("已按时更新", "核实属实", "disputeopened", "accepted", "disputeaccepted", occ[:8]):
        assert text in flat
    chinese = "".join(cli("trace", *YEAR, "--unit", "taishan", "--item", "2.1",
                          env={"LANG": "zh_CN.UTF-8", "COLUMNS": "240"}).stdout.split())
    for text in ("已按时更新", "核实属实", "提出申诉", "采纳", "申诉成立", "状态", "记录时间", occ[:8]):
        assert text in chinese


@pytest.mark.parametrize(
    ("state", "decide", "expected"),
    [
        ("disputed", [], "2.80"),  # 3.00 − 2 × 0.10: an open dispute keeps counting
        ("accepted", ["--decision", "accept"], "3.00"),  # 3.00 − 0 × 0.10
        ("rejected", ["--decision", "reject"], "2.80"),  # 3.00 − 2 × 0.10
        ("amended", ["--decision", "amend", "--count", "1"], "2.90"),  # 3.00 − 1 × 0.10
    ],
)
def test_each_decision_shows_in_state_and_score(cli: Any, state: str, decide: list[str], expected: str) -> None:
    occ = _ledger_with_an_occurrence(cli)
    did = cli.json("dispute", "open", occ, "--reason", "不服", "--evidence", "截图")["id"]
    if decide:
        cli.json("dispute", "decide", did, *decide, "--reason", "决定")

    assert _trace_event(cli)["state"] == state
    assert _points(cli, "2.1") == expected


def test_a_retracted_occurrence_shows_as_retracted_and_cannot_be_disputed(cli: Any) -> None:
    occ = _ledger_with_an_occurrence(cli)
    cli.json("retract", occ, "--reason", "录入错误")
    before = _log_size(cli)

    result = cli("dispute", "open", occ, "--reason", "不服", "--evidence", "截图")

    assert result.exit_code == 1
    assert "retracted" in result.stderr and occ in result.stderr
    assert "Traceback" not in result.output
    assert _log_size(cli) == before
    assert _trace_event(cli)["state"] == "retracted"


def test_deciding_twice_is_refused_and_changes_nothing(cli: Any) -> None:
    occ = _ledger_with_an_occurrence(cli)
    did = cli.json("dispute", "open", occ, "--reason", "不服", "--evidence", "截图")["id"]
    cli.json("dispute", "decide", did, "--decision", "accept", "--reason", "核实")
    before = _log_size(cli)

    result = cli("dispute", "decide", did, "--decision", "reject", "--reason", "改判")

    assert result.exit_code == 1
    assert "already decided (accept)" in result.stderr and "open a new dispute" in result.stderr
    assert _log_size(cli) == before
    assert _points(cli, "2.1") == "3.00"  # still accepted: 3.00 − 0 × 0.10


def test_deciding_an_unknown_dispute_is_refused_and_changes_nothing(cli: Any) -> None:
    _ledger_with_an_occurrence(cli)
    before = _log_size(cli)

    result = cli("dispute", "decide", "deadbeef-0000", "--decision", "accept", "--reason", "核实")

    assert result.exit_code == 1
    assert "no dispute with id 'deadbeef-0000'" in result.stderr
    assert _log_size(cli) == before


@pytest.mark.parametrize("count", ["0", "-2"])
def test_amending_to_a_non_positive_count_is_refused_and_changes_nothing(cli: Any, count: str) -> None:
    occ = _ledger_with_an_occurrence(cli)
    did = cli.json("dispute", "open", occ, "--reason", "不服", "--evidence", "截图")["id"]
    before = _log_size(cli)

    result = cli("dispute", "decide", did, "--decision", "amend", "--count", count, "--reason", "核减")

    assert result.exit_code == 1
    assert "positive integer" in result.stderr
    assert _log_size(cli) == before
    assert [d["state"] for d in cli.json("dispute", "list")] == ["open"]
    assert _points(cli, "2.1") == "2.80"  # 3.00 − 2 × 0.10, unchanged


def test_disputing_an_assessment_is_refused_with_the_way_to_a_re_assessment(cli: Any) -> None:
    _ledger_with_an_occurrence(cli)
    assessment = cli.json("assess", "--unit", "taishan", "--item", "1.3", "--points", "0.5", "--date",
                          "2025-12-01", "--evidence", "考核表")["id"]
    before = _log_size(cli)

    result = cli("dispute", "open", assessment, "--reason", "不服", "--evidence", "说明")

    assert result.exit_code == 1
    assert "assessments are not disputed" in result.stderr and "assess" in result.stderr
    assert _log_size(cli) == before
    assert cli.json("dispute", "list") == []


def test_retracting_an_assessment_says_it_is_an_assessment_and_how_to_correct_it(cli: Any) -> None:
    _ledger_with_an_occurrence(cli)
    assessment = cli.json("assess", "--unit", "taishan", "--item", "1.3", "--points", "0.5", "--date",
                          "2025-12-01", "--evidence", "考核表")["id"]
    before = _log_size(cli)

    result = cli("retract", assessment[:8], "--reason", "录错")

    assert result.exit_code == 1
    assert f"{assessment} is an assessment: assessments are not retracted" in result.stderr
    assert "`assess`" in result.stderr and "no occurrence" not in result.stderr
    assert _log_size(cli) == before
    chinese = cli("retract", assessment, "--reason", "录错", env={"LANG": "zh_CN.UTF-8"})
    assert chinese.exit_code == 1 and f"{assessment} 是评估：评估不能撤回" in chinese.stderr
    assert _log_size(cli) == before


def test_dispute_open_needs_an_occurrence_or_a_work_order(cli: Any) -> None:
    _ledger_with_an_occurrence(cli)
    before = _log_size(cli)

    result = cli("dispute", "open", "--reason", "不服", "--evidence", "说明")

    assert result.exit_code == 2
    assert _log_size(cli) == before


def test_score_known_at_before_the_decision_shows_the_old_score(cli: Any) -> None:
    occ = _ledger_with_an_occurrence(cli)
    did = cli.json("dispute", "open", occ, "--reason", "已按时更新", "--evidence", "截图")["id"]
    before_decision = _moment()
    cli.json("dispute", "decide", did, "--decision", "accept", "--reason", "核实属实")

    then = cli.json("score", *YEAR, "--known-at", before_decision)

    assert then["known_at"] is not None
    assert items_of(unit_of(then, "taishan"))["2.1"]["points"] == "2.80"  # 3.00 − 2 × 0.10, as said then
    assert _points(cli, "2.1") == "3.00"  # 3.00 − 0 × 0.10 now
    # Valid time before the decision date: the decision still applies (a correction).
    assert _points(cli, "2.1", "--as-of", "2025-06-30") == "3.00"
    assert _trace_event(cli, "--known-at", before_decision)["state"] == "disputed"
    assert _trace_event(cli)["state"] == "accepted"


def test_score_known_at_before_a_ruleset_amendment_uses_the_earlier_rules(cli: Any, tmp_path: Path) -> None:
    _ledger_with_an_occurrence(cli)
    block = 'code = "2.1"\nname = "知识库信息滞后"\nsection = "2"\nkind = "per_occurrence"\nmax = 3\namount = 0.1\n'
    text = builtin_text()
    assert block in text
    amended = tmp_path / "taian-2025-amended.toml"
    amended.write_text(text.replace(block, block.replace("amount = 0.1", "amount = 0.2")), encoding="utf-8")
    before_amendment = _moment()

    assert cli.json("init", "--year", "2025", "--ruleset", amended)["changed"] is True

    assert _points(cli, "2.1") == "2.60"  # 3.00 − 2 × 0.20
    assert _points(cli, "2.1", "--known-at", before_amendment) == "2.80"  # 3.00 − 2 × 0.10
    now = cli.json("score", *YEAR)["ruleset"]["sha256"]
    then = cli.json("score", *YEAR, "--known-at", before_amendment)["ruleset"]["sha256"]
    assert now != then
    assert cli.json("init", "--year", "2025", "--ruleset", amended)["changed"] is False  # identical text again


def test_a_known_at_without_an_offset_is_read_in_the_rulesets_timezone(cli: Any) -> None:
    _ledger_with_an_occurrence(cli)

    # 2000-01-01 00:00 in Asia/Shanghai (the whole of that minute): before anything was recorded, so no ruleset yet.
    result = cli("score", *YEAR, "--known-at", "2000-01-01T00:00")

    assert result.exit_code == 1
    assert "2000-01-01T00:00:59.999999+08:00" in result.stderr and "2025" in result.stderr


def test_the_dispute_list_table_and_json_agree(cli: Any) -> None:
    occ = _ledger_with_an_occurrence(cli)
    did = cli.json("dispute", "open", occ, "--reason", "已按时更新", "--evidence", "截图")["id"]

    table = cli("dispute", "list", "--open")

    assert table.exit_code == 0
    assert did[:8] in table.stdout
    assert json.loads(cli("dispute", "list", "--format", "json").stdout)[0]["id"] == did
