"""The one check for redirects built from user input: relative paths of this site only."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from kaohe.core.redirects import referer_path, safe_path


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("/plans/1/?tab=units#u3", "/plans/1/?tab=units#u3"),
        ("/", "/"),
        ("https://evil.example/", "D"),
        ("//evil.example/", "D"),
        ("/\\evil.example/", "D"),
        ("\\/evil.example/", "D"),
        ("/\t/evil.example/", "D"),
        ("/plans/1/\r\nSet-Cookie: x=1", "D"),
        ("plans/1/", "D"),
        ("javascript:alert(1)", "D"),
        ("", "D"),
        (None, "D"),
        (["/plans/1/"], "D"),
    ],
)
def test_safe_path(candidate, expected):
    assert safe_path(candidate, default="D") == expected


@pytest.mark.parametrize(
    ("referer", "secure", "expected"),
    [
        ("http://testserver/plans/1/evidence/?q=1", False, "/plans/1/evidence/?q=1"),
        ("https://testserver/plans/1/", True, "/plans/1/"),
        ("http://testserver/plans/1/", True, "D"),  # an https page never goes back to http
        ("https://evil.example/phish", False, "D"),
        ("http://testserver.evil.example/", False, "D"),
        ("http://evil.example@testserver/plans/", False, "D"),
        ("//testserver/plans/", False, "/plans/"),  # scheme-relative, this host: its path
        ("/plans/1/", False, "D"),
        ("", False, "D"),
    ],
)
def test_referer_path(referer, secure, expected):
    request = RequestFactory().get("/", HTTP_REFERER=referer, secure=secure)
    assert referer_path(request, default="D") == expected
