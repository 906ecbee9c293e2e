"""In Chromium at phone size (390×844): a 实地考察组 member opens their unit and scores a task; nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    from kaohe.accounts.models import User
    from kaohe.demo.loader import load_demo
    from kaohe.inspections.fieldwork import services
    from kaohe.inspections.fieldwork.demo import load_demo_data
    from kaohe.plans.models import PlanUnit

    plan = load_demo()
    load_demo_data(plan)
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


def test_member_scores_on_a_phone(browser, live_server, demo):
    from kaohe.scoring.models import Evaluation

    plan, unit = demo
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "field_a")
        page.fill("#id_password", "Kaohe#2020demo")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/$"))
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
        assert not Evaluation.objects.exists()
        card = page.locator("[data-testid=task-card]").first
        card.locator("textarea[name=reason]").fill("现场查看补偿档案不全")
        card.locator("button[type=submit]").first.click()
        page.wait_for_selector("[data-testid=current]")
        assert Evaluation.objects.get(unit=unit).reason == "现场查看补偿档案不全"
        # The 满分 button fills the task's points on the next card.
        second = page.locator("[data-testid=task-card]").nth(1)
        second.locator("[data-full]").click()
        assert second.locator("input[name=score]").input_value() == "1"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, "fieldwork-mobile")
        # The refused save answered 400 on purpose; nothing else may have failed (CSP, scripts).
        assert [e for e in errors if "status of 400" not in e] == []
    finally:
        context.close()
    # The office sees the group's progress (1 of 8 tasks scored) on its desktop page.
    office = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = office.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "office")
        page.fill("#id_password", "Kaohe#2020demo")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/$"))
        page.goto(f"{live_server.url}/plans/{plan.pk}/fieldwork/")
        assert "已评 1 / 8" in page.inner_text("[data-testid=group-progress]")
        shot(page, "fieldwork-office")
    finally:
        office.close()
