"""``dispute open --date D``: a dispute filed on paper earlier is checked against the filing window on that date.

The ruleset is Tai'an's with ``[disputes] working_days = 5``: a dispute must be filed within five
working days (official calendar) of the evaluation it contests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledger.rulesets.loading import builtin_text
from tests.integration.test_rates import order, write_export


@pytest.fixture
def deadline(cli: Any, tmp_path: Path) -> Any:
    """The CLI on a store with Tai'an's 2025 rules plus a five-working-day dispute window."""
    ruleset = tmp_path / "taian-deadline.toml"
    ruleset.write_text(builtin_text() + "\n[disputes]\nworking_days = 5\n", encoding="utf-8")
    assert cli("init", "--year", 2025, "--ruleset", ruleset).exit_code == 0
    return cli


def occurrence(cli: Any) -> str:
    """An occurrence evaluated on Monday 3 March 2025."""
    return cli.json("record", "--unit", "taishan", "--item", "2.1", "--date", "2025-03-03",
                    "--evidence", "知识库抽查")["id"]


def disputes(cli: Any) -> list[str]:
    return [d["id"] for d in cli.json("dispute", "list")]


class TestDisputeFilingDate:
    def test_a_dispute_filed_on_paper_on_the_fifth_working_day_is_opened(self, deadline: Any) -> None:
        occ = occurrence(deadline)
        # Mon 3 March 2025 + 5 working days = Mon 10 March 2025
        opened = deadline.json("dispute", "open", occ, "--reason", "非本单位责任", "--evidence", "纸质异议单",
                               "--date", "2025-03-10")
        assert disputes(deadline) == [opened["id"]]

    def test_a_dispute_filed_on_paper_a_day_too_late_is_refused_and_nothing_is_recorded(self, deadline: Any) -> None:
        occ = occurrence(deadline)
        before = len(deadline.json("log"))
        result = deadline("dispute", "open", occ, "--reason", "非本单位责任", "--evidence", "纸质异议单",
                          "--date", "2025-03-11")
        assert result.exit_code == 1
        assert "by 2025-03-10 (today is 2025-03-11)" in result.stderr
        assert disputes(deadline) == []
        assert len(deadline.json("log")) == before

    def test_without_a_date_the_dispute_is_filed_today_long_after_the_window(self, deadline: Any) -> None:
        occ = occurrence(deadline)
        result = deadline("dispute", "open", occ, "--reason", "非本单位责任", "--evidence", "纸质异议单")
        assert result.exit_code == 1
        assert "by 2025-03-10" in result.stderr
        assert disputes(deadline) == []

    def test_a_screening_filed_on_paper_is_checked_from_the_orders_completion(self, deadline: Any,
                                                                              tmp_path: Path) -> None:
        deadline.json("import", "workorders", write_export(tmp_path / "orders.csv", [order("TS1", "taishan")]))
        # completed Thu 3 April 2025; 4–6 April are the Qingming holiday, so the five working days
        # are 7, 8, 9, 10 and 11 April: the 14th is too late, the 11th in time
        late = deadline("dispute", "open", "--workorder", "TS1", "--rate", "satisfaction", "--reason", "恶意差评",
                        "--evidence", "录音", "--date", "2025-04-14")
        assert late.exit_code == 1
        assert "by 2025-04-11" in late.stderr
        assert disputes(deadline) == []
        opened = deadline.json("dispute", "open", "--workorder", "TS1", "--rate", "satisfaction", "--reason",
                               "恶意差评", "--evidence", "录音", "--date", "2025-04-11")
        assert disputes(deadline) == [opened["id"]]

    def test_a_date_that_is_not_a_date_is_a_usage_error(self, deadline: Any) -> None:
        occ = occurrence(deadline)
        result = deadline("dispute", "open", occ, "--reason", "非本单位责任", "--evidence", "纸质异议单",
                          "--date", "2025-13-01")
        assert result.exit_code == 2
        assert disputes(deadline) == []


class TestTheFilingDateIsOnRecord:
    def test_the_claimed_filing_date_is_kept_in_the_dispute_event(self, deadline: Any) -> None:
        occ = occurrence(deadline)
        opened = deadline.json("dispute", "open", occ, "--reason", "非本单位责任", "--evidence", "纸质异议单",
                               "--date", "2025-03-07")
        event = next(e for e in deadline.json("log") if e["id"] == opened["id"])
        assert event["type"] == "DisputeOpened"
        assert event["filed_on"] == "2025-03-07"

    def test_a_filing_date_still_to_come_is_refused_and_nothing_is_recorded(self, deadline: Any) -> None:
        occ = occurrence(deadline)
        before = len(deadline.json("log"))
        result = deadline("dispute", "open", occ, "--reason", "非本单位责任", "--evidence", "纸质异议单",
                          "--date", "2099-01-01")
        assert result.exit_code == 1
        assert "a date still to come" in result.stderr
        assert len(deadline.json("log")) == before
