"""A countdown of working days that cannot be computed says why, to every role that sees the deadline."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from kaohe.accounts.models import User
from kaohe.core.calendar import Calendar
from kaohe.plans.models import Indicator
from kaohe.submissions.models import Extension
from kaohe.submissions.selectors import evidence_tasks


def _year_without_holidays() -> int:
    this_year = timezone.localdate().year
    return next(y for y in range(this_year + 1, this_year + 50) if Calendar.from_database().missing_years([y]))


def test_missing_holiday_year_is_named_where_the_countdown_would_be(personas, plan):
    year = _year_without_holidays()
    office = User.objects.get(username="office")
    Extension.objects.bulk_create(
        Extension(plan=plan, task=t, unit=None, new_deadline=dt.date(year, 3, 1), reason="演示延期", granted_by=office)
        for t in evidence_tasks(plan)
    )
    sentence = f"{year}年节假日安排尚未录入，无法计算剩余工作日"
    unit_page = personas.client(personas.unit).get(reverse("submissions:workspace", args=[plan.pk])).content.decode()
    assert sentence in unit_page and "剩 " not in unit_page
    desk_page = personas.client(personas.desk).get(reverse("submissions:queue", args=[plan.pk])).content.decode()
    assert sentence in desk_page
    home = personas.client(personas.unit).get("/").content.decode()
    assert sentence in home  # the unit's to-do list says why "5个工作日内到期" cannot be counted


def test_a_known_year_shows_the_countdown(personas, plan):
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
        Extension(plan=plan, task=t, unit=None, new_deadline=until, reason="演示延期", granted_by=office)
        for t in evidence_tasks(plan)
    )
    page = personas.client(personas.unit).get(reverse("submissions:workspace", args=[plan.pk])).content.decode()
    assert "个工作日" in page and "尚未录入" not in page


def test_plan_overview_shows_the_deadline_in_force(personas, plan):
    """The plan says 2020-12-31; once every task is extended, the overview shows the new date and says so;
    with different dates per task it says so instead of one date the tasks contradict."""
    office = User.objects.get(username="office")
    url = reverse("plans:detail", args=[plan.pk])

    def shown(user) -> str:
        page = personas.client(user).get(url).content.decode()
        return " ".join(page.split('data-testid="submission-deadline">')[1].split("</dd>")[0].split())

    assert shown(personas.office) == "2020-12-31"  # every task of the city's tables is due on the plan's date
    # One task due later (as the real table's 案卷 tasks are): the tasks now differ.
    Indicator.objects.filter(plan=plan, category__name="部门2", code="2.1.1").update(deadline=dt.date(2021, 3, 31))
    assert "各任务时限不同（2020-12-31 至 2021-03-31）" in shown(personas.office)
    tasks = evidence_tasks(plan)
    Extension.objects.bulk_create(
        Extension(plan=plan, task=t, unit=None, new_deadline=dt.date(2021, 6, 1), reason="统一延期", granted_by=office)
        for t in tasks
    )
    assert shown(personas.unit).startswith("2021-06-01 <span") and "原定 2020-12-31，已延期" in shown(personas.unit)
    Extension.objects.create(
        plan=plan, task=tasks[0], unit=None, new_deadline=dt.date(2021, 7, 1), reason="再延", granted_by=office
    )
    assert "各任务时限不同（2021-06-01 至 2021-07-01，含延期）" in shown(personas.office)
