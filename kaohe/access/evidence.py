"""Evidence (报送资料): a unit's task and its files, for the unit, the task's desk and the office."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kaohe.access.base import can, is_own_unit, require
from kaohe.access.plans import desk_ids
from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions.models import EvidenceFile


def get_unit_task_for_user(
    user: Any, plan: Plan, unit_id: int, task_id: int, *, write: bool = False
) -> tuple[PlanUnit, Indicator]:
    """A (unit, task) pair of the plan the user may read — or, with ``write``, submit evidence for.

    Units reach their own tasks only; desks reach the tasks they are responsible for, for every unit;
    the office reaches all. Anything else, including a task of another category, is 404.
    """
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    task = (
        Indicator.objects.select_related("assessor__organisation", "parent__parent")
        .filter(plan=plan, pk=task_id, level=Level.TASK)
        .first()
    )
    if unit is None or task is None or task.category_id != unit.category_id:
        raise Http404("该考核对象没有这项工作任务")
    own = is_own_unit(user, unit)
    if write:
        if not own:
            raise Http404("该考核对象没有这项工作任务")
        require(user, "evidence:submit", plan)
        return unit, task
    if own:
        return unit, task
    if can(user, "evidence:overview", plan):
        return unit, task
    if task.assessor_id is not None and task.assessor_id in desk_ids(user, plan):
        return unit, task
    raise Http404("该考核对象没有这项工作任务")


def get_evidence_file_for_user(user: Any, plan: Plan, file_id: int) -> EvidenceFile:
    """A file the user may download: its unit's members, the desk of its task, the office."""
    evidence = (
        EvidenceFile.objects.select_related("submission__unit", "submission__task")
        .filter(pk=file_id, submission__plan=plan)
        .first()
    )
    if evidence is None:
        raise Http404("文件不存在")
    get_unit_task_for_user(user, plan, evidence.submission.unit_id, evidence.submission.task_id)
    return evidence


def unit_archive_files_for_user(user: Any, plan: Plan, unit_id: int) -> tuple[PlanUnit, list[EvidenceFile]]:
    """A unit's active files the user may download at once: the unit's members and the office everything, a
    desk the files of its own tasks; anyone else 404."""
    unit = PlanUnit.objects.select_related("organisation").filter(plan=plan, pk=unit_id).first()
    if unit is None:
        raise Http404("考核对象不存在")
    files = EvidenceFile.objects.filter(submission__plan=plan, submission__unit=unit, withdrawn_at__isnull=True)
    if not is_own_unit(user, unit) and not can(user, "evidence:overview", plan):
        desks = desk_ids(user, plan)
        if not desks:
            raise Http404("考核对象不存在")
        files = files.filter(submission__task__assessor_id__in=desks)
    return unit, list(files.select_related("uploaded_by", "submission__task").order_by("submission__task__order", "uploaded_at"))
