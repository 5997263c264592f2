"""Defects found by the correctness review, each pinned through the CLI on both backends.

Item 2.1 (知识库信息滞后) has 3 points and deducts 0.10 per occurrence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import items_of, unit_of

YEAR = ["--year", "2025", "--as-of", "2025-12-31"]
#: Far beyond any real count, and beyond what a 64-bit integer (the stores' and orjson's) holds.
HUGE = "99999999999999999999999"


def _events(cli: Any) -> int:
    return len(cli.json("log"))


def _points_21(cli: Any) -> str:
    return items_of(unit_of(cli.json("score", *YEAR), "taishan"))["2.1"]["points"]


class TestCountsBeyondAnyRealNumber:
    def test_a_huge_count_is_refused_and_the_ledger_stays_readable(self, cli: Any) -> None:
        cli.json("init", "--year", "2025")
        before = _events(cli)
        result = cli("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04",
                     "--evidence", "E", "--count", HUGE)
        assert result.exit_code == 1
        assert "count" in result.stderr
        assert _events(cli) == before
        assert _points_21(cli) == "3.00"  # nothing deducted: 3.00 − 0 × 0.10

    def test_a_count_large_enough_to_overflow_the_sums_is_refused(self, cli: Any) -> None:
        cli.json("init", "--year", "2025")
        # 2**62: two of them would sum to 2**63, past a 64-bit integer (the scoring SUM overflowed).
        big = str(2**62)
        first = cli("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04", "--evidence", "E",
                    "--count", big)
        assert first.exit_code == 1
        assert _points_21(cli) == "3.00"

    def test_amending_a_dispute_to_a_huge_count_is_refused_and_the_ledger_stays_readable(self, cli: Any) -> None:
        cli.json("init", "--year", "2025")
        occ = cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-04",
                       "--evidence", "E", "--count", "2")["id"]
        dispute = cli.json("dispute", "open", occ, "--reason", "r", "--evidence", "e")["id"]
        before = _events(cli)
        result = cli("dispute", "decide", dispute, "--decision", "amend", "--count", HUGE, "--reason", "r")
        assert result.exit_code == 1
        assert "count" in result.stderr
        assert _events(cli) == before
        assert _points_21(cli) == "2.80"  # 3.00 − 2 × 0.10, the count as recorded

    def test_a_huge_count_in_an_events_file_is_refused_with_its_row(self, cli: Any, tmp_path: Path) -> None:
        cli.json("init", "--year", "2025")
        before = _events(cli)
        path = tmp_path / "events.csv"
        path.write_text(f"unit,item,date,count,evidence,note\ntaishan,2.1,2025-03-04,{HUGE},E,\n", encoding="utf-8")
        result = cli("import", "events", str(path))
        assert result.exit_code == 1
        assert "events.csv:2:count" in result.stderr
        assert _events(cli) == before
        assert _points_21(cli) == "3.00"


class TestNegativeZeroPoints:
    def test_an_assessment_of_minus_zero_is_shown_as_zero_in_trace_and_score(self, cli: Any) -> None:
        cli.json("init", "--year", "2025")
        cli.json("assess", "--unit", "taishan", "--item", "1.1.1", "--points", "-0", "--date", "2025-03-04",
                 "--evidence", "A")
        traced = cli.json("trace", *YEAR, "--unit", "taishan", "--item", "1.1.1")["items"][0]
        assert traced["points"] == "0.00"  # −0 awarded is 0 awarded, never "-0.00"
        assert "−0" not in traced["explanation"] and "-0" not in traced["explanation"]
        assert items_of(unit_of(cli.json("score", *YEAR), "taishan"))["1.1.1"]["points"] == "0.00"


class TestAnOutputFileThatCannotBeWritten:
    @pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
    def test_score_into_a_missing_directory_is_a_clear_refusal(self, cli: Any, tmp_path: Path, fmt: str) -> None:
        cli.json("init", "--year", "2025")
        before = _events(cli)
        target = tmp_path / "no-such-dir" / f"scores.{fmt}"
        result = cli("score", *YEAR, "--format", fmt, "--output", str(target))
        assert result.exit_code == 1
        assert str(target) in result.stderr and "Traceback" not in result.stderr
        assert not target.parent.exists()
        assert _events(cli) == before

    def test_export_into_a_missing_directory_is_a_clear_refusal(self, cli: Any, tmp_path: Path) -> None:
        cli.json("init", "--year", "2025")
        before = _events(cli)
        target = tmp_path / "no-such-dir" / "ledger.jsonl"
        result = cli("export", str(target))
        assert result.exit_code == 1
        assert str(target) in result.stderr
        assert not target.parent.exists()
        assert _events(cli) == before


class TestInitWithOddInput:
    def test_init_year_zero_is_refused_rather_than_adopting_this_year(self, cli: Any) -> None:
        result = cli("init", "--year", "0")
        assert result.exit_code in (1, 2)  # refused, by the domain or by click's own range check
        assert "0" in result.stderr
        assert cli("rules", "show", "--year", "2026").exit_code == 1  # nothing adopted for any year
        assert cli.json("log") == []

    def test_init_with_a_year_past_the_calendar_is_refused_and_score_never_crashes(self, cli: Any) -> None:
        result = cli("init", "--year", "99999")
        assert result.exit_code in (1, 2)
        assert "99999" in result.stderr
        scored = cli("score", "--year", "99999")
        assert scored.exit_code == 1 and "99999" in scored.stderr

    def test_a_ruleset_file_that_is_not_utf8_is_a_clear_refusal(self, cli: Any, tmp_path: Path) -> None:
        path = tmp_path / "gbk.toml"
        path.write_bytes("id = \"泰安\"\n".encode("gbk"))
        result = cli("init", "--year", "2025", "--ruleset", str(path))
        assert result.exit_code == 1
        assert "gbk.toml" in result.stderr and "UTF-8" in result.stderr
        assert cli("rules", "show", "--year", "2025").exit_code == 1  # nothing adopted
