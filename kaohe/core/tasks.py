"""Background tasks (django-tasks; `manage.py db_worker` runs them in production).

``job_start`` records a background job (kaohe.core.jobs) and queues ``run_job`` for it once the caller's
transaction commits; ``run_job`` is the one task every kind of job runs through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task

from kaohe.core import jobs, notification_mail
from kaohe.core.models_job import Job

logger = logging.getLogger(__name__)


@task()
def send_notification_emails(*, user_ids: list[int], title: str, body: str, url: str) -> int:
    """E-mail copies of one notification to the users who opted in (re-checked here: they may have opted out)."""
    return notification_mail.send_now(user_ids=user_ids, title=title, body=body, url=url)


def _enqueue(*, user_ids: list[int], title: str, body: str, url: str) -> None:
    try:
        recipients = notification_mail.email_recipients(user_ids)
        if not recipients:
            return
        send_notification_emails.enqueue(user_ids=recipients, title=title, body=body, url=url)
    except Exception:
        notification_mail.logger.exception("notification e-mails could not be scheduled")


def schedule_emails(*, user_ids: Iterable[int], title: str, body: str, url: str) -> None:
    """Send e-mail copies of a notification after the current transaction commits (at once outside a transaction)."""
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(partial(_enqueue, user_ids=ids, title=title, body=body, url=url))


@task()
def run_job(*, job_id: int) -> None:
    """Run one background job (kaohe.core.jobs: its kind's work, progress, file, Chinese error)."""
    jobs.execute(job_id)


def job_start(*, actor: Any, kind: str, title: str, plan_id: int | None = None, params: dict[str, Any] | None = None) -> Job:
    """Record a queued job and hand it to the task backend once the caller's transaction commits.

    The caller (an app's service) has already checked the actor's permission and validated ``params``.
    """
    if not jobs.is_registered(kind):
        raise ValueError(f"Unknown job kind: {kind}")
    job = Job(kind=kind, title=title[:300], plan_id=plan_id, requested_by=actor, params=params or {}, message="排队中")
    job.full_clean()
    job.save()
    transaction.on_commit(partial(_enqueue_job, job.pk))
    return job


def _enqueue_job(job_id: int) -> None:
    try:
        run_job.enqueue(job_id=job_id)
    except Exception:
        logger.exception("job %s could not be queued", job_id)
        jobs.fail(job_id, "任务未能排队，请重新发起")
