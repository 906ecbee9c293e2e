"""The login lockout behind nginx: counted per user and real client address, never per proxy.

Finding 3 of the penetration test: with ``KAOHE_BEHIND_PROXY=true`` django-axes counted ``REMOTE_ADDR`` (the
proxy), so five wrong passwords from anywhere locked the real user out everywhere. The address now comes
from ``X-Forwarded-For`` as far as the trusted proxies wrote it (``KAOHE_PROXY_COUNT``), and only then.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import PASSWORD
from kaohe.accounts.models import UserSession
from kaohe.core.clientip import client_ip
from kaohe.core.models import AuditEvent

ATTACKER = "203.0.113.7"
OFFICE_PC = "198.51.100.20"
NGINX = "127.0.0.1"  # the test client's REMOTE_ADDR: the proxy in front of gunicorn


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.KAOHE_BEHIND_PROXY = True
    settings.KAOHE_PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # as KAOHE_BEHIND_PROXY=true sets it
    return settings


def _post_login(username: str, password: str, forwarded_for: str) -> Any:
    client = Client(HTTP_X_FORWARDED_FOR=forwarded_for)
    return client, client.post(reverse("accounts:login"), {"username": username, "password": password})


def _fail(username: str, times: int, forwarded_for: str) -> None:
    for _ in range(times):
        _, response = _post_login(username, "not-the-password", forwarded_for)
        assert response.status_code in (200, 429)


def test_failures_from_one_address_lock_that_address_only(personas, behind_proxy):
    _fail("office", behind_proxy.AXES_FAILURE_LIMIT, ATTACKER)

    # The real office, at another address behind the same nginx, still logs in.
    client, response = _post_login("office", PASSWORD, OFFICE_PC)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200

    # The attacker's address is locked, even with the right password.
    _, refused = _post_login("office", PASSWORD, ATTACKER)
    assert refused.status_code == 429 and "锁定" in refused.content.decode()

    failed = AuditEvent.objects.filter(action="auth.login_failed", object_repr="office")
    assert failed.count() >= behind_proxy.AXES_FAILURE_LIMIT and {e.ip for e in failed} == {ATTACKER}
    locked = AuditEvent.objects.filter(action="auth.locked_out", object_repr="office").latest("seq")
    assert locked.after["ip"] == ATTACKER and locked.ip == ATTACKER
    login = AuditEvent.objects.filter(action="auth.login", actor_id=personas.office.pk).latest("seq")
    assert login.ip == OFFICE_PC
    assert UserSession.objects.filter(user=personas.office).latest("created_at").ip == OFFICE_PC


def test_addresses_the_client_writes_itself_are_not_trusted(personas, behind_proxy):
    """nginx appends the address it saw; what the client put in front of it changes nothing."""
    for i in range(behind_proxy.AXES_FAILURE_LIMIT):
        _, response = _post_login("unit_wugang", "nope", f"10.9.8.{i}, {ATTACKER}")
        assert response.status_code in (200, 429)
    _, refused = _post_login("unit_wugang", PASSWORD, f"10.9.9.9, {ATTACKER}")
    assert refused.status_code == 429
    _, elsewhere = _post_login("unit_wugang", PASSWORD, OFFICE_PC)
    assert elsewhere.status_code == 302


def test_without_a_proxy_the_header_is_ignored_and_cannot_dodge_the_lockout(personas, settings):
    settings.KAOHE_BEHIND_PROXY = False
    for i in range(settings.AXES_FAILURE_LIMIT):
        _, response = _post_login("office", "nope", f"192.0.2.{i}")  # a fresh forged address each time
        assert response.status_code in (200, 429)
    _, refused = _post_login("office", PASSWORD, "192.0.2.200")
    assert refused.status_code == 429
    failed = AuditEvent.objects.filter(action="auth.login_failed", object_repr="office")
    assert {e.ip for e in failed} == {NGINX}


def test_security_administrator_sees_user_and_address_and_unlocks_that_pair(personas, behind_proxy, security_admin):
    _fail("office", behind_proxy.AXES_FAILURE_LIMIT, ATTACKER)
    admin = personas.client(security_admin)
    page = admin.get(reverse("accounts:security_lockouts"))
    rows = [r for r in page.context["lockouts"] if r.username == "office"]
    assert [(r.ip_address, r.locked) for r in rows] == [(ATTACKER, True)]
    html = page.content.decode()
    assert "office" in html and ATTACKER in html and NGINX not in html and "已锁定" in html

    response = admin.post(reverse("accounts:security_unlock"), {"username": "office", "ip_address": ATTACKER})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="security.unlock").latest("seq")
    assert event.after["username"] == "office" and event.after["ip"] == ATTACKER
    _, again = _post_login("office", PASSWORD, ATTACKER)
    assert again.status_code == 302


@pytest.mark.parametrize(
    ("behind", "count", "remote", "forwarded", "expected"),
    [
        (False, 0, "127.0.0.1", "203.0.113.7", "127.0.0.1"),  # not behind a proxy: header ignored
        (True, 1, "127.0.0.1", "203.0.113.7", "203.0.113.7"),  # nginx alone
        (True, 1, "127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is skipped
        (True, 2, "10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.1", "203.0.113.7"),  # load balancer + nginx
        (True, 2, "10.0.0.2", "203.0.113.7", "203.0.113.7"),  # fewer entries than proxies: the leftmost
        (True, 1, "127.0.0.1", "", "127.0.0.1"),  # no header (a direct health check): the peer
        (True, 1, "127.0.0.1", "not-an-address", "127.0.0.1"),  # garbage never becomes an address
        (True, 1, "127.0.0.1", "2001:DB8::0:1", "2001:db8::1"),  # IPv6, canonical form
        (False, 0, "", "", ""),
    ],
)
def test_client_address(settings, behind, count, remote, forwarded, expected):
    settings.KAOHE_BEHIND_PROXY = behind
    settings.KAOHE_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
