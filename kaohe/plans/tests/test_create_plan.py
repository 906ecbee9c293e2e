"""The office creates a plan for its own organisation; bad input is refused in Chinese."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import Plan, ScoringPolicy


def _data(plan, **overrides):
    data = {
        "organiser": plan.organiser.pk,
        "year": 2021,
        "title": "平顶山市2021年度依法行政考核",
        "doc_number": "平法政办〔2021〕1号",
        "period_start": "2021-01-01",
        "period_end": "2021-12-31",
    }
    data.update(overrides)
    return data


def test_office_creates_a_plan_with_default_policy(personas, plan):
    response = personas.client(personas.office).post(reverse("plans:create"), _data(plan))
    assert response.status_code == 302
    plan = Plan.objects.get(title="平顶山市2021年度依法行政考核")
    assert plan.status == Plan.Status.DRAFT
    policy = ScoringPolicy.objects.get(plan=plan)
    assert (policy.grade_good_pct, policy.bonus_cap, policy.review_request_days) == (Decimal(80), Decimal(5), 5)
    assert AuditEvent.objects.filter(action="plan.create", plan_id=plan.pk).exists()


def test_bad_input_is_refused(personas, plan):
    client = personas.client(personas.office)
    page = client.post(reverse("plans:create"), _data(plan, period_end="2020-06-30")).content.decode()
    assert "不能早于" in page
    page = client.post(reverse("plans:create"), _data(plan, year="二〇二一")).content.decode()
    assert "整数" in page
    assert not Plan.objects.filter(title="平顶山市2021年度依法行政考核").exists()


def test_cannot_create_a_plan_for_another_organisation(personas, plan, other_plan):
    # other_office may create plans, but only for its own organisation.
    response = personas.client(personas.other_office).post(reverse("plans:create"), _data(plan))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert personas.client(personas.unit).post(reverse("plans:create"), _data(plan)).status_code == 403
    assert not Plan.objects.filter(title="平顶山市2021年度依法行政考核").exists()
