"""约谈 and 重点单位 pages: the office records talks with units' 主要负责人 and marks the units it follows closely."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kaohe.access.plans import get_published_plan_for_user
from kaohe.access.reviews import get_talk_for_office, get_unit_for_talks
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.downloads import as_download
from kaohe.core.flash import flash_form_errors
from kaohe.core.ratelimit import limit_upload_rate
from kaohe.core.uploads import limit_uploads, upload_refusal
from kaohe.reviews import selectors_talks, services_talks
from kaohe.reviews.forms_talks import FocusClearForm, FocusSetForm, TalkForm

CAPABILITY = "rectification:decide"


def _flash(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_GET
def talks(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The plan's 约谈 records and 重点单位, with the forms to add them."""
    plan = get_published_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    page = selectors_talks.talks_page(plan)
    return render(
        request,
        "reviews/talks.html",
        {
            "plan": plan,
            "page": page,
            "talks_open": services_talks.talks_open(plan),
            "talk_form": TalkForm(plan=plan, units=page.units),
            "focus_form": FocusSetForm(units=page.units),
        },
    )


@limit_upload_rate
@limit_uploads
@login_required
@require_POST
def talk_create(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    data, files = request.POST, request.FILES  # parsing the body is what runs the upload limits
    form = TalkForm(data, files, plan=plan, units=selectors_talks.talks_page(plan).units)
    if refusal := upload_refusal(request):
        messages.error(request, f"{refusal}。约谈未登记。")
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        unit = get_unit_for_talks(request.user, plan, form.cleaned_data["unit"])
        try:
            services_talks.talk_record(
                actor=request.user,
                plan=plan,
                unit=unit,
                held_on=form.cleaned_data["held_on"],
                held_by=form.cleaned_data["held_by"],
                subject_name=form.cleaned_data["subject_name"],
                subject_post=form.cleaned_data["subject_post"],
                notes=form.cleaned_data["notes"],
                upload=form.cleaned_data["minutes"],
            )
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, f"已登记对{unit.organisation.name}的约谈")
    return redirect("reviews:talks", plan_id=plan.pk)


@login_required
@require_GET
def talk_minutes(request: AuthenticatedHttpRequest, plan_id: int, talk_id: int) -> HttpResponseBase:
    """A talk's minutes, for the office; always served as an attachment."""
    plan = get_published_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    talk = get_talk_for_office(request.user, plan, talk_id)
    if not talk.minutes_storage_name:
        raise Http404("该约谈没有上传约谈记录")
    handle = services_talks.talk_minutes_open(actor=request.user, plan=plan, talk=talk)
    return as_download(FileResponse(handle, content_type="application/octet-stream"), talk.minutes_name)


@login_required
@require_POST
def focus_set(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    form = FocusSetForm(request.POST, units=selectors_talks.talks_page(plan).units)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        unit = get_unit_for_talks(request.user, plan, form.cleaned_data["unit"])
        try:
            services_talks.focus_unit_set(actor=request.user, plan=plan, unit=unit, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, f"{unit.organisation.name}已列为重点单位，其整改在“整改”页排在前面并标注")
    return redirect("reviews:talks", plan_id=plan.pk)


@login_required
@require_POST
def focus_clear(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability=CAPABILITY)
    unit = get_unit_for_talks(request.user, plan, unit_id)
    form = FocusClearForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services_talks.focus_unit_clear(actor=request.user, plan=plan, unit=unit, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, f"{unit.organisation.name}已不再是重点单位")
    return redirect("reviews:talks", plan_id=plan.pk)
