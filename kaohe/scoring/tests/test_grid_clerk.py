"""The desk's grid as a clerk uses it all day (issue 13.1): evidence state per cell, 明年考核 not gradable,
a live counter's figures, the reason field only below full marks, and one grade for several cells at once."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Organisation, Region
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import AssessorDesk, Indicator, PlanUnit
from kaohe.scoring import services
from kaohe.scoring.models import Evaluation, EvaluationChange
from kaohe.submissions.models import Submission
from tests import factories as f

DESK = "市司法局依法行政指导科"


def _tasks(plan, method=Method.SUBMISSION, desk=DESK, category="县区政府"):
    return list(
        Indicator.objects.filter(
            plan=plan,
            category__name=category,
            level=Level.TASK,
            method=method,
            assessor__organisation__name=desk,
            counts_next_year=False,
        )
        .exclude(points__isnull=True)
        .order_by("order")
    )


def _units(plan, category="县区政府"):
    return list(
        PlanUnit.objects.filter(plan=plan, category__name=category)
        .select_related("organisation")
        .order_by("organisation__sort_key")
    )


def _cell(page: str, unit, task) -> str:
    """The HTML of one cell form of a page."""
    match = re.search(rf'<form id="cell-{unit.pk}-{task.pk}".*?</form>', page, re.S)
    assert match, f"no cell {unit.pk}-{task.pk}"
    return match.group(0)


def _grid(client, plan) -> str:
    page: str = client.get(reverse("scoring:grid", args=[plan.pk])).content.decode()
    return page


def _bulk(client, plan, cells, **data):
    values = [f"{u.pk}-{t.pk}-{v}" for u, t, v in cells]
    return client.post(reverse("scoring:evaluate_bulk", args=[plan.pk]), {"cells": values, **data})


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def fourth_county(plan):
    """A fourth county government (叶县, last in pinyin order): the city has three."""
    county = PlanUnit.objects.select_related("organisation__region").filter(plan=plan, category__name="县区政府").first()
    city = county.organisation.region.parent
    ye = f.OrganisationFactory(
        name="叶县人民政府",
        region=f.RegionFactory(name="叶县", level=Region.Level.COUNTY, parent=city),
        kind=Organisation.Kind.GOVERNMENT,
    )
    return f.UnitFactory(plan=plan, category=county.category, organisation=ye)


def test_each_cell_shows_its_evidence_state(personas, plan, fourth_county):
    wugang, other, third, fourth = _units(plan)[:4]
    task = _tasks(plan)[0]
    client = personas.client(personas.desk)
    earlier = timezone.now() - dt.timedelta(days=2)
    Submission.objects.create(plan=plan, unit=wugang, task=task, status=Submission.Status.SUBMITTED, last_changed_at=earlier)
    Submission.objects.create(plan=plan, unit=other, task=task, status=Submission.Status.RETURNED, last_changed_at=earlier)
    Submission.objects.create(plan=plan, unit=third, task=task, status=Submission.Status.SUBMITTED, last_changed_at=earlier)
    services.evaluation_record(actor=personas.desk, plan=plan, unit=third, task=task, grade="excellent", expected_version=0)
    Submission.objects.filter(unit=third, task=task).update(last_changed_at=timezone.now() + dt.timedelta(minutes=5))

    page = _grid(client, plan)
    states = {u: re.search(r'data-evidence="(\w+)"', _cell(page, u, task)) for u in (wugang, other, third, fourth)}
    assert {u.organisation.name: m.group(1) for u, m in states.items() if m} == {
        wugang.organisation.name: "submitted",
        other.organisation.name: "returned",
        third.organisation.name: "updated",
        fourth.organisation.name: "missing",
    }
    assert "评价后有更新" in _cell(page, third, task) and "未报送" in _cell(page, fourth, task)
    # a scored task that asks for no materials shows no evidence state
    daily = _tasks(plan, Method.DAILY)[0]
    assert "data-evidence" not in _cell(page, wugang, daily)
    # the single-cell answer after a save carries the state too
    response = client.post(
        reverse("scoring:evaluate", args=[plan.pk, wugang.pk, task.pk]),
        {"grade": "excellent", "version": 0},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-evidence="submitted"' in response.content.decode() and "data-evaluated" in response.content.decode()


def test_next_year_tasks_are_greyed_and_not_gradable(personas, plan):
    wugang = _units(plan)[0]
    desk = AssessorDesk.objects.get(plan=plan, organisation__name=DESK)
    # A task of the desk assessed next year (as 4.4.3 of the real county table).
    next_year = f.task(wugang.category, "2.3.1", 2, name="法治督察整改落实情况", assessor=desk, counts_next_year=True)
    client = personas.client(personas.desk)
    for page in (_grid(client, plan), client.get(reverse("scoring:unit", args=[plan.pk, wugang.pk])).content.decode()):
        cell = _cell(page, wugang, next_year)
        assert "明年考核" in cell and "<select" not in cell and "hx-post" not in cell and "data-counted" not in cell
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("scoring:evaluate", args=[plan.pk, wugang.pk, next_year.pk]),
        {"grade": "excellent", "version": 0},
        HTTP_HX_REQUEST="true",
    )
    assert response["X-Kaohe-Status"] == "400"
    assert "明年考核" in response.content.decode()
    assert not Evaluation.objects.filter(unit=wugang, task=next_year).exists() and AuditEvent.objects.count() == before
    # nor through the bulk form
    response = _bulk(client, plan, [(wugang, next_year, 0)], grade="excellent")
    assert "明年考核" in _messages(response) and not Evaluation.objects.filter(task=next_year).exists()


def test_the_counter_counts_what_the_page_marks(personas, plan):
    """The live counter counts cells marked data-counted / data-evaluated: the server's figure is the same count."""
    wugang = _units(plan)[0]
    task = _tasks(plan)[0]
    client = personas.client(personas.desk)
    services.evaluation_record(actor=personas.desk, plan=plan, unit=wugang, task=task, grade="excellent", expected_version=0)
    page = _grid(client, plan)
    forms = re.findall(r'<form id="cell-[^>]*>', page, re.S)
    counted = [f for f in forms if "data-counted" in f]
    done = int(re.search(r"<span data-done>(\d+)</span>", page).group(1))
    total = int(re.search(r"<span data-total>(\d+)</span>", page).group(1))
    assert (done, total) == (sum("data-evaluated" in f for f in counted), len(counted))
    # the desk's six 县区政府 tasks (1.1.1, 2.1.2, 2.2.1, 3.1.1, 4.1.1, 4.1.2, all with points) × 3 county governments
    assert done == 1 and total == 18


def test_the_reason_field_opens_only_below_full(personas, plan):
    wugang, other = _units(plan)[:2]
    task = _tasks(plan)[0]
    services.evaluation_record(actor=personas.desk, plan=plan, unit=wugang, task=task, grade="excellent", expected_version=0)
    services.evaluation_record(
        actor=personas.desk, plan=plan, unit=other, task=task, grade="fair", reason="缺少意见表", expected_version=0
    )
    client = personas.client(personas.desk)
    page = _grid(client, plan)
    # the grid's lean cells: the one control, no reason field; the reason shows as the cell's tooltip
    for unit in (wugang, other):
        cell = _cell(page, unit, task)
        assert 'name="reason"' not in cell and 'name="problem_kind"' not in cell and cell.count("data-grid-input") == 1
    assert "扣分理由：缺少意见表" in _cell(page, other, task)
    # opened (the cell's GET, as grid.js fetches it): the reason field hidden at full marks, shown below
    opened = {
        unit: client.get(reverse("scoring:evaluate", args=[plan.pk, unit.pk, task.pk]), HTTP_HX_REQUEST="true").content.decode()
        for unit in (wugang, other)
    }
    assert re.search(r'name="reason"[^>]*data-grid-reason\s+hidden', opened[wugang])
    assert not re.search(r'name="reason"[^>]*data-grid-reason\s+hidden', opened[other]) and "缺少意见表" in opened[other]
    # a refused below-full save comes back with the field open and the message
    response = personas.client(personas.desk).post(
        reverse("scoring:evaluate", args=[plan.pk, wugang.pk, task.pk]),
        {"grade": "good", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "须写明扣分理由" in body and not re.search(r"data-grid-reason\s+hidden", body)


def test_one_grade_for_several_cells_in_one_post(personas, plan):
    units = _units(plan)[:3]
    task, task2 = _tasks(plan)[:2]
    client = personas.client(personas.desk)
    services.evaluation_record(actor=personas.desk, plan=plan, unit=units[0], task=task, grade="excellent", expected_version=0)
    cells = [(units[0], task, 1), (units[1], task, 0), (units[2], task2, 0)]
    before = AuditEvent.objects.filter(action="evaluation.record").count()

    response = _bulk(client, plan, cells, grade="good", reason="未附证明材料", next=reverse("scoring:grid", args=[plan.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("scoring:grid", args=[plan.pk])
    assert "已将 3 格统一评为“良”" in _messages(response)
    saved = Evaluation.objects.filter(plan=plan, grade="good", reason="未附证明材料")
    assert {(e.unit_id, e.task_id) for e in saved} == {(u.pk, t.pk) for u, t, _ in cells}
    assert AuditEvent.objects.filter(action="evaluation.record").count() == before + 3  # audited per evaluation
    assert (
        EvaluationChange.objects.filter(evaluation__in=saved).count() == 4
    )  # the first cell's earlier grade stays in its history


def test_bulk_below_full_needs_one_reason_and_saves_nothing_without(personas, plan):
    units = _units(plan)[:2]
    task = _tasks(plan)[0]
    client = personas.client(personas.desk)
    response = _bulk(client, plan, [(units[0], task, 0), (units[1], task, 0)], grade="poor", reason="  ")
    assert "须写明扣分理由" in _messages(response)
    assert not Evaluation.objects.filter(task=task).exists()
    response = _bulk(client, plan, [(units[0], task, 0), (units[1], task, 0)], grade="excellent")
    assert Evaluation.objects.filter(task=task, grade="excellent").count() == 2


@pytest.mark.parametrize("problem", ["stale", "score_task", "conflict_other_desk"])
def test_one_refused_cell_saves_none_and_names_the_cell(problem, personas, plan):
    units = _units(plan)[:2]
    task = _tasks(plan)[0]
    client = personas.client(personas.desk)
    cells = [(units[0], task, 0)]
    if problem == "stale":
        services.evaluation_record(
            actor=personas.desk, plan=plan, unit=units[1], task=task, grade="excellent", expected_version=0
        )
        cells.append((units[1], task, 0))  # the page was loaded before that save
        expected = "已被"
    elif problem == "score_task":
        cells.append((units[1], _tasks(plan, Method.DAILY)[0], 0))
        expected = "按得分评价"
    else:
        cells.append((units[1], _tasks(plan, desk="市财政局")[0], 0))
    before = (Evaluation.objects.count(), AuditEvent.objects.count())
    response = _bulk(client, plan, cells, grade="excellent")
    if problem == "conflict_other_desk":
        assert response.status_code in (403, 404)  # another desk's task: not this desk's to grade
    else:
        assert response.status_code == 302
        text = _messages(response)
        assert "未保存任何评价" in text and expected in text and units[1].organisation.name in text
    assert (Evaluation.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("value", ["abc", "1-2", "1-2-x", "-1-2-3", ""])
def test_malformed_cells_are_refused_in_chinese(value, personas, plan):
    response = personas.client(personas.desk).post(
        reverse("scoring:evaluate_bulk", args=[plan.pk]), {"cells": [value], "grade": "excellent"}
    )
    assert response.status_code == 302
    assert "格子" in _messages(response)
    assert not Evaluation.objects.filter(plan=plan).exists()


def test_bulk_as_the_wrong_role_or_plan_leaks_nothing(personas, plan, other_plan):
    wugang = _units(plan)[0]
    task = _tasks(plan)[0]
    for persona, status in (("office", 403), ("unit", 403), ("viewer", 403), ("other_office", 404), ("other_unit", 404)):
        response = _bulk(personas.client(getattr(personas, persona)), plan, [(wugang, task, 0)], grade="excellent")
        assert response.status_code == status, persona
    # a task id that is not this plan's (the other plan has no table yet): 404, nothing saved
    foreign_task = SimpleNamespace(pk=Indicator.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000)
    response = _bulk(personas.client(personas.desk), plan, [(wugang, foreign_task, 0)], grade="excellent")
    assert response.status_code == 404
    response = _bulk(personas.client(personas.desk), other_plan, [(wugang, task, 0)], grade="excellent")
    assert response.status_code in (403, 404)
    assert not Evaluation.objects.filter(task=task).exists()
