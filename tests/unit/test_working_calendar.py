"""The working calendar on real dates of the Vietnamese calendar, and its invariants."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.working_calendar import DAY_OFF, WORKING_DAY, CalendarError, CalendarSettings, WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar()


def at(year, month, day, hour=9, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


# --- days ----------------------------------------------------------------------------------

@pytest.mark.parametrize("day", [date(2020, 1, 23), date(2020, 1, 29), date(2025, 1, 27), date(2025, 1, 31),
                                 date(2026, 2, 16), date(2026, 2, 20), date(2026, 4, 27), date(2026, 9, 2)])
def test_tet_and_national_holidays_are_days_off(day):
    assert not CALENDAR.is_working_day(day)
    assert CALENDAR.holiday_name(day)


def test_weekends_are_days_off_and_weekdays_work():
    assert CALENDAR.is_working_day(date(2026, 11, 27))  # Friday
    assert not CALENDAR.is_working_day(date(2026, 11, 28))  # Saturday
    assert not CALENDAR.is_working_day(date(2026, 11, 29))  # Sunday


def test_the_package_knows_vietnam_culture_day_and_an_administrator_can_overrule_it():
    assert CALENDAR.holiday_name(date(2026, 11, 24))
    assert CALENDAR.add_working_days(at(2026, 11, 23, 8), 1) == at(2026, 11, 25, 17)
    overruled = WorkingCalendar(exceptions={date(2026, 11, 24): WORKING_DAY})
    assert overruled.add_working_days(at(2026, 11, 23, 8), 1) == at(2026, 11, 24, 17)


def test_an_administrators_exceptions_win_over_the_package():
    calendar = WorkingCalendar(exceptions={date(2026, 2, 16): WORKING_DAY, date(2026, 2, 14): WORKING_DAY,
                                           date(2026, 11, 27): DAY_OFF})
    assert calendar.is_working_day(date(2026, 2, 16))  # a holiday made a working day
    assert calendar.is_working_day(date(2026, 2, 14))  # a make-up Saturday
    assert not calendar.is_working_day(date(2026, 11, 27))  # an extra day off


# --- working days --------------------------------------------------------------------------

def test_working_days_start_the_day_after_receipt_and_end_at_closing_time():
    assert CALENDAR.add_working_days(at(2026, 12, 7, 8), 1) == at(2026, 12, 8, 17)
    assert CALENDAR.add_working_days(at(2026, 11, 27, 16), 1) == at(2026, 11, 30, 17)  # over a weekend


def test_working_days_skip_tet_2020():
    assert CALENDAR.add_working_days(at(2020, 1, 22, 10), 1) == at(2020, 1, 30, 17)
    assert CALENDAR.add_working_days(at(2020, 1, 17, 10), 5) == at(2020, 1, 31, 17)


def test_working_days_skip_tet_2025():
    assert CALENDAR.add_working_days(at(2025, 1, 24, 9), 2) == at(2025, 2, 4, 17)


def test_working_days_skip_tet_2026_and_a_make_up_saturday_counts():
    assert CALENDAR.add_working_days(at(2026, 2, 13, 9), 1) == at(2026, 2, 23, 17)
    swapped = WorkingCalendar(exceptions={date(2026, 2, 14): WORKING_DAY})
    assert swapped.add_working_days(at(2026, 2, 13, 9), 1) == at(2026, 2, 14, 17)


def test_fifteen_working_days_over_the_reunification_holidays():
    # 2026: Hùng Kings' day falls on Sunday 26/4 and is observed Monday 27/4; 30/4 and 1/5 are off.
    # From Monday 20/4: 21-24 (4), 28-29 (6), 4-8/5 (11), 11-14/5 (15).
    assert CALENDAR.add_working_days(at(2026, 4, 20, 9), 15) == at(2026, 5, 14, 17)


# --- same day, sessions, hours -------------------------------------------------------------

def test_same_day_before_the_cutoff_is_due_at_closing_time():
    assert CALENDAR.same_day(at(2026, 11, 27, 14, 59)) == at(2026, 11, 27, 17)


def test_same_day_after_the_cutoff_is_due_the_next_working_day():
    assert CALENDAR.same_day(at(2026, 11, 27, 15, 0)) == at(2026, 11, 30, 17)
    assert CALENDAR.same_day(at(2026, 11, 28, 9)) == at(2026, 11, 30, 17)  # received on a Saturday


def test_same_day_with_two_more_days_for_a_complex_search():
    assert CALENDAR.due_at(at(2026, 11, 26, 9), 3, "same_day") == at(2026, 11, 30, 17)


def test_a_session_ends_with_the_half_day_it_started_in():
    assert CALENDAR.add_sessions(at(2026, 11, 27, 8), 1) == at(2026, 11, 27, 11, 30)
    assert CALENDAR.add_sessions(at(2026, 11, 27, 12), 1) == at(2026, 11, 27, 17)  # at lunch: the afternoon
    assert CALENDAR.add_sessions(at(2026, 11, 27, 16), 2) == at(2026, 11, 30, 11, 30)


def test_working_hours_run_inside_office_sessions():
    assert CALENDAR.add_working_hours(at(2026, 11, 27, 16), 4) == at(2026, 11, 30, 10, 30)
    assert CALENDAR.add_working_hours(at(2026, 11, 27, 11), 1) == at(2026, 11, 27, 14)
    assert CALENDAR.add_working_hours(at(2026, 11, 28, 20), 0.5) == at(2026, 11, 30, 8)


def test_working_time_between_counts_only_office_hours():
    assert CALENDAR.working_time_between(at(2026, 11, 27, 7, 30), at(2026, 11, 30, 17)) == timedelta(hours=15)
    assert CALENDAR.working_time_between(at(2026, 11, 27, 12), at(2026, 11, 27, 13)) == timedelta()
    assert CALENDAR.working_time_between(at(2026, 11, 30), at(2026, 11, 27)) == timedelta()


def test_other_office_hours_and_zones_are_configurable():
    calendar = WorkingCalendar(CalendarSettings(timezone="Asia/Bangkok", working_weekdays=(0, 1, 2, 3, 4, 5),
                                                sessions=((time(8), time(12)),), same_day_cutoff=time(10)))
    friday = datetime(2026, 11, 27, 9, tzinfo=ZoneInfo("Asia/Bangkok"))
    assert calendar.add_working_days(friday, 1) == datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Bangkok"))
    assert calendar.same_day(friday.replace(hour=11)) == datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Asia/Bangkok"))


@pytest.mark.parametrize("value,unit", [(1.5, "working_days"), (0, "session"), (2, "weeks")])
def test_a_value_the_unit_cannot_take_is_refused(value, unit):
    with pytest.raises(CalendarError):
        CALENDAR.due_at(at(2026, 11, 27), value, unit)


def test_a_calendar_without_working_days_says_so_instead_of_looping():
    closed = WorkingCalendar(CalendarSettings(working_weekdays=(6,), holiday_country=None),
                             exceptions={})
    never = WorkingCalendar(closed.settings, exceptions={
        date(2026, 1, 4) + timedelta(weeks=w): DAY_OFF for w in range(600)})
    with pytest.raises(CalendarError):
        never.add_working_days(at(2026, 1, 1), 1)


# --- invariants ----------------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(VN))
hours = st.integers(min_value=0, max_value=200 * 60).map(lambda minutes: minutes / 60)


@settings(max_examples=150, deadline=None)
@given(start=instants, amount=hours)
def test_adding_working_hours_lands_on_working_time_and_measures_back(start, amount):
    due = CALENDAR.add_working_hours(start, amount)
    assert due >= start
    assert CALENDAR.is_working_instant(due)
    assert CALENDAR.working_time_between(start, due) == timedelta(hours=amount)


@settings(max_examples=150, deadline=None)
@given(first=instants, later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
       amount=hours, unit=st.sampled_from(["working_days", "session", "same_day", "working_hours"]))
def test_a_later_receipt_is_never_due_earlier(first, later_by, amount, unit):
    value = amount if unit == "working_hours" else max(1, int(amount) % 20)
    assert CALENDAR.due_at(first, value, unit) <= CALENDAR.due_at(first + later_by, value, unit)


@settings(max_examples=150, deadline=None)
@given(start=instants, days=st.integers(min_value=1, max_value=40))
def test_working_days_end_at_closing_time_of_a_working_day_after_receipt(start, days):
    due = CALENDAR.add_working_days(start, days)
    assert CALENDAR.is_working_day(due.date()) and due.timetz().replace(tzinfo=None) == time(17)
    assert due.date() > start.astimezone(VN).date()
    assert CALENDAR.add_working_days(start, days + 1) > due
