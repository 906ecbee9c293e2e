"""问题类型: the plan's editable list of problem kinds, a section of 方案设置 (issue 15, item 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans import services
from kaohe.plans.copy import plan_copy
from kaohe.plans.models import Plan, ProblemKind
from kaohe.plans.services_problems import DEFAULT_PROBLEM_KINDS, problem_kinds_seed

pytestmark = pytest.mark.django_db


def _names(plan: Plan) -> list[str]:
    return [k.name for k in ProblemKind.objects.filter(plan=plan, active=True)]


def test_a_new_plan_starts_with_the_suggested_kinds_and_a_copy_keeps_its_list(personas, plan):
    new = services.plan_create(
        actor=personas.office,
        organiser=plan.organiser,
        year=2021,
        title="2021年度依法行政考核（问题类型）",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    assert _names(new) == list(DEFAULT_PROBLEM_KINDS)
    problem_kinds_seed(plan, ["规范性文件超期报备", "自定类型"])
    copied = plan_copy(actor=personas.office, plan=plan, title="下一年度（问题类型）")
    assert _names(copied) == ["规范性文件超期报备", "自定类型"]


def test_office_adds_and_retires_kinds_on_the_settings_page(client, personas, plan):
    problem_kinds_seed(plan)
    url = reverse("plans:problem_kinds", args=[plan.pk])
    client.force_login(personas.office)
    page = client.get(reverse("plans:settings", args=[plan.pk]))
    assert "问题类型" in page.content.decode() and "规范性文件超期报备" in page.content.decode()

    response = client.post(url, {"name": "  行政复议  纠错 "}, follow=True)
    assert "已新增问题类型“行政复议 纠错”" in response.content.decode()
    assert _names(plan)[-1] == "行政复议 纠错"
    assert AuditEvent.objects.filter(action="problem_kind.add").count() == 1

    duplicate = client.post(url, {"name": "其他"}, follow=True)
    assert "已有问题类型“其他”" in duplicate.content.decode()
    empty = client.post(url, {"name": ""}, follow=True)
    assert "请填写问题类型的名称" in empty.content.decode()
    too_long = client.post(url, {"name": "长" * 61}, follow=True)
    assert "不能超过 60 字" in too_long.content.decode()
    bad = client.post(url, {"retire": "abc"}, follow=True)
    assert "问题类型无效" in bad.content.decode()

    other = ProblemKind.objects.get(plan=plan, name="其他")
    response = client.post(url, {"retire": other.pk}, follow=True)
    assert "已移除问题类型“其他”" in response.content.decode()
    assert "其他" not in _names(plan)
    assert ProblemKind.objects.filter(pk=other.pk, active=False).exists()  # kept for what already carries it
    again = client.post(url, {"retire": other.pk}, follow=True)
    assert "不存在或已移除" in again.content.decode()
    client.post(url, {"name": "其他"})
    assert "其他" in _names(plan)  # brought back, same row
    assert ProblemKind.objects.filter(plan=plan, name="其他").count() == 1


def test_others_cannot_edit_the_list_nor_reach_another_plans_kind(client, personas, plan):
    problem_kinds_seed(plan)
    url = reverse("plans:problem_kinds", args=[plan.pk])
    for user, status in ((personas.desk, 403), (personas.unit, 403), (personas.other_office, 404)):
        client.force_login(user)
        assert client.post(url, {"name": "越权"}).status_code == status
    assert "越权" not in _names(plan)
    foreign = services.plan_create(
        actor=personas.other_office,
        organiser=personas.other_office.memberships.first().organisation,
        year=2021,
        title="外市方案",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    kind = ProblemKind.objects.filter(plan=foreign).first()
    client.force_login(personas.office)
    response = client.post(url, {"retire": kind.pk}, follow=True)
    assert "不存在或已移除" in response.content.decode()
    assert ProblemKind.objects.get(pk=kind.pk).active


def test_the_list_is_frozen_with_published_results(client, personas, plan):
    problem_kinds_seed(plan)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    client.force_login(personas.office)
    response = client.post(reverse("plans:problem_kinds", args=[plan.pk]), {"name": "新类型"}, follow=True)
    assert "考核结果已公布，问题类型不能再修改" in response.content.decode()
    assert "新类型" not in _names(plan)
