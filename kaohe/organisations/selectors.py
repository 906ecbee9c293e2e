"""Reads of organisations' data for the apps below and beside it."""

from __future__ import annotations

from kaohe.organisations.models import Membership


def member_ids(organisation_ids: list[int], role: str) -> set[int]:
    """The users holding ``role`` in any of these organisations (core.notifications' members lookup)."""
    return set(Membership.objects.filter(organisation_id__in=organisation_ids, role=role).values_list("user_id", flat=True))
