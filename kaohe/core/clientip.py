"""The client's address: the one helper behind the login lockout, the audit log, sessions and testee entry.

Without a proxy (``KAOHE_BEHIND_PROXY=false``) the address is the connection's peer, ``REMOTE_ADDR``; an
``X-Forwarded-For`` header is then ignored, since anyone can send one (and would rotate it to dodge the
lockout).

Behind proxies (``KAOHE_BEHIND_PROXY=true``) ``REMOTE_ADDR`` is the nearest proxy, so every user would
share it. Each trusted proxy appends the address it received the request from to ``X-Forwarded-For``, so
with ``KAOHE_PROXY_COUNT`` trusted proxies (1: nginx alone) the client is the entry that many places from
the right. Entries further left were written by the client and are never trusted. A header with fewer
entries than proxies yields its leftmost entry (the request passed fewer proxies: that entry was still
written by one of ours); no header, or an entry that is not an IP address, yields ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _ip(value: object) -> str:
    """The address in canonical form, or "" when the value is not an IP address."""
    text = str(value or "").strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""


def proxy_count() -> int:
    """How many trusted proxies stand in front of the app (0 when not behind a proxy)."""
    if not getattr(settings, "KAOHE_BEHIND_PROXY", False):
        return 0
    return max(1, int(getattr(settings, "KAOHE_PROXY_COUNT", 1)))


def client_ip(request: HttpRequest) -> str:
    """The real client's address (canonical text), or "" when the request carries none."""
    peer = _ip(request.META.get("REMOTE_ADDR", ""))
    count = proxy_count()
    if count == 0:
        return peer
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return peer
    return _ip(forwarded[max(0, len(forwarded) - count)]) or peer


def axes_client_ip(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: django-axes counts failures per user and this same address."""
    return client_ip(request) or None
