"""Home page per role, health check, and the Chinese error pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.views.decorators.http import require_GET, require_POST

from kaohe.core import selectors
from kaohe.core.home import home_context
from kaohe.core.notifications import notifications_mark_read

if TYPE_CHECKING:
    from kaohe.accounts.http import AuthenticatedHttpRequest


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's home page: the sections the apps register (``core/home.py``) and their unread notifications."""
    notifications = selectors.unread_notifications(request.user)
    return render(request, "core/home.html", {**home_context(request), "notifications": notifications})


@login_required
@require_POST
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark the user's own notifications read (nobody else's can be reached)."""
    notifications_mark_read(user=request.user)
    return redirect("core:home")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


CSRF_FAILURE_TEXT = "安全校验未通过，操作未执行。请返回上一页，刷新后重新操作。"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the site's Chinese page, never Django's (Django logs the reason itself)."""
    no_cookie = reason.startswith("CSRF cookie not set")
    try:
        return render(request, "errors/403_csrf.html", {"no_cookie": no_cookie}, status=403)
    except NoReverseMatch:  # a URL table without the site's pages (tests of a single view): the text alone
        return HttpResponse(CSRF_FAILURE_TEXT, status=403, content_type="text/plain; charset=utf-8")
