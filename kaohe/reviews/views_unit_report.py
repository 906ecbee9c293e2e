"""整改情况报告 pages: the unit submits its formal report (on its 整改 page), the office lists and decides them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kaohe.access.plans import get_plan_for_user, get_published_plan_for_user
from kaohe.access.reviews import get_unit_for_unit_report, get_unit_report_for_office, get_unit_report_version_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.downloads import as_download
from kaohe.core.flash import flash_form_errors
from kaohe.core.ratelimit import limit_upload_rate
from kaohe.core.uploads import limit_uploads, upload_refusal
from kaohe.reviews import selectors_unit_report, services_rectification, services_unit_report
from kaohe.reviews.forms_unit_report import UnitReportDecideForm, UnitReportFilterForm, UnitReportForm


@limit_upload_rate
@limit_uploads
@login_required
@require_POST
def unit_report_submit(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="rectification:report")
    unit = get_unit_for_unit_report(request.user, plan, unit_id)
    data, files = request.POST, request.FILES  # parsing the body is what runs the upload limits
    form = UnitReportForm(data, files, plan=plan)
    if refusal := upload_refusal(request):
        messages.error(request, f"{refusal}。整改情况报告未提交。")
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            version = services_unit_report.unit_report_submit(
                actor=request.user,
                plan=plan,
                unit=unit,
                upload=form.cleaned_data["file"],
                doc_number=form.cleaned_data["doc_number"],
                doc_date=form.cleaned_data["doc_date"],
                signer_name=form.cleaned_data["signer_name"],
                signer_post=form.cleaned_data["signer_post"],
                leader_reviewed=form.cleaned_data["leader_reviewed"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            late = f"（已过报送期限 {version.due_date:%Y-%m-%d}，记为逾期报送）" if version.late else ""
            messages.success(request, f"已提交整改情况报告（第{version.number}版）{late}，请等待考核办验收")
    return redirect("reviews:rectification_unit", plan_id=plan.pk)


@login_required
@require_GET
def unit_report_file(request: AuthenticatedHttpRequest, plan_id: int, version_id: int) -> HttpResponseBase:
    """A version's file, for the office and the report's unit; always served as an attachment."""
    plan = get_plan_for_user(request.user, plan_id)
    version = get_unit_report_version_for_user(request.user, plan, version_id)
    handle = services_unit_report.unit_report_file_open(actor=request.user, plan=plan, version=version)
    return as_download(FileResponse(handle, content_type="application/octet-stream"), version.file_name)


@login_required
@require_GET
def unit_reports(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Every unit's report: 未报送 / 待验收 / 已退回 / 已通过, overdue marked, filtered by state."""
    plan = get_published_plan_for_user(request.user, plan_id, capability="rectification:decide")
    form = UnitReportFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page = selectors_unit_report.office_list(plan, services_rectification.today(), state=state)
    return render(
        request,
        "reviews/unit_reports.html",
        {"plan": plan, "page": page, "filter_form": form, "filtered": bool(state)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def unit_report_decide(request: AuthenticatedHttpRequest, plan_id: int, report_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="rectification:decide")
    report = get_unit_report_for_office(request.user, plan, report_id)
    form = UnitReportDecideForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services_unit_report.unit_report_decide(
                actor=request.user, plan=plan, report=report, accept=accept, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"{report.unit.organisation.name}的整改情况报告{'已通过' if accept else '已退回'}")
    return redirect("reviews:unit_reports", plan_id=plan.pk)
