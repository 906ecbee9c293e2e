"""Scoring's lines of the home page's to-do list (registered in ``ScoringConfig.ready()``)."""

from __future__ import annotations

from kaohe.plans.todos import Todo, TodoContext, plan_url
from kaohe.scoring.models import BonusApplication


def office_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    bonuses = BonusApplication.objects.filter(plan=plan, status=BonusApplication.Status.PENDING).count()
    return [Todo("待审核的加分申请", bonuses, plan_url("scoring:adjustments_office", plan), urgent=bool(bonuses))]
