"""Who is who: memberships, plan roles, capabilities, "is this my unit" and 回避.

A user's roles come from memberships. Plan roles are resolved against a plan: 考核办 through the plan's
organiser, 考核主体 through its desks, 考核对象 through its units, 查看 through the organiser or the plan's member
organisations; roles that only higher apps know (实地考察组 members, 评查员) come from the registry those apps
fill in their ``AppConfig.ready()`` (``register_plan_role``). Outsiders get 404 (the object "does not exist"
for them); insiders lacking a capability get 403.

This module sits on the organisations layer: it imports nothing above it. A plan is handled through its own
fields and related managers (``plan.desks``, ``plan.units``, ``plan.member_organisations``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from kaohe.organisations import conflicts
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.regions import region_ids_below, top_region_ids
from kaohe.organisations.roles import (
    ADMIN_ROLES,
    DRAFT_ROLES,
    GLOBAL_CAPABILITIES,
    REGIONAL_CAPABILITIES,
    ROLE_CAPABILITIES,
    TOP_LEVEL_CAPABILITIES,
    Role,
    capabilities_of,
)

_CACHE_ATTR = "_kaohe_memberships"
_PLAN_CACHE_ATTR = "_kaohe_plan_roles"
_TOP_CACHE_ATTR = "_kaohe_top_roles"
_REGION_CACHE_ATTR = "_kaohe_admin_regions"

PlanIds = Callable[[Any], set[int]]
_PLAN_ROLE_SOURCES: dict[Role, PlanIds] = {}


def register_plan_role(role: Role, plan_ids: PlanIds) -> None:
    """Let a higher app say in which plans a holder of ``role`` holds it (``plan_ids(user)``).

    Called from the app's ``AppConfig.ready()`` (实地考察组: its groups' plans; 评查员: its panels' plans).
    """
    _PLAN_ROLE_SOURCES[role] = plan_ids


def registered_plan_ids(user: Any) -> set[int]:
    """Plans in which the user holds one of the registered roles."""
    held = {Role(m.role) for m in memberships(user)}
    found: set[int] = set()
    for role, plan_ids in _PLAN_ROLE_SOURCES.items():
        if role in held:
            found |= plan_ids(user)
    return found


def memberships(user: Any) -> list[Membership]:
    """The user's memberships (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__sort_key"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user: Any) -> None:
    """Drop cached memberships and plan roles (after a membership change)."""
    for attr in (_CACHE_ATTR, _PLAN_CACHE_ATTR, _TOP_CACHE_ATTR, _REGION_CACHE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def org_ids_with_role(user: Any, role: Role) -> set[int]:
    return {m.organisation_id for m in memberships(user) if m.role == role}


def plan_roles(user: Any, plan: Any) -> frozenset[Role]:
    """Roles the user holds in this plan (empty for outsiders, and for non-office roles on drafts)."""
    cache: dict[int, frozenset[Role]] = getattr(user, _PLAN_CACHE_ATTR, None) or {}
    if plan.pk in cache:
        return cache[plan.pk]
    roles: set[Role] = set()
    mine = memberships(user)
    if mine:
        by_role: dict[Role, set[int]] = {}
        for m in mine:
            by_role.setdefault(Role(m.role), set()).add(m.organisation_id)
        if plan.organiser_id in by_role.get(Role.OFFICE, set()):
            roles.add(Role.OFFICE)
        viewer_orgs = by_role.get(Role.VIEWER, set())
        if viewer_orgs and (plan.organiser_id in viewer_orgs or plan.member_organisations.filter(pk__in=viewer_orgs).exists()):
            roles.add(Role.VIEWER)
        desk_orgs = by_role.get(Role.DESK, set())
        if desk_orgs and plan.desks.filter(organisation_id__in=desk_orgs).exists():
            roles.add(Role.DESK)
        unit_orgs = by_role.get(Role.UNIT, set())
        if unit_orgs and plan.units.filter(organisation_id__in=unit_orgs).exists():
            roles.add(Role.UNIT)
        # 实地考察组 members and 评查员 hold their role only in plans whose groups/panel name them.
        for role, plan_ids in _PLAN_ROLE_SOURCES.items():
            if role in by_role and plan.pk in plan_ids(user):
                roles.add(role)
        if plan.is_draft:
            roles &= set(DRAFT_ROLES)
    result = frozenset(roles)
    cache[plan.pk] = result
    setattr(user, _PLAN_CACHE_ATTR, cache)
    return result


def global_roles(user: Any) -> frozenset[Role]:
    return frozenset(Role(m.role) for m in memberships(user))


def top_level_roles(user: Any) -> frozenset[Role]:
    """Roles the user holds in an organisation of a top region (``regions.top_region_ids``): the installation's own."""
    cached = getattr(user, _TOP_CACHE_ATTR, None)
    if cached is None:
        mine = memberships(user)
        top = top_region_ids() if mine else set()
        cached = frozenset(Role(m.role) for m in mine if m.organisation.region_id in top)
        if mine:
            setattr(user, _TOP_CACHE_ATTR, cached)
    return cached


def can(user: Any, capability: str, plan: Any | None = None) -> bool:
    """Whether the user holds a role granting ``capability`` (in ``plan``, when given).

    A top-level capability (``roles.TOP_LEVEL_CAPABILITIES``: the holiday calendar) counts only the roles held in
    an organisation of a top region.
    """
    if plan is None:
        if capability not in GLOBAL_CAPABILITIES:
            raise ValueError(f"{capability} needs a plan")
        held = capability in capabilities_of(global_roles(user))
        if held and capability in TOP_LEVEL_CAPABILITIES:
            return capability in capabilities_of(top_level_roles(user))
        return held
    return capability in capabilities_of(plan_roles(user, plan))


def is_admin_only(user: Any) -> bool:
    roles = global_roles(user)
    return bool(roles) and roles <= ADMIN_ROLES


def require(user: Any, capability: str, plan: Any | None = None) -> None:
    if not can(user, capability, plan):
        raise PermissionDenied


def all_capabilities() -> dict[Role, frozenset[str]]:
    return dict(ROLE_CAPABILITIES)


def is_own_unit(user: Any, unit: Any, plan: Any | None = None) -> bool:
    """Whether ``unit`` (a plan unit) is one the user belongs to as 考核对象 in its plan — and, with ``plan``,
    a unit of that plan.

    The one "is this my unit" check: a 考核对象 membership in the unit's organisation, and the 考核对象 role in
    the unit's plan (not held on drafts). No query once the plan's roles are known for the request.
    """
    if unit is None or unit.organisation_id not in org_ids_with_role(user, Role.UNIT):
        return False
    if plan is not None:
        return unit.plan_id == plan.pk and Role.UNIT in plan_roles(user, plan)
    cache: dict[int, frozenset[Role]] = getattr(user, _PLAN_CACHE_ATTR, None) or {}
    roles = cache.get(unit.plan_id)
    if roles is None:
        roles = plan_roles(user, unit.plan)
    return Role.UNIT in roles


# 回避: the one rule (``kaohe.organisations.conflicts``), named here for access decisions.
conflict_of_interest = conflicts.person_conflict


# ------------------------------------------------------------------------------ region scope (三员 by region)
# Here rather than in ``access.accounts`` because the organisations app's membership services check it too.


def admin_region_ids(user: Any, capability: str = "accounts:manage") -> set[int]:
    """The regions in which the user exercises an admin ``capability`` (``roles.REGIONAL_CAPABILITIES``): the
    region of each organisation in which they hold a role granting it, and every region below it (a city's
    counties and towns). Empty without the capability."""
    if capability not in REGIONAL_CAPABILITIES:
        raise ValueError(f"{capability} is not exercised by region")
    cache: dict[str, set[int]] = getattr(user, _REGION_CACHE_ATTR, None) or {}
    if capability in cache:
        return cache[capability]
    holders = {role for role, caps in ROLE_CAPABILITIES.items() if capability in caps}
    found = region_ids_below({m.organisation.region_id for m in memberships(user) if Role(m.role) in holders})
    cache[capability] = found
    if memberships(user):
        setattr(user, _REGION_CACHE_ATTR, cache)
    return found


def is_installation_admin(user: Any, capability: str) -> bool:
    """Whether the user holds ``capability`` through a role in a top region: the installation's own
    administrator, who also acts on what belongs to no region (login failures of unknown names, events of no
    organisation, the holiday calendar)."""
    return capability in capabilities_of(top_level_roles(user))


def managed_region_ids(user: Any) -> set[int]:
    """The regions whose accounts the user manages (``accounts:manage``, 系统管理员): ``admin_region_ids``."""
    return admin_region_ids(user, "accounts:manage")


def region_members(region_ids: set[int]) -> QuerySet[Membership]:
    """Memberships of accounts that belong to these regions only: every membership of the account lies in them."""
    outside = Membership.objects.exclude(organisation__region_id__in=region_ids).values("user_id")
    return Membership.objects.filter(organisation__region_id__in=region_ids).exclude(user_id__in=outside)


def managed_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations in the user's managed regions (none without ``accounts:manage``)."""
    if not can(user, "accounts:manage"):
        return Organisation.objects.none()
    return Organisation.objects.filter(region_id__in=managed_region_ids(user))


def manages_organisation(user: Any, organisation: Organisation) -> bool:
    return can(user, "accounts:manage") and organisation.region_id in managed_region_ids(user)


def memberships_outside_scope(user: Any, capability: str = "accounts:manage") -> QuerySet[Membership]:
    """Memberships in organisations outside the user's regions for ``capability`` (an account holding one is
    not theirs)."""
    return Membership.objects.exclude(organisation__region_id__in=admin_region_ids(user, capability))


def manages_account(user: Any, account: Any) -> bool:
    """Whether the user manages ``account``: ``accounts:manage``, and every role of the account lies in the
    user's regions; never a superuser (the operators' account). As ``access.accounts.accounts_in_scope``."""
    if not can(user, "accounts:manage") or account.is_superuser:
        return False
    return not memberships_outside_scope(user).filter(user_id=account.pk).exists()
