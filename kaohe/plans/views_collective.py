"""集中反馈要求: a 考核对象 asks for (or withdraws its request for) a collective feedback meeting, from its feedback
page (reviews:unit); the office sees the requests on its feedback page (reviews:office)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from kaohe.access.plans import get_own_unit_for_user, get_published_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.flash import flash_errors
from kaohe.plans.forms import CollectiveFeedbackForm
from kaohe.plans.services_collective import NOTE_MAX, collective_feedback_request


@login_required
@require_POST
def collective_feedback(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit = get_own_unit_for_user(request.user, plan)
    form = CollectiveFeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"集中反馈要求不能超过{NOTE_MAX}字")
        return redirect("reviews:unit", plan_id=plan.pk)
    note = "" if form.cleaned_data["withdraw"] else form.cleaned_data["note"]
    try:
        collective_feedback_request(actor=request.user, plan=plan, unit=unit, note=note)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已向考核办提出集中反馈要求" if note else "已撤回集中反馈要求")
    return redirect("reviews:unit", plan_id=plan.pk)
