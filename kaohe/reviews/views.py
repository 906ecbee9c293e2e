"""问题反馈与复核 pages: the unit's feedback page and the office's page, and their actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kaohe import access
from kaohe.access.evidence import get_unit_task_for_user
from kaohe.access.plans import get_published_plan_for_user
from kaohe.access.reviews import (
    get_feedback_round_for_office,
    get_released_feedback_for_user,
    get_review_request_for_user,
    get_unit_for_feedback,
    review_units,
)
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.audit_exports import export_response
from kaohe.core.calendar import get_calendar
from kaohe.core.downloads import as_download
from kaohe.core.flash import flash_form_errors
from kaohe.core.ratelimit import limit_upload_rate
from kaohe.core.uploads import limit_uploads, upload_refusal
from kaohe.plans import selectors as plan_selectors
from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews import selectors, services
from kaohe.reviews.forms import DecideForm, ProblemForm, ReleaseForm, RequestForm
from kaohe.reviews.letter import feedback_letter
from kaohe.reviews.models import Feedback


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _own_unit(request: AuthenticatedHttpRequest, plan: Plan) -> PlanUnit:
    units = review_units(request.user, plan)
    if not units:
        raise PermissionDenied
    access.require(request.user, "review:request", plan)
    return units[0]


def _round(plan: Plan, unit: PlanUnit, raw: str | None, *, task_id: int | None = None) -> Feedback | None:
    """The unit's released round named by ``raw`` (a round id from the form); 404 for another unit's or a draft.

    Without an id: for acknowledgement the one round awaiting it, for a review request the newest round
    whose snapshot contains the task.
    """
    rounds = selectors.rounds_of(plan, unit)
    if raw:
        found = next((f for f in rounds if str(f.pk) == raw.strip()), None)
        if found is None:
            raise Http404("问题反馈不存在")
        return found
    if task_id is not None:
        return next((f for f in rounds if any(int(row["task_id"]) == task_id for row in f.scores)), rounds[0] if rounds else None)
    pending = [f for f in rounds if f.acknowledged_at is None]
    return pending[0] if len(pending) == 1 else None


# --- the unit ------------------------------------------------------------------------------------------


@login_required
@require_GET
def feedback_unit(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The unit's feedback (once released), its acknowledgement, window and review requests."""
    plan = get_published_plan_for_user(request.user, plan_id)
    units = review_units(request.user, plan)
    if not units:
        if access.can(request.user, "feedback:release", plan):
            return redirect("reviews:office", plan_id=plan.pk)
        raise PermissionDenied
    unit = units[0]
    policy = services.policy_of(plan)
    page = selectors.unit_page(plan, unit, policy, get_calendar(request))
    return render(
        request,
        "reviews/unit.html",
        {
            "plan": plan,
            "unit": unit,
            "page": page,
            "can_request": access.can(request.user, "review:request", plan),
            "request_form": RequestForm(),
            "request_days": policy.review_request_days,
        },
    )


@login_required
@require_POST
def feedback_acknowledge(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit = _own_unit(request, plan)
    feedback = _round(plan, unit, request.POST.get("round"))
    if feedback is None:
        messages.error(request, "考核办尚未反馈" if not selectors.rounds_of(plan, unit) else "请选择要确认收到的反馈轮次")
        return redirect("reviews:unit", plan_id=plan.pk)
    try:
        services.feedback_acknowledge(actor=request.user, plan=plan, feedback=feedback)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已确认收到{feedback.round_label}")
    return redirect("reviews:unit", plan_id=plan.pk)


@limit_upload_rate
@limit_uploads
@login_required
@require_POST
def review_file(request: AuthenticatedHttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit = _own_unit(request, plan)
    unit, task = get_unit_task_for_user(request.user, plan, unit.pk, task_id)
    data, files = request.POST, request.FILES  # parsing the body is what runs the upload limits
    feedback = _round(plan, unit, data.get("round"), task_id=task.pk)
    form = RequestForm(data, files)
    if refusal := upload_refusal(request):
        messages.error(request, f"{refusal}。复核申请未提交。")
    elif feedback is None:
        messages.error(request, "考核办尚未反馈，不能申请复核")
    elif not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.review_request_file(
                actor=request.user,
                plan=plan,
                feedback=feedback,
                task=task,
                reasons=form.cleaned_data["reasons"],
                attachment=form.cleaned_data["attachment"],
                calendar=get_calendar(request),
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"已提交 {task.code} 的复核申请，请等待考核办答复")
    return redirect("reviews:unit", plan_id=plan.pk)


@login_required
@require_GET
def letter(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    """A released round of a unit as a .docx letter (its members and the office): ``?round=<id>``, else the newest."""
    plan = get_published_plan_for_user(request.user, plan_id)
    round_id = request.GET.get("round", "")
    if round_id and not round_id.isdigit():
        raise Http404("问题反馈不存在")
    feedback = get_released_feedback_for_user(request.user, plan, unit_id, round_id=int(round_id) if round_id else None)
    body = feedback_letter(feedback, request_days=services.policy_of(plan).review_request_days)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return export_response(
        request,
        response,
        filename=f"{plan.year}年度{feedback.round_label}通知-{feedback.unit.organisation.name}.docx",
        action="feedback.letter",
        obj=feedback,
        plan_id=plan.pk,
        organisation=feedback.unit.organisation,
    )


@login_required
@require_GET
def attachment(request: AuthenticatedHttpRequest, plan_id: int, request_id: int) -> HttpResponseBase:
    """A review request's attachment, for its unit's members and the office; always an attachment."""
    plan = get_published_plan_for_user(request.user, plan_id)
    review = get_review_request_for_user(request.user, plan, request_id)
    if not review.attachment_storage_name:
        raise Http404("没有附件")
    handle = services.review_attachment_open(actor=request.user, plan=plan, review=review)
    return as_download(FileResponse(handle, content_type="application/octet-stream"), review.attachment_name)


# --- the office ----------------------------------------------------------------------------------------


@login_required
@require_POST
def feedback_deem(request: AuthenticatedHttpRequest, plan_id: int, feedback_id: int) -> HttpResponse:
    """视为送达: the office records an unacknowledged round as delivered, with a reason (services)."""
    plan = get_published_plan_for_user(request.user, plan_id, capability="feedback:release")
    feedback = get_feedback_round_for_office(request.user, plan, feedback_id)
    if plan.status != Plan.Status.PUBLISHED:
        messages.error(request, "方案不在考核进行中，不能再记录送达")
        return redirect(reverse("reviews:office", args=[plan.pk]))
    try:
        services.feedback_deem_delivered(actor=request.user, plan=plan, feedback=feedback, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(
            request, f"{feedback.unit.organisation.name}的{feedback.round_label}已视为送达，复核申请期限自即日起计算"
        )
    return redirect(reverse("reviews:office", args=[plan.pk]) + "#pending")


@login_required
@require_GET
def feedback_office(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Release feedback, record problems, and answer review requests (deadlines and overdue shown)."""
    plan = get_published_plan_for_user(request.user, plan_id, capability="feedback:release")
    units = selectors.plan_units(plan)
    page = selectors.office_page(plan, services.policy_of(plan), get_calendar(request), units=units)
    return render(
        request,
        "reviews/office.html",
        {
            "plan": plan,
            "page": page,
            "can_decide": access.can(request.user, "review:decide", plan),
            "is_open": plan.status == Plan.Status.PUBLISHED,
            "feedback_overdue": bool(plan.feedback_deadline and timezone.localdate() > plan.feedback_deadline),
            "release_form": ReleaseForm(units=units, initial={"kind": Feedback.Kind.PROBLEMS}),
            "problem_form": ProblemForm(units=units, tasks=selectors.unit_tasks(plan), kinds=plan_selectors.problem_kinds(plan)),
        },
    )


@login_required
@require_POST
def feedback_release(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="feedback:release")
    units = selectors.plan_units(plan)
    form = ReleaseForm(request.POST, units=units)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("reviews:office", plan_id=plan.pk)
    chosen = units if form.cleaned_data["all_units"] else [u for u in units if u.pk in form.cleaned_data["unit"]]
    try:
        released = services.feedback_release(
            actor=request.user, plan=plan, units=chosen, note=form.cleaned_data["note"], kind=form.cleaned_data["kind"]
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        kind = Feedback.Kind(form.cleaned_data["kind"]).label
        messages.success(request, f"已向 {len(released)} 个考核对象发布{kind}")
    return redirect("reviews:office", plan_id=plan.pk)


@login_required
@require_POST
def problem_add(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="feedback:release")
    units = selectors.plan_units(plan)
    form = ProblemForm(request.POST, units=units, tasks=selectors.unit_tasks(plan), kinds=plan_selectors.problem_kinds(plan))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("reviews:office", plan_id=plan.pk)
    unit = get_unit_for_feedback(request.user, plan, form.cleaned_data["unit"])
    task = None
    if form.cleaned_data["task"]:
        task = selectors.find_task(plan, form.cleaned_data["task"])
    try:
        services.feedback_problem_add(
            actor=request.user,
            plan=plan,
            unit=unit,
            task=task,
            text=form.cleaned_data["text"],
            kind_id=form.cleaned_data["kind"],
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已记录{unit}的问题（待发布，考核对象暂不可见）")
    return redirect("reviews:office", plan_id=plan.pk)


@login_required
@require_POST
def review_decide(request: AuthenticatedHttpRequest, plan_id: int, request_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    review = get_review_request_for_user(request.user, plan, request_id, decide=True)
    form = DecideForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("reviews:office", plan_id=plan.pk)
    try:
        services.review_decide(
            actor=request.user,
            plan=plan,
            review=review,
            decision=form.cleaned_data["decision"],
            answer=form.cleaned_data["answer"],
            grade=form.cleaned_data["grade"],
            score=form.cleaned_data["score"],
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已答复{review.unit}的复核申请（{review.task.code}：{review.get_status_display()}）")
    return redirect("reviews:office", plan_id=plan.pk)
