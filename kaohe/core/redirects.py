"""Where a redirect built from user input may go: a relative path on this site, never another site.

Every redirect whose target comes from the request (a ``next`` field or parameter, the ``Referer`` header)
goes through :func:`safe_path` or :func:`referer_path`; anything else falls back to a default the view names.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_path(candidate: object) -> bool:
    """A path on this site: starts with one "/", no scheme, no host, no backslash or control characters."""
    if not isinstance(candidate, str) or not candidate.startswith("/") or candidate.startswith("//"):
        return False
    if "\\" in candidate or any(ord(char) < 32 or ord(char) == 127 for char in candidate):
        return False
    # No allowed hosts: only host-less, scheme-less URLs pass Django's own check.
    return url_has_allowed_host_and_scheme(candidate, allowed_hosts=None)


def safe_path(candidate: object, *, default: str) -> str:
    """``candidate`` when it is a relative path on this site, otherwise ``default``."""
    return candidate if is_safe_path(candidate) and isinstance(candidate, str) else default


def referer_path(request: HttpRequest, *, default: str) -> str:
    """The page of this site the request came from (path and query), otherwise ``default``.

    A ``Referer`` naming another host, another scheme than this request's, or no host at all is ignored.
    """
    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    parts = urlsplit(referer)
    if not parts.netloc:
        return default
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_path(path, default=default)
