"""Evidence pages: the unit's workspace and task page, the desk's queue, the office's overview."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaohe import access
from kaohe.access.evidence import get_evidence_file_for_user, get_unit_task_for_user, unit_archive_files_for_user
from kaohe.access.plans import desk_ids, get_published_plan_for_user, own_units
from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.core import ratelimit
from kaohe.core.audit_exports import export_response
from kaohe.core.calendar import get_calendar
from kaohe.core.flash import flash_errors, flash_form_errors
from kaohe.core.redirects import referer_path
from kaohe.core.storage import open_for_download
from kaohe.core.uploads import install_upload_handlers
from kaohe.plans import selectors as plan_selectors
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions import selectors, selectors_events, services, services_archive_jobs
from kaohe.submissions.archives import build_archive
from kaohe.submissions.deadlines import is_open
from kaohe.submissions.events import tally
from kaohe.submissions.forms import DetailsForm, ExtensionForm, QueueFilterForm, ReturnForm, TaskEventForm, today_plus
from kaohe.submissions.models import EvidenceFile, Submission

INLINE_KINDS = {"pdf", "image"}


def _nav(request: AuthenticatedHttpRequest, plan: Plan, tab: str) -> dict[str, object]:
    return {
        "tab": tab,
        "nav_workspace": bool(own_units(request.user, plan)),
        "nav_queue": access.can(request.user, "evidence:check", plan),
        "nav_overview": access.can(request.user, "evidence:overview", plan),
    }


def _task_url(plan: Plan, unit_id: int, task_id: int) -> str:
    return reverse("submissions:task", args=[plan.pk, unit_id, task_id])


def _why_no_return(submission: Submission | None) -> str:
    """Why the desk sees no 退回补充 form (empty when it does)."""
    status = submission.status if submission is not None else Submission.Status.EMPTY
    return {
        Submission.Status.EMPTY: "考核对象尚未报送资料，无需退回补充。",
        Submission.Status.RETURNED: "已退回补充，正等待考核对象补充报送。",
        Submission.Status.EVALUATED: "已评价，不能再退回补充：退回只适用于尚未评价的资料。"
        "如需调整评价，请在评价表中修改（修改会记入变更记录）；如需考核对象补充材料，请联系考核办。",
        Submission.Status.NOT_APPLICABLE: "该任务对本考核对象不涉及，无需退回补充。",
    }.get(Submission.Status(status), "")


def submission_status(submission: Submission | None) -> str:
    return submission.status if submission is not None else Submission.Status.EMPTY


@login_required
@require_GET
def workspace(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """The unit's tasks with status, deadline and working days left; the office may look at any unit."""
    plan = get_published_plan_for_user(request.user, plan_id)
    own = own_units(request.user, plan)
    unit: PlanUnit | None = own[0] if own else None
    requested = request.GET.get("unit", "")
    if requested.isdigit() and access.can(request.user, "evidence:overview", plan):
        unit = plan_selectors.find_unit(plan, int(requested))
    if unit is None:
        if access.can(request.user, "evidence:check", plan):
            return redirect("submissions:queue", plan_id=plan.pk)
        raise PermissionDenied
    groups = selectors.unit_workspace(plan, unit)
    rows = [r for g in groups for r in g.rows]
    return render(
        request,
        "submissions/workspace.html",
        {
            **_nav(request, plan, "workspace"),
            "plan": plan,
            "unit": unit,
            "groups": groups,
            "empty_rows": [r for r in rows if r.status == Submission.Status.EMPTY],
            "total": len(rows),
            "done": sum(1 for r in rows if r.status != Submission.Status.EMPTY),
            "is_own": access.is_own_unit(request.user, unit),
        },
    )


@login_required
@require_GET
def task_page(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id)
    is_own = access.is_own_unit(request.user, unit)
    submission = selectors.submission_for(plan, unit, task)
    deadline = services.deadline_for(plan, unit, task)
    is_desk = task.assessor_id is not None and task.assessor_id in desk_ids(request.user, plan)
    can_submit = is_own and access.can(request.user, "evidence:submit", plan) and services.needs_evidence(task)
    events, deleted_events = (
        selectors_events.event_rows(plan, unit, task, calendar=get_calendar(request), now=timezone.now())
        if task.is_event_driven
        else ([], [])
    )
    return render(
        request,
        "submissions/task.html",
        {
            **_nav(request, plan, "workspace" if is_own else "queue"),
            "plan": plan,
            "unit": unit,
            "task": task,
            "submission": submission,
            "is_own": is_own,
            "files": selectors.submission_files(submission),
            "deadline": deadline,
            "is_open": is_open(deadline, timezone.now()),
            "can_submit": can_submit,
            "events": events,
            "deleted_events": deleted_events,
            "event_tally": tally(row.state for row in events),
            "events_editable": can_submit
            and task.is_event_driven
            and submission_status(submission) != Submission.Status.EVALUATED,
            "event_form": TaskEventForm(plan=plan),
            "can_return": is_desk and submission is not None and submission.status == Submission.Status.SUBMITTED,
            "return_blocked": _why_no_return(submission) if is_desk else "",
            "details_form": DetailsForm(
                initial={
                    "note": submission.note if submission else "",
                    "links": "\n".join(link["url"] for link in (submission.links if submission else [])),
                }
            ),
            "return_form": ReturnForm(initial={"due_date": today_plus(5)}, plan=plan),
            "max_mb": settings.KAOHE_EVIDENCE_MAX_BYTES // (1024 * 1024),
            "max_files": settings.KAOHE_EVIDENCE_MAX_FILES_PER_REQUEST,
        },
    )


@csrf_exempt
@login_required
@require_POST
def upload(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    """Multipart upload of one or more files; answers JSON per file for the page's script, or redirects.

    The size/count-limiting and staging handlers must be installed before anything reads the body, so CSRF is
    checked inside (Django's documented pattern for custom upload handlers).
    """
    if (too_often := ratelimit.refuse_early(request, plan_id)) is not None:
        return too_often  # the body is never read
    staging = install_upload_handlers(request)  # each file written once, into the media store
    try:
        return _upload(request, plan_id, unit_id, task_id)
    finally:
        staging.discard_unclaimed()  # refused, interrupted or not stored: no staged file stays


@csrf_protect
def _upload(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id, write=True)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        services.require_open(plan, unit, task)
    except services.DeadlineClosed as exc:
        return _upload_answer(request, plan, unit, task, [], exc.message, wants_json, status=403)
    refusal = ""
    try:
        files = request.FILES.getlist("files")
    except Exception as exc:
        files = []
        refusal = f"上传被拒绝：{exc}"
    refusal = getattr(request, "upload_refusal", "") or refusal
    if refusal:
        return _upload_answer(request, plan, unit, task, [], refusal, wants_json, status=400)
    if not files:
        return _upload_answer(request, plan, unit, task, [], "请选择要上传的文件", wants_json, status=400)
    event_id = request.POST.get("event", "")
    event = selectors_events.get_event(plan, unit, task, int(event_id)) if event_id.isdigit() else None
    if (too_often := ratelimit.refuse_files(request, files, plan.pk)) is not None:
        return too_often  # nothing stored
    try:
        results = services.evidence_upload(actor=request.user, plan=plan, unit=unit, task=task, files=files, event=event)
    except services.DeadlineClosed as exc:
        return _upload_answer(request, plan, unit, task, [], exc.message, wants_json, status=403)
    status = 200 if all(r.accepted for r in results) else 400 if not any(r.accepted for r in results) else 207
    return _upload_answer(request, plan, unit, task, results, "", wants_json, status=status)


def _upload_answer(
    request: HttpRequest,
    plan: Plan,
    unit: PlanUnit,
    task: Indicator,
    results: list[services.UploadResult],
    error: str,
    wants_json: bool,
    *,
    status: int,
) -> HttpResponse:
    if wants_json:
        return JsonResponse(
            {"error": error, "files": [r.__dict__ for r in results]},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    if error:
        messages.error(request, error)
    for r in results:
        (messages.success if r.accepted else messages.error)(request, f"{r.name}：{r.message}")
        if r.warning:
            messages.warning(request, f"{r.name}：{r.warning}")
    return redirect(_task_url(plan, unit.pk, task.pk))


@login_required
@require_POST
def details(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id, write=True)
    form = DetailsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "说明或链接过长")
    else:
        try:
            services.submission_update_details(
                actor=request.user,
                plan=plan,
                unit=unit,
                task=task,
                note=form.cleaned_data["note"],
                links_text=form.cleaned_data["links"],
            )
        except services.DeadlineClosed as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, "说明和链接已保存")
    return redirect(_task_url(plan, unit.pk, task.pk))


@login_required
@require_POST
def withdraw(request: AuthenticatedHttpRequest, plan_id: int, file_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    evidence = get_evidence_file_for_user(request.user, plan, file_id)
    submission = evidence.submission
    try:
        services.evidence_withdraw(actor=request.user, plan=plan, evidence=evidence)
    except services.DeadlineClosed as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已撤回“{evidence.display_name}”（记录保留，可追溯）")
    return redirect(_task_url(plan, submission.unit_id, submission.task_id))


@login_required
@require_POST
def return_for_supplement(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="evidence:return")
    unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id)
    submission = selectors.submission_of(plan, unit, task)
    if submission is None:
        messages.error(request, "该任务尚未报送，无需退回")
        return redirect(_task_url(plan, unit.pk, task.pk))
    form = ReturnForm(request.POST, plan=plan)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            services.submission_return(
                actor=request.user,
                plan=plan,
                submission=submission,
                reason=form.cleaned_data["reason"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "已退回补充，并通知考核对象")
    return redirect(_task_url(plan, unit.pk, task.pk))


@login_required
@require_POST
def resubmit(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id, write=True)
    submission = selectors.submission_of(plan, unit, task)
    if submission is None:
        messages.error(request, "该任务没有待补充的退回")
        return redirect(_task_url(plan, unit.pk, task.pk))
    try:
        services.submission_resubmit(actor=request.user, plan=plan, submission=submission)
    except services.DeadlineClosed as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "已提交补充材料")
    return redirect(_task_url(plan, unit.pk, task.pk))


def _file_response(request: AuthenticatedHttpRequest, plan: Plan, file_id: int, *, inline: bool) -> HttpResponseBase:
    evidence = get_evidence_file_for_user(request.user, plan, file_id)
    if inline and evidence.kind not in INLINE_KINDS:
        raise Http404("该类型不支持在线预览，请下载")
    response = FileResponse(open_for_download(evidence.storage_name), content_type=evidence.mime)
    return export_response(
        request,
        response,
        filename=evidence.display_name,
        action="evidence.preview" if inline else "evidence.download",
        obj=evidence,
        plan_id=plan.pk,
        after={"sha256": evidence.sha256},
        inline=inline,
    )


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, plan_id: int, file_id: int) -> HttpResponseBase:
    return _file_response(request, get_published_plan_for_user(request.user, plan_id), file_id, inline=False)


@login_required
@require_GET
@xframe_options_sameorigin
def preview(request: AuthenticatedHttpRequest, plan_id: int, file_id: int) -> HttpResponseBase:
    # Only content-sniffed PDFs and images reach here; they are shown in an <iframe> of our own page, sandboxed
    # (core.downloads.PREVIEW_CSP).
    return _file_response(request, get_published_plan_for_user(request.user, plan_id), file_id, inline=True)


def _archive_response(
    request: AuthenticatedHttpRequest,
    plan: Plan,
    files: list[EvidenceFile],
    folders: dict[int, str],
    filename: str,
    *,
    unit_id: int,
    task_id: int | None = None,
) -> HttpResponseBase:
    """The zip at once; beyond ``KAOHE_JOB_ARCHIVE_MIN_BYTES`` a page offering to make it in the background (GET)
    and the job started (POST)."""
    if not files:
        messages.info(request, "没有可下载的文件")
        return redirect(referer_path(request, default=reverse("plans:detail", args=[plan.pk])))
    if services_archive_jobs.in_background(files):
        if request.method != "POST":
            return render(
                request,
                "submissions/archive_job.html",
                {"plan": plan, "filename": filename, "count": len(files), "size": sum(f.size for f in files)},
            )
        try:
            job = services_archive_jobs.archive_start(
                actor=request.user, plan=plan, unit_id=unit_id, task_id=task_id, title=f"打包下载：{filename}"
            )
        except ValidationError as exc:
            flash_errors(request, exc)
            return redirect(referer_path(request, default=reverse("plans:detail", args=[plan.pk])))
        return redirect("core:job", job_id=job.pk)
    response = FileResponse(build_archive(files, folder_of=folders), content_type="application/zip")
    return export_response(
        request,
        response,
        filename=filename,
        action="evidence.archive",
        plan_id=plan.pk,
        after={"files": len(files), "archive": filename},
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_archive(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int, task_id: int) -> HttpResponseBase:
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, task = get_unit_task_for_user(request.user, plan, unit_id, task_id)
    files = selectors.active_files(plan, unit, task)
    folder = f"{task.code} {task.name[:30]}"
    return _archive_response(
        request,
        plan,
        files,
        {f.submission_id: folder for f in files},
        f"{unit.organisation.name}-{task.code}.zip",
        unit_id=unit.pk,
        task_id=task.pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_archive(request: AuthenticatedHttpRequest, plan_id: int, unit_id: int) -> HttpResponseBase:
    """All active files of a unit: the office and the unit get everything, a desk only its own tasks."""
    plan = get_published_plan_for_user(request.user, plan_id)
    unit, files = unit_archive_files_for_user(request.user, plan, unit_id)
    folders = {f.submission_id: f"{f.submission.task.code} {f.submission.task.name[:30]}" for f in files}
    return _archive_response(request, plan, files, folders, f"{unit.organisation.name}-报送资料.zip", unit_id=unit.pk)


@login_required
@require_GET
def queue(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="evidence:check")
    desks = None if access.can(request.user, "evidence:overview", plan) else desk_ids(request.user, plan)
    categories = selectors.category_choices(plan)
    units = selectors.unit_choices(plan)
    level1 = plan_selectors.plan_level1_choices(plan)
    form = QueueFilterForm(request.GET or None, categories=categories, units=units, level1=level1)
    filters = selectors.QueueFilter()
    if form.is_valid():
        filters = selectors.QueueFilter(
            category_id=form.cleaned_data["category"],
            unit_id=form.cleaned_data["unit"],
            status=form.cleaned_data["status"],
            level1_id=form.cleaned_data["level1"],
        )
    data = selectors.desk_queue(plan, desks, filters)
    page = Paginator(data.rows, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "submissions/queue.html",
        {
            **_nav(request, plan, "queue"),
            "plan": plan,
            "form": form,
            "page": page,
            "counts": data.counts,
            "total": data.total,
            "statuses": Submission.Status.choices,
            "query": query.urlencode(),
        },
    )


@login_required
@require_GET
def overview(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="evidence:overview")
    data = selectors.office_overview(plan)
    return render(
        request,
        "submissions/overview.html",
        {
            **_nav(request, plan, "overview"),
            "plan": plan,
            "overview": data,
            "remind_count": data.remind_units,
            "overdue_events": selectors_events.overdue_events(plan, calendar=get_calendar(request), now=timezone.now()),
        },
    )


@login_required
@require_POST
def remind(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="evidence:overview")
    count = services.reminders_send(actor=request.user, plan=plan)
    messages.success(request, f"已向 {count} 个尚有未报送任务的考核对象发送催报提醒")
    return redirect("submissions:overview", plan_id=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def extensions(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = get_published_plan_for_user(request.user, plan_id, capability="evidence:extend")
    tasks = selectors.evidence_tasks(plan)
    units = list(plan_selectors.plan_units(plan))
    form = ExtensionForm(
        request.POST or None,
        plan=plan,
        tasks=[(t.pk, f"{t.category.name} {t.code} {t.name[:40]}") for t in tasks],
        units=[(u.pk, f"{u.category.name} · {u.organisation.name}") for u in units],
    )
    if request.method == "POST" and form.is_valid():
        task = next(t for t in tasks if t.pk == int(form.cleaned_data["task"]))
        unit = next((u for u in units if str(u.pk) == form.cleaned_data["unit"]), None)
        try:
            services.extension_grant(
                actor=request.user,
                plan=plan,
                task=task,
                unit=unit,
                new_deadline=form.cleaned_data["new_deadline"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "延期已生效，并已通知相关考核对象")
            return redirect("submissions:extensions", plan_id=plan.pk)
    granted = selectors.extensions_of(plan)
    return render(
        request,
        "submissions/extensions.html",
        {**_nav(request, plan, "extensions"), "plan": plan, "form": form, "granted": granted},
        status=400 if form.errors else 200,
    )
