"""In Chromium at phone size (390×844): a 实地考察组 member opens their unit and scores a task; nothing scrolls sideways.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assigned(demo_fieldwork):
    from kaohe.accounts.models import User
    from kaohe.inspections.fieldwork import services
    from kaohe.plans.models import PlanUnit

    plan = demo_fieldwork
    office = User.objects.get(username="office")
    field = User.objects.get(username="field_a")
    group = services.group_save(
        actor=office, plan=plan, name="第一组", leader_id=field.pk, member_ids=[User.objects.get(username="field_b").pk]
    )
    unit = PlanUnit.objects.select_related("organisation").get(plan=plan, organisation__name="舞钢市人民政府")
    services.assignment_set(
        actor=office, plan=plan, group=group, unit=unit, visit_date=dt.date(2021, 1, 21), address="舞钢市人民政府第一会议室"
    )
    return plan, unit


def test_member_scores_on_a_phone(new_page, live_server, assigned):
    from kaohe.scoring.models import Evaluation

    plan, unit = assigned
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login(page, live_server, "field_a")
    page.goto(f"{live_server.url}/plans/{plan.pk}/fieldwork/mine/")
    page.click("[data-testid=unit-card]")
    page.wait_for_selector("[data-testid=task-card]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator("[data-testid=task-card]").first
    box = first.locator("button[type=submit]").first.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb-sized target
    first.locator("input[name=score]").fill("1.5")
    first.locator("button[type=submit]").first.click()
    page.wait_for_selector("[data-testid=task-error]")
    assert "扣分理由" in page.inner_text("[data-testid=task-error]")
    assert not Evaluation.objects.filter(plan=plan).exists()
    card = page.locator("[data-testid=task-card]").first
    card.locator("textarea[name=reason]").fill("现场查看补偿档案不全")
    card.locator("button[type=submit]").first.click()
    page.wait_for_selector("[data-testid=current]")
    assert Evaluation.objects.get(plan=plan, unit=unit).reason == "现场查看补偿档案不全"
    # The 满分 button fills the task's points on the next card.
    second = page.locator("[data-testid=task-card]").nth(1)
    second.locator("[data-full]").click()
    assert second.locator("input[name=score]").input_value() == "1"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "fieldwork-mobile")
    # The refused save answered 400 on purpose; nothing else may have failed (CSP, scripts).
    assert [e for e in page.console_errors if "status of 400" not in e] == []
    # The office sees the group's progress (1 of 8 tasks scored) on its desktop page.
    page = new_page()
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{plan.pk}/fieldwork/")
    assert "已评 1 / 8" in page.inner_text("[data-testid=group-progress]")
    shot(page, "fieldwork-office")
