"""Writes of memberships: who holds which role where. The rules of 三员分立 live here, in one place.

- Nobody grants or revokes their own roles.
- Only holders of ``accounts:manage`` (系统管理员) grant or revoke roles.
- Roles combine as ``roles.role_conflict`` allows: an admin power is never combined with another admin power
  or with a plan role (``Membership.clean`` and a pre-save guard refuse the same on every other path).
- A grant of an admin role (系统/安全/审计管理员) is only a *proposal*; it takes effect when a different
  administrator holding ``accounts:confirm_admin_grant`` (安全管理员) confirms it, and may be rejected with a
  reason. The proposer and the person concerned never decide it.

Each act is audited; membership rows are audited by ``signals`` with the actor named here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.core import audit
from kaohe.organisations.models import Membership, Organisation, RoleGrantProposal
from kaohe.organisations.roles import ADMIN_ROLES, Role, role_conflict

if TYPE_CHECKING:  # accounts sits above organisations
    from kaohe.accounts.models import User

REASON_MAX = 500


def _lock_user(user: Any) -> Any:
    """Lock the person's row so that two concurrent grants cannot both pass the compatibility check."""
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def _check_manager(actor: User, user: Any, organisation: Organisation | None = None) -> None:
    """The actor manages accounts, ``user`` is in their regions (and ``organisation`` too), and is not themselves."""
    if not access.can(actor, "accounts:manage"):
        raise PermissionDenied("您没有管理账号与角色的权限。")
    if actor.pk == user.pk:
        raise ValidationError("不能授予或撤销本人的角色，须由另一位系统管理员办理。")
    if not access.manages_account(actor, user):
        raise PermissionDenied("该账号在其他单位或地区担任角色，不属于您管理的范围。")
    if organisation is not None and not access.manages_organisation(actor, organisation):
        raise PermissionDenied(f"{organisation.name}不在您管理的地区内。")


def _check_compatible(user: Any, role: Role) -> None:
    held = {Role(r) for r in Membership.objects.filter(user=user).values_list("role", flat=True)}
    problem = role_conflict(held, role)
    if problem:
        raise ValidationError(problem)


def _describe_proposal(p: RoleGrantProposal) -> dict[str, Any]:
    return {
        "proposal": p.pk,
        "user": p.user.username,
        "organisation": p.organisation.name,
        "role": p.role,
        "proposed_by": p.proposed_by.username,
    }


def membership_grant(*, actor: User, user: Any, organisation: Organisation, role: Role) -> Membership | RoleGrantProposal:
    """Grant ``role`` in ``organisation`` to ``user``.

    A plan role takes effect at once (returns the membership); an admin role becomes a pending proposal
    for the security administrator (returns the proposal).
    """
    role = Role(role)
    _check_manager(actor, user, organisation)
    with transaction.atomic():
        user = _lock_user(user)
        if not user.is_active:
            raise ValidationError("该账号已停用，不能授予角色。")
        if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
            raise ValidationError(f"该用户已在{organisation.name}担任{role.label}。")
        _check_compatible(user, role)
        if role in ADMIN_ROLES:
            return _propose(actor=actor, user=user, organisation=organisation, role=role)
        membership = Membership(user=user, organisation=organisation, role=role)
        membership.full_clean()
        membership._audit_actor = actor
        membership.save()
    access.forget(user)
    return membership


def _propose(*, actor: User, user: Any, organisation: Organisation, role: Role) -> RoleGrantProposal:
    if RoleGrantProposal.objects.filter(
        user=user, organisation=organisation, role=role, status=RoleGrantProposal.Status.PENDING
    ).exists():
        raise ValidationError(f"已有待确认的申请：{user.username} 在{organisation.name}担任{role.label}。")
    proposal = RoleGrantProposal(user=user, organisation=organisation, role=role, proposed_by=actor, proposed_at=timezone.now())
    proposal.full_clean()
    proposal.save()
    audit.record(
        actor=actor, action="membership.propose", obj=proposal, organisation=organisation, after=_describe_proposal(proposal)
    )
    return proposal


def membership_revoke(*, actor: User, membership: Membership) -> None:
    """Remove a membership (plan or admin role) of another person. Takes effect at once; audited."""
    user = membership.user
    _check_manager(actor, user)
    with transaction.atomic():
        _lock_user(user)
        row = Membership.objects.select_related("user", "organisation").filter(pk=membership.pk).first()
        if row is None:
            raise ValidationError("该角色已被撤销。")
        row._audit_actor = actor
        row.delete()
    access.forget(user)


def membership_move(*, actor: User, membership: Membership, organisation: Organisation) -> Membership:
    """调动: the same role of the same person, now in ``organisation`` (within the manager's regions), as one act.

    Admin powers are installation-wide and are not moved (revoke and grant, with the security administrator's
    confirmation). The membership row keeps its identity; one ``membership.move`` event says from where to where.
    """
    user = membership.user
    _check_manager(actor, user, organisation)
    with transaction.atomic():
        _lock_user(user)
        row = Membership.objects.select_for_update().select_related("user", "organisation").filter(pk=membership.pk).first()
        if row is None:
            raise ValidationError("该角色已被撤销。")
        role = Role(row.role)
        if role in ADMIN_ROLES:
            raise ValidationError("管理员角色不能调动：请撤销后重新授予（须经安全管理员确认）。")
        if row.organisation_id == organisation.pk:
            raise ValidationError(f"该角色已在{organisation.name}。")
        if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
            raise ValidationError(f"该用户已在{organisation.name}担任{role.label}。")
        before = {"user": user.username, "organisation": row.organisation.name, "role": row.role}
        row.organisation = organisation
        row.full_clean()
        row._audit_actor = actor
        row._audit_action = "membership.move"
        row._audit_before = before
        row.save(update_fields=["organisation", "updated_at"])  # one audited event (signals), "membership.move"
    access.forget(user)
    return row


def _check_decider(actor: User, proposal: RoleGrantProposal) -> None:
    if not access.can(actor, "accounts:confirm_admin_grant"):
        raise PermissionDenied("只有安全管理员可以确认或驳回管理员角色的授予。")
    if proposal.organisation.region_id not in access.admin_region_ids(actor, "accounts:confirm_admin_grant"):
        raise PermissionDenied("该申请所在单位不在您管理的区划内。")
    if actor.pk == proposal.proposed_by_id:
        raise ValidationError("不能确认或驳回本人提出的申请，须由另一位管理员办理。")
    if actor.pk == proposal.user_id:
        raise ValidationError("不能确认或驳回授予本人的角色。")


def _lock_pending(proposal: RoleGrantProposal) -> RoleGrantProposal:
    row = (
        RoleGrantProposal.objects.select_for_update()
        .select_related("user", "organisation", "proposed_by")
        .filter(pk=proposal.pk)
        .first()
    )
    if row is None or row.status != RoleGrantProposal.Status.PENDING:
        raise ValidationError("该申请已处理，不能再次确认或驳回。")
    return row


def role_grant_confirm(*, actor: User, proposal: RoleGrantProposal) -> Membership:
    """The security administrator confirms a proposed admin-role grant: the membership is created now."""
    _check_decider(actor, proposal)
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        user = _lock_user(proposal.user)
        if not user.is_active:
            raise ValidationError("该账号已停用，不能授予角色。")
        role = Role(proposal.role)
        if Membership.objects.filter(user=user, organisation=proposal.organisation, role=role).exists():
            raise ValidationError(f"该用户已在{proposal.organisation.name}担任{role.label}。")
        _check_compatible(user, role)  # the person's roles may have changed since the proposal
        proposal.status = RoleGrantProposal.Status.CONFIRMED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.full_clean()
        proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit.record(
            actor=actor,
            action="membership.proposal_confirm",
            obj=proposal,
            organisation=proposal.organisation,
            after=_describe_proposal(proposal),
        )
        membership = Membership(user=user, organisation=proposal.organisation, role=role)
        membership.full_clean()
        membership._audit_actor = actor
        membership._audit_extra = {"proposal": proposal.pk, "proposed_by": proposal.proposed_by.username}
        membership.save()
    access.forget(user)
    return membership


def role_grant_reject(*, actor: User, proposal: RoleGrantProposal, reason: str) -> RoleGrantProposal:
    """The security administrator rejects a proposed admin-role grant, with a reason. Nothing is granted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写驳回理由。")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"驳回理由不能超过 {REASON_MAX} 字。")
    _check_decider(actor, proposal)
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        proposal.status = RoleGrantProposal.Status.REJECTED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.decision_reason = reason
        proposal.full_clean()
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="membership.proposal_reject",
            obj=proposal,
            organisation=proposal.organisation,
            after={**_describe_proposal(proposal), "reason": reason},
        )
    return proposal


def admin_role_bootstrap(*, user: Any, organisation: Organisation, role: Role) -> Membership:
    """Installation set-up from the command line: the *first* holder of an admin role.

    Allowed only while nobody (active) holds that role, so it cannot bypass the confirmation of later grants;
    the combination rules apply as everywhere. Audited with no actor (命令行).
    """
    role = Role(role)
    if role not in ADMIN_ROLES:
        raise ValidationError("只能用于设置系统管理员、安全管理员或审计管理员。")
    with transaction.atomic():
        user = _lock_user(user)
        if Membership.objects.filter(role=role, user__is_active=True).exists():
            raise ValidationError(f"已有人担任{role.label}：此后的授予须由系统管理员提出、安全管理员确认。")
        _check_compatible(user, role)
        membership = Membership(user=user, organisation=organisation, role=role)
        membership.full_clean()
        membership._audit_extra = {"bootstrap": True}
        membership.save()
    access.forget(user)
    return membership
