"""The state between the two login steps, kept in the (still anonymous) session.

After a right password for a user with a second factor, the session holds only who is trying, with
which backend, since when and how many wrong codes so far. Nothing is authenticated until the code is
right; then ``django.contrib.auth.login`` runs as usual (new session key, login signals, audit).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from kaohe.accounts import policy

_KEY = "kaohe_login_pending"


@dataclass(frozen=True)
class Pending:
    user_id: int
    backend: str
    started: float
    attempts: int
    next_url: str


def start(request: HttpRequest, user: Any, *, next_url: str) -> None:
    backend = getattr(user, "backend", "") or "django.contrib.auth.backends.ModelBackend"
    request.session[_KEY] = {"user_id": user.pk, "backend": backend, "started": time.time(), "attempts": 0, "next": next_url}


def get(request: HttpRequest) -> Pending | None:
    """The pending login, or None when there is none or it is older than the time allowed for the code."""
    raw = request.session.get(_KEY)
    if not isinstance(raw, dict):
        return None
    pending = Pending(
        user_id=int(raw["user_id"]),
        backend=str(raw["backend"]),
        started=float(raw["started"]),
        attempts=int(raw["attempts"]),
        next_url=str(raw.get("next", "")),
    )
    if time.time() - pending.started > policy.TOTP_PENDING_SECONDS:
        clear(request)
        return None
    return pending


def count_failure(request: HttpRequest, pending: Pending) -> int:
    attempts = pending.attempts + 1
    raw = dict(request.session[_KEY])
    raw["attempts"] = attempts
    request.session[_KEY] = raw
    return attempts


def clear(request: HttpRequest) -> None:
    request.session.pop(_KEY, None)
