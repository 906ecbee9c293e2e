"""Search (搜索): units, tasks and evidence files the user may see, by name, code or file name.

What each user may find comes from ``search_scope``; this module only matches the words, caps each
kind at ``LIMIT`` rows and names where each result leads. A fixed number of queries whatever the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse

from kaohe.access.plans import SearchScope, search_scope
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.submissions.models import EvidenceFile

LIMIT = 50


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Results:
    units: list[Hit]
    tasks: list[Hit]
    files: list[Hit]
    units_capped: bool
    tasks_capped: bool
    files_capped: bool

    @property
    def empty(self) -> bool:
        return not (self.units or self.tasks or self.files)


def search(user: Any, query: str) -> Results:
    scope = search_scope(user)
    units = list(
        PlanUnit.objects.filter(scope.units, organisation__name__icontains=query)
        .select_related("organisation", "category", "plan")
        .order_by("-plan__year", "plan_id", "category__order", "organisation__sort_key", "pk")[: LIMIT + 1]
    )
    tasks = list(
        Indicator.objects.filter(scope.tasks)
        .filter(Q(code__icontains=query) | Q(name__icontains=query))
        .select_related("category", "plan")
        .order_by("-plan__year", "plan_id", "category__order", "order", "pk")[: LIMIT + 1]
    )
    files = list(
        EvidenceFile.objects.filter(scope.files, withdrawn_at__isnull=True, display_name__icontains=query)
        .select_related("submission__plan", "submission__unit__organisation", "submission__task")
        .order_by("-uploaded_at", "-pk")[: LIMIT + 1]
    )
    return Results(
        units=[_unit_hit(u, scope) for u in units[:LIMIT]],
        tasks=[_task_hit(t, scope) for t in tasks[:LIMIT]],
        files=[_file_hit(f) for f in files[:LIMIT]],
        units_capped=len(units) > LIMIT,
        tasks_capped=len(tasks) > LIMIT,
        files_capped=len(files) > LIMIT,
    )


def _unit_hit(unit: PlanUnit, scope: SearchScope) -> Hit:
    if unit.plan_id in scope.unit_list_plans:
        url = reverse("plans:units", args=[unit.plan_id]) + f"#unit-{unit.pk}"
    else:
        url = reverse("submissions:workspace", args=[unit.plan_id])
    return Hit(unit.organisation.name, f"{unit.plan.title} · {unit.category.name}", url)


def _task_hit(task: Indicator, scope: SearchScope) -> Hit:
    own_unit = scope.own_units.get((task.plan_id, task.category_id))
    if own_unit is not None:
        url = reverse("submissions:task", args=[task.plan_id, own_unit, task.pk])
    else:
        url = reverse("plans:tree", args=[task.plan_id, task.category_id]) + f"#task-{task.pk}"
    return Hit(f"{task.code} {task.name}", f"{task.plan.title} · {task.category.name}", url)


def _file_hit(evidence: EvidenceFile) -> Hit:
    submission = evidence.submission
    url = reverse("submissions:task", args=[submission.plan_id, submission.unit_id, submission.task_id])
    detail = f"{submission.plan.title} · {submission.unit.organisation.name} · {submission.task.code} {submission.task.name}"
    return Hit(evidence.display_name, detail, url)
