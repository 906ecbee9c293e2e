"""三员分立 held by the code (pen-test finding 1).

The attack: as ``sysadmin``, adding memberships in the Django admin (审计管理员, or 考核办 / 考核主体 of some
organisation) gave the system administrator the audit log, the results and a saved grade. Now memberships
change only on the account pages, through services that refuse changing one's own roles, refuse
incompatible combinations, and turn admin-role grants into proposals a *different* security administrator
confirms. Every act is audited.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Membership, Organisation, RoleGrantProposal
from kaohe.organisations.roles import Role, role_conflict

ORGANISER = "平顶山市法治政府建设领导小组办公室"


def _org(name: str = ORGANISER) -> Organisation:
    return Organisation.objects.get(name=name)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _grant(client, account, role: Role, organisation: Organisation | None = None):
    return client.post(
        reverse("accounts:membership_add", args=[account.pk]),
        {"organisation": (organisation or _org()).pk, "role": role.value},
    )


def _decide(client, proposal, decision: str, reason: str = ""):
    return client.post(reverse("accounts:grant_decide", args=[proposal.pk]), {"decision": decision, "reason": reason})


# ------------------------------------------------------------------------------ the attack, in the Django admin


@pytest.mark.parametrize(
    ("role", "organisation"),
    [(Role.AUDIT_ADMIN, ORGANISER), (Role.OFFICE, ORGANISER), (Role.DESK, "市司法局依法行政指导科")],
)
def test_sysadmin_cannot_give_himself_a_role_in_the_django_admin(personas, plan, role, organisation):
    client = personas.client(personas.sysadmin)
    org = _org(organisation)
    response = client.post(
        reverse("admin:organisations_membership_add"), {"user": personas.sysadmin.pk, "organisation": org.pk, "role": role.value}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=personas.sysadmin, organisation=org, role=role).exists()
    assert not AuditEvent.objects.filter(action="membership.grant", after__user="sysadmin", after__role=role.value).exists()
    # Still none of the powers the pen tester obtained.
    assert client.get(reverse("security:audit_log")).status_code == 403
    assert client.get(reverse("security:audit_export")).status_code == 403
    assert client.get(reverse("results:index", args=[plan.pk])).status_code == 404
    assert client.get(reverse("scoring:grid", args=[plan.pk])).status_code == 404


def test_memberships_are_read_only_in_the_django_admin(personas, operator):
    client = personas.client(operator)
    membership = Membership.objects.get(user=personas.viewer, role=Role.VIEWER)
    changelist = client.get(reverse("admin:organisations_membership_changelist"))
    assert changelist.status_code == 200
    assert reverse("admin:organisations_membership_add") not in changelist.content.decode()
    change_url = reverse("admin:organisations_membership_change", args=[membership.pk])
    response = client.post(change_url, {"user": personas.viewer.pk, "organisation": membership.organisation_id, "role": "office"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    response = client.post(reverse("admin:organisations_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


# ------------------------------------------------------------------------------ the account pages


def test_sysadmin_cannot_grant_himself_anything_on_the_account_pages(personas):
    client = personas.client(personas.sysadmin)
    for role in (Role.OFFICE, Role.DESK, Role.AUDIT_ADMIN, Role.SECURITY_ADMIN):
        response = _grant(client, personas.sysadmin, role)
        assert response.status_code == 302
        assert "不能授予或撤销本人的角色，须由另一位系统管理员办理。" in _messages(response)
    assert set(Membership.objects.filter(user=personas.sysadmin).values_list("role", flat=True)) == {Role.SYSTEM_ADMIN}
    assert not RoleGrantProposal.objects.filter(user=personas.sysadmin).exists()
    own = Membership.objects.get(user=personas.sysadmin)
    response = client.post(reverse("accounts:membership_revoke", args=[personas.sysadmin.pk, own.pk]))
    assert "不能授予或撤销本人的角色，须由另一位系统管理员办理。" in _messages(response)
    assert Membership.objects.filter(pk=own.pk).exists()
    assert "这是您本人的账号" in client.get(reverse("accounts:user_detail", args=[personas.sysadmin.pk])).content.decode()


def test_a_plan_role_granted_by_the_sysadmin_takes_effect_and_is_audited(personas, make_user):
    newcomer = make_user("newcomer")
    response = _grant(personas.client(personas.sysadmin), newcomer, Role.VIEWER)
    assert response.status_code == 302
    assert f"已授予 newcomer 在{ORGANISER}担任查看。" in _messages(response)
    membership = Membership.objects.get(user=newcomer, role=Role.VIEWER)
    event = AuditEvent.objects.filter(action="membership.grant").latest("seq")
    assert (event.actor_name, event.object_id) == ("sysadmin", str(membership.pk))
    assert event.after == {"user": "newcomer", "organisation": ORGANISER, "role": "viewer"}

    response = personas.client(personas.sysadmin).post(reverse("accounts:membership_revoke", args=[newcomer.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    revoked = AuditEvent.objects.filter(action="membership.revoke").latest("seq")
    assert (revoked.actor_name, revoked.before["role"]) == ("sysadmin", "viewer")


def test_admin_role_grant_waits_for_a_security_admin_to_confirm(personas, make_user, security_admin):
    it_staff = make_user("it_staff")
    response = _grant(personas.client(personas.sysadmin), it_staff, Role.SECURITY_ADMIN)
    assert "须经安全管理员确认后生效" in " ".join(_messages(response))
    proposal = RoleGrantProposal.objects.get(user=it_staff)
    assert (proposal.status, proposal.proposed_by, proposal.role) == (
        RoleGrantProposal.Status.PENDING,
        personas.sysadmin,
        "security_admin",
    )
    assert not Membership.objects.filter(user=it_staff).exists()
    assert personas.client(it_staff).get(reverse("accounts:security_lockouts")).status_code == 403
    proposed = AuditEvent.objects.get(action="membership.propose")
    assert proposed.actor_name == "sysadmin" and proposed.after["user"] == "it_staff"

    # The proposer cannot decide it (no capability), the security administrator can.
    assert _decide(personas.client(personas.sysadmin), proposal, "confirm").status_code == 403
    page = personas.client(security_admin).get(reverse("accounts:grant_proposals"))
    assert page.status_code == 200 and "it_staff" in page.content.decode()
    response = _decide(personas.client(security_admin), proposal, "confirm")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (RoleGrantProposal.Status.CONFIRMED, security_admin)
    assert Membership.objects.filter(user=it_staff, role=Role.SECURITY_ADMIN).exists()
    assert personas.client(it_staff).get(reverse("accounts:security_lockouts")).status_code == 200
    confirmed = AuditEvent.objects.get(action="membership.proposal_confirm")
    granted = AuditEvent.objects.filter(action="membership.grant").latest("seq")
    assert confirmed.actor_name == granted.actor_name == "secadmin"
    assert granted.after["proposal"] == proposal.pk and granted.after["proposed_by"] == "sysadmin"
    assert confirmed.seq < granted.seq
    # Decided once only.
    response = _decide(personas.client(security_admin), proposal, "reject", "晚了")
    assert "该申请已处理，不能再次确认或驳回。" in _messages(response)


def test_the_proposer_and_the_person_concerned_never_decide(personas, make_user, security_admin):
    # A proposal security_admin made (e.g. while they were system administrator): they may not confirm it.
    other = make_user("other_it")
    own = RoleGrantProposal.objects.create(user=other, organisation=_org(), role=Role.AUDIT_ADMIN, proposed_by=security_admin)
    response = _decide(personas.client(security_admin), own, "confirm")
    assert "不能确认或驳回本人提出的申请，须由另一位管理员办理。" in _messages(response)
    # A grant to the security administrator themself (in another organisation): not theirs to decide either.
    for_me = RoleGrantProposal.objects.create(
        user=security_admin, organisation=_org("市司法局"), role=Role.SECURITY_ADMIN, proposed_by=personas.sysadmin
    )
    response = _decide(personas.client(security_admin), for_me, "confirm")
    assert "不能确认或驳回授予本人的角色。" in _messages(response)
    for p in (own, for_me):
        p.refresh_from_db()
        assert p.status == RoleGrantProposal.Status.PENDING
    assert not Membership.objects.filter(user=other).exists()
    assert not Membership.objects.filter(user=security_admin, organisation=_org("市司法局")).exists()
    # The database refuses it too, whatever path writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrantProposal.objects.filter(pk=own.pk).update(
            status="confirmed", decided_by=security_admin, decided_at=own.proposed_at
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrantProposal.objects.create(user=other, organisation=_org(), role=Role.AUDIT_ADMIN, proposed_by=other)


def test_a_rejection_needs_a_reason_and_grants_nothing(personas, make_user, security_admin):
    it_staff = make_user("it_staff")
    _grant(personas.client(personas.sysadmin), it_staff, Role.AUDIT_ADMIN)
    proposal = RoleGrantProposal.objects.get(user=it_staff)
    response = _decide(personas.client(security_admin), proposal, "reject", "   ")
    assert "驳回时请填写理由。" in _messages(response)
    response = _decide(personas.client(security_admin), proposal, "maybe")
    assert "请选择确认或驳回。" in _messages(response)
    proposal.refresh_from_db()
    assert proposal.status == RoleGrantProposal.Status.PENDING
    _decide(personas.client(security_admin), proposal, "reject", "未经审批的人员变动")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_reason) == (RoleGrantProposal.Status.REJECTED, "未经审批的人员变动")
    assert not Membership.objects.filter(user=it_staff).exists()
    rejected = AuditEvent.objects.get(action="membership.proposal_reject")
    assert rejected.actor_name == "secadmin" and rejected.after["reason"] == "未经审批的人员变动"


# ------------------------------------------------------------------------------ incompatible combinations


@pytest.mark.parametrize(
    ("held", "new", "allowed"),
    [
        ({Role.SYSTEM_ADMIN}, Role.OFFICE, False),
        ({Role.SYSTEM_ADMIN}, Role.DESK, False),
        ({Role.SYSTEM_ADMIN}, Role.AUDIT_ADMIN, False),
        ({Role.SYSTEM_ADMIN}, Role.SECURITY_ADMIN, False),
        ({Role.SECURITY_ADMIN}, Role.AUDIT_ADMIN, False),
        ({Role.AUDIT_ADMIN}, Role.UNIT, False),
        ({Role.OFFICE}, Role.SYSTEM_ADMIN, False),
        ({Role.SYSTEM_ADMIN}, Role.SYSTEM_ADMIN, True),  # the same power in another organisation
        ({Role.OFFICE, Role.VIEWER}, Role.DESK, True),
        (set(), Role.AUDIT_ADMIN, True),
    ],
)
def test_role_conflict_table(held, new, allowed):
    assert (role_conflict(held, new) is None) is allowed


def test_incompatible_grants_are_refused_on_the_pages(personas, make_user, security_admin, audit_admin):
    client = personas.client(personas.sysadmin)
    response = _grant(client, audit_admin, Role.OFFICE)
    assert any(m.startswith("三员分立：该用户已担任审计管理员，不能再担任考核办。") for m in _messages(response))
    response = _grant(client, personas.office, Role.AUDIT_ADMIN)
    assert any(m.startswith("三员分立：该用户已担任考核办，不能再担任审计管理员。") for m in _messages(response))
    response = _grant(client, security_admin, Role.AUDIT_ADMIN)
    assert any(m.startswith("三员分立：该用户已担任安全管理员") for m in _messages(response))
    assert not Membership.objects.filter(user=audit_admin, role=Role.OFFICE).exists()
    assert not RoleGrantProposal.objects.exists()
    # Checked again when confirming: the person took a plan role while the proposal waited.
    it_staff = make_user("it_staff")
    _grant(client, it_staff, Role.SYSTEM_ADMIN)
    _grant(client, it_staff, Role.UNIT, _org("市司法局"))
    proposal = RoleGrantProposal.objects.get(user=it_staff)
    response = _decide(personas.client(security_admin), proposal, "confirm")
    assert any(m.startswith("三员分立：该用户已担任考核对象，不能再担任系统管理员。") for m in _messages(response))
    proposal.refresh_from_db()
    assert proposal.status == RoleGrantProposal.Status.PENDING
    assert not Membership.objects.filter(user=it_staff, role=Role.SYSTEM_ADMIN).exists()


def test_no_code_path_saves_an_incompatible_membership(personas, tmp_path):
    organiser = _org()
    with pytest.raises(ValidationError, match="三员分立"):
        Membership.objects.create(user=personas.sysadmin, organisation=organiser, role=Role.OFFICE)
    with pytest.raises(ValidationError, match="三员分立"):
        Membership(user=personas.office, organisation=organiser, role=Role.AUDIT_ADMIN).full_clean()
    fixture = tmp_path / "membership.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "organisations.membership",
                    "fields": {
                        "user": personas.sysadmin.pk,
                        "organisation": organiser.pk,
                        "role": "audit_admin",
                        "created_at": "2020-01-01T00:00:00Z",
                        "updated_at": "2020-01-01T00:00:00Z",
                    },
                }
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="三员分立"):
        call_command("loaddata", str(fixture), verbosity=0)
    assert set(Membership.objects.filter(user=personas.sysadmin).values_list("role", flat=True)) == {Role.SYSTEM_ADMIN}


def test_bootstrap_command_sets_only_the_first_admin_of_a_role(personas, make_user):
    from django.core.management.base import CommandError

    # The test installation (the city) already has its security and audit administrators: start as a fresh one would.
    Membership.objects.filter(role__in=[Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]).delete()
    first = make_user("first_secadmin")
    call_command("admin_role_bootstrap", "first_secadmin", "security_admin", organisation=ORGANISER, verbosity=0)
    assert Membership.objects.filter(user=first, role=Role.SECURITY_ADMIN).exists()
    event = AuditEvent.objects.filter(action="membership.grant").latest("seq")
    assert event.actor_name == "" and event.after["bootstrap"] is True
    second = make_user("second_secadmin")
    with pytest.raises(CommandError, match="已有人担任安全管理员"):
        call_command("admin_role_bootstrap", "second_secadmin", "security_admin", organisation=ORGANISER)
    with pytest.raises(CommandError, match="三员分立"):
        call_command("admin_role_bootstrap", "office", "audit_admin", organisation=ORGANISER)
    with pytest.raises(CommandError):
        call_command("admin_role_bootstrap", "nobody", "audit_admin", organisation=ORGANISER)
    assert not Membership.objects.filter(user__in=[second, personas.office], role__in=["security_admin", "audit_admin"]).exists()


def test_nobody_resets_an_administrators_password(personas, security_admin, audit_admin, operator):
    """Whoever sets an administrator's password can log in as them (and confirm their own grant): refused, on the
    account pages and in the Django admin (an operator's superuser account included)."""
    refusal = "管理员账号（系统管理员、安全管理员、审计管理员）的密码不能由他人重置（三员分立）"
    client = personas.client(personas.sysadmin)
    operator_client = personas.client(operator)
    for admin in (security_admin, audit_admin):
        before = admin.password
        response = client.post(reverse("accounts:user_password", args=[admin.pk]))
        assert response.status_code == 302
        assert any(m.startswith(refusal) for m in _messages(response))
        response = operator_client.post(
            reverse("admin:auth_user_password_change", args=[admin.pk]),
            {"password1": "Xy#2026abcdEF", "password2": "Xy#2026abcdEF", "usable_password": "true"},
        )
        assert response.status_code == 200 and refusal in response.content.decode()
        admin.refresh_from_db()
        assert admin.password == before and not admin.must_change_password
    assert not AuditEvent.objects.filter(action="auth.password_reset").exists()
    # An ordinary account's password is still reset by the system administrator.
    assert client.post(reverse("accounts:user_password", args=[personas.viewer.pk])).status_code == 200
