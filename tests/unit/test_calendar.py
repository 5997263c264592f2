"""The working-day calendar: bundled official schedules, rulings, complete years, unknown years.

Expected dates are read off the State Council's published schedules (国务院办公厅关于节假日安排的通知):
2025: Spring Festival 1/28–2/4 (Sun 1/26 and Sat 2/8 worked), Labour Day 5/1–5/5 (Sun 4/27
worked), National Day + Mid-Autumn 10/1–10/8 (Sun 9/28 and Sat 10/11 worked).
2026: New Year 1/1–1/3 (Sun 1/4 worked), Spring Festival 2/15–2/23 (Sat 2/14 and Sat 2/28
worked), National Day 10/1–10/7 (Sun 9/20 and Sat 10/10 worked).
"""

import pickle
from dataclasses import FrozenInstanceError
from datetime import date, datetime

import chinese_calendar
import pytest

from ledger.domain.calendar import CalendarYearUnknown, WorkingCalendar
from ledger.domain.errors import LedgerError

OFFICIAL = WorkingCalendar()


class TestTheBundledCalendar:
    @pytest.mark.parametrize(
        "day",
        [
            date(2025, 1, 26),  # Sunday worked for the Spring Festival
            date(2025, 2, 8),  # Saturday worked for the Spring Festival
            date(2025, 4, 27),  # Sunday worked for Labour Day
            date(2025, 9, 28),  # Sunday worked for National Day
            date(2025, 10, 11),  # Saturday worked for National Day
            date(2025, 10, 9),  # an ordinary Thursday
            date(2026, 1, 4),  # Sunday worked for New Year
            date(2026, 2, 14),  # Saturday worked for the Spring Festival
            date(2026, 2, 28),  # Saturday worked for the Spring Festival
            date(2026, 9, 20),  # Sunday worked for National Day
            date(2026, 10, 10),  # Saturday worked for National Day
        ],
    )
    def test_adjusted_weekends_and_ordinary_weekdays_are_working_days(self, day):
        assert OFFICIAL.is_workday(day) is True

    @pytest.mark.parametrize(
        "day",
        [
            date(2025, 1, 1),  # New Year's Day, a Wednesday
            date(2025, 2, 3),  # Spring Festival, a Monday
            date(2025, 5, 5),  # Labour Day, a Monday
            date(2025, 10, 6),  # Mid-Autumn, a Monday
            date(2025, 10, 8),  # National Day, a Wednesday
            date(2025, 10, 12),  # an ordinary Sunday
            date(2026, 1, 2),  # New Year, a Friday
            date(2026, 2, 23),  # Spring Festival, a Monday
            date(2026, 10, 7),  # National Day, a Wednesday
            date(2026, 12, 26),  # an ordinary Saturday
        ],
    )
    def test_holidays_and_ordinary_weekends_are_not_working_days(self, day):
        assert OFFICIAL.is_workday(day) is False

    @pytest.mark.parametrize("year", [2025, 2026])
    def test_every_day_agrees_with_chinese_calendar_itself(self, year):
        day = date(year, 1, 1)
        while day.year == year:
            assert OFFICIAL.is_workday(day) is chinese_calendar.is_workday(day), day
            day = date.fromordinal(day.toordinal() + 1)

    def test_the_bundled_years_run_from_2004_to_2026(self):
        assert OFFICIAL.known_years() == frozenset(range(2004, 2027))


class TestUnknownYears:
    def test_a_date_in_2027_is_refused_naming_the_year(self):
        with pytest.raises(CalendarYearUnknown) as raised:
            OFFICIAL.is_workday(date(2027, 1, 4))
        assert raised.value.year == 2027
        assert raised.value.day == date(2027, 1, 4)
        assert "2027 年的工作日安排尚未录入" in str(raised.value)
        assert "calendar year 2027 is not known" in str(raised.value)
        assert "`calendar complete 2027`" in str(raised.value)

    def test_a_date_before_2004_is_unknown_too(self):
        with pytest.raises(CalendarYearUnknown) as raised:
            OFFICIAL.is_workday(date(2003, 6, 2))
        assert raised.value.year == 2003

    def test_a_weekday_of_an_unknown_year_is_not_guessed(self):
        # 2027-01-05 is a Tuesday, and still unknown.
        with pytest.raises(CalendarYearUnknown):
            OFFICIAL.is_workday(date(2027, 1, 5))

    def test_counting_into_an_unknown_year_is_refused_naming_it(self):
        # After Thursday 2026-12-31 the next day is already in 2027.
        with pytest.raises(CalendarYearUnknown) as raised:
            OFFICIAL.add_working_days(date(2026, 12, 31), 1)
        assert raised.value.year == 2027
        assert raised.value.day == date(2027, 1, 1)

    def test_an_unknown_year_is_a_domain_refusal_not_a_crash(self):
        assert issubclass(CalendarYearUnknown, LedgerError)

    def test_the_error_survives_pickling_with_its_year_and_day(self):
        error = pickle.loads(pickle.dumps(CalendarYearUnknown(2027, date(2027, 1, 1))))
        assert (error.year, error.day) == (2027, date(2027, 1, 1))
        assert "2027" in str(error)


class TestRulings:
    def test_a_ruling_overrides_the_bundled_calendar_both_ways(self):
        calendar = WorkingCalendar({date(2025, 10, 11): False, date(2025, 10, 8): True})
        assert calendar.is_workday(date(2025, 10, 11)) is False  # officially a worked Saturday
        assert calendar.is_workday(date(2025, 10, 8)) is True  # officially a holiday

    def test_a_ruling_in_an_unknown_year_settles_that_date_only(self):
        calendar = WorkingCalendar({date(2027, 1, 1): False})
        assert calendar.is_workday(date(2027, 1, 1)) is False
        with pytest.raises(CalendarYearUnknown):
            calendar.is_workday(date(2027, 1, 4))
        assert 2027 not in calendar.known_years()

    def test_a_complete_year_follows_the_weekday_rule_outside_its_rulings(self):
        calendar = WorkingCalendar({date(2027, 1, 1): False, date(2027, 2, 6): True}, complete_years=[2027])
        assert calendar.is_workday(date(2027, 1, 1)) is False  # ruled: a Friday holiday
        assert calendar.is_workday(date(2027, 1, 2)) is False  # a Saturday
        assert calendar.is_workday(date(2027, 1, 3)) is False  # a Sunday
        assert calendar.is_workday(date(2027, 1, 4)) is True  # a Monday
        assert calendar.is_workday(date(2027, 2, 6)) is True  # ruled: a worked Saturday
        assert 2027 in calendar.known_years()

    def test_declaring_a_bundled_year_complete_does_not_drop_its_holidays(self):
        calendar = WorkingCalendar(complete_years=[2025])
        assert calendar.is_workday(date(2025, 10, 8)) is False  # a Wednesday, but a holiday
        assert calendar.is_workday(date(2025, 10, 11)) is True  # a Saturday, but worked

    def test_a_ruling_must_be_a_boolean_on_a_plain_date(self):
        with pytest.raises(TypeError):
            WorkingCalendar({date(2027, 1, 1): "holiday"})
        with pytest.raises(TypeError):
            WorkingCalendar({datetime(2027, 1, 1, 9, 0): False})


class TestAddingWorkingDays:
    def test_the_start_day_is_not_counted(self):
        # Thursday 2025-10-09 is a working day; the first working day after it is Friday the 10th.
        assert OFFICIAL.add_working_days(date(2025, 10, 9), 1) == date(2025, 10, 10)

    def test_holidays_are_skipped_and_a_worked_saturday_counts(self):
        # After 2025-09-30: 10/1–10/8 holiday; 10/9 (1), 10/10 (2), Sat 10/11 (3), 10/13 (4), 10/14 (5).
        assert OFFICIAL.add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)

    def test_a_worked_sunday_counts(self):
        # After Friday 2025-09-26: Sat 9/27 rest, Sun 9/28 worked (1).
        assert OFFICIAL.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)

    def test_counting_crosses_into_the_next_known_year(self):
        # After 2025-12-31: 2026-01-01..03 holiday; Sun 1/4 (1), 1/5 (2), 1/6 (3), 1/7 (4), 1/8 (5).
        assert OFFICIAL.add_working_days(date(2025, 12, 31), 5) == date(2026, 1, 8)

    def test_counting_uses_the_rulings_of_a_completed_year(self):
        calendar = WorkingCalendar({date(2027, 1, 1): False}, complete_years=[2027])
        # After 2026-12-31: Fri 1/1 ruled holiday, weekend; 1/4 (1), 1/5 (2), 1/6 (3), 1/7 (4), 1/8 (5).
        assert calendar.add_working_days(date(2026, 12, 31), 5) == date(2027, 1, 8)

    @pytest.mark.parametrize("n", [0, -1])
    def test_fewer_than_one_working_day_is_refused(self, n):
        with pytest.raises(ValueError, match="at least 1"):
            OFFICIAL.add_working_days(date(2025, 9, 30), n)

    def test_a_datetime_is_refused_rather_than_silently_missing_the_tables(self):
        with pytest.raises(TypeError):
            OFFICIAL.is_workday(datetime(2025, 10, 8, 12, 0))


class TestImmutability:
    def test_the_calendar_cannot_be_changed_after_construction(self):
        with pytest.raises(FrozenInstanceError):
            OFFICIAL.complete_years = frozenset({2027})  # type: ignore[misc]
        with pytest.raises(TypeError):
            OFFICIAL.rulings[date(2027, 1, 1)] = False  # type: ignore[index]

    def test_changing_the_callers_dict_later_does_not_change_the_calendar(self):
        rulings = {date(2025, 10, 11): False}
        calendar = WorkingCalendar(rulings)
        rulings[date(2025, 10, 11)] = True
        assert calendar.is_workday(date(2025, 10, 11)) is False

    def test_calendars_with_the_same_rulings_are_equal_and_hash_alike(self):
        first = WorkingCalendar({date(2027, 1, 1): False}, [2027])
        second = WorkingCalendar({date(2027, 1, 1): False}, (2027,))
        assert first == second
        assert hash(first) == hash(second)
        assert first != WorkingCalendar({date(2027, 1, 1): True}, [2027])
