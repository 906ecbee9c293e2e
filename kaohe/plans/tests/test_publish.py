"""Publishing a plan: blocked by missing tables, warnings need explicit acceptance, then frozen."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans import services
from kaohe.plans.models import Plan, PlanImport
from kaohe.plans.tests.excel_factories import annex4_table, sheet, task_row, wide_table

# The city's tables in small: 附件1 (units), 附件2 (desks), and three indicator tables. 县区政府 adds up; 部门1 is the
# 附件4 layout with 10 of its 100 points; 部门2 states 13 and 2.5 points over a 1-point task: both carry warnings.
UNITS = sheet(
    ["附件1"],
    ["序号", "考核对象类别", "单位名称"],
    [1, "县区政府", "舞钢市人民政府"],
    [2, "部门1", "市委网信办"],
    [3, "部门2", "市司法局"],
)
DESKS = sheet(
    ["附件2"],
    ["序号", "单位", "联系人", "联系电话", "联系地址", "督导平台登录账号"],
    ["01", "市司法局依法行政指导科", "联系人01", None, "市司法局310房间", None],
    ["02", "市财政局", "联系人02", None, "财政大楼201房间", None],
)
COUNTY = wide_table(task_row(level1="一、依法全面履行政府职能1分", level2="规范行政权力运行1分", assessor="市财政局"))
DEPT2 = wide_table(task_row(assessor="市司法局依法行政指导科"))


def _plan(personas, plan, title="2021年度依法行政考核"):
    return services.plan_create(
        actor=personas.office,
        organiser=plan.organiser,
        year=2021,
        title=title,
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )


def _import(personas, plan, kind, data, filename, category="", full_score=None):
    record = services.plan_import_upload(
        actor=personas.office,
        plan=plan,
        kind=kind,
        data=data,
        original_name=filename,
        category_name=category,
        full_score=full_score,
    )
    return services.plan_import_apply(actor=personas.office, plan_import=record, accept_warnings=True)


def test_empty_plan_cannot_be_published(personas, plan):
    plan = _plan(personas, plan)
    client = personas.client(personas.office)
    page = client.get(reverse("plans:publish", args=[plan.pk])).content.decode()
    assert "还没有考核对象类别和指标体系" in page
    client.post(reverse("plans:publish", args=[plan.pk]), {"accept_warnings": "on"})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_publication_needs_the_warnings_accepted_and_freezes_the_plan(personas, plan):
    from decimal import Decimal

    plan = _plan(personas, plan)
    _import(personas, plan, PlanImport.Kind.UNITS, UNITS, "units.xlsx")
    _import(personas, plan, PlanImport.Kind.DESKS, DESKS, "assessors.xlsx")
    for data, category, full_score in (
        (COUNTY, "县区政府", Decimal(1)),
        (annex4_table(), "部门1", Decimal(100)),
        (DEPT2, "部门2", Decimal(100)),
    ):
        _import(personas, plan, PlanImport.Kind.INDICATORS, data, f"{category}.xlsx", category, full_score)
    client = personas.client(personas.office)
    url = reverse("plans:publish", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "【部门2】" in page and "【部门1】" in page and "【县区政府】" not in page
    client.post(url)  # warnings not accepted
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
    # Other roles cannot publish a draft (they cannot even see it).
    assert personas.client(personas.unit).post(url, {"accept_warnings": "on"}).status_code == 404
    response = client.post(url, {"accept_warnings": "on"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED
    event = AuditEvent.objects.filter(action="plan.publish", plan_id=plan.pk).get()
    assert any("部门2" in w for w in event.after["accepted_warnings"])
    # Frozen: another import is refused; publishing again is refused.
    assert client.get(reverse("plans:publish", args=[plan.pk])).status_code == 403
    record = services.plan_import_upload
    try:
        record(
            actor=personas.office,
            plan=plan,
            kind=PlanImport.Kind.UNITS,
            data=UNITS,
            original_name="u.xlsx",
        )
    except services.ImportRejected as exc:
        assert "已冻结" in exc.message
    else:
        raise AssertionError("import into a published plan was accepted")
    # Now the units and desks of the new plan see it.
    assert personas.client(personas.unit).get(reverse("plans:detail", args=[plan.pk])).status_code == 200
