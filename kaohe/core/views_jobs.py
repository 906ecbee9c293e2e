"""Background jobs (后台任务): the person's list, one job's page, its progress fragment (polled by htmx) and its file.

Who sees a job: ``capabilities.get_job_for_user`` (the requester, or the plan's office for a plan's job, while the
permission of the page that started it holds); anyone else gets 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kaohe.core import capabilities, jobs, selectors
from kaohe.core.audit_exports import export_response
from kaohe.core.models_job import Job, JobStatus
from kaohe.core.storage import open_for_download

if TYPE_CHECKING:
    from kaohe.accounts.http import AuthenticatedHttpRequest


def _context(job: Job) -> dict[str, object]:
    job_kind = jobs.kind_of(job)
    return {
        "job": job,
        "kind_label": job_kind.label if job_kind is not None else job.kind,
        "back": job_kind.back(job) if job_kind is not None and job_kind.back is not None else "",
    }


@login_required
@require_GET
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的后台任务: the person's own recent jobs."""
    rows = capabilities.visible_jobs(request.user, selectors.recent_jobs_of(request.user))
    return render(request, "core/jobs.html", {"rows": [_context(job) for job in rows]})


@login_required
@require_GET
def job_page(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = capabilities.get_job_for_user(request.user, job_id)
    return render(request, "core/job.html", _context(job))


@login_required
@require_GET
def job_progress(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment; it polls itself until the job has finished."""
    job = capabilities.get_job_for_user(request.user, job_id)
    return render(request, "core/_job_progress.html", _context(job))


@login_required
@require_GET
def job_download(request: AuthenticatedHttpRequest, job_id: int) -> FileResponse:
    job = capabilities.get_job_for_user(request.user, job_id)
    job_kind = jobs.kind_of(job)
    if job.status != JobStatus.DONE or not job.result_name or job_kind is None:
        raise Http404("文件尚未生成")
    response = FileResponse(open_for_download(job.result_name), content_type="application/octet-stream")
    return export_response(
        request,
        response,
        filename=job.result_filename,
        action=job_kind.download_action or "job.download",
        obj=job,
        plan_id=job.plan_id,
        after={"job": job.pk, "bytes": job.result_size},
    )
