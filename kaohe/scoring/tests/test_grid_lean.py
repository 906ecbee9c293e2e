"""The grid's lean cells (kaohe/scoring/html_grid.py) against the full cell (scoring/_cell.html): same id, URL,
data attributes and labels, one control each; the rare 分值已变更 cell rendered in full; the grading page of one
unit reads only that unit."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, PlanUnit, PointsChangeFlag
from kaohe.scoring import services
from kaohe.scoring.html_grid import cell_path

DESK = "市司法局依法行政指导科"
ATTRS = ("data-cell", "data-points", "hx-post", "hx-trigger", "hx-swap", "data-testid")
FLAGS = ("data-counted", "data-evaluated", "data-selectable")


def _tasks(plan, method):
    return list(
        Indicator.objects.filter(
            plan=plan, category__name="县区政府", level=Level.TASK, method=method, assessor__organisation__name=DESK
        ).order_by("order")
    )


def _units(plan):
    return list(PlanUnit.objects.filter(plan=plan, category__name="县区政府").order_by("organisation__sort_key"))


def _form(html: str, unit, task) -> str:
    match = re.search(rf'<form id="cell-{unit.pk}-{task.pk}".*?</form>', html, re.S)
    assert match, f"no cell {unit.pk}-{task.pk}"
    return match.group(0)


def _head(form: str) -> dict[str, str | bool]:
    tag = form[: form.index(">") + 1]
    found: dict[str, str | bool] = {name: m.group(1) for name in ATTRS if (m := re.search(rf'{name}="([^"]*)"', tag))}
    found.update({name: re.search(rf"\s{name}[\s>]", tag) is not None for name in FLAGS})
    return found


@pytest.fixture
def graded(personas, plan):
    """Four cells of the 县区政府 grid: graded at full marks, graded below with a reason, scored, and empty."""
    wugang, other = _units(plan)[:2]
    submission, daily = _tasks(plan, Method.SUBMISSION)[0], _tasks(plan, Method.DAILY)[0]
    services.evaluation_record(
        actor=personas.desk, plan=plan, unit=wugang, task=submission, grade="excellent", expected_version=0
    )
    services.evaluation_record(
        actor=personas.desk, plan=plan, unit=other, task=submission, grade="poor", reason="缺<少>意见表", expected_version=0
    )
    services.evaluation_record(
        actor=personas.desk, plan=plan, unit=wugang, task=daily, score=str(daily.points / 2), reason="超期", expected_version=0
    )
    return [(wugang, submission), (other, submission), (wugang, daily), (other, daily)]


def test_lean_cells_carry_what_the_full_cell_does(personas, plan, graded):
    client = personas.client(personas.desk)
    page = client.get(reverse("scoring:grid", args=[plan.pk])).content.decode()
    for unit, task in graded:
        lean = _form(page, unit, task)
        full = _form(
            client.get(reverse("scoring:evaluate", args=[plan.pk, unit.pk, task.pk]), HTTP_HX_REQUEST="true").content.decode(),
            unit,
            task,
        )
        assert _head(lean) == _head(full)
        assert _head(lean)["hx-post"] == reverse("scoring:evaluate", args=[plan.pk, unit.pk, task.pk])
        assert lean.count("data-grid-input") == 1 and "csrfmiddlewaretoken" not in lean
        control = re.search(r"<(select|input) name=\"(grade|score)\"[^>]*>", lean)
        assert control and control.group(0) in re.sub(r"\s+", " ", full)  # the same control, label and value
    below = _form(page, *graded[1])
    assert "扣分理由：缺&lt;少&gt;意见表" in below and "<少>" not in below  # escaped
    assert f'<a href="{reverse("scoring:unit", args=[plan.pk, graded[0][0].pk])}">' in page
    assert cell_path(reverse("scoring:grid", args=[plan.pk]), 7, 9) == reverse("scoring:evaluate", args=[plan.pk, 7, 9])


def test_the_office_reads_the_lean_grid_disabled(personas, plan, graded):
    page = personas.client(personas.office).get(reverse("scoring:grid", args=[plan.pk])).content.decode()
    lean = _form(page, *graded[0])
    assert "disabled" in lean and "hx-post" not in lean and "data-selectable" not in lean


def test_a_cell_whose_points_changed_is_rendered_in_full(personas, plan, graded):
    unit, task = graded[0]
    PointsChangeFlag.objects.create(
        plan=plan,
        unit=unit,
        task=task,
        old_points=task.points,
        new_points=task.points + 1,
        reason="领导小组调整",
        created_at=timezone.now(),
    )
    page = personas.client(personas.desk).get(reverse("scoring:grid", args=[plan.pk])).content.decode()
    cell = _form(page, unit, task)
    assert 'data-testid="cell-points-changed"' in cell and "领导小组调整" in cell and 'data-testid="confirm-points"' in cell
    assert 'name="reason"' in cell  # the full cell
    assert 'name="reason"' not in _form(page, *graded[1])


def test_the_grading_page_of_one_unit_reads_only_that_unit(personas, plan, graded):
    client = personas.client(personas.desk)
    unit = graded[0][0]
    url = reverse("scoring:unit", args=[plan.pk, unit.pk])
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url).content.decode()
    assert len(ctx.captured_queries) <= 20  # as before reading one unit only, plus the cells' 材料分析提示 counts
    scoped = [
        q["sql"] for q in ctx.captured_queries if '"scoring_evaluation"' in q["sql"] or '"submissions_submission"' in q["sql"]
    ]
    assert scoped and all(f"{unit.pk}" in sql and "unit_id" in sql for sql in scoped)
    assert page.count('<form id="cell-') == len(re.findall(rf'<form id="cell-{unit.pk}-', page))
