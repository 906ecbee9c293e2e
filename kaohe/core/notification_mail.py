"""E-mail copies of in-app notifications, for users who opted in (账号安全 → 邮件通知).

``notify_organisations`` schedules them after the transaction commits (``tasks.schedule_emails``); the
background task (``kaohe/core/tasks.py``) sends one message per person with ``send_now``. Sending never breaks nor slows the request:
failures are logged, not raised.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "【依法行政考核】"


def email_recipients(user_ids: Iterable[int]) -> list[int]:
    """The users among ``user_ids`` who receive e-mail copies: active, opted in, with an address."""
    users = get_user_model().objects.filter(pk__in=list(user_ids), is_active=True, email_notifications=True)
    return sorted(users.exclude(email="").values_list("pk", flat=True))


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.KAOHE_SITE_URL}{url if url.startswith('/') else '/' + url}"


def message_for(*, title: str, body: str, url: str) -> tuple[str, str]:
    """Subject and plain-text body of the e-mail copy of a notification."""
    lines = [title]
    if body:
        lines += ["", body]
    link = absolute_url(url)
    if link:
        lines += ["", f"查看详情：{link}"]
    lines += [
        "",
        "——",
        "此邮件由依法行政考核平台自动发送，请勿直接回复。",
        "您在“账号安全 → 邮件通知”中选择了接收邮件通知；如不再需要，可在该页面关闭。",
    ]
    return (SUBJECT_PREFIX + title)[:200], "\n".join(lines)


def send_now(*, user_ids: list[int], title: str, body: str, url: str) -> int:
    """Send the copies (the background task's body); returns how many were sent. Failures are logged."""
    subject, text = message_for(title=title, body=body, url=url)
    sent = 0
    recipients = get_user_model().objects.filter(pk__in=email_recipients(user_ids)).order_by("pk")
    for user in recipients:
        try:
            sent += send_mail(subject, text, None, [user.email], fail_silently=False)
        except Exception:
            logger.exception("notification e-mail to user %s failed", user.pk)
    return sent
