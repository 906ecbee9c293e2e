"""A deduction reason may carry one of the plan's 问题类型 (optional, a select next to the free text)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, PlanUnit, ProblemKind
from kaohe.plans.services_problems import problem_kinds_seed
from kaohe.scoring.models import Evaluation

pytestmark = pytest.mark.django_db


def _task(plan):
    return (
        Indicator.objects.filter(
            plan=plan,
            category__name="县区政府",
            level=Level.TASK,
            method=Method.SUBMISSION,
            assessor__organisation__name="市司法局依法行政指导科",
        )
        .exclude(points__isnull=True)
        .order_by("order")
        .first()
    )


def _post(client, plan, unit, task, **data):
    return client.post(reverse("scoring:evaluate", args=[plan.pk, unit.pk, task.pk]), data, HTTP_HX_REQUEST="true")


def test_desk_tags_a_deduction_reason_with_a_kind_and_other_saves_keep_it(personas, plan):
    problem_kinds_seed(plan)
    kind = ProblemKind.objects.get(plan=plan, name="规范性文件超期报备")
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    task = _task(plan)
    client = personas.client(personas.desk)
    # below full, reason saved: the cell now offers the kinds
    response = _post(client, plan, unit, task, grade="good", reason="超期报备2件", version=0)
    assert 'name="problem_kind"' in response.content.decode() and "规范性文件超期报备" in response.content.decode()
    _post(client, plan, unit, task, grade="good", reason="超期报备2件", problem_kind=kind.pk, version=1)
    evaluation = Evaluation.objects.get(unit=unit, task=task)
    assert evaluation.problem_kind == kind and evaluation.version == 2
    event = AuditEvent.objects.filter(action="evaluation.record").order_by("-seq").first()
    assert event.after["problem_kind"] == "规范性文件超期报备"
    # a save without the select (统一评定, older pages) keeps it; 未选 clears it; full marks drop it
    _post(client, plan, unit, task, grade="fair", reason="超期报备3件", version=2)
    assert Evaluation.objects.get(pk=evaluation.pk).problem_kind == kind
    _post(client, plan, unit, task, grade="fair", reason="超期报备3件", problem_kind="", version=3)
    assert Evaluation.objects.get(pk=evaluation.pk).problem_kind is None
    _post(client, plan, unit, task, grade="fair", reason="超期报备3件", problem_kind=kind.pk, version=4)
    _post(client, plan, unit, task, grade="excellent", reason="", problem_kind=kind.pk, version=5)
    assert Evaluation.objects.get(pk=evaluation.pk).problem_kind is None


def test_a_kind_of_another_plan_or_garbage_is_refused(personas, plan, other_plan):
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    task = _task(plan)
    other_plan_kind = ProblemKind.objects.create(plan=other_plan, name="他方案")
    client = personas.client(personas.desk)
    response = _post(client, plan, unit, task, grade="good", reason="理由", problem_kind=other_plan_kind.pk, version=0)
    assert "问题类型无效" in response.content.decode()
    assert not Evaluation.objects.filter(unit=unit, task=task).exists()
    response = _post(client, plan, unit, task, grade="good", reason="理由", problem_kind="abc", version=0)
    assert "输入有误" in response.content.decode()
    assert not Evaluation.objects.filter(unit=unit, task=task).exists()
