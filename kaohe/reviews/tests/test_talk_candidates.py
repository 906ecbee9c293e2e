"""约谈候选 (the published results' bottom N listed on the 约谈 page) and the unit report's signer prefilled with the
unit's 主要负责人 (issue 15 item 3, the small leftovers)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews import hooks
from kaohe.reviews.models import FocusUnit, Talk
from kaohe.reviews.tests.conftest import beijing, set_now


@pytest.fixture
def published(plan, monkeypatch):
    set_now(monkeypatch, beijing(2021, 4, 20))
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    plan.refresh_from_db()
    return plan


def _talks_page(personas, plan, user=None):
    return personas.client(user or personas.office).get(reverse("reviews:talks", args=[plan.pk]))


def test_the_bottom_units_of_the_published_results_are_listed_as_candidates(personas, published, wugang, monkeypatch):
    county = PlanUnit.objects.filter(plan=published, category=wugang.category).exclude(pk=wugang.pk).first()
    PlanUnit.objects.filter(pk=wugang.pk).update(leader_name="示例负责人甲", leader_post="市长")
    monkeypatch.setattr(hooks, "_BOTTOM_UNITS", [lambda plan: [("县区政府", 2, [county.pk, wugang.pk])]])
    Talk.objects.create(
        plan=published,
        unit=wugang,
        held_on=beijing(2021, 4, 15).date(),
        held_by="考核办主任",
        subject_name="示例负责人甲",
        recorded_by=personas.office,
        recorded_at=beijing(2021, 4, 15),
    )
    FocusUnit.objects.create(
        plan=published, unit=wugang, reason="排名靠后", marked_by=personas.office, marked_at=beijing(2021, 4, 16)
    )
    response = _talks_page(personas, published)
    page = response.content.decode()
    candidates = response.context["page"].candidates
    assert [(c.unit.pk, c.talked, c.focus) for c in candidates] == [(county.pk, False, False), (wugang.pk, True, True)]
    assert "约谈候选：已公布考核结果各类别后2名（2）" in page
    assert "示例负责人甲" in page and "已约谈" in page and "未约谈" in page
    # a unit id the plan does not hold (a stale list) is left out, not an error
    monkeypatch.setattr(hooks, "_BOTTOM_UNITS", [lambda plan: [("县区政府", 2, [999999])]])
    assert 'data-testid="talk-candidates"' not in _talks_page(personas, published).content.decode()


def test_no_candidates_before_publication_and_the_page_stays_the_offices(personas, published):
    # the city plan has no published results: the real hook (results) answers nothing
    assert hooks.bottom_units(published) == []
    assert 'data-testid="talk-candidates"' not in _talks_page(personas, published).content.decode()
    assert _talks_page(personas, published, personas.desk).status_code == 403
    assert _talks_page(personas, published, personas.other_office).status_code == 404


def test_the_unit_reports_signer_is_prefilled_with_the_units_leader(personas, published, wugang):
    PlanUnit.objects.filter(pk=wugang.pk).update(leader_name="示例负责人乙", leader_post="县长")
    page = personas.client(personas.unit).get(reverse("reviews:rectification_unit", args=[published.pk]))
    form = page.context["unit_report_form"]
    assert form.initial == {"signer_name": "示例负责人乙", "signer_post": "县长"}
    html = page.content.decode()
    assert 'value="示例负责人乙"' in html and 'value="县长"' in html
