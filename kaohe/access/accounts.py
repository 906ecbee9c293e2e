"""Accounts and roles (三员分立): the regions, organisations and accounts a system administrator manages, the
accounts a security administrator looks after (lockouts, second factor), and the admin-role grants they decide.

Every admin power acts on its region and below (``base.admin_region_ids``): a city's administrators on the
city's accounts, the installation's (top region) on every region's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kaohe.access.base import admin_region_ids, can, is_installation_admin, memberships_outside_scope, require

# The region scope lives in ``base`` (the organisations app's membership services check it too); named here too.
from kaohe.access.base import managed_organisations as managed_organisations
from kaohe.access.base import managed_region_ids as managed_region_ids
from kaohe.access.base import manages_account as manages_account
from kaohe.access.base import manages_organisation as manages_organisation
from kaohe.accounts.models import User
from kaohe.organisations.models import Membership, RoleGrantProposal


def accounts_in_scope(user: Any, capability: str = "accounts:manage") -> QuerySet[User]:
    """Accounts an administrator acts on with ``capability`` (系统管理员: ``accounts:manage``; 安全管理员:
    ``security:policy``): every membership of theirs lies in the administrator's regions.

    An account holding a role outside those regions belongs (also) to another region's administrator and does
    not exist here (404): resetting its password would hand over roles elsewhere. An account without any role
    yet (just created, or all roles revoked) is in every manager's scope. Superusers (operators) never are.
    """
    if not can(user, capability):
        return User.objects.none()
    outside = memberships_outside_scope(user, capability)
    return User.objects.filter(is_superuser=False).exclude(pk__in=outside.values("user_id"))


def security_usernames(user: Any) -> set[str] | None:
    """Lower-cased user names whose login failures the security administrator sees and releases; None for the
    installation's own (top region), who also sees failures under names that are no account."""
    if is_installation_admin(user, "security:policy"):
        return None
    return {name.lower() for name in accounts_in_scope(user, "security:policy").values_list("username", flat=True)}


def get_account_for_security(user: Any, username: str) -> User | None:
    """The account named ``username`` if the security administrator looks after it (None: unknown to them)."""
    require(user, "security:policy")
    return accounts_in_scope(user, "security:policy").filter(username=username).first()


def grant_proposals_in_scope(user: Any, capability: str = "accounts:confirm_admin_grant") -> QuerySet[RoleGrantProposal]:
    """Admin-role grant proposals for organisations in the user's regions (for ``capability``)."""
    if not can(user, capability):
        return RoleGrantProposal.objects.none()
    return RoleGrantProposal.objects.filter(organisation__region_id__in=admin_region_ids(user, capability))


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
    """A proposed admin-role grant the security administrator decides: 403 without the capability, 404 unknown
    and for a grant in an organisation outside their regions."""
    require(user, "accounts:confirm_admin_grant")
    proposal = grant_proposals_in_scope(user).select_related("user", "organisation", "proposed_by").filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("申请不存在")
    return proposal
