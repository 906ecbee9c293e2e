"""典型经验 pages: everyone in the plan reads the published good practices by area; the office marks, publishes
and withdraws them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kaohe import access
from kaohe.access.plans import get_published_plan_for_user
from kaohe.access.results import get_good_practice_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.flash import flash_errors, flash_form_errors
from kaohe.plans.models import Plan
from kaohe.results import selectors_practice, services_practice
from kaohe.results.forms_practice import PracticeForm, PracticeUnitForm


def _back(plan: Plan, unit_id: int | None = None) -> HttpResponse:
    """The page again; after marking, with the same unit's list open (to mark another of its files)."""
    url = reverse("practices:index", args=[plan.pk])
    return redirect(f"{url}?unit={unit_id}" if unit_id is not None else url)


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The plan's good practices by 类别 → 一级指标: published ones for everyone, all of them for the office."""
    plan = get_published_plan_for_user(request.user, plan_id)
    manages = access.can(request.user, services_practice.CAPABILITY, plan)
    items = list(selectors_practice.practices(plan, published_only=not manages))
    context: dict[str, object] = {"plan": plan, "groups": selectors_practice.grouped(items), "manages": manages}
    if manages:
        # one unit's candidates at a time: a plan's 优 files run to thousands, too many for one list
        units = selectors_practice.candidate_units(plan)
        unit_form = PracticeUnitForm(request.GET or None, units=units)
        context.update({"unit_form": unit_form, "candidate_units": len(units)})
        if unit_form.is_valid():
            unit_id = unit_form.cleaned_data["unit"]
            context["form"] = PracticeForm(candidates=selectors_practice.candidates(plan, unit_id=unit_id))
    return render(request, "results/practices.html", context)


@login_required
@require_POST
def mark(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability=services_practice.CAPABILITY)
    chosen = selectors_practice.candidate(plan, request.POST.get("source", ""))
    form = PracticeForm(request.POST, candidates=[chosen] if chosen is not None else [])
    if chosen is None or not form.is_valid():
        flash_form_errors(request, form)
        return _back(plan)
    try:
        practice = services_practice.good_practice_mark(
            actor=request.user,
            plan=plan,
            title=form.cleaned_data["title"],
            note=form.cleaned_data["note"],
            evidence_file=chosen.evidence_file,
            bonus=chosen.bonus,
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已标为典型经验（待发布）：{practice.title}")
    return _back(plan, chosen.unit_id)


@login_required
@require_POST
def publish(request: AuthenticatedHttpRequest, plan_id: int, practice_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability=services_practice.CAPABILITY)
    practice = get_good_practice_for_user(request.user, plan, practice_id)
    try:
        services_practice.good_practice_publish(actor=request.user, plan=plan, practice=practice)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已发布典型经验：{practice.title}")
    return _back(plan)


@login_required
@require_POST
def withdraw(request: AuthenticatedHttpRequest, plan_id: int, practice_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability=services_practice.CAPABILITY)
    practice = get_good_practice_for_user(request.user, plan, practice_id)
    try:
        services_practice.good_practice_withdraw(actor=request.user, plan=plan, practice=practice)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已撤回典型经验：{practice.title}")
    return _back(plan)
