"""结果运用: receiving assessments per plan, their export of the published results only, audited; wrong people."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kaohe.core.models import AuditEvent
from kaohe.plans.models import PlanUnit
from kaohe.results import selectors, services, services_use
from kaohe.results.models_use import ResultUse
from kaohe.results.selectors_use import weighted_points
from kaohe.results.tests.conftest import grade, tasks_of


@pytest.mark.parametrize(
    ("final", "full", "total", "weight", "expected"),
    [
        ("92.50", "100", "100", "10", "9.25"),
        ("91.25", "100", "100", "10", "9.13"),  # 9.125: half-up, not half-even (9.12)
        ("88.35", "100", "100", "12.5", "11.04"),  # 11.04375
        ("87.50", "95", "100", "10", "9.21"),  # converted to the full score first: 9.2105…
        ("100", "100", "1000", "15", "150.00"),
        ("80", "100", "100", "0", "0.00"),
    ],
)
def test_weighted_points_exact_and_half_up(final, full, total, weight, expected):
    assert weighted_points(Decimal(final), Decimal(full), Decimal(total), Decimal(weight)) == Decimal(expected)


@pytest.fixture
def all_graded(plan, personas):
    for k, unit in enumerate(PlanUnit.objects.filter(plan=plan).select_related("category").order_by("pk")):
        biggest = max(tasks_of(unit), key=lambda t: t.points or 0)
        grade(plan, unit, personas.office, scores={biggest.code: (biggest.points or Decimal(0)) - Decimal(k) * Decimal("0.25")})
    return plan


def _publish(plan, office):
    snapshot = services.results_compute(actor=office, plan=plan, missing_policy="report")
    release = services.release_start(
        actor=office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=3)
    )
    services.consultation_close(actor=office, plan=plan, release=release)
    services.release_approve(
        actor=office, plan=plan, release=release, approved_by="领导小组会议", approved_on=timezone.localdate()
    )
    return services.release_publish(actor=office, plan=plan, release=release)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_office_sets_up_uses_and_exports_the_published_results_only(personas, all_graded):
    plan = all_graded
    office = personas.client(personas.office)
    page = reverse("results:uses", args=[plan.pk])
    assert "考核结果尚未公布" in office.get(page).content.decode()

    response = office.post(
        page, {"name": "政绩考核", "weight": "12.5", "total_points": "100", "columns": ["unit", "score", "weighted"]}
    )
    assert response.status_code == 302
    use = ResultUse.objects.get(plan=plan)
    assert use.columns == ["unit", "score", "weighted"] and use.weight == Decimal("12.5")
    assert AuditEvent.objects.filter(action="results.use_add", plan_id=plan.pk).count() == 1
    export = reverse("results:use_export", args=[plan.pk, use.pk])

    # Computed but not published: nothing leaves, nothing is recorded.
    services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    refused = office.get(export)
    assert refused.status_code == 302
    assert "考核结果尚未公布：结果运用只导出已公布的结果" in _messages(refused)
    assert not AuditEvent.objects.filter(action="results.use_export").exists()

    publication = _publish(plan, personas.office)
    assert "导出依据" in office.get(page).content.decode()
    response = office.get(export)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    header = rows.index(("考核对象", "最终得分", "折算分值"))
    body = rows[header + 1 :]
    tables = selectors.all_category_tables(
        *type(publication.snapshot).objects.filter(pk=publication.snapshot_id).values_list("data", "inputs").get()
    )
    expected = [
        (r.name, Decimal(r.final), weighted_points(Decimal(r.final), Decimal(t.full_score), Decimal(100), Decimal("12.5")))
        for t in tables
        for r in t.rows
    ]
    assert [(name, Decimal(str(score)), Decimal(str(points))) for name, score, points in body] == expected
    event = AuditEvent.objects.get(action="results.use_export")
    assert event.actor_id == personas.office.pk and event.plan_id == plan.pk and event.after["name"] == "政绩考核"

    # Withdrawn publication: no export until the results are published again.
    services.release_reopen(actor=personas.office, plan=plan, release=publication.release, reason="更正一项评价")
    assert office.get(export).status_code == 302
    assert AuditEvent.objects.filter(action="results.use_export").count() == 1

    # Removal is audited.
    assert office.post(reverse("results:use_remove", args=[plan.pk, use.pk])).status_code == 302
    assert not ResultUse.objects.filter(plan=plan).exists()
    assert AuditEvent.objects.filter(action="results.use_remove").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "weight": "10", "total_points": "100"}, "请填写接收考核的名称"),
        ({"name": "政绩考核", "weight": "", "total_points": "100"}, "请填写权重"),
        ({"name": "政绩考核", "weight": "十", "total_points": "100"}, "权重应为数字，如 10 或 12.5"),
        ({"name": "政绩考核", "weight": "120", "total_points": "100"}, "权重不能大于 100"),
        ({"name": "政绩考核", "weight": "-1", "total_points": "100"}, "权重不能小于 0"),
        ({"name": "政绩考核", "weight": "10.125", "total_points": "100"}, "权重最多保留两位小数"),
        ({"name": "政绩考核", "weight": "10", "total_points": "0"}, "总分值应大于 0"),
        ({"name": "政绩考核", "weight": "10", "total_points": "100", "columns": ["secret"]}, "导出列不正确"),
        ({"name": "x" * 101, "weight": "10", "total_points": "100"}, "接收考核的名称不超过 100 个字"),
    ],
)
def test_bad_input_is_refused_in_chinese(personas, plan, data, message):
    response = personas.client(personas.office).post(reverse("results:uses", args=[plan.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ResultUse.objects.filter(plan=plan).exists()


def test_a_name_is_used_once_per_plan_and_the_service_checks_again(personas, plan):
    office = personas.client(personas.office)
    page = reverse("results:uses", args=[plan.pk])
    data = {"name": "市委市政府中心工作考核", "weight": "10", "total_points": "100"}
    assert office.post(page, data).status_code == 302
    again = office.post(page, data)
    assert again.status_code == 400 and "已有名为“市委市政府中心工作考核”的结果运用" in again.content.decode()
    with pytest.raises(ValidationError, match="权重应在 0 至 100 之间"):
        services_use.result_use_create(
            actor=personas.office, plan=plan, name="其他", weight=Decimal(101), total_points=Decimal(100), columns=[]
        )
    # 考核对象 is always exported, first of the chosen columns.
    assert ResultUse.objects.get(plan=plan).columns == ["unit"]


def test_wrong_people_get_403_or_404_and_see_nothing(personas, all_graded):
    plan = all_graded
    use = services_use.result_use_create(
        actor=personas.office, plan=plan, name="政绩考核", weight=Decimal(10), total_points=Decimal(100), columns=[]
    )
    _publish(plan, personas.office)
    urls = [
        ("get", reverse("results:uses", args=[plan.pk])),
        ("post", reverse("results:uses", args=[plan.pk])),
        ("get", reverse("results:use_export", args=[plan.pk, use.pk])),
        ("post", reverse("results:use_remove", args=[plan.pk, use.pk])),
    ]
    for persona in (personas.desk, personas.unit, personas.viewer):
        client = personas.client(persona)
        for method, url in urls:
            response = getattr(client, method)(
                url, {"name": "偷改", "weight": "99", "total_points": "100"} if method == "post" else None
            )
            assert response.status_code == 403, (persona, url)
            assert "政绩考核" not in response.content.decode()
    outsider = personas.client(personas.other_office)
    for method, url in urls:
        assert getattr(outsider, method)(url).status_code == 404, url
    office = personas.client(personas.office)
    assert office.get(reverse("results:use_export", args=[plan.pk, 999999])).status_code == 404
    assert ResultUse.objects.filter(plan=plan).count() == 1
    assert not AuditEvent.objects.filter(action="results.use_export").exists()
    with pytest.raises(PermissionDenied):
        services_use.result_use_remove(actor=personas.desk, plan=plan, use=use)
