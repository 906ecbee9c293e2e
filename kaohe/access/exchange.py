"""Exchange between installations (数据交换): an office's API tokens, trusted keys, imports and signed exports.

These pages belong to an organisation, not to a plan: only an OFFICE (考核办) member of the organisation manages
its tokens, trusted keys and imports (docs/permissions.md, "数据交换"). Everyone else signed in gets 403; another
office's token, key or import does not exist for it (404). A signed export is of a published plan whose results
the user may publish (考核办 of the plan).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kaohe.access.base import memberships
from kaohe.access.plans import get_published_plan_for_user
from kaohe.api import selectors
from kaohe.api.models import ApiToken, ResultImport
from kaohe.organisations.models import Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan


def office_of(user: Any) -> Organisation:
    """The organisation whose exchange the user manages: their (first) 考核办 membership; 403 without one."""
    for membership in memberships(user):
        if membership.role == Role.OFFICE:
            return membership.organisation
    raise PermissionDenied("只有考核办可以管理数据交换")


def may_manage_exchange(user: Any) -> bool:
    return any(m.role == Role.OFFICE for m in memberships(user))


def require_office_of(user: Any, organisation: Organisation) -> None:
    """For services: the actor is an OFFICE member of ``organisation``."""
    if not any(m.role == Role.OFFICE and m.organisation_id == organisation.pk for m in memberships(user)):
        raise PermissionDenied("只有本单位考核办可以管理数据交换")


def get_token_for_office(user: Any, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(organisation=office_of(user), pk=token_id).first()
    if token is None:
        raise Http404("接口令牌不存在")
    return token


def get_import_for_office(user: Any, result_import_id: int) -> ResultImport:
    found = ResultImport.objects.filter(organisation=office_of(user), pk=result_import_id).select_related("key").first()
    if found is None:
        raise Http404("导入记录不存在")
    return found


def get_export_plan_for_user(user: Any, plan_id: int) -> Plan:
    """A published plan whose results the user may export signed: its 考核办 (404 outsiders, 403 other roles)."""
    return get_published_plan_for_user(user, plan_id, capability="results:publish")


def plans_for_token(token: ApiToken) -> QuerySet[Plan]:
    """The plans a token's organisation may read: its own and those of offices in regions below it."""
    return selectors.visible_plans(token.organisation)


def get_plan_for_token(token: ApiToken, plan_id: int) -> Plan:
    """A plan the token's organisation may read; 404 for any other (as if it did not exist)."""
    plan = selectors.visible_plan(token.organisation, plan_id)
    if plan is None:
        raise Http404("考核方案不存在")
    return plan


def require_scope(token: ApiToken, scope: str) -> None:
    """403 unless the token carries ``scope``."""
    if scope not in token.scopes:
        raise PermissionDenied(f"令牌没有“{scope}”权限范围")
