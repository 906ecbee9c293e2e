"""Every permission change (a membership added, changed or removed, from any path) is an audit event,
and no path (admin, shell, fixture, a forgotten script) saves a membership that breaks 三员分立."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from kaohe.core import audit
from kaohe.organisations.models import Membership


def _describe(m: Membership) -> dict[str, Any]:
    return {"user": m.user.username, "organisation": m.organisation.name, "role": m.role, **getattr(m, "_audit_extra", {})}


def _actor(m: Membership) -> Any:
    """The actor a service named on the row, else the user of the current request (admin, shell: none)."""
    return getattr(m, "_audit_actor", None) or audit.current_user()


@receiver(pre_save, sender=Membership)
def _membership_compatible(sender: Any, instance: Membership, **kwargs: Any) -> None:
    """The last guard: an incompatible combination of roles is refused whatever saves it (fixtures included)."""
    problem = instance.conflict()
    if problem:
        raise ValidationError({"role": problem})


@receiver(post_save, sender=Membership)
def _membership_saved(sender: Any, instance: Membership, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading a fixture or a backup: the archive carries its own audit events
        return
    # A service may name the act (``membership.move``) and the state before it, for one event that says both.
    audit.record(
        actor=_actor(instance),
        action=getattr(instance, "_audit_action", None) or ("membership.grant" if created else "membership.change"),
        obj=instance,
        organisation=instance.organisation,
        before=getattr(instance, "_audit_before", None),
        after=_describe(instance),
    )


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    audit.record(
        actor=_actor(instance),
        action="membership.revoke",
        organisation=instance.organisation,
        before=_describe(instance),
        object_repr=str(instance),
    )


@contextlib.contextmanager
def restore_pause() -> Iterator[None]:
    """Loading a backup must not append audit events: the membership receiver pauses (it also skips raw saves)."""
    disconnected = post_save.disconnect(_membership_saved, sender=Membership)
    try:
        yield
    finally:
        if disconnected:
            post_save.connect(_membership_saved, sender=Membership)
