"""Insights (材料分析提示): the text, duplicates, facts and hints of a submission — for the task's desk and the
office (``evidence:overview``), never for units (their own submission's hints are the desk's working notes).

The other side of a duplicate pair may sit in another unit, task or year's plan: it is named and quoted only to
a viewer who may read that submission (``may_read_version``); otherwise the hint says a similar file exists and
no more.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from kaohe.access.base import can, plan_roles
from kaohe.access.evidence import get_unit_task_for_user
from kaohe.access.plans import desk_ids
from kaohe.insights.models import Hint
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions.models import EvidenceFile


def _reads_all(user: Any, plan: Plan) -> bool:
    return can(user, "evidence:overview", plan)


def get_submission_for_insights(user: Any, plan: Plan, unit_id: int, task_id: int) -> tuple[PlanUnit, Indicator]:
    """A (unit, task) whose insights the user may read: the task's desk and the office; units 403; others 404."""
    unit, task = get_unit_task_for_user(user, plan, unit_id, task_id)
    if _reads_all(user, plan) or (task.assessor_id is not None and task.assessor_id in desk_ids(user, plan)):
        return unit, task
    raise PermissionDenied


def require_insights_reader(user: Any, plan: Plan) -> None:
    """The plan-wide insight pages (text search): the office and desks; other insiders 403."""
    if _reads_all(user, plan) or desk_ids(user, plan):
        return
    raise PermissionDenied


def readable_files(user: Any, plan: Plan) -> Q:
    """A filter of EvidenceFile: the files of ``plan`` whose text the user may search."""
    files = Q(submission__plan=plan)
    if _reads_all(user, plan):
        return files
    return files & Q(submission__task__assessor_id__in=desk_ids(user, plan))


def may_read_version(user: Any, version: EvidenceFile) -> bool:
    """Whether the user may read this file's submission (any plan of the installation): the other side of a pair."""
    submission = version.submission
    plan = submission.plan
    if not plan_roles(user, plan):
        return False
    try:
        get_unit_task_for_user(user, plan, submission.unit_id, submission.task_id)
    except Http404:
        return False
    return True


def get_hint_to_dismiss(user: Any, plan: Plan, hint_id: int) -> Hint:
    """A hint of the plan the user may dismiss: the desk grading its task, or the office; insiders 403, others 404."""
    hint = (
        Hint.objects.select_related("submission__unit__organisation", "submission__task", "version")
        .filter(pk=hint_id, submission__plan=plan)
        .first()
    )
    if hint is None:
        raise Http404("提示不存在")
    get_unit_task_for_user(user, plan, hint.submission.unit_id, hint.submission.task_id)  # 404 for outsiders
    if not may_dismiss(user, plan, hint):
        raise PermissionDenied
    return hint


def may_dismiss(user: Any, plan: Plan, hint: Hint) -> bool:
    """The office, or the desk grading the hint's task."""
    if _reads_all(user, plan):
        return True
    # access.grading.evaluable_desks, without importing it (it reads scoring, a layer above insights)
    return can(user, "evaluation:write", plan) and hint.submission.task.assessor_id in desk_ids(user, plan)
