"""Editing a category's indicator tree in pages: add, edit, move, delete 一级 / 二级 / tasks, assign desks in bulk.

While the plan is a draft every change is free (and audited). Once the plan is published (已发布) each change
needs a written reason, is audited with it, and notifies the units of the category and the desks whose tasks
it touches; changing the points of a task that already has evaluations never rescales them: each is flagged
(:class:`PointsChangeFlag`) for its desk to confirm. Once results are published the tree is frozen.

A node adopted from a higher office's template (``Indicator.template_item``, ``services_templates``) keeps its
constraints here: a 锁定 task is never deleted (nor a node above it) and keeps its points and method; a task
with 最低分值 never goes below it (``template_problems``).

Codes (``4.2.3``) and ``order`` (pre-order within the category) are renumbered after every move and delete, so
the tree always reads 1, 1.1, 1.1.1 … in the order shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.notifications import notify_organisations
from kaohe.core.templatetags.kaohe import pts
from kaohe.organisations.roles import Role
from kaohe.plans import hooks
from kaohe.plans.constants import EVENT_LABEL_MAX, MAX_EVENT_DAYS, Adjustment, Level, Method
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit, PointsChangeFlag

CAPABILITY = "plan:import"
NAME_MAX = 500
MATERIALS_MAX = 1000
REQUIREMENT_MAX = 2000
REASON_MAX = 500
POINTS_MAX = Decimal("1000")
EDITABLE_FIELDS = (
    "name",
    "points",
    "method",
    "materials",
    "deadline",
    "requirement",
    "assessor",
    "adjustment",
    "counts_next_year",
    "event_label",
    "event_days",
)
PARENT_LEVEL = {Level.LEVEL2: Level.LEVEL1, Level.TASK: Level.LEVEL2}
FROZEN_STATUSES = (Plan.Status.RESULTS_PUBLISHED, Plan.Status.ARCHIVED)


def _check_editable(plan: Plan, reason: str) -> str:
    """The reason to record ("" for a draft); refuses a frozen plan and a published one without a reason."""
    if plan.status in FROZEN_STATUSES:
        raise ValidationError("考核结果已公布，指标体系已冻结，不能再修改")
    reason = (reason or "").strip()
    if plan.status == Plan.Status.PUBLISHED:
        if not reason:
            raise ValidationError("方案已发布，修改指标须填写修改理由")
        if len(reason) > REASON_MAX:
            raise ValidationError(f"修改理由不能超过{REASON_MAX}个字")
        return reason
    return ""


def _lock(plan: Plan) -> Plan:
    """The plan row, locked for this transaction (one editor at a time), with its current status."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _snapshot(node: Indicator) -> dict[str, Any]:
    return {
        "code": node.code,
        "level": node.level,
        "parent": node.parent_id,
        "name": node.name,
        "points": node.points,
        "method": node.method,
        "materials": node.materials,
        "deadline": node.deadline,
        "requirement": node.requirement,
        "assessor": node.assessor_id,
        "adjustment": node.adjustment,
        "counts_next_year": node.counts_next_year,
        "event_label": node.event_label,
        "event_days": node.event_days,
    }


def _clean_values(plan: Plan, category: Category, level: int, values: dict[str, Any]) -> dict[str, Any]:
    """Validate the editable fields of a node of ``level``; all problems at once, in Chinese."""
    errors: dict[str, list[str]] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors.setdefault("name", []).append("请填写名称")
    elif len(name) > NAME_MAX:
        errors.setdefault("name", []).append(f"名称不能超过{NAME_MAX}个字")
    points = values.get("points")
    if points is not None:
        if not isinstance(points, Decimal):
            try:
                points = Decimal(str(points))
            except ArithmeticError:
                points = None
                errors.setdefault("points", []).append("分值须为数字")
        if points is not None and not points.is_finite():
            errors.setdefault("points", []).append("分值须为数字")
        elif points is not None and points < 0:
            errors.setdefault("points", []).append("分值不能为负数")
        elif points is not None and points > POINTS_MAX:
            errors.setdefault("points", []).append(f"分值不能超过{POINTS_MAX}分")
        elif points is not None and points != points.quantize(Decimal("0.01")):
            errors.setdefault("points", []).append("分值最多保留两位小数")
    if points is not None and "points" not in errors:
        points = points.quantize(Decimal("0.01"))
    cleaned: dict[str, Any] = {"name": name, "points": points}
    if level == Level.TASK:
        method = str(values.get("method") or "")
        if method not in Method.values:
            errors.setdefault("method", []).append("请选择考核方式")
        adjustment = str(values.get("adjustment") or "")
        if adjustment not in Adjustment.values:
            errors.setdefault("adjustment", []).append("加减分项选择无效")
        materials = str(values.get("materials") or "").strip()
        if len(materials) > MATERIALS_MAX:
            errors.setdefault("materials", []).append(f"报送材料不能超过{MATERIALS_MAX}个字")
        requirement = str(values.get("requirement") or "").strip()
        if len(requirement) > REQUIREMENT_MAX:
            errors.setdefault("requirement", []).append(f"工作要求不能超过{REQUIREMENT_MAX}个字")
        deadline = values.get("deadline")
        if deadline is not None and not isinstance(deadline, dt.date):
            errors.setdefault("deadline", []).append("时间要求不是有效的日期")
        assessor = values.get("assessor")
        if assessor is not None and (not isinstance(assessor, AssessorDesk) or assessor.plan_id != plan.pk):
            errors.setdefault("assessor", []).append("责任主体不属于本方案")
        event_label, event_days = _clean_event_mode(values, method=method, materials=materials, errors=errors)
        cleaned.update(
            method=method,
            adjustment=adjustment,
            materials=materials,
            requirement=requirement,
            deadline=deadline,
            assessor=assessor,
            counts_next_year=bool(values.get("counts_next_year")),
            event_label=event_label,
            **({"event_days": event_days} if event_days is not None else {}),
        )
    else:
        cleaned.update(
            method="",
            adjustment=Adjustment.NONE.value,
            materials="",
            requirement="",
            deadline=None,
            assessor=None,
            counts_next_year=False,
            event_label="",
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_event_mode(
    values: dict[str, Any], *, method: str, materials: str, errors: dict[str, list[str]]
) -> tuple[str, int | None]:
    """(event label, working days) of 事件触发报送 (label "" for an ordinary task). Days None when not given: the
    node keeps its own (a new one the default), so callers that know nothing of event mode change nothing."""
    label = str(values.get("event_label") or "").strip()
    raw_days = values.get("event_days")
    days: int | None = None
    if raw_days not in (None, ""):
        try:
            days = int(str(raw_days))
        except ValueError:
            errors.setdefault("event_days", []).append("报送期限须为整数（工作日）")
        else:
            if not 1 <= days <= MAX_EVENT_DAYS:
                errors.setdefault("event_days", []).append(f"报送期限须在1至{MAX_EVENT_DAYS}个工作日之间")
    if len(label) > EVENT_LABEL_MAX:
        errors.setdefault("event_label", []).append(f"触发事件不能超过{EVENT_LABEL_MAX}个字")
    takes_materials = method == Method.SUBMISSION or (method == Method.OTHER and bool(materials))
    if label and not takes_materials:
        errors.setdefault("event_label", []).append("事件触发报送只适用于需要报送资料的工作任务（考核方式为报送资料）")
    return label, days


def _parent_for(category: Category, level: int, parent: Indicator | None) -> Indicator | None:
    if level == Level.LEVEL1:
        if parent is not None:
            raise ValidationError({"parent": ["一级指标不能有上级指标"]})
        return None
    expected = PARENT_LEVEL[Level(level)]
    if parent is None:
        raise ValidationError({"parent": [f"{Level(level).label}须放在某个{expected.label}之下"]})
    if parent.category_id != category.pk or parent.level != expected:
        raise ValidationError({"parent": [f"{Level(level).label}只能放在本类别的{expected.label}之下"]})
    return parent


def template_problems(node: Indicator, cleaned: dict[str, Any]) -> dict[str, list[str]]:
    """What the template forbids in changing ``node`` to ``cleaned`` (the tree editor's values); empty: allowed."""
    item = node.template_item
    if item is None or item.level != Level.TASK:
        return {}
    errors: dict[str, list[str]] = {}
    if item.locked:
        if cleaned.get("points") != node.points:
            errors["points"] = ["该任务是上级模板锁定的任务，不能修改分值"]
        if cleaned.get("method") != node.method:
            errors["method"] = ["该任务是上级模板锁定的任务，不能修改考核方式"]
    if item.min_points is not None and "points" not in errors:
        points = cleaned.get("points")
        if points is None:
            errors["points"] = [f"上级模板规定该任务的最低分值为{pts(item.min_points)}分，须填写分值"]
        elif points < item.min_points:
            errors["points"] = [f"分值不能低于上级模板规定的最低分值{pts(item.min_points)}分"]
    return errors


def renumber(category: Category) -> None:
    """Codes 1 / 1.1 / 1.1.1 and pre-order ``order`` from the tree's current order (two passes: codes are unique)."""
    nodes = list(Indicator.objects.filter(category=category).order_by("order", "pk"))
    children: dict[int | None, list[Indicator]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[Indicator] = []

    def walk(parent_id: int | None, prefix: str) -> None:
        for i, node in enumerate(children.get(parent_id, []), start=1):
            node.code = f"{prefix}{i}"
            ordered.append(node)
            walk(node.pk, f"{node.code}.")

    walk(None, "")
    finals = [(n.code, i) for i, n in enumerate(ordered, start=1)]
    for node in ordered:
        node.code = f"~{node.pk}"
    Indicator.objects.bulk_update(ordered, ["code"])
    for node, (code, order) in zip(ordered, finals, strict=True):
        node.code, node.order = code, order
    Indicator.objects.bulk_update(ordered, ["code", "order"])


def _subtree_ids(node: Indicator) -> list[int]:
    ids = [node.pk]
    frontier = [node.pk]
    while frontier:
        frontier = list(Indicator.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def _notify(plan: Plan, category: Category, tasks: Iterable[Indicator], *, what: str, reason: str) -> None:
    """After publication: the category's units and the desks of the touched tasks are told what changed and why."""
    url = reverse("plans:tree", args=[plan.pk, category.pk])
    title = f"{plan.title}：{category.name}指标已调整"
    body = f"{what}。修改理由：{reason}"
    unit_orgs = PlanUnit.objects.filter(plan=plan, category=category).values_list("organisation_id", flat=True)
    notify_organisations(organisation_ids=unit_orgs, role=Role.UNIT, plan_id=plan.pk, title=title, body=body, url=url)
    desk_ids = {t.assessor_id for t in tasks if t.assessor_id}
    desk_orgs = AssessorDesk.objects.filter(pk__in=desk_ids).values_list("organisation_id", flat=True)
    notify_organisations(organisation_ids=desk_orgs, role=Role.DESK, plan_id=plan.pk, title=title, body=body, url=url)


def _record(*, actor: User, plan: Plan, action: str, node: Indicator | None, before: Any, after: Any, reason: str) -> None:
    if reason:
        after = {**(after or {}), "reason": reason}
    audit.record(
        actor=actor,
        action=action,
        obj=node,
        plan_id=plan.pk,
        organisation=plan.organiser,
        before=before,
        after=after,
    )


def indicator_create(
    *,
    actor: User,
    plan: Plan,
    category: Category,
    level: int,
    parent: Indicator | None = None,
    reason: str = "",
    **values: Any,
) -> Indicator:
    """A new 一级 / 二级 / task appended at the end of its parent (or of the category)."""
    access.require(actor, CAPABILITY, plan)
    if level not in Level.values:
        raise ValidationError({"level": ["层级无效"]})
    with transaction.atomic():
        plan = _lock(plan)
        reason = _check_editable(plan, reason)
        parent = _parent_for(category, level, parent)
        cleaned = _clean_values(plan, category, level, values)
        node = Indicator(plan=plan, category=category, parent=parent, level=level, code=f"~new{timezone.now():%f}", order=0)
        for name, value in cleaned.items():
            setattr(node, name, value)
        # placed after the last node of the parent's subtree (or at the end of the category)
        if parent is None:
            last = Indicator.objects.filter(category=category).order_by("-order").values_list("order", flat=True).first()
        else:
            last = (
                Indicator.objects.filter(pk__in=_subtree_ids(parent)).order_by("-order").values_list("order", flat=True).first()
            )
        Indicator.objects.filter(category=category, order__gt=last or 0).update(order=F("order") + 1)
        node.order = (last or 0) + 1
        node.full_clean(exclude=["code"])
        node.save()
        renumber(category)
        node.refresh_from_db()
        _record(actor=actor, plan=plan, action="indicator.create", node=node, before=None, after=_snapshot(node), reason=reason)
        if reason:
            _notify(plan, category, [node], what=f"新增{node.get_level_display()} {node.code} {node.name[:40]}", reason=reason)
    return node


def indicator_update(*, actor: User, plan: Plan, node: Indicator, reason: str = "", **values: Any) -> Indicator:
    """Change the fields of one node. After publication, evaluations under changed points are flagged, not rescaled."""
    access.require(actor, CAPABILITY, plan)
    with transaction.atomic():
        plan = _lock(plan)
        reason = _check_editable(plan, reason)
        node = Indicator.objects.select_for_update(of=("self",)).select_related("category").get(pk=node.pk, plan=plan)
        before = _snapshot(node)
        cleaned = _clean_values(plan, node.category, node.level, values)
        if problems := template_problems(node, cleaned):
            raise ValidationError(problems)
        changed = [name for name, value in cleaned.items() if getattr(node, name) != value]
        if not changed:
            return node
        old_points = node.points
        for name in changed:
            setattr(node, name, cleaned[name])
        node.full_clean()
        node.save(update_fields=changed)
        flagged = 0
        if reason and node.level == Level.TASK and "points" in changed:
            flagged = _flag_evaluations(plan, node, old_points, reason)
        after = {k: v for k, v in _snapshot(node).items() if k in changed}
        after["flagged_evaluations"] = flagged
        _record(
            actor=actor,
            plan=plan,
            action="indicator.update",
            node=node,
            before={k: v for k, v in before.items() if k in changed},
            after=after,
            reason=reason,
        )
        if reason:
            tasks = [node] if node.level == Level.TASK else []
            if "assessor" in changed and before["assessor"]:
                tasks.append(Indicator(assessor_id=before["assessor"]))
            _notify(plan, node.category, tasks, what=f"修改 {node.code} {node.name[:40]}", reason=reason)
    return node


def _flag_evaluations(plan: Plan, task: Indicator, old_points: Decimal | None, reason: str) -> int:
    """One open flag per existing evaluation of the task (an older open flag keeps its original points)."""
    now = timezone.now()
    unit_ids = hooks.evaluated_units(plan, task)
    open_units = set(
        PointsChangeFlag.objects.filter(task=task, unit_id__in=unit_ids, confirmed_at__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    PointsChangeFlag.objects.filter(task=task, unit_id__in=open_units, confirmed_at__isnull=True).update(
        new_points=task.points, reason=reason, created_at=now
    )
    PointsChangeFlag.objects.bulk_create(
        [
            PointsChangeFlag(
                plan=plan,
                unit_id=unit_id,
                task=task,
                old_points=old_points,
                new_points=task.points,
                reason=reason,
                created_at=now,
            )
            for unit_id in unit_ids
            if unit_id not in open_units
        ]
    )
    return len(unit_ids)


def indicator_move(
    *,
    actor: User,
    plan: Plan,
    node: Indicator,
    direction: str = "",
    new_parent: Indicator | None = None,
    reason: str = "",
) -> Indicator:
    """Up/down among its siblings (``direction``), or to the end of another parent of the right level."""
    access.require(actor, CAPABILITY, plan)
    with transaction.atomic():
        plan = _lock(plan)
        reason = _check_editable(plan, reason)
        node = Indicator.objects.select_for_update(of=("self",)).select_related("category", "parent").get(pk=node.pk, plan=plan)
        category = node.category
        before = {"code": node.code, "parent": node.parent_id}
        nodes = list(Indicator.objects.filter(category=category).order_by("order", "pk"))
        children: dict[int | None, list[Indicator]] = {}
        for n in nodes:
            children.setdefault(n.parent_id, []).append(n)
        if new_parent is not None:
            if new_parent.pk == node.parent_id:
                raise ValidationError("指标已在该上级指标之下")
            _parent_for(category, node.level, new_parent)
            children[node.parent_id] = [n for n in children[node.parent_id] if n.pk != node.pk]
            node.parent = new_parent
            children.setdefault(new_parent.pk, []).append(node)
            Indicator.objects.filter(pk=node.pk).update(parent=new_parent)
        elif direction in ("up", "down"):
            siblings = children[node.parent_id]
            i = next(k for k, s in enumerate(siblings) if s.pk == node.pk)
            j = i - 1 if direction == "up" else i + 1
            if j < 0 or j >= len(siblings):
                raise ValidationError("已在最前，不能再上移" if direction == "up" else "已在最后，不能再下移")
            siblings[i], siblings[j] = siblings[j], siblings[i]
        else:
            raise ValidationError("请选择移动方式")
        _reorder(children)
        renumber(category)
        node.refresh_from_db()
        _record(
            actor=actor,
            plan=plan,
            action="indicator.move",
            node=node,
            before=before,
            after={"code": node.code, "parent": node.parent_id},
            reason=reason,
        )
        if reason:
            tasks = list(Indicator.objects.filter(pk__in=_subtree_ids(node), level=Level.TASK))
            _notify(plan, category, tasks, what=f"{before['code']} 调整为 {node.code} {node.name[:40]}", reason=reason)
    return node


def _reorder(children: dict[int | None, list[Indicator]]) -> None:
    """Write pre-order ``order`` from the children lists (renumber then derives the codes from it)."""
    ordered: list[Indicator] = []

    def walk(parent_id: int | None) -> None:
        for n in children.get(parent_id, []):
            ordered.append(n)
            walk(n.pk)

    walk(None)
    for i, n in enumerate(ordered, start=1):
        n.order = i
    Indicator.objects.bulk_update(ordered, ["order"])


def indicator_delete(*, actor: User, plan: Plan, node: Indicator, reason: str = "") -> None:
    """Delete a node and everything below it; refused (saying why) when units' records hang on its tasks."""
    access.require(actor, CAPABILITY, plan)
    with transaction.atomic():
        plan = _lock(plan)
        reason = _check_editable(plan, reason)
        node = Indicator.objects.select_related("category").get(pk=node.pk, plan=plan)
        ids = _subtree_ids(node)
        locked = Indicator.objects.filter(pk__in=ids, template_item__locked=True).order_by("order").first()
        if locked is not None:
            where = "是" if locked.pk == node.pk else f"下有“{locked.code} {locked.name[:30]}”，是"
            raise ValidationError(f"“{node.code} {node.name[:30]}”{where}上级模板锁定的工作任务，不能删除")
        parts = hooks.task_records(ids)
        if parts:
            raise ValidationError(f"“{node.code} {node.name[:30]}”下已有{'和'.join(parts)}，不能删除")
        tasks = list(Indicator.objects.filter(pk__in=ids, level=Level.TASK))
        before = {**_snapshot(node), "removed": len(ids)}
        category = node.category
        _record(actor=actor, plan=plan, action="indicator.delete", node=node, before=before, after=None, reason=reason)
        try:
            with transaction.atomic():
                Indicator.objects.filter(pk__in=ids).order_by("-level").delete()
        except ProtectedError as exc:
            raise ValidationError(
                f"“{node.code} {node.name[:30]}”已被其他记录引用（如不涉及、整改、实地考核），不能删除"
            ) from exc
        renumber(category)
        if reason:
            _notify(plan, category, tasks, what=f"删除 {before['code']} {node.name[:40]}", reason=reason)


def indicators_assign_desk(
    *, actor: User, plan: Plan, category: Category, tasks: Sequence[Indicator], desk: AssessorDesk | None, reason: str = ""
) -> int:
    """Set the responsible desk of several tasks at once; returns how many changed."""
    access.require(actor, CAPABILITY, plan)
    if not tasks:
        raise ValidationError("请至少勾选一项工作任务")
    if desk is not None and desk.plan_id != plan.pk:
        raise ValidationError("责任主体不属于本方案")
    with transaction.atomic():
        plan = _lock(plan)
        reason = _check_editable(plan, reason)
        rows = list(Indicator.objects.select_for_update().filter(pk__in=[t.pk for t in tasks], plan=plan, category=category))
        if len(rows) != len({t.pk for t in tasks}) or any(r.level != Level.TASK for r in rows):
            raise ValidationError("只能为本类别的工作任务指定责任主体")
        changed = [r for r in rows if r.assessor_id != (desk.pk if desk else None)]
        if not changed:
            return 0
        before = {r.code: r.assessor_id for r in changed}
        touched = [Indicator(assessor_id=r.assessor_id) for r in changed]
        for r in changed:
            r.assessor = desk
        Indicator.objects.bulk_update(changed, ["assessor"])
        _record(
            actor=actor,
            plan=plan,
            action="indicator.assign_desk",
            node=None,
            before=before,
            after={"desk": desk.pk if desk else None, "tasks": sorted(before)},
            reason=reason,
        )
        if reason:
            name = desk.organisation.name if desk else "（未指定）"
            _notify(plan, category, [*changed, *touched], what=f"{len(changed)}项工作任务的责任主体改为{name}", reason=reason)
    return len(changed)
