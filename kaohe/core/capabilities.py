"""Capability checks for core's own pages (the holiday calendar, the audit log), answered by the access layer,
and the audit events a region's audit administrator may read.

Core sits below organisations, where roles and capabilities live (``kaohe.access``), so core cannot ask them itself:
organisations registers the answer in its ``AppConfig.ready()``. Until it has, every check refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from kaohe.core.models import AuditEvent

_require: Callable[[Any, str], None] | None = None


def register_require(check: Callable[[Any, str], None]) -> None:
    """``check(user, capability)`` raises PermissionDenied when the user lacks the installation-wide capability."""
    global _require
    _require = check


def require(user: Any, capability: str) -> None:
    if _require is None:
        raise PermissionDenied
    _require(user, capability)


def can(user: Any, capability: str) -> bool:
    try:
        require(user, capability)
    except PermissionDenied:
        return False
    return True


_audit_scope: Callable[[Any], Any] | None = None


def register_audit_scope(scope: Callable[[Any], Any]) -> None:
    """``scope(user)`` is a ``Q`` on ``AuditEvent`` for the events the user may read, or None for all of them
    (the installation's own audit administrator; a region's reads their region's events only)."""
    global _audit_scope
    _audit_scope = scope


def audit_events_for(user: Any, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """``events`` narrowed to those the user may read (none until the access layer has registered its scope)."""
    if _audit_scope is None:
        return events.none()
    scope = _audit_scope(user)
    return events if scope is None else events.filter(scope)
