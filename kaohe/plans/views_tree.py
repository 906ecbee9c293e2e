"""The indicator tree editor (编辑指标): the office adds, edits, moves and deletes 一级 / 二级 / tasks of a category."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe.access.plans import get_category_for_user, get_indicator_for_editor, get_plan_for_user, visible_categories
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.plans import selectors, services_tree
from kaohe.plans.constants import Level
from kaohe.plans.forms_tree import AddIndicatorForm, AssignDeskForm, DeleteForm, IndicatorForm, MoveForm
from kaohe.plans.models import Category, Indicator, Plan
from kaohe.plans.views import _plan_context

CAPABILITY = services_tree.CAPABILITY


def _scope(request: AuthenticatedHttpRequest, plan_id: int, category_id: int) -> tuple[Plan, Category]:
    plan = get_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    return plan, get_category_for_user(request.user, plan, category_id)


def _back(plan: Plan, category: Category) -> HttpResponse:
    return redirect("plans:tree_edit", plan_id=plan.pk, category_id=category.pk)


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _editor_context(request: AuthenticatedHttpRequest, plan: Plan, category: Category) -> dict[str, Any]:
    nodes = selectors.category_indicators(category)
    table = selectors.table_from_nodes(nodes, category.name)
    warnings = selectors.category_warnings(category, table)
    tree = selectors.indicator_tree(nodes, set())
    context = _plan_context(request, plan, "tree")
    context.update(
        {
            "category": category,
            "categories": visible_categories(request.user, plan),
            "tree": tree,
            "task_total": sum((root.task_sum for root in tree), Decimal(0)),
            "warnings": warnings,
            "frozen": plan.status in services_tree.FROZEN_STATUSES,
            "needs_reason": plan.status == Plan.Status.PUBLISHED,
            "has_template": any(n.template_item_id for n in nodes),
        }
    )
    return context


@login_required
@require_GET
def tree_edit(request: AuthenticatedHttpRequest, plan_id: int, category_id: int) -> HttpResponse:
    plan, category = _scope(request, plan_id, category_id)
    context = _editor_context(request, plan, category)
    context["bulk_form"] = AssignDeskForm(plan=plan, category=category)
    return render(request, "plans/tree_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_add(request: AuthenticatedHttpRequest, plan_id: int, category_id: int) -> HttpResponse:
    plan, category = _scope(request, plan_id, category_id)
    source = request.POST if request.method == "POST" else request.GET
    try:
        level = Level(int(source.get("level") or Level.LEVEL1))
    except ValueError:
        level = Level.LEVEL1
    initial = {"level": level, "parent": source.get("parent") or None}
    form = AddIndicatorForm(request.POST or None, plan=plan, category=category, level=level, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        values.pop("level", None)
        parent = values.pop("parent", None)
        try:
            node = services_tree.indicator_create(
                actor=request.user,
                plan=plan,
                category=category,
                level=level,
                parent=parent,
                reason=form.cleaned_data.get("reason") or "",
                **values,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已添加{node.get_level_display()} {node.code}")
            return _back(plan, category)
    context = _plan_context(request, plan, "tree")
    context.update(
        {
            "category": category,
            "form": form,
            "title": f"添加{level.label}",
            "action": "add",
            "needs_reason": plan.status == Plan.Status.PUBLISHED,
        }
    )
    return render(request, "plans/indicator_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: AuthenticatedHttpRequest, plan_id: int, category_id: int, indicator_id: int) -> HttpResponse:
    plan, category = _scope(request, plan_id, category_id)
    node = get_indicator_for_editor(request.user, plan, category, indicator_id)
    initial = {name: getattr(node, name) for name in IndicatorForm.base_fields if hasattr(node, name)}
    form = IndicatorForm(request.POST or None, plan=plan, level=node.level, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_tree.indicator_update(
                actor=request.user, plan=plan, node=node, reason=form.cleaned_data.get("reason") or "", **form.values()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{node.code} 已保存")
            return _back(plan, category)
    context = _plan_context(request, plan, "tree")
    context.update(
        {
            "category": category,
            "node": node,
            "form": form,
            "title": f"编辑 {node.code}",
            "action": "edit",
            "move_form": MoveForm(plan=plan, node=node),
            "delete_form": DeleteForm(plan=plan),
            "needs_reason": plan.status == Plan.Status.PUBLISHED,
            "flags": selectors.open_points_flags(node) if node.level == Level.TASK else 0,
            "template_item": node.template_item,
        }
    )
    return render(request, "plans/indicator_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def indicator_move(request: AuthenticatedHttpRequest, plan_id: int, category_id: int, indicator_id: int) -> HttpResponse:
    plan, category = _scope(request, plan_id, category_id)
    node = get_indicator_for_editor(request.user, plan, category, indicator_id)
    form = MoveForm(request.POST, plan=plan, node=node)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return _back(plan, category)
    try:
        moved = services_tree.indicator_move(
            actor=request.user,
            plan=plan,
            node=node,
            direction=form.cleaned_data.get("direction") or "",
            new_parent=form.cleaned_data.get("new_parent"),
            reason=form.cleaned_data.get("reason") or "",
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已移动，现编号 {moved.code}")
    return _back(plan, category)


@login_required
@require_POST
def indicator_delete(request: AuthenticatedHttpRequest, plan_id: int, category_id: int, indicator_id: int) -> HttpResponse:
    plan, category = _scope(request, plan_id, category_id)
    node = get_indicator_for_editor(request.user, plan, category, indicator_id)
    form = DeleteForm(request.POST, plan=plan)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("plans:indicator_edit", plan_id=plan.pk, category_id=category.pk, indicator_id=node.pk)
    label = f"{node.code} {node.name[:30]}"
    try:
        services_tree.indicator_delete(actor=request.user, plan=plan, node=node, reason=form.cleaned_data.get("reason") or "")
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已删除 {label}，其余指标已重新编号")
    return _back(plan, category)


@login_required
@require_POST
def indicators_assign_desk(request: AuthenticatedHttpRequest, plan_id: int, category_id: int) -> HttpResponse:
    plan, category = _scope(request, plan_id, category_id)
    form = AssignDeskForm(request.POST, plan=plan, category=category)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return _back(plan, category)
    tasks: list[Indicator] = list(form.cleaned_data["tasks"])
    try:
        count = services_tree.indicators_assign_desk(
            actor=request.user,
            plan=plan,
            category=category,
            tasks=tasks,
            desk=form.cleaned_data.get("desk"),
            reason=form.cleaned_data.get("reason") or "",
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已为{count}项工作任务指定责任主体")
    return _back(plan, category)
