"""PDS 五(四) "除考核对象特别要求外,不再进行集中反馈": a 考核对象 asks for a collective feedback meeting from its
feedback page (a note, audited), may change or withdraw it; the office sees the requests on its feedback page; no one
else may ask for a unit, and nothing is asked once the results are published."""

from __future__ import annotations

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import Plan, PlanUnit

NOTE = "希望5月上旬集中反馈，分管领导参加"


def _url(plan):
    return reverse("plans:collective_feedback", args=[plan.pk])


def test_unit_asks_and_the_office_sees_it_then_the_unit_withdraws(personas, plan, wugang):
    unit = personas.client(personas.unit)
    page = unit.get(reverse("reviews:unit", args=[plan.pk])).content.decode()
    assert 'data-testid="collective-feedback"' in page and "collective-requested" not in page
    assert unit.post(_url(plan), {"note": f" {NOTE} "}).status_code == 302
    wugang.refresh_from_db()
    assert wugang.collective_feedback_note == NOTE and wugang.collective_feedback_requested_at is not None
    assert AuditEvent.objects.get(action="unit.collective_feedback_request", plan_id=plan.pk).after == {"note": NOTE}
    assert NOTE in unit.get(reverse("reviews:unit", args=[plan.pk])).content.decode()

    office_page = personas.client(personas.office).get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert 'data-testid="collective-request"' in office_page and NOTE in office_page and "舞钢市人民政府" in office_page

    assert unit.post(_url(plan), {"note": NOTE, "withdraw": "on"}).status_code == 302
    wugang.refresh_from_db()
    assert wugang.collective_feedback_note == "" and wugang.collective_feedback_requested_at is None
    assert AuditEvent.objects.filter(action="unit.collective_feedback_withdraw", plan_id=plan.pk).count() == 1
    office_page = personas.client(personas.office).get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert 'data-testid="collective-requests"' not in office_page


def test_empty_or_oversize_note_is_refused(personas, plan, wugang):
    unit = personas.client(personas.unit)
    assert unit.post(_url(plan), {"note": "  "}).status_code == 302
    assert unit.post(_url(plan), {"note": "长" * 501}).status_code == 302
    wugang.refresh_from_db()
    assert wugang.collective_feedback_requested_at is None
    assert not AuditEvent.objects.filter(action__startswith="unit.collective_feedback").exists()


def test_wrong_people_cannot_ask(personas, plan, wugang):
    for user in (personas.office, personas.desk):
        assert personas.client(user).post(_url(plan), {"note": NOTE}).status_code == 403
    assert personas.client(personas.other_office).post(_url(plan), {"note": NOTE}).status_code == 404
    assert not PlanUnit.objects.filter(plan=plan, collective_feedback_requested_at__isnull=False).exists()


def test_nothing_is_asked_after_the_results_are_published(personas, plan, wugang):
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    assert personas.client(personas.unit).post(_url(plan), {"note": NOTE}).status_code == 302
    wugang.refresh_from_db()
    assert wugang.collective_feedback_requested_at is None


def test_the_request_is_not_copied_to_next_year(personas, plan, wugang):
    from kaohe.plans.copy import plan_copy

    assert personas.client(personas.unit).post(_url(plan), {"note": NOTE}).status_code == 302
    new = plan_copy(actor=personas.office, plan=plan, title="2021年度考核（复制）")
    copied = PlanUnit.objects.get(plan=new, organisation=wugang.organisation)
    assert copied.collective_feedback_note == "" and copied.collective_feedback_requested_at is None
