"""结果运用 (the office): the assessments that take the published results, and the export in each one's shape."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe.access.results import get_release_plan_for_user, get_result_use_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.audit_exports import export_response
from kaohe.core.flash import flash_errors
from kaohe.plans.models import Plan
from kaohe.results import selectors, selectors_use, services_use
from kaohe.results.forms_use import ResultUseForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan(request: AuthenticatedHttpRequest, plan_id: int) -> Plan:
    return get_release_plan_for_user(request.user, plan_id, services_use.CAPABILITY)


def _page(request: AuthenticatedHttpRequest, plan: Plan, form: ResultUseForm, *, status: int = 200) -> HttpResponse:
    publication = selectors.publication_in_force(plan)
    context = {"plan": plan, "uses": list(selectors_use.uses_of(plan)), "form": form, "publication": publication}
    return render(request, "results/uses.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def uses(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The list of receiving assessments (GET) and adding one (POST; errors shown on the page, 400)."""
    plan = _plan(request, plan_id)
    if request.method != "POST":
        return _page(request, plan, ResultUseForm())
    form = ResultUseForm(request.POST)
    if not form.is_valid():
        return _page(request, plan, form, status=400)
    data = form.cleaned_data
    try:
        use = services_use.result_use_create(
            actor=request.user,
            plan=plan,
            name=data["name"],
            weight=data["weight"],
            total_points=data["total_points"],
            columns=data["columns"],
            note=data["note"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _page(request, plan, form, status=400)
    messages.success(request, f"已添加结果运用：{use.name}")
    return redirect("results:uses", plan_id=plan.pk)


@login_required
@require_POST
def use_remove(request: AuthenticatedHttpRequest, plan_id: int, use_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    use = get_result_use_for_user(request.user, plan, use_id)
    try:
        services_use.result_use_remove(actor=request.user, plan=plan, use=use)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已删除结果运用：{use.name}")
    return redirect("results:uses", plan_id=plan.pk)


@login_required
@require_GET
def use_export(request: AuthenticatedHttpRequest, plan_id: int, use_id: int) -> HttpResponse:
    """The published results in this assessment's shape (.xlsx); audited. Before publication: a message."""
    plan = _plan(request, plan_id)
    use = get_result_use_for_user(request.user, plan, use_id)
    publication = selectors.publication_in_force(plan)
    if publication is None:
        messages.error(request, "考核结果尚未公布：结果运用只导出已公布的结果")
        return redirect("results:uses", plan_id=plan.pk)
    body = selectors_use.use_workbook(plan, use, publication)
    response = HttpResponse(body, content_type=XLSX)
    return export_response(
        request,
        response,
        filename=f"{plan.title}-结果运用-{use.name}.xlsx",
        action="results.use_export",
        obj=use,
        plan_id=plan.pk,
        after={"name": use.name, "weight": str(use.weight), "snapshot": publication.snapshot.seq},
    )
