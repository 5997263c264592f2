"""Deadline deductions (3.2.5.1, 3.2.5.2, 3.2.1.3) derived by the application on a real store, both backends.

Every deadline is counted by hand from the official schedules: 2025 Spring Festival 1/28–2/4
(Sat 2/8 worked), National Day 10/1–10/8 (Sat 10/11 worked); 2026 New Year 1/1–1/3 (Sun 1/4
worked). Reports are due on the 5th working day after their period ends, explanations on the
7th after receipt; the day itself is not counted. Pool 3.2 has 30 points.

Most tests start from a punctual unit: every month and quarter of the year reported on its last
day, which is on time whatever the calendar says (a deadline is always after the period's end).
The test then leaves out, or adds, the one submission it is about.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ledger.domain.errors import NoRuleset, NotFound, RuleViolation
from ledger.rulesets.loading import builtin_text
from projections.deadlines import Period
from projections.documents import trace_document
from projections.reading import open_reading

ACTOR = "centre"


@pytest.fixture
def app(ledger: Any) -> Any:
    """The ledger with the Tai'an ruleset adopted for 2025 and 2026."""
    for year in (2025, 2026):
        ledger.adopt_ruleset(year, builtin_text(), "built-in:taian", ACTOR)
    return ledger


def submit(app: Any, period: str, on: date, *, kind: str = "monthly", unit: str = "taishan") -> str:
    return app.submit_report(unit=unit, kind=kind, period=period, on=on, evidence=f"OA-{period}", actor=ACTOR)


def punctual_year(app: Any, year: int, *, leave_out: tuple[str, ...] = (), unit: str = "taishan") -> None:
    """Every month and quarter of ``year`` reported on its last day, except the periods left out."""
    for kind, count in (("monthly", 12), ("quarterly", 4)):
        for number in range(1, count + 1):
            period = Period(kind, year, number)  # type: ignore[arg-type]
            if str(period) not in leave_out:
                submit(app, str(period), period.end, kind=kind, unit=unit)


def line(app: Any, year: int, code: str, as_of: date, unit: str = "taishan") -> Any:
    """One result line (item or pool) of one unit, read from the shared read model."""
    scores = open_reading(app, year, as_of).scores()
    return next(s for s in scores if s.unit == unit).item(code)


def section(app: Any, year: int, code: str, as_of: date, unit: str = "taishan") -> Any:
    scores = open_reading(app, year, as_of).scores()
    return next(sec for s in scores if s.unit == unit for sec in s.sections if sec.code == code)


def periods(app: Any, year: int, code: str, as_of: date, unit: str = "taishan") -> dict[str, dict[str, Any]]:
    """The trace's periods (or notices) of a deadline item, by period text."""
    reading = open_reading(app, year, as_of)
    score = next(s for s in reading.scores() if s.unit == unit)
    (entry,) = trace_document(reading, score, code)["items"]
    return {p["period"]: p for p in entry["periods"]}


class TestMonthlyReports:
    def test_the_september_2025_report_submitted_on_14_october_is_on_time(self, app):
        punctual_year(app, 2025, leave_out=("2025-09",))
        submit(app, "2025-09", date(2025, 10, 14))

        september = periods(app, 2025, "3.2.5.1", date(2025, 12, 31))["2025-09"]

        # 10/1–10/8 holiday; 10/9 (1), 10/10 (2), Sat 10/11 worked (3), 10/13 (4), 10/14 (5).
        assert (september["deadline"], september["submitted"], september["verdict"]) == (
            "2025-10-14", "2025-10-14", "on_time")
        assert line(app, 2025, "3.2.5.1", date(2025, 12, 31)).deducted == Decimal("0.00")
        assert line(app, 2025, "3.2", date(2025, 12, 31)).points == Decimal("30.00")

    def test_the_september_2025_report_submitted_on_15_october_is_late_and_costs_0_50_of_pool_3_2(self, app):
        punctual_year(app, 2025, leave_out=("2025-09",))
        submit(app, "2025-09", date(2025, 10, 15))

        assert periods(app, 2025, "3.2.5.1", date(2025, 12, 31))["2025-09"]["verdict"] == "late"
        # One late month: 1 × 0.50 = 0.50; pool 3.2: 30.00 − 0.50 = 29.50.
        assert line(app, 2025, "3.2.5.1", date(2025, 12, 31)).deducted == Decimal("0.50")
        assert line(app, 2025, "3.2", date(2025, 12, 31)).points == Decimal("29.50")

    def test_the_january_2025_report_is_due_on_10_february(self, app):
        submit(app, "2025-01", date(2025, 2, 10))

        january = periods(app, 2025, "3.2.5.1", date(2025, 2, 28))["2025-01"]

        # Spring Festival 1/28–2/4; 2/5 (1), 2/6 (2), 2/7 (3), Sat 2/8 worked (4), Mon 2/10 (5).
        assert (january["due_from"], january["deadline"], january["verdict"]) == (
            "2025-01-31", "2025-02-10", "on_time")

    def test_a_month_never_reported_costs_nothing_up_to_its_deadline_and_0_50_the_day_after(self, app):
        punctual_year(app, 2025, leave_out=("2025-09",))

        on_the_deadline = line(app, 2025, "3.2.5.1", date(2025, 10, 14))
        the_day_after = line(app, 2025, "3.2.5.1", date(2025, 10, 15))

        assert periods(app, 2025, "3.2.5.1", date(2025, 10, 14))["2025-09"]["verdict"] == "not_yet_due"
        assert on_the_deadline.deducted == Decimal("0.00")
        assert periods(app, 2025, "3.2.5.1", date(2025, 10, 15))["2025-09"]["verdict"] == "missing"
        # 1 missing month × 0.50 = 0.50, once: still 0.50 at the year's end.
        assert the_day_after.deducted == Decimal("0.50")
        assert line(app, 2025, "3.2.5.1", date(2025, 12, 31)).deducted == Decimal("0.50")

    def test_a_report_submitted_twice_is_judged_by_its_earliest_submission(self, app):
        punctual_year(app, 2025, leave_out=("2025-09",))
        submit(app, "2025-09", date(2025, 10, 20))
        submit(app, "2025-09", date(2025, 10, 14))  # recorded afterwards, dated earlier

        september = periods(app, 2025, "3.2.5.1", date(2025, 12, 31))["2025-09"]

        assert (september["submitted"], september["verdict"]) == ("2025-10-14", "on_time")
        assert line(app, 2025, "3.2.5.1", date(2025, 12, 31)).deducted == Decimal("0.00")

    def test_a_submission_recorded_after_the_fact_re_derives_the_deduction_and_the_past_reading_keeps_it(self, app):
        punctual_year(app, 2025, leave_out=("2025-09",))
        assert line(app, 2025, "3.2.5.1", date(2025, 12, 31)).deducted == Decimal("0.50")  # missing
        before_the_correction = datetime.now(UTC)

        submit(app, "2025-09", date(2025, 10, 13))

        assert line(app, 2025, "3.2.5.1", date(2025, 12, 31)).deducted == Decimal("0.00")
        as_known_before = open_reading(app, 2025, date(2025, 12, 31), known_at=before_the_correction)
        taishan = next(s for s in as_known_before.scores() if s.unit == "taishan")
        assert taishan.item("3.2.5.1").deducted == Decimal("0.50")


class TestScoringYear:
    def test_a_late_december_2025_report_counts_in_2025_not_in_2026(self, app):
        punctual_year(app, 2025, leave_out=("2025-12",))
        submit(app, "2025-12", date(2026, 1, 9))  # due 2026-01-08

        # 2025: 1 late month × 0.50 = 0.50. 2026: nothing of 2025 is judged there.
        assert line(app, 2025, "3.2.5.1", date(2026, 1, 31)).deducted == Decimal("0.50")
        assert "2025-12" not in periods(app, 2026, "3.2.5.1", date(2026, 1, 31))
        assert line(app, 2026, "3.2.5.1", date(2026, 1, 31)).deducted == Decimal("0.00")

    def test_a_full_year_on_time_but_q4_missing_as_of_31_january_2026_costs_1_00(self, app):
        # Each month and Q1–Q3 on its very deadline (the last day that is on time), Q4 never.
        deadlines = {
            "2025-01": date(2025, 2, 10), "2025-02": date(2025, 3, 7), "2025-03": date(2025, 4, 8),
            "2025-04": date(2025, 5, 12), "2025-05": date(2025, 6, 9), "2025-06": date(2025, 7, 7),
            "2025-07": date(2025, 8, 7), "2025-08": date(2025, 9, 5), "2025-09": date(2025, 10, 14),
            "2025-10": date(2025, 11, 7), "2025-11": date(2025, 12, 5), "2025-12": date(2026, 1, 8),
        }
        for period, deadline in deadlines.items():
            submit(app, period, deadline)
        for period, deadline in {"2025-Q1": date(2025, 4, 8), "2025-Q2": date(2025, 7, 7),
                                 "2025-Q3": date(2025, 10, 14)}.items():
            submit(app, period, deadline, kind="quarterly")
        as_of = date(2026, 1, 31)

        monthly = periods(app, 2025, "3.2.5.1", as_of)
        quarterly = periods(app, 2025, "3.2.5.2", as_of)

        assert {p: v["deadline"] for p, v in monthly.items()} == {p: d.isoformat() for p, d in deadlines.items()}
        assert {v["verdict"] for v in monthly.values()} == {"on_time"}
        # Q4 ends 12/31; 2026 1/1–1/3 holiday, Sun 1/4 (1) … Thu 1/8 (5): missing by 1/31.
        assert quarterly["2025-Q4"]["deadline"] == "2026-01-08"
        assert [v["verdict"] for v in quarterly.values()] == ["on_time", "on_time", "on_time", "missing"]
        # 3.2.5.1: 0 × 0.50 = 0.00; 3.2.5.2: 1 × 1.00 = 1.00; pool 3.2: 30.00 − 1.00 = 29.00.
        assert line(app, 2025, "3.2.5.1", as_of).deducted == Decimal("0.00")
        assert line(app, 2025, "3.2.5.2", as_of).deducted == Decimal("1.00")
        pool = line(app, 2025, "3.2", as_of)
        assert (pool.points, pool.status) == (Decimal("29.00"), "scored")
        # Section 3: 3.1 not assessed (0.00, pending) + pool 3.2 29.00 = 29.00.
        assert section(app, 2025, "3", as_of).points == Decimal("29.00")


class TestNotices:
    def test_a_notice_received_on_friday_26_september_2025_is_due_on_13_october(self, app):
        app.receive_notice(unit="taishan", notice="DB-2025-091", received=date(2025, 9, 26), evidence="督办单",
                           actor=ACTOR)
        app.explain(notice="DB-2025-091", on=date(2025, 10, 13), evidence="情况说明", actor=ACTOR)

        notice = periods(app, 2025, "3.2.1.3", date(2025, 12, 31))["DB-2025-091"]

        # Sun 9/28 worked (1), 9/29 (2), 9/30 (3), 10/1–10/8 holiday, 10/9 (4), 10/10 (5),
        # Sat 10/11 worked (6), Mon 10/13 (7).
        assert (notice["due_from"], notice["deadline"], notice["verdict"]) == ("2025-09-26", "2025-10-13", "on_time")
        assert line(app, 2025, "3.2.1.3", date(2025, 12, 31)).deducted == Decimal("0.00")

    def test_an_explanation_on_14_october_is_late_and_costs_0_10(self, app):
        app.receive_notice(unit="taishan", notice="DB-2025-091", received=date(2025, 9, 26), evidence="督办单",
                           actor=ACTOR)
        app.explain(notice="DB-2025-091", on=date(2025, 10, 14), evidence="情况说明", actor=ACTOR)

        assert periods(app, 2025, "3.2.1.3", date(2025, 12, 31))["DB-2025-091"]["verdict"] == "late"
        # 1 late explanation × 0.10 = 0.10.
        assert line(app, 2025, "3.2.1.3", date(2025, 12, 31)).deducted == Decimal("0.10")

    def test_a_notice_never_explained_costs_0_10_only_once_its_deadline_has_passed(self, app):
        app.receive_notice(unit="taishan", notice="DB-2025-091", received=date(2025, 9, 26), evidence="督办单",
                           actor=ACTOR)

        assert line(app, 2025, "3.2.1.3", date(2025, 10, 13)).deducted == Decimal("0.00")
        assert line(app, 2025, "3.2.1.3", date(2025, 10, 14)).deducted == Decimal("0.10")

    def test_a_late_explanation_counts_in_the_year_the_notice_was_received(self, app):
        # Mon 2025-12-29: 12/30 (1), 12/31 (2), 2026 1/1–1/3 holiday, Sun 1/4 (3), 1/5 … 1/8 (7).
        app.receive_notice(unit="taishan", notice="DB-2025-122", received=date(2025, 12, 29), evidence="督办单",
                           actor=ACTOR)
        app.explain(notice="DB-2025-122", on=date(2026, 1, 9), evidence="情况说明", actor=ACTOR)

        assert periods(app, 2025, "3.2.1.3", date(2026, 1, 31))["DB-2025-122"]["deadline"] == "2026-01-08"
        assert line(app, 2025, "3.2.1.3", date(2026, 1, 31)).deducted == Decimal("0.10")
        assert line(app, 2026, "3.2.1.3", date(2026, 1, 31)).deducted == Decimal("0.00")


class TestUnknownCalendarYears:
    AS_OF = date(2027, 2, 1)

    @pytest.fixture(autouse=True)
    def _the_year_is_over(self, today_is: Any) -> None:
        today_is(self.AS_OF)  # 2026's records are dated in the past, whatever today's date is

    def test_the_december_2026_report_is_pending_naming_2027_and_so_are_its_pool_and_section(self, app):
        punctual_year(app, 2026, leave_out=("2026-12",))

        item = line(app, 2026, "3.2.5.1", self.AS_OF)
        pool = line(app, 2026, "3.2", self.AS_OF)
        december = periods(app, 2026, "3.2.5.1", self.AS_OF)["2026-12"]

        assert (december["deadline"], december["verdict"]) == (None, "pending")
        assert "2027" in december["reason"]
        assert (item.status, item.deducted) == ("pending", Decimal("0.00"))
        assert "calendar complete 2027" in item.reason
        assert (pool.status, pool.points) == ("pending", Decimal("30.00"))
        assert pool.reason.startswith("3.2.5.1：") and "2027" in pool.reason
        sec = section(app, 2026, "3", self.AS_OF)
        assert sec.status == "pending"
        assert "3.2.5.1：" in sec.reason

    def test_two_items_waiting_for_the_same_year_give_the_pool_one_reason(self, app):
        punctual_year(app, 2026, leave_out=("2026-12", "2026-Q4"))

        pool = line(app, 2026, "3.2", self.AS_OF)

        assert pool.reason.startswith("3.2.5.1、3.2.5.2：")
        assert pool.reason.count("2027 年") == 1

    def test_a_ruling_alone_leaves_it_pending_and_declaring_2027_complete_settles_it(self, app):
        punctual_year(app, 2026, leave_out=("2026-12",))
        app.rule_calendar(day=date(2027, 1, 1), workday=False, evidence="国办发明电〔2026〕", actor=ACTOR)

        assert line(app, 2026, "3.2.5.1", self.AS_OF).status == "pending"

        app.complete_calendar_year(year=2027, evidence="国办发明电〔2026〕", actor=ACTOR)

        # Fri 1/1 ruled a holiday, the weekend; Mon 1/4 (1) … Fri 1/8 (5): missing by 2/1.
        december = periods(app, 2026, "3.2.5.1", self.AS_OF)["2026-12"]
        assert (december["deadline"], december["verdict"]) == ("2027-01-08", "missing")
        item = line(app, 2026, "3.2.5.1", self.AS_OF)
        assert (item.status, item.deducted, item.reason) == (None, Decimal("0.50"), None)
        pool = line(app, 2026, "3.2", self.AS_OF)
        # 30.00 − 0.50 = 29.50, no longer pending.
        assert (pool.status, pool.points) == ("scored", Decimal("29.50"))

    def test_a_december_2026_report_submitted_in_january_is_judged_once_2027_is_known(self, app):
        punctual_year(app, 2026, leave_out=("2026-12",))
        submit(app, "2026-12", date(2027, 1, 8))
        assert periods(app, 2026, "3.2.5.1", self.AS_OF)["2026-12"]["verdict"] == "pending"

        app.rule_calendar(day=date(2027, 1, 1), workday=False, evidence="国办发明电〔2026〕", actor=ACTOR)
        app.complete_calendar_year(year=2027, evidence="国办发明电〔2026〕", actor=ACTOR)

        assert periods(app, 2026, "3.2.5.1", self.AS_OF)["2026-12"]["verdict"] == "on_time"


class TestCalendarRulings:
    def test_a_ruling_re_derives_an_existing_verdict_and_a_later_ruling_restores_it(self, app):
        punctual_year(app, 2025, leave_out=("2025-09",))
        submit(app, "2025-09", date(2025, 10, 15))
        assert line(app, 2025, "3.2.5.1", date(2025, 12, 31)).deducted == Decimal("0.50")

        app.rule_calendar(day=date(2025, 10, 11), workday=False, evidence="本地通知", actor=ACTOR)

        # Sat 10/11 no longer worked: 10/9 (1), 10/10 (2), 10/13 (3), 10/14 (4), 10/15 (5).
        september = periods(app, 2025, "3.2.5.1", date(2025, 12, 31))["2025-09"]
        assert (september["deadline"], september["verdict"]) == ("2025-10-15", "on_time")
        assert line(app, 2025, "3.2.5.1", date(2025, 12, 31)).deducted == Decimal("0.00")

        app.rule_calendar(day=date(2025, 10, 11), workday=True, evidence="更正通知", actor=ACTOR)

        assert periods(app, 2025, "3.2.5.1", date(2025, 12, 31))["2025-09"]["deadline"] == "2025-10-14"
        assert line(app, 2025, "3.2.5.1", date(2025, 12, 31)).deducted == Decimal("0.50")

    def test_the_same_ruling_twice_records_nothing(self, app):
        app.rule_calendar(day=date(2025, 10, 11), workday=False, evidence="本地通知", actor=ACTOR)
        before = app.recorder.max_notification_id()

        _, changed = app.rule_calendar(day=date(2025, 10, 11), workday=False, evidence="本地通知", actor=ACTOR)

        assert changed is False
        assert app.recorder.max_notification_id() == before


class TestReplay:
    def test_a_rebuilt_read_model_derives_the_same_verdicts(self, app):
        punctual_year(app, 2025, leave_out=("2025-09",))
        submit(app, "2025-09", date(2025, 10, 15))
        app.rule_calendar(day=date(2025, 10, 11), workday=False, evidence="本地通知", actor=ACTOR)
        app.rule_calendar(day=date(2025, 10, 11), workday=True, evidence="更正通知", actor=ACTOR)
        before = periods(app, 2025, "3.2.5.1", date(2025, 12, 31))

        app.refresh().reset()

        assert periods(app, 2025, "3.2.5.1", date(2025, 12, 31)) == before
        assert before["2025-09"]["verdict"] == "late"


class TestRefusals:
    """Each refusal raises a LedgerError naming what was wrong, and records nothing."""

    @pytest.fixture
    def noticed(self, app: Any) -> Any:
        app.receive_notice(unit="taishan", notice="DB-2025-091", received=date(2025, 9, 26), evidence="督办单",
                           actor=ACTOR)
        return app

    def test_a_notice_id_is_unique(self, noticed):
        before = noticed.recorder.max_notification_id()

        with pytest.raises(RuleViolation, match="'DB-2025-091' is already recorded"):
            noticed.receive_notice(unit="daiyue", notice="DB-2025-091", received=date(2025, 10, 9),
                                   evidence="督办单", actor=ACTOR)

        assert noticed.recorder.max_notification_id() == before
        assert set(periods(noticed, 2025, "3.2.1.3", date(2025, 12, 31))) == {"DB-2025-091"}

    def test_an_explanation_for_an_unknown_notice_is_refused(self, noticed):
        before = noticed.recorder.max_notification_id()

        with pytest.raises(NotFound, match="no notice 'DB-404'"):
            noticed.explain(notice="DB-404", on=date(2025, 10, 9), evidence="情况说明", actor=ACTOR)

        assert noticed.recorder.max_notification_id() == before

    def test_an_explanation_dated_before_the_notice_was_received_is_refused(self, noticed):
        before = noticed.recorder.max_notification_id()

        with pytest.raises(RuleViolation, match="before the notice was received"):
            noticed.explain(notice="DB-2025-091", on=date(2025, 9, 25), evidence="情况说明", actor=ACTOR)

        assert noticed.recorder.max_notification_id() == before
        assert periods(noticed, 2025, "3.2.1.3", date(2025, 9, 30))["DB-2025-091"]["submitted"] is None

    def test_a_second_explanation_is_refused(self, noticed):
        noticed.explain(notice="DB-2025-091", on=date(2025, 10, 14), evidence="情况说明", actor=ACTOR)
        before = noticed.recorder.max_notification_id()

        with pytest.raises(RuleViolation, match="already has an explanation"):
            noticed.explain(notice="DB-2025-091", on=date(2025, 10, 9), evidence="情况说明", actor=ACTOR)

        assert noticed.recorder.max_notification_id() == before
        assert periods(noticed, 2025, "3.2.1.3", date(2025, 12, 31))["DB-2025-091"]["verdict"] == "late"

    def test_a_notice_received_in_a_year_with_no_ruleset_is_refused(self, app):
        before = app.recorder.max_notification_id()

        with pytest.raises(NoRuleset, match="2024.*init --year 2024"):
            app.receive_notice(unit="taishan", notice="DB-2024-1", received=date(2024, 12, 30), evidence="督办单",
                               actor=ACTOR)

        assert app.recorder.max_notification_id() == before

    def test_a_report_for_a_period_of_a_year_with_no_ruleset_is_refused(self, app):
        before = app.recorder.max_notification_id()

        # Submitted in 2025, but the period is of 2024, and 2024 has no ruleset.
        with pytest.raises(NoRuleset, match="2024.*init --year 2024"):
            submit(app, "2024-12", date(2025, 1, 8))

        assert app.recorder.max_notification_id() == before

    def test_a_report_dated_before_its_period_ended_is_refused(self, app):
        before = app.recorder.max_notification_id()

        with pytest.raises(RuleViolation, match="2025-10 cannot be dated 2025-10-15: the period ends on 2025-10-31"):
            submit(app, "2025-10", date(2025, 10, 15))
        with pytest.raises(RuleViolation, match="2025-Q4 cannot be dated 2025-12-30"):
            submit(app, "2025-Q4", date(2025, 12, 30), kind="quarterly")

        assert app.recorder.max_notification_id() == before

    def test_a_report_dated_on_the_last_day_of_its_period_is_accepted(self, app):
        submit(app, "2025-10", date(2025, 10, 31))

        assert periods(app, 2025, "3.2.5.1", date(2025, 10, 31))["2025-10"]["verdict"] == "on_time"

    @pytest.mark.parametrize(("kind", "period"), [("monthly", "2025-13"), ("monthly", "2025-Q3"),
                                                  ("quarterly", "2025-09"), ("monthly", "September")])
    def test_a_period_that_is_not_a_period_of_its_kind_is_refused(self, app, kind, period):
        before = app.recorder.max_notification_id()

        with pytest.raises(RuleViolation, match=f"'{period}'"):
            submit(app, period, date(2025, 12, 31), kind=kind)

        assert app.recorder.max_notification_id() == before

    def test_a_report_with_no_evidence_is_refused(self, app):
        before = app.recorder.max_notification_id()

        with pytest.raises(RuleViolation, match="evidence"):
            app.submit_report(unit="taishan", kind="monthly", period="2025-09", on=date(2025, 10, 14), evidence=" ",
                              actor=ACTOR)

        assert app.recorder.max_notification_id() == before

    def test_a_report_of_a_kind_the_years_ruleset_has_no_deadline_for_is_refused(self, ledger):
        # A city whose 2025 rubric has monthly reports only: the 3.2.5.2 item is cut from the text.
        text = builtin_text()
        item = text.rindex("[[items]]", 0, text.index('code = "3.2.5.2"'))
        ledger.adopt_ruleset(2025, text[:item] + text[text.index("[[items]]", item + 1):], "monthly-only", ACTOR)
        before = ledger.recorder.max_notification_id()

        with pytest.raises(RuleViolation, match="the 2025 ruleset has no deadline for quarterly reports"):
            submit(ledger, "2025-Q3", date(2025, 10, 14), kind="quarterly")

        assert ledger.recorder.max_notification_id() == before
        submit(ledger, "2025-09", date(2025, 10, 14))  # monthly reports are still recorded
