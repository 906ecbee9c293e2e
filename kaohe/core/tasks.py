"""Background tasks (django-tasks; `manage.py db_worker` runs them in production)."""

from __future__ import annotations

from django_tasks import task

from kaohe.core import notification_mail


@task()
def send_notification_emails(*, user_ids: list[int], title: str, body: str, url: str) -> int:
    """E-mail copies of one notification to the users who opted in (re-checked here: they may have opted out)."""
    return notification_mail.send_now(user_ids=user_ids, title=title, body=body, url=url)
