"""Reviews' lines of the home page's to-do list (registered in ``ReviewsConfig.ready()``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef

from kaohe.plans.models import Plan, PlanUnit
from kaohe.plans.todos import Todo, TodoContext, plan_url
from kaohe.reviews.models import Feedback, RectificationItem, ReviewRequest, UnitReport
from kaohe.reviews.selectors_focus import due_of_unit


def _open_reviews(plans: list[Plan]) -> dict[int, int]:
    open_requests = ReviewRequest.objects.filter(feedback__plan__in=plans, status=ReviewRequest.Status.OPEN)
    return dict(open_requests.values_list("feedback__plan_id").annotate(n=Count("id")).values_list("feedback__plan_id", "n"))


def _submitted_unit_reports(plans: list[Plan]) -> dict[int, int]:
    submitted = UnitReport.objects.filter(plan__in=plans, status=UnitReport.Status.SUBMITTED)
    return dict(submitted.values_list("plan_id").annotate(n=Count("id")).values_list("plan_id", "n"))


#: The office is reminded of the plan's 问题反馈截止 (JZ 四(三) "在5月8日前…逐一…反馈") this many days ahead.
FEEDBACK_DEADLINE_NOTICE_DAYS = 7


def _feedback_due(plan: Plan, today: dt.date) -> bool:
    deadline = plan.feedback_deadline
    return bool(
        deadline and plan.status == Plan.Status.PUBLISHED and today >= deadline - dt.timedelta(days=FEEDBACK_DEADLINE_NOTICE_DAYS)
    )


def _units_without_feedback(plans: list[Plan], today: dt.date) -> dict[int, int]:
    """Per plan whose 问题反馈截止 is near or past: its units that have no released feedback round (one query, none
    when no plan's deadline is near)."""
    due = [p for p in plans if _feedback_due(p, today)]
    if not due:
        return {}
    released = Feedback.objects.filter(unit=OuterRef("pk"), released_at__isnull=False)
    waiting = PlanUnit.objects.filter(plan__in=due).exclude(Exists(released))
    return dict(waiting.values_list("plan_id").annotate(n=Count("id")).values_list("plan_id", "n"))


def office_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    reviews = context.per_plan("reviews.open_requests", _open_reviews).get(plan.pk, 0)
    unit_reports = context.per_plan("reviews.submitted_unit_reports", _submitted_unit_reports).get(plan.pk, 0)
    items = [
        Todo("待答复的复核申请", reviews, plan_url("reviews:office", plan), urgent=bool(reviews)),
        Todo("待验收的整改情况报告", unit_reports, plan_url("reviews:unit_reports", plan)),
    ]
    if _feedback_due(plan, context.today) and plan.feedback_deadline:
        load = lambda plans: _units_without_feedback(plans, context.today)  # noqa: E731
        waiting = context.per_plan("reviews.units_without_feedback", load).get(plan.pk, 0)
        overdue = context.today > plan.feedback_deadline
        day = f"{plan.feedback_deadline.month}月{plan.feedback_deadline.day}日"
        label = f"问题反馈截止{day}{'（已逾期）' if overdue else ''}：尚未收到反馈的考核对象"
        items.append(Todo(label, waiting, plan_url("reviews:office", plan), urgent=bool(waiting)))
    return items


def desk_todos(context: TodoContext) -> list[Todo]:
    plan = context.plan
    reviews = ReviewRequest.objects.filter(
        feedback__plan=plan, task__assessor_id__in=context.desk_ids, status=ReviewRequest.Status.OPEN
    ).count()
    return [Todo("涉及本主体任务、待考核办答复的复核申请", reviews, plan_url("scoring:grid", plan))]


def unit_todos(context: TodoContext) -> list[Todo]:
    plan, unit = context.plan, context.unit
    to_acknowledge = Feedback.objects.filter(
        plan=plan, unit=unit, released_at__isnull=False, acknowledged_at__isnull=True
    ).count()
    rectification = RectificationItem.objects.filter(
        plan=plan, unit=unit, status__in=[RectificationItem.Status.OPEN, RectificationItem.Status.RETURNED]
    )
    open_items = rectification.count()
    overdue_items = rectification.filter(due_date__lt=context.today).count()
    returned_report = UnitReport.objects.filter(plan=plan, unit=unit, status=UnitReport.Status.RETURNED).count()
    return [
        *_focus_report_todos(context),
        Todo("待签收的问题反馈", to_acknowledge, plan_url("reviews:unit", plan), urgent=bool(to_acknowledge)),
        Todo(
            "待整改事项" + (f"（其中{overdue_items}项已逾期）" if overdue_items else ""),
            open_items,
            plan_url("reviews:rectification_unit", plan),
            urgent=bool(overdue_items),
        ),
        Todo(
            "被退回的整改情况报告",
            returned_report,
            plan_url("reviews:rectification_unit", plan),
            urgent=bool(returned_report),
        ),
    ]


def _focus_report_todos(context: TodoContext) -> list[Todo]:
    """A 重点单位's next progress report, from a few working days before it is due (urgent once overdue)."""
    due = due_of_unit(context.plan, context.unit.organisation_id, on=context.today, calendar=context.calendar)
    if due is None:
        return []
    if due.due is None:
        context.notes.append(f"{due.missing_year}年节假日安排尚未录入，无法计算重点单位整改进展报告期限")
        return []
    if not due.soon:
        return []
    late = "（已逾期）" if due.overdue else ""
    label = f"重点单位整改进展报告：应于 {due.due:%Y-%m-%d} 前报送{late}"
    return [Todo(label, 1, plan_url("reviews:rectification_unit", context.plan), urgent=due.overdue)]
