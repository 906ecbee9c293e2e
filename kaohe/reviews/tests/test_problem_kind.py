"""A feedback problem may carry one of the plan's 问题类型 (optional, next to the free text)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import ProblemKind
from kaohe.plans.services_problems import problem_kinds_seed
from kaohe.reviews.models import FeedbackProblem

pytestmark = pytest.mark.django_db


def test_office_records_a_problem_with_a_kind_and_bad_kinds_are_refused(personas, plan, wugang):
    problem_kinds_seed(plan)
    kind = ProblemKind.objects.get(plan=plan, name="信息公开不到位")
    office = personas.client(personas.office)
    page = office.get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert "问题类型（可不选）" in page and "信息公开不到位" in page
    url = reverse("reviews:problem_add", args=[plan.pk])
    assert office.post(url, {"unit": wugang.pk, "text": "政府信息公开年报未按时发布", "kind": kind.pk}).status_code == 302
    assert office.post(url, {"unit": wugang.pk, "text": "没有类型的问题"}).status_code == 302
    problems = {p.text: p.kind for p in FeedbackProblem.objects.filter(feedback__unit=wugang)}
    assert problems == {"政府信息公开年报未按时发布": kind, "没有类型的问题": None}
    assert AuditEvent.objects.filter(action="feedback.problem_add").order_by("-seq")[1].after["kind"] == "信息公开不到位"
    page = office.get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert 'data-testid="problem-kind">信息公开不到位' in page

    kind.active = False
    kind.save()
    response = office.post(url, {"unit": wugang.pk, "text": "用了已移除的类型", "kind": kind.pk}, follow=True)
    assert "问题类型无效" in response.content.decode()
    response = office.post(url, {"unit": wugang.pk, "text": "乱填的类型", "kind": "abc"}, follow=True)
    assert "问题类型无效" in response.content.decode()
    assert not FeedbackProblem.objects.filter(text__in=["用了已移除的类型", "乱填的类型"]).exists()
    # a desk cannot record problems at all
    denied = personas.client(personas.desk).post(url, {"unit": wugang.pk, "text": "x", "kind": kind.pk})
    assert denied.status_code == 403
