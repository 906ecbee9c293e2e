"""Zip archives of a unit's or a task's evidence beyond ``KAOHE_JOB_ARCHIVE_MIN_BYTES``, made by a background job
(kaohe.core.jobs) instead of during the request.

Who may start one is who may download the archive at once (``kaohe.access.evidence``); the job asks the same
functions again, as the requester, when it runs and whenever the job or its file is looked at, so a person who
lost the role meanwhile gets a failed job (无权) or 404. The files are those active when the job runs. The download
is audited as ``evidence.archive``, like the immediate one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from kaohe.access.evidence import get_unit_task_for_user, unit_archive_files_for_user
from kaohe.access.plans import get_published_plan_for_user
from kaohe.accounts.models import User
from kaohe.core import jobs, tasks
from kaohe.core.jobs import JobFile, JobKind
from kaohe.core.models_job import Job
from kaohe.plans.models import Plan
from kaohe.submissions import selectors
from kaohe.submissions.archives import build_archive
from kaohe.submissions.models import EvidenceFile

ARCHIVE = "evidence.archive"


def in_background(files: list[EvidenceFile]) -> bool:
    """Whether an archive of these files is large enough to be made by a background job."""
    return sum(f.size for f in files) >= settings.KAOHE_JOB_ARCHIVE_MIN_BYTES


def _files(user: Any, job: Job) -> tuple[list[EvidenceFile], dict[int, str], str]:
    """The files, their folders and the archive's name, looked up as ``user`` (Http404/PermissionDenied)."""
    plan = get_published_plan_for_user(user, int(job.plan_id or 0))
    unit_id, task_id = int(job.params["unit_id"]), job.params.get("task_id")
    if task_id is not None:
        unit, task = get_unit_task_for_user(user, plan, unit_id, int(task_id))
        files = selectors.active_files(plan, unit, task)
        folder = f"{task.code} {task.name[:30]}"
        return files, {f.submission_id: folder for f in files}, f"{unit.organisation.name}-{task.code}.zip"
    unit, files = unit_archive_files_for_user(user, plan, unit_id)
    folders = {f.submission_id: f"{f.submission.task.code} {f.submission.task.name[:30]}" for f in files}
    return files, folders, f"{unit.organisation.name}-报送资料.zip"


def _permitted(user: Any, job: Job) -> bool:
    try:
        _files(user, job)
    except (Http404, PermissionDenied):
        return False
    return True


def archive_start(*, actor: User, plan: Plan, unit_id: int, task_id: int | None, title: str) -> Job:
    """Queue an archive of a unit's (``task_id`` None) or one task's active files, which ``actor`` may download."""
    job = Job(plan_id=plan.pk, params={"unit_id": unit_id, "task_id": task_id})
    files, _, _ = _files(actor, job)
    if not files:
        raise ValidationError("没有可下载的文件")
    return tasks.job_start(actor=actor, kind=ARCHIVE, title=title, plan_id=plan.pk, params=job.params)


def _run(job: Job) -> JobFile:
    files, folders, filename = _files(job.requested_by, job)
    if not files:
        raise ValidationError("没有可下载的文件（资料已全部撤回）")
    total = len(files)
    jobs.report_progress(job, 0, total, "正在打包资料")
    archive = build_archive(files, folder_of=folders, progress=lambda n: jobs.report_progress(job, n, total))
    return JobFile(archive, filename, "zip")


def _back(job: Job) -> str:
    unit_id, task_id = job.params.get("unit_id"), job.params.get("task_id")
    if task_id is not None:
        return reverse("submissions:task", args=[job.plan_id, unit_id, task_id])
    return reverse("submissions:workspace", args=[job.plan_id]) + f"?unit={unit_id}"


def register() -> None:
    """Called from SubmissionsConfig.ready()."""
    jobs.register_kind(ARCHIVE, JobKind("打包下载资料", _run, _permitted, download_action="evidence.archive", back=_back))
