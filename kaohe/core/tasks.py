"""Background tasks (django-tasks; `manage.py db_worker` runs them in production)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django_tasks import task

from kaohe.core import notification_mail


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
