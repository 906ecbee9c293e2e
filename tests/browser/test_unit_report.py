"""In Chromium: the unit submits its formal 整改情况报告, the office returns it, the unit resubmits, the office accepts.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import PDF, login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def _fill_and_submit(page, tmp_path, doc_number: str, file_name: str) -> None:
    from django.utils import timezone

    path = tmp_path / file_name
    path.write_bytes(PDF)
    form = page.locator("[data-testid=unit-report-form]")
    form.locator("input[name=doc_number]").fill(doc_number)
    form.locator("input[name=doc_date]").fill((timezone.localdate() - dt.timedelta(days=2)).isoformat())
    form.locator("input[name=signer_name]").fill("张三")
    form.locator("input[name=signer_post]").fill("市长")
    form.locator("input[name=file]").set_input_files(str(path))
    form.locator("input[name=leader_reviewed]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success, [role=alert]")


def test_unit_submits_its_report_office_returns_then_accepts(page, live_server, demo_plan, tmp_path):
    from django.utils import timezone

    from kaohe.accounts.models import User
    from kaohe.reviews import services_rectification
    from kaohe.reviews.models import UnitReport

    office = User.objects.get(username="office")
    # A due date still ahead, so the pages show an ordinary cycle (the demo's own 2021-05-31 is long past).
    services_rectification.rectification_setting_set(
        actor=office, plan=demo_plan, due_date=timezone.localdate() + dt.timedelta(days=30)
    )

    login(page, live_server, "unit_wugang")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/rectification/")
    page.wait_for_selector("[data-testid=unit-report-form]")
    shot(page, "65-unit-report-unit-empty")
    _fill_and_submit(page, tmp_path, "舞政〔2021〕12号", "舞钢市人民政府关于整改情况的报告.pdf")
    assert "已提交整改情况报告（第1版）" in page.content()
    shot(page, "66-unit-report-unit-submitted")

    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/rectification/unit-reports/")
    page.wait_for_selector("[data-testid=unit-report-decide]")
    form = page.locator("[data-testid=unit-report-decide]")
    form.locator("textarea[name=reason]").fill("未逐项说明整改措施，请补充后重新提交")
    form.locator("button[value=return]").click()
    page.wait_for_selector("[data-testid=counts]")
    assert "已退回" in page.content()
    shot(page, "67-unit-report-office-returned")

    login(page, live_server, "unit_wugang")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/rectification/")
    assert "未逐项说明整改措施" in page.content()
    _fill_and_submit(page, tmp_path, "舞政〔2021〕15号", "整改情况报告（修改稿）.pdf")
    assert "第2版" in page.content()

    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/rectification/unit-reports/?state=submitted")
    page.locator("[data-testid=unit-report-decide] button[value=accept]").click()
    page.wait_for_selector("[data-testid=counts]")
    shot(page, "68-unit-report-office-accepted")
    report = UnitReport.objects.get(plan=demo_plan, unit__organisation__name="舞钢市人民政府")
    assert report.status == UnitReport.Status.ACCEPTED and report.versions.count() == 2
    assert not page.console_errors
