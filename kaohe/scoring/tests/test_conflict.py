"""回避 at desk grading: a section of 市司法局 grading 市司法局 follows the plan's setting; a grader's own ties refuse."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, PlanUnit, ScoringPolicy
from kaohe.scoring.models import Evaluation, EvaluationChange
from tests import factories as f


def _task(plan, method, desk, category):
    return (
        Indicator.objects.filter(
            plan=plan, category__name=category, level=Level.TASK, method=method, assessor__organisation__name=desk
        )
        .exclude(points__isnull=True)
        .order_by("order")
        .first()
    )


def _unit(plan, name):
    return PlanUnit.objects.select_related("organisation").get(plan=plan, organisation__name=name)


def _post(client, plan, unit, task, **data):
    data.setdefault("version", 0)
    return client.post(reverse("scoring:evaluate", args=[plan.pk, unit.pk, task.pk]), data, HTTP_HX_REQUEST="true")


def _set_policy(plan, value):
    ScoringPolicy.objects.filter(plan=plan).update(own_department=value)


@pytest.fixture
def sfj(plan):
    return _unit(plan, "市司法局")


@pytest.fixture
def dept2_task(plan):
    """A 部门2 报送资料 task graded by 市司法局依法行政指导科 (a section of 市司法局, the unit graded)."""
    return _task(plan, Method.SUBMISSION, "市司法局依法行政指导科", "部门2")


def test_a_section_may_not_grade_its_department_when_the_plan_refuses_it(personas, plan, sfj, dept2_task):
    _set_policy(plan, ScoringPolicy.OwnDepartment.REFUSE)
    client = personas.client(personas.desk)
    response = _post(client, plan, sfj, dept2_task, grade="excellent")
    assert response["X-Kaohe-Status"] == "400"
    body = response.content.decode()
    assert "回避：市司法局依法行政指导科是市司法局的内设科室，不能评价本单位（市司法局）" in body
    assert not Evaluation.objects.filter(unit=sfj, task=dept2_task).exists()
    assert not AuditEvent.objects.filter(action="evaluation.record").exists()
    # The grid and the unit page show the cell as 回避, without inputs.
    grid = client.get(reverse("scoring:grid", args=[plan.pk]), {"category": dept2_task.category_id}).content.decode()
    assert 'data-testid="cell-conflict"' in grid
    page = client.get(reverse("scoring:unit", args=[plan.pk, sfj.pk])).content.decode()
    assert f'name="grade" class="form-select form-select-sm" aria-label="市司法局 {dept2_task.code}' not in page
    assert "不能评价本单位（市司法局）" in page
    # Another unit of the same table is graded as before.
    other = _unit(plan, "市财政局")
    assert _post(client, plan, other, dept2_task, grade="excellent")["X-Kaohe-Status"] == "200"


def test_allowed_and_flagged_when_the_plan_allows_it(personas, plan, sfj, dept2_task):
    assert plan.policy.own_department == ScoringPolicy.OwnDepartment.FLAG  # the city's, as the real 2020 plan's practice
    client = personas.client(personas.desk)
    response = _post(client, plan, sfj, dept2_task, grade="excellent")
    assert response["X-Kaohe-Status"] == "200"
    evaluation = Evaluation.objects.get(unit=sfj, task=dept2_task)
    assert evaluation.conflict_note == "回避：市司法局依法行政指导科是市司法局的内设科室"
    assert EvaluationChange.objects.get(evaluation=evaluation).conflict_note == evaluation.conflict_note
    assert AuditEvent.objects.get(action="evaluation.record").after["conflict"] == evaluation.conflict_note
    assert 'data-testid="cell-conflict"' in response.content.decode()
    # A unit outside the desk's line carries no flag.
    other = _unit(plan, "市财政局")
    _post(client, plan, other, dept2_task, grade="excellent")
    assert Evaluation.objects.get(unit=other, task=dept2_task).conflict_note == ""


def test_a_grader_who_belongs_to_the_unit_is_refused_whatever_the_setting(personas, plan, sfj):
    task = _task(plan, Method.SUBMISSION, "市财政局", "部门2")  # 2.1.1, the one task 市财政局 grades in 部门2
    client = personas.client(personas.desk2)
    # desk_czj grades for 市财政局; then gains a membership in a section of 市司法局.
    section = f.OrganisationFactory(name="市司法局政策法规科", region=sfj.organisation.region, parent=sfj.organisation)
    Membership.objects.create(user=personas.desk2, organisation=section, role=Role.VIEWER)
    response = _post(client, plan, sfj, task, grade="excellent")
    assert response["X-Kaohe-Status"] == "400"
    assert f"回避：{personas.desk2.display_name}在市司法局政策法规科任职" in response.content.decode()
    assert not Evaluation.objects.filter(unit=sfj, task=task).exists()


def test_review_adjustment_checks_the_office_person_and_its_organisation(personas, plan, sfj, dept2_task):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from kaohe.reviews.models import Feedback, ReviewRequest
    from kaohe.scoring import services

    client = personas.client(personas.desk)
    _post(client, plan, sfj, dept2_task, grade="fair", reason="材料不全")
    feedback = Feedback.objects.create(plan=plan, unit=sfj, released_by=personas.office, released_at=timezone.now())
    review = ReviewRequest.objects.create(
        feedback=feedback,
        unit=sfj,
        task=dept2_task,
        filed_score=dept2_task.points,
        reasons="材料已补齐",
        filed_by=personas.unit2,
        filed_at=timezone.now(),
    )

    def adjust():
        return services.evaluation_adjust_on_review(
            actor=personas.office, plan=plan, unit=sfj, task=dept2_task, grade="excellent", reason="", review_request=review
        )

    # The office person also holds a post in 市司法局: refused whatever the setting.
    post = Membership.objects.create(user=personas.office, organisation=sfj.organisation, role=Role.VIEWER)
    with pytest.raises(ValidationError, match=f"回避：{personas.office.display_name}在市司法局任职，不能评价本单位（市司法局）"):
        adjust()
    post.delete()
    # The office's organisation sits in 市司法局 (its section): the plan's setting decides, as for desks.
    organiser = plan.organiser
    Organisation.objects.filter(pk=organiser.pk).update(parent=sfj.organisation)
    _set_policy(plan, ScoringPolicy.OwnDepartment.REFUSE)
    with pytest.raises(ValidationError, match="不能评价本单位（市司法局）"):
        adjust()
    assert Evaluation.objects.get(unit=sfj, task=dept2_task).grade == "fair"
    _set_policy(plan, ScoringPolicy.OwnDepartment.FLAG)
    evaluation = adjust()
    assert evaluation.grade == "excellent"
    assert evaluation.conflict_note == f"回避：{organiser.name}是市司法局的内设科室"
    assert EvaluationChange.objects.filter(evaluation=evaluation).last().conflict_note == evaluation.conflict_note
