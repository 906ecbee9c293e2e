"""Scoring's lines of the home page's to-do list (registered in ``ScoringConfig.ready()``)."""

from __future__ import annotations

from django.db.models import Count

from kaohe.plans.models import Plan
from kaohe.plans.todos import Todo, TodoContext, plan_url
from kaohe.scoring.models import BonusApplication


def _pending_bonuses(plans: list[Plan]) -> dict[int, int]:
    pending = BonusApplication.objects.filter(plan__in=plans, status=BonusApplication.Status.PENDING)
    return dict(pending.values_list("plan_id").annotate(n=Count("id")).values_list("plan_id", "n"))


def office_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    bonuses = context.per_plan("scoring.pending_bonuses", _pending_bonuses).get(plan.pk, 0)
    return [Todo("待审核的加分申请", bonuses, plan_url("scoring:adjustments_office", plan), urgent=bool(bonuses))]
