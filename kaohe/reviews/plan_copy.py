"""What the copy into next year (``kaohe.plans.copy``) carries for reviews: open rectification items (整改).

Registered as a copy hook in ``ReviewsConfig.ready()``. The new plan gets the 整改期限 setting one year later.
Open items (not yet 已通过) carry into the new plan: for each category with such items the tree gets, after
its last 一级指标, a new 一级 “上年度问题整改落实情况” with one 二级 and one task “上年度考核发现问题整改落实情况”,
whose requirement lists the open items per unit; each item is linked to that task
(``RectificationItem.carried_task``). A separate 一级 keeps the copied indicators, their codes and their sums
exactly as last year; the new task has no points (分值未填写), so the publication check shows it and the office
decides its weight before publishing, as with any edit of the draft.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from kaohe.plans.constants import Level, Method
from kaohe.plans.copy import PlanCopy, shift_year
from kaohe.plans.models import Category, Indicator, Plan
from kaohe.reviews import services_rectification
from kaohe.reviews.models import RectificationSetting

CARRY_LEVEL1 = "上年度问题整改落实情况"
CARRY_LEVEL2 = "上年度考核发现问题整改"
CARRY_TASK = "上年度考核发现问题整改落实情况"
CARRY_MATERIALS = "整改落实情况报告及佐证材料"


def copy_rectification(copied: PlanCopy) -> dict[str, Any]:
    """The 整改期限 setting (with the 重点单位's report interval) and the open items into ``copied.new``; the count of items for the audit event."""
    setting = RectificationSetting.objects.filter(plan=copied.old).first()
    if setting is not None:
        RectificationSetting.objects.create(
            plan=copied.new, due_date=shift_year(setting.due_date), focus_report_days=setting.focus_report_days
        )
    carried = _carry_rectification(copied.new, copied.categories, services_rectification.open_items_to_carry(copied.old))
    return {"carried_rectification_items": carried}


def _requirement(items: list[Any]) -> str:
    """The open items per unit, as the new task's 工作要求."""
    lines = ["逐项核查上年度考核发现问题的整改落实情况。尚未整改完毕的问题："]
    by_unit: dict[str, list[Any]] = {}
    for item in items:
        by_unit.setdefault(item.unit.organisation.name, []).append(item)
    for name, unit_items in by_unit.items():
        lines.append(f"{name}：")
        for i, item in enumerate(unit_items, start=1):
            code = f"【{item.task.code}】" if item.task else ""
            lines.append(f"{i}. {code}{item.text}（整改期限 {item.due_date:%Y-%m-%d}，{item.get_status_display()}）")
    return "\n".join(lines)


def _carry_rectification(new: Plan, categories: dict[str, Category], items: list[Any]) -> int:
    """One new 一级/二级/task per category with open items, then every item linked to its category's task."""
    if not items:
        return 0
    by_category: dict[str, list[Any]] = {}
    for item in items:
        if item.unit.category.name in categories:
            by_category.setdefault(item.unit.category.name, []).append(item)
    existing = Indicator.objects.filter(plan=new, level=Level.LEVEL1, category__name__in=list(by_category))
    codes: dict[int, set[str]] = {}
    top: dict[int, int] = {}
    for code_row in existing.values("category_id", "code"):
        codes.setdefault(code_row["category_id"], set()).add(code_row["code"])
    for row in (
        Indicator.objects.filter(plan=new, category__name__in=list(by_category))
        .values("category_id")
        .annotate(last=models.Max("order"))
    ):
        top[row["category_id"]] = row["last"]
    level1: list[Indicator] = []
    level2: list[Indicator] = []
    tasks: list[Indicator] = []
    task_by_category: dict[str, Indicator] = {}
    for name, category_items in by_category.items():
        category = categories[name]
        n = len(codes.get(category.pk, set())) + 1
        while str(n) in codes.get(category.pk, set()):
            n += 1
        order = top.get(category.pk, 0)
        common = {"plan": new, "category": category}
        l1 = Indicator(**common, level=Level.LEVEL1, code=str(n), order=order + 1, name=CARRY_LEVEL1)
        l2 = Indicator(**common, level=Level.LEVEL2, parent=l1, code=f"{n}.1", order=order + 2, name=CARRY_LEVEL2)
        task = Indicator(
            **common,
            level=Level.TASK,
            parent=l2,
            code=f"{n}.1.1",
            order=order + 3,
            name=CARRY_TASK,
            method=Method.SUBMISSION,
            materials=CARRY_MATERIALS,
            requirement=_requirement(category_items),
        )
        level1.append(l1)
        level2.append(l2)
        tasks.append(task)
        task_by_category[name] = task
    for batch in (level1, level2, tasks):  # parents first: each level's primary keys exist before its children
        for node in batch:
            node.parent_id = node.parent.pk if node.parent else None
        Indicator.objects.bulk_create(batch)
    carried = [i for items_ in by_category.values() for i in items_]
    return services_rectification.carry_items(items=carried, plan=new, task_by_category_name=task_by_category)
