"""加减分 pages: the unit's page (apply for a bonus, its applications and deductions) and the office's page
(decide applications, totals per unit with the cap, deductions, veto flags), plus the evidence download."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kaohe import access
from kaohe.access.grading import (
    applying_units,
    get_bonus_application_for_user,
    get_deduction_for_user,
    get_unit_to_adjust,
    get_veto_flag_for_user,
)
from kaohe.access.plans import get_published_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.downloads import as_download
from kaohe.core.ratelimit import limit_upload_rate
from kaohe.core.uploads import limit_uploads, upload_refusal
from kaohe.plans.models import Plan, PlanUnit
from kaohe.scoring import selectors_adjustments as selectors
from kaohe.scoring import services_adjustments as services
from kaohe.scoring.forms_adjustments import (
    BonusApplicationForm,
    DecideForm,
    DeductionForm,
    LinkForm,
    OfficeBonusForm,
    OfficeFilterForm,
    ReasonForm,
    VetoFlagForm,
)


def _office_url(plan: Plan, unit_id: int | None = None, anchor: str = "") -> str:
    url = reverse("scoring:adjustments_office", args=[plan.pk])
    if unit_id:
        url += f"?unit={unit_id}"
    return url + (f"#{anchor}" if anchor else "")


def _back(request: HttpRequest, plan: Plan, anchor: str) -> str:
    """The office page again, filtered to the unit it was showing (``back_unit``, a plain hint, not trusted)."""
    back = request.POST.get("back_unit", "")
    return _office_url(plan, int(back) if back.isdigit() else None, anchor)


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: ReasonForm | LinkForm | DecideForm, fallback: str) -> None:
    errors = [str(e) for field in form.errors.values() for e in field]
    messages.error(request, fallback if not errors else f"{fallback}：{'；'.join(errors)}")


# --- the unit ------------------------------------------------------------------------------------------


def _render_unit(
    request: HttpRequest,
    plan: Plan,
    unit: PlanUnit,
    form: BonusApplicationForm,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "scoring/adjustments_unit.html",
        {
            "plan": plan,
            "unit": unit,
            "form": form,
            "errors": errors or [],
            "page": selectors.unit_page(plan, unit),
            "is_open": plan.status == Plan.Status.PUBLISHED,
            "max_mb": settings.KAOHE_EVIDENCE_MAX_BYTES // (1024 * 1024),
        },
        status=status,
    )


@login_required
@require_GET
def adjustments_unit(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The unit's 加减分 page; the office is sent to its own page."""
    plan = get_published_plan_for_user(request.user, plan_id)
    units = applying_units(request.user, plan)
    if not units:
        if access.can(request.user, "adjustment:decide", plan):
            return redirect("scoring:adjustments_office", plan_id=plan.pk)
        raise PermissionDenied
    return _render_unit(request, plan, units[0], BonusApplicationForm())


@limit_upload_rate
@limit_uploads
@login_required
@require_POST
def bonus_apply(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    units = applying_units(request.user, plan)
    if not units:
        raise PermissionDenied
    unit = units[0]
    data, files = request.POST, request.FILES  # parsing the body is what runs the upload limits
    if refusal := upload_refusal(request):
        return _render_unit(request, plan, unit, BonusApplicationForm(data), errors=[refusal], status=400)  # keeps the text typed
    form = BonusApplicationForm(data, files)
    if form.is_valid():
        try:
            application = services.bonus_application_submit(
                actor=request.user,
                plan=plan,
                unit=unit,
                kind=form.cleaned_data["kind"],
                matter=form.cleaned_data["matter"],
                description=form.cleaned_data["description"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已提交加分申请“{application.matter}”，请等待考核办审核")
            return redirect("scoring:adjustments_unit", plan_id=plan.pk)
    return _render_unit(request, plan, unit, form, status=400)


@login_required
@require_POST
def bonus_withdraw(request: AuthenticatedHttpRequest, plan_id: int, application_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    application = get_bonus_application_for_user(request.user, plan, application_id)
    try:
        services.bonus_application_withdraw(actor=request.user, plan=plan, application=application)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已撤回加分申请“{application.matter}”")
    return redirect("scoring:adjustments_unit", plan_id=plan.pk)


@login_required
@require_GET
def bonus_evidence(request: AuthenticatedHttpRequest, plan_id: int, application_id: int) -> HttpResponseBase:
    """The evidence file of an application, for its unit's members and the office; always an attachment."""
    plan = get_published_plan_for_user(request.user, plan_id)
    application = get_bonus_application_for_user(request.user, plan, application_id)
    handle = services.bonus_evidence_open(actor=request.user, plan=plan, application=application)
    response = FileResponse(handle, content_type="application/octet-stream")
    return as_download(response, application.evidence_name)


# --- the office ----------------------------------------------------------------------------------------


def _render_office(
    request: HttpRequest,
    plan: Plan,
    *,
    deduction_form: DeductionForm | None = None,
    flag_form: VetoFlagForm | None = None,
    bonus_form: OfficeBonusForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    units = selectors.plan_units(plan)
    filter_form = OfficeFilterForm(request.GET or None, units=units)
    unit = None
    if filter_form.is_valid() and filter_form.cleaned_data["unit"]:
        unit = next(u for u in units if u.pk == filter_form.cleaned_data["unit"])
    page = selectors.office_page(plan, unit_id=unit.pk if unit else None)
    if deduction_form is None:
        deduction_form = DeductionForm(
            initial={"unit": unit.pk if unit else None},
            units=units,
            tasks=selectors.deduction_tasks(plan, category_id=unit.category_id if unit else None),
            active=[row.deduction for row in page.deductions if row.deduction.withdrawn_at is None],
        )
    if flag_form is None:
        flag_form = VetoFlagForm(
            initial={"unit": unit.pk if unit else None}, units=units, conditions=services.veto_conditions(plan)
        )
    if bonus_form is None:
        approved = [a for s in page.summaries for a in s.approved]
        bonus_form = OfficeBonusForm(initial={"unit": unit.pk if unit else None}, units=units, approved=approved)
    return render(
        request,
        "scoring/adjustments_office.html",
        {
            "plan": plan,
            "unit": unit,
            "filter_form": filter_form,
            "page": page,
            "deduction_form": deduction_form,
            "flag_form": flag_form,
            "bonus_form": bonus_form,
            "bonus_errors": errors or [],
            "is_open": plan.status == Plan.Status.PUBLISHED,
        },
        status=status,
    )


@login_required
@require_GET
def adjustments_office(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="adjustment:decide")
    return _render_office(request, plan)


@login_required
@require_POST
def bonus_decide(request: AuthenticatedHttpRequest, plan_id: int, application_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    application = get_bonus_application_for_user(request.user, plan, application_id, decide=True)
    candidates = [a for a in selectors.approved_applications(plan, application.unit_id) if a.pk != application.pk]
    form = DecideForm(request.POST, candidates=candidates)
    if not form.is_valid():
        _form_errors(request, form, "审核未保存")
    else:
        duplicate = next((a for a in candidates if a.pk == form.cleaned_data["duplicate_of"]), None)
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.bonus_application_decide(
                actor=request.user,
                plan=plan,
                application=application,
                approve=approve,
                reason=form.cleaned_data["reason"],
                duplicate_of=duplicate,
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            verdict = "已认定" if approve else "已不予认定"
            messages.success(request, f"{application.unit.organisation.name}“{application.matter}”{verdict}，并已通知该单位")
    return redirect(_back(request, plan, "pending"))


@limit_upload_rate
@limit_uploads
@login_required
@require_POST
def bonus_office_record(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """考核办认定加分: the office awards a bonus itself (counted like an approved application)."""
    plan = get_published_plan_for_user(request.user, plan_id, capability="adjustment:decide")
    units = selectors.plan_units(plan)
    approved = selectors.all_approved_applications(plan)
    data, files = request.POST, request.FILES  # parsing the body is what runs the upload limits
    if refusal := upload_refusal(request):
        form = OfficeBonusForm(data, units=units, approved=approved)
        return _render_office(request, plan, bonus_form=form, errors=[refusal], status=400)
    form = OfficeBonusForm(data, files, units=units, approved=approved)
    if form.is_valid():
        unit = get_unit_to_adjust(request.user, plan, form.cleaned_data["unit"])
        try:
            bonus = services.bonus_office_record(
                actor=request.user,
                plan=plan,
                unit=unit,
                kind=form.cleaned_data["kind"],
                matter=form.cleaned_data["matter"],
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data["evidence"],
                duplicate_of=next((a for a in approved if a.pk == form.cleaned_data["duplicate_of"]), None),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已为{unit.organisation.name}认定加分“{bonus.matter}”，并已通知该单位")
            return redirect(_office_url(plan, unit.pk, "totals"))
    return _render_office(request, plan, bonus_form=form, status=400)


@login_required
@require_POST
def deduction_record(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="adjustment:decide")
    units = selectors.plan_units(plan)
    tasks = selectors.deduction_tasks(plan)
    active = selectors.active_deductions(plan)
    form = DeductionForm(request.POST, units=units, tasks=tasks, active=active)
    if form.is_valid():
        unit = get_unit_to_adjust(request.user, plan, form.cleaned_data["unit"])
        try:
            deduction = services.deduction_record(
                actor=request.user,
                plan=plan,
                unit=unit,
                kind=form.cleaned_data["kind"],
                matter=form.cleaned_data["matter"],
                points=form.cleaned_data["points"],
                task=next((t for t in tasks if t.pk == form.cleaned_data["task"]), None),
                reason=form.cleaned_data["reason"],
                duplicate_of=next((d for d in active if d.pk == form.cleaned_data["duplicate_of"]), None),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已记录{unit.organisation.name}减分“{deduction.matter}”，并已通知该单位")
            return redirect(_back(request, plan, "deductions"))  # the list the office was looking at, not narrowed
    return _render_office(request, plan, deduction_form=form, status=400)


@login_required
@require_POST
def deduction_withdraw(request: AuthenticatedHttpRequest, plan_id: int, deduction_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    deduction = get_deduction_for_user(request.user, plan, deduction_id, decide=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, "请填写撤销理由")
    else:
        try:
            services.deduction_withdraw(actor=request.user, plan=plan, deduction=deduction, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"已撤销减分“{deduction.matter}”（记录保留，可追溯）")
    return redirect(_back(request, plan, "deductions"))


@login_required
@require_POST
def deduction_link(request: AuthenticatedHttpRequest, plan_id: int, deduction_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    deduction = get_deduction_for_user(request.user, plan, deduction_id, decide=True)
    candidates = [d for d in selectors.active_deductions(plan, unit_id=deduction.unit_id) if d.pk != deduction.pk]
    form = LinkForm(request.POST, candidates=candidates)
    if not form.is_valid():
        _form_errors(request, form, "请选择同一事项的减分记录")
    else:
        target = next(d for d in candidates if d.pk == form.cleaned_data["duplicate_of"])
        try:
            services.deduction_link_duplicate(actor=request.user, plan=plan, deduction=deduction, duplicate_of=target)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"已将“{deduction.matter}”与“{target.matter}”关联为同一事项，只扣一次分")
    return redirect(_back(request, plan, "deductions"))


@login_required
@require_POST
def veto_flag_set(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="adjustment:decide")
    form = VetoFlagForm(request.POST, units=selectors.plan_units(plan), conditions=services.veto_conditions(plan))
    if form.is_valid():
        unit = get_unit_to_adjust(request.user, plan, form.cleaned_data["unit"])
        try:
            services.veto_flag_set(
                actor=request.user, plan=plan, unit=unit, flag=form.cleaned_data["flag"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已为{unit.organisation.name}记录否决情形")
            return redirect(_office_url(plan, unit.pk, "flags"))
    return _render_office(request, plan, flag_form=form, status=400)


@login_required
@require_POST
def veto_flag_clear(request: AuthenticatedHttpRequest, plan_id: int, flag_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    flag = get_veto_flag_for_user(request.user, plan, flag_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, "请填写取消理由")
    else:
        try:
            services.veto_flag_clear(actor=request.user, plan=plan, flag=flag, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"已取消{flag.unit.organisation.name}的否决情形")
    return redirect(_back(request, plan, "flags"))
