"""表彰建议 (PDS 六 "对连续2年考核优秀的考核对象…提出表彰建议报市政府"): a .docx built from the published results'
连续两年优秀 list with each unit's 主要负责人, downloaded by the office only, audited; refused before publication
or when nobody is on the list."""

from __future__ import annotations

import io
from decimal import Decimal

import docx
import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import PlanUnit
from kaohe.results.models import ResultPublication
from kaohe.results.tests.conftest import grade, tasks_of
from kaohe.results.tests.test_result_use import _messages, _publish

ACTION = "results.commendation"


@pytest.fixture
def all_graded(plan, personas):
    """Every unit graded, all scores different (as in test_result_use)."""
    for k, unit in enumerate(PlanUnit.objects.filter(plan=plan).select_related("category").order_by("pk")):
        biggest = max(tasks_of(unit), key=lambda t: t.points or 0)
        grade(plan, unit, personas.office, scores={biggest.code: (biggest.points or Decimal(0)) - Decimal(k) * Decimal("0.25")})
    return plan


def _url(plan):
    return reverse("results:commendation", args=[plan.pk])


def _list_two(plan, publication) -> list[str]:
    """Two of the plan's units put on the published list (the list itself is the publication's, frozen with it)."""
    units = list(PlanUnit.objects.filter(plan=plan).select_related("organisation", "category").order_by("pk")[:2])
    rows = [(units[0].category.name, [units[0].organisation.name]), (units[1].category.name, [units[1].organisation.name])]
    ResultPublication.objects.filter(pk=publication.pk).update(
        excellent_two_years={"available": True, "note": "", "previous": "2019年度考核", "rows": rows}
    )
    PlanUnit.objects.filter(pk=units[0].pk).update(leader_name="示例负责人甲", leader_post="县长")
    return [u.organisation.name for u in units]


def test_office_downloads_the_proposal_with_units_and_leaders(personas, all_graded):
    plan = all_graded
    office = personas.client(personas.office)
    refused = office.get(_url(plan))
    assert refused.status_code == 302 and "考核结果尚未公布" in _messages(refused)[0]
    publication = _publish(plan, personas.office)
    empty = office.get(_url(plan))  # no results of 2019: nobody is commended
    assert empty.status_code == 302 and _messages(empty)
    assert not AuditEvent.objects.filter(action=ACTION).exists()

    names = _list_two(plan, publication)
    assert 'data-testid="commendation"' in office.get(reverse("results:release", args=[plan.pk])).content.decode()
    response = office.get(_url(plan))
    assert response.status_code == 200
    assert "表彰建议" in response["Content-Disposition"] or "filename" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "连续两年优秀单位予以表彰的建议" in text and "人民政府：" in text and "与2019年度考核的结果比对" in text
    assert "下列2个单位" in text and "妥否，请批示。" in text
    table = document.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["序号", "类别", "单位", "主要负责人"]
    assert [row[2] for row in cells[1:]] == names
    assert cells[1][3] == "示例负责人甲，县长" and cells[2][3] == ""
    event = AuditEvent.objects.get(action=ACTION)
    assert event.actor_id == personas.office.pk and event.plan_id == plan.pk and event.after["units"] == 2


def test_wrong_people_get_403_or_404(personas, all_graded, other_plan):
    plan = all_graded
    publication = _publish(plan, personas.office)
    _list_two(plan, publication)
    for user in (personas.unit, personas.desk):
        assert personas.client(user).get(_url(plan)).status_code == 403
    assert personas.client(personas.other_office).get(_url(plan)).status_code == 404
    assert not AuditEvent.objects.filter(action=ACTION).exists()
