"""Keep a logged-in user to the account policy before anything else: change an initial or expired
password, enrol a second factor where their role requires one. Also notes a session's latest IP address.

Normally no query: the password facts are on ``request.user``; the role check for the second factor
runs only when ``KAOHE_TOTP_REQUIRED_ROLES`` is set, and its result is remembered in the session.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from kaohe.accounts import policy
from kaohe.accounts.signals import SESSION_IP_KEY, SESSION_TOTP_OK_KEY


def _path(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class AccountPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            target = self._required_page(request, user)
            if target is not None:
                return self._redirect(request, target)
            self._note_ip(request)
        return self.get_response(request)

    def _always_allowed(self, path: str) -> bool:
        static = str(getattr(settings, "STATIC_URL", "") or "")
        if static.startswith("/") and path.startswith(static):
            return True
        return path in {_path("accounts:logout"), _path("core:healthz")}

    def _required_page(self, request: HttpRequest, user: object) -> str | None:
        path = request.path_info
        if self._always_allowed(path):
            return None
        change = _path("accounts:password_change")
        if policy.password_change_reason(user) is not None:
            return None if path == change else change
        required = policy.totp_required_roles()
        if required:
            signature = ",".join(sorted(required))
            if request.session.get(SESSION_TOTP_OK_KEY) != signature:
                from kaohe.accounts import selectors, services

                if services.access_requires_totp(user) and not selectors.totp_enabled(user):  # type: ignore[arg-type]
                    enrol = _path("accounts:totp") or ""
                    return None if path == change or path.startswith(enrol) else enrol
                request.session[SESSION_TOTP_OK_KEY] = signature
        return None

    def _redirect(self, request: HttpRequest, target: str) -> HttpResponse:
        if request.method == "GET" and not request.headers.get("HX-Request"):
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = target
            return response
        return redirect(target)

    def _note_ip(self, request: HttpRequest) -> None:
        from kaohe.core.clientip import client_ip

        ip = client_ip(request)
        known = request.session.get(SESSION_IP_KEY)
        if known == ip:
            return
        if known is not None and request.session.session_key:
            from kaohe.accounts import services

            services.user_session_note_ip(session_key=request.session.session_key, ip=ip)
        request.session[SESSION_IP_KEY] = ip
