"""Fixtures for the account-security tests: the policy middleware switched on, a security administrator,
extra users, a real (form) login, and a frozen TOTP clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from kaohe.accounts import totp
from kaohe.accounts.models import User
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role

MIDDLEWARE = "kaohe.accounts.middleware.AccountPolicyMiddleware"
# A fixed instant in the middle of a 30-second step, so codes never straddle a step boundary.
FROZEN_TIME = 1_900_000_005.0


@pytest.fixture
def policy_middleware(settings: Any) -> None:
    """Switch the account policy middleware on (before django-axes, which must stay last)."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("axes.middleware.AxesMiddleware"), MIDDLEWARE)
        settings.MIDDLEWARE = middleware


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(username: str, *roles: Role, password: str = PASSWORD) -> User:
        user = User.objects.create_user(username=username, password=password, display_name=username)
        organisation = Organisation.objects.get(name="平顶山市法治政府建设领导小组办公室")
        for role in roles:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    return make


@pytest.fixture
def security_admin(personas: Any) -> User:
    """The security administrator persona (``secadmin``)."""
    return personas.secadmin  # type: ignore[no-any-return]


@pytest.fixture
def audit_admin(personas: Any) -> User:
    """The audit administrator persona (``auditor``)."""
    return personas.auditor  # type: ignore[no-any-return]


def login(username: str, password: str = PASSWORD, *, user_agent: str = "TestBrowser/1.0", client: Client | None = None) -> Any:
    """Log in through the form, as a browser would. Returns (client, response)."""
    client = client or Client(HTTP_USER_AGENT=user_agent)
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client, response


def is_logged_in(client: Client) -> bool:
    response = client.get(reverse("core:home"))
    return response.status_code == 200


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """TOTP codes are checked against this clock; move it with ``clock["now"] += 30``."""
    clock = {"now": FROZEN_TIME}
    monkeypatch.setattr(totp, "now", lambda: clock["now"])
    return clock
