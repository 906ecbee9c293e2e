"""In Chromium: the unit reports on a rectification item, the office sends it back, then accepts the new report.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_unit_reports_and_office_decides(page, live_server, demo_plan):
    from kaohe.accounts.models import User
    from kaohe.plans.constants import Level
    from kaohe.plans.models import Indicator, PlanUnit
    from kaohe.reviews import services
    from kaohe.reviews.models import RectificationItem

    office = User.objects.get(username="office")
    wugang = PlanUnit.objects.get(plan=demo_plan, organisation__name="舞钢市人民政府")
    sfj = PlanUnit.objects.get(plan=demo_plan, organisation__name="市司法局")
    tasks = list(Indicator.objects.filter(plan=demo_plan, category=wugang.category, level=Level.TASK).order_by("order")[:2])
    for unit, task, text in (
        (wugang, tasks[0], "证明事项清理不彻底，部分证明事项未公布清单"),
        (wugang, tasks[1], "行政许可事项目录未按要求动态调整"),
        (wugang, None, "法治政府建设年度报告未按时向社会公开"),
        (sfj, None, "行政复议案件办理超过法定期限"),
    ):
        services.feedback_problem_add(actor=office, plan=demo_plan, unit=unit, task=task, text=text)
    services.feedback_release(actor=office, plan=demo_plan, units=[wugang, sfj])

    login(page, live_server, "unit_wugang")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/rectification/")
    page.wait_for_selector("[data-testid=item-row]")
    assert page.locator("[data-testid=item-row]").count() == 3
    form = page.locator("[data-testid=report-form]").first
    form.locator("textarea[name=text]").fill("已对证明事项逐项清理，保留事项清单已于 2021 年 3 月在政府网站公布。")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success, [role=alert]")
    assert "已报送整改情况" in page.content()
    shot(page, "60-rectification-unit")

    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/rectification/office/")
    row = page.locator("[data-testid=decide-form]").first
    row.locator("textarea[name=reason]").fill("请补充网站公布页面截图")
    row.locator("button[value=return]").click()
    page.wait_for_selector("[data-testid=counts]")
    assert "已退回" in page.content()
    shot(page, "61-rectification-office")
    item = RectificationItem.objects.get(text__startswith="证明事项清理")
    assert item.status == RectificationItem.Status.RETURNED

    # Copy into 2021: the open items carry into the new draft plan, whose 整改 page lists them.
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/copy/")
    shot(page, "62-plan-copy")
    page.click("text=复制为 2021 年度方案")
    page.wait_for_selector("[data-testid=plan-title]")
    assert "平顶山市2021年度依法行政考核" in page.inner_text("[data-testid=plan-title]")
    item.refresh_from_db()
    assert item.carried_to_plan is not None and item.carried_task is not None
    page.goto(f"{live_server.url}/plans/{item.carried_to_plan_id}/rectification/office/")
    assert page.locator("[data-testid=item-row]").count() == 4
    shot(page, "63-rectification-carried")
    assert page.console_errors == []
