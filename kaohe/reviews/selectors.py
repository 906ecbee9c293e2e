"""Reads of 问题反馈 and 复核 for the unit's page and the office's page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kaohe.core.calendar import Calendar, CalendarYearUnknown
from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, Plan, PlanUnit, ScoringPolicy
from kaohe.plans.selectors import policy_of
from kaohe.reviews import hooks
from kaohe.reviews.models import Feedback, FeedbackProblem, ReviewRequest
from kaohe.reviews.services import answer_deadline, window_end

Status = ReviewRequest.Status


def _problems() -> Prefetch[Any]:
    return Prefetch("problems", queryset=FeedbackProblem.objects.select_related("task", "kind").order_by("added_at", "pk"))


def feedback_of(plan: Plan, unit: PlanUnit) -> Feedback | None:
    """The unit's newest released round (the final feedback when there is one), with its problems."""
    return (
        Feedback.objects.filter(plan=plan, unit=unit, released_at__isnull=False)
        .prefetch_related(_problems())
        .order_by("-number")
        .first()
    )


def rounds_of(plan: Plan, unit: PlanUnit) -> list[Feedback]:
    """The unit's released rounds, newest first, with their problems. Drafts are never included."""
    return list(
        Feedback.objects.filter(plan=plan, unit=unit, released_at__isnull=False).prefetch_related(_problems()).order_by("-number")
    )


def requests_of(unit: PlanUnit) -> QuerySet[ReviewRequest]:
    return ReviewRequest.objects.filter(unit=unit).select_related("task", "filed_by", "decided_by").order_by("filed_at", "pk")


class RoundStatus:
    """A released round's state, as the unit and the office read it."""

    PENDING = "待签收"  # released, not yet acknowledged by the unit
    ACKNOWLEDGED = "已签收"  # acknowledged; nothing in the round to review (no deducted task)
    IN_WINDOW = "复核期内"  # acknowledged; its 复核 window runs, or a request of the round awaits the answer
    CLOSED = "已结束"  # window over and every request of the round answered

    OPEN = frozenset({PENDING, IN_WINDOW})


@dataclass
class RoundState:
    feedback: Feedback
    status: str
    deadline: dt.datetime | None  # end of the round's 复核 window (None before acknowledgement)
    calendar_message: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in RoundStatus.OPEN

    @property
    def is_pending(self) -> bool:
        return self.status == RoundStatus.PENDING

    @property
    def is_in_window(self) -> bool:
        return self.status == RoundStatus.IN_WINDOW


def round_state(
    feedback: Feedback,
    requests: list[ReviewRequest],
    policy: ScoringPolicy,
    calendar: Calendar,
    now: dt.datetime,
) -> RoundState:
    """The status of a released round, given the review requests filed on it.

    A year the calendar does not know leaves the window's end unknown: the round counts as 复核期内 (open).
    """
    if feedback.acknowledged_at is None:
        return RoundState(feedback, RoundStatus.PENDING, None)
    try:
        deadline = window_end(feedback.acknowledged_at, policy, calendar)
    except CalendarYearUnknown as exc:
        return RoundState(feedback, RoundStatus.IN_WINDOW, None, exc.message)
    reviewable = any(row.get("deducted") for row in feedback.scores)
    undecided = any(r.status == Status.OPEN for r in requests)
    if undecided or (reviewable and now <= deadline):
        return RoundState(feedback, RoundStatus.IN_WINDOW, deadline)
    return RoundState(feedback, RoundStatus.CLOSED if reviewable or requests else RoundStatus.ACKNOWLEDGED, deadline)


@dataclass
class ScoreRow:
    row: dict[str, Any]
    requests: list[ReviewRequest] = field(default_factory=list)
    open_request: ReviewRequest | None = None  # an undecided request on the task, in any round
    missing_zero: bool | None = None  # a task not evaluated: counted 0 (True), left out (False), not decided (None)

    @property
    def points(self) -> Decimal | None:
        return None if self.row.get("points") is None else Decimal(self.row["points"])

    @property
    def evaluated(self) -> bool:
        return self.row.get("score") is not None

    @property
    def counted(self) -> Decimal | None:
        """What the task counts in the total: its score; 0 when not evaluated and counted 0; None when left out."""
        if self.evaluated:
            return Decimal(self.row["score"])
        return Decimal(0) if self.missing_zero else None

    @property
    def lost_points(self) -> bool:
        """The task counts less than its points (graded below full, or not evaluated): a 复核 may be requested."""
        if self.points is None or self.points <= 0:
            return False
        return bool(self.row.get("deducted")) or not self.evaluated

    @property
    def note(self) -> str:
        """Why the task counts what it counts, when that is not simply its grade."""
        if not self.evaluated:
            if self.missing_zero:
                return "未评价，按0分计（考核办已决定缺少的评价按0分计）"
            if self.missing_zero is False:
                return "未评价，暂不计分（考核办决定等待评价）"
            return "未评价；考核办决定缺少的评价按0分计时，本项计0分"
        if self.row.get("score") is not None and Decimal(self.row["score"]) == 0 and self.points:
            return "计0分"
        return ""


@dataclass
class RoundView:
    state: RoundState
    rows: list[ScoreRow]
    requests: list[ReviewRequest]
    window_open: bool
    closed_reason: str  # why the request forms are not offered ("" when they are)

    @property
    def possible(self) -> Decimal:
        return sum((r.points for r in self.rows if r.points is not None), Decimal(0))

    @property
    def earned(self) -> Decimal:
        return sum((r.counted for r in self.rows if r.counted is not None), Decimal(0))

    @property
    def unevaluated(self) -> int:
        return sum(1 for r in self.rows if not r.evaluated and r.points)

    @property
    def zeros(self) -> int:
        """Tasks that count 0: graded 0, or not evaluated and counted 0."""
        return sum(1 for r in self.rows if r.points and r.counted == 0)

    @property
    def deductions_total(self) -> Decimal:
        return sum((Decimal(d["points"]) for d in self.feedback.deductions if d.get("points")), Decimal(0))

    @property
    def feedback(self) -> Feedback:
        return self.state.feedback

    @property
    def deadline(self) -> dt.datetime | None:
        return self.state.deadline


@dataclass
class UnitPage:
    rounds: list[RoundView]  # newest first
    not_applicable: list[tuple[str, str, str]] = field(default_factory=list)  # (code, name, reason): not counted
    missing_zero: bool | None = None
    missing_note: str = ""  # the office's recorded 按0分计 decision

    @property
    def feedback(self) -> Feedback | None:
        return self.rounds[0].feedback if self.rounds else None


def unit_page(plan: Plan, unit: PlanUnit, policy: ScoringPolicy, calendar: Calendar) -> UnitPage:
    """What the unit sees: its released rounds only (newest first), each with its requests and its own window."""
    rounds = rounds_of(plan, unit)
    if not rounds:
        return UnitPage([])
    missing_zero, missing_note = _missing_decision(plan)
    requests = list(requests_of(unit))
    open_by_task = {r.task_id: r for r in requests if r.status == Status.OPEN}
    now = timezone.now()
    views: list[RoundView] = []
    for feedback in rounds:
        own = [r for r in requests if r.feedback_id == feedback.pk]
        by_task: dict[int, list[ReviewRequest]] = {}
        for r in own:
            by_task.setdefault(r.task_id, []).append(r)
        rows = [
            ScoreRow(row, by_task.get(int(row["task_id"]), []), open_by_task.get(int(row["task_id"])), missing_zero)
            for row in feedback.scores
        ]
        state = round_state(feedback, own, policy, calendar, now)
        reason = ""
        if plan.status != Plan.Status.PUBLISHED:
            reason = f"方案当前状态为“{plan.get_status_display()}”，不能申请复核"
        elif feedback.acknowledged_at is None:
            reason = "确认收到反馈后，可在规定的工作日内申请复核"
        elif state.calendar_message:
            reason = state.calendar_message
        elif state.deadline is not None and now > state.deadline:
            reason = (
                f"复核申请期限已过：应在收到反馈后 {policy.review_request_days} 个工作日内（{state.deadline:%Y-%m-%d} 前）提出"
            )
        views.append(RoundView(state, rows, own, not reason, reason))
    from kaohe.scoring.models import NotApplicable

    not_applicable = [
        (na.task.code, na.task.name, na.reason)
        for na in NotApplicable.objects.filter(unit=unit).select_related("task").order_by("task__order")
    ]
    return UnitPage(views, not_applicable, missing_zero, missing_note)


def _missing_decision(plan: Plan) -> tuple[bool | None, str]:
    """The office's recorded decision on missing evaluations, from its latest computation (None: not computed)."""
    return hooks.missing_decision(plan)


@dataclass
class RequestRow:
    review: ReviewRequest
    deadline: dt.datetime | None
    overdue: bool
    calendar_message: str = ""


@dataclass
class UnitRow:
    unit: PlanUnit
    draft: Feedback | None  # recorded problems not yet released (never shown to the unit)
    rounds: list[RoundState]  # newest first

    @property
    def has_final(self) -> bool:
        return any(s.feedback.is_final for s in self.rounds)


@dataclass
class OfficePage:
    units: list[UnitRow]
    pending_rounds: list[RoundState]  # released, not acknowledged
    open_requests: list[RequestRow]
    decided: list[ReviewRequest]
    counts: dict[str, int]

    @property
    def collective_requests(self) -> list[PlanUnit]:
        """Units that asked for a collective feedback meeting (plans.services_collective), earliest first."""
        asked = [row.unit for row in self.units if row.unit.collective_feedback_requested_at is not None]
        return sorted(asked, key=lambda unit: unit.collective_feedback_requested_at or timezone.now())


def plan_units(plan: Plan) -> list[PlanUnit]:
    return list(
        PlanUnit.objects.filter(plan=plan)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key", "pk")
    )


def unit_tasks(plan: Plan) -> list[Indicator]:
    """The plan's tasks for the problem form's choices: only the columns the choice labels show."""
    return list(
        Indicator.objects.filter(plan=plan, level=Level.TASK)
        .select_related("category")
        .only("pk", "code", "name", "order", "category__name", "category__order")
        .order_by("category__order", "order")
    )


def _plan_requests(plan: Plan) -> list[ReviewRequest]:
    return list(
        ReviewRequest.objects.filter(unit__plan=plan)
        .select_related("unit__organisation", "unit__category", "task", "filed_by", "decided_by")
        .order_by("filed_at", "pk")
    )


def _round_states(
    plan: Plan, requests: list[ReviewRequest], policy: ScoringPolicy, calendar: Calendar, *, problems: bool
) -> tuple[list[RoundState], dict[int, Feedback]]:
    """Every released round of the plan with its state (by unit, newest first), and the drafts by unit."""
    feedbacks = Feedback.objects.filter(plan=plan).select_related("unit__organisation", "unit__category")
    if problems:
        feedbacks = feedbacks.prefetch_related(_problems())
    by_feedback: dict[int, list[ReviewRequest]] = {}
    for r in requests:
        by_feedback.setdefault(r.feedback_id, []).append(r)
    now = timezone.now()
    states: list[RoundState] = []
    drafts: dict[int, Feedback] = {}
    for feedback in feedbacks.order_by("unit_id", "-number"):
        if not feedback.is_released:
            drafts[feedback.unit_id] = feedback
            continue
        states.append(round_state(feedback, by_feedback.get(feedback.pk, []), policy, calendar, now))
    return states, drafts


def office_page(plan: Plan, policy: ScoringPolicy, calendar: Calendar, *, units: list[PlanUnit] | None = None) -> OfficePage:
    """Every unit's drafts and rounds with their state, the unacknowledged rounds, every open request with
    its answer deadline (overdue flagged), and the decided. ``units``: the plan's, when the caller has them."""
    units = plan_units(plan) if units is None else units
    requests = _plan_requests(plan)
    states, drafts = _round_states(plan, requests, policy, calendar, problems=True)
    rounds_by_unit: dict[int, list[RoundState]] = {}
    for state in states:
        rounds_by_unit.setdefault(state.feedback.unit_id, []).append(state)
    unit_rows = [UnitRow(unit, drafts.get(unit.pk), rounds_by_unit.get(unit.pk, [])) for unit in units]
    now = timezone.now()
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
    pending = [s for s in states if s.status == RoundStatus.PENDING]
    counts = {
        "released": len(states),
        "acknowledged": len(states) - len(pending),
        "pending": len(pending),
        "open": len(open_rows),
        "overdue": sum(1 for r in open_rows if r.overdue),
        "decided": len(decided),
        "unreleased_units": sum(1 for row in unit_rows if not row.rounds),  # against the plan's 问题反馈截止
    }
    return OfficePage(unit_rows, pending, open_rows, decided, counts)


def open_feedback_rounds(
    plan: Plan, *, policy: ScoringPolicy | None = None, calendar: Calendar | None = None
) -> list[RoundState]:
    """The plan's open feedback rounds, which block publication of its results; each with its unit and status.

    A released round (第N轮, in-year 问题反馈 or the final 考核情况反馈) is *open* while
    - the unit has not acknowledged it (待签收), or
    - it is acknowledged and has a deducted task, and its 复核 window (``review_request_days`` working days
      from acknowledgement) has not ended, or a year the calendar lacks leaves that end unknown, or
    - a review request filed on it still awaits the office's answer (复核期内 in both cases).
    Drafts (problems recorded, not released) are not rounds and never block. Ordered by unit, newest round
    first; ``state.feedback.unit.organisation`` is loaded for listing.
    """
    from kaohe.core.calendar import get_calendar

    policy = policy or policy_of(plan)
    requests = _plan_requests(plan)
    states, _ = _round_states(plan, requests, policy, calendar or get_calendar(), problems=False)
    return [s for s in states if s.is_open]


def find_task(plan: Plan, task_id: int) -> Indicator | None:
    """The plan's task (level 3) of this id, or None."""
    return Indicator.objects.filter(plan=plan, level=Level.TASK, pk=task_id).first()
