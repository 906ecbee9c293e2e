"""The office maintains holiday years chinesecalendar does not know; bad tables change nothing."""

from __future__ import annotations

from django.urls import reverse

from kaohe.core.calendar import Calendar
from kaohe.core.models import AuditEvent
from kaohe.core.models_calendar import HolidayCalendarYear, HolidayDate

ROWS_2027 = "2027-01-01 放假 元旦\n2027-02-06 放假 春节\n2027-02-07 放假 春节\n2027-02-14 上班 春节调休\n"


def test_office_enters_a_new_year_and_working_days_use_it(personas):
    client = personas.client(personas.office)
    page = client.get(reverse("core:calendar")).content.decode()
    assert "尚无" in page and "2027" in page
    response = client.post(reverse("core:calendar"), {"import-year": "2027", "import-rows": ROWS_2027})
    assert response.status_code == 302
    year = HolidayCalendarYear.objects.get(year=2027)
    assert year.dates.count() == 4
    assert AuditEvent.objects.filter(action__startswith="calendar.").exists()
    calendar = Calendar.from_database()
    import datetime as dt

    assert calendar.is_working_day(dt.date(2027, 2, 14))  # a Sunday, worked
    assert not calendar.is_working_day(dt.date(2027, 2, 6))


def test_bad_rows_are_all_reported_and_nothing_is_saved(personas):
    client = personas.client(personas.office)
    rows = "2027-01-01 放假 元旦\n2026-10-01 放假 国庆\n2027-13-01 放假 x\n2027-01-01 放假 重复\n2027-03-01 休息日\n"
    response = client.post(reverse("core:calendar"), {"import-year": "2027", "import-rows": rows})
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 3 行" in page and "第 5 行" in page
    assert not HolidayDate.objects.filter(date__year=2027).exists()
    rows = "2027-01-01 放假 元旦\n2026-10-01 放假 国庆\n2027-01-01 放假 重复\n"
    page = client.post(reverse("core:calendar"), {"import-year": "2027", "import-rows": rows}).content.decode()
    assert "不在 2027 年内" in page
    assert not HolidayDate.objects.filter(date__year__in=[2026, 2027]).exists()


def test_only_offices_manage_the_calendar(personas):
    for user in (personas.desk, personas.unit, personas.viewer, personas.sysadmin):
        assert personas.client(user).get(reverse("core:calendar")).status_code == 403
        response = personas.client(user).post(reverse("core:calendar"), {"import-year": "2027", "import-rows": ROWS_2027})
        assert response.status_code == 403
    assert not HolidayCalendarYear.objects.filter(year=2027).exists()


def test_home_warns_the_office_about_missing_years(personas):
    assert "去录入" in personas.client(personas.office).get(reverse("core:home")).content.decode()
    assert "去录入" not in personas.client(personas.unit).get(reverse("core:home")).content.decode()
