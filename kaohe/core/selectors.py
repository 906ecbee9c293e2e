"""Reads for core's pages: the audit log, checkpoints, the holiday calendar, a person's notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from kaohe.core.models import AuditCheckpoint, AuditEvent
from kaohe.core.models_calendar import HolidayCalendarYear, HolidayDate
from kaohe.core.models_job import Job
from kaohe.core.models_notification import Notification


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def audit_events(filters: dict[str, Any] | None) -> QuerySet[AuditEvent]:
    """Events matching the filters, newest first (none for invalid filters: ``None``). Every filter is an indexed
    column or a plain comparison."""
    if filters is None:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.order_by("-seq")
    if filters.get("start"):
        events = events.filter(created_at__gte=_day_start(filters["start"]))
    if filters.get("end"):
        events = events.filter(created_at__lt=_day_start(filters["end"] + dt.timedelta(days=1)))
    action = filters.get("action") or ""
    if action.endswith(".*"):
        events = events.filter(action__startswith=action[:-1])
    elif action:
        events = events.filter(action=action)
    if filters.get("actor"):
        events = events.filter(actor_name__iexact=filters["actor"])
    if filters.get("organisation"):
        events = events.filter(organisation_name__icontains=filters["organisation"])
    if filters.get("plan"):
        events = events.filter(plan_id=filters["plan"])
    if filters.get("object_type"):
        events = events.filter(object_type=filters["object_type"])
    return events


def oldest_first(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    return events.order_by("seq")


def recent_checkpoints(limit: int) -> list[AuditCheckpoint]:
    return list(AuditCheckpoint.objects.order_by("-seq", "-pk")[:limit])


def holiday_years() -> QuerySet[HolidayCalendarYear]:
    """Every year of the holiday table with its dates, newest first."""
    return HolidayCalendarYear.objects.prefetch_related("dates").order_by("-year")


def get_holiday_date(date_id: int) -> HolidayDate:
    holiday = HolidayDate.objects.select_related("year").filter(pk=date_id).first()
    if holiday is None:
        raise Http404("日期不存在")
    return holiday


def unread_notifications(user: Any, limit: int = 10) -> list[Notification]:
    """The person's own unread notifications (newest first, by the model's ordering)."""
    return list(Notification.objects.filter(user=user, read_at__isnull=True)[:limit])


def event_count(events: QuerySet[AuditEvent]) -> int:
    return events.count()


def recent_jobs_of(user: Any, limit: int = 50) -> list[Job]:
    """The person's own background jobs, newest first."""
    return list(Job.objects.filter(requested_by=user).order_by("-created_at", "-id")[:limit])


def latest_plan_job(plan_id: int, kinds: tuple[str, ...], user: Any = None) -> Job | None:
    """The newest job of these kinds for the plan (started by ``user`` when given), or None: the page that starts
    them shows it again after a reload."""
    jobs = Job.objects.select_related("requested_by").filter(plan_id=plan_id, kind__in=kinds)
    if user is not None:
        jobs = jobs.filter(requested_by=user)
    return jobs.order_by("-created_at", "-id").first()
