"""Every printed time carries its offset, in the ruleset's time zone; ``--known-at`` takes back exactly what
``log`` prints (the JSON's time, or the table's to the second)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ledger.rulesets.loading import builtin_text
from tests.conftest import items_of, unit_of

WIDE = {"COLUMNS": "240"}


def _record(cli: Any, day: str) -> str:
    return cli.json("record", "--unit", "taishan", "--item", "2.2.1", "--date", day, "--evidence", f"工单{day}")["id"]


def _deducted(cli: Any, *known_at: str) -> str:
    return items_of(unit_of(cli.json("score", "--year", "2025", "--as-of", "2025-12-31", *known_at), "taishan"))[
        "2.2.1"]["deducted"]


def _two_records_seconds_apart(cli: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    cli.json("init", "--year", "2025")
    first = _record(cli, "2025-03-04")
    time.sleep(1.1)  # the second record falls in a later second than the first
    second = _record(cli, "2025-03-05")
    log = {e["id"]: e for e in cli.json("log")}
    return log[first], log[second]


def test_log_times_are_beijing_times_with_their_offset(cli: Any) -> None:
    before = datetime.now().astimezone()
    first, _second = _two_records_seconds_apart(cli)
    at = datetime.fromisoformat(first["recorded_at"])
    assert first["recorded_at"].endswith("+08:00") and at.utcoffset() == timedelta(hours=8)
    assert before - timedelta(seconds=1) <= at <= datetime.now().astimezone()  # the same moment, not shifted
    table = cli("log", env=WIDE).stdout
    shown = re.findall(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00", table)
    assert first["recorded_at"][:19] + "+08:00" in shown


def test_known_at_takes_the_time_log_prints_in_json_and_in_the_table(cli: Any) -> None:
    first, second = _two_records_seconds_apart(cli)
    table_time = first["recorded_at"][:19] + "+08:00"
    assert table_time in cli("log", env=WIDE).stdout
    # 2.2.1 deducts 0.10 per occurrence: known at the first record's time, one occurrence; both later.
    assert _deducted(cli, "--known-at", first["recorded_at"]) == "0.10"
    assert _deducted(cli, "--known-at", table_time) == "0.10"  # the whole second the table names
    assert _deducted(cli, "--known-at", table_time.replace("T", " ")) == "0.10"
    assert _deducted(cli, "--known-at", first["recorded_at"][:19]) == "0.10"  # no offset: the ruleset's zone
    assert _deducted(cli, "--known-at", second["recorded_at"]) == "0.20"
    assert _deducted(cli) == "0.20"
    doc = cli.json("score", "--year", "2025", "--known-at", table_time)
    assert doc["known_at"] == first["recorded_at"][:19] + ".999999+08:00"


def test_trace_and_dispute_list_times_carry_the_offset(cli: Any) -> None:
    cli.json("init", "--year", "2025")
    occ = _record(cli, "2025-03-04")
    cli.json("dispute", "open", occ, "--reason", "不服", "--evidence", "录音")
    trace = cli.json("trace", "--year", "2025", "--unit", "taishan", "--item", "2.2.1", "--as-of", "2025-12-31")
    event = trace["items"][0]["events"][0]
    assert event["recorded_at"].endswith("+08:00")
    assert [h["at"][-6:] for h in event["history"]] == ["+08:00"]
    (row,) = cli.json("dispute", "list")
    assert row["opened_at"].endswith("+08:00")
    assert row["opened_at"][:19] in cli("dispute", "list", env=WIDE).stdout.replace("\n", "")


def test_times_follow_the_rulesets_time_zone_not_a_literal(cli: Any, tmp_path: Path) -> None:
    tokyo = tmp_path / "tokyo.toml"
    tokyo.write_text(builtin_text().replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Tokyo"'),
                     encoding="utf-8")
    assert cli("init", "--year", "2025", "--ruleset", tokyo).exit_code == 0
    time.sleep(1.1)
    _record(cli, "2025-03-04")
    (_, recorded) = cli.json("log")
    assert recorded["recorded_at"].endswith("+09:00")
    # Without an offset, --known-at is Tokyo's wall clock: a second before the record, it is not known yet (read
    # as Beijing time, the same digits would be an hour later, and would count it).
    at = datetime.fromisoformat(recorded["recorded_at"]).replace(microsecond=0)
    assert _deducted(cli, "--known-at", (at - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")) == "0.00"
    assert _deducted(cli, "--known-at", at.strftime("%Y-%m-%dT%H:%M:%S")) == "0.10"


def test_a_known_at_of_another_shape_is_a_usage_error(cli: Any) -> None:
    cli.json("init", "--year", "2025")
    for bad in ("2025-11-05T10", "20251105", "yesterday", "2025-11-05T10:00:00+0800x"):
        result = cli("score", "--year", "2025", "--known-at", bad)
        assert result.exit_code == 2 and "is not a timestamp" in result.stderr, (bad, result.stderr)
