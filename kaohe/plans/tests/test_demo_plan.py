"""The demo plan, loaded from its .xlsx files through the import service, shows the real tables.

End-to-end: uses the demo plan (these tests test the demo itself).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from kaohe.plans.constants import Adjustment, Level, Method
from kaohe.plans.models import AssessorDesk, Indicator, PlanImport


def _tasks(plan, category):
    return Indicator.objects.filter(plan=plan, category__name=category, level=Level.TASK)


def test_three_categories_with_their_task_counts_and_totals(demo_plan):
    categories = {c.name: c for c in demo_plan.categories.all()}
    assert set(categories) == {"县区政府", "部门1", "部门2"}
    assert _tasks(demo_plan, "县区政府").count() == 105
    assert _tasks(demo_plan, "部门1").count() == 11
    assert _tasks(demo_plan, "部门2").count() == 96

    def counted_sum(category):
        return sum((t.points or Decimal(0) for t in _tasks(demo_plan, category).filter(adjustment=Adjustment.NONE)), Decimal(0))

    assert counted_sum("县区政府") == Decimal(100)
    assert counted_sum("部门1") == Decimal(15)
    assert counted_sum("部门2") == Decimal(94)
    stated = Indicator.objects.filter(plan=demo_plan, level=Level.LEVEL1, category__name="部门2")
    assert sum(i.points for i in stated) == Decimal(100)


def test_units_and_desks(demo_plan):
    assert demo_plan.units.count() == 60
    counts = {c.name: c.units.count() for c in demo_plan.categories.all()}
    assert counts == {"县区政府": 11, "部门1": 3, "部门2": 46}
    assert AssessorDesk.objects.filter(plan=demo_plan).count() == 20
    section = AssessorDesk.objects.select_related("organisation__parent").get(
        plan=demo_plan, organisation__name="市司法局依法行政指导科"
    )
    assert section.organisation.parent is not None
    assert section.organisation.parent.name == "市司法局"


def test_every_demo_unit_has_a_placeholder_leader(demo_plan):
    from kaohe.demo.loader import demo_leader_post

    units = {u.organisation.name: u for u in demo_plan.units.select_related("organisation")}
    assert all(u.leader_name.endswith("（演示）") and u.leader_post for u in units.values())
    assert units["舞钢市人民政府"].leader_post == "市长"
    assert units["市司法局"].leader_post == "局长"
    assert demo_leader_post("宝丰县人民政府") == "县长"
    assert demo_leader_post("新华区人民政府") == "区长"


def test_adjustment_rows_and_methods_are_kept(demo_plan):
    county = _tasks(demo_plan, "县区政府")
    assert county.filter(adjustment=Adjustment.BONUS).count() == 1
    assert county.filter(adjustment=Adjustment.DEDUCTION).count() == 1
    assert set(_tasks(demo_plan, "部门1").values_list("method", flat=True)) == {Method.FIELD}
    assert _tasks(demo_plan, "部门2").filter(points__isnull=True).count() == 3


def test_every_demo_import_was_applied_with_its_warnings_accepted(demo_plan):
    imports = PlanImport.objects.filter(plan=demo_plan)
    assert imports.count() == 5
    assert set(imports.values_list("status", flat=True)) == {PlanImport.Status.APPLIED}
    dept2 = imports.get(category_name="部门2")
    assert dept2.accepted_warnings > 0
    assert dept2.error_count == 0


def test_plan_page_shows_categories_counts_and_warnings(personas, demo_plan):
    page = personas.client(personas.office).get(reverse("plans:detail", args=[demo_plan.pk])).content.decode()
    for text in ("县区政府", "部门1", "部门2", ">105<", ">11<", ">96<", "条警告"):
        assert text in page


def test_tree_page_marks_mismatched_indicators(personas, demo_plan):
    dept2 = demo_plan.categories.get(name="部门2")
    page = personas.client(personas.office).get(reverse("plans:tree", args=[demo_plan.pk, dept2.pk])).content.decode()
    assert "落实法律风险防控制度" in page
    assert "任务合计 4" in page
    assert "未写分值" in page or "未写" in page
    assert page.count('data-testid="task-row"') == 96


def test_demo_can_be_opened_for_trying_uploads_today(personas, demo_plan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kaohe.core.models import AuditEvent
    from kaohe.demo.loader import open_for_demo
    from kaohe.plans.models import PlanUnit
    from kaohe.submissions.selectors import evidence_tasks

    unit = PlanUnit.objects.get(plan=demo_plan, organisation__name="舞钢市人民政府")
    task = evidence_tasks(demo_plan, category_ids=[unit.category_id])[0]
    url = reverse("submissions:upload", args=[demo_plan.pk, unit.pk, task.pk])
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
    client = personas.client(personas.unit)
    assert client.post(url, {"files": [pdf]}, HTTP_ACCEPT="application/json").status_code == 403  # 2020 deadline passed
    assert demo_plan.daily_scores_deadline is None  # the real 2021-01-19 would hold every desk now
    assert open_for_demo(demo_plan) == len(evidence_tasks(demo_plan))
    assert AuditEvent.objects.filter(action="demo.extend_all", plan_id=demo_plan.pk).exists()
    demo_plan.refresh_from_db()
    assert demo_plan.daily_scores_deadline == timezone.localdate() + dt.timedelta(days=60)
    pdf.seek(0)
    assert client.post(url, {"files": [pdf]}, HTTP_ACCEPT="application/json").status_code == 200


def test_load_demo_command_is_idempotent_and_prints_accounts(demo_plan, capsys):
    from django.core.management import call_command

    call_command("load_demo")  # the demo is there already (the fixture loaded it)
    out = capsys.readouterr().out
    assert "演示方案已存在" in out
    assert "unit_wugang" in out and "Kaohe#2020demo" in out
