"""In Chromium: the office edits a draft's indicator tree — adds a task, moves it up, marks one 明年考核.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, login, shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def draft(demo_plan):
    from kaohe.accounts.models import User
    from kaohe.plans.copy import plan_copy

    return plan_copy(actor=User.objects.get(username="office"), plan=demo_plan, title="平顶山市2021年度依法行政考核")


def test_office_edits_the_tree_of_a_draft(page, live_server, draft):
    from kaohe.plans.models import Category, Indicator

    category = Category.objects.get(plan=draft, name="县区政府")
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{draft.pk}/categories/{category.pk}/")
    page.click("[data-testid=edit-tree]")
    page.wait_for_selector("[data-testid=tree-editor]")
    assert "本年度工作任务合计" in page.inner_text("[data-testid=tree-sums]")
    shot(page, "tree-editor-01-draft")

    level2 = Indicator.objects.get(category=category, code="1.1")
    page.goto(f"{live_server.url}/plans/{draft.pk}/categories/{category.pk}/edit/add?level=3&parent={level2.pk}")
    page.fill("#id_name", "新增：年度依法行政工作总结")
    page.fill("#id_points", "2")
    page.select_option("#id_method", "submission")
    shot(page, "tree-editor-02-add-task")
    page.click("[data-testid=indicator-form] button[type=submit]")
    page.wait_for_selector("[data-testid=tree-editor]")
    new = Indicator.objects.get(category=category, name="新增：年度依法行政工作总结")
    old_code = new.code
    row = page.locator(f"[data-testid=edit-row][data-code='{new.code}']")
    row.get_by_role("button", name=f"上移 {new.code}").click()
    page.wait_for_selector("[data-testid=tree-editor]")
    new.refresh_from_db()
    assert int(new.code.rsplit(".", 1)[1]) == int(old_code.rsplit(".", 1)[1]) - 1
    warnings = page.inner_text("[data-testid=tree-warnings]")
    assert "写明" in warnings and "所属工作任务合计" in warnings  # the importer's warnings beside the tree
    shot(page, "tree-editor-03-after-add-and-move")
    assert page.console_errors == []


def test_office_changes_points_after_publication_and_the_desk_sees_the_flag(page, live_server, demo_plan):
    from kaohe.accounts.models import User
    from kaohe.plans.constants import Level, Method
    from kaohe.plans.models import Indicator, PlanUnit
    from kaohe.scoring import services as scoring

    plan = demo_plan
    desk = User.objects.get(username="desk_yfxz")
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    task = (
        Indicator.objects.filter(
            plan=plan,
            category=unit.category,
            level=Level.TASK,
            method=Method.SUBMISSION,
            assessor__organisation__name="市司法局依法行政指导科",
        )
        .order_by("order")
        .first()
    )
    scoring.evaluation_record(actor=desk, plan=plan, unit=unit, task=task, grade="good", reason="材料不全", expected_version=None)
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{plan.pk}/categories/{unit.category_id}/edit/")
    assert "每项修改须填写修改理由" in page.inner_text("[data-testid=tree-published]")
    page.goto(f"{live_server.url}/plans/{plan.pk}/categories/{unit.category_id}/edit/{task.pk}/")
    assert task.points is not None
    page.fill("#id_points", str(task.points + 1))
    page.click("[data-testid=indicator-form] button[type=submit]")
    assert "方案已发布，修改指标须填写修改理由" in page.inner_text("body")
    page.fill("#id_reason", "按领导小组意见调整分值")
    shot(page, "tree-editor-04-published-reason")
    page.click("[data-testid=indicator-form] button[type=submit]")
    page.wait_for_selector("[data-testid=tree-editor]")
    login(page, live_server, "desk_yfxz")
    page.goto(f"{live_server.url}/plans/{plan.pk}/evaluate/?category={unit.category_id}")
    page.wait_for_selector("[data-testid=cell-points-changed]")
    cell = page.locator("form:has([data-testid=cell-points-changed])")
    cell.scroll_into_view_if_needed()
    assert "分值已变更，请确认" in cell.inner_text()
    shot(page, "tree-editor-05-desk-grid-flag")
    cell.screenshot(path=str(SCREENSHOTS / "tree-editor-06-desk-cell-flag.png"))
    # the refused save without a reason answers 400 (the form with its message); nothing else failed
    assert all("400" in e for e in page.console_errors)
