"""回避 setting of a plan: may a desk grade its own department? Set by the office on the desks page, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import Plan, ScoringPolicy


def _value(plan) -> str:
    return ScoringPolicy.objects.get(plan=plan).own_department


def test_the_desks_page_lists_desks_grading_their_own_department(personas, plan):
    page = personas.client(personas.desk).get(reverse("plans:desks", args=[plan.pk])).content.decode()
    assert 'data-testid="desk-conflicts"' in page
    assert "市司法局依法行政指导科 → 市司法局（部门2）：市司法局依法行政指导科是市司法局的内设科室" in page
    assert "市财政局 → 市财政局（部门2）" in page  # a department that is both a desk and a unit
    assert "→ 舞钢市人民政府" not in page
    assert "允许评价，结果中标注“回避”" in page  # the city plan's setting, shown to everyone who reads the page
    assert "保存回避设置" not in page  # the form is the office's


def test_the_office_sets_it_and_others_may_not(personas, plan):
    url = reverse("plans:own_department", args=[plan.pk])
    office = personas.client(personas.office)
    assert "保存回避设置" in office.get(reverse("plans:desks", args=[plan.pk])).content.decode()
    for user, status in ((personas.desk, 403), (personas.unit, 403), (personas.viewer, 403), (personas.other_office, 404)):
        assert personas.client(user).post(url, {"own_department": "refuse"}).status_code == status
    assert _value(plan) == ScoringPolicy.OwnDepartment.FLAG
    response = office.post(url, {"own_department": "refuse", "reason": "领导小组会议决定严格回避"}, follow=True)
    assert "已保存：回避：不得评价本单位" in response.content.decode()
    assert _value(plan) == ScoringPolicy.OwnDepartment.REFUSE
    event = AuditEvent.objects.get(action="plan.policy_own_department")
    assert event.before == {"own_department": "flag"}
    assert event.after == {"own_department": "refuse", "reason": "领导小组会议决定严格回避"}


@pytest.mark.parametrize("value", ["", "allow", "flag' OR 1=1", "x" * 50])
def test_bad_values_are_refused_and_nothing_changes(personas, plan, value):
    response = personas.client(personas.office).post(
        reverse("plans:own_department", args=[plan.pk]), {"own_department": value}, follow=True
    )
    assert "请选择考核主体评价本单位时的处理方式" in response.content.decode()
    assert _value(plan) == ScoringPolicy.OwnDepartment.FLAG
    assert not AuditEvent.objects.filter(action="plan.policy_own_department").exists()


def test_frozen_after_results_are_published(personas, plan):
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    response = personas.client(personas.office).post(
        reverse("plans:own_department", args=[plan.pk]), {"own_department": "refuse"}, follow=True
    )
    assert "考核结果已公布" in response.content.decode()
    assert _value(plan) == ScoringPolicy.OwnDepartment.FLAG
