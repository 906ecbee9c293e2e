"""Every permission change (a membership added, changed or removed, from any path) is an audit event."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kaohe.core import audit
from kaohe.organisations.models import Membership


def _describe(m: Membership) -> dict[str, Any]:
    return {"user": m.user.username, "organisation": m.organisation.name, "role": m.role}


@receiver(post_save, sender=Membership)
def _membership_saved(sender: Any, instance: Membership, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading a fixture or a backup: the archive carries its own audit events
        return
    audit.record(
        actor=audit.current_user(),
        action="membership.grant" if created else "membership.change",
        obj=instance,
        organisation=instance.organisation,
        after=_describe(instance),
    )


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    audit.record(
        actor=audit.current_user(),
        action="membership.revoke",
        organisation=instance.organisation,
        before=_describe(instance),
        object_repr=str(instance),
    )
