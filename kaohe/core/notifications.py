"""Sending in-app notifications to the members of organisations (and e-mail copies to those who opted in).

Who holds a role in an organisation is known to the organisations app (above core): it registers the lookup
in its ``AppConfig.ready()`` (``register_members_lookup``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from kaohe.core import tasks
from kaohe.core.models_notification import Notification

if TYPE_CHECKING:
    from kaohe.organisations.roles import Role

# (organisation ids, role) -> the ids of the users holding that role in any of them
MembersLookup = Callable[[list[int], str], set[int]]

_MEMBERS: list[MembersLookup] = []


def register_members_lookup(lookup: MembersLookup) -> None:
    """The one lookup of an organisation's members (a later registration replaces it)."""
    _MEMBERS[:] = [lookup]


def notify_organisations(
    *, organisation_ids: Iterable[int], role: Role, plan_id: int | None, title: str, body: str = "", url: str = ""
) -> int:
    """One notification per member (with ``role``) of each organisation; returns how many were created.

    Members who opted in also get it by e-mail, sent in the background once the transaction commits.
    """
    if not _MEMBERS:
        raise ImproperlyConfigured("no members lookup registered (kaohe.organisations is not installed)")
    user_ids = _MEMBERS[0](list(organisation_ids), role)
    Notification.objects.bulk_create(
        [Notification(user_id=uid, plan_id=plan_id, title=title[:200], body=body, url=url[:300]) for uid in sorted(user_ids)]
    )
    tasks.schedule_emails(user_ids=user_ids, title=title[:200], body=body, url=url[:300])
    return len(user_ids)


def notifications_mark_read(*, user: Any) -> int:
    """Mark the person's own unread notifications read (nobody else's can be reached); how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
