"""Results pages (考核办 only): snapshots and the compute form, a snapshot's ranked tables, a unit's breakdown, .xlsx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kaohe.core import audit
from kaohe.core.downloads import as_download
from kaohe.organisations import access
from kaohe.plans.models import Plan, PlanUnit
from kaohe.results import exports, selectors, services
from kaohe.results.forms import CategoryChoiceForm, ComputeForm
from kaohe.results.models import MissingPolicyChoice

MISSING_PAGE = 50


def _index(request: HttpRequest, plan: Plan, form: ComputeForm, *, status: int = 200) -> HttpResponse:
    rows = selectors.snapshot_rows(plan)
    latest = rows[0].snapshot if rows else None
    missing = selectors.missing_lines(plan, latest) if latest is not None and latest.missing_count else []
    return render(
        request,
        "results/index.html",
        {
            "plan": plan,
            "form": form,
            "rows": rows,
            "latest": latest,
            "missing_page": Paginator(missing, MISSING_PAGE).get_page(request.GET.get("page")),
            "missing_units": len(missing),
            "zero": MissingPolicyChoice.ZERO,
        },
        status=status,
    )


@login_required
@require_GET
def index(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Every computation of the plan, the compute form, and what the latest one found missing."""
    plan = access.get_results_plan_for_user(request.user, plan_id)
    return _index(request, plan, ComputeForm())


@login_required
@require_POST
def compute(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access.get_results_plan_for_user(request.user, plan_id)
    form = ComputeForm(request.POST)
    if form.is_valid():
        try:
            snapshot = services.results_compute(
                actor=request.user,
                plan=plan,
                missing_policy=form.cleaned_data["missing_policy"],
                decision_note=form.cleaned_data["decision_note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已完成第{snapshot.seq}次计算")
            return redirect("results:snapshot", plan_id=plan.pk, snapshot_id=snapshot.pk)
    return _index(request, plan, form, status=400)


@login_required
@require_GET
def snapshot(request: HttpRequest, plan_id: int, snapshot_id: int) -> HttpResponse:
    """One computation: per category the ranked table (category chosen with ?category=)."""
    plan = access.get_results_plan_for_user(request.user, plan_id)
    snap = access.get_snapshot_for_user(request.user, plan, snapshot_id)
    categories = [(c["id"], c["name"]) for c in snap.summary]
    form = CategoryChoiceForm(request.GET, categories=categories)
    category_id = categories[0][0] if categories else None
    if form.is_valid() and form.cleaned_data["category"] is not None:
        category_id = form.cleaned_data["category"]
    table = selectors.category_table(snap, category_id) if category_id is not None else None
    return render(
        request,
        "results/snapshot.html",
        {"plan": plan, "snapshot": snap, "table": table, "zero": MissingPolicyChoice.ZERO},
    )


@login_required
@require_GET
def breakdown(request: HttpRequest, plan_id: int, snapshot_id: int, unit_id: int) -> HttpResponse:
    """One unit in one computation, down to each task, with who gave each value and the formula."""
    plan = access.get_results_plan_for_user(request.user, plan_id)
    snap = access.get_snapshot_for_user(request.user, plan, snapshot_id)
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    data = selectors.unit_breakdown(plan, snap, unit) if unit is not None else None
    if data is None:
        raise Http404("该考核对象不在此次计算中")
    return render(
        request,
        "results/breakdown.html",
        {"plan": plan, "snapshot": snap, "b": data, "zero": MissingPolicyChoice.ZERO},
    )


@login_required
@require_GET
def export(request: HttpRequest, plan_id: int, snapshot_id: int) -> HttpResponse:
    plan = access.get_results_plan_for_user(request.user, plan_id)
    snap = access.get_snapshot_for_user(request.user, plan, snapshot_id)
    body = exports.snapshot_workbook(plan, snap)
    audit.record(
        actor=request.user, action="results.export", obj=snap, plan_id=plan.pk, after={"seq": snap.seq, "bytes": len(body)}
    )
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{plan.title}-考核结果-第{snap.seq}次计算.xlsx"
    return as_download(response, filename)


@login_required
@require_GET
def bulletin(request: HttpRequest, plan_id: int, snapshot_id: int) -> HttpResponse:
    """The snapshot as the results bulletin (考核情况的通报), a .docx draft in the official document layout."""
    from kaohe.results.bulletin import build_bulletin

    plan = access.get_results_plan_for_user(request.user, plan_id)
    snap = access.get_snapshot_for_user(request.user, plan, snapshot_id)
    body = build_bulletin(plan, snap)
    audit.record(
        actor=request.user, action="results.bulletin", obj=snap, plan_id=plan.pk, after={"seq": snap.seq, "bytes": len(body)}
    )
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    filename = f"{plan.title}-考核情况通报-第{snap.seq}次计算.docx"
    return as_download(response, filename)
