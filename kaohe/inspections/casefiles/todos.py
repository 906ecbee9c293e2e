"""案卷评查's line of the home page's to-do list (registered in ``CasefilesConfig.ready()``)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from kaohe.inspections.casefiles.models import SampledFile
from kaohe.plans.todos import Todo, TodoContext


def case_reviewer_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    waiting = (
        SampledFile.objects.filter(plan=plan, reviewer__user=context.user)
        .filter(Q(status=SampledFile.Status.PENDING) | Q(status=SampledFile.Status.DRAFT) | Q(status=SampledFile.Status.RETURNED))
        .count()
    )
    return [Todo("待评查的案卷", waiting, reverse("casefiles:assigned", args=[plan.pk]), urgent=bool(waiting))]
