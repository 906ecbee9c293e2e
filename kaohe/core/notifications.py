"""Sending in-app notifications to the members of organisations (and e-mail copies to those who opted in)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from kaohe.core import notification_mail
from kaohe.core.notification_models import Notification
from kaohe.organisations.models import Membership
from kaohe.organisations.roles import Role


def notify_organisations(
    *, organisation_ids: Iterable[int], role: Role, plan_id: int | None, title: str, body: str = "", url: str = ""
) -> int:
    """One notification per member (with ``role``) of each organisation; returns how many were created.

    Members who opted in also get it by e-mail, sent in the background once the transaction commits.
    """
    user_ids = set(
        Membership.objects.filter(organisation_id__in=list(organisation_ids), role=role).values_list("user_id", flat=True)
    )
    Notification.objects.bulk_create(
        [Notification(user_id=uid, plan_id=plan_id, title=title[:200], body=body, url=url[:300]) for uid in sorted(user_ids)]
    )
    notification_mail.schedule(user_ids=user_ids, title=title[:200], body=body, url=url[:300])
    return len(user_ids)


def notifications_mark_read(*, user: Any) -> int:
    """Mark the person's own unread notifications read (nobody else's can be reached); how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
