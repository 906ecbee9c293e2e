"""实地考核's line of the home page's to-do list (registered in ``FieldworkConfig.ready()``)."""

from __future__ import annotations

from django.urls import reverse

from kaohe.inspections.fieldwork.models import FieldAssignment
from kaohe.plans.todos import Todo, TodoContext


def member_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    ahead = (
        FieldAssignment.objects.filter(plan=plan, group__members__user=context.user, visit_date__gte=context.today)
        .distinct()
        .count()
    )
    return [Todo("待实地考察的考核对象", ahead, reverse("fieldwork:mine", args=[plan.pk]))]
