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
from django.http import Http404

from kaohe.core import jobs
from kaohe.core.models import AuditEvent
from kaohe.core.models_job import Job

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


def get_job_for_user(user: Any, job_id: int) -> Job:
    """A background job the user may see, or 404: its requester, or (a plan's job) the plan's office — and either
    only while the permission of the page that started it still holds (``JobKind.permitted``)."""
    job = Job.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or not getattr(user, "is_authenticated", False):
        raise Http404("后台任务不存在")
    mine = job.requested_by_id == user.pk
    office = job.plan_id is not None and not mine and jobs.is_plan_office(user, job.plan_id)
    job_kind = jobs.kind_of(job)
    if not (mine or office) or job_kind is None or not job_kind.permitted(user, job):
        raise Http404("后台任务不存在")
    return job


def visible_jobs(user: Any, candidates: list[Job]) -> list[Job]:
    """Of the user's own jobs, those whose starting page they may still see."""
    out = []
    for job in candidates:
        job_kind = jobs.kind_of(job)
        if job.requested_by_id == user.pk and job_kind is not None and job_kind.permitted(user, job):
            out.append(job)
    return out
