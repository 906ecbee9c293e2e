"""回避 on the results breakdown: a desk that graded its own department (allowed by the plan) is flagged there."""

from __future__ import annotations

from django.urls import reverse

from kaohe.plans.constants import Method
from kaohe.results import services
from kaohe.results.tests.conftest import grade, tasks_of, unit_named
from kaohe.scoring import services as scoring
from kaohe.scoring.models import Evaluation


def test_the_breakdown_flags_a_desk_grading_its_own_department(personas, plan):
    sfj = unit_named(plan, "市司法局")
    grade(plan, sfj, personas.office)
    own = next(
        t
        for t in tasks_of(sfj)
        if t.method == Method.SUBMISSION and t.assessor and t.assessor.organisation.name == "市司法局依法行政指导科"
    )
    other = next(t for t in tasks_of(sfj) if t.assessor and t.assessor.organisation.name == "市财政局")
    # 市司法局依法行政指导科 (a section of 市司法局) regrades a 市司法局 task: the city's plan allows it
    # (own_department FLAG, as the real 2020 plan), and the results flag it.
    current = Evaluation.objects.get(unit=sfj, task=own)
    scoring.evaluation_record(
        actor=personas.desk,
        plan=plan,
        unit=sfj,
        task=own,
        grade="good",
        reason="部分材料缺失",
        expected_version=current.version,
    )
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note="测试")
    page = personas.client(personas.office).get(reverse("results:breakdown", args=[plan.pk, snapshot.pk, sfj.pk]))
    body = page.content.decode()
    rows = {row.split("</td>")[0].split(">")[-1]: row for row in body.split('data-testid="task-row"')[1:]}
    assert 'data-testid="conflict-flag"' in rows[own.code]
    assert "回避：市司法局依法行政指导科是市司法局的内设科室（本方案允许考核主体评价本单位，予以标注）" in rows[own.code]
    assert 'data-testid="conflict-flag"' not in rows[other.code]
    assert body.count('data-testid="conflict-flag"') == 1
