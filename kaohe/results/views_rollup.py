"""下级考核汇总 (an office's roll-up of the lower offices' plans): every lower plan's progress and, once
published there, its results side by side; one lower plan's page (progress, or its published results and
bulletin). Read-only; unpublished scores never appear (selectors_rollup reads only publications in force)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kaohe.access.base import require
from kaohe.access.rollup import CAPABILITY, get_lower_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.audit_exports import export_response
from kaohe.results import selectors, selectors_rollup
from kaohe.results.bulletin import BulletinTexts, build_bulletin
from kaohe.results.forms import CategoryChoiceForm

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The lower plans by region: status, timeline, progress; grades, score rates, rectification once published."""
    require(request.user, CAPABILITY)
    rollup = selectors_rollup.load_rollup(request.user)
    return render(request, "results/rollup.html", {"rollup": rollup, "charts": selectors_rollup.charts(rollup)})


@login_required
@require_GET
def plan(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """One lower plan: its progress; once its results are published, the published tables by category."""
    lower = get_lower_plan_for_user(request.user, plan_id)
    publication = selectors.publication_in_force(lower)
    context: dict[str, object] = {
        "plan": lower,
        "progress": selectors_rollup.plan_progress(lower),
        "publication": publication,
    }
    if publication is not None:
        snapshot = publication.snapshot
        categories = [(c["id"], c["name"]) for c in snapshot.summary]
        choice = CategoryChoiceForm(request.GET, categories=categories)
        category_id = categories[0][0] if categories else None
        if choice.is_valid() and choice.cleaned_data["category"] is not None:
            category_id = choice.cleaned_data["category"]
        context.update(
            {
                "snapshot": snapshot,
                "table": selectors.category_table(snapshot, category_id) if category_id is not None else None,
            }
        )
    return render(request, "results/rollup_plan.html", context)


@login_required
@require_GET
def bulletin(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The lower plan's published bulletin (.docx), as published; 404 before publication."""
    lower = get_lower_plan_for_user(request.user, plan_id)
    publication = selectors.publication_in_force(lower)
    if publication is None:
        raise Http404("考核结果尚未公布")
    texts = BulletinTexts.from_json(publication.bulletin)
    two_years = selectors.TwoYears.from_json(publication.excellent_two_years)
    body = build_bulletin(lower, publication.snapshot, today=texts.date, texts=texts, two_years=two_years)
    return export_response(
        request,
        HttpResponse(body, content_type=DOCX),
        filename=f"{lower.title}-考核情况通报-公布稿.docx",
        action="rollup.bulletin",
        obj=publication,
        plan_id=lower.pk,
    )
