"""The office's holiday table: writes, refusals of bad rows, audit events, the database calendar, check_calendar."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from kaohe.core import audit, calendar
from kaohe.core.calendar import Calendar, CalendarYearUnknown
from kaohe.core.management.commands.check_calendar import parse_years
from kaohe.core.models import AuditEvent
from kaohe.core.models_calendar import HolidayCalendarYear, HolidayDate
from kaohe.core.services_calendar import (
    holiday_date_add,
    holiday_date_delete,
    holiday_year_copy_builtin,
    holiday_year_create,
    holiday_year_import_rows,
)

D = dt.date
HOLIDAY = HolidayDate.Kind.HOLIDAY
WORKDAY = HolidayDate.Kind.WORKDAY
OFFICE = HolidayCalendarYear.Source.OFFICE
BUILTIN = HolidayCalendarYear.Source.CHINESECALENDAR

# The 2027 schedule as an office would type it in (illustrative dates, not a published notice).
ROWS_2027 = [
    (D(2027, 1, 1), HOLIDAY, "元旦"),
    (D(2027, 2, 5), HOLIDAY, "春节"),
    (D(2027, 2, 8), HOLIDAY, "春节"),
    (D(2027, 2, 9), HOLIDAY, "春节"),
    (D(2027, 2, 20), WORKDAY, "春节"),  # Saturday
]


@pytest.fixture
def officer(db):
    return get_user_model().objects.create_user(username="cal_office", password="Kaohe#calendar1")


def _nothing_written(year: int, audit_count: int) -> None:
    assert not HolidayCalendarYear.objects.filter(year=year).exists()
    assert not HolidayDate.objects.filter(date__year=year).exists()
    assert AuditEvent.objects.count() == audit_count


# ------------------------------------------------------------------------------ happy paths and audit


def test_import_creates_the_year_writes_rows_and_audits(officer):
    year = holiday_year_import_rows(actor=officer, year=2027, rows=ROWS_2027)
    assert year.year == 2027
    assert year.source == OFFICE
    assert list(year.dates.values_list("date", "kind", "name")) == [(d, str(k), n) for d, k, n in ROWS_2027]

    create, imported = AuditEvent.objects.filter(action__startswith="calendar.").order_by("seq")
    assert create.action == "calendar.year_create"
    assert imported.action == "calendar.import"
    assert imported.actor_id == officer.pk
    assert imported.object_type == "core.HolidayCalendarYear"
    assert imported.object_id == str(year.pk)
    assert imported.after["rows"][0] == ["2027-01-01", "holiday", "元旦"]
    assert len(imported.after["rows"]) == len(ROWS_2027)
    assert audit.verify_chain().ok

    cal = Calendar.from_database()
    assert cal.source(2027) == OFFICE
    assert not cal.is_working_day(D(2027, 2, 8))
    assert cal.is_working_day(D(2027, 2, 20))
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_add_and_delete_single_days_are_audited(officer):
    year = holiday_year_create(actor=officer, year=2027, note="国办发明电〔2026〕X号")
    added = holiday_date_add(actor=officer, year=year, date=D(2027, 1, 1), kind=HOLIDAY, name=" 元旦 ")
    assert added.name == "元旦"
    event = AuditEvent.objects.get(action="calendar.date_add")
    assert event.actor_id == officer.pk
    assert event.after == {"year": 2027, "date": "2027-01-01", "kind": "holiday", "name": "元旦"}

    holiday_date_delete(actor=officer, holiday_date=added)
    assert not HolidayDate.objects.filter(date=D(2027, 1, 1)).exists()
    event = AuditEvent.objects.get(action="calendar.date_delete")
    assert event.actor_id == officer.pk
    assert event.object_id == str(added.pk)
    assert event.before == {"year": 2027, "date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert event.after is None
    assert AuditEvent.objects.filter(action="calendar.year_create", after__note="国办发明电〔2026〕X号").exists()
    assert audit.verify_chain().ok


def test_office_table_overrides_chinesecalendar_in_the_database_calendar(officer):
    # 2021 as the office keeps it: only 元旦 and 劳动节; chinesecalendar's other 2021 days no longer count.
    rows = [(D(2021, 1, 1), HOLIDAY, "元旦")] + [(D(2021, 5, d), HOLIDAY, "劳动节") for d in range(1, 6)]
    holiday_year_import_rows(actor=officer, year=2021, rows=rows)
    cal = Calendar.from_database()
    assert cal.source(2021) == OFFICE
    assert cal.source(2020) == BUILTIN
    assert not cal.is_working_day(D(2021, 5, 8))  # chinesecalendar's make-up Saturday is gone
    assert cal.add_working_days(D(2021, 4, 29), 5) == D(2021, 5, 11)
    assert Calendar.builtin().add_working_days(D(2021, 4, 29), 5) == D(2021, 5, 10)


def test_copy_builtin_then_edit_makes_the_year_the_offices(officer):
    year = holiday_year_copy_builtin(actor=officer, year=2020)
    assert year.source == BUILTIN
    assert year.dates.filter(date=D(2020, 1, 19), kind=WORKDAY).exists()
    cal = Calendar.from_database()
    assert cal.source(2020) == BUILTIN
    assert cal.add_working_days(D(2020, 12, 31), 5) == D(2021, 1, 8)

    holiday_date_add(actor=officer, year=year, date=D(2020, 12, 31), kind=HOLIDAY, name="考核办调整")
    year.refresh_from_db()
    assert year.source == OFFICE
    assert not Calendar.from_database().is_working_day(D(2020, 12, 31))
    assert AuditEvent.objects.filter(action="calendar.year_copy_builtin", object_id=str(year.pk)).exists()

    with pytest.raises(ValidationError, match="内置数据没有 2027 年"):
        holiday_year_copy_builtin(actor=officer, year=2027)
    with pytest.raises(ValidationError, match="2020 年的节假日表已存在"):
        holiday_year_copy_builtin(actor=officer, year=2020)


def test_an_empty_office_year_is_flagged_not_guessed(officer):
    holiday_year_create(actor=officer, year=2021)
    cal = Calendar.from_database()
    assert cal.missing_years([2020, 2021]) == [2021]
    assert 2021 in cal.incomplete_years
    with pytest.raises(CalendarYearUnknown, match="尚无 2021 年的节假日安排"):
        cal.add_working_days(D(2021, 4, 29), 5)


# ------------------------------------------------------------------------------ bad input: refused, nothing written


def test_import_refuses_a_date_outside_the_year(officer):
    before = AuditEvent.objects.count()
    rows = [(D(2026, 1, 1), HOLIDAY, "元旦"), (D(2027, 10, 1), HOLIDAY, "国庆节")]
    with pytest.raises(ValidationError) as caught:
        holiday_year_import_rows(actor=officer, year=2026, rows=rows)
    assert caught.value.messages == ["第 2 行（2027-10-01）：日期 2027-10-01 不在 2026 年内"]
    _nothing_written(2026, before)


def test_import_refuses_a_date_repeated_within_the_rows(officer):
    before = AuditEvent.objects.count()
    rows = [(D(2027, 1, 1), HOLIDAY, "元旦"), (D(2027, 2, 8), HOLIDAY, "春节"), (D(2027, 1, 1), HOLIDAY, "元旦")]
    with pytest.raises(ValidationError) as caught:
        holiday_year_import_rows(actor=officer, year=2027, rows=rows)
    assert caught.value.messages == ["第 3 行（2027-01-01）：与第 1 行日期重复"]
    _nothing_written(2027, before)


def test_import_refuses_a_date_already_in_the_table(officer):
    year = holiday_year_import_rows(actor=officer, year=2027, rows=ROWS_2027[:1])
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        holiday_year_import_rows(actor=officer, year=year, rows=ROWS_2027)
    assert caught.value.messages == ["第 1 行（2027-01-01）：该日期已在节假日表中（放假：元旦），不能重复登记"]
    assert year.dates.count() == 1
    assert AuditEvent.objects.count() == before


def test_import_refuses_an_unknown_kind(officer):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        holiday_year_import_rows(actor=officer, year=2027, rows=[(D(2027, 1, 1), "休息", "元旦")])
    assert caught.value.messages == ["第 1 行（2027-01-01）：类型“休息”无效，应为 holiday（放假）、workday（调休上班）"]
    _nothing_written(2027, before)


def test_import_lists_every_problem_at_once_and_writes_nothing(officer):
    before = AuditEvent.objects.count()
    rows = [
        (D(2027, 1, 1), HOLIDAY, "元旦"),
        (D(2028, 1, 1), HOLIDAY, "元旦"),
        (D(2027, 1, 1), HOLIDAY, "元旦"),
        (D(2027, 2, 8), WORKDAY, "春节"),  # a Monday
        (D(2027, 2, 9), HOLIDAY, ""),
        ("2027-02-10", HOLIDAY, "春节"),
    ]
    with pytest.raises(ValidationError) as caught:
        holiday_year_import_rows(actor=officer, year=2027, rows=rows)
    assert caught.value.messages == [
        "第 2 行（2028-01-01）：日期 2028-01-01 不在 2027 年内",
        "第 3 行（2027-01-01）：与第 1 行日期重复",
        "第 4 行（2027-02-08）：日期 2027-02-08 是星期一，本来就是工作日，无需登记为调休上班",
        "第 5 行（2027-02-09）：未填写节日名称",
        "第 6 行：日期“2027-02-10”无效",
    ]
    _nothing_written(2027, before)
    with pytest.raises(ValidationError, match="没有要导入的日期"):
        holiday_year_import_rows(actor=officer, year=2027, rows=[])


def test_adding_one_day_outside_its_year_is_refused_by_the_model(officer):
    year = holiday_year_create(actor=officer, year=2026)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        holiday_date_add(actor=officer, year=year, date=D(2027, 10, 1), kind=HOLIDAY, name="国庆节")
    assert caught.value.message_dict == {"date": ["日期 2027-10-01 不在 2026 年内"]}
    assert not year.dates.exists()
    assert AuditEvent.objects.count() == before


def test_adding_a_duplicate_day_or_a_weekday_make_up_day_is_refused(officer):
    year = holiday_year_import_rows(actor=officer, year=2027, rows=ROWS_2027)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        holiday_date_add(actor=officer, year=year, date=D(2027, 2, 20), kind=HOLIDAY, name="春节")
    assert caught.value.message_dict == {"date": ["日期 2027-02-20 已在节假日表中（调休上班：春节），不能重复登记"]}
    with pytest.raises(ValidationError) as caught:
        holiday_date_add(actor=officer, year=year, date=D(2027, 3, 3), kind=WORKDAY, name="春节")
    assert caught.value.message_dict == {"date": ["日期 2027-03-03 是星期三，本来就是工作日，无需登记为调休上班"]}
    with pytest.raises(ValidationError) as caught:
        holiday_date_add(actor=officer, year=year, date=D(2027, 3, 6), kind="rest", name="春节")
    assert "kind" in caught.value.message_dict
    assert year.dates.count() == len(ROWS_2027)
    assert AuditEvent.objects.count() == before


def test_a_year_cannot_be_created_twice_or_out_of_range(officer):
    holiday_year_create(actor=officer, year=2027)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="2027 年的节假日表已存在"):
        holiday_year_create(actor=officer, year=2027)
    with pytest.raises(ValidationError) as caught:
        holiday_year_create(actor=officer, year=1999)
    assert "year" in caught.value.message_dict
    assert AuditEvent.objects.count() == before


# ------------------------------------------------------------------------------ database shortcuts


def test_database_calendar_is_one_query_and_cached_per_request(officer, django_assert_num_queries):
    holiday_year_import_rows(actor=officer, year=2027, rows=ROWS_2027)
    holiday_year_create(actor=officer, year=2028)
    with django_assert_num_queries(1):
        cal = Calendar.from_database()
    assert cal.source(2027) == OFFICE
    assert cal.incomplete_years == {2028}

    request = HttpRequest()
    with django_assert_num_queries(1):
        first = calendar.get_calendar(request)
        assert calendar.get_calendar(request) is first


def test_module_level_shortcuts_use_the_database(officer):
    assert calendar.add_working_days(D(2021, 4, 29), 5) == D(2021, 5, 10)
    with pytest.raises(CalendarYearUnknown):
        calendar.add_working_days(D(2026, 12, 30), 5)
    holiday_year_import_rows(actor=officer, year=2027, rows=ROWS_2027)
    assert calendar.add_working_days(D(2026, 12, 30), 1) == D(2026, 12, 31)
    assert calendar.add_working_days(D(2026, 12, 30), 2) == D(2027, 1, 4)
    assert calendar.working_deadline(D(2026, 12, 30), 2) == calendar.deadline_end(D(2027, 1, 4))


# ------------------------------------------------------------------------------ check_calendar


def test_check_calendar_names_sources_and_fails_on_missing_years(officer):
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("check_calendar", "--years", "2025-2028", stdout=out)
    assert "2027、2028" in str(caught.value)
    assert "2025 年：内置数据" in out.getvalue()
    assert "2027 年：缺失" in out.getvalue()

    holiday_year_import_rows(actor=officer, year=2027, rows=ROWS_2027)
    holiday_year_create(actor=officer, year=2028)
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("check_calendar", "--years", "2026-2028", stdout=out)
    assert "：2028。" in str(caught.value)
    assert "2027 年：考核办维护" in out.getvalue()
    assert "2028 年：缺失（考核办已建表，但尚未录入放假日期）" in out.getvalue()

    out = io.StringIO()
    call_command("check_calendar", "--years", "2020-2021,2027", stdout=out)
    assert "已检查 3 个年度" in out.getvalue()


def test_parse_years():
    assert parse_years("2020-2022") == [2020, 2021, 2022]
    assert parse_years("2026") == [2026]
    assert parse_years("2020，2022-2023, 2020") == [2020, 2022, 2023]
    with pytest.raises(CommandError, match="无法识别"):
        parse_years("20x6")
    with pytest.raises(CommandError, match="起止颠倒"):
        parse_years("2027-2020")
