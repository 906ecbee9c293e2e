"""In Chromium: the office edits a draft's indicator tree — adds a task, moves it up, marks one 明年考核."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot
from tests.browser.test_office_opens_demo_plan import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def draft(transactional_db):
    from kaohe.accounts.models import User
    from kaohe.plans.copy import plan_copy
    from kaohe.plans.demo import load_demo

    plan = load_demo()
    return plan_copy(actor=User.objects.get(username="office"), plan=plan, title="平顶山市2021年度依法行政考核")


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
