"""Results' lines of the home page's to-do list (registered in ``ResultsConfig.ready()``)."""

from __future__ import annotations

from kaohe.plans.todos import Todo, TodoContext, plan_url
from kaohe.results.models import ConsultationComment, ReleaseStatus, ResultRelease


def office_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    release = ResultRelease.objects.filter(plan=plan, is_current=True, status=ReleaseStatus.CONSULTING).first()
    if not release:
        return []
    comments = ConsultationComment.objects.filter(release=release).count()
    return [Todo("征求意见中收到的意见", comments, plan_url("results:release", plan))]


def viewer_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    consulting = ResultRelease.objects.filter(plan=plan, is_current=True, status=ReleaseStatus.CONSULTING).exists()
    return [Todo("征求意见中的考核结果", 1, plan_url("results:consult", plan), urgent=True)] if consulting else []
