"""材料分析提示 on the desk's grid: a marker per cell with open hints (one query for the grid), linking to the
submission's analysis — and hints never change an evaluation or a score."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from kaohe.insights import services as insights
from kaohe.insights.models import Hint
from kaohe.insights.selectors import hint_counts
from kaohe.insights.tests.conftest import add_file, county_task
from kaohe.insights.tests.documents import REPORT_BODY, make_docx
from kaohe.scoring import services
from kaohe.scoring.models import Evaluation, EvaluationChange
from kaohe.scoring.tests.test_grid_clerk import _cell, _grid, _units


def _duplicate(plan, personas):
    task = county_task(plan, "市司法局依法行政指导科")
    wugang, baofeng, jiaxian = _units(plan)[:3]
    mine = add_file(plan, wugang, task, "报告.docx", make_docx(REPORT_BODY), personas.unit)
    theirs = add_file(plan, baofeng, task, "报告.docx", make_docx(REPORT_BODY[:-1]), personas.office)
    insights.version_analyse(mine.pk)
    insights.version_analyse(theirs.pk)
    return task, wugang, baofeng, jiaxian


def test_hint_counts_in_one_query(plan, personas, django_assert_num_queries):
    task, wugang, baofeng, jiaxian = _duplicate(plan, personas)
    with django_assert_num_queries(1):
        counts = hint_counts(plan, [wugang.pk, baofeng.pk, jiaxian.pk], [task.pk])
    assert counts == {(wugang.pk, task.pk): 1, (baofeng.pk, task.pk): 1}


def test_the_grid_marks_cells_with_open_hints(plan, personas):
    task, wugang, _baofeng, jiaxian = _duplicate(plan, personas)
    client = personas.client(personas.desk)
    page = _grid(client, plan)
    marker = _cell(page, wugang, task)
    assert 'data-testid="cell-hints"' in marker
    assert reverse("insights:submission", args=[plan.pk, wugang.pk, task.pk]) in marker
    assert 'data-testid="cell-hints"' not in _cell(page, jiaxian, task)
    # after a save the cell fragment keeps its marker
    fragment = client.get(reverse("scoring:evaluate", args=[plan.pk, wugang.pk, task.pk])).content.decode()
    assert 'data-testid="cell-hints"' in fragment
    hint = Hint.objects.get(version__submission__unit=wugang)
    insights.hint_dismiss(actor=personas.desk, plan=plan, hint=hint, reason="两县共用市里模板，内容已核实")
    assert 'data-testid="cell-hints"' not in _cell(_grid(client, plan), wugang, task)


def test_hints_never_change_an_evaluation(plan, personas):
    task = county_task(plan, "市司法局依法行政指导科")
    wugang, baofeng, _ = _units(plan)[:3]
    services.evaluation_record(
        actor=personas.desk, plan=plan, unit=wugang, task=task, grade="good", reason="内容不全", expected_version=0
    )
    changes = EvaluationChange.objects.count()
    before = list(
        Evaluation.objects.filter(plan=plan).order_by("pk").values("pk", "score", "grade", "version", "evaluated_at", "reason")
    )
    mine = add_file(plan, wugang, task, "报告.docx", make_docx(REPORT_BODY), personas.unit)
    theirs = add_file(plan, baofeng, task, "报告.docx", make_docx(REPORT_BODY), personas.office)
    insights.version_analyse(mine.pk)
    insights.version_analyse(theirs.pk)
    hint = Hint.objects.get(version=mine)
    hint = insights.hint_dismiss(actor=personas.desk, plan=plan, hint=hint, reason="已核实")
    after = list(
        Evaluation.objects.filter(plan=plan).order_by("pk").values("pk", "score", "grade", "version", "evaluated_at", "reason")
    )
    assert after == before
    assert EvaluationChange.objects.count() == changes
    assert Evaluation.objects.get(unit=wugang, task=task).score < Decimal(task.points)
    assert hint.dismissed_at is not None and hint.dismissed_at <= timezone.now()
