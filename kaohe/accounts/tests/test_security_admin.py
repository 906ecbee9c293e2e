"""账号安全 (security administrator): lockouts with 解锁, the policy in force, resetting a lost second factor.

Only the security administrator: the system administrator does not have this power (三员分立), nor
does the audit administrator or any plan role.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from kaohe.accounts import totp
from kaohe.accounts.models import TotpDevice
from kaohe.accounts.tests.conftest import is_logged_in, login
from kaohe.core.models import AuditEvent

URLS = [
    ("GET", "accounts:security_lockouts"),
    ("POST", "accounts:security_unlock"),
    ("POST", "accounts:security_totp_reset"),
]


def _lock(username: str, settings) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": username, "password": "not-the-password"})


def test_only_the_security_administrator_reaches_the_page(personas, security_admin, audit_admin):
    insiders = [
        personas.office,
        personas.desk,
        personas.unit,
        personas.viewer,
        personas.sysadmin,
        personas.other_office,
        audit_admin,
    ]
    for method, name in URLS:
        url = reverse(name)
        for user in insiders:
            client = personas.client(user)
            response = client.post(url, {"username": "unit_wugang", "confirm": "on"}) if method == "POST" else client.get(url)
            assert response.status_code == 403, (name, user.username)
        anonymous = Client().post(url) if method == "POST" else Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
        assert personas.client(security_admin).get(url).status_code == (200 if method == "GET" else 405)
    assert not AuditEvent.objects.filter(action__in=["security.unlock", "auth.totp_reset"]).exists()


def test_security_admin_sees_a_lockout_and_unlocks_it(personas, security_admin, settings):
    _lock("unit_wugang", settings)
    _, refused = login("unit_wugang")
    assert refused.status_code == 429
    assert AuditEvent.objects.filter(action="auth.locked_out", object_repr="unit_wugang").exists()

    admin = personas.client(security_admin)
    page = admin.get(reverse("accounts:security_lockouts"))
    rows = page.context["lockouts"]
    locked = [r for r in rows if r.username == "unit_wugang"]
    assert len(locked) == 1 and locked[0].locked and locked[0].ip_address == "127.0.0.1"
    assert locked[0].failures >= settings.AXES_FAILURE_LIMIT
    html = page.content.decode()
    assert "unit_wugang" in html and "已锁定" in html and "解锁" in html

    # The system administrator and the office cannot unlock.
    for user in (personas.sysadmin, personas.office):
        response = personas.client(user).post(
            reverse("accounts:security_unlock"), {"username": "unit_wugang", "ip_address": "127.0.0.1"}
        )
        assert response.status_code == 403
    assert login("unit_wugang")[1].status_code == 429

    response = admin.post(reverse("accounts:security_unlock"), {"username": "unit_wugang", "ip_address": "127.0.0.1"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="security.unlock").latest("seq")
    assert event.actor_id == security_admin.pk
    assert event.after["username"] == "unit_wugang" and event.after["ip"] == "127.0.0.1" and event.after["attempts_removed"] >= 1
    client, response = login("unit_wugang")
    assert response.status_code == 302 and is_logged_in(client)
    assert not [r for r in admin.get(reverse("accounts:security_lockouts")).context["lockouts"] if r.username == "unit_wugang"]


def test_failures_below_the_limit_are_shown_but_not_locked(personas, security_admin):
    Client().post(reverse("accounts:login"), {"username": "viewer", "password": "typo"})
    rows = personas.client(security_admin).get(reverse("accounts:security_lockouts")).context["lockouts"]
    row = next(r for r in rows if r.username == "viewer")
    assert row.failures == 1 and not row.locked


def test_unlock_needs_a_username(personas, security_admin):
    response = personas.client(security_admin).post(reverse("accounts:security_unlock"), {"username": ""})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="security.unlock").exists()


def test_the_policy_in_force_is_shown(personas, security_admin, settings):
    settings.KAOHE_PASSWORD_MAX_AGE_DAYS = 60
    settings.KAOHE_TOTP_REQUIRED_ROLES = ["office", "system_admin"]
    page = personas.client(security_admin).get(reverse("accounts:security_lockouts")).content.decode()
    for text in (
        "10 位",
        "至少 3 类",
        "最近 5 次",
        "60 天",
        f"{settings.SESSION_COOKIE_AGE // 60} 分钟",
        "连续失败 5 次",
        "考核办",
        "系统管理员",
    ):
        assert text in page, text


def test_security_admin_resets_a_lost_second_factor(personas, security_admin, frozen_clock):
    client = personas.client(personas.desk)
    client.post(reverse("accounts:totp_start"))
    device = TotpDevice.objects.get(user=personas.desk)
    secret = totp.decrypt(device.encrypted_secret, user_id=personas.desk.pk)
    client.post(reverse("accounts:totp_confirm"), {"code": totp.code_at(secret)})
    assert login("desk_yfxz")[1]["Location"] == reverse("accounts:login_totp")
    assert is_logged_in(client)  # e.g. the lost phone's browser

    admin = personas.client(security_admin)
    unconfirmed = admin.post(reverse("accounts:security_totp_reset"), {"username": "desk_yfxz"})
    assert unconfirmed.status_code == 302 and TotpDevice.objects.filter(user=personas.desk).exists()
    unknown = admin.post(reverse("accounts:security_totp_reset"), {"username": "nobody", "confirm": "on"})
    assert unknown.status_code == 302
    admin.post(reverse("accounts:security_totp_reset"), {"username": "desk_yfxz", "confirm": "on"})
    assert not TotpDevice.objects.filter(user=personas.desk).exists()
    event = AuditEvent.objects.filter(action="auth.totp_reset").latest("seq")
    assert event.actor_id == security_admin.pk and event.object_repr == "desk_yfxz"
    assert event.after == {"removed": True, "sessions_ended": 1}
    assert not is_logged_in(client)
    client, response = login("desk_yfxz", PASSWORD)
    assert response["Location"] == reverse("core:home") and is_logged_in(client)
