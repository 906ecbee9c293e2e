"""Reads of 事件触发报送: a task's events with deadlines and states, and their counts per unit × task."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Min, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from kaohe.core.calendar import Calendar
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions.events import EventTally, event_deadline, event_state, tally
from kaohe.submissions.models import EventState, EvidenceFile, TaskEvent

ACTIVE_FILES = Q(files__withdrawn_at__isnull=True)


@dataclass
class EventRow:
    event: TaskEvent
    deadline: dt.date | None
    arrived: dt.datetime | None  # the first active evidence file's upload time
    state: EventState
    files: list[EvidenceFile] = field(default_factory=list)

    @property
    def is_late(self) -> bool:
        return self.state in (EventState.LATE, EventState.MISSING)


def event_rows(
    plan: Plan, unit: PlanUnit, task: Indicator, *, calendar: Calendar, now: dt.datetime
) -> tuple[list[EventRow], list[TaskEvent]]:
    """(the task's events for the unit with deadline and state, the deleted ones kept as a trace); two queries."""
    events = list(
        TaskEvent.objects.filter(plan=plan, unit=unit, task=task)
        .select_related("recorded_by", "deleted_by")
        .prefetch_related(
            Prefetch("files", queryset=EvidenceFile.objects.filter(withdrawn_at__isnull=True).order_by("uploaded_at", "id"))
        )
    )
    rows = []
    for event in events:
        if event.deleted_at is not None:
            continue
        files = list(event.files.all())
        arrived = files[0].uploaded_at if files else None
        deadline = event_deadline(calendar, event.occurred_on, task.event_days)
        rows.append(EventRow(event, deadline, arrived, event_state(deadline=deadline, arrived=arrived, now=now), files))
    return rows, [e for e in events if e.deleted_at is not None]


def _states(
    events: Iterable[dict[str, object]], *, calendar: Calendar, now: dt.datetime
) -> dict[tuple[int, int], list[EventState]]:
    states: dict[tuple[int, int], list[EventState]] = defaultdict(list)
    for row in events:
        occurred_on, days = row["occurred_on"], row["task__event_days"]
        arrived = row["arrived"]
        assert isinstance(occurred_on, dt.date) and isinstance(days, int)  # noqa: S101 - the query's types
        deadline = event_deadline(calendar, occurred_on, days)
        state = event_state(deadline=deadline, arrived=arrived if isinstance(arrived, dt.datetime) else None, now=now)
        states[(int(str(row["unit_id"])), int(str(row["task_id"])))].append(state)
    return states


def _live_events(plans: Iterable[Plan]) -> Iterable[dict[str, object]]:
    return (
        TaskEvent.objects.filter(plan__in=list(plans), deleted_at__isnull=True)
        .exclude(task__event_label="")  # a task taken out of event mode no longer counts its events
        .annotate(arrived=Min("files__uploaded_at", filter=ACTIVE_FILES))
        .values("plan_id", "unit_id", "task_id", "occurred_on", "task__event_days", "arrived")
    )


def event_tallies(
    plan: Plan, task_ids: Iterable[int], *, calendar: Calendar, now: dt.datetime, unit_id: int | None = None
) -> dict[tuple[int, int], EventTally]:
    """(unit, task) → 事件 N 件：按时 a 件，逾期 b 件, for the given tasks (one query)."""
    query = (
        TaskEvent.objects.filter(plan=plan, task_id__in=list(task_ids), deleted_at__isnull=True)
        .annotate(arrived=Min("files__uploaded_at", filter=ACTIVE_FILES))
        .values("unit_id", "task_id", "occurred_on", "task__event_days", "arrived")
    )
    if unit_id is not None:
        query = query.filter(unit_id=unit_id)
    return {key: tally(states) for key, states in _states(query, calendar=calendar, now=now).items()}


def overdue_event_counts(
    plans: list[Plan], *, calendar: Calendar | None = None, now: dt.datetime | None = None
) -> dict[int, int]:
    """plan → events past their deadline with no evidence yet (逾期未报), across all units (one query; the database
    calendar is loaded only when there are events)."""
    counts: dict[int, int] = defaultdict(int)
    rows = list(_live_events(plans))
    if not rows:
        return {}
    calendar = calendar or Calendar.from_database()
    now = now or timezone.now()
    for row in rows:
        occurred_on, days, arrived = row["occurred_on"], row["task__event_days"], row["arrived"]
        assert isinstance(occurred_on, dt.date) and isinstance(days, int)  # noqa: S101 - the query's types
        deadline = event_deadline(calendar, occurred_on, days)
        if arrived is None and event_state(deadline=deadline, arrived=None, now=now) == EventState.MISSING:
            counts[int(str(row["plan_id"]))] += 1
    return dict(counts)


def unit_open_events(plan: Plan, unit: PlanUnit, *, calendar: Calendar, now: dt.datetime) -> tuple[int, int]:
    """(events still awaiting evidence within their deadline, events past it without evidence) of one unit."""
    query = (
        TaskEvent.objects.filter(plan=plan, unit=unit, deleted_at__isnull=True)
        .exclude(task__event_label="")
        .annotate(arrived=Min("files__uploaded_at", filter=ACTIVE_FILES))
        .values("unit_id", "task_id", "occurred_on", "task__event_days", "arrived")
    )
    states = [s for group in _states(query, calendar=calendar, now=now).values() for s in group]
    return sum(1 for s in states if s == EventState.PENDING), sum(1 for s in states if s == EventState.MISSING)


def get_event(plan: Plan, unit: PlanUnit, task: Indicator, event_id: int) -> TaskEvent:
    """One live event of this unit × task (404 otherwise: the caller has already checked the unit and task)."""
    event = TaskEvent.objects.filter(plan=plan, unit=unit, task=task, pk=event_id, deleted_at__isnull=True).first()
    if event is None:
        raise Http404("没有这个事件")
    return event


@dataclass(frozen=True)
class OverdueEvent:
    event: TaskEvent
    deadline: dt.date


def overdue_events(plan: Plan, *, calendar: Calendar, now: dt.datetime) -> list[OverdueEvent]:
    """The plan's events past their deadline with no evidence yet (逾期未报), oldest deadline first (one query)."""
    events = (
        TaskEvent.objects.filter(plan=plan, deleted_at__isnull=True)
        .exclude(task__event_label="")
        .annotate(arrived=Min("files__uploaded_at", filter=ACTIVE_FILES))
        .filter(arrived__isnull=True)
        .select_related("unit__organisation", "task")
    )
    rows = []
    for event in events:
        deadline = event_deadline(calendar, event.occurred_on, event.task.event_days)
        if deadline is not None and event_state(deadline=deadline, arrived=None, now=now) == EventState.MISSING:
            rows.append(OverdueEvent(event, deadline))
    return sorted(rows, key=lambda r: (r.deadline, r.event.pk))
