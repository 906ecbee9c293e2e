"""In Chromium: the office logs in, opens the demo plan and its trees; a unit sees only its own category.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_logs_in_and_opens_the_demo_plan(page, live_server, demo_plan):
    page.goto(f"{live_server.url}/accounts/login/")
    shot(page, "01-login")
    login(page, live_server, "office")
    assert "考核办" in page.inner_text("body")
    shot(page, "02-office-home")
    page.get_by_role("link", name=demo_plan.title, exact=True).first.click()  # not the small city's plan, if it is there
    page.wait_for_selector("[data-testid=category-table]")
    rows = page.locator("[data-testid=category-row]")
    assert rows.count() == 3
    counts = [rows.nth(i).locator("[data-testid=task-count]").inner_text() for i in range(3)]
    assert counts == ["105", "11", "96"]
    shot(page, "03-plan-overview")
    page.click("[data-testid=category-row] >> nth=2 >> text=查看指标")
    page.wait_for_selector("[data-testid=indicator-tree]")
    assert "条核对提示" in page.inner_text("[data-testid=tree-warnings]")
    # Collapsible: 二级 are closed until opened.
    first_task = page.locator("[data-testid=task-row]").first
    assert not first_task.is_visible()
    page.locator("details.level2 > summary").first.click()
    assert first_task.is_visible()
    shot(page, "04-tree-dept2")
    page.click("text=考核对象")
    page.wait_for_selector("[data-testid=unit-group]")
    assert page.locator("[data-testid=unit-row]").count() == 60
    shot(page, "05-units")
    page.click("text=考核主体")
    page.wait_for_selector("[data-testid=desk-list]")
    shot(page, "06-desks")
    assert page.console_errors == []


def test_unit_sees_only_its_category(page, live_server, demo_plan):
    login(page, live_server, "unit_wugang")
    page.get_by_role("link", name=demo_plan.title, exact=True).first.click()  # not the small city's plan, if it is there
    rows = page.locator("[data-testid=category-row]")
    assert rows.count() == 1
    assert "县区政府" in rows.first.inner_text()
    assert page.locator("text=导入").count() == 0
    shot(page, "07-unit-overview")
    response = page.goto(f"{live_server.url}/plans/{demo_plan.pk}/import/")
    assert response.status == 403
    assert "没有权限" in page.inner_text("body")
