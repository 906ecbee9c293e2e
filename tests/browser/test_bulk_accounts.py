"""In Chromium: the system administrator imports a people list, checks the preview, confirms, and prints the
initial-password sheet once; a second visit says it was handed out.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_sysadmin_imports_people_and_prints_the_sheet(page, live_server, demo_plan, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "登录账号", "所属单位", "角色", "手机"])
    sheet.append(["王一", "wg_wangyi", "舞钢市人民政府", "考核对象", "13800000001"])
    sheet.append(["赵二", "yfxz_zhaoer", "市司法局依法行政指导科", "考核主体", ""])
    path = tmp_path / "人员名单.xlsx"
    book.save(path)

    login(page, live_server, "sysadmin")
    page.goto(f"{live_server.url}/accounts/users/import")
    page.set_input_files("input[name=file]", str(path))
    page.click("text=上传并检查")
    page.wait_for_selector("[data-testid=new-accounts]")
    shot(page, "bulk-accounts-01-preview")
    page.click("text=确认导入")
    page.wait_for_selector("[data-testid=password-sheet]")
    assert "wg_wangyi" in page.inner_text("[data-testid=password-sheet]")
    shot(page, "bulk-accounts-02-sheet")
    page.emulate_media(media="print")
    shot(page, "bulk-accounts-03-sheet-print")
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/accounts/users/passwords/")
    page.wait_for_selector("[data-testid=sheet-handed-out]")
    shot(page, "bulk-accounts-04-handed-out")
    assert page.console_errors == []
