"""Organisations' section of the home page: the person's memberships, the admin links, the missing holiday years.

Registered in ``OrganisationsConfig.ready()`` through ``core.home.register_home_section``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from kaohe import access
from kaohe.core.calendar import Calendar


def home_section(request: HttpRequest) -> dict[str, Any]:
    return {
        "memberships": access.memberships(request.user),
        "is_system_admin": access.can(request.user, "accounts:manage"),
        "is_security_admin": access.can(request.user, "security:policy"),
        "is_audit_admin": access.can(request.user, "audit:read"),
        "calendar_missing": _calendar_missing(request),
    }


def _calendar_missing(request: HttpRequest) -> list[int]:
    """Years (this and next) without holiday data, shown to those who can enter them."""
    if not access.can(request.user, "calendar:manage"):
        return []
    year = timezone.localdate().year
    return Calendar.from_database().missing_years([year, year + 1])
