"""The top level's system administrator maintains holiday years chinesecalendar does not know; bad tables change
nothing; offices and a lower region's system administrator read the calendar only."""

from __future__ import annotations

from django.urls import reverse

from kaohe.core.calendar import Calendar
from kaohe.core.models import AuditEvent
from kaohe.core.models_calendar import HolidayCalendarYear, HolidayDate
from kaohe.organisations.models import Organisation, Region
from kaohe.organisations.roles import Role
from tests import factories as f

ROWS_2027 = "2027-01-01 放假 元旦\n2027-02-06 放假 春节\n2027-02-07 放假 春节\n2027-02-14 上班 春节调休\n"


def test_top_system_admin_enters_a_new_year_and_working_days_use_it(personas):
    # The small city's province holds no organisation: the city is the installation's top, its sysadmin edits.
    client = personas.client(personas.sysadmin)
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
    client = personas.client(personas.sysadmin)
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


def test_only_the_top_levels_system_admins_edit_the_calendar(personas):
    for user in (personas.desk, personas.unit, personas.viewer, personas.secadmin, personas.auditor):
        assert personas.client(user).get(reverse("core:calendar")).status_code == 403
        response = personas.client(user).post(reverse("core:calendar"), {"import-year": "2027", "import-rows": ROWS_2027})
        assert response.status_code == 403
    # Offices (this city's and another's) read the calendar, without the forms, and may not write.
    for user in (personas.office, personas.other_office):
        client = personas.client(user)
        page = client.get(reverse("core:calendar")).content.decode()
        assert "此处只读" in page and "import-rows" not in page and "复制后修改" not in page
        assert client.post(reverse("core:calendar"), {"import-year": "2027", "import-rows": ROWS_2027}).status_code == 403
        assert client.post(reverse("core:calendar_copy"), {"copy-year": "2027"}).status_code == 403
    assert not HolidayCalendarYear.objects.filter(year=2027).exists()
    page = personas.client(personas.sysadmin).get(reverse("core:calendar")).content.decode()
    assert "import-rows" in page and "此处只读" not in page


def test_a_citys_system_admin_reads_the_calendar_once_the_province_runs_its_own_office(personas):
    province = Region.objects.get(name="河南省", parent=None)
    provincial = f.OrganisationFactory.create(name="河南省司法厅", region=province, kind=Organisation.Kind.DEPARTMENT)
    top_admin = f.UserFactory.create(username="henan_sysadmin", memberships=[(provincial, Role.SYSTEM_ADMIN)])
    holiday = HolidayDate.objects.create(
        year=HolidayCalendarYear.objects.create(year=2031), date="2031-01-01", kind=HolidayDate.Kind.HOLIDAY, name="元旦"
    )
    city_admin = personas.client(personas.sysadmin)  # 平顶山市: now below the top
    page = city_admin.get(reverse("core:calendar")).content.decode()
    assert "此处只读" in page and "2031-01-01" in page
    assert (
        city_admin.post(reverse("core:calendar"), {"import-year": "2032", "import-rows": "2032-01-01 放假 元旦"}).status_code
        == 403
    )
    assert city_admin.post(reverse("core:calendar_copy"), {"copy-year": "2032"}).status_code == 403
    assert city_admin.post(reverse("core:calendar_date_delete", args=[holiday.pk])).status_code == 403
    assert HolidayDate.objects.filter(pk=holiday.pk).exists()
    assert "去录入" not in city_admin.get(reverse("core:home")).content.decode()
    province_admin = personas.client(top_admin)
    assert province_admin.post(reverse("core:calendar_date_delete", args=[holiday.pk])).status_code == 302
    assert not HolidayDate.objects.filter(pk=holiday.pk).exists()


def test_home_warns_the_top_system_admin_about_missing_years(personas):
    assert "去录入" in personas.client(personas.sysadmin).get(reverse("core:home")).content.decode()
    assert "去录入" not in personas.client(personas.office).get(reverse("core:home")).content.decode()
    assert "去录入" not in personas.client(personas.unit).get(reverse("core:home")).content.decode()
