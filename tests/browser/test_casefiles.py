"""In Chromium: the office samples case files and assigns them; a reviewer scores one and submits it.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_samples_and_reviewer_scores(page, live_server, demo_casefiles):
    from kaohe.inspections.casefiles.models import SampledFile

    base = f"{live_server.url}/plans/{demo_casefiles.pk}/case-files"
    login(page, live_server, "office")
    page.goto(f"{base}/office/")
    page.fill("#id_requested", "3")
    page.click("[data-testid=sample-form] button[type=submit]")
    page.wait_for_selector("[data-testid=sampled-file]")
    assert "已为 6 个考核对象抽取 18 卷案卷" in page.content()
    page.locator("[data-testid=replay]").first.click()
    page.wait_for_selector(".alert-success")
    assert "一致" in page.inner_text(".alert-success")
    shot(page, "70-casefiles-office-sampling")

    page.goto(f"{base}/panel/")
    for _ in range(2):
        page.select_option("#id_membership", index=1)
        page.click("[data-testid=reviewer-add-form] button[type=submit]")
        page.wait_for_selector(".alert-success")
    page.click("[data-testid=assign-auto]")
    page.wait_for_selector(".alert-success")
    assert "已自动分配 18 卷案卷" in page.content()
    shot(page, "71-casefiles-panel")

    login(page, live_server, "reviewer_a")
    page.goto(f"{base}/reviews/")
    page.locator("[data-testid=assigned-row] a").first.click()
    page.wait_for_selector("[data-testid=review-form]")
    rows = page.locator("[data-testid=review-row]")
    rows.nth(0).locator("input").fill("3")
    rows.nth(0).locator("textarea").fill("执法人员执法证号未记载")
    rows.nth(3).locator("input").fill("5.5")
    rows.nth(3).locator("textarea").fill("未告知陈述、申辩权利")
    page.fill("#overall_comment", "案卷总体规范，程序存在瑕疵。")
    shot(page, "72-casefiles-reviewer-scoring")
    page.click("[data-testid=submit]")
    # 提交后不能再修改: a dialog says so first
    assert "不能再修改" in page.inner_text("[data-testid=confirm-dialog]")
    page.click("[data-testid=confirm-ok]")
    page.wait_for_selector("[data-testid=assigned-table]")
    assert "91.50 分" in page.content()
    assert SampledFile.objects.filter(plan=demo_casefiles, status=SampledFile.Status.SUBMITTED).count() == 1
    assert page.console_errors == []

    login(page, live_server, "unit_wugang")
    page.goto(f"{base}/")
    page.wait_for_selector("[data-testid=file-table]")
    assert page.locator("[data-testid=file-row]").count() == 10  # 5 执法, 2 复议, 2 规范性文件, 1 重大行政决策
    assert "已抽取本单位案卷" in page.inner_text("[data-testid=locked]")
    shot(page, "73-casefiles-unit-list")
