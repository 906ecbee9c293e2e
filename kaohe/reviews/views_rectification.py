"""整改 pages: the unit's items and reports, the office's list and its decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kaohe import access
from kaohe.access.plans import get_plan_for_user, get_published_plan_for_user, own_units
from kaohe.access.reviews import get_rectification_item_for_user, get_rectification_report_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.dates import plan_date_bounds
from kaohe.core.downloads import as_download
from kaohe.core.flash import flash_form_errors
from kaohe.core.ratelimit import limit_upload_rate
from kaohe.core.uploads import limit_uploads, upload_refusal
from kaohe.reviews import selectors_focus, selectors_rectification, selectors_unit_report, services_rectification
from kaohe.reviews.forms import (
    RectificationDecideForm,
    RectificationDueForm,
    RectificationFilterForm,
    RectificationReportForm,
    RectificationSettingForm,
)
from kaohe.reviews.forms_unit_report import UnitReportForm
from kaohe.reviews.models import RectificationItem


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- the unit ------------------------------------------------------------------------------------------


@login_required
@require_GET
def rectification_unit(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The unit's rectification items (this plan's and those carried into it), its reports and the office's answers."""
    plan = get_published_plan_for_user(request.user, plan_id)
    if not access.can(request.user, "rectification:report", plan):
        if access.can(request.user, "rectification:decide", plan):
            return redirect("reviews:rectification_office", plan_id=plan.pk)
        raise PermissionDenied
    units = own_units(request.user, plan)
    on = services_rectification.today()
    rows = selectors_rectification.unit_rows(plan, {u.organisation_id for u in units}, on)
    unit = units[0] if units else None
    focus_due = (
        selectors_focus.dues_of_items(plan, [r.item for r in rows], on=on).get(unit.organisation_id) if unit is not None else None
    )
    unit_report = selectors_unit_report.unit_row(plan, unit, on) if unit is not None else None
    return render(
        request,
        "reviews/rectification_unit.html",
        {
            "plan": plan,
            "unit": unit,
            "rows": rows,
            "focus_due": focus_due,
            "report_form": RectificationReportForm(),
            "unit_report": unit_report,
            # the signer is the unit's 主要负责人 of this year, as the units page records it (the unit may change it)
            "unit_report_form": UnitReportForm(
                plan=plan,
                initial={"signer_name": unit.leader_name, "signer_post": unit.leader_post} if unit is not None else None,
            ),
        },
    )


@limit_upload_rate
@limit_uploads
@login_required
@require_POST
def rectification_report(request: AuthenticatedHttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="rectification:report")
    item = get_rectification_item_for_user(request.user, plan, item_id)
    data, files = request.POST, request.FILES  # parsing the body is what runs the upload limits
    form = RectificationReportForm(data, files)
    if refusal := upload_refusal(request):
        messages.error(request, f"{refusal}。整改报告未提交。")
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services_rectification.rectification_report(
                actor=request.user,
                plan=plan,
                item=item,
                text=form.cleaned_data["text"],
                attachment=form.cleaned_data["attachment"],
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "已报送整改情况，请等待考核办验收")
    return redirect("reviews:rectification_unit", plan_id=plan.pk)


@login_required
@require_GET
def rectification_attachment(request: AuthenticatedHttpRequest, plan_id: int, report_id: int) -> HttpResponseBase:
    """A report's attachment, for the item's unit and the office; always served as an attachment."""
    plan = get_plan_for_user(request.user, plan_id)
    report = get_rectification_report_for_user(request.user, plan, report_id)
    if not report.attachment_storage_name:
        raise Http404("没有附件")
    handle = services_rectification.rectification_attachment_open(actor=request.user, plan=plan, report=report)
    return as_download(FileResponse(handle, content_type="application/octet-stream"), report.attachment_name)


# --- the office ----------------------------------------------------------------------------------------


@login_required
@require_GET
def rectification_office(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Every unit's items with counts by status (overdue shown), filtered by status and unit.

    A draft next-year plan shows the items carried into it.
    """
    plan = get_plan_for_user(request.user, plan_id, capability="rectification:decide")
    choices = selectors_rectification.unit_choices(plan)
    form = RectificationFilterForm(request.GET or None, units=list(choices))
    status, organisation_id = "", None
    if form.is_valid():
        status, organisation_id = form.cleaned_data["status"], form.cleaned_data["unit"]
    page = selectors_rectification.office_page(
        plan, services_rectification.today(), status=status, organisation_id=organisation_id
    )
    return render(
        request,
        "reviews/rectification_office.html",
        {
            "plan": plan,
            "page": page,
            "filter_form": form,
            "filtered": bool(status or organisation_id),
            "due_date": services_rectification.due_date_of(plan),
            "late_item_days": services_rectification.LATE_ITEM_DAYS,
            "setting_form": RectificationSettingForm(initial={"due_date": services_rectification.due_date_of(plan)}, plan=plan),
            "date_bounds": plan_date_bounds(plan),
            "statuses": RectificationItem.Status,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def rectification_create(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="rectification:decide")
    try:
        items = services_rectification.rectification_items_create(actor=request.user, plan=plan)
    except ValidationError as exc:
        _error(request, exc)
    else:
        if items:
            messages.success(request, f"已根据已发布的问题反馈列出 {len(items)} 项整改事项")
        else:
            messages.info(request, "已发布反馈中的问题均已列为整改事项，没有新增")
    return redirect("reviews:rectification_office", plan_id=plan.pk)


@login_required
@require_POST
def rectification_decide(request: AuthenticatedHttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="rectification:decide")
    item = get_rectification_item_for_user(request.user, plan, item_id, decide=True)
    form = RectificationDecideForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services_rectification.rectification_decide(
                actor=request.user, plan=plan, item=item, accept=accept, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"{item.unit}的整改报告{'已通过' if accept else '已退回'}")
    return redirect("reviews:rectification_office", plan_id=plan.pk)


@login_required
@require_POST
def rectification_due(request: AuthenticatedHttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="rectification:decide")
    item = get_rectification_item_for_user(request.user, plan, item_id, decide=True)
    form = RectificationDueForm(request.POST, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services_rectification.rectification_due_change(
                actor=request.user,
                plan=plan,
                item=item,
                due_date=form.cleaned_data["due_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"{item.unit}的整改期限已调整为 {item.due_date:%Y-%m-%d}")
    return redirect("reviews:rectification_office", plan_id=plan.pk)


@login_required
@require_POST
def rectification_setting(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id, capability="rectification:decide")
    form = RectificationSettingForm(request.POST, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            setting = services_rectification.rectification_setting_set(
                actor=request.user,
                plan=plan,
                due_date=form.cleaned_data["due_date"],
                focus_report_days=form.cleaned_data["focus_report_days"],
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"此后列出的整改事项，整改期限为 {setting.due_date:%Y-%m-%d}")
            if setting.focus_report_days:
                messages.success(request, f"重点单位每 {setting.focus_report_days} 个工作日报送一次整改进展")
            else:
                messages.info(request, "未设置重点单位整改进展报告间隔，不要求重点单位定期报送整改进展")
    return redirect("reviews:rectification_office", plan_id=plan.pk)
