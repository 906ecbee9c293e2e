"""The optional second factor (TOTP): enrol, confirm, two-step login, wrong codes, limits, disable, required roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from kaohe.accounts import totp
from kaohe.accounts.models import TotpDevice, User
from kaohe.accounts.tests.conftest import is_logged_in, login
from kaohe.core.models import AuditEvent
from kaohe.organisations.roles import Role


def secret_of(user: User) -> str:
    device = TotpDevice.objects.get(user=user)
    return totp.decrypt(device.encrypted_secret, user_id=user.pk)


def wrong_code(secret: str) -> str:
    """A six-digit code that is wrong for every step the check accepts."""
    valid = {totp.code_at(secret, offset) for offset in (-2, -1, 0, 1, 2)}
    return next(code for code in ("123456", "654321", "000000", "999999") if code not in valid)


def enrol(client: Client, user: User) -> str:
    """Start and confirm enrolment through the pages; returns the secret."""
    client.post(reverse("accounts:totp_start"))
    secret = secret_of(user)
    response = client.post(reverse("accounts:totp_confirm"), {"code": totp.code_at(secret, -1)})
    assert response.status_code == 302
    return secret


def test_enrol_shows_secret_and_qr_once_then_confirms_with_a_code(personas, frozen_clock):
    client = personas.client(personas.office)
    page = client.get(reverse("accounts:totp")).content.decode()
    assert "开始设置" in page
    assert client.post(reverse("accounts:totp_start")).status_code == 302
    page = client.get(reverse("accounts:totp")).content.decode()
    secret = secret_of(personas.office)
    assert totp.grouped(secret) in page
    assert 'src="data:image/svg+xml;base64,' in page
    device = TotpDevice.objects.get(user=personas.office)
    assert secret not in device.encrypted_secret and device.confirmed_at is None

    wrong = client.post(reverse("accounts:totp_confirm"), {"code": wrong_code(secret)})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    assert client.post(reverse("accounts:totp_confirm"), {"code": totp.code_at(secret)}).status_code == 302

    page = client.get(reverse("accounts:totp")).content.decode()
    assert "已启用" in page
    assert totp.grouped(secret) not in page and "data:image/svg+xml" not in page  # never shown again
    # Starting again while enabled is refused (disable first).
    client.post(reverse("accounts:totp_start"))
    assert secret_of(personas.office) == secret
    actions = list(
        AuditEvent.objects.filter(actor_id=personas.office.pk, action__startswith="auth.totp").values_list("action", flat=True)
    )
    assert actions == ["auth.totp_setup", "auth.totp_confirm_failed", "auth.totp_enable"]


def test_login_takes_two_steps_and_the_session_is_anonymous_in_between(personas, frozen_clock):
    secret = enrol(personas.client(personas.office), personas.office)
    client, response = login("office")
    assert response["Location"] == reverse("accounts:login_totp")
    assert "_auth_user_id" not in client.session
    assert not is_logged_in(client)
    step2 = client.get(reverse("accounts:login_totp"))
    assert step2.status_code == 200 and "输入验证码" in step2.content.decode()
    response = client.post(reverse("accounts:login_totp"), {"code": totp.code_at(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert is_logged_in(client)
    assert AuditEvent.objects.filter(action="auth.login", actor_id=personas.office.pk).exists()
    # The same code cannot be used again (replay), even within its 30 seconds.
    again, _ = login("office")
    refused = again.post(reverse("accounts:login_totp"), {"code": totp.code_at(secret)})
    assert refused.status_code == 200 and "验证码不正确" in refused.content.decode()
    assert not is_logged_in(again)


def test_login_keeps_the_next_page_through_step_two(personas, frozen_clock):
    secret = enrol(personas.client(personas.office), personas.office)
    client = Client()
    client.post(reverse("accounts:login") + "?next=/accounts/sessions/", {"username": "office", "password": PASSWORD})
    response = client.post(reverse("accounts:login_totp"), {"code": totp.code_at(secret)})
    assert response["Location"] == "/accounts/sessions/"


def test_wrong_codes_are_audited_and_the_limit_sends_back_to_step_one(personas, frozen_clock, settings):
    settings.KAOHE_TOTP_MAX_ATTEMPTS = 3
    secret = enrol(personas.client(personas.office), personas.office)
    client, _ = login("office")
    wrong = wrong_code(secret)
    for attempt in (1, 2):
        response = client.post(reverse("accounts:login_totp"), {"code": wrong})
        assert response.status_code == 200
        assert f"还可尝试 {3 - attempt} 次" in response.content.decode()
    response = client.post(reverse("accounts:login_totp"), {"code": wrong})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "验证码连续错误 3 次" in client.get(reverse("accounts:login")).content.decode()
    # The pending login is gone: even the right code now leads back to the password.
    response = client.post(reverse("accounts:login_totp"), {"code": totp.code_at(secret)})
    assert response["Location"] == reverse("accounts:login")
    assert not is_logged_in(client)
    failures = AuditEvent.objects.filter(action="auth.totp_failed", object_repr="office")
    assert failures.count() == 3
    assert wrong not in str(failures.first().after)


def test_wrong_codes_count_toward_the_lockout(personas, frozen_clock, settings):
    settings.KAOHE_TOTP_MAX_ATTEMPTS = 3
    secret = enrol(personas.client(personas.office), personas.office)
    wrong = wrong_code(secret)
    client, _ = login("office")
    for _ in range(3):
        client.post(reverse("accounts:login_totp"), {"code": wrong})
    client, _ = login("office")
    client.post(reverse("accounts:login_totp"), {"code": wrong})
    response = client.post(reverse("accounts:login_totp"), {"code": wrong})  # fifth failure: locked
    assert response.status_code == 429
    _, response = login("office")
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="auth.locked_out", object_repr="office").exists()


def test_step_two_without_a_password_goes_back_to_login(db):
    client = Client()
    assert client.get(reverse("accounts:login_totp"))["Location"] == reverse("accounts:login")
    assert client.post(reverse("accounts:login_totp"), {"code": "123456"})["Location"] == reverse("accounts:login")


def test_step_two_expires(personas, frozen_clock):
    secret = enrol(personas.client(personas.office), personas.office)
    client, _ = login("office")
    session = client.session
    pending = dict(session["kaohe_login_pending"])
    pending["started"] -= 301
    session["kaohe_login_pending"] = pending
    session.save()
    response = client.post(reverse("accounts:login_totp"), {"code": totp.code_at(secret)})
    assert response["Location"] == reverse("accounts:login")


def test_disable_needs_password_and_code(personas, frozen_clock):
    client = personas.client(personas.unit)
    secret = enrol(client, personas.unit)
    response = client.post(reverse("accounts:totp_disable"), {"password": "wrong", "code": totp.code_at(secret)})
    assert response.status_code == 200 and "密码不正确" in response.content.decode()
    response = client.post(reverse("accounts:totp_disable"), {"password": PASSWORD, "code": wrong_code(secret)})
    assert "验证码不正确" in response.content.decode()
    assert TotpDevice.objects.filter(user=personas.unit).exists()
    response = client.post(reverse("accounts:totp_disable"), {"password": PASSWORD, "code": totp.code_at(secret)})
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=personas.unit).exists()
    _, response = login("unit_wugang")
    assert response["Location"] == reverse("core:home")  # one step again
    actions = set(AuditEvent.objects.filter(actor_id=personas.unit.pk).values_list("action", flat=True))
    assert {"auth.totp_disable_failed", "auth.totp_disable"} <= actions


def test_confirm_and_disable_without_a_device_only_explain(personas):
    client = personas.client(personas.viewer)
    assert client.post(reverse("accounts:totp_confirm"), {"code": "123456"})["Location"] == reverse("accounts:totp")
    assert client.post(reverse("accounts:totp_disable"), {"password": PASSWORD, "code": "1"})["Location"] == reverse(
        "accounts:totp"
    )


def test_required_roles_must_enrol_before_anything_else(personas, frozen_clock, settings, policy_middleware):
    settings.KAOHE_TOTP_REQUIRED_ROLES = "office,system_admin"
    client, response = login("office")
    assert response["Location"] == reverse("core:home")
    home = client.get(reverse("core:home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:totp"))
    page = client.get(reverse("accounts:totp")).content.decode()
    assert "您的角色必须启用双因素认证" in page
    secret = enrol(client, personas.office)
    assert client.get(reverse("core:home")).status_code == 200
    # Required: cannot be switched off.
    response = client.post(reverse("accounts:totp_disable"), {"password": PASSWORD, "code": totp.code_at(secret)})
    assert "不能停用" in response.content.decode()
    assert TotpDevice.objects.filter(user=personas.office, confirmed_at__isnull=False).exists()
    # Roles not listed are not affected.
    unit, _ = login("unit_wugang")
    assert unit.get(reverse("core:home")).status_code == 200
    sysadmin = personas.client(personas.sysadmin)
    assert sysadmin.get(reverse("core:home"))["Location"].startswith(reverse("accounts:totp"))


def test_unknown_role_in_the_setting_fails_loudly(settings):
    from kaohe.accounts import policy

    settings.KAOHE_TOTP_REQUIRED_ROLES = ["office", "boss"]
    with pytest.raises(ValueError):
        policy.totp_required_roles()
    settings.KAOHE_TOTP_REQUIRED_ROLES = ["office", "security_admin"]
    assert policy.totp_required_roles() == {Role.OFFICE, Role.SECURITY_ADMIN}


def test_secret_encryption_is_bound_to_key_and_user(settings):
    token = totp.encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", user_id=7)
    assert totp.decrypt(token, user_id=7) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with pytest.raises(totp.SecretUnreadable):
        totp.decrypt(token, user_id=8)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789"
    with pytest.raises(totp.SecretUnreadable):
        totp.decrypt(token, user_id=7)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert totp.decrypt(token, user_id=7) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_the_admin_login_cannot_bypass_the_second_factor(personas, frozen_clock):
    enrol(personas.client(personas.sysadmin), personas.sysadmin)
    client = Client()
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/admin/"
    response = client.post(reverse("admin:login"), {"username": "sysadmin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
