"""Home page per role, health check, and the Chinese error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kaohe.organisations import access
from kaohe.plans import selectors as plan_selectors


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    memberships = access.memberships(request.user)
    plans = plan_selectors.plan_cards_for_user(request.user)
    return render(
        request,
        "core/home.html",
        {
            "memberships": memberships,
            "plan_cards": plans,
            "can_create_plan": access.can(request.user, "plan:create"),
            "is_system_admin": access.can(request.user, "admin:site"),
        },
    )


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
