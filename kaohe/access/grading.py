"""Grading (评价) and adjustments (加减分): which tasks a desk grades, bonus applications, deductions, vetoes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kaohe.access.base import can, is_own_unit, plan_roles
from kaohe.access.evidence import get_unit_task_for_user
from kaohe.access.plans import desk_ids, get_unit_for_user, own_units
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.scoring.models import BonusApplication, Deduction, EvaluationChange, VetoFlag


def evaluable_desks(user: Any, plan: Plan) -> set[int]:
    """Desks whose tasks the user may grade (empty for anyone without ``evaluation:write``)."""
    if not can(user, "evaluation:write", plan):
        return set()
    return desk_ids(user, plan)


def get_task_to_evaluate(user: Any, plan: Plan, unit_id: int, task_id: int) -> tuple[PlanUnit, Indicator]:
    """A (unit, task) pair the user may grade: the task's own desk only; everyone else 404 (or 403 for insiders)."""
    unit, task = get_unit_task_for_user(user, plan, unit_id, task_id)
    if task.assessor_id is None or task.assessor_id not in evaluable_desks(user, plan):
        if plan_roles(user, plan):
            raise PermissionDenied
        raise Http404("该考核对象没有这项工作任务")
    return unit, task


# Who produces a score from outside the desk grid (scoring.services.evaluation_record_derived): a 实地考察组
# member (or the office) for 实地考核, the office for the ability tests' and the case-file review's results.
DERIVED_SCORERS: dict[str, tuple[str, ...]] = {
    EvaluationChange.Source.FIELD: ("fieldwork:score", "fieldwork:manage"),
    EvaluationChange.Source.ABILITY_TEST: ("abilitytest:manage",),
    EvaluationChange.Source.CASE_REVIEW: ("casefile:manage",),
}


def require_derived_scorer(user: Any, plan: Plan, source: str) -> None:
    """403 unless the user may produce scores of ``source`` in the plan (``DERIVED_SCORERS``)."""
    if source not in DERIVED_SCORERS:
        raise ValueError(f"not a derived source: {source}")
    if not any(can(user, capability, plan) for capability in DERIVED_SCORERS[source]):
        raise PermissionDenied


def applying_units(user: Any, plan: Plan) -> list[PlanUnit]:
    """The plan units for which the user may apply for bonus points: its own, with ``adjustment:apply``."""
    if not can(user, "adjustment:apply", plan):
        return []
    return own_units(user, plan)


def _check_adjustment_reader(user: Any, plan: Plan, unit: PlanUnit, *, decide: bool, missing: str) -> None:
    """The office reads and decides every unit's adjustments; a unit's members read their own (403 to decide).

    Anyone else gets 404: another unit's adjustments "do not exist" for them.
    """
    if can(user, "adjustment:decide", plan):
        return
    if is_own_unit(user, unit):
        if decide:
            raise PermissionDenied
        return
    raise Http404(missing)


def get_bonus_application_for_user(user: Any, plan: Plan, application_id: int, *, decide: bool = False) -> BonusApplication:
    """A bonus application of the plan: its unit's members and the office read it; ``decide`` is the office's."""
    application = (
        BonusApplication.objects.select_related(
            "unit__organisation", "unit__category", "applied_by", "decided_by", "duplicate_of"
        )
        .filter(plan=plan, pk=application_id)
        .first()
    )
    if application is None:
        raise Http404("加分申请不存在")
    _check_adjustment_reader(user, plan, application.unit, decide=decide, missing="加分申请不存在")
    return application


def get_deduction_for_user(user: Any, plan: Plan, deduction_id: int, *, decide: bool = False) -> Deduction:
    """A deduction of the plan: the office reads and changes it; the unit concerned may read its own."""
    deduction = (
        Deduction.objects.select_related("unit__organisation", "unit__category", "task", "recorded_by", "duplicate_of")
        .filter(plan=plan, pk=deduction_id)
        .first()
    )
    if deduction is None:
        raise Http404("减分记录不存在")
    _check_adjustment_reader(user, plan, deduction.unit, decide=decide, missing="减分记录不存在")
    return deduction


def get_veto_flag_for_user(user: Any, plan: Plan, flag_id: int) -> VetoFlag:
    """A veto flag of the plan: the office's record; everyone else 404."""
    flag = VetoFlag.objects.select_related("unit__organisation").filter(plan=plan, pk=flag_id).first()
    if flag is None or not can(user, "adjustment:decide", plan):
        raise Http404("否决情形记录不存在")
    return flag


def get_unit_to_adjust(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit of the plan for which the office records deductions and veto flags (403 for other insiders)."""
    return get_unit_for_user(user, plan, unit_id, capability="adjustment:decide")
