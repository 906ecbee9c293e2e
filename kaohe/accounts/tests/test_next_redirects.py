"""After logging in or changing the password the user lands on a page of this site, whatever ``next`` says."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from kaohe.accounts.tests.conftest import login

OFFSITE = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example/phish",
    "\\\\evil.example",
    "http://testserver@evil.example/",
    "javascript:alert(1)",
    "http://testserver/accounts/sessions/",  # even this host: only relative paths are followed
    " /accounts/sessions/",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_login_ignores_a_next_that_is_not_a_path_of_this_site(personas, target):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "office", "password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    page = Client().get(reverse("accounts:login"), {"next": target}).content.decode()
    assert "evil.example" not in page


def test_login_follows_a_path_of_this_site(personas):
    client = Client()
    target = reverse("accounts:sessions")
    response = client.post(reverse("accounts:login") + f"?next={target}", {"username": "office", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == target


@pytest.mark.parametrize("target", OFFSITE[:3])
def test_password_change_ignores_an_offsite_next(personas, target):
    client, _ = login("office")
    new = "Another#Pass2026"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new, "next": target},
    )
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
