"""Every page carries the strict security headers that docs/security.md promises."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


def _policy(response) -> dict[str, str]:
    directives = [d.strip() for d in response.headers["Content-Security-Policy"].split(";") if d.strip()]
    return {d.split()[0]: d for d in directives}


@pytest.mark.parametrize("persona", ["office", "unit", "desk"])
def test_pages_carry_a_strict_csp_and_run_no_inline_script(personas, persona):
    client = personas.client(getattr(personas, persona))
    response = client.get(reverse("core:home"))
    assert response.status_code == 200

    policy = _policy(response)
    assert policy["script-src"] == "script-src 'self'", "scripts come only from our own files: no inline, no eval"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"

    html = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attrs for attrs in inline_scripts), inline_scripts
    external = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    assert all(src.startswith("/") and not src.startswith("//") for src in external), external


def test_pages_forbid_framing_and_sniffing_and_keep_referrers_home(personas):
    response = personas.client(personas.office).get(reverse("core:home"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_login_sets_an_http_only_session_cookie(personas):
    from django.test import Client

    from conftest import PASSWORD

    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
