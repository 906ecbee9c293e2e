"""Results' lines of the home page's to-do list (registered in ``ResultsConfig.ready()``)."""

from __future__ import annotations

from django.db.models import Count

from kaohe.plans.models import Plan
from kaohe.plans.todos import Todo, TodoContext, plan_url
from kaohe.results.models import ReleaseStatus, ResultRelease


def _consultation_comments(plans: list[Plan]) -> dict[int, int]:
    """Comments received per plan whose current release is in 征求意见 (plans without one are absent)."""
    consulting = ResultRelease.objects.filter(plan__in=plans, is_current=True, status=ReleaseStatus.CONSULTING)
    return dict(consulting.annotate(n=Count("comments")).values_list("plan_id", "n"))


def office_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    comments = context.per_plan("results.consultation_comments", _consultation_comments)
    if plan.pk not in comments:
        return []
    return [Todo("征求意见中收到的意见", comments[plan.pk], plan_url("results:release", plan))]


def viewer_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    consulting = ResultRelease.objects.filter(plan=plan, is_current=True, status=ReleaseStatus.CONSULTING).exists()
    return [Todo("征求意见中的考核结果", 1, plan_url("results:consult", plan), urgent=True)] if consulting else []
