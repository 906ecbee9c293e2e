"""实地考核 for the members of a 实地考察组, on a phone: their units, each unit's tasks, scores and photos.

Order of checks in every view: the plan (404 for outsiders, 403 without ``fieldwork:score``), then the
member's group must hold the unit (404), then the task must be a 实地考核 task of the unit's category (404),
then the input. A concurrent edit answers 409 with the value now stored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from kaohe import access
from kaohe.access.fieldwork import get_assignment_for_member, get_photo_for_user
from kaohe.access.plans import get_plan_for_user
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core.downloads import as_download
from kaohe.core.ratelimit import limit_upload_rate
from kaohe.core.storage import open_for_download
from kaohe.core.templatetags.kaohe import pts
from kaohe.core.uploads import LimitedUploadHandler, upload_refusal
from kaohe.plans.models import Plan
from kaohe.plans.services import ensure_scoring_open
from kaohe.scoring.services import StaleEvaluation

from . import selectors, services
from .forms import PhotoForm, ScoreForm
from .models import FieldAssignment

PHOTO_MAX_FILES = 10


def _member_plan(request: AuthenticatedHttpRequest, plan_id: int) -> Plan:
    return get_plan_for_user(request.user, plan_id, capability="fieldwork:score")


def _frozen_message(plan: Plan) -> str:
    try:
        ensure_scoring_open(plan)
    except PermissionDenied as exc:
        return str(exc)
    return ""


@login_required
@require_GET
def mine(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The member's units (their group's only), by date, with how many 实地考核 tasks are scored."""
    plan = get_plan_for_user(request.user, plan_id)
    if not access.can(request.user, "fieldwork:score", plan):
        if access.can(request.user, "fieldwork:manage", plan):
            return redirect("fieldwork:office", plan_id=plan.pk)
        raise PermissionDenied
    assignments = selectors.member_assignments(request.user, plan)
    progress = selectors.unit_progress(plan, [a.unit for a in assignments])
    for a in assignments:
        a.progress = progress[a.unit_id]  # type: ignore[attr-defined]
        a.weekday = selectors.weekday(a.visit_date)  # type: ignore[attr-defined]
    groups = selectors.member_groups(request.user, plan)
    return render(
        request,
        "fieldwork/member_units.html",
        {"plan": plan, "assignments": assignments, "groups": groups, "frozen": _frozen_message(plan)},
    )


def _unit_page(
    request: AuthenticatedHttpRequest,
    plan: Plan,
    assignment: FieldAssignment,
    *,
    errors: dict[int, str] | None = None,
    submitted: dict[int, dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    cards = selectors.task_cards(plan, assignment.unit)
    for card in cards:
        typed = (submitted or {}).get(card.task.pk)
        if typed is not None:
            card.score_value, card.reason_value = typed["score"], typed["reason"]
        elif card.evaluation is not None:
            card.score_value, card.reason_value = pts(card.evaluation.score), card.evaluation.reason
        card.error = (errors or {}).get(card.task.pk, "")
    return render(
        request,
        "fieldwork/member_unit.html",
        {
            "plan": plan,
            "assignment": assignment,
            "unit": assignment.unit,
            "cards": cards,
            "reasons": selectors.used_reasons(plan),
            "frozen": _frozen_message(plan),
            "conflict": services.member_conflict(request.user, assignment),
            "weekday": selectors.weekday(assignment.visit_date),
            "photo_limit": services.photo_max_bytes(),
        },
        status=status,
    )


@login_required
@require_GET
def unit_page(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponse:
    plan = _member_plan(request, plan_id)
    assignment = get_assignment_for_member(request.user, plan, unit_id)
    return _unit_page(request, plan, assignment)


def _back(plan: Plan, unit_id: int, task_id: int) -> str:
    return reverse("fieldwork:unit", args=[plan.pk, unit_id]) + f"#task-{task_id}"


@login_required
@require_POST
def score(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    """Save one task's score and deduction reason through the evaluation history (source 实地考核)."""
    plan = _member_plan(request, plan_id)
    assignment = get_assignment_for_member(request.user, plan, unit_id)
    task = selectors.get_field_task(assignment, task_id)
    form = ScoreForm(request.POST)
    error, status = "", 200
    if not form.is_valid():
        error, status = " ".join(str(e) for errors in form.errors.values() for e in errors), 400
    else:
        try:
            services.field_score_record(
                actor=request.user,
                plan=plan,
                unit_id=assignment.unit_id,
                task_id=task.pk,
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEvaluation as exc:
            # Show what is stored now; the form reloads with the current value and version.
            return _unit_page(request, plan, assignment, errors={task.pk: exc.message}, status=409)
        except PermissionDenied as exc:  # ensure_scoring_open: frozen after publication
            error, status = str(exc) or "当前不能评分", 403
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
    if error:
        return _unit_page(
            request,
            plan,
            assignment,
            errors={task.pk: error},
            submitted={task.pk: {"score": request.POST.get("score", ""), "reason": request.POST.get("reason", "")}},
            status=status,
        )
    messages.success(request, f"{task.code} 已保存")
    return redirect(_back(plan, assignment.unit_id, task.pk))


def limit_photo_uploads(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Like core.uploads.limit_uploads, with the photo size limit: an oversize photo stops the upload early."""
    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        handler = LimitedUploadHandler(request, max_bytes=services.photo_max_bytes(), max_files=PHOTO_MAX_FILES)
        request.upload_handlers = [handler, *request.upload_handlers]
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)


@limit_upload_rate
@limit_photo_uploads
@login_required
@require_POST
def photo_upload(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    """Attach photos (images only, size-limited) to a task of a unit the member's group holds."""
    plan = _member_plan(request, plan_id)
    assignment = get_assignment_for_member(request.user, plan, unit_id)
    task = selectors.get_field_task(assignment, task_id)
    data, files = request.POST, request.FILES  # parsing the body is what runs the upload limits
    if refusal := upload_refusal(request):
        return _unit_page(request, plan, assignment, errors={task.pk: f"{refusal}"}, status=400)
    form = PhotoForm(data, files)
    if not form.is_valid():
        return _unit_page(request, plan, assignment, errors={task.pk: "请选择要上传的照片"}, status=400)
    saved = 0
    try:
        for upload in files.getlist("photo"):
            services.photo_add(actor=request.user, plan=plan, unit_id=assignment.unit_id, task_id=task.pk, upload=upload)
            saved += 1
    except PermissionDenied as exc:
        return _unit_page(request, plan, assignment, errors={task.pk: str(exc)}, status=403)
    except ValidationError as exc:
        message = " ".join(exc.messages) + (f"（此前 {saved} 张已保存）" if saved else "")
        return _unit_page(request, plan, assignment, errors={task.pk: message}, status=400)
    messages.success(request, f"{task.code} 已上传 {saved} 张照片")
    return redirect(_back(plan, assignment.unit_id, task.pk))


@login_required
@require_GET
def photo(request: AuthenticatedHttpRequest, plan_id: int, photo_id: int) -> HttpResponseBase:
    """A photo, shown inline: the office, and the members of the group holding its unit; 404 otherwise."""
    plan = get_plan_for_user(request.user, plan_id)
    item = get_photo_for_user(request.user, plan, photo_id)
    response = FileResponse(open_for_download(item.storage_name), content_type=item.mime)
    return as_download(response, item.display_name, inline=True)


@login_required
@require_POST
def photo_delete(request: AuthenticatedHttpRequest, plan_id: int, photo_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id)
    item = get_photo_for_user(request.user, plan, photo_id)
    try:
        services.photo_delete(actor=request.user, plan=plan, photo=item)
    except PermissionDenied as exc:
        if not str(exc):
            raise
        messages.error(request, str(exc))
    else:
        messages.success(request, "已删除照片")
    return redirect(_back(plan, item.unit_id, item.task_id))
