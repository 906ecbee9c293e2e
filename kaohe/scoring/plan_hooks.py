"""Scoring's answers to plans' questions (``kaohe/plans/hooks.py``), registered in ``ScoringConfig.ready()``."""

from __future__ import annotations

from django.db.models import Count

from kaohe.plans.models import Indicator, Plan
from kaohe.scoring.models import Evaluation, VetoFlag


def task_records(task_ids: list[int]) -> str:
    evaluations = Evaluation.objects.filter(task_id__in=task_ids).count()
    return f"{evaluations}条评价" if evaluations else ""


def evaluated_units(plan: Plan, task: Indicator) -> list[int]:
    return list(Evaluation.objects.filter(plan=plan, task=task).values_list("unit_id", flat=True))


def recorded_facts(plan: Plan) -> tuple[dict[str, int], bool]:
    """Veto flags recorded per key, and whether any evaluation was given as a grade (优/良/中/差)."""
    flags = dict(VetoFlag.objects.filter(plan=plan).values_list("flag").annotate(n=Count("pk")).values_list("flag", "n"))
    graded = Evaluation.objects.filter(plan=plan).exclude(grade="").exists()
    return flags, graded
