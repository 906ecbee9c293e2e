"""Objects of the matrix world added by later features (结果运用, 典型经验), kept out of ``matrix_world.py``.

``add_to_world(world, plan, office)`` is called with one line at the end of ``matrix_world.build_world``, once the
results are published.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def add_to_world(world: Any, plan: Any, office: Any) -> None:
    from kaohe.results import services_use
    from kaohe.results.models_use import DEFAULT_COLUMNS

    world.ids["use_id"] = services_use.result_use_create(
        actor=office,
        plan=plan,
        name="市委市政府中心工作考核",
        weight=Decimal(10),
        total_points=Decimal(100),
        columns=list(DEFAULT_COLUMNS),
    )

    # 典型经验: 舞钢's approved bonus matter, published by the office.
    from kaohe.results import services_practice
    from kaohe.scoring.models import BonusApplication

    bonus = BonusApplication.objects.get(pk=world.ids["application_id"].pk)  # approved since it was added to the world

    practice = services_practice.good_practice_mark(
        actor=office, plan=plan, title="以案释法进机关", note="领导干部旁听庭审常态化", bonus=bonus
    )
    world.ids["practice_id"] = services_practice.good_practice_publish(actor=office, plan=plan, practice=practice)

    # 约谈: a talk with 舞钢's 主要负责人, its minutes uploaded (the results are published).
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kaohe.plans.models import Plan, PlanUnit
    from kaohe.reviews import services_talks
    from kaohe.reviews.services_rectification import today

    wugang = PlanUnit.objects.select_related("organisation").get(pk=world.ids["unit_id"].pk)
    minutes = SimpleUploadedFile(
        "约谈记录.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    world.ids["talk_id"] = services_talks.talk_record(
        actor=office,
        plan=Plan.objects.get(pk=plan.pk),  # the publication changed the status on its own copy
        unit=wugang,
        held_on=today(),
        held_by="考核办主任",
        subject_name="张三",
        subject_post="市长",
        upload=minutes,
    )

    # 指标模板: the county table sent down (下发) to the counties' offices.
    from kaohe.plans import services_templates

    world.ids["template_id"] = services_templates.template_publish(
        actor=office, plan=Plan.objects.get(pk=plan.pk), category=wugang.category, name="县区政府指标体系"
    )

    # 统一考试场次: a city-wide sitting scoring the 县区政府 task 3.1.3, set up while the plan ran (written directly:
    # the results are published now, and the sitting's own services refuse a plan no longer in progress).
    from kaohe.inspections.abilitytests.models import Sitting
    from kaohe.plans.models import Indicator

    sitting = Sitting.objects.create(
        plan=plan, title="全市领导干部法律知识考试", paper_rules={"single": 5}, time_limit_minutes=60, created_by=office
    )
    sitting.tasks.set([Indicator.objects.get(plan=plan, category=wugang.category, code="3.1.3")])
    world.ids["sitting_id"] = sitting

    # 事件触发报送: an event of 舞钢 on the world's task (a row as the unit would have recorded it).
    from kaohe.submissions.models import TaskEvent

    world.ids["event_id"] = TaskEvent.objects.create(
        plan_id=plan.pk,
        unit=wugang,
        task=world.ids["task_id"],
        occurred_on=plan.period_start,
        description="（2020）示例行初1号",
        recorded_by=office,
    )

    # 材料分析提示: a hint on 舞钢's evidence of the world's task (as the background analysis would record it).
    from django.utils import timezone

    from kaohe.insights.models import Hint
    from kaohe.submissions.models import EvidenceFile

    evidence = EvidenceFile.objects.filter(submission__unit=wugang, submission__task=world.ids["task_id"]).first()
    assert evidence is not None
    world.ids["hint_id"] = Hint.objects.create(
        submission_id=evidence.submission_id,
        version=evidence,
        kind=Hint.Kind.OUTSIDE_YEAR,
        message="成文日期早于考核期间",
        created_at=timezone.now(),
    )
