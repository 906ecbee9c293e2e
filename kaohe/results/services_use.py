"""Result use (结果运用): adding and removing the plan's receiving assessments (writes).

Reads and the export are in ``selectors_use``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.plans.models import Plan
from kaohe.results.models_use import ResultUse, UseColumn

CAPABILITY = "results:publish"
NAME_MAX = 100
NOTE_MAX = 300


def clean_columns(columns: list[str]) -> list[str]:
    """The chosen columns in the export's order; 考核对象 is always one of them."""
    chosen = set(columns)
    unknown = chosen - set(UseColumn.values)
    if unknown:
        raise ValidationError("导出列不正确：" + "、".join(sorted(unknown)))
    chosen.add(UseColumn.UNIT)
    return [c for c in UseColumn.values if c in chosen]


def result_use_create(
    *,
    actor: User,
    plan: Plan,
    name: str,
    weight: Decimal,
    total_points: Decimal,
    columns: list[str],
    note: str = "",
) -> ResultUse:
    """Add a receiving assessment (结果运用) to the plan; audited as ``results.use_add``."""
    access.require(actor, CAPABILITY, plan)
    name = name.strip()
    if not name:
        raise ValidationError("请填写接收考核的名称")
    if not Decimal(0) <= weight <= Decimal(100):
        raise ValidationError("权重应在 0 至 100 之间（占接收考核总分值的百分比）")
    with transaction.atomic():
        if ResultUse.objects.filter(plan=plan, name=name).exists():
            raise ValidationError(f"已有名为“{name}”的结果运用")
        use = ResultUse(
            plan=plan,
            name=name,
            weight=weight,
            total_points=total_points,
            columns=clean_columns(columns),
            note=note.strip(),
            created_by=actor,
            created_at=timezone.now(),
        )
        use.full_clean()
        use.save(force_insert=True)
        audit.record(
            actor=actor,
            action="results.use_add",
            obj=use,
            plan_id=plan.pk,
            after={
                "name": use.name,
                "weight": str(use.weight),
                "total_points": str(use.total_points),
                "columns": use.column_labels,
            },
        )
    return use


def result_use_remove(*, actor: User, plan: Plan, use: ResultUse) -> None:
    """Remove a receiving assessment from the plan; audited as ``results.use_remove``."""
    access.require(actor, CAPABILITY, plan)
    if use.plan_id != plan.pk:
        raise ValidationError("该结果运用不属于本方案")
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="results.use_remove",
            obj=use,
            plan_id=plan.pk,
            before={"name": use.name, "weight": str(use.weight), "columns": use.column_labels},
        )
        use.delete()
