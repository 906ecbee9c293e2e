"""Reads of 问题反馈 and 复核 for the unit's page and the office's page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kaohe.core.calendar import Calendar, CalendarYearUnknown
from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, Plan, PlanUnit, ScoringPolicy
from kaohe.reviews.models import Feedback, FeedbackProblem, ReviewRequest
from kaohe.reviews.services import answer_deadline, request_deadline, window_end

Status = ReviewRequest.Status


def _problems() -> Prefetch[Any]:
    return Prefetch("problems", queryset=FeedbackProblem.objects.select_related("task").order_by("added_at", "pk"))


def feedback_of(plan: Plan, unit: PlanUnit) -> Feedback | None:
    return Feedback.objects.filter(plan=plan, unit=unit).prefetch_related(_problems()).first()


def requests_of(unit: PlanUnit) -> QuerySet[ReviewRequest]:
    return ReviewRequest.objects.filter(unit=unit).select_related("task", "filed_by", "decided_by").order_by("filed_at", "pk")


@dataclass
class ScoreRow:
    row: dict[str, Any]
    requests: list[ReviewRequest] = field(default_factory=list)

    @property
    def open_request(self) -> ReviewRequest | None:
        return next((r for r in self.requests if r.status == Status.OPEN), None)


@dataclass
class UnitPage:
    feedback: Feedback | None
    rows: list[ScoreRow]
    requests: list[ReviewRequest]
    deadline: dt.datetime | None  # end of the window to file requests (None before acknowledgement)
    window_open: bool
    closed_reason: str  # why the request forms are not offered ("" when they are)


def unit_page(plan: Plan, unit: PlanUnit, policy: ScoringPolicy, calendar: Calendar) -> UnitPage:
    """What the unit sees: only released feedback (the snapshot), its requests and the window."""
    feedback = feedback_of(plan, unit)
    if feedback is None or not feedback.is_released:
        return UnitPage(None, [], [], None, False, "考核办尚未反馈")
    requests = list(requests_of(unit))
    by_task: dict[int, list[ReviewRequest]] = {}
    for r in requests:
        by_task.setdefault(r.task_id, []).append(r)
    rows = [ScoreRow(row, by_task.get(int(row["task_id"]), [])) for row in feedback.scores]
    deadline: dt.datetime | None = None
    reason = ""
    if plan.status != Plan.Status.PUBLISHED:
        reason = f"方案当前状态为“{plan.get_status_display()}”，不能申请复核"
    elif feedback.acknowledged_at is None:
        reason = "确认收到反馈后，可在规定的工作日内申请复核"
    else:
        try:
            deadline = window_end(feedback.acknowledged_at, policy, calendar)
        except CalendarYearUnknown as exc:
            reason = exc.message
        else:
            if timezone.now() > deadline:
                reason = f"复核申请期限已过：应在收到反馈后 {policy.review_request_days} 个工作日内（{deadline:%Y-%m-%d} 前）提出"
    return UnitPage(feedback, rows, requests, deadline, not reason, reason)


@dataclass
class RequestRow:
    review: ReviewRequest
    deadline: dt.datetime | None
    overdue: bool
    calendar_message: str = ""


@dataclass
class UnitRow:
    unit: PlanUnit
    feedback: Feedback | None
    request_deadline: dt.datetime | None
    calendar_message: str = ""


@dataclass
class OfficePage:
    units: list[UnitRow]
    open_requests: list[RequestRow]
    decided: list[ReviewRequest]
    counts: dict[str, int]


def plan_units(plan: Plan) -> list[PlanUnit]:
    return list(
        PlanUnit.objects.filter(plan=plan)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key", "pk")
    )


def unit_tasks(plan: Plan) -> list[Indicator]:
    return list(
        Indicator.objects.filter(plan=plan, level=Level.TASK).select_related("category").order_by("category__order", "order")
    )


def office_page(plan: Plan, policy: ScoringPolicy, calendar: Calendar) -> OfficePage:
    """Every unit's feedback state, every open request with its answer deadline (overdue flagged), and the decided."""
    units = plan_units(plan)
    feedbacks = {f.unit_id: f for f in Feedback.objects.filter(plan=plan).prefetch_related(_problems())}
    now = timezone.now()
    unit_rows: list[UnitRow] = []
    for unit in units:
        feedback = feedbacks.get(unit.pk)
        row = UnitRow(unit, feedback, None)
        if feedback is not None:
            try:
                row.request_deadline = request_deadline(feedback, policy, calendar)
            except CalendarYearUnknown as exc:
                row.calendar_message = exc.message
        unit_rows.append(row)
    requests = list(
        ReviewRequest.objects.filter(unit__plan=plan)
        .select_related("unit__organisation", "unit__category", "task", "filed_by", "decided_by")
        .order_by("filed_at", "pk")
    )
    open_rows: list[RequestRow] = []
    for review in requests:
        if review.status != Status.OPEN:
            continue
        try:
            deadline = answer_deadline(review, policy, calendar)
        except CalendarYearUnknown as exc:
            open_rows.append(RequestRow(review, None, False, exc.message))
        else:
            open_rows.append(RequestRow(review, deadline, now > deadline))
    decided = [r for r in requests if r.status != Status.OPEN]
    counts = {
        "released": sum(1 for r in unit_rows if r.feedback is not None and r.feedback.is_released),
        "acknowledged": sum(1 for r in unit_rows if r.feedback is not None and r.feedback.acknowledged_at is not None),
        "open": len(open_rows),
        "overdue": sum(1 for r in open_rows if r.overdue),
        "decided": len(decided),
    }
    return OfficePage(unit_rows, open_rows, decided, counts)
