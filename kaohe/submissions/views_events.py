"""事件触发报送 on the task page: the unit records, corrects and removes events (evidence goes through ``upload``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from kaohe.access.evidence import get_unit_task_for_user
from kaohe.access.plans import get_published_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.flash import flash_form_errors
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions import selectors_events, services, services_events
from kaohe.submissions.forms import TaskEventForm


def _back(plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    return redirect(reverse("submissions:task", args=[plan_id, unit_id, task_id]) + "#events")


def _flash(request: AuthenticatedHttpRequest, exc: Exception) -> None:
    if isinstance(exc, services.DeadlineClosed):
        messages.error(request, exc.message)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)


def _editable(request: AuthenticatedHttpRequest, plan: Plan, unit: PlanUnit, task: Indicator) -> bool:
    """Whether the unit may change the task's events now (403 for anyone else); a flashed reason when not."""
    try:
        services_events.require_editable(request.user, plan, unit, task)
    except (services.DeadlineClosed, ValidationError) as exc:
        _flash(request, exc)
        return False
    return True


@login_required
@require_POST
def event_record(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id, write=True)
    if not _editable(request, plan, unit, task):
        return _back(plan.pk, unit.pk, task.pk)
    form = TaskEventForm(request.POST, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back(plan.pk, unit.pk, task.pk)
    try:
        event = services_events.task_event_record(
            actor=request.user,
            plan=plan,
            unit=unit,
            task=task,
            occurred_on=form.cleaned_data["occurred_on"],
            description=form.cleaned_data["description"],
        )
    except (services.DeadlineClosed, ValidationError) as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"已登记{task.event_label}（{event.occurred_on:%Y-%m-%d}），请在期限内上传资料")
    return _back(plan.pk, unit.pk, task.pk)


@login_required
@require_POST
def event_update(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int, event_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id, write=True)
    event = selectors_events.get_event(plan, unit, task, event_id)
    if not _editable(request, plan, unit, task):
        return _back(plan.pk, unit.pk, task.pk)
    form = TaskEventForm(request.POST, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back(plan.pk, unit.pk, task.pk)
    try:
        services_events.task_event_update(
            actor=request.user,
            plan=plan,
            event=event,
            occurred_on=form.cleaned_data["occurred_on"],
            description=form.cleaned_data["description"],
        )
    except (services.DeadlineClosed, ValidationError) as exc:
        _flash(request, exc)
    else:
        messages.success(request, "事件已修改")
    return _back(plan.pk, unit.pk, task.pk)


@login_required
@require_POST
def event_delete(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int, event_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id, write=True)
    event = selectors_events.get_event(plan, unit, task, event_id)
    try:
        services_events.task_event_delete(actor=request.user, plan=plan, event=event)
    except (services.DeadlineClosed, ValidationError) as exc:
        _flash(request, exc)
    else:
        messages.success(request, "事件已删除（记录保留，可追溯；为它上传的文件仍在本任务中）")
    return _back(plan.pk, unit.pk, task.pk)
