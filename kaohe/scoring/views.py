"""Evaluation pages: the desk's grid (units × its tasks), a unit's page with evidence, history, 不涉及."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe import access
from kaohe.access.evidence import get_unit_task_for_user
from kaohe.access.grading import evaluable_desks, get_task_to_evaluate
from kaohe.access.plans import get_plan_for_user, get_published_plan_for_user, get_unit_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.redirects import safe_path
from kaohe.plans import selectors as plan_selectors
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.plans.services import ScoringClosed
from kaohe.scoring import html_grid, selectors, services
from kaohe.scoring.forms import BulkEvaluationForm, ClearForm, EvaluationForm, GridFilterForm, NotApplicableForm
from kaohe.scoring.models import Evaluation, GradeChoice


def _scope(request: AuthenticatedHttpRequest, plan: Plan) -> tuple[set[int] | None, bool]:
    """(desks whose tasks the user sees — None for all, whether they may write)."""
    if access.can(request.user, "evaluation:write", plan):
        return evaluable_desks(request.user, plan), plan.status == Plan.Status.PUBLISHED
    if access.can(request.user, "evaluation:overview", plan):
        return None, False
    raise PermissionDenied


def _cell_context(
    plan: Plan,
    unit: PlanUnit,
    task: Indicator,
    evaluation: Evaluation | None,
    can_write: bool,
    person: object = None,
    **extra: object,
) -> dict[str, object]:
    not_applicable = selectors.not_applicable_of(unit, task)
    cell = selectors.Cell(unit, task, evaluation, not_applicable)
    cell.conflict, cell.conflict_refused = selectors.ConflictBook(plan, person).check(unit, task)
    cell.points_changed = selectors.points_changed_of(evaluation)
    cell.evidence = selectors.evidence_state(task, selectors.submission_of(unit, task), evaluation)
    cell.events = selectors.event_tally_of(plan, unit, task)
    cell.hints = selectors.cell_hints(plan, unit, task)
    return {
        "plan": plan,
        "cell": cell,
        "can_write": can_write,
        "grades": GradeChoice.choices,
        "problem_kinds": plan_selectors.problem_kinds(plan, with_retired=True),
        **extra,
    }


@login_required
@require_GET
def grid(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    desks, can_write = _scope(request, plan)
    all_tasks = selectors.desk_tasks(plan, desks)
    categories = selectors.categories_of(all_tasks)
    if not categories:
        return render(request, "scoring/grid.html", {"plan": plan, "empty": True})
    form = GridFilterForm(
        request.GET or {"category": categories[0].pk},
        categories=[(c.pk, c.name) for c in categories],
        level1=selectors.level1_choices_of(all_tasks),
    )
    category_id = categories[0].pk
    level1_id = None
    if form.is_valid():
        category_id = form.cleaned_data["category"] or category_id
        level1_id = form.cleaned_data["level1"]
    tasks = [
        t for t in all_tasks if t.category_id == category_id and (not level1_id or (t.parent and t.parent.parent_id == level1_id))
    ]
    data = selectors.grid(plan, tasks, person=request.user if can_write else None)
    problem_kinds = plan_selectors.problem_kinds(plan, with_retired=True)
    cell_context = {"plan": plan, "can_write": can_write, "grades": GradeChoice.choices, "problem_kinds": problem_kinds}

    def full_cell(cell: selectors.Cell) -> str:
        return render_to_string("scoring/_cell.html", {**cell_context, "cell": cell}, request)

    return render(
        request,
        "scoring/grid.html",
        {
            **cell_context,
            "form": form,
            "grid": data,
            "rows": html_grid.grid_rows(plan, data, can_write=can_write, full_cell=full_cell),
            "reasons": selectors.reason_suggestions(plan, desks) if can_write else [],
        },
    )


@login_required
@require_GET
def unit_page(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    desks, can_write = _scope(request, plan)
    unit = get_unit_for_user(request.user, plan, unit_id)
    tasks = selectors.desk_tasks(plan, desks, category_id=unit.category_id)
    if not tasks:
        raise Http404("没有需要您评价的工作任务")
    data = selectors.grid(plan, tasks, unit=unit, person=request.user if can_write else None)
    files = selectors.evidence_by_task(plan, unit, [t.pk for t in tasks])
    cells = data.rows[0][1] if data.rows else []
    return render(
        request,
        "scoring/unit.html",
        {
            "plan": plan,
            "unit": unit,
            "cells": cells,
            "files": files,
            "events": selectors.events_by_task(plan, unit, tasks),
            "can_write": can_write,
            "grades": GradeChoice.choices,
            "grid": data,
            "problem_kinds": plan_selectors.problem_kinds(plan, with_retired=True),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    """GET: the cell fragment; POST: save it (htmx swaps the returned fragment; without htmx, redirect)."""
    plan = get_published_plan_for_user(request.user, plan_id)
    if request.method == "GET":
        _scope(request, plan)
        unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id)
        if not access.can(request.user, "evaluation:overview", plan):
            unit, task = get_task_to_evaluate(request.user, plan, unit_id, task_id)
        shown = selectors.evaluation_of(unit, task)
        can_write = task.assessor_id in evaluable_desks(request.user, plan) and plan.status == Plan.Status.PUBLISHED
        person = request.user if can_write else None
        return render(request, "scoring/_cell.html", _cell_context(plan, unit, task, shown, can_write, person))
    unit, task = get_task_to_evaluate(request.user, plan, unit_id, task_id)
    form = EvaluationForm(request.POST)
    error = ""
    status = 200
    evaluation: Evaluation | None = None
    if not form.is_valid():
        error, status = "输入有误", 400
    else:
        try:
            evaluation = services.evaluation_record(
                actor=request.user,
                plan=plan,
                unit=unit,
                task=task,
                grade=form.cleaned_data["grade"],
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
                # the select posts "" for 未选 (clear); a form without it leaves the kind as it is
                problem_kind_id=(form.cleaned_data["problem_kind"] or 0) if "problem_kind" in request.POST else None,
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEvaluation as exc:
            error, status, evaluation = exc.message, 409, exc.current
        except ScoringClosed as exc:
            error, status = str(exc), 403
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
    if evaluation is None:
        evaluation = selectors.evaluation_of(unit, task)
    if request.headers.get("HX-Request"):
        # htmx swaps 2xx only by default; the fragment carries the error, so answer 200 with a status header.
        response = render(
            request,
            "scoring/_cell.html",
            _cell_context(
                plan,
                unit,
                task,
                evaluation,
                True,
                request.user,
                error=error,
                submitted=form.data if error else None,
                saved=not error,
            ),
        )
        response["X-Kaohe-Status"] = str(status)
        return response
    if error:
        messages.error(request, f"{task.code}：{error}")
    else:
        messages.success(request, f"{task.code} 已保存")
    target = safe_path(request.POST.get("next", ""), default="")
    if target.startswith(f"/plans/{plan.pk}/"):  # only back into this plan
        return redirect(target)
    return redirect("scoring:unit", plan_id=plan.pk, unit_id=unit.pk)


@login_required
@require_POST
def evaluate_bulk(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """One grade for the cells selected on the grid: all saved, or none (the message names the refused cell)."""
    plan = get_published_plan_for_user(request.user, plan_id)
    if not access.can(request.user, "evaluation:write", plan):
        if access.plan_roles(request.user, plan):  # insiders learn they may not; outsiders that nothing is there
            raise PermissionDenied
        raise Http404("没有需要您评价的工作任务")
    form = BulkEvaluationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        try:
            saved = services.evaluation_record_bulk(
                actor=request.user,
                plan=plan,
                cells=form.cleaned_data["cells"],
                grade=form.cleaned_data["grade"],
                reason=form.cleaned_data["reason"],
            )
        except ScoringClosed as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, f"未保存任何评价。{' '.join(exc.messages)}")
        else:
            label = GradeChoice(form.cleaned_data["grade"]).label
            messages.success(request, f"已将 {len(saved)} 格统一评为“{label}”")
    target = safe_path(request.POST.get("next", ""), default="")
    if target.startswith(f"/plans/{plan.pk}/"):  # only back into this plan
        return redirect(target)
    return redirect("scoring:grid", plan_id=plan.pk)


@login_required
@require_GET
def history(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    _scope(request, plan)
    if access.can(request.user, "evaluation:overview", plan):
        unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id)
    else:
        unit, task = get_task_to_evaluate(request.user, plan, unit_id, task_id)
    return render(
        request, "scoring/history.html", {"plan": plan, "unit": unit, "task": task, "changes": selectors.history(unit, task)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def applicability(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="applicability:decide")
    units = list(plan_selectors.plan_units(plan))
    tasks = selectors.desk_tasks(plan, None)
    form = NotApplicableForm(
        request.POST or None,
        units=[(u.pk, f"{u.category.name} · {u.organisation.name}") for u in units],
        tasks=[(t.pk, f"{t.category.name} {t.code} {t.name[:40]}") for t in tasks],
    )
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
        task = next(t for t in tasks if t.pk == form.cleaned_data["task"])
        try:
            services.not_applicable_set(actor=request.user, plan=plan, unit=unit, task=task, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已认定“{unit.organisation.name}”的 {task.code} 不涉及")
            return redirect("scoring:applicability", plan_id=plan.pk)
    records = selectors.not_applicable_records(plan)
    return render(
        request,
        "scoring/applicability.html",
        {"plan": plan, "form": form, "records": records, "clear_form": ClearForm()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def applicability_clear(request: AuthenticatedHttpRequest, plan_id: int, na_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="applicability:decide")
    record = selectors.get_not_applicable(plan, na_id)
    form = ClearForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请写明撤销理由")
        services.not_applicable_clear(actor=request.user, plan=plan, record=record, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "已撤销不涉及认定")
    return redirect("scoring:applicability", plan_id=plan.pk)
