"""In Chromium: the office uploads another city's indicator table, sees how each column was read, changes one
and confirms (screenshots 20-23 in var/screenshots/).

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS = Path(__file__).resolve().parents[2] / "kaohe" / "plans" / "tests" / "corpus"


@pytest.fixture
def draft(demo_plan):
    import datetime as dt

    from django.contrib.auth import get_user_model

    from kaohe.plans import services

    office = get_user_model().objects.get(username="office")
    return services.plan_create(
        actor=office,
        organiser=demo_plan.organiser,
        year=2021,
        title="2021年度依法行政考核（导入演示）",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )


def test_office_imports_another_citys_table(page, live_server, draft):
    from kaohe.plans.models import Indicator, PlanImport

    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{draft.pk}/import/")
    page.select_option("#id_kind", "indicators")
    page.set_input_files("#id_file", str(CORPUS / "zhengzhou-2020-level1-points.xlsx"))
    page.fill("#id_category_name", "郑州式")
    page.fill("#id_full_score", "16")
    shot(page, "20-import-other-layout-upload")
    page.click("text=上传并检查")
    page.wait_for_url(re.compile(r".*/import/\d+/$"))
    shot(page, "21-import-other-layout-preview")
    body = page.inner_text("body")
    assert "“考核项目”列按一级指标读取" in body
    assert "是其3项工作任务的合计" in body
    page.check("input[name=distribute]")
    page.click('button:has-text("按此读法重新读取")')
    page.wait_for_selector("[data-testid=import-distributed]")
    shot(page, "22-import-other-layout-shared-out")
    page.check("#id_accept_warnings")
    page.click('button:has-text("确认导入")')
    page.wait_for_url(re.compile(rf".*/plans/{draft.pk}/$"))
    shot(page, "23-import-other-layout-applied")
    record = PlanImport.objects.get(plan=draft, category_name="郑州式")
    assert record.status == PlanImport.Status.APPLIED
    points = list(
        Indicator.objects.filter(plan=draft, category__name="郑州式", level=3).order_by("order").values_list("points", flat=True)
    )
    assert [str(p) for p in points] == ["3.33", "3.33", "3.34", "3.00", "3.00"]
    assert page.console_errors == []
