"""指标模板 (templates sent down, 下发): an office publishes a category's indicator table to the offices of the
regions below its own; a lower office adopts it into its own draft plan.

Publication copies the table into an immutable snapshot (``IndicatorTemplate`` + ``TemplateItem``), with each
task's constraints: 锁定 (the lower office may not delete the task nor change its points or method) and 最低分值
(the lowest points it may give the task). Adoption copies the snapshot into a category of the lower plan; every
copied node keeps ``Indicator.template_item``, and the tree editor (``services_tree``) enforces the constraints.
Both copies go through ``plans.copy.copy_tree``; both are audited (``template.publish`` / ``template.adopt``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from kaohe import access
from kaohe.access.plans import templates_from_above
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.templatetags.kaohe import pts
from kaohe.plans.constants import Level
from kaohe.plans.copy import copy_tree
from kaohe.plans.models import Category, Indicator, IndicatorTemplate, Plan, TemplateAdoption, TemplateItem
from kaohe.plans.selectors_templates import has_regions_below
from kaohe.plans.services_tree import renumber

CAPABILITY = "plan:import"
NAME_MAX = 200
NOTE_MAX = 1000
CATEGORY_NAME_MAX = 100


@dataclass(frozen=True)
class TaskConstraint:
    """What the publisher says of one task: 锁定 and 最低分值 (None: no minimum)."""

    locked: bool = False
    min_points: Decimal | None = None


def _check_constraints(tasks: list[Indicator], constraints: dict[int, TaskConstraint]) -> None:
    errors: list[str] = []
    task_ids = {t.pk for t in tasks}
    if set(constraints) - task_ids:
        raise ValidationError("约束只能设在本类别的工作任务上")
    for task in tasks:
        rule = constraints.get(task.pk)
        if rule is None or rule.min_points is None:
            continue
        label = f"{task.code} {task.name[:20]}"
        if not rule.min_points.is_finite() or rule.min_points < 0:
            errors.append(f"{label}：最低分值须为不小于0的数字")
        elif rule.min_points != rule.min_points.quantize(Decimal("0.01")):
            errors.append(f"{label}：最低分值最多保留两位小数")
        elif task.points is None:
            errors.append(f"{label}：该任务没有分值，不能设最低分值")
        elif rule.min_points > task.points:
            errors.append(f"{label}：最低分值（{pts(rule.min_points)}分）不能高于该任务的分值（{pts(task.points)}分）")
    if errors:
        raise ValidationError(errors)


def template_publish(
    *,
    actor: User,
    plan: Plan,
    category: Category,
    name: str,
    note: str = "",
    constraints: dict[int, TaskConstraint] | None = None,
) -> IndicatorTemplate:
    """下发: snapshot ``category``'s table as the next version of the template ``name`` of the plan's office."""
    access.require(actor, CAPABILITY, plan)
    name, note = (name or "").strip(), (note or "").strip()
    if not name:
        raise ValidationError({"name": ["请填写模板名称"]})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": [f"模板名称不能超过{NAME_MAX}个字"]})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [f"下发说明不能超过{NOTE_MAX}个字"]})
    if category.plan_id != plan.pk:
        raise ValidationError("该类别不属于本方案")
    constraints = constraints or {}
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("organiser").get(pk=plan.pk)
        if not has_regions_below(plan):
            raise ValidationError("本单位所在区划没有下级区划，无处下发模板")
        nodes = list(Indicator.objects.filter(category=category).order_by("level", "order"))
        tasks = [n for n in nodes if n.level == Level.TASK]
        if not tasks:
            raise ValidationError("该类别还没有工作任务，不能下发")
        _check_constraints(tasks, constraints)
        organisation = plan.organiser
        last = IndicatorTemplate.objects.filter(organisation=organisation, name=name).aggregate(v=Max("version"))["v"]
        template = IndicatorTemplate(
            plan=plan,
            category=category,
            organisation=organisation,
            name=name,
            version=(last or 0) + 1,
            full_score=category.full_score,
            note=note,
            published_by=actor,
        )
        template.full_clean()
        try:
            with transaction.atomic():
                template.save()
        except IntegrityError as exc:  # the same name published at the same moment from another plan
            raise ValidationError("同名模板刚刚已下发新版本，请刷新后重试") from exc

        def build(n: Indicator, parent_id: int | None) -> TemplateItem:
            rule = constraints.get(n.pk, TaskConstraint()) if n.level == Level.TASK else TaskConstraint()
            return TemplateItem(
                template=template,
                parent_id=parent_id,
                level=n.level,
                code=n.code,
                order=n.order,
                name=n.name,
                points=n.points,
                method=n.method,
                materials=n.materials,
                deadline=n.deadline,
                requirement=n.requirement,
                adjustment=n.adjustment,
                counts_next_year=n.counts_next_year,
                deduction_rules=n.deduction_rules,
                locked=rule.locked,
                min_points=rule.min_points.quantize(Decimal("0.01")) if rule.min_points is not None else None,
                source=n,
            )

        copy_tree(nodes, build, TemplateItem)
        audit.record(
            actor=actor,
            action="template.publish",
            obj=template,
            plan_id=plan.pk,
            organisation=organisation,
            after={
                "name": name,
                "version": template.version,
                "category": category.name,
                "tasks": len(tasks),
                "locked": sorted(t.code for t in tasks if constraints.get(t.pk, TaskConstraint()).locked),
                "min_points": {
                    t.code: str(rule.min_points.quantize(Decimal("0.01")))
                    for t in tasks
                    if (rule := constraints.get(t.pk)) is not None and rule.min_points is not None
                },
            },
        )
    return template


def _target_category(plan: Plan, template: IndicatorTemplate, category: Category | None, new_name: str) -> Category:
    new_name = (new_name or "").strip()
    if (category is None) == (not new_name):
        raise ValidationError("请选择采用到的类别，或填写新类别的名称（二者选一）")
    if category is not None:
        if category.plan_id != plan.pk:
            raise ValidationError("该类别不属于本方案")
        if Indicator.objects.filter(category=category, template_item__isnull=False).exists():
            raise ValidationError(f"类别“{category.name}”已采用过上级下发的模板，不能再次采用；如需新版本，请采用到新类别")
        return category
    if len(new_name) > CATEGORY_NAME_MAX:
        raise ValidationError(f"类别名称不能超过{CATEGORY_NAME_MAX}个字")
    if Category.objects.filter(plan=plan, name=new_name).exists():
        raise ValidationError(f"本方案已有名为“{new_name}”的类别")
    last = Category.objects.filter(plan=plan).aggregate(o=Max("order"))["o"]
    made = Category(plan=plan, name=new_name, full_score=template.full_score, order=(last or 0) + 1)
    made.full_clean()
    made.save()
    return made


def template_adopt(
    *,
    actor: User,
    plan: Plan,
    template: IndicatorTemplate,
    category: Category | None = None,
    new_category_name: str = "",
) -> TemplateAdoption:
    """采用: copy the template's table into ``category`` of the draft ``plan`` (after its own nodes), or into a
    new category; every copied node keeps its link to its template row."""
    access.require(actor, CAPABILITY, plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("organiser").get(pk=plan.pk)
        if template.plan_id == plan.pk or template.organisation_id == plan.organiser_id:
            raise ValidationError("这是本单位下发的模板，由下级单位采用")
        if not templates_from_above(plan.organiser).filter(pk=template.pk).exists():
            raise ValidationError("该模板不是上级下发给本单位的，不能采用")
        if not plan.is_draft:
            raise ValidationError("只能采用到草稿状态的方案；方案发布后不能再采用模板")
        target = _target_category(plan, template, category, new_category_name)
        items = list(TemplateItem.objects.filter(template=template).order_by("level", "order"))
        last = Indicator.objects.filter(category=target).aggregate(o=Max("order"))["o"] or 0
        stamp = f"{timezone.now():%f}"

        def build(item: TemplateItem, parent_id: int | None) -> Indicator:
            return Indicator(
                plan=plan,
                category=target,
                parent_id=parent_id,
                level=item.level,
                code=f"~t{stamp}-{item.pk}",
                order=last + item.order,
                name=item.name,
                points=item.points,
                method=item.method,
                materials=item.materials,
                deadline=item.deadline,
                requirement=item.requirement,
                adjustment=item.adjustment,
                counts_next_year=item.counts_next_year,
                deduction_rules=item.deduction_rules,
                template_item=item,
            )

        copied = copy_tree(items, build, Indicator)
        renumber(target)
        adoption = TemplateAdoption(template=template, plan=plan, category=target, adopted_by=actor, adopted_at=timezone.now())
        adoption.full_clean()
        adoption.save()
        audit.record(
            actor=actor,
            action="template.adopt",
            obj=adoption,
            plan_id=plan.pk,
            organisation=plan.organiser,
            after={
                "template": template.pk,
                "name": template.name,
                "version": template.version,
                "publisher": template.organisation.name,
                "category": target.name,
                "indicators": len(copied),
            },
        )
    return adoption
