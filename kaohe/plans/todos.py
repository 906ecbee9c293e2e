"""The home page's to-do list: per plan and per role, what waits for this person, with counts and links.

Each role's list is a fixed number of aggregate queries per plan (never one per unit, task or row), so the home
page's query count grows with the number of plans a person works in, not with the data inside them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.access.plans import desk_ids, own_units
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan

DUE_SOON_WORKING_DAYS = 5


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    urgent: bool = False


@dataclass
class PlanTodos:
    plan: Plan
    items: list[Todo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why something cannot be shown (a missing holiday year)


def _url(name: str, plan: Plan, *args: int) -> str:
    return reverse(name, args=[plan.pk, *args])


def office_todos(plan: Plan) -> list[Todo]:
    from kaohe.results.models import ConsultationComment, ReleaseStatus, ResultRelease
    from kaohe.reviews.models import ReviewRequest
    from kaohe.scoring.models import BonusApplication
    from kaohe.submissions import selectors as evidence

    bonuses = BonusApplication.objects.filter(plan=plan, status=BonusApplication.Status.PENDING).count()
    reviews = ReviewRequest.objects.filter(feedback__plan=plan, status=ReviewRequest.Status.OPEN).count()
    overdue_units = {row.unit.pk for row in evidence.desk_queue(plan, None, evidence.QueueFilter()).rows if row.overdue}
    release = ResultRelease.objects.filter(plan=plan, is_current=True, status=ReleaseStatus.CONSULTING).first()
    comments = ConsultationComment.objects.filter(release=release).count() if release else 0
    return [
        Todo("待审核的加分申请", bonuses, _url("scoring:adjustments_office", plan), urgent=bool(bonuses)),
        Todo("待答复的复核申请", reviews, _url("reviews:office", plan), urgent=bool(reviews)),
        Todo("有逾期未报送任务的考核对象", len(overdue_units), _url("submissions:overview", plan)),
        *([Todo("征求意见中收到的意见", comments, _url("results:release", plan))] if release else []),
    ]


def desk_todos(plan: Plan, desk_ids: set[int]) -> list[Todo]:
    from kaohe.reviews.models import ReviewRequest
    from kaohe.submissions.models import Submission, SupplementRequest

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
    reviews = ReviewRequest.objects.filter(
        feedback__plan=plan, task__assessor_id__in=desk_ids, status=ReviewRequest.Status.OPEN
    ).count()
    queue = _url("submissions:queue", plan)
    return [
        Todo("已报送待评价的资料", waiting, f"{queue}?status={Submission.Status.SUBMITTED}", urgent=bool(waiting)),
        Todo("退回补充后已重新报送", resubmitted, f"{queue}?status={Submission.Status.SUBMITTED}", urgent=bool(resubmitted)),
        Todo("涉及本主体任务、待考核办答复的复核申请", reviews, _url("scoring:grid", plan)),
    ]


def unit_todos(plan: Plan, unit: Any, today: dt.date, calendar: Any) -> tuple[list[Todo], list[str]]:
    from kaohe.reviews.models import Feedback, RectificationItem
    from kaohe.submissions import selectors as evidence
    from kaohe.submissions.models import Submission

    rows = [row for group in evidence.unit_workspace(plan, unit) for row in group.rows]
    waiting = [r for r in rows if r.is_open and r.status in (Submission.Status.EMPTY, Submission.Status.RETURNED)]
    due_soon = [r for r in waiting if r.days_left is not None and r.days_left <= DUE_SOON_WORKING_DAYS]
    unknown = sorted({r.deadline.year for r in waiting if r.deadline and r.days_left is None and r.deadline >= today})
    notes = [f"{year}年节假日安排尚未录入，无法计算剩余工作日" for year in calendar.missing_years(unknown)] if unknown else []
    returned = sum(1 for r in rows if r.open_return is not None)
    to_acknowledge = Feedback.objects.filter(
        plan=plan, unit=unit, released_at__isnull=False, acknowledged_at__isnull=True
    ).count()
    rectification = RectificationItem.objects.filter(
        plan=plan, unit=unit, status__in=[RectificationItem.Status.OPEN, RectificationItem.Status.RETURNED]
    )
    open_items = rectification.count()
    overdue_items = rectification.filter(due_date__lt=today).count()
    workspace = _url("submissions:workspace", plan)
    return [
        Todo(f"{DUE_SOON_WORKING_DAYS}个工作日内到期、尚未报送的任务", len(due_soon), workspace, urgent=bool(due_soon)),
        Todo("被退回补充的任务", returned, workspace, urgent=bool(returned)),
        Todo("待签收的问题反馈", to_acknowledge, _url("reviews:unit", plan), urgent=bool(to_acknowledge)),
        Todo(
            "待整改事项" + (f"（其中{overdue_items}项已逾期）" if overdue_items else ""),
            open_items,
            _url("reviews:rectification_unit", plan),
            urgent=bool(overdue_items),
        ),
    ], notes


def field_todos(plan: Plan, user: Any, today: dt.date) -> list[Todo]:
    from kaohe.inspections.fieldwork.models import FieldAssignment

    ahead = FieldAssignment.objects.filter(plan=plan, group__members__user=user, visit_date__gte=today).distinct().count()
    return [Todo("待实地考察的考核对象", ahead, reverse("fieldwork:mine", args=[plan.pk]))]


def reviewer_todos(plan: Plan, user: Any) -> list[Todo]:
    from kaohe.inspections.casefiles.models import SampledFile

    waiting = (
        SampledFile.objects.filter(plan=plan, reviewer__user=user)
        .filter(Q(status=SampledFile.Status.PENDING) | Q(status=SampledFile.Status.DRAFT) | Q(status=SampledFile.Status.RETURNED))
        .count()
    )
    return [Todo("待评查的案卷", waiting, reverse("casefiles:assigned", args=[plan.pk]), urgent=bool(waiting))]


def viewer_todos(plan: Plan, user: Any) -> list[Todo]:
    from kaohe.results.models import ReleaseStatus, ResultRelease

    consulting = ResultRelease.objects.filter(plan=plan, is_current=True, status=ReleaseStatus.CONSULTING).exists()
    return [Todo("征求意见中的考核结果", 1, _url("results:consult", plan), urgent=True)] if consulting else []


def todos_for_user(user: Any, plans: list[Plan]) -> list[PlanTodos]:
    """The to-do list of every published plan the person works in (drafts have none)."""
    from kaohe.core.calendar import Calendar

    today = timezone.localdate()
    calendar = None
    result = []
    for plan in plans:
        if plan.is_draft:
            continue
        roles = access.plan_roles(user, plan)
        todos = PlanTodos(plan=plan)
        if Role.OFFICE in roles:
            todos.items += office_todos(plan)
        if Role.ASSESSOR in roles:
            todos.items += desk_todos(plan, desk_ids(user, plan))
        if Role.UNIT in roles:
            calendar = calendar or Calendar.from_database()
            for unit in own_units(user, plan):
                items, notes = unit_todos(plan, unit, today, calendar)
                todos.items += items
                todos.notes += [n for n in notes if n not in todos.notes]
        if Role.FIELD_GROUP in roles:
            todos.items += field_todos(plan, user, today)
        if Role.CASE_REVIEWER in roles:
            todos.items += reviewer_todos(plan, user)
        if Role.VIEWER in roles:
            todos.items += viewer_todos(plan, user)
        if todos.items or todos.notes:
            result.append(todos)
    return result
