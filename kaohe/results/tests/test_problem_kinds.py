"""问题类型统计: the analysis counts deduction reasons and feedback problems by kind, category and unit."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, PlanUnit, ProblemKind
from kaohe.plans.services_problems import problem_kinds_seed
from kaohe.results import services
from kaohe.results.analysis.problems import DEDUCTION, FEEDBACK, ProblemRow, problem_sentences, problem_tables
from kaohe.reviews.services import feedback_problem_add
from kaohe.scoring.models import GradeChoice
from kaohe.scoring.services import evaluation_record


def _row(kind, category, unit, source=DEDUCTION):
    orders = {"规范性文件超期报备": 1, "信息公开不到位": 2}
    categories = {"县区政府": 1, "部门": 2}
    return ProblemRow(kind, (orders[kind], orders[kind]), category, (categories[category], 0), unit, source)


def test_tables_and_sentences_count_by_kind_category_and_unit():
    rows = [
        _row("信息公开不到位", "部门", "市财政局"),
        _row("规范性文件超期报备", "县区政府", "舞钢市人民政府"),
        _row("规范性文件超期报备", "县区政府", "舞钢市人民政府", FEEDBACK),
        _row("规范性文件超期报备", "县区政府", "郏县人民政府"),
        _row("规范性文件超期报备", "部门", "市财政局", FEEDBACK),
    ]
    kinds, units = problem_tables(rows)
    assert [c.title for c in kinds.columns] == ["问题类型", "县区政府", "部门", "合计", "其中扣分理由", "其中发现的问题"]
    assert kinds.rows == (("规范性文件超期报备", 3, 1, 4, 2, 2), ("信息公开不到位", 0, 1, 1, 1, 0))
    assert units.rows == (
        ("规范性文件超期报备", "县区政府", "舞钢市人民政府", 2),
        ("规范性文件超期报备", "县区政府", "郏县人民政府", 1),
        ("规范性文件超期报备", "部门", "市财政局", 1),
        ("信息公开不到位", "部门", "市财政局", 1),
    )
    assert problem_sentences(rows) == [
        "规范性文件超期报备共4件，其中县区政府3件、部门1件。",
        "信息公开不到位共1件，均为部门。",
    ]
    assert problem_sentences([]) == []
    assert [t.rows for t in problem_tables([])] == [(), ()]


@pytest.mark.django_db
def test_the_analysis_page_and_workbook_show_the_counts(personas, plan):
    problem_kinds_seed(plan)
    late = ProblemKind.objects.get(plan=plan, name="规范性文件超期报备")
    wugang = PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name="舞钢市人民政府")
    task = Indicator.objects.get(plan=plan, category__name="县区政府", level=Level.TASK, code="1.1.1")
    evaluation_record(
        actor=personas.desk,
        plan=plan,
        unit=wugang,
        task=task,
        grade=GradeChoice.GOOD,
        reason="超期报备2件",
        problem_kind_id=late.pk,
        expected_version=None,
    )
    feedback_problem_add(actor=personas.office, plan=plan, unit=wugang, task=None, text="另有1件超期", kind_id=late.pk)
    services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note="按0分计")
    client = personas.client(personas.office)
    page = client.get(reverse("analysis:index", args=[plan.pk])).content.decode()
    assert "问题类型统计（按类别）" in page and 'data-testid="table-problem_kinds"' in page
    section = page.split('data-testid="table-problem_kind_units"')[1]
    assert "舞钢市人民政府" in section and "规范性文件超期报备" in section
    response = client.get(reverse("analysis:export", args=[plan.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    titles = [ws.title for ws in book.worksheets]
    assert any("问题类型" in title for title in titles)


@pytest.mark.django_db
def test_the_bulletin_quotes_the_counts_only_when_the_office_ticks_it(personas, plan):
    import docx

    from kaohe.results.models import ResultRelease

    problem_kinds_seed(plan)
    late = ProblemKind.objects.get(plan=plan, name="规范性文件超期报备")
    for name in ("舞钢市人民政府", "市司法局"):
        unit = PlanUnit.objects.get(plan=plan, organisation__name=name)
        feedback_problem_add(actor=personas.office, plan=plan, unit=unit, task=None, text="超期报备", kind_id=late.pk)
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note="按0分计")
    release = services.release_start(
        actor=personas.office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=5)
    )
    office = personas.client(personas.office)
    url = reverse("results:release_bulletin", args=[plan.pk])

    def text() -> str:
        return "\n".join(p.text for p in docx.Document(io.BytesIO(office.get(url).content)).paragraphs)

    assert "问题类型统计" not in text()  # default off
    page = office.get(reverse("results:release", args=[plan.pk])).content.decode()
    assert 'name="bulletin_problem_counts"' in page and "引用问题类型统计" in page
    response = office.post(reverse("results:bulletin_edit", args=[plan.pk]), {"bulletin_problem_counts": "on"})
    assert response.status_code == 302
    assert ResultRelease.objects.get(pk=release.pk).bulletin_problem_counts
    categories = {
        u.organisation.name: u.category.name
        for u in PlanUnit.objects.filter(plan=plan, organisation__name__in=["舞钢市人民政府", "市司法局"]).select_related(
            "organisation", "category"
        )
    }
    expected = f"规范性文件超期报备共2件，其中{categories['舞钢市人民政府']}1件、{categories['市司法局']}1件。"
    assert f"考核中发现的问题按类型统计：{expected}" in text()
