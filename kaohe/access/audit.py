"""Which audit events an audit administrator reads (审计管理员 by region).

The installation's own audit administrator (a role in a top region) reads every event. A region's reads the
events that name an organisation of their region or below, or a plan organised there, and the events of accounts
that belong to those regions only (their logins, password changes); events that name neither (login failures
under unknown names, the holiday calendar, installation set-up) and events of other regions are not theirs.
Core's audit pages ask through ``core.capabilities.audit_scope``, registered in ``OrganisationsConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from kaohe.access.base import admin_region_ids, can, is_installation_admin, region_members
from kaohe.organisations.models import Organisation


def audit_scope(user: Any) -> Q | None:
    """A filter on ``AuditEvent`` for what the user may read: None for everything, ``Q(pk__in=[])`` for nothing."""
    if not can(user, "audit:read"):
        return Q(pk__in=[])
    if is_installation_admin(user, "audit:read"):
        return None
    regions = admin_region_ids(user, "audit:read")
    organisations = Organisation.objects.filter(region_id__in=regions)
    plans = organisations.filter(organised_plans__isnull=False).values("organised_plans")
    actors = region_members(regions).values("user_id")
    by_actor = Q(organisation_id__isnull=True, plan_id__isnull=True, actor_id__in=actors)
    return Q(organisation_id__in=organisations.values("pk")) | Q(plan_id__in=plans) | by_actor
