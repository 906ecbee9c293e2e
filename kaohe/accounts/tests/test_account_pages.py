"""账号管理 (system administrator) and 管理员角色授予确认 (security administrator): who reaches the pages,
creating an account with an initial password shown once, deactivating, resetting a password; and the
Django admin: no redirect loop for non-admins, every organisation and account change audited (finding 9)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from kaohe.accounts.models import User
from kaohe.accounts.tests.conftest import login
from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Membership, Organisation, Region, RoleGrantProposal
from kaohe.organisations.roles import Role

MANAGER_URLS = [
    ("GET", "accounts:users", False),
    ("GET", "accounts:user_create", False),
    ("GET", "accounts:user_detail", True),
    ("POST", "accounts:membership_add", True),
    ("POST", "accounts:user_active", True),
    ("POST", "accounts:user_password", True),
]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_only_the_system_administrator_manages_accounts(personas, security_admin, audit_admin):
    target = personas.viewer
    for method, name, per_account in MANAGER_URLS:
        url = reverse(name, args=[target.pk] if per_account else [])
        for user in (
            personas.office,
            personas.desk,
            personas.unit,
            personas.viewer,
            personas.other_office,
            security_admin,
            audit_admin,
        ):
            client = personas.client(user)
            response = client.post(url, {"active": "0", "role": "office"}) if method == "POST" else client.get(url)
            assert response.status_code == 403, (name, user.username)
        anonymous = Client().post(url) if method == "POST" else Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    assert personas.client(personas.sysadmin).get(reverse("accounts:users")).status_code == 200
    target.refresh_from_db()
    assert target.is_active and not target.must_change_password
    assert set(Membership.objects.filter(user=target).values_list("role", flat=True)) == {Role.VIEWER}
    # Unknown accounts, and a membership under the wrong account, do not exist for the administrator.
    admin = personas.client(personas.sysadmin)
    assert admin.get(reverse("accounts:user_detail", args=[999999])).status_code == 404
    office_membership = Membership.objects.get(user=personas.office, role=Role.OFFICE)
    response = admin.post(reverse("accounts:membership_revoke", args=[target.pk, office_membership.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=office_membership.pk).exists()


def test_only_the_security_administrator_decides_grants(personas, security_admin, audit_admin, make_user):
    proposal = RoleGrantProposal.objects.create(
        user=make_user("it_staff"),
        organisation=Organisation.objects.get(name="市司法局"),
        role=Role.AUDIT_ADMIN,
        proposed_by=personas.sysadmin,
    )
    decide = reverse("accounts:grant_decide", args=[proposal.pk])
    for user in (personas.sysadmin, audit_admin, personas.office, personas.viewer, personas.other_office):
        client = personas.client(user)
        assert client.get(reverse("accounts:grant_proposals")).status_code == 403
        assert client.post(decide, {"decision": "confirm"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == RoleGrantProposal.Status.PENDING
    client = personas.client(security_admin)
    assert client.post(reverse("accounts:grant_decide", args=[999999]), {"decision": "confirm"}).status_code == 404


def test_account_list_shows_roles_and_finds_by_name(personas):
    client = personas.client(personas.sysadmin)
    html = client.get(reverse("accounts:users")).content.decode()
    assert "desk_yfxz" in html and "市司法局依法行政指导科 · 考核主体" in html
    found = client.get(reverse("accounts:users"), {"q": "舞钢"}).content.decode()
    assert "unit_wugang" in found and "desk_yfxz" not in found


def test_create_account_shows_the_initial_password_once_and_forces_a_change(personas):
    client = personas.client(personas.sysadmin)
    response = client.post(reverse("accounts:user_create"), {"username": "zhang_san", "display_name": "张三", "email": ""})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    user = User.objects.get(username="zhang_san")
    assert user.must_change_password and user.check_password(password) and user.display_name == "张三"
    assert not Membership.objects.filter(user=user).exists()
    created = AuditEvent.objects.get(action="account.create", object_repr="zhang_san")
    assert created.actor_name == "sysadmin" and password not in str(created.after)
    # The new user logs in and is sent to change the password first (policy middleware).
    _, first = login("zhang_san", password)
    assert first.status_code == 302
    # The detail page never shows the password again.
    assert password not in client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"username": "office", "display_name": "重复"}, "账号 office 已存在。"),
        ({"username": "OFFICE", "display_name": "重复"}, "账号 OFFICE 已存在。"),
        ({"username": "bad name!", "display_name": "甲"}, "账号只能包含字母、数字和 @ . + - _ 字符。"),
        ({"username": "li_si", "display_name": ""}, "这个字段是必填项。"),
        ({"username": "li_si", "display_name": "李四", "email": "not-an-email"}, "请输入有效的电子邮箱地址。"),
    ],
)
def test_create_account_refuses_bad_input(personas, data, error):
    before = User.objects.count()
    response = personas.client(personas.sysadmin).post(reverse("accounts:user_create"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action="account.create").exists()


def test_deactivate_and_reactivate_an_account(personas):
    admin = personas.client(personas.sysadmin)
    viewer_client, _ = login("viewer")
    url = reverse("accounts:user_active", args=[personas.viewer.pk])
    response = admin.post(url, {"active": "0"})
    assert response.status_code == 302
    personas.viewer.refresh_from_db()
    assert not personas.viewer.is_active
    assert viewer_client.get(reverse("core:home")).status_code == 302  # their session ended
    event = AuditEvent.objects.get(action="account.deactivate")
    assert event.actor_name == "sysadmin" and event.after["is_active"] is False
    assert "该账号已停用。" in _messages(admin.post(url, {"active": "0"}))
    assert "请选择启用或停用。" in _messages(admin.post(url, {}))
    admin.post(url, {"active": "1"})
    personas.viewer.refresh_from_db()
    assert personas.viewer.is_active
    assert AuditEvent.objects.filter(action="account.activate").count() == 1
    # Not one's own account.
    response = admin.post(reverse("accounts:user_active", args=[personas.sysadmin.pk]), {"active": "0"})
    assert "不能在账号管理中更改本人的账号，请由另一位系统管理员办理。" in _messages(response)
    personas.sysadmin.refresh_from_db()
    assert personas.sysadmin.is_active


def test_reset_password_gives_a_new_initial_password(personas):
    admin = personas.client(personas.sysadmin)
    response = admin.post(reverse("accounts:user_password", args=[personas.viewer.pk]))
    assert response.status_code == 200
    password = response.context["password"]
    personas.viewer.refresh_from_db()
    assert personas.viewer.check_password(password) and personas.viewer.must_change_password
    assert AuditEvent.objects.filter(action="auth.password_reset", actor_name="sysadmin", object_repr="viewer").exists()
    response = admin.post(reverse("accounts:user_password", args=[personas.sysadmin.pk]))
    assert "不能在账号管理中更改本人的账号，请由另一位系统管理员办理。" in _messages(response)


# ------------------------------------------------------------------------------ the Django admin


def test_non_superusers_get_the_403_page_from_the_django_admin(personas):
    """Every logged-in non-superuser, the system administrator included, gets the 403 page at once: no redirect
    loop, no admin login form (the platform's own pages serve them)."""
    for user in (personas.office, personas.desk, personas.viewer, personas.other_office, personas.sysadmin):
        for url in (reverse("admin:index"), reverse("admin:login"), reverse("admin:accounts_user_changelist")):
            response = personas.client(user).get(url)
            assert response.status_code == 403, (user, url)
            assert "您没有权限执行此操作。" in response.content.decode()
    anonymous = Client().get(reverse("admin:index"), follow=True)
    assert anonymous.redirect_chain[-1][0].startswith(reverse("accounts:login"))


def test_organisation_changes_in_the_django_admin_are_audited(personas, operator):
    client = personas.client(operator)
    org = Organisation.objects.get(name="市司法局")
    response = client.post(
        reverse("admin:organisations_organisation_change", args=[org.pk]),
        {
            "name": "平顶山市司法局",
            "short_name": org.short_name,
            "kind": org.kind,
            "region": org.region_id,
            "parent": org.parent_id or "",
            "sort_key": org.sort_key,
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="organisation.change")
    assert event.actor_name == "operator" and event.object_id == str(org.pk)
    assert (event.before, event.after) == ({"name": "市司法局"}, {"name": "平顶山市司法局"})

    region = Region.objects.get(name="平顶山市")
    response = client.post(
        reverse("admin:organisations_organisation_add"),
        {"name": "临时单位", "short_name": "", "kind": "department", "region": region.pk, "parent": "", "sort_key": ""},
    )
    assert response.status_code == 302
    new = Organisation.objects.get(name="临时单位")
    assert AuditEvent.objects.get(action="organisation.create").after["name"] == "临时单位"
    response = client.post(reverse("admin:organisations_organisation_delete", args=[new.pk]), {"post": "yes"})
    assert response.status_code == 302
    deleted = AuditEvent.objects.get(action="organisation.delete")
    assert deleted.before["name"] == "临时单位" and deleted.actor_name == "operator"


def test_account_deletion_in_the_django_admin_is_audited(personas, make_user, operator):
    """An account without roles may be deleted (audited); one with roles may not: its memberships are read-only
    there, so roles are revoked on the account pages first (or the account is deactivated)."""
    client = personas.client(operator)
    holder = make_user("holder", Role.VIEWER)
    response = client.post(reverse("admin:accounts_user_delete", args=[holder.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Membership.objects.filter(user=holder).exists()
    doomed = make_user("doomed")
    response = client.post(reverse("admin:accounts_user_delete", args=[doomed.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(username="doomed").exists()
    event = AuditEvent.objects.get(action="account.delete")
    assert event.actor_name == "operator" and event.before["username"] == "doomed"


def test_django_admin_account_form_has_no_groups_or_permissions(personas, operator):
    html = personas.client(operator).get(reverse("admin:accounts_user_change", args=[personas.viewer.pk])).content.decode()
    assert 'name="username"' in html
    assert 'name="groups"' not in html and 'name="user_permissions"' not in html


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"organisation": "", "role": "viewer"}, "请选择单位。"),
        ({"organisation": "999999", "role": "viewer"}, "所选单位不存在。"),
        ({"organisation": "ORG", "role": "superuser"}, "所选角色不存在。"),
        ({"organisation": "ORG"}, "请选择角色。"),
    ],
)
def test_grant_refuses_bad_input(personas, data, error):
    org = Organisation.objects.get(name="市司法局")
    data = {k: (str(org.pk) if v == "ORG" else v) for k, v in data.items()}
    before = Membership.objects.count()
    response = personas.client(personas.sysadmin).post(reverse("accounts:membership_add", args=[personas.viewer.pk]), data)
    assert response.status_code == 302
    assert error in _messages(response)
    assert Membership.objects.count() == before
    assert not RoleGrantProposal.objects.exists()


def test_grant_to_a_deactivated_account_is_refused(personas, make_user):
    gone = make_user("gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    response = personas.client(personas.sysadmin).post(
        reverse("accounts:membership_add", args=[gone.pk]),
        {"organisation": Organisation.objects.get(name="市司法局").pk, "role": "unit"},
    )
    assert "该账号已停用，不能授予角色。" in _messages(response)
    assert not Membership.objects.filter(user=gone).exists()


def test_account_list_runs_a_constant_number_of_queries(personas, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client(personas.sysadmin)
    client.get(reverse("accounts:users"))  # warm the session and the caches
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("accounts:users")).status_code == 200
    for i in range(5):
        make_user(f"extra_{i}", Role.VIEWER)
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse("accounts:users")).status_code == 200
    assert len(second) == len(first)
