"""A countdown of working days that cannot be computed says why, to every role that sees the deadline."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from kaohe.accounts.models import User
from kaohe.core.calendar import Calendar
from kaohe.submissions.models import Extension
from kaohe.submissions.selectors import evidence_tasks


def _year_without_holidays() -> int:
    this_year = timezone.localdate().year
    return next(y for y in range(this_year + 1, this_year + 50) if Calendar.from_database().missing_years([y]))


def test_missing_holiday_year_is_named_where_the_countdown_would_be(personas, demo_plan):
    year = _year_without_holidays()
    office = User.objects.get(username="office")
    Extension.objects.bulk_create(
        Extension(plan=demo_plan, task=t, unit=None, new_deadline=dt.date(year, 3, 1), reason="演示延期", granted_by=office)
        for t in evidence_tasks(demo_plan)
    )
    sentence = f"{year}年节假日安排尚未录入，无法计算剩余工作日"
    unit_page = personas.client(personas.unit).get(reverse("submissions:workspace", args=[demo_plan.pk])).content.decode()
    assert sentence in unit_page and "剩 " not in unit_page
    desk_page = personas.client(personas.desk).get(reverse("submissions:queue", args=[demo_plan.pk])).content.decode()
    assert sentence in desk_page
    home = personas.client(personas.unit).get("/").content.decode()
    assert sentence in home  # the unit's to-do list says why "5个工作日内到期" cannot be counted


def test_a_known_year_shows_the_countdown(personas, demo_plan):
    today = timezone.localdate()
    known = [y for y in (today.year, today.year + 1) if not Calendar.from_database().missing_years([y])]
    if not known:  # the installation's calendar ends before today: nothing to count
        return
    office = User.objects.get(username="office")
    until = (
        max(today + dt.timedelta(days=20), dt.date(known[0], 1, 10)) if known[0] > today.year else today + dt.timedelta(days=10)
    )
    if Calendar.from_database().missing_years([until.year]):
        return
    Extension.objects.bulk_create(
        Extension(plan=demo_plan, task=t, unit=None, new_deadline=until, reason="演示延期", granted_by=office)
        for t in evidence_tasks(demo_plan)
    )
    page = personas.client(personas.unit).get(reverse("submissions:workspace", args=[demo_plan.pk])).content.decode()
    assert "个工作日" in page and "尚未录入" not in page
