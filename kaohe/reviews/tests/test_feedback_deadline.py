"""JZ 四(三) "在5月8日前通过邮箱逐一向各地各部门进行反馈": the plan's 问题反馈截止 (方案设置) is shown on the office's
feedback page with the number of units that have no released round yet, and on the office's home as a to-do line
from a week before it (urgent once past while a unit still waits)."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews import services
from kaohe.reviews.tests.conftest import beijing, set_now

HOME = "/"


def _set_deadline(plan, day):
    Plan.objects.filter(pk=plan.pk).update(feedback_deadline=day)
    plan.refresh_from_db()


def _todo(html: str) -> tuple[str, int] | None:
    found = re.search(r'href="([^"]+)" data-testid="todo">\s*<span>(问题反馈截止[^<]+)</span>\s*<span[^>]*>(\d+)</span>', html)
    return (found.group(2), int(found.group(3))) if found else None


def test_office_page_shows_the_deadline_and_units_still_waiting(personas, plan, wugang, monkeypatch):
    set_now(monkeypatch, beijing(2021, 5, 1))
    _set_deadline(plan, dt.date(2021, 5, 8))
    total = PlanUnit.objects.filter(plan=plan).count()
    office = personas.client(personas.office)
    url = reverse("reviews:office", args=[plan.pk])
    page = office.get(url).content.decode()
    assert "问题反馈截止：2021-05-08" in page
    assert f'data-testid="unreleased-units">{total}<' in page and "已逾期" not in page
    services.feedback_release(actor=personas.office, plan=plan, units=[wugang])
    page = office.get(url).content.decode()
    assert f'data-testid="unreleased-units">{total - 1}<' in page
    set_now(monkeypatch, beijing(2021, 5, 9))
    assert "已逾期" in personas.client(personas.office).get(url).content.decode()  # a new login: the clock moved


def test_no_deadline_no_line(personas, plan):
    page = personas.client(personas.office).get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert 'data-testid="feedback-deadline"' not in page


def test_home_todo_appears_a_week_before_and_counts_units_without_a_round(personas, plan, wugang, monkeypatch):
    _set_deadline(plan, dt.date(2021, 5, 8))
    total = PlanUnit.objects.filter(plan=plan).count()
    set_now(monkeypatch, beijing(2021, 4, 30))  # eight days before: not yet
    assert _todo(personas.client(personas.office).get(HOME).content.decode()) is None
    set_now(monkeypatch, beijing(2021, 5, 1))  # each step logs in again: the clock moved
    assert _todo(personas.client(personas.office).get(HOME).content.decode()) == (
        "问题反馈截止5月8日：尚未收到反馈的考核对象",
        total,
    )
    services.feedback_release(actor=personas.office, plan=plan, units=[wugang])
    set_now(monkeypatch, beijing(2021, 5, 9))
    html = personas.client(personas.office).get(HOME).content.decode()
    assert _todo(html) == ("问题反馈截止5月8日（已逾期）：尚未收到反馈的考核对象", total - 1)
    assert 'bg-red text-red-fg" data-testid="todo-count">' + str(total - 1) in html
    # Neither a desk nor a unit is given the office's line.
    for user in (personas.desk, personas.unit):
        assert _todo(personas.client(user).get(HOME).content.decode()) is None


def test_feedback_page_is_the_offices_only(personas, plan, other_plan):
    _set_deadline(plan, dt.date(2021, 5, 8))
    url = reverse("reviews:office", args=[plan.pk])
    assert personas.client(personas.unit).get(url).status_code == 403
    assert personas.client(personas.desk).get(url).status_code == 403
    response = personas.client(personas.other_office).get(url)
    assert response.status_code == 404 and "问题反馈截止" not in response.content.decode()
