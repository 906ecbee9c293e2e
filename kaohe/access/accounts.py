"""Accounts and roles (三员分立): the regions, organisations and accounts a system administrator manages, and
the admin-role grants a security administrator decides."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kaohe.access.base import can, memberships_outside_scope, require

# The region scope lives in ``base`` (the organisations app's membership services check it too); named here too.
from kaohe.access.base import managed_organisations as managed_organisations
from kaohe.access.base import managed_region_ids as managed_region_ids
from kaohe.access.base import manages_account as manages_account
from kaohe.access.base import manages_organisation as manages_organisation
from kaohe.accounts.models import User
from kaohe.organisations.models import Membership, RoleGrantProposal


def accounts_in_scope(user: Any) -> QuerySet[User]:
    """Accounts a user manager sees and changes: every membership of theirs lies in the manager's regions.

    An account holding a role outside those regions belongs (also) to another region's administrator and does
    not exist here (404): resetting its password would hand over roles elsewhere. An account without any role
    yet (just created, or all roles revoked) is in every manager's scope. Superusers (operators) never are.
    """
    if not can(user, "accounts:manage"):
        return User.objects.none()
    outside = memberships_outside_scope(user)
    return User.objects.filter(is_superuser=False).exclude(pk__in=outside.values("user_id"))


def get_account_for_manager(user: Any, account_id: int) -> User:
    """An account the user manager may see and change: 403 without ``accounts:manage``, 404 for an unknown id
    and for an account with a role outside the manager's regions (``accounts_in_scope``)."""
    require(user, "accounts:manage")
    account = accounts_in_scope(user).filter(pk=account_id).first()
    if account is None:
        raise Http404("账号不存在")
    return account


def get_membership_for_manager(user: Any, account_id: int, membership_id: int) -> Membership:
    """One membership of a managed account (404 when it is not that account's)."""
    account = get_account_for_manager(user, account_id)
    membership = Membership.objects.select_related("user", "organisation").filter(pk=membership_id, user=account).first()
    if membership is None:
        raise Http404("该角色不存在")
    return membership


def get_grant_proposal_for_decider(user: Any, proposal_id: int) -> RoleGrantProposal:
    """A proposed admin-role grant the security administrator decides: 403 without the capability, 404 unknown."""
    require(user, "accounts:confirm_admin_grant")
    proposal = RoleGrantProposal.objects.select_related("user", "organisation", "proposed_by").filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("申请不存在")
    return proposal
