"""Publishing a plan: blocked by missing tables, warnings need explicit acceptance, then frozen."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.demo.loader import DATA_DIR
from kaohe.plans import services
from kaohe.plans.models import Plan, PlanImport


def _plan(personas, demo_plan, title="2021年度依法行政考核"):
    return services.plan_create(
        actor=personas.office,
        organiser=demo_plan.organiser,
        year=2021,
        title=title,
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )


def _import(personas, plan, kind, filename, category="", full_score=None):
    record = services.plan_import_upload(
        actor=personas.office,
        plan=plan,
        kind=kind,
        data=(DATA_DIR / filename).read_bytes(),
        original_name=filename,
        category_name=category,
        full_score=full_score,
    )
    return services.plan_import_apply(actor=personas.office, plan_import=record, accept_warnings=True)


def test_empty_plan_cannot_be_published(personas, demo_plan):
    plan = _plan(personas, demo_plan)
    client = personas.client(personas.office)
    page = client.get(reverse("plans:publish", args=[plan.pk])).content.decode()
    assert "还没有考核对象类别和指标体系" in page
    client.post(reverse("plans:publish", args=[plan.pk]), {"accept_warnings": "on"})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_publication_needs_the_warnings_accepted_and_freezes_the_plan(personas, demo_plan):
    from decimal import Decimal

    plan = _plan(personas, demo_plan)
    _import(personas, plan, PlanImport.Kind.UNITS, "units.xlsx")
    _import(personas, plan, PlanImport.Kind.ASSESSORS, "assessors.xlsx")
    for filename, category in (
        ("indicators-county.xlsx", "县区政府"),
        ("indicators-dept1.xlsx", "部门1"),
        ("indicators-dept2.xlsx", "部门2"),
    ):
        _import(personas, plan, PlanImport.Kind.INDICATORS, filename, category, Decimal(100))
    client = personas.client(personas.office)
    url = reverse("plans:publish", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "【部门2】" in page and "【部门1】" in page
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
            data=(DATA_DIR / "units.xlsx").read_bytes(),
            original_name="u.xlsx",
        )
    except services.ImportRejected as exc:
        assert "已冻结" in exc.message
    else:
        raise AssertionError("import into a published plan was accepted")
    # Now the units and desks of the new plan see it.
    assert personas.client(personas.unit).get(reverse("plans:detail", args=[plan.pk])).status_code == 200
