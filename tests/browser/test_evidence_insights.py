"""In Chromium: the desk opens a submission's 材料分析 on the demo — the text read from each file, the near-duplicate of
another unit with both passages side by side, the document facts, the outside-year hint dismissed with a reason and
the annual report's coverage table; the unit itself may not open the page.

End-to-end: uses the demo plan (its evidence from kaohe/insights/demo.py, analysed when the demo is loaded).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "该通知为上年度迎检部署，已核实本年度另有工作要点，不作为本年度材料"


def _units_and_tasks(plan):
    """郏县 (the copy, the 2019 notice, the annual report), 宝丰县 (the original) and the two tasks of desk_yfxz."""
    from kaohe.insights import demo
    from kaohe.plans.models import Indicator, PlanUnit

    jiaxian = PlanUnit.objects.select_related("organisation").get(plan=plan, organisation__name="郏县人民政府")
    baofeng = PlanUnit.objects.get(plan=plan, organisation__name="宝丰县人民政府")
    tasks = {
        name: Indicator.objects.get(plan=plan, category_id=jiaxian.category_id, name=name, assessor__organisation__name=demo.DESK)
        for name in (demo.PLAN_TASK, demo.REPORT_TASK)
    }
    return jiaxian, baofeng, tasks[demo.PLAN_TASK], tasks[demo.REPORT_TASK]


def test_desk_reads_the_analysis_and_dismisses_a_hint(page, live_server, demo_plan):
    from kaohe.accounts.models import User
    from kaohe.insights.models import Hint

    jiaxian, baofeng, plan_task, report_task = _units_and_tasks(demo_plan)
    analysis_url = f"{live_server.url}/plans/{demo_plan.pk}/insights/{jiaxian.pk}/tasks/{plan_task.pk}/"

    # The desk's grid marks the cell with its open hints: the duplicate and the outside-year notice.
    login(page, live_server, "desk_yfxz")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evaluate/")
    marker = page.locator(f"form[id='cell-{jiaxian.pk}-{plan_task.pk}'] [data-testid=cell-hints]")
    assert marker.inner_text().strip() == "提示2"
    assert page.locator(f"form[id='cell-{baofeng.pk}-{plan_task.pk}'] [data-testid=cell-hints]").inner_text().strip() == "提示1"
    marker.scroll_into_view_if_needed()
    shot(page, "insights-01-grid-marker")

    # The task page links to 材料分析 as well; the marker leads there.
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evidence/{jiaxian.pk}/tasks/{plan_task.pk}/")
    assert (
        page.locator("[data-testid=insights-link]")
        .get_attribute("href")
        .endswith(f"/insights/{jiaxian.pk}/tasks/{plan_task.pk}/")
    )
    with page.expect_navigation():
        page.click("[data-testid=insights-link]")
    assert page.url == analysis_url
    assert "不影响评分" in page.inner_text("[data-testid=insights-disclaimer]")

    notice = page.locator("[data-testid=insights-version]", has_text="郏县2020年法治政府建设工作要点")
    # the text read from the .docx
    notice.locator("[data-testid=version-text] summary").click()
    text = notice.locator("[data-testid=version-text]").inner_text()
    assert "关于印发郏县2020年法治政府建设工作要点的通知" in text
    assert "全面推行行政执法公示制度" in text
    # the document facts
    assert notice.locator("[data-testid=fact-number]").inner_text() == "郏政办〔2020〕11号"
    assert notice.locator("[data-testid=fact-date]").inner_text() == "2020年4月2日"
    assert notice.locator("[data-testid=fact-organ]").inner_text() == "郏县人民政府办公室"
    # the near-duplicate: copied from 宝丰县's notice with the names changed, both passages side by side
    duplicate = notice.locator("[data-testid=hint][data-kind=duplicate]")
    assert "宝丰县人民政府" in duplicate.inner_text()
    assert "文字" in duplicate.inner_text() and "% 相同" in duplicate.inner_text()
    sides = duplicate.locator("[data-testid=hint-passages] > div")
    assert sides.count() == 2
    assert "本材料" in sides.nth(0).inner_text()
    assert "宝丰县人民政府" in sides.nth(1).inner_text()
    assert "宝丰县2020年法治政府建设工作要点（示例）.docx" in sides.nth(1).inner_text()
    own, other = (sides.nth(i).locator(".border").inner_text() for i in (0, 1))
    assert "严格规范公正文明执法" in own and "严格规范公正文明执法" in other
    shot(page, "insights-02-submission")

    # The 2019 notice: its facts and the outside-year hint, dismissed with a reason.
    old = page.locator("[data-testid=insights-version]", has_text="关于做好2019年度依法行政考核迎检工作的通知")
    assert old.locator("[data-testid=fact-number]").inner_text() == "郏政办〔2019〕15号"
    assert old.locator("[data-testid=fact-date]").inner_text() == "2019年11月20日"
    outside = old.locator("[data-testid=hint][data-kind=outside_year]")
    assert "早于考核期间" in outside.inner_text()
    # an empty reason is refused by the browser (required), nothing dismissed
    outside.locator("button[type=submit]").click()
    assert Hint.objects.filter(kind=Hint.Kind.OUTSIDE_YEAR, dismissed_at__isnull=False).count() == 0
    outside.locator("input[name=reason]").fill(REASON)
    with page.expect_navigation():
        outside.locator("button[type=submit]").click()
    assert "已排除该提示" in page.inner_text("body")
    assert page.locator("[data-testid=hint][data-kind=outside_year]").count() == 0
    dismissed = page.locator("[data-testid=dismissed-hint]")
    assert dismissed.count() == 1
    desk = User.objects.get(username="desk_yfxz")
    assert REASON in dismissed.inner_text() and desk.display_name in dismissed.inner_text()
    assert "已排除的提示（1）" in page.inner_text("body")
    hint = Hint.objects.get(kind=Hint.Kind.OUTSIDE_YEAR)
    assert hint.dismiss_reason == REASON
    shot(page, "insights-03-dismissed")

    # Back on the grid the cell counts one open hint.
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evaluate/")
    assert page.locator(f"form[id='cell-{jiaxian.pk}-{plan_task.pk}'] [data-testid=cell-hints]").inner_text().strip() == "提示1"

    # The report task: the annual report's coverage table.
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/insights/{jiaxian.pk}/tasks/{report_task.pk}/")
    report = page.locator("[data-testid=insights-version]", has_text="郏县2019年度法治政府建设工作报告")
    assert report.locator("[data-testid=fact-number]").inner_text() == "郏政〔2020〕9号"
    report.locator("[data-testid=report-coverage] summary").click()
    parts = report.locator("[data-testid=coverage-part]")
    assert parts.count() >= 8
    table = report.locator("[data-testid=report-coverage]").inner_text()
    assert "存在的问题" in table or "存在问题" in table
    assert "部分乡镇执法人员力量薄弱" in table
    shot(page, "insights-04-report-coverage")

    # 搜索材料文字 finds both notices by their words.
    page.click("text=搜索材料文字")
    page.fill("[data-testid=text-search-form] input[name=q]", "法治政府建设工作要点")
    with page.expect_navigation():
        page.press("[data-testid=text-search-form] input[name=q]", "Enter")
    assert "找到 2 个文件" in page.inner_text("body")
    assert "宝政办〔2020〕8号" in page.inner_text("body") and "郏政办〔2020〕11号" in page.inner_text("body")
    assert page.console_errors == []


def test_the_unit_cannot_open_its_own_analysis(page, live_server, demo_plan):
    from kaohe.organisations.roles import Role
    from tests.factories import UserFactory

    jiaxian, _, plan_task, _ = _units_and_tasks(demo_plan)
    UserFactory(username="unit_jiaxian", display_name="郏县测试用户", memberships=[(jiaxian.organisation, Role.UNIT)])
    login(page, live_server, "unit_jiaxian")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evidence/{jiaxian.pk}/tasks/{plan_task.pk}/")
    assert "郏县2020年法治政府建设工作要点（示例）.docx" in page.inner_text("body")  # its own files
    assert page.locator("[data-testid=insights-link]").count() == 0
    response = page.goto(f"{live_server.url}/plans/{demo_plan.pk}/insights/{jiaxian.pk}/tasks/{plan_task.pk}/")
    assert response.status == 403
    assert "宝丰县" not in page.inner_text("body")
    shot(page, "insights-05-unit-forbidden")
