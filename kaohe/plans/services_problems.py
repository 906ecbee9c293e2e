"""问题类型: the plan's editable list of problem kinds (issue 15, item 2).

A desk's deduction reason and a feedback problem may carry one kind next to their free text; the analysis
counts them by kind, category and unit. A new plan starts with the suggested kinds (or, when copied, the
previous plan's list); the office adds kinds and retires those it no longer wants (a retired kind stays on
what already carries it and is still counted).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.plans.models import Plan, ProblemKind

#: Suggested kinds, after the bulletins ("79件规范性文件超期报备…").
DEFAULT_PROBLEM_KINDS: tuple[str, ...] = ("规范性文件超期报备", "行政执法案卷不规范", "未按时报送资料", "信息公开不到位", "其他")
NAME_MAX = 60
KINDS_MAX = 50


def problem_kinds_seed(plan: Plan, names: Iterable[str] = DEFAULT_PROBLEM_KINDS) -> None:
    """Fill a new plan's list; the caller (plan_create, plan_copy) runs in its transaction and audits."""
    ProblemKind.objects.bulk_create(
        ProblemKind(plan=plan, name=name, position=i) for i, name in enumerate(dict.fromkeys(names), start=1)
    )


def _check_open(plan: Plan) -> None:
    if plan.status in (Plan.Status.RESULTS_PUBLISHED, Plan.Status.ARCHIVED):
        raise ValidationError("考核结果已公布，问题类型不能再修改")


def problem_kind_add(*, actor: User, plan: Plan, name: str) -> ProblemKind:
    """Add a kind (or bring a retired one of the same name back)."""
    access.require(actor, "plan:settings", plan)
    _check_open(plan)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("请填写问题类型的名称")
    if len(name) > NAME_MAX:
        raise ValidationError(f"问题类型的名称不能超过 {NAME_MAX} 字")
    with transaction.atomic():
        existing = ProblemKind.objects.select_for_update().filter(plan=plan, name=name).first()
        if existing is not None and existing.active:
            raise ValidationError(f"已有问题类型“{name}”")
        if existing is None and ProblemKind.objects.filter(plan=plan, active=True).count() >= KINDS_MAX:
            raise ValidationError(f"问题类型最多 {KINDS_MAX} 个")
        if existing is not None:
            existing.active = True
            existing.save(update_fields=["active"])
            kind = existing
        else:
            last = ProblemKind.objects.filter(plan=plan).aggregate(m=Max("position"))["m"] or 0
            kind = ProblemKind(plan=plan, name=name, position=last + 1)
            kind.full_clean()
            kind.save()
        audit.record(
            actor=actor, action="problem_kind.add", obj=kind, plan_id=plan.pk, organisation=plan.organiser, after={"name": name}
        )
    return kind


def problem_kind_retire(*, actor: User, plan: Plan, kind_id: int) -> ProblemKind:
    """Take a kind off the list offered to desks and the office; what already carries it keeps it."""
    access.require(actor, "plan:settings", plan)
    _check_open(plan)
    with transaction.atomic():
        kind = ProblemKind.objects.select_for_update().filter(plan=plan, pk=kind_id, active=True).first()
        if kind is None:
            raise ValidationError("该问题类型不存在或已移除，请刷新页面")
        kind.active = False
        kind.save(update_fields=["active"])
        audit.record(
            actor=actor,
            action="problem_kind.retire",
            obj=kind,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before={"name": kind.name},
        )
    return kind
