"""The working-day calendar without a database: real 2020–2021 schedules, counting rules, unknown years."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.core.calendar import (
    BUILTIN_YEARS,
    SHANGHAI,
    Calendar,
    CalendarYearUnknown,
    builtin_rows,
    deadline_end,
    schedule_from_rows,
    to_local_date,
)
from kaohe.core.models_calendar import HolidayCalendarYear, HolidayDate

D = dt.date
HOLIDAY = HolidayDate.Kind.HOLIDAY
WORKDAY = HolidayDate.Kind.WORKDAY
CAL = Calendar.builtin()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


# ------------------------------------------------------------------------------ what chinesecalendar covers


def test_builtin_years_are_read_from_the_package_data():
    assert min(BUILTIN_YEARS) == 2004
    assert max(BUILTIN_YEARS) == 2026
    assert set(range(2004, 2027)) == BUILTIN_YEARS
    assert CAL.known_years() == sorted(BUILTIN_YEARS)
    assert CAL.missing_years([2003, 2020, 2026, 2027, 2027]) == [2003, 2027]
    assert CAL.source(2021) == HolidayCalendarYear.Source.CHINESECALENDAR
    assert CAL.source(2027) is None


def test_builtin_calendar_agrees_with_chinesecalendar_on_every_day():
    day = D(2004, 1, 1)
    while day <= D(2026, 12, 31):
        assert CAL.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


# ------------------------------------------------------------------------------ real 2020 and 2021


# Make-up working weekends, each checked against chinesecalendar 1.11.0 and the State Council notices.
MAKE_UP_WORKDAYS = [
    (D(2020, 1, 19), "春节"),  # Sunday
    (D(2020, 4, 26), "劳动节"),  # Sunday
    (D(2020, 5, 9), "劳动节"),  # Saturday
    (D(2020, 6, 28), "端午"),  # Sunday
    (D(2020, 9, 27), "国庆节"),  # Sunday
    (D(2020, 10, 10), "国庆节"),  # Saturday
    (D(2021, 2, 7), "春节"),  # Sunday
    (D(2021, 2, 20), "春节"),  # Saturday
    (D(2021, 4, 25), "劳动节"),  # Sunday
    (D(2021, 5, 8), "劳动节"),  # Saturday
    (D(2021, 9, 18), "中秋"),  # Saturday
    (D(2021, 9, 26), "国庆节"),  # Sunday
    (D(2021, 10, 9), "国庆节"),  # Saturday
]


@pytest.mark.parametrize(("day", "name"), MAKE_UP_WORKDAYS)
def test_make_up_weekend_days_are_working_days(day, name):
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)
    assert CAL.holiday_name(day) == name


WEEKDAY_HOLIDAYS = [
    D(2020, 1, 1),  # 元旦
    D(2020, 1, 24),  # 除夕
    D(2020, 1, 30),  # last day of the original 春节 block
    D(2020, 1, 31),  # the epidemic extension (国办发明电〔2020〕1号)
    D(2020, 4, 6),  # 清明
    D(2020, 5, 5),  # 劳动节
    D(2020, 6, 25),  # 端午
    D(2020, 6, 26),
    D(2020, 10, 8),  # 国庆中秋
    D(2021, 1, 1),
    D(2021, 2, 11),
    D(2021, 2, 17),
    D(2021, 4, 5),
    D(2021, 5, 4),
    D(2021, 5, 5),
    D(2021, 6, 14),
    D(2021, 9, 20),
    D(2021, 9, 21),
    D(2021, 10, 7),
]


@pytest.mark.parametrize("day", WEEKDAY_HOLIDAYS)
def test_weekday_holidays_are_rest_days(day):
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)
    assert CAL.holiday_name(day)


def test_2020_spring_festival_extension_cancelled_the_saturday_make_up_day():
    # The original notice made Saturday 1 February a working day; the extension to 2 February made it a
    # rest day again. chinesecalendar records the extension, so 1 February is NOT a working day.
    assert not CAL.is_working_day(D(2020, 2, 1))
    assert not CAL.is_working_day(D(2020, 2, 2))
    assert CAL.holiday_name(D(2020, 2, 2)) == "春节"
    assert CAL.is_working_day(D(2020, 2, 3))
    assert CAL.add_working_days(D(2020, 1, 23), 1) == D(2020, 2, 3)


def test_ordinary_days():
    assert CAL.is_working_day(D(2021, 3, 10))  # Wednesday
    assert not CAL.is_working_day(D(2021, 3, 13))  # Saturday
    assert CAL.holiday_name(D(2021, 3, 10)) == ""


# ------------------------------------------------------------------------------ counting


def test_issue_example_feedback_on_2021_04_29_plus_5_working_days():
    # Fri 30 Apr (1), 1–5 May off, Thu 6 (2), Fri 7 (3), Sat 8 worked (4), Sun 9 off, Mon 10 (5).
    assert CAL.add_working_days(D(2021, 4, 29), 5) == D(2021, 5, 10)
    assert CAL.working_days_between(D(2021, 4, 29), D(2021, 5, 10)) == 5


def test_counting_across_new_year():
    # 2021-01-01..03 off, so Mon 4 Jan is the first working day after 31 Dec 2020.
    assert CAL.add_working_days(D(2020, 12, 31), 1) == D(2021, 1, 4)
    assert CAL.add_working_days(D(2020, 12, 31), 5) == D(2021, 1, 8)


def test_counting_starts_the_day_after_and_a_rest_day_start_is_allowed():
    assert CAL.add_working_days(D(2021, 3, 10), 1) == D(2021, 3, 11)
    assert CAL.add_working_days(D(2021, 3, 12), 1) == D(2021, 3, 15)  # Friday → Monday
    assert CAL.add_working_days(D(2021, 3, 13), 1) == D(2021, 3, 15)  # from a Saturday
    assert CAL.add_working_days(D(2021, 10, 1), 1) == D(2021, 10, 8)  # from inside 国庆
    assert CAL.add_working_days(D(2021, 2, 19), 1) == D(2021, 2, 20)  # onto a make-up Saturday


def test_n_must_be_positive():
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2021, 3, 10), 0)
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2021, 3, 10), -1)


def test_working_days_between():
    assert CAL.working_days_between(D(2021, 3, 10), D(2021, 3, 10)) == 0
    assert CAL.working_days_between(D(2021, 3, 12), D(2021, 3, 14)) == 0
    # Sat 18 Sep worked; 19–21 off; 22–24; Sun 26 worked; 27–30; 1–7 Oct off; Fri 8; Sat 9 worked.
    assert CAL.working_days_between(D(2021, 9, 17), D(2021, 10, 10)) == 11
    assert CAL.working_days_between(D(2021, 5, 10), D(2021, 4, 29)) == -5


def test_datetimes_are_refused_so_time_zones_are_not_dropped_silently():
    moment = at(D(2021, 4, 29), 10)
    with pytest.raises(TypeError):
        CAL.add_working_days(moment, 5)
    with pytest.raises(TypeError):
        CAL.is_working_day(moment)
    assert CAL.add_working_days(to_local_date(moment), 5) == D(2021, 5, 10)


def test_to_local_date_uses_beijing_time():
    late_utc = dt.datetime(2021, 4, 28, 17, 30, tzinfo=dt.UTC)  # 01:30 on 29 April in Beijing
    assert to_local_date(late_utc) == D(2021, 4, 29)
    with pytest.raises(ValueError):
        to_local_date(dt.datetime(2021, 4, 29, 10))  # noqa: DTZ001


# ------------------------------------------------------------------------------ deadlines


def test_deadline_end_is_the_last_instant_of_the_day_in_beijing():
    end = deadline_end(D(2021, 5, 10))
    assert end == dt.datetime(2021, 5, 10, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert end.utcoffset() == dt.timedelta(hours=8)
    assert end.astimezone(dt.UTC) == dt.datetime(2021, 5, 10, 15, 59, 59, 999999, tzinfo=dt.UTC)
    assert CAL.deadline_end(D(2021, 5, 10)) == end
    assert CAL.working_deadline(D(2021, 4, 29), 5) == end


def test_a_request_on_the_sixth_working_day_is_late():
    start = D(2021, 4, 29)
    assert CAL.is_within_working_days(start, 5, at(D(2021, 4, 30), 9))
    assert CAL.is_within_working_days(start, 5, at(D(2021, 5, 9), 12))  # a Sunday before the deadline
    assert CAL.is_within_working_days(start, 5, deadline_end(D(2021, 5, 10)))
    assert not CAL.is_within_working_days(start, 5, deadline_end(D(2021, 5, 10)) + dt.timedelta(microseconds=1))
    assert not CAL.is_within_working_days(start, 5, at(D(2021, 5, 11), 0))  # day 6
    # The same instant in UTC is judged by the Beijing date: 16:30 UTC on the 10th is 00:30 on the 11th.
    assert not CAL.is_within_working_days(start, 5, dt.datetime(2021, 5, 10, 16, 30, tzinfo=dt.UTC))
    with pytest.raises(ValueError):
        CAL.is_within_working_days(start, 5, dt.datetime(2021, 5, 10, 9))  # noqa: DTZ001


# ------------------------------------------------------------------------------ unknown years, office tables


def test_a_year_without_data_raises_instead_of_guessing():
    with pytest.raises(CalendarYearUnknown) as caught:
        CAL.is_working_day(D(2027, 3, 10))
    assert caught.value.year == 2027
    assert str(caught.value) == "尚无 2027 年的节假日安排，请考核办先维护该年度节假日表"
    with pytest.raises(CalendarYearUnknown):
        CAL.add_working_days(D(2026, 12, 30), 5)  # runs into 2027
    with pytest.raises(CalendarYearUnknown):
        CAL.working_days_between(D(2003, 12, 1), D(2004, 1, 5))
    with pytest.raises(CalendarYearUnknown):
        builtin_rows(2027)


def test_an_office_table_adds_a_new_year():
    rows = [
        (D(2027, 1, 1), HOLIDAY, "元旦"),
        (D(2027, 2, 6), HOLIDAY, "春节"),
        (D(2027, 2, 8), HOLIDAY, "春节"),
        (D(2027, 2, 20), WORKDAY, "春节"),  # Saturday
    ]
    cal = Calendar.from_tables({2027: rows})
    assert cal.source(2027) == HolidayCalendarYear.Source.OFFICE
    assert 2027 in cal.known_years()
    assert not cal.is_working_day(D(2027, 2, 8))  # Monday off
    assert cal.is_working_day(D(2027, 2, 20))  # Saturday worked
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)  # Fri 1 Jan off, then the weekend


def test_an_office_table_replaces_chinesecalendar_for_its_whole_year():
    # The office's 2021 has only 元旦 and 劳动节 1–5 May, nothing else: no make-up Saturday on 8 May.
    rows = [(D(2021, 1, 1), HOLIDAY, "元旦")] + [(D(2021, 5, d), HOLIDAY, "劳动节") for d in range(1, 6)]
    cal = Calendar.from_tables({2021: rows})
    assert cal.source(2021) == HolidayCalendarYear.Source.OFFICE
    assert cal.source(2020) == HolidayCalendarYear.Source.CHINESECALENDAR
    assert not cal.is_working_day(D(2021, 5, 8))  # Saturday, not worked in the office's table
    assert cal.is_working_day(D(2021, 2, 11))  # chinesecalendar's 春节 no longer applies
    # Fri 30 Apr, Thu 6 May, Fri 7, Mon 10, Tue 11 (the weekend of 8–9 May is off in this table).
    assert cal.add_working_days(D(2021, 4, 29), 5) == D(2021, 5, 11)


def test_an_office_table_without_any_rest_day_counts_as_not_maintained():
    cal = Calendar.from_tables({2027: [], 2021: [(D(2021, 2, 20), WORKDAY, "春节")]})
    assert cal.missing_years([2021, 2027]) == [2021, 2027]
    assert cal.incomplete_years == {2021, 2027}
    with pytest.raises(CalendarYearUnknown):
        cal.is_working_day(D(2021, 3, 10))


def test_builtin_rows_round_trip_into_an_identical_office_year():
    rows = builtin_rows(2020)
    assert (D(2020, 1, 19), WORKDAY, "春节") in rows
    assert (D(2020, 2, 1), HOLIDAY, "春节") in rows
    cal = Calendar.from_tables({2020: rows})
    day = D(2020, 1, 1)
    while day.year == 2020:
        assert cal.is_working_day(day) == CAL.is_working_day(day)
        day += dt.timedelta(days=1)


def test_schedule_from_rows_refuses_inconsistent_rows():
    with pytest.raises(ValueError):
        schedule_from_rows(2026, [(D(2027, 10, 1), HOLIDAY, "国庆节")])
    with pytest.raises(ValueError):
        schedule_from_rows(2026, [(D(2026, 10, 1), HOLIDAY, "国庆节"), (D(2026, 10, 1), WORKDAY, "国庆节")])
    with pytest.raises(ValueError):
        schedule_from_rows(2026, [(D(2026, 10, 1), "rest", "国庆节")])


# ------------------------------------------------------------------------------ properties

builtin_days = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 10, 31))


@settings(max_examples=300, deadline=None)
@given(start=builtin_days, n=st.integers(min_value=1, max_value=40))
def test_property_add_working_days(start, n):
    result = CAL.add_working_days(start, n)
    assert result > start
    assert CAL.is_working_day(result)
    assert CAL.working_days_between(start, result) == n
    # Nothing before the result would do: the day before it has only n - 1 working days.
    assert CAL.working_days_between(start, result - dt.timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(start=builtin_days, n=st.integers(min_value=2, max_value=40), data=st.data())
def test_property_counting_composes(start, n, data):
    k = data.draw(st.integers(min_value=1, max_value=n - 1))
    assert CAL.add_working_days(CAL.add_working_days(start, k), n - k) == CAL.add_working_days(start, n)


office_year_days = st.dates(min_value=D(2030, 1, 1), max_value=D(2030, 12, 31))


@settings(max_examples=150, deadline=None)
@given(
    rest=st.sets(office_year_days, min_size=1, max_size=40),
    worked=st.sets(office_year_days.filter(lambda d: d.weekday() >= 5), max_size=10),
    start=office_year_days,
    n=st.integers(min_value=1, max_value=30),
)
def test_property_on_an_office_table(rest, worked, start, n):
    rows = [(d, HOLIDAY, "节日") for d in rest] + [(d, WORKDAY, "节日") for d in worked - rest]
    cal = Calendar.from_tables({2030: rows}, builtin=False)
    try:
        result = cal.add_working_days(start, n)
    except CalendarYearUnknown as unknown:
        assert unknown.year == 2031  # ran past the only year there is: refused, not guessed
        return
    assert result > start
    assert cal.is_working_day(result)
    assert cal.working_days_between(start, result) == n
