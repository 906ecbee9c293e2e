"""In Chromium: a unit uploads evidence (drag-and-drop script path), a desk finds it, previews it, returns it.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PDF, login, shot, wugang_upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("demo_day")]


def test_unit_uploads_and_desk_returns(page, new_page, live_server, demo_plan, tmp_path):
    from kaohe.submissions.models import EvidenceFile, Submission

    unit, task = wugang_upload(demo_plan)
    report = tmp_path / "工作总结.pdf"
    report.write_bytes(PDF)
    fake = tmp_path / "伪装.pdf"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")

    login(page, live_server, "unit_wugang")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evidence/")
    # The demo's 舞钢 has filed only its 事件触发报送 materials; this task is still empty.
    assert "已报送" in page.inner_text("[data-testid=workspace-progress]")
    assert not Submission.objects.filter(unit=unit, task=task).exclude(status=Submission.Status.EMPTY).exists()
    shot(page, "10-unit-workspace")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evidence/{unit.pk}/tasks/{task.pk}/")
    page.set_input_files("#id_files", [str(report), str(fake)])
    page.click("[data-upload-submit]")
    page.wait_for_selector("text=✓ 已上传")
    page.wait_for_selector("text=✗")
    shot(page, "11-unit-upload-results")
    page.wait_for_selector("[data-testid=file-row]")  # the page reloads with the stored file
    assert page.locator("[data-testid=file-row]").count() == 1
    assert EvidenceFile.objects.filter(submission__unit=unit, submission__task=task).count() == 1
    shot(page, "12-unit-task-after-upload")

    desk = new_page()
    login(desk, live_server, "desk_yfxz")
    desk.goto(f"{live_server.url}/plans/{demo_plan.pk}/evidence/queue/?status=submitted")
    # the demo's 材料分析 files (kaohe/insights/demo.py) are other units' submissions in the same queue
    row = desk.locator("[data-testid=queue-row]", has_text=unit.organisation.name)
    assert row.count() == 1 and task.code in row.inner_text()
    shot(desk, "13-desk-queue")
    row.locator("text=查看").click()
    desk.wait_for_selector("[data-testid=file-row]")
    preview = desk.locator("[data-testid=file-row] >> text=预览").get_attribute("href")
    assert desk.request.get(f"{live_server.url}{preview}").headers["content-type"] == "application/pdf"
    desk.fill("#id_reason", "缺少《证明事项清理意见表》")
    desk.fill("#id_due_date", "2021-01-08")
    shot(desk, "14-desk-task")
    with desk.expect_navigation():
        desk.click("button:has-text('退回补充')")
    if not desk.locator("[data-testid=return-notice]").count():
        shot(desk, "14b-desk-after-return-FAILED")
        raise AssertionError(desk.inner_text("body")[:2000])
    assert Submission.objects.get(unit=unit, task=task).status == Submission.Status.RETURNED

    page.goto(f"{live_server.url}/")
    assert "退回补充" in page.inner_text("[data-testid=notifications]")
    shot(page, "15-unit-home-notification")

    office = new_page()
    login(office, live_server, "office")
    office.goto(f"{live_server.url}/plans/{demo_plan.pk}/evidence/overview/")
    assert office.locator("[data-testid=matrix-row]").count() == 57
    shot(office, "16-office-overview")
