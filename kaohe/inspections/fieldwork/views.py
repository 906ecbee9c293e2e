"""实地考核 for the office (考核办): groups, units and dates, progress, schedules (.xlsx and print)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe.access.fieldwork import get_field_assignment_for_office, get_field_group_for_office
from kaohe.access.plans import get_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.audit_exports import export_response
from kaohe.core.calendar import get_calendar
from kaohe.core.flash import flash_errors
from kaohe.plans.models import Plan

from . import selectors, services
from .exports import schedule_workbook
from .forms import AssignForm, GroupForm, WindowForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit_choices(plan: Plan) -> list[tuple[int, str]]:
    held = selectors.assigned_group_names(plan)
    return [
        (u.pk, f"{u.organisation.name}（{u.category.name}）" + (f" · 已分配{held[u.pk]}" if u.pk in held else ""))
        for u in selectors.units_of(plan)
    ]


def _office_page(
    request: HttpRequest,
    plan: Plan,
    *,
    group_form: GroupForm | None = None,
    assign_form: AssignForm | None = None,
    window_form: WindowForm | None = None,
    status: int = 200,
) -> HttpResponse:
    calendar = get_calendar(request)
    schedules = selectors.schedules(plan)
    for schedule in schedules:
        for a in schedule.assignments:
            a.note = selectors.day_note(calendar, a.visit_date)  # type: ignore[attr-defined]
            a.weekday = selectors.weekday(a.visit_date)  # type: ignore[attr-defined]
    candidates = selectors.candidates(plan)
    in_group = {m.user_id: s.group.name for s in schedules for m in s.members}
    groups = [s.group for s in schedules]
    return render(
        request,
        "fieldwork/office.html",
        {
            "plan": plan,
            "tab": "office",
            "schedules": schedules,
            "candidates": [(c, in_group.get(c.user_id, "")) for c in candidates],
            "group_form": group_form or GroupForm(candidates=candidates),
            "chosen": _chosen(group_form),
            "assign_form": assign_form or AssignForm(groups=groups, units=_unit_choices(plan), plan=plan),
            "window_form": window_form
            or WindowForm(initial={"field_start": plan.field_start, "field_end": plan.field_end}, plan=plan),
            "scoring_open": not plan.is_draft,
            "conflicts": selectors.conflicting_pairs(plan),
        },
        status=status,
    )


def _chosen(form: GroupForm | None) -> set[str]:
    """The member ids ticked in a (bound or initial) group form, as strings for the template."""
    if form is None:
        return set()
    return {str(v) for v in (form["members"].value() or [])}


@login_required
@require_GET
def office(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Groups with their members, units, dates and progress; forms to form groups and assign units."""
    return _office_page(request, get_plan_for_user(request.user, plan_id, capability="fieldwork:manage"))


@login_required
@require_POST
def group_create(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="fieldwork:manage")
    form = GroupForm(request.POST, candidates=selectors.candidates(plan))
    if form.is_valid():
        try:
            group = services.group_save(
                actor=request.user,
                plan=plan,
                name=form.cleaned_data["name"],
                leader_id=form.cleaned_data["leader"],
                member_ids=form.cleaned_data["members"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已组建{group.name}")
            return redirect("fieldwork:office", plan_id=plan.pk)
    return _office_page(request, plan, group_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: AuthenticatedHttpRequest, plan_id: int, group_id: int) -> HttpResponse:
    """Rename a group and change its leader and members (the same rules as forming it)."""
    plan = get_plan_for_user(request.user, plan_id, capability="fieldwork:manage")
    group = get_field_group_for_office(request.user, plan, group_id)
    candidates = selectors.candidates(plan)
    members = selectors.group_members(group)
    initial = {
        "name": group.name,
        "leader": next((m.user_id for m in members if m.is_leader), None),
        "members": [m.user_id for m in members],
    }
    form = GroupForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_save(
                actor=request.user,
                plan=plan,
                group=group,
                name=form.cleaned_data["name"],
                leader_id=form.cleaned_data["leader"],
                member_ids=form.cleaned_data["members"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存{group.name}")
            return redirect("fieldwork:office", plan_id=plan.pk)
    others = selectors.other_groups_members(plan, group)
    return render(
        request,
        "fieldwork/group_edit.html",
        {
            "plan": plan,
            "tab": "office",
            "group": group,
            "form": form,
            "chosen": _chosen(form),
            "candidates": [(c, others.get(c.user_id, "")) for c in candidates],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def group_delete(request: AuthenticatedHttpRequest, plan_id: int, group_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="fieldwork:manage")
    group = get_field_group_for_office(request.user, plan, group_id)
    try:
        services.group_delete(actor=request.user, plan=plan, group=group)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已解散{group.name}")
    return redirect("fieldwork:office", plan_id=plan.pk)


@login_required
@require_POST
def assign(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Give a unit to a group on a date (or change the date and place of the group's own unit)."""
    plan = get_plan_for_user(request.user, plan_id, capability="fieldwork:manage")
    groups = selectors.plain_groups(plan)
    form = AssignForm(request.POST, groups=groups, units=_unit_choices(plan), plan=plan)
    if form.is_valid():
        group = next(g for g in groups if g.pk == form.cleaned_data["group"])
        unit = next(u for u in selectors.units_of(plan) if u.pk == form.cleaned_data["unit"])
        try:
            assignment, warnings = services.assignment_set(
                actor=request.user,
                plan=plan,
                group=group,
                unit=unit,
                visit_date=form.cleaned_data["visit_date"],
                address=form.cleaned_data["address"],
                calendar=get_calendar(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已安排{group.name}于 {assignment.visit_date:%Y-%m-%d} 考察“{unit.organisation.name}”")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("fieldwork:office", plan_id=plan.pk)
    return _office_page(request, plan, assign_form=form, status=400)


@login_required
@require_POST
def unassign(request: AuthenticatedHttpRequest, plan_id: int, assignment_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="fieldwork:manage")
    assignment = get_field_assignment_for_office(request.user, plan, assignment_id)
    services.assignment_remove(actor=request.user, plan=plan, assignment=assignment)
    messages.success(request, f"已取消{assignment.group.name}对“{assignment.unit.organisation.name}”的考察安排")
    return redirect("fieldwork:office", plan_id=plan.pk)


@login_required
@require_POST
def window(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The plan's 实地考核 time (field_start..field_end); scheduled dates must fall inside it."""
    plan = get_plan_for_user(request.user, plan_id, capability="fieldwork:manage")
    form = WindowForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.window_set(
                actor=request.user, plan=plan, start=form.cleaned_data["field_start"], end=form.cleaned_data["field_end"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已保存实地考核时间")
            return redirect("fieldwork:office", plan_id=plan.pk)
    return _office_page(request, plan, window_form=form, status=400)


@login_required
@require_GET
def schedule(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Every group's schedule on one printable page (one group per printed page)."""
    plan = get_plan_for_user(request.user, plan_id, capability="fieldwork:manage")
    calendar = get_calendar(request)
    group_id = request.GET.get("group", "")
    schedules = selectors.schedules(plan, group_id=int(group_id) if group_id.isdigit() else None)
    for s in schedules:
        for a in s.assignments:
            a.note = selectors.day_note(calendar, a.visit_date)  # type: ignore[attr-defined]
            a.weekday = selectors.weekday(a.visit_date)  # type: ignore[attr-defined]
    return render(request, "fieldwork/schedule.html", {"plan": plan, "schedules": schedules})


@login_required
@require_GET
def group_xlsx(request: AuthenticatedHttpRequest, plan_id: int, group_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="fieldwork:manage")
    group = get_field_group_for_office(request.user, plan, group_id)
    schedule = selectors.schedules(plan, group_id=group.pk)[0]
    body = schedule_workbook(plan, schedule, get_calendar(request))
    response = HttpResponse(body, content_type=XLSX)
    return export_response(
        request,
        response,
        filename=f"{plan.year}年度实地考核日程-{group.name}.xlsx",
        action="fieldwork.schedule_export",
        obj=group,
        plan_id=plan.pk,
        after={"units": len(schedule.assignments)},
    )
