"""Background jobs (后台任务): start one, report its progress, run it, keep the file it made.

A higher app registers each kind of job in its ``AppConfig.ready()`` (``register_kind``): the Chinese label, the
function doing the work, and ``permitted(user, job)`` — the permission of the page that starts it. That check is
asked three times: when the job is started (by the app's own service), when the job runs (the requester may have
lost the role meanwhile: the job then fails with 无权 and does nothing), and whenever anyone looks at the job or
downloads its file (core/capabilities.py: the requester, or for a plan's job the plan's office, and either way
only while ``permitted`` still holds). Core stays below the apps: it never imports them.

``run(job)`` returns a :class:`JobFile` (stored under ``jobs/…`` through default storage, offered on the job's
page), a result page's address (str), or None. Any exception fails the job: a ValidationError's own Chinese
message, PermissionDenied as 无权, anything else a generic Chinese sentence naming the job's number while the
traceback goes to the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from kaohe.core import storage
from kaohe.core.models_job import Job, JobStatus

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between two progress writes of one job (the last one is always written)
INTERRUPTED = "任务中断（后台进程重启或超时），请重新发起"
LOST_PERMISSION = "您已不再拥有发起此任务的权限，任务未执行"
UNEXPECTED = "任务执行出错（任务编号 {id}），请稍后重试；如仍失败请联系系统管理员"


@dataclass(frozen=True)
class JobFile:
    """A file a job made: bytes or an open binary file (read from its start), and the name it is offered as."""

    content: bytes | IO[bytes]
    filename: str
    extension: str


JobResult = JobFile | str | None


@dataclass(frozen=True)
class JobKind:
    label: str
    run: Callable[[Job], JobResult]
    permitted: Callable[[Any, Job], bool]
    download_action: str = ""  # the audit action recorded when its file is downloaded (as the synchronous view)
    back: Callable[[Job], str] | None = None  # the page the job was started from


_KINDS: dict[str, JobKind] = {}
_plan_office: Callable[[Any, int], bool] | None = None


def register_kind(kind: str, job_kind: JobKind) -> None:
    _KINDS[kind] = job_kind


def is_registered(kind: str) -> bool:
    return kind in _KINDS


def kind_of(job: Job) -> JobKind | None:
    return _KINDS.get(job.kind)


def register_plan_office(check: Callable[[Any, int], bool]) -> None:
    """``check(user, plan_id)``: whether the user is the plan's office (who may see every job of the plan)."""
    global _plan_office
    _plan_office = check


def is_plan_office(user: Any, plan_id: int) -> bool:
    return _plan_office is not None and _plan_office(user, plan_id)


# --- progress --------------------------------------------------------------------------------------------------


def report_progress(job: Job, done: int, total: int, message: str = "") -> None:
    """Tell the job's page how far the work is. Cheap enough to call for every item: it writes at most every
    ``PROGRESS_INTERVAL`` seconds (and always for the last item), one UPDATE of one row.

    Inside a transaction nothing is written (no other connection could see it before the commit, and on SQLite
    it would hold the write lock): long transactional work reports before and after, not during.
    """
    job.done, job.total = done, total
    if message:
        job.message = message[:300]
    now = time.monotonic()
    last = getattr(job, "_progress_written", 0.0)
    if done < total and now - last < PROGRESS_INTERVAL:
        return
    if _in_transaction():
        return
    job._progress_written = now  # type: ignore[attr-defined]
    Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, message=job.message)


def _in_transaction() -> bool:
    return bool(transaction.get_connection().in_atomic_block)


# --- running ---------------------------------------------------------------------------------------------------


def fail(job_id: int, error: str) -> None:
    Job.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, error=error[:1000], message="", finished_at=timezone.now()
    )


def _error_text(job: Job, exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages) or UNEXPECTED.format(id=job.pk)
    if isinstance(exc, PermissionDenied):
        return LOST_PERMISSION
    return UNEXPECTED.format(id=job.pk)


def _store(job: Job, output: JobFile) -> None:
    key = storage.storage_key(prefix=f"jobs/{job.pk}", extension=output.extension)
    if isinstance(output.content, bytes):
        from django.core.files.base import ContentFile

        saved = default_storage.save(key, ContentFile(output.content))
    else:
        output.content.seek(0)
        saved = default_storage.save(key, File(output.content))
    job.result_name = saved
    job.result_filename = output.filename[:300]
    job.result_size = default_storage.size(saved)


def execute(job_id: int) -> None:
    """Run one queued job (the task's body). Never raises: a failure is the job's status."""
    job = Job.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return
    started = timezone.now()
    if not Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING, started_at=started):
        return  # another worker took it
    job.status, job.started_at = JobStatus.RUNNING, started
    job_kind = kind_of(job)
    try:
        if job_kind is None:
            raise RuntimeError(f"Unknown job kind {job.kind}")
        if not job.requested_by.is_active or not job_kind.permitted(job.requested_by, job):
            raise PermissionDenied
        output = job_kind.run(job)
        if isinstance(output, JobFile):
            _store(job, output)
        elif isinstance(output, str):
            job.result_url = output
    except BaseException as exc:
        if isinstance(exc, (ValidationError, PermissionDenied)):
            logger.info("job %s (%s) failed: %s", job.pk, job.kind, exc)
        else:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
        fail(job.pk, _error_text(job, exc))
        if not isinstance(exc, Exception):
            raise
        return
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        done=max(job.done, job.total),
        total=job.total,
        message="已完成",
        result_name=job.result_name,
        result_filename=job.result_filename,
        result_size=job.result_size,
        result_url=job.result_url,
        finished_at=timezone.now(),
    )


# --- housekeeping -------------------------------------------------------------------------------------------------


def jobs_purge(*, keep_days: int, stale_hours: int) -> tuple[int, int]:
    """Delete finished jobs older than ``keep_days`` with their files, and fail jobs still queued or running after
    ``stale_hours`` (their worker was killed). Returns (deleted, interrupted). ``manage.py purge_jobs`` runs it."""
    import datetime as dt

    now = timezone.now()
    interrupted = Job.objects.filter(
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING), created_at__lt=now - dt.timedelta(hours=stale_hours)
    ).update(status=JobStatus.FAILED, error=INTERRUPTED, message="", finished_at=now)
    old = list(
        Job.objects.filter(status__in=(JobStatus.DONE, JobStatus.FAILED), finished_at__lt=now - dt.timedelta(days=keep_days))
    )
    for job in old:
        storage.delete_quietly(job.result_name)
    Job.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old), interrupted
