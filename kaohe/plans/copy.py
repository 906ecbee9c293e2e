"""Copy a plan into the next year (复制方案至下一年度).

The new plan is a draft of ``year + 1`` with the same organiser, a title with the year replaced (editable),
and a copy of the set-up: categories, the whole indicator tree of each category (codes, points, methods,
requirements, materials, deadlines, desks; a 明年考核 task becomes a normal task), assessor desks, units (the same organisations, so the same sort
keys), the scoring policy and the member organisations. Every date moves one year later (29 February becomes
28 February). Nothing that happened in the old plan is copied: no submissions, evaluations, adjustments,
feedback, reviews or results.

Open rectification items (整改, not yet 已通过) carry into the new plan. For each category with such items the
tree gets, after its last 一级指标, a new 一级 “上年度问题整改落实情况” with one 二级 and one task
“上年度考核发现问题整改落实情况”, whose requirement lists the open items per unit; each item is linked to that
task (``RectificationItem.carried_task``). A separate 一级 keeps the copied indicators, their codes and their
sums exactly as last year; the new task has no points (分值未填写), so the publication check shows it and the
office decides its weight before publishing, as with any edit of the draft.

Everything happens in one transaction with a bounded number of queries (``bulk_create`` level by level), and
is audited as ``plan.copy``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit, ScoringPolicy

CARRY_LEVEL1 = "上年度问题整改落实情况"
CARRY_LEVEL2 = "上年度考核发现问题整改"
CARRY_TASK = "上年度考核发现问题整改落实情况"
CARRY_MATERIALS = "整改落实情况报告及佐证材料"

# Plan fields copied as they are (dates among them move one year); every other field is set or left new.
PLAN_FIELDS_COPIED = (
    "organiser",
    "period_start",
    "period_end",
    "submission_deadline",
    "case_files_deadline",
    "daily_scores_deadline",
    "field_start",
    "field_end",
    "consultation_days",
)
PLAN_FIELDS_NEW = ("id", "created_at", "updated_at", "year", "title", "doc_number", "status", "published_at")


def shift_year(day: dt.date) -> dt.date:
    """The same day one year later; 29 February becomes 28 February.

    A date in the last representable year (stored before dates were bounded, see core/dates.py) stays as it is.
    """
    if day.year >= dt.MAXYEAR:
        return day
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def next_title(plan: Plan) -> str:
    """The title with the plan's year replaced by the next (平顶山市2020年度… → 平顶山市2021年度…)."""
    return plan.title.replace(str(plan.year), str(plan.year + 1))


def next_doc_number(plan: Plan) -> str:
    return plan.doc_number.replace(str(plan.year), str(plan.year + 1)) if plan.doc_number else ""


def _copy_fields(obj: models.Model, *, skip: Iterable[str], **overrides: Any) -> dict[str, Any]:
    """Concrete field values of ``obj`` (by attname), DateFields one year later, minus ``skip``, plus ``overrides``."""
    skipped = {"id", *skip}
    values: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in skipped or f.name in overrides or f.attname in overrides:
            continue
        value = getattr(obj, f.attname)
        if value is not None and isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            value = shift_year(value)
        values[f.attname] = value
    values.update(overrides)
    return values


def plan_copy(*, actor: User, plan: Plan, title: str, doc_number: str = "") -> Plan:
    """A new draft plan for ``plan.year + 1`` with this plan's set-up and its open rectification items as tasks."""
    from kaohe.reviews import rectification
    from kaohe.reviews.models import RectificationSetting

    access.require(actor, "plan:copy", plan)
    title = (title or "").strip()
    if not title:
        raise ValidationError("请填写新方案的名称")
    year = plan.year + 1
    if year > 2100:
        raise ValidationError("考核年度不能超过 2100 年")
    duplicate = f"{year} 年度已有名为“{title}”的考核方案，不能重复复制；如需另建，请修改方案名称"
    if Plan.objects.filter(organiser_id=plan.organiser_id, year=year, title=title).exists():
        raise ValidationError(duplicate)
    try:
        with transaction.atomic():
            new = Plan(
                **_copy_fields(plan, skip=PLAN_FIELDS_NEW),
                year=year,
                title=title,
                doc_number=(doc_number or "").strip(),
                status=Plan.Status.DRAFT,
            )
            new.full_clean()
            new.save()
            policy = ScoringPolicy.objects.filter(plan=plan).first()
            ScoringPolicy.objects.create(**(_copy_fields(policy, skip=["plan"], plan_id=new.pk) if policy else {"plan": new}))
            new.member_organisations.set(plan.member_organisations.all())
            new.copy_organisations.set(plan.copy_organisations.all())
            categories = _copy_rows(Category, Category.objects.filter(plan=plan).order_by("order", "pk"), plan_id=new.pk)
            desks = _copy_rows(AssessorDesk, AssessorDesk.objects.filter(plan=plan).order_by("pk"), plan_id=new.pk)
            units = PlanUnit.objects.filter(plan=plan).order_by("pk")
            PlanUnit.objects.bulk_create(
                [PlanUnit(**_copy_fields(u, skip=[], plan_id=new.pk, category_id=categories[u.category_id].pk)) for u in units]
            )
            indicators = _copy_tree(plan, new, categories, desks)
            setting = RectificationSetting.objects.filter(plan=plan).first()
            if setting is not None:
                RectificationSetting.objects.create(plan=new, due_date=shift_year(setting.due_date))
            carried = _carry_rectification(new, {c.name: c for c in categories.values()}, rectification.open_items_to_carry(plan))
            audit.record(
                actor=actor,
                action="plan.copy",
                obj=new,
                plan_id=new.pk,
                organisation=plan.organiser,
                before={"plan": plan.pk, "year": plan.year, "title": plan.title},
                after={
                    "year": year,
                    "title": title,
                    "categories": len(categories),
                    "indicators": indicators,
                    "desks": len(desks),
                    "units": len(units),
                    "carried_rectification_items": carried,
                },
            )
    except IntegrityError as exc:  # a concurrent copy won the race
        raise ValidationError(duplicate) from exc
    access.forget(actor)
    return new


def _copy_rows(model: type[Any], rows: Iterable[Any], **overrides: Any) -> dict[int, Any]:
    """Bulk-create a copy of each row (with ``overrides``); old primary key → new row."""
    old = list(rows)
    new = model.objects.bulk_create([model(**_copy_fields(r, skip=[], **overrides)) for r in old])
    return {o.pk: n for o, n in zip(old, new, strict=True)}


def _copy_tree(plan: Plan, new: Plan, categories: dict[int, Category], desks: dict[int, AssessorDesk]) -> int:
    """Copy every indicator, level by level (each level's parents exist before their children); returns the count."""
    nodes = list(Indicator.objects.filter(plan=plan).order_by("level", "category_id", "order"))
    copies: dict[int, Indicator] = {}
    for level in (Level.LEVEL1, Level.LEVEL2, Level.TASK):
        batch = [n for n in nodes if n.level == level]
        made = [
            Indicator(
                **_copy_fields(
                    n,
                    skip=[],
                    plan_id=new.pk,
                    category_id=categories[n.category_id].pk,
                    parent_id=copies[n.parent_id].pk if n.parent_id else None,
                    assessor_id=desks[n.assessor_id].pk if n.assessor_id else None,
                    counts_next_year=False,  # 明年考核: next year is now; the task counts as a normal task
                )
            )
            for n in batch
        ]
        Indicator.objects.bulk_create(made)
        copies.update({o.pk: c for o, c in zip(batch, made, strict=True)})
    return len(copies)


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
    from kaohe.reviews import rectification

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
    return rectification.carry_items(items=carried, plan=new, task_by_category_name=task_by_category)
