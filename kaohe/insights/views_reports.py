"""Annual report pages: the office's status list and due dates, a unit's report with its coverage table."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kaohe import access
from kaohe.access.plans import get_published_plan_for_user
from kaohe.access.reports import (
    get_own_unit_for_report,
    get_report_version_for_user,
    get_unit_for_report,
    get_unit_for_report_submit,
    report_list_categories,
)
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.downloads import as_download
from kaohe.core.flash import flash_form_errors
from kaohe.core.ratelimit import limit_upload_rate
from kaohe.core.uploads import limit_uploads, upload_refusal
from kaohe.insights import selectors_reports, services_reports
from kaohe.insights.forms_reports import ReportFilterForm, ReportSettingsForm, ReportSubmitForm


@login_required
@require_GET
def reports(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Every unit's annual report: 未报送 / 已报送 / 已公开 / 逾期, filtered by state, with the due dates (for a
    desk, the units of the categories where it grades a report task)."""
    plan = get_published_plan_for_user(request.user, plan_id)
    categories = report_list_categories(request.user, plan)
    form = ReportFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page = selectors_reports.office_list(plan, services_reports.today(), state=state, category_ids=categories)
    settings_form = ReportSettingsForm(initial={"report_due": page.report_due, "publish_due": page.publish_due}, plan=plan)
    return render(
        request,
        "insights/reports_office.html",
        {
            "plan": plan,
            "page": page,
            "filter_form": form,
            "filtered": bool(state),
            "settings_form": settings_form,
            "may_set": access.can(request.user, "plan:settings", plan),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def report_settings(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="plan:settings")
    form = ReportSettingsForm(request.POST, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services_reports.annual_report_settings_set(
                actor=request.user,
                plan=plan,
                report_due=form.cleaned_data["report_due"],
                publish_due=form.cleaned_data["publish_due"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "已保存年度报告的报送期限和公开期限")
    return redirect("insights:reports", plan_id=plan.pk)


@login_required
@require_GET
def report_mine(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The unit's own report page (the navigation's entry for units)."""
    plan = get_published_plan_for_user(request.user, plan_id, capability="evidence:submit")
    unit = get_own_unit_for_report(request.user, plan)
    return redirect("insights:report_unit", plan_id=plan.pk, unit_id=unit.pk)


@login_required
@require_GET
def report_unit(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    """A unit's annual report: versions, publication, the coverage table; the unit's filing form."""
    plan = get_published_plan_for_user(request.user, plan_id)
    unit = get_unit_for_report(request.user, plan, unit_id)
    page = selectors_reports.unit_page(plan, unit, services_reports.today())
    own = access.is_own_unit(request.user, unit, plan) and access.can(request.user, "evidence:submit", plan)
    latest = page.row.latest
    initial = {"publication_url": latest.publication_url, "published_on": latest.published_on} if latest else {}
    return render(
        request,
        "insights/reports_unit.html",
        {
            "plan": plan,
            "unit": unit,
            "page": page,
            "form": ReportSubmitForm(initial=initial, plan=plan) if own else None,
            "may_list": access.can(request.user, "evidence:overview", plan),
        },
    )


@limit_upload_rate
@limit_uploads
@login_required
@require_POST
def report_submit(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="evidence:submit")
    unit = get_unit_for_report_submit(request.user, plan, unit_id)
    data, files = request.POST, request.FILES  # parsing the body is what runs the upload limits
    form = ReportSubmitForm(data, files, plan=plan)
    if refusal := upload_refusal(request):
        messages.error(request, f"{refusal}。年度报告未报送。")
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            version = services_reports.annual_report_submit(
                actor=request.user,
                plan=plan,
                unit=unit,
                upload=form.cleaned_data["file"],
                publication_url=form.cleaned_data["publication_url"],
                published_on=form.cleaned_data["published_on"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            late = "（已过报送期限，记为逾期报送）" if version.late else ""
            messages.success(request, f"已报送年度报告（第{version.number}版）{late}")
    return redirect("insights:report_unit", plan_id=plan.pk, unit_id=unit.pk)


@login_required
@require_GET
def report_file(request: AuthenticatedHttpRequest, plan_id: int, version_id: int) -> HttpResponseBase:
    """A version's file, for whoever reads the report; always served as an attachment."""
    plan = get_published_plan_for_user(request.user, plan_id)
    version = get_report_version_for_user(request.user, plan, version_id)
    handle = services_reports.annual_report_file_open(actor=request.user, plan=plan, version=version)
    return as_download(FileResponse(handle, content_type="application/octet-stream"), version.file_name)
