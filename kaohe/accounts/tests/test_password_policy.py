"""Password history, expiry and forced change of initial passwords — each change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from kaohe.accounts.models import PasswordHistory, User
from kaohe.accounts.tests.conftest import is_logged_in, login
from kaohe.accounts.validators import PasswordHistoryValidator
from kaohe.core.models import AuditEvent

NEW = ["Lvyou#2021a", "Lvyou#2022b", "Lvyou#2023c", "Lvyou#2024d", "Lvyou#2025e", "Lvyou#2026f"]


def change(client: Client, old: str, new: str):
    return client.post(reverse("accounts:password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def test_each_of_the_last_five_passwords_is_refused_and_the_sixth_back_is_allowed(personas):
    client = personas.client(personas.office)
    current = PASSWORD
    for new in NEW[:5]:
        response = change(client, current, new)
        assert response.status_code == 302, response.content.decode()[:2000]
        current = new
    assert PasswordHistory.objects.filter(user=personas.office).count() == 5  # older ones are pruned
    for old in NEW[:5]:  # NEW[4] is the current password, NEW[0] the oldest of the five
        response = change(client, current, old)
        assert response.status_code == 200
        assert "新密码不得与最近 5 次使用过的密码相同" in response.content.decode()
    assert change(client, current, NEW[5]).status_code == 302
    # NEW[0] is now six passwords back: allowed again.
    assert change(client, NEW[5], NEW[0]).status_code == 302
    office = User.objects.get(pk=personas.office.pk)
    assert office.check_password(NEW[0])
    assert AuditEvent.objects.filter(action="auth.password_change", actor_id=office.pk).count() == 7
    event = AuditEvent.objects.filter(action="auth.password_change").latest("seq")
    assert NEW[0] not in str(event.after) and "password" not in str(event.after).lower().replace("_change", "")


def test_history_validator_checks_stored_hashes_and_the_current_password(personas):
    user = User.objects.get(pk=personas.unit.pk)
    validator = PasswordHistoryValidator()
    with pytest.raises(Exception, match="最近 5 次"):
        validator.validate(PASSWORD, user)  # the current (test) password
    validator.validate("Completely#New1", user)
    validator.validate(PASSWORD, None)  # a user being created has no history
    assert "5 次" in validator.get_help_text()


def test_password_page_lists_the_rules_in_chinese(personas):
    page = personas.client(personas.unit).get(reverse("accounts:password_change")).content.decode()
    assert "新密码不得与最近 5 次使用过的密码相同" in page
    assert "3 类" in page
    assert "password-reason" not in page  # nothing forces this user


def test_expired_password_sends_the_user_to_the_change_page_until_changed(personas, policy_middleware):
    user = User.objects.get(pk=personas.unit.pk)
    user.password_changed_at = timezone.now() - dt.timedelta(days=91)
    user.save(update_fields=["password_changed_at"])
    client = personas.client(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change") + "?next=%2F"
    # Writes are refused the same way; logout and the health check stay reachable.
    assert client.post(reverse("core:notifications_read"))["Location"] == reverse("accounts:password_change")
    assert client.get(reverse("core:healthz")).status_code == 200
    page = client.get(reverse("accounts:password_change") + "?next=/")
    assert page.status_code == 200
    assert "您的密码已使用超过 90 天" in page.content.decode()
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW[0], "new_password2": NEW[0], "next": "/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("core:home")).status_code == 200
    event = AuditEvent.objects.filter(action="auth.password_change", actor_id=user.pk).latest("seq")
    assert event.after["reason"] == "expired"


def test_expiry_follows_the_setting_and_zero_means_never(personas, policy_middleware, settings):
    user = User.objects.get(pk=personas.viewer.pk)
    user.password_changed_at = timezone.now() - dt.timedelta(days=40)
    user.save(update_fields=["password_changed_at"])
    assert personas.client(user).get(reverse("core:home")).status_code == 200  # default 90 days
    settings.KAOHE_PASSWORD_MAX_AGE_DAYS = 30
    assert personas.client(user).get(reverse("core:home")).status_code == 302
    settings.KAOHE_PASSWORD_MAX_AGE_DAYS = 0
    assert personas.client(user).get(reverse("core:home")).status_code == 200


def test_logout_is_reachable_while_a_change_is_required(personas, policy_middleware):
    user = User.objects.get(pk=personas.desk.pk)
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client = personas.client(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert not is_logged_in(client)


def test_htmx_requests_are_told_where_to_go(personas, policy_middleware):
    user = User.objects.get(pk=personas.desk.pk)
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    response = personas.client(user).get(reverse("core:home"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("accounts:password_change")


def test_account_created_in_admin_must_change_its_initial_password(personas, policy_middleware, operator):
    """End to end: an operator (superuser) creates an account in the Django admin; its first login leads to the
    change page."""
    admin = personas.client(operator)
    response = admin.post(
        reverse("admin:accounts_user_add"),
        {"username": "newcomer", "usable_password": "true", "password1": "Initial#Pass1", "password2": "Initial#Pass1"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.must_change_password
    created = AuditEvent.objects.filter(action="account.create").latest("seq")
    assert created.actor_id == operator.pk and created.object_repr == "newcomer"
    assert "Initial#Pass1" not in str(created.after)

    client, response = login("newcomer", "Initial#Pass1")
    assert response.status_code == 302
    home = client.get(reverse("core:home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:password_change"))
    page = client.get(home["Location"])
    assert "初始密码" in page.content.decode()
    # The initial password itself cannot be kept.
    refused = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Initial#Pass1", "new_password1": "Initial#Pass1", "new_password2": "Initial#Pass1"},
    )
    assert "最近 5 次" in refused.content.decode()
    done = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Initial#Pass1", "new_password1": "Mine#Own2020", "new_password2": "Mine#Own2020", "next": "/"},
    )
    assert done.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password
    assert newcomer.password_changed_at is not None
    assert (
        AuditEvent.objects.filter(action="auth.password_change", actor_id=newcomer.pk).latest("seq").after["reason"] == "initial"
    )


def test_password_reset_in_admin_forces_a_change_and_ends_the_users_sessions(personas, policy_middleware, operator):
    victim_client, _ = login("unit_sfj")
    assert is_logged_in(victim_client)
    admin = personas.client(operator)
    url = reverse("admin:auth_user_password_change", args=[personas.unit2.pk])
    response = admin.post(url, {"password1": "Reset#Pass2020", "password2": "Reset#Pass2020", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not is_logged_in(victim_client)
    user = User.objects.get(pk=personas.unit2.pk)
    assert user.must_change_password
    event = AuditEvent.objects.filter(action="auth.password_reset").latest("seq")
    assert event.actor_id == operator.pk and event.after["sessions_ended"] >= 1
    client, _ = login("unit_sfj", "Reset#Pass2020")
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("accounts:password_change"))


def test_admin_edits_of_accounts_are_audited(personas, operator):
    admin = personas.client(operator)
    user = User.objects.get(pk=personas.viewer.pk)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"groups", "user_permissions", "password"}}
    data.update({"is_active": "", "must_change_password": "on", "last_login_0": "", "last_login_1": ""})
    data["date_joined_0"] = ""
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.filter(action="account.change").latest("seq")
    assert event.before["is_active"] is True and event.after["is_active"] is False
    assert event.after["must_change_password"] is True
