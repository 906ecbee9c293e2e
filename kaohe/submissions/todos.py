"""Submissions' lines of the home page's to-do list (registered in ``SubmissionsConfig.ready()``)."""

from __future__ import annotations

from django.utils import timezone

from kaohe.plans.todos import Todo, TodoContext, plan_url
from kaohe.submissions import selectors as evidence
from kaohe.submissions import selectors_events as events
from kaohe.submissions.models import Submission, SupplementRequest

DUE_SOON_WORKING_DAYS = 5


def office_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    overdue_units = context.per_plan("submissions.overdue_units", evidence.overdue_unit_counts).get(plan.pk, 0)
    todos = [Todo("有逾期未报送任务的考核对象", overdue_units, plan_url("submissions:overview", plan))]
    overdue_events = context.per_plan("submissions.overdue_events", events.overdue_event_counts).get(plan.pk, 0)
    if overdue_events:  # only plans with event-driven tasks (事件触发报送) have the line
        todos.append(
            Todo("逾期未上传资料的事件（事件触发报送）", overdue_events, plan_url("submissions:overview", plan), urgent=True)
        )
    return todos


def desk_todos(context: TodoContext) -> list[Todo]:
    plan, desk_ids = context.plan, context.desk_ids
    mine = Submission.objects.filter(plan=plan, task__assessor_id__in=desk_ids)
    waiting = mine.filter(status=Submission.Status.SUBMITTED).count()
    resubmitted = (
        SupplementRequest.objects.filter(
            submission__plan=plan,
            desk_id__in=desk_ids,
            resolved_at__isnull=False,
            submission__status=Submission.Status.SUBMITTED,
        )
        .values("submission_id")
        .distinct()
        .count()
    )
    queue = plan_url("submissions:queue", plan)
    return [
        Todo("已报送待评价的资料", waiting, f"{queue}?status={Submission.Status.SUBMITTED}", urgent=bool(waiting)),
        Todo("退回补充后已重新报送", resubmitted, f"{queue}?status={Submission.Status.SUBMITTED}", urgent=bool(resubmitted)),
    ]


def unit_todos(context: TodoContext) -> list[Todo]:
    plan, today, calendar = context.plan, context.today, context.calendar
    rows = [row for group in evidence.unit_workspace(plan, context.unit) for row in group.rows]
    waiting = [r for r in rows if r.is_open and r.status in (Submission.Status.EMPTY, Submission.Status.RETURNED)]
    due_soon = [r for r in waiting if r.days_left is not None and r.days_left <= DUE_SOON_WORKING_DAYS]
    unknown = sorted({r.deadline.year for r in waiting if r.deadline and r.days_left is None and r.deadline >= today})
    if unknown and calendar is not None:
        context.notes += [f"{year}年节假日安排尚未录入，无法计算剩余工作日" for year in calendar.missing_years(unknown)]
    returned = sum(1 for r in rows if r.open_return is not None)
    workspace = plan_url("submissions:workspace", plan)
    todos = [
        Todo(f"{DUE_SOON_WORKING_DAYS}个工作日内到期、尚未报送的任务", len(due_soon), workspace, urgent=bool(due_soon)),
        Todo("被退回补充的任务", returned, workspace, urgent=bool(returned)),
    ]
    if calendar is not None and any(r.task.is_event_driven for r in rows):  # no query for plans without them
        waiting_events, overdue_events = events.unit_open_events(plan, context.unit, calendar=calendar, now=timezone.now())
        if waiting_events or overdue_events:
            todos.append(Todo("已登记、待上传资料的事件", waiting_events, workspace, urgent=bool(waiting_events)))
            todos.append(Todo("逾期未上传资料的事件", overdue_events, workspace, urgent=bool(overdue_events)))
    return todos
