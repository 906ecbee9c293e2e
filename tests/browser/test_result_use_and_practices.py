"""In Chromium: the office adds a receiving assessment (结果运用) and marks, then publishes, a good practice
(典型经验); a unit reads it on the plan's 典型经验 page. No CSP or script error in the console."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Kaohe#2020demo"


@pytest.fixture
def demo_with_bonus(transactional_db):
    from kaohe.accounts.models import User
    from kaohe.demo.loader import load_demo
    from kaohe.plans.models import PlanUnit
    from kaohe.scoring import services_adjustments
    from kaohe.scoring.models import BonusApplication, BonusKind

    plan = load_demo()
    office, unit_user = User.objects.get(username="office"), User.objects.get(username="unit_wugang")
    wugang = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    bonus = BonusApplication.objects.create(
        plan=plan, unit=wugang, kind=BonusKind.AWARD, matter="获评省级法治政府建设示范项目", applied_by=unit_user
    )
    services_adjustments.bonus_application_decide(actor=office, plan=plan, application=bonus, approve=True)
    return plan


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_office_sets_up_result_use_and_shares_a_good_practice(browser, page, live_server, demo_with_bonus):
    plan = demo_with_bonus
    _login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{plan.pk}/results/uses/")
    assert "政绩考核" in page.inner_text("[data-testid=uses]")  # the demo's, from the 2020 plan
    page.fill("#id_name", "市委市政府中心工作考核")
    page.fill("#id_weight", "8")
    page.click("[data-testid=use-form] button[type=submit]")
    page.wait_for_selector("text=已添加结果运用：市委市政府中心工作考核")
    assert page.locator("[data-testid=use-row]").count() == 2
    shot(page, "70-result-use")

    page.goto(f"{live_server.url}/plans/{plan.pk}/practices/")
    # first the unit, then its 优 files and approved bonus matters
    unit_option = page.locator("#id_unit option", has_text="舞钢市人民政府")
    page.select_option("#id_unit", value=unit_option.get_attribute("value"))
    page.click("[data-testid=practice-unit-form] button[type=submit]")
    option = page.locator("#id_source option", has_text="获评省级法治政府建设示范项目")
    page.select_option("#id_source", value=option.get_attribute("value"))
    page.fill("#id_title", "以示范创建带动依法行政")
    page.fill("#id_note", "对照示范指标逐项整改，形成制度清单。")
    page.click("[data-testid=practice-form] button[type=submit]")
    page.wait_for_selector("text=已标为典型经验（待发布）")
    page.click("[data-testid=practice-publish]")
    page.wait_for_selector("text=已发布典型经验")
    shot(page, "71-practices-office")
    assert page.console_errors == []

    unit = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    _login(unit, live_server, "unit_sfj")
    unit.goto(f"{live_server.url}/plans/{plan.pk}/practices/")
    assert "以示范创建带动依法行政" in unit.inner_text("[data-testid=practice]")
    assert unit.locator("[data-testid=practice-form]").count() == 0
    shot(unit, "72-practices-unit")
