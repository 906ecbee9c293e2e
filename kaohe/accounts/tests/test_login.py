"""Logging in and out, failures, lockout, password rules — each an audit event where it matters."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from kaohe.accounts.validators import CharacterClassValidator
from kaohe.core.models import AuditEvent


def test_login_page_is_chinese_and_login_lands_on_home(personas):
    client = Client()
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    response = client.post(reverse("accounts:login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    home = client.get(reverse("core:home"))
    assert "平顶山市2020年度依法行政考核" in home.content.decode()
    assert AuditEvent.objects.filter(action="auth.login", actor_id=personas.office.pk).exists()


def test_wrong_password_is_refused_in_chinese_and_audited(personas):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "office", "password": "wrong-password"})
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()
    event = AuditEvent.objects.filter(action="auth.login_failed").latest("seq")
    assert event.object_repr == "office"
    assert "wrong-password" not in str(event.after)


def test_account_locks_after_repeated_failures(personas, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "unit_wugang", "password": "nope"})
    # Even the right password is refused while locked.
    response = client.post(reverse("accounts:login"), {"username": "unit_wugang", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_anonymous_is_sent_to_login(db):
    response = Client().get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("password", ["alllowercase1", "ALLUPPER123", "abcdefghijk!"])
def test_password_needs_three_character_classes(password):
    with pytest.raises(ValidationError, match="3 类"):
        CharacterClassValidator().validate(password)


def test_password_with_three_classes_passes():
    CharacterClassValidator().validate("Abcdefgh12")


def test_logout_is_post_only_and_audited(personas):
    client = personas.client(personas.office)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=personas.office.pk).exists()
