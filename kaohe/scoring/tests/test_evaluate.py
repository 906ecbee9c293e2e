"""Desks grade the tasks they own; every change is kept; concurrent edits never silently overwrite."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.scoring.models import Evaluation, EvaluationChange, NotApplicable
from kaohe.submissions.models import Submission


def _task(plan, method, desk="市司法局依法行政指导科", category="县区政府"):
    return (
        Indicator.objects.filter(
            plan=plan, category__name=category, level=Level.TASK, method=method, assessor__organisation__name=desk
        )
        .exclude(points__isnull=True)
        .order_by("order")
        .first()
    )


@pytest.fixture
def wugang(plan):
    return PlanUnit.objects.select_related("organisation").get(plan=plan, organisation__name="舞钢市人民政府")


def _post(client, plan, unit, task, **data):
    data.setdefault("version", 0)
    return client.post(reverse("scoring:evaluate", args=[plan.pk, unit.pk, task.pk]), data, HTTP_HX_REQUEST="true")


def test_desk_grades_a_submission_task_and_history_is_kept(personas, plan, wugang):
    task = _task(plan, Method.SUBMISSION)
    Submission.objects.create(plan=plan, unit=wugang, task=task, status=Submission.Status.SUBMITTED)
    client = personas.client(personas.desk)
    response = _post(client, plan, wugang, task, grade="good", reason="清理报告缺少意见表")
    assert response["X-Kaohe-Status"] == "200"
    evaluation = Evaluation.objects.get(unit=wugang, task=task)
    assert evaluation.score == (task.points * Decimal("0.8")).quantize(Decimal("0.01"))
    assert evaluation.grade == "good" and evaluation.version == 1
    assert evaluation.desk.organisation.name == "市司法局依法行政指导科"
    assert Submission.objects.get(unit=wugang, task=task).status == Submission.Status.EVALUATED
    # Change it: the history keeps both; the audit log has both.
    _post(client, plan, wugang, task, grade="excellent", reason="", version=1)
    changes = list(EvaluationChange.objects.filter(evaluation=evaluation).order_by("id"))
    assert [(c.old_grade, c.new_grade) for c in changes] == [("", "good"), ("good", "excellent")]
    assert changes[1].old_score == evaluation.score and changes[1].new_score == task.points
    assert AuditEvent.objects.filter(action="evaluation.record", object_id=str(evaluation.pk)).count() == 2
    history = client.get(reverse("scoring:history", args=[plan.pk, wugang.pk, task.pk])).content.decode()
    assert "清理报告缺少意见表" in history


def test_an_unchanged_save_adds_no_history(personas, plan, wugang):
    task = _task(plan, Method.SUBMISSION)
    client = personas.client(personas.desk)
    _post(client, plan, wugang, task, grade="excellent")
    _post(client, plan, wugang, task, grade="excellent", version=1)
    assert EvaluationChange.objects.filter(evaluation__unit=wugang, evaluation__task=task).count() == 1
    assert Evaluation.objects.get(unit=wugang, task=task).version == 1


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [
        ("0.3", "", "须写明扣分理由"),
        ("11", "x", "之间"),  # above the task's 10 points (2.2.1 of the city's county table)
        ("-1", "x", "之间"),
        ("0.333", "x", "两位小数"),
        ("半分", "x", "须为数字"),
        ("", "x", "请填写得分"),
        ("NaN", "x", "须为数字"),
    ],
)
def test_scores_are_checked(personas, plan, wugang, score, reason, message):
    task = _task(plan, Method.DAILY)
    response = _post(personas.client(personas.desk), plan, wugang, task, score=score, reason=reason)
    assert response["X-Kaohe-Status"] == "400"
    assert message in response.content.decode()
    assert not Evaluation.objects.filter(unit=wugang, task=task).exists()


def test_score_task_below_full_with_reason(personas, plan, wugang):
    task = _task(plan, Method.DAILY)
    response = _post(personas.client(personas.desk), plan, wugang, task, score="0.25", reason="备案迟报一件")
    assert response["X-Kaohe-Status"] == "200"
    assert Evaluation.objects.get(unit=wugang, task=task).score == Decimal("0.25")


def test_a_submission_task_needs_a_grade(personas, plan, wugang):
    task = _task(plan, Method.SUBMISSION)
    response = _post(personas.client(personas.desk), plan, wugang, task, score="1")
    assert response["X-Kaohe-Status"] == "400"
    assert "请选择等次" in response.content.decode()


def test_concurrent_edit_is_refused_and_shows_the_other_value(personas, plan, wugang):
    from kaohe.accounts.models import User
    from kaohe.organisations.models import Membership
    from kaohe.organisations.roles import Role

    task = _task(plan, Method.DAILY)
    colleague = User.objects.create_user("desk_yfxz_2", password="x")
    Membership.objects.create(user=colleague, organisation=task.assessor.organisation, role=Role.DESK)
    first, second = personas.client(personas.desk), personas.client(colleague)
    # Both loaded the cell at version 0; the first saves, the second's save must not overwrite.
    assert _post(first, plan, wugang, task, score="0.5", reason="扣分甲")["X-Kaohe-Status"] == "200"
    response = _post(second, plan, wugang, task, score="0.1", reason="我的意见", version=0)
    assert response["X-Kaohe-Status"] == "409"
    assert "已被" in response.content.decode() and "0.50" in response.content.decode()
    evaluation = Evaluation.objects.get(unit=wugang, task=task)
    assert evaluation.score == Decimal("0.5") and evaluation.evaluated_by == personas.desk
    # Having seen it, the second decides with the current version.
    assert _post(second, plan, wugang, task, score="0.1", reason="我的意见", version=1)["X-Kaohe-Status"] == "200"
    assert Evaluation.objects.get(unit=wugang, task=task).score == Decimal("0.1")


def test_only_the_owning_desk_may_grade(personas, plan, wugang):
    task = _task(plan, Method.DAILY)
    url = reverse("scoring:evaluate", args=[plan.pk, wugang.pk, task.pk])
    data = {"score": "0.5", "version": 0}
    assert personas.client(personas.desk2).post(url, data).status_code == 404  # not its task: it does not exist for it
    assert personas.client(personas.office).post(url, data).status_code == 403
    assert personas.client(personas.unit).post(url, data).status_code == 403
    assert personas.client(personas.viewer).post(url, data).status_code == 404
    assert personas.client(personas.other_office).post(url, data).status_code == 404
    assert not Evaluation.objects.exists()
    # A task of another category through this unit: 404.
    dept2_task = _task(plan, Method.DAILY, category="部门2")
    assert (
        personas.client(personas.desk)
        .post(reverse("scoring:evaluate", args=[plan.pk, wugang.pk, dept2_task.pk]), data)
        .status_code
        == 404
    )


def test_units_never_see_scores(personas, plan, wugang):
    task = _task(plan, Method.DAILY)
    _post(personas.client(personas.desk), plan, wugang, task, score="0.3", reason="扣分原因甲")
    unit = personas.client(personas.unit)
    for url in (
        reverse("scoring:grid", args=[plan.pk]),
        reverse("scoring:unit", args=[plan.pk, wugang.pk]),
        reverse("scoring:history", args=[plan.pk, wugang.pk, task.pk]),
        reverse("scoring:evaluate", args=[plan.pk, wugang.pk, task.pk]),
    ):
        response = unit.get(url)
        assert response.status_code == 403, url
        assert "扣分原因甲" not in response.content.decode()


def test_grid_shows_the_desks_tasks_and_the_office_reads_all(personas, plan, wugang):
    task = _task(plan, Method.DAILY)
    _post(personas.client(personas.desk), plan, wugang, task, score="0.3", reason="扣分原因乙")
    page = personas.client(personas.desk).get(reverse("scoring:grid", args=[plan.pk])).content.decode()
    assert page.count('data-testid="grid-row"') == 3  # the county governments
    assert "已评价 <span data-done>1</span> /" in page
    office = personas.client(personas.office).get(reverse("scoring:grid", args=[plan.pk])).content.decode()
    assert "只读" in office and "disabled" in office
    assert personas.client(personas.viewer).get(reverse("scoring:grid", args=[plan.pk])).status_code == 403


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_grid_runs_a_constant_number_of_queries(personas, plan, wugang):
    client = personas.client(personas.desk)
    url = reverse("scoring:grid", args=[plan.pk])
    before = _queries(client, url)
    for task in Indicator.objects.filter(
        plan=plan,
        category__name="县区政府",
        level=Level.TASK,
        method=Method.DAILY,
        assessor__organisation__name="市司法局依法行政指导科",
    ):
        for unit in PlanUnit.objects.filter(plan=plan, category__name="县区政府")[:5]:
            _post(client, plan, unit, task, score=str(task.points), reason="")
    assert _queries(client, url) == before
    assert before <= 22  # 21st: the plan's 问题类型 for the cells' select; 22nd: their 材料分析提示 counts


def test_not_applicable_shrinks_and_blocks_evaluation(personas, plan, wugang):
    task = _task(plan, Method.DAILY)
    url = reverse("scoring:applicability", args=[plan.pk])
    assert personas.client(personas.desk).post(url, {"unit": wugang.pk, "task": task.pk, "reason": "x"}).status_code == 403
    office = personas.client(personas.office)
    response = office.post(url, {"unit": wugang.pk, "task": task.pk, "reason": ""})
    assert response.status_code == 400
    office.post(url, {"unit": wugang.pk, "task": task.pk, "reason": "本地区无此类事项"})
    record = NotApplicable.objects.get(unit=wugang, task=task)
    assert AuditEvent.objects.filter(action="applicability.set", object_id=str(record.pk)).exists()
    response = _post(personas.client(personas.desk), plan, wugang, task, score="0.5")
    assert "不涉及" in response.content.decode()
    assert not Evaluation.objects.filter(unit=wugang, task=task).exists()
    # Clearing needs a reason, and is audited.
    office.post(reverse("scoring:applicability_clear", args=[plan.pk, record.pk]), {"reason": ""})
    assert NotApplicable.objects.filter(pk=record.pk).exists()
    office.post(reverse("scoring:applicability_clear", args=[plan.pk, record.pk]), {"reason": "认定有误"})
    assert not NotApplicable.objects.filter(pk=record.pk).exists()
    assert AuditEvent.objects.filter(action="applicability.clear").exists()


def test_a_task_of_another_category_cannot_be_ruled_out(personas, plan, wugang):
    dept2_task = _task(plan, Method.DAILY, category="部门2")
    response = personas.client(personas.office).post(
        reverse("scoring:applicability", args=[plan.pk]), {"unit": wugang.pk, "task": dept2_task.pk, "reason": "x"}
    )
    assert response.status_code == 400
    assert "没有这项工作任务" in response.content.decode()


def test_reasons_already_used_are_offered_again(personas, plan, wugang):
    from kaohe.scoring.models import CommonReason

    task = _task(plan, Method.DAILY)
    CommonReason.objects.create(desk=task.assessor, text="未按期备案")
    _post(personas.client(personas.desk), plan, wugang, task, score="0.3", reason="材料不全")
    page = personas.client(personas.desk).get(reverse("scoring:grid", args=[plan.pk])).content.decode()
    assert '<option value="未按期备案">' in page and '<option value="材料不全">' in page
    # Another desk does not see them.
    assert "材料不全" not in personas.client(personas.desk2).get(reverse("scoring:grid", args=[plan.pk])).content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/x", "/\\evil.example", "/plans/999999/"])
def test_a_saved_grade_returns_only_into_this_plan(personas, plan, wugang, target):
    task = _task(plan, Method.DAILY)
    client = personas.client(personas.desk)
    url = reverse("scoring:evaluate", args=[plan.pk, wugang.pk, task.pk])
    response = client.post(url, {"score": "0.5", "reason": "扣分原因", "version": 0, "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:unit", args=[plan.pk, wugang.pk])
    back = reverse("scoring:grid", args=[plan.pk]) + "?page=2"
    response = client.post(url, {"score": "0.6", "reason": "扣分原因", "version": 1, "next": back})
    assert response.status_code == 302 and response["Location"] == back
