"""Every login, logout and failed login (password or second-factor code) is an audit event; so is a lockout.

A login also opens a :class:`~kaohe.accounts.models.UserSession` row, which the user's "我的登录会话" page lists.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.dispatch import receiver

from kaohe.core import audit

# Session keys the accounts app keeps on a logged-in session.
SESSION_IP_KEY = "kaohe_ip"
SESSION_TOTP_OK_KEY = "kaohe_totp_ok"


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action="auth.login", obj=user, object_repr=user.username)
    _open_session(request, user)


def _open_session(request: Any, user: Any) -> None:
    """Track the new session, if it lives in the database (the platform's configuration)."""
    from kaohe.accounts import services
    from kaohe.core.clientip import client_ip

    session = getattr(request, "session", None)
    if not isinstance(session, DatabaseSessionStore):
        return
    ip = client_ip(request) if hasattr(request, "META") else ""
    session.pop(SESSION_TOTP_OK_KEY, None)
    if ip:  # a login made without a request address (test clients' force_login) records its first one quietly
        session[SESSION_IP_KEY] = ip
    if session.session_key is None:
        session.save()
    user_agent = _header_text(request.META.get("HTTP_USER_AGENT", "")) if hasattr(request, "META") else ""
    services.user_session_open(user=user, session_key=str(session.session_key), ip=ip, user_agent=user_agent)


def _header_text(value: Any) -> str:
    """WSGI hands headers over as latin-1; a browser that sent UTF-8 is shown as it meant it."""
    text = str(value or "")
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="auth.logout", obj=user, object_repr=user.username)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    action = "auth.totp_failed" if credentials.get("second_factor") else "auth.login_failed"
    audit.record(actor=None, action=action, object_repr=username, after={"username": username})


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any = None, username: Any = None, ip_address: Any = None, **kwargs: Any) -> None:
    name = str(username or "")[:150]
    audit.record(actor=None, action="auth.locked_out", object_repr=name, after={"username": name, "ip": str(ip_address or "")})
