"""Every page carries the strict security headers that docs/security.md promises."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


def _policy(response) -> dict[str, str]:
    directives = [d.strip() for d in response.headers["Content-Security-Policy"].split(";") if d.strip()]
    return {d.split()[0]: d for d in directives}


@pytest.mark.parametrize("persona", ["office", "unit", "desk"])
def test_pages_carry_a_strict_csp_with_a_fresh_nonce_on_every_script(personas, persona):
    client = personas.client(getattr(personas, persona))
    first = client.get(reverse("core:home"))
    second = client.get(reverse("core:home"))
    assert first.status_code == second.status_code == 200

    policy = _policy(first)
    script_src = policy["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src)
    assert nonce, script_src
    assert nonce.group(1) not in second.headers["Content-Security-Policy"], "the nonce must change per request"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"

    html = first.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline_scripts), inline_scripts
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
