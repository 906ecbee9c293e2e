"""Insight pages: a submission's texts, duplicates, facts and hints for its desk; dismissing a hint; text search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kaohe.access.insights import (
    get_hint_to_dismiss,
    get_submission_for_insights,
    may_dismiss,
    may_read_version,
    readable_files,
    require_insights_reader,
)
from kaohe.access.plans import get_published_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.flash import flash_form_errors
from kaohe.insights import selectors, services
from kaohe.insights.extract import tesseract_path
from kaohe.insights.forms import DismissForm, TextSearchForm
from kaohe.submissions.models import EvidenceFile


@login_required
@require_GET
def submission(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    """材料分析: the text of every version, the facts read from it, duplicates and hints (never a score)."""
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, task = get_submission_for_insights(request.user, plan, unit_id, task_id)

    def may_read(version: EvidenceFile) -> bool:
        return may_read_version(request.user, version)

    page = selectors.submission_insights(plan, unit, task, may_read)
    can_dismiss = bool(page.versions) and any(may_dismiss(request.user, plan, h.hint) for row in page.versions for h in row.hints)
    return render(
        request,
        "insights/submission.html",
        {
            "plan": plan,
            "unit": unit,
            "task": task,
            "page": page,
            "can_dismiss": can_dismiss,
            "dismiss_form": DismissForm(),
            "ocr_installed": tesseract_path() is not None,
        },
    )


@login_required
@require_POST
def dismiss(request: AuthenticatedHttpRequest, plan_id: int, hint_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    hint = get_hint_to_dismiss(request.user, plan, hint_id)
    form = DismissForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.hint_dismiss(actor=request.user, plan=plan, hint=hint, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "已排除该提示（评价不受影响）")
    return redirect("insights:submission", plan_id=plan.pk, unit_id=hint.submission.unit_id, task_id=hint.submission.task_id)


@login_required
@require_GET
def search(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Search the extracted text of the files the user may read in the plan."""
    plan = get_published_plan_for_user(request.user, plan_id)
    require_insights_reader(request.user, plan)
    form = TextSearchForm(request.GET or None)
    hits = selectors.search_texts(readable_files(request.user, plan), form.cleaned_data["q"]) if form.is_valid() else None
    return render(
        request,
        "insights/search.html",
        {"plan": plan, "form": form, "hits": hits, "limit": selectors.SEARCH_LIMIT},
    )
