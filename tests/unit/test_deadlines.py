"""Deadline verdicts for periodic reports and notice explanations (RUBRIC.md §7, §8).

Every expected deadline is counted by hand from the official 2025/2026 schedules: 2025 Spring
Festival 1/28–2/4 (Sat 2/8 worked), Qingming 4/4–4/6, Labour Day 5/1–5/5, Dragon Boat
5/31–6/2, National Day + Mid-Autumn 10/1–10/8 (Sun 9/28 and Sat 10/11 worked); 2026 New Year
1/1–1/3 (Sun 1/4 worked). Monthly and quarterly reports are due on the 5th working day,
explanations of a notice on the 7th.
"""

from datetime import date

import pytest

from ledger.domain.calendar import WorkingCalendar
from projections.deadlines import (
    Period,
    Verdict,
    notice_verdicts,
    parse_period,
    period_end,
    periods_of_year,
    report_verdicts,
)

OFFICIAL = WorkingCalendar()
REPORT_DAYS = 5
NOTICE_DAYS = 7


def monthly(period, submitted=None, as_of=date(2026, 12, 31), calendar=OFFICIAL):
    """The verdict on one monthly report of the period's year."""
    year = int(period[:4])
    submissions = {} if submitted is None else {period: submitted}
    verdicts = report_verdicts("monthly", year, submissions, calendar, REPORT_DAYS, as_of)
    return next(v for v in verdicts if v.period == period)


def quarterly(period, submitted=None, as_of=date(2026, 12, 31), calendar=OFFICIAL):
    """The verdict on one quarterly report of the period's year."""
    year = int(period[:4])
    submissions = {} if submitted is None else {period: submitted}
    verdicts = report_verdicts("quarterly", year, submissions, calendar, REPORT_DAYS, as_of)
    return next(v for v in verdicts if v.period == period)


def notice(received, explained=None, as_of=date(2026, 12, 31), calendar=OFFICIAL):
    """The verdict on one notice's explanation."""
    (verdict,) = notice_verdicts([("N-1", received, explained)], calendar, NOTICE_DAYS, as_of)
    return verdict


class TestTheRequiredFacts:
    def test_the_september_2025_report_is_due_on_14_october(self):
        # 10/1–10/8 holiday; 10/9 (1), 10/10 (2), Sat 10/11 worked (3), 10/13 (4), 10/14 (5).
        verdict = monthly("2025-09", submitted=date(2025, 10, 14))
        assert verdict.due_from == date(2025, 9, 30)
        assert verdict.deadline == date(2025, 10, 14)

    def test_a_september_2025_report_submitted_on_14_october_is_on_time(self):
        verdict = monthly("2025-09", submitted=date(2025, 10, 14))
        assert verdict.verdict == "on_time"
        assert verdict.deducts is False

    def test_a_september_2025_report_submitted_on_15_october_is_late(self):
        verdict = monthly("2025-09", submitted=date(2025, 10, 15))
        assert verdict.verdict == "late"
        assert verdict.submitted == date(2025, 10, 15)
        assert verdict.deducts is True

    def test_the_january_2025_report_is_due_on_10_february(self):
        # 2/1–2/4 holiday; 2/5 (1), 2/6 (2), 2/7 (3), Sat 2/8 worked (4), Mon 2/10 (5).
        assert monthly("2025-01").deadline == date(2025, 2, 10)

    def test_a_notice_received_on_friday_26_september_2025_is_due_on_13_october(self):
        # Sat 9/27 rest; Sun 9/28 worked (1), 9/29 (2), 9/30 (3), 10/1–10/8 holiday,
        # 10/9 (4), 10/10 (5), Sat 10/11 worked (6), Mon 10/13 (7).
        verdict = notice(date(2025, 9, 26))
        assert verdict.period == "N-1"
        assert verdict.due_from == date(2025, 9, 26)
        assert verdict.deadline == date(2025, 10, 13)

    def test_a_month_never_reported_is_not_yet_due_on_its_deadline(self):
        verdict = monthly("2025-09", as_of=date(2025, 10, 14))
        assert verdict.verdict == "not_yet_due"
        assert verdict.deducts is False

    def test_a_month_never_reported_is_missing_the_day_after_its_deadline(self):
        verdict = monthly("2025-09", as_of=date(2025, 10, 15))
        assert verdict.verdict == "missing"
        assert verdict.submitted is None
        assert verdict.deducts is True


class TestTheYearsDeadlines:
    @pytest.mark.parametrize(
        ("period", "deadline"),
        [
            ("2025-01", date(2025, 2, 10)),  # see the required facts
            ("2025-02", date(2025, 3, 7)),  # Mon 3/3 (1) … Fri 3/7 (5)
            ("2025-03", date(2025, 4, 8)),  # 4/1, 4/2, 4/3, Qingming 4/4–4/6, 4/7, 4/8
            ("2025-04", date(2025, 5, 12)),  # 5/1–5/5 holiday; 5/6 … 5/9, Mon 5/12
            ("2025-05", date(2025, 6, 9)),  # 6/1–6/2 holiday; 6/3 … 6/6, Mon 6/9
            ("2025-06", date(2025, 7, 7)),  # Tue 7/1 … Fri 7/4, Mon 7/7
            ("2025-07", date(2025, 8, 7)),  # Fri 8/1, Mon 8/4 … Thu 8/7
            ("2025-08", date(2025, 9, 5)),  # Mon 9/1 … Fri 9/5
            ("2025-09", date(2025, 10, 14)),  # see the required facts
            ("2025-10", date(2025, 11, 7)),  # Mon 11/3 … Fri 11/7
            ("2025-11", date(2025, 12, 5)),  # Mon 12/1 … Fri 12/5
            ("2025-12", date(2026, 1, 8)),  # 1/1–1/3 holiday; Sun 1/4 worked, 1/5 … 1/8
        ],
    )
    def test_each_2025_monthly_report_is_due_on_the_5th_working_day_after_its_month(self, period, deadline):
        assert monthly(period).deadline == deadline

    def test_the_year_has_one_verdict_per_month_in_order(self):
        verdicts = report_verdicts("monthly", 2025, {}, OFFICIAL, REPORT_DAYS, date(2026, 12, 31))
        assert [v.period for v in verdicts] == [f"2025-{m:02d}" for m in range(1, 13)]
        assert all(v.verdict == "missing" for v in verdicts)

    @pytest.mark.parametrize(
        ("period", "deadline"),
        [
            ("2025-Q1", date(2025, 4, 8)),
            ("2025-Q2", date(2025, 7, 7)),
            ("2025-Q3", date(2025, 10, 14)),
            ("2025-Q4", date(2026, 1, 8)),
        ],
    )
    def test_each_2025_quarterly_report_is_due_on_the_5th_working_day_of_the_next_quarter(
        self, period, deadline
    ):
        assert quarterly(period).deadline == deadline

    def test_the_q4_2025_report_falls_due_in_january_2026_but_counts_in_2025(self):
        submissions = {"2025-Q4": date(2026, 1, 9)}  # a day after its 2026-01-08 deadline
        as_of = date(2026, 12, 31)
        of_2025 = report_verdicts("quarterly", 2025, submissions, OFFICIAL, REPORT_DAYS, as_of)
        of_2026 = report_verdicts("quarterly", 2026, submissions, OFFICIAL, REPORT_DAYS, as_of)
        assert of_2025[-1] == Verdict(
            "2025-Q4", date(2025, 12, 31), date(2026, 1, 8), date(2026, 1, 9), "late"
        )
        assert [v.period for v in of_2026] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]

    def test_the_december_2025_report_is_on_time_on_8_january_2026(self):
        assert monthly("2025-12", submitted=date(2026, 1, 8)).verdict == "on_time"
        assert monthly("2025-12", submitted=date(2026, 1, 9)).verdict == "late"


class TestAsOf:
    def test_a_submission_dated_after_as_of_is_not_yet_known(self):
        verdict = monthly("2025-09", submitted=date(2025, 10, 20), as_of=date(2025, 10, 15))
        assert verdict.submitted is None
        assert verdict.verdict == "missing"

    def test_the_same_submission_is_late_once_as_of_reaches_it(self):
        verdict = monthly("2025-09", submitted=date(2025, 10, 20), as_of=date(2025, 10, 20))
        assert verdict.verdict == "late"

    def test_periods_that_have_not_ended_are_not_yet_due(self):
        verdicts = report_verdicts("monthly", 2025, {}, OFFICIAL, REPORT_DAYS, date(2025, 6, 15))
        # May is due 6/9, so it is missing by 6/15; June onwards has not even ended.
        assert [v.verdict for v in verdicts[:5]] == ["missing"] * 5
        assert [v.verdict for v in verdicts[5:]] == ["not_yet_due"] * 7

    def test_a_report_submitted_before_its_month_ends_is_on_time(self):
        verdict = monthly("2025-09", submitted=date(2025, 9, 30), as_of=date(2025, 9, 30))
        assert verdict.verdict == "on_time"
        assert verdict.deadline == date(2025, 10, 14)


class TestNotices:
    def test_an_explanation_on_the_7th_working_day_is_on_time(self):
        assert notice(date(2025, 9, 26), explained=date(2025, 10, 13)).verdict == "on_time"

    def test_an_explanation_on_the_day_after_is_late(self):
        verdict = notice(date(2025, 9, 26), explained=date(2025, 10, 14))
        assert verdict.verdict == "late"
        assert verdict.deducts is True

    def test_no_explanation_is_not_yet_due_on_the_deadline_and_missing_after_it(self):
        assert notice(date(2025, 9, 26), as_of=date(2025, 10, 13)).verdict == "not_yet_due"
        assert notice(date(2025, 9, 26), as_of=date(2025, 10, 14)).verdict == "missing"

    def test_a_notice_received_in_late_december_is_due_in_january(self):
        # Mon 2025-12-29: 12/30 (1), 12/31 (2), 2026 1/1–1/3 holiday, Sun 1/4 worked (3),
        # 1/5 (4), 1/6 (5), 1/7 (6), 1/8 (7).
        assert notice(date(2025, 12, 29)).deadline == date(2026, 1, 8)

    def test_a_notice_received_after_as_of_is_left_out(self):
        notices = [("N-1", date(2025, 9, 26), None), ("N-2", date(2025, 10, 20), None)]
        verdicts = notice_verdicts(notices, OFFICIAL, NOTICE_DAYS, date(2025, 10, 15))
        assert [v.period for v in verdicts] == ["N-1"]

    def test_verdicts_keep_the_order_the_notices_were_given_in(self):
        notices = [("N-2", date(2025, 10, 20), None), ("N-1", date(2025, 9, 26), None)]
        verdicts = notice_verdicts(notices, OFFICIAL, NOTICE_DAYS, date(2025, 12, 31))
        assert [v.period for v in verdicts] == ["N-2", "N-1"]


class TestUnknownYears:
    def test_the_december_2026_report_is_pending_naming_2027(self):
        verdict = monthly("2026-12", as_of=date(2027, 1, 20))
        assert verdict.verdict == "pending"
        assert verdict.deadline is None
        assert verdict.deducts is False
        assert "2027" in verdict.reason
        assert "calendar complete 2027" in verdict.reason

    def test_a_december_2026_report_submitted_in_january_2027_is_pending_too(self):
        verdict = monthly("2026-12", submitted=date(2027, 1, 6), as_of=date(2027, 1, 20))
        assert verdict.verdict == "pending"
        assert verdict.submitted == date(2027, 1, 6)

    def test_the_q4_2026_report_is_pending_naming_2027(self):
        verdict = quarterly("2026-Q4", as_of=date(2027, 1, 20))
        assert verdict.verdict == "pending"
        assert "2027" in verdict.reason

    def test_rulings_alone_leave_it_pending_until_the_year_is_declared_complete(self):
        calendar = WorkingCalendar({date(2027, 1, 1): False})
        assert monthly("2026-12", as_of=date(2027, 1, 20), calendar=calendar).verdict == "pending"

    def test_once_2027_is_complete_the_december_2026_report_is_due_on_8_january_2027(self):
        calendar = WorkingCalendar({date(2027, 1, 1): False}, complete_years=[2027])
        # Fri 1/1 ruled a holiday, then the weekend; Mon 1/4 (1) … Fri 1/8 (5).
        verdict = monthly("2026-12", as_of=date(2027, 1, 20), calendar=calendar)
        assert verdict == Verdict("2026-12", date(2026, 12, 31), date(2027, 1, 8), None, "missing")

    def test_a_ruling_moves_the_deadline_of_a_complete_year(self):
        calendar = WorkingCalendar({date(2027, 1, 1): False, date(2027, 1, 4): False}, [2027])
        # Mon 1/4 also ruled a holiday: 1/5 (1) … 1/8 (4), Mon 1/11 (5).
        assert monthly("2026-12", calendar=calendar).deadline == date(2027, 1, 11)

    def test_a_month_still_running_in_an_unknown_deadline_year_is_not_yet_due(self):
        verdict = monthly("2026-12", as_of=date(2026, 12, 15))
        assert verdict.verdict == "not_yet_due"
        assert verdict.deadline is None
        assert "2027" in verdict.reason

    def test_a_report_submitted_before_the_unknown_year_begins_is_provably_on_time(self):
        # Whatever 2027 holds, the 5th working day after 2026-12-31 cannot be before 2027-01-01.
        verdict = monthly("2026-12", submitted=date(2026, 12, 31), as_of=date(2027, 1, 20))
        assert verdict.verdict == "on_time"
        assert verdict.deadline is None

    def test_the_first_day_of_the_unknown_year_is_still_provably_in_time(self):
        # The count reaches 2027-01-01 with working days to go, so the deadline is that day or later.
        on_new_years_day = monthly("2026-12", submitted=date(2027, 1, 1), as_of=date(2027, 1, 20))
        assert on_new_years_day.verdict == "on_time"
        assert monthly("2026-12", as_of=date(2027, 1, 1)).verdict == "not_yet_due"
        assert monthly("2026-12", as_of=date(2027, 1, 2)).verdict == "pending"

    def test_a_notice_whose_count_runs_into_2027_is_pending_once_2027_begins(self):
        # Mon 2026-12-28: 12/29 (1), 12/30 (2), 12/31 (3), then 2027 is unknown.
        assert notice(date(2026, 12, 28), as_of=date(2027, 1, 5)).verdict == "pending"
        assert notice(date(2026, 12, 28), as_of=date(2026, 12, 31)).verdict == "not_yet_due"
        assert notice(date(2026, 12, 28), date(2026, 12, 30), as_of=date(2027, 1, 5)).verdict == "on_time"

    def test_no_verdict_in_an_unknown_year_is_a_deduction(self):
        verdicts = report_verdicts("monthly", 2027, {}, OFFICIAL, REPORT_DAYS, date(2028, 12, 31))
        assert [v.verdict for v in verdicts] == ["pending"] * 12
        assert not any(v.deducts for v in verdicts)


class TestPeriods:
    @pytest.mark.parametrize(
        ("kind", "text", "expected"),
        [
            ("monthly", "2025-09", Period("monthly", 2025, 9)),
            ("monthly", "2025-12", Period("monthly", 2025, 12)),
            ("quarterly", "2025-Q3", Period("quarterly", 2025, 3)),
            ("quarterly", "2025-q4", Period("quarterly", 2025, 4)),
        ],
    )
    def test_a_period_is_parsed_from_its_text(self, kind, text, expected):
        assert parse_period(kind, text) == expected

    def test_a_period_prints_in_its_canonical_form(self):
        assert str(Period("monthly", 2025, 9)) == "2025-09"
        assert str(parse_period("quarterly", "2025-q4")) == "2025-Q4"

    @pytest.mark.parametrize(
        ("kind", "text", "message"),
        [
            ("monthly", "2025-13", "month 13 is not 01–12"),
            ("monthly", "2025-00", "month 0 is not 01–12"),
            ("quarterly", "2025-Q5", "quarter Q5 is not Q1–Q4"),
            ("quarterly", "2025-Q0", "quarter Q0 is not Q1–Q4"),
            ("monthly", "2025-Q3", "is a quarterly period, not a monthly one"),
            ("quarterly", "2025-09", "is a monthly period, not a quarterly one"),
            ("monthly", "2025-9", "is not a monthly period"),
            ("monthly", "Sept 2025", "is not a monthly period"),
            ("quarterly", "", "is not a quarterly period"),
            ("weekly", "2025-09", "unknown report kind 'weekly'"),
        ],
    )
    def test_bad_period_text_is_refused_with_a_clear_message(self, kind, text, message):
        with pytest.raises(ValueError, match=message):
            parse_period(kind, text)

    def test_the_refusal_quotes_the_text_and_the_expected_form(self):
        with pytest.raises(ValueError) as raised:
            parse_period("monthly", "2025-13")
        assert "'2025-13'" in str(raised.value)
        assert "YYYY-MM" in str(raised.value)

    @pytest.mark.parametrize(
        ("kind", "period", "end"),
        [
            ("monthly", "2025-02", date(2025, 2, 28)),
            ("monthly", "2024-02", date(2024, 2, 29)),  # a leap year
            ("monthly", "2025-09", date(2025, 9, 30)),
            ("monthly", "2025-12", date(2025, 12, 31)),
            ("quarterly", "2025-Q1", date(2025, 3, 31)),
            ("quarterly", "2025-Q2", date(2025, 6, 30)),
            ("quarterly", "2025-Q3", date(2025, 9, 30)),
            ("quarterly", "2025-Q4", date(2025, 12, 31)),
        ],
    )
    def test_a_period_ends_on_its_last_day(self, kind, period, end):
        assert period_end(kind, period) == end

    def test_a_year_has_twelve_months_and_four_quarters(self):
        assert periods_of_year("monthly", 2025) == [
            "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
            "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
        ]  # fmt: skip
        assert periods_of_year("quarterly", 2025) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]

    def test_an_unknown_kind_has_no_periods(self):
        with pytest.raises(ValueError, match="unknown report kind"):
            periods_of_year("yearly", 2025)

    @pytest.mark.parametrize("working_days", [0, -5])
    def test_fewer_than_one_working_day_is_refused(self, working_days):
        with pytest.raises(ValueError, match="at least 1"):
            report_verdicts("monthly", 2025, {}, OFFICIAL, working_days, date(2025, 12, 31))
        with pytest.raises(ValueError, match="at least 1"):
            notice_verdicts([], OFFICIAL, working_days, date(2025, 12, 31))


class TestVerdict:
    @pytest.mark.parametrize(
        ("verdict", "deducts"),
        [("on_time", False), ("late", True), ("missing", True), ("not_yet_due", False), ("pending", False)],
    )
    def test_only_late_and_missing_deduct(self, verdict, deducts):
        assert Verdict("2025-09", date(2025, 9, 30), None, None, verdict).deducts is deducts
