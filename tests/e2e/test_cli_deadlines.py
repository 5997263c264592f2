"""Deadlines on the official working-day calendar, through the command line, on both backends.

Deadlines counted by hand from the official schedules: 2025 Spring Festival 1/28–2/4 (Sat 2/8
worked), National Day 10/1–10/8 (Sun 9/28 and Sat 10/11 worked); 2026 New Year 1/1–1/3 (Sun 1/4
worked). Reports are due on the 5th working day after the period, explanations on the 7th after
receipt. Pool 3.2 has 30 points; a late or missing monthly report costs 0.50, a quarterly one
1.00, an explanation 0.10.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import items_of, unit_of


@pytest.fixture
def ready(cli: Any) -> Any:
    """The CLI on a store with the Tai'an ruleset adopted for 2025 and 2026."""
    for year in (2025, 2026):
        assert cli("init", "--year", year).exit_code == 0
    return cli


def submit(cli: Any, period: str, on: str, kind: str = "monthly", unit: str = "taishan") -> None:
    cli.json("submit-report", "--unit", unit, "--kind", kind, "--period", period, "--date", on,
             "--evidence", f"OA-{period}")


def last_day(period: str) -> str:
    """The last day of ``2025-09`` or ``2025-Q3``, worked out here, not by the code under test."""
    year, rest = int(period[:4]), period[5:]
    month = 3 * int(rest[1]) if rest.startswith("Q") else int(rest)
    first_of_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (first_of_next - timedelta(days=1)).isoformat()


def punctual_year(cli: Any, year: int, leave_out: tuple[str, ...] = ()) -> None:
    """Every month and quarter of ``year`` reported by taishan on its last day (always on time)."""
    for period in [f"{year}-{m:02d}" for m in range(1, 13)]:
        if period not in leave_out:
            submit(cli, period, last_day(period))
    for period in [f"{year}-Q{q}" for q in range(1, 5)]:
        if period not in leave_out:
            submit(cli, period, last_day(period), kind="quarterly")


def score_items(cli: Any, year: int, as_of: str, unit: str = "taishan") -> dict[str, dict[str, Any]]:
    return items_of(unit_of(cli.json("score", "--year", year, "--as-of", as_of), unit))


def trace_periods(cli: Any, year: int, item: str, as_of: str, unit: str = "taishan") -> dict[str, dict[str, Any]]:
    doc = cli.json("trace", "--year", year, "--unit", unit, "--item", item, "--as-of", as_of)
    (entry,) = doc["items"]
    return {p["period"]: p for p in entry["periods"]}


def events_in(cli: Any) -> int:
    return len(cli.json("log"))


class TestMonthlyReports:
    def test_recording_a_submission_prints_its_id(self, ready):
        doc = ready.json("submit-report", "--unit", "泰山区", "--kind", "monthly", "--period", "2025-09",
                         "--date", "2025-10-14", "--evidence", "OA-2025-0912")

        assert set(doc) >= {"id"}
        assert events_in(ready) == 3  # two rulesets, one submission

    def test_september_2025_submitted_on_14_october_is_on_time(self, ready):
        punctual_year(ready, 2025, leave_out=("2025-09",))
        submit(ready, "2025-09", "2025-10-14")

        september = trace_periods(ready, 2025, "3.2.5.1", "2025-12-31")["2025-09"]
        items = score_items(ready, 2025, "2025-12-31")

        # 10/1–10/8 holiday; 10/9 (1), 10/10 (2), Sat 10/11 (3), 10/13 (4), 10/14 (5).
        assert (september["deadline"], september["submitted"], september["verdict"]) == (
            "2025-10-14", "2025-10-14", "on_time")
        assert september["deducts"] is False
        assert items["3.2.5.1"]["deducted"] == "0.00"
        assert items["3.2"]["points"] == "30.00"

    def test_september_2025_submitted_on_15_october_is_late_and_costs_0_50_of_pool_3_2(self, ready):
        punctual_year(ready, 2025, leave_out=("2025-09",))
        submit(ready, "2025-09", "2025-10-15")

        september = trace_periods(ready, 2025, "3.2.5.1", "2025-12-31")["2025-09"]
        items = score_items(ready, 2025, "2025-12-31")

        assert (september["verdict"], september["deducts"]) == ("late", True)
        # 1 × 0.50 = 0.50; pool 3.2: 30.00 − 0.50 = 29.50.
        assert (items["3.2.5.1"]["deducted"], items["3.2.5.1"]["count"]) == ("0.50", 1)
        assert items["3.2"]["points"] == "29.50"

    def test_the_january_2025_report_is_due_on_10_february(self, ready):
        january = trace_periods(ready, 2025, "3.2.5.1", "2025-02-28")["2025-01"]

        # Spring Festival 1/28–2/4; 2/5 (1), 2/6 (2), 2/7 (3), Sat 2/8 (4), Mon 2/10 (5).
        assert (january["due_from"], january["deadline"], january["verdict"]) == (
            "2025-01-31", "2025-02-10", "missing")

    def test_a_month_never_reported_costs_0_50_once_its_deadline_passes_and_nothing_before(self, ready):
        punctual_year(ready, 2025, leave_out=("2025-09",))

        assert score_items(ready, 2025, "2025-10-14")["3.2.5.1"]["deducted"] == "0.00"
        assert trace_periods(ready, 2025, "3.2.5.1", "2025-10-14")["2025-09"]["verdict"] == "not_yet_due"
        # The day after the deadline: 1 × 0.50, and still once at the year's end.
        assert score_items(ready, 2025, "2025-10-15")["3.2.5.1"]["deducted"] == "0.50"
        assert score_items(ready, 2025, "2025-12-31")["3.2.5.1"]["deducted"] == "0.50"
        assert trace_periods(ready, 2025, "3.2.5.1", "2025-10-15")["2025-09"]["verdict"] == "missing"

    def test_trace_json_lists_every_month_with_its_deadline_and_verdict(self, ready):
        submit(ready, "2025-01", "2025-02-10")
        submit(ready, "2025-02", "2025-03-10")  # due Fri 3/7

        months = trace_periods(ready, 2025, "3.2.5.1", "2025-06-15")

        assert list(months) == [f"2025-{m:02d}" for m in range(1, 13)]
        assert {p: (v["deadline"], v["verdict"]) for p, v in list(months.items())[:6]} == {
            "2025-01": ("2025-02-10", "on_time"),
            "2025-02": ("2025-03-07", "late"),
            "2025-03": ("2025-04-08", "missing"),  # 4/1–4/3, Qingming 4/4–4/6, 4/7, 4/8
            "2025-04": ("2025-05-12", "missing"),  # 5/1–5/5 holiday; 5/6 … 5/9, Mon 5/12
            "2025-05": ("2025-06-09", "missing"),  # 6/1–6/2 holiday; 6/3 … 6/6, Mon 6/9
            "2025-06": ("2025-07-07", "not_yet_due"),  # June has not even ended by 6/15
        }

    def test_trace_table_shows_each_month_with_a_chinese_verdict(self, ready):
        submit(ready, "2025-01", "2025-02-10")
        submit(ready, "2025-02", "2025-03-10")

        result = ready("trace", "--year", 2025, "--unit", "taishan", "--item", "3.2.5.1", "--as-of", "2025-06-15")

        assert result.exit_code == 0
        rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()[:5] == "2025-"}
        assert [rows[f"2025-0{m}"][-1] for m in range(1, 7)] == ["按期", "逾期", "未报送", "未报送", "未报送", "未到期"]
        assert rows["2025-01"][1:4] == ["2025-01-31", "2025-02-10", "2025-02-10"]
        assert rows["2025-03"][1:4] == ["2025-03-31", "2025-04-08", "—"]


class TestAFullYear:
    def test_twelve_months_and_q1_to_q3_on_time_with_q4_missing_as_of_31_january_2026_cost_1_00(self, ready):
        for period, deadline in [
            ("2025-01", "2025-02-10"), ("2025-02", "2025-03-07"), ("2025-03", "2025-04-08"),
            ("2025-04", "2025-05-12"), ("2025-05", "2025-06-09"), ("2025-06", "2025-07-07"),
            ("2025-07", "2025-08-07"), ("2025-08", "2025-09-05"), ("2025-09", "2025-10-14"),
            ("2025-10", "2025-11-07"), ("2025-11", "2025-12-05"), ("2025-12", "2026-01-08"),
        ]:
            submit(ready, period, deadline)
        for period, deadline in [("2025-Q1", "2025-04-08"), ("2025-Q2", "2025-07-07"), ("2025-Q3", "2025-10-14")]:
            submit(ready, period, deadline, kind="quarterly")

        taishan = unit_of(ready.json("score", "--year", 2025, "--as-of", "2026-01-31"), "taishan")
        items = items_of(taishan)
        quarters = trace_periods(ready, 2025, "3.2.5.2", "2026-01-31")

        # Q4 ends 12/31; 1/1–1/3 holiday, Sun 1/4 (1) … Thu 1/8 (5): missing by 1/31.
        assert quarters["2025-Q4"]["deadline"] == "2026-01-08"
        assert [q["verdict"] for q in quarters.values()] == ["on_time", "on_time", "on_time", "missing"]
        # 3.2.5.1: 0 × 0.50 = 0.00; 3.2.5.2: 1 × 1.00 = 1.00; pool 3.2: 30.00 − 1.00 = 29.00.
        assert items["3.2.5.1"]["deducted"] == "0.00"
        assert items["3.2.5.2"]["deducted"] == "1.00"
        assert (items["3.2"]["points"], items["3.2"]["status"]) == ("29.00", "scored")
        # Section 3: 3.1 not assessed yet (0.00) + 3.2 29.00 = 29.00.
        section_3 = next(s for s in taishan["sections"] if s["code"] == "3")
        assert section_3["points"] == "29.00"


class TestNotices:
    def test_a_notice_received_on_friday_26_september_is_due_13_october_and_explained_on_the_14th_costs_0_10(
            self, ready):
        ready.json("notice", "--unit", "泰山区", "--notice", "DB-2025-091", "--received", "2025-09-26",
                   "--evidence", "督办单")
        ready.json("explain", "--notice", "DB-2025-091", "--date", "2025-10-14", "--evidence", "情况说明")

        notice = trace_periods(ready, 2025, "3.2.1.3", "2025-12-31")["DB-2025-091"]
        items = score_items(ready, 2025, "2025-12-31")

        # Sun 9/28 (1), 9/29 (2), 9/30 (3), 10/1–10/8 holiday, 10/9 (4), 10/10 (5), Sat 10/11 (6), Mon 10/13 (7).
        assert (notice["deadline"], notice["submitted"], notice["verdict"]) == ("2025-10-13", "2025-10-14", "late")
        # 1 × 0.10 = 0.10
        assert items["3.2.1.3"]["deducted"] == "0.10"

    def test_an_explanation_on_13_october_costs_nothing(self, ready):
        ready.json("notice", "--unit", "taishan", "--notice", "DB-2025-091", "--received", "2025-09-26",
                   "--evidence", "督办单")
        ready.json("explain", "--notice", "DB-2025-091", "--date", "2025-10-13", "--evidence", "情况说明")

        assert score_items(ready, 2025, "2025-12-31")["3.2.1.3"]["deducted"] == "0.00"


class TestTheDecember2026Report:
    AS_OF = "2027-02-01"

    def test_is_pending_naming_2027_in_score_and_trace_until_2027_is_entered_and_complete(self, ready):
        punctual_year(ready, 2026, leave_out=("2026-12",))

        taishan = unit_of(ready.json("score", "--year", 2026, "--as-of", self.AS_OF), "taishan")
        items = items_of(taishan)
        december = trace_periods(ready, 2026, "3.2.5.1", self.AS_OF)["2026-12"]
        table = ready("trace", "--year", 2026, "--unit", "taishan", "--item", "3.2.5.1", "--as-of", self.AS_OF)

        assert (items["3.2.5.1"]["status"], items["3.2.5.1"]["deducted"]) == ("pending", "0.00")
        assert "2027" in items["3.2.5.1"]["reason"]
        assert items["3.2"]["status"] == "pending" and "3.2.5.1：" in items["3.2"]["reason"]
        section_3 = next(s for s in taishan["sections"] if s["code"] == "3")
        assert section_3["status"] == "pending" and "2027" in section_3["reason"]
        assert (december["deadline"], december["verdict"]) == (None, "pending")
        assert "calendar complete 2027" in december["reason"]
        assert table.exit_code == 0
        assert "2027" in table.stdout and "待定" in table.stdout

        ready.json("calendar", "set", "2027-01-01", "--holiday", "--evidence", "国办发明电〔2026〕")
        assert score_items(ready, 2026, self.AS_OF)["3.2.5.1"]["status"] == "pending"
        ready.json("calendar", "complete", 2027, "--evidence", "国办发明电〔2026〕")

        items = score_items(ready, 2026, self.AS_OF)
        december = trace_periods(ready, 2026, "3.2.5.1", self.AS_OF)["2026-12"]
        # Fri 1/1 holiday, the weekend, Mon 1/4 (1) … Fri 1/8 (5): missing by 2/1, 1 × 0.50.
        assert (december["deadline"], december["verdict"]) == ("2027-01-08", "missing")
        assert "status" not in items["3.2.5.1"] and items["3.2.5.1"]["deducted"] == "0.50"
        # 30.00 − 0.50 = 29.50
        assert (items["3.2"]["status"], items["3.2"]["points"]) == ("scored", "29.50")


class TestCalendarRulings:
    def test_a_ruling_changes_an_existing_verdict(self, ready):
        punctual_year(ready, 2025, leave_out=("2025-09",))
        submit(ready, "2025-09", "2025-10-15")
        assert score_items(ready, 2025, "2025-12-31")["3.2.5.1"]["deducted"] == "0.50"

        ready.json("calendar", "set", "2025-10-11", "--holiday", "--evidence", "本地通知")

        # Sat 10/11 not worked: 10/9 (1), 10/10 (2), 10/13 (3), 10/14 (4), 10/15 (5).
        september = trace_periods(ready, 2025, "3.2.5.1", "2025-12-31")["2025-09"]
        assert (september["deadline"], september["verdict"]) == ("2025-10-15", "on_time")
        assert score_items(ready, 2025, "2025-12-31")["3.2.5.1"]["deducted"] == "0.00"


class TestRefusals:
    """Each refusal exits 1 (2 for a malformed date) with one message, and records nothing."""

    @pytest.fixture
    def noticed(self, ready: Any) -> Any:
        ready.json("notice", "--unit", "taishan", "--notice", "DB-2025-091", "--received", "2025-09-26",
                   "--evidence", "督办单")
        return ready

    def refused(self, cli: Any, *args: Any, exit_code: int = 1) -> str:
        before = events_in(cli)
        result = cli(*args)
        assert result.exit_code == exit_code, result.stdout
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        assert events_in(cli) == before
        return result.stderr

    def test_a_notice_id_already_recorded(self, noticed):
        message = self.refused(noticed, "notice", "--unit", "daiyue", "--notice", "DB-2025-091",
                               "--received", "2025-10-09", "--evidence", "督办单")
        assert "'DB-2025-091' is already recorded" in message

    def test_an_explanation_for_an_unknown_notice(self, noticed):
        message = self.refused(noticed, "explain", "--notice", "DB-404", "--date", "2025-10-09",
                               "--evidence", "情况说明")
        assert "no notice 'DB-404'" in message

    def test_an_explanation_dated_before_the_notice_was_received(self, noticed):
        message = self.refused(noticed, "explain", "--notice", "DB-2025-091", "--date", "2025-09-25",
                               "--evidence", "情况说明")
        assert "before the notice was received (2025-09-26)" in message

    def test_a_report_for_a_period_of_a_year_with_no_ruleset(self, ready):
        message = self.refused(ready, "submit-report", "--unit", "taishan", "--kind", "monthly",
                               "--period", "2024-12", "--date", "2025-01-08", "--evidence", "OA")
        assert "no ruleset adopted for 2024" in message and "init --year 2024" in message

    def test_a_report_dated_before_its_period_ended(self, ready):
        message = self.refused(ready, "submit-report", "--unit", "taishan", "--kind", "monthly",
                               "--period", "2025-10", "--date", "2025-10-15", "--evidence", "OA")
        assert "the period ends on 2025-10-31" in message

    def test_a_period_that_is_not_a_month(self, ready):
        message = self.refused(ready, "submit-report", "--unit", "taishan", "--kind", "monthly",
                               "--period", "2025-13", "--date", "2026-01-08", "--evidence", "OA")
        assert "'2025-13'" in message

    @pytest.mark.parametrize("args", [
        ("submit-report", "--unit", "taishan", "--kind", "monthly", "--period", "2025-09", "--date", "2025-10-32",
         "--evidence", "OA"),
        ("notice", "--unit", "taishan", "--notice", "DB-1", "--received", "26/09/2025", "--evidence", "督办单"),
        ("explain", "--notice", "DB-2025-091", "--date", "yesterday", "--evidence", "情况说明"),
        ("calendar", "set", "2027-02-30", "--holiday", "--evidence", "通知"),
    ])
    def test_a_date_that_is_not_a_date_is_a_usage_error(self, noticed, args):
        message = self.refused(noticed, *args, exit_code=2)
        assert "不是日期：请写成 YYYY-MM-DD" in message
