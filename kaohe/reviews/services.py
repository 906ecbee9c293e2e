"""Writes of 问题反馈 and 复核: problems (drafts), release of rounds, acknowledgement, review requests, decisions.

Every service checks permission itself, validates, runs in one transaction and writes an audit event.
Windows are counted in working days with the office's calendar (``kaohe.core.calendar``): a year the
calendar does not know is refused with :class:`CalendarYearUnknown`'s message, never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.calendar import Calendar, CalendarYearUnknown, get_calendar, to_local_date
from kaohe.core.notifications import notify_organisations
from kaohe.core.storage import delete_quietly, open_for_download, store_attachment
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, Plan, PlanUnit, ProblemKind, ScoringPolicy
from kaohe.plans.selectors import policy_of as policy_of  # re-exported: reviews/views.py calls services.policy_of
from kaohe.reviews.models import Feedback, FeedbackProblem, ReviewRequest
from kaohe.reviews.services_rectification import create_items_for_feedbacks
from kaohe.scoring.models import Deduction, Evaluation, NotApplicable
from kaohe.scoring.services import evaluation_adjust_on_review

Status = ReviewRequest.Status


def _require_open(plan: Plan) -> None:
    if plan.status != Plan.Status.PUBLISHED:
        raise PermissionDenied("方案不在考核进行中")


def _require_unit_task(plan: Plan, unit: PlanUnit, task: Indicator) -> None:
    if unit.plan_id != plan.pk or task.plan_id != plan.pk or task.level != Level.TASK or task.category_id != unit.category_id:
        raise ValidationError("该考核对象没有这项工作任务")


def _unit_url(plan: Plan) -> str:
    return reverse("reviews:unit", args=[plan.pk])


def _office_url(plan: Plan) -> str:
    return reverse("reviews:office", args=[plan.pk])


# --- windows -------------------------------------------------------------------------------------------


def window_end(acknowledged_at: dt.datetime, policy: ScoringPolicy, calendar: Calendar) -> dt.datetime:
    """When the unit's window to file review requests ends: ``review_request_days`` working days after receipt.

    Raises :class:`CalendarYearUnknown` when the calendar lacks the year.
    """
    return calendar.working_deadline(to_local_date(acknowledged_at), policy.review_request_days)


def request_deadline(feedback: Feedback, policy: ScoringPolicy, calendar: Calendar) -> dt.datetime | None:
    """:func:`window_end` of the feedback, or None before the unit acknowledges receipt."""
    if feedback.acknowledged_at is None:
        return None
    return window_end(feedback.acknowledged_at, policy, calendar)


def answer_deadline(review: ReviewRequest, policy: ScoringPolicy, calendar: Calendar) -> dt.datetime:
    """When the office's answer is due: ``review_answer_days`` working days after filing."""
    return calendar.working_deadline(to_local_date(review.filed_at), policy.review_answer_days)


# --- snapshot ------------------------------------------------------------------------------------------


NOT_EVALUATED = "未评价（按0分计算时计0分）"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def unit_snapshot(
    plan: Plan, unit: PlanUnit, *, task_ids: set[int] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The unit's current scores per task (with reasons) and its active deductions, as plain data.

    With ``task_ids`` (an in-year round), only those tasks' scores and no deductions: the unit sees the
    scores of the tasks its problems concern, nothing else before the final feedback.
    """
    tasks = Indicator.objects.filter(plan=plan, category_id=unit.category_id, level=Level.TASK).order_by("order")
    if task_ids is not None:
        tasks = tasks.filter(pk__in=task_ids)
    excluded = set(NotApplicable.objects.filter(unit=unit).values_list("task_id", flat=True))
    evaluations = {e.task_id: e for e in Evaluation.objects.filter(unit=unit)}
    scores: list[dict[str, Any]] = []
    for task in tasks:
        if task.pk in excluded:
            continue
        evaluation = evaluations.get(task.pk)
        scores.append(
            {
                "task_id": task.pk,
                "code": task.code,
                "name": task.name,
                "points": _money(task.points),
                "grade": evaluation.grade if evaluation else "",
                "grade_label": evaluation.get_grade_display() if evaluation and evaluation.grade else "",
                "score": _money(evaluation.score) if evaluation else None,
                "reason": evaluation.reason if evaluation else "",
                "deducted": bool(evaluation and task.points is not None and evaluation.score < task.points),
            }
        )
    if task_ids is not None:
        return scores, []
    deductions = [
        {
            "matter": d.matter,
            "kind": d.get_kind_display(),
            "points": _money(d.points),
            "task": d.task.code if d.task else "",
            "reason": d.reason,
        }
        for d in Deduction.objects.filter(plan=plan, unit=unit, withdrawn_at__isnull=True)
        .select_related("task")
        .order_by("created_at", "pk")
    ]
    return scores, deductions


# --- the office ----------------------------------------------------------------------------------------


def feedback_problem_add(
    *, actor: User, plan: Plan, unit: PlanUnit, task: Indicator | None, text: str, kind_id: int | None = None
) -> FeedbackProblem:
    """Record a problem found for a unit, at any time: it waits in the unit's draft until the next round."""
    access.require(actor, "feedback:release", plan)
    _require_open(plan)
    if unit.plan_id != plan.pk:
        raise ValidationError("考核对象不属于本方案")
    if task is not None:
        _require_unit_task(plan, unit, task)
    text = (text or "").strip()
    if not text:
        raise ValidationError("请写明发现的问题")
    kind = None
    if kind_id:
        kind = ProblemKind.objects.filter(plan=plan, pk=kind_id, active=True).first()
        if kind is None:
            raise ValidationError("问题类型无效，请刷新页面后重新选择")
    with transaction.atomic():
        PlanUnit.objects.select_for_update().filter(pk=unit.pk).first()  # one draft per unit, even when racing
        feedback, _ = Feedback.objects.get_or_create(plan=plan, unit=unit, released_at__isnull=True)
        problem = FeedbackProblem(feedback=feedback, task=task, text=text, kind=kind, added_by=actor, added_at=timezone.now())
        problem.full_clean()
        problem.save()
        audit.record(
            actor=actor,
            action="feedback.problem_add",
            obj=problem,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after={"task": task.code if task else "", "text": text, **({"kind": kind.name} if kind else {})},
        )
    return problem


def _release_title(plan: Plan, feedback: Feedback) -> tuple[str, str]:
    if feedback.is_final:
        return (
            f"{plan.title}：考核办已反馈考核情况（{feedback.round_label}）",
            "请查看得分、扣分理由和发现的问题并确认收到；如有异议，可在收到后规定的工作日内申请复核。"
            "发现的问题请按期整改并报送整改情况。",
        )
    return (
        f"{plan.title}：{feedback.round_label}",
        "考核办反馈了发现的问题，请查看并确认收到；对所涉工作任务的得分如有异议，可在收到后规定的工作日内申请复核。"
        "发现的问题请按期整改并报送整改情况。",
    )


def feedback_release(
    *, actor: User, plan: Plan, units: Sequence[PlanUnit], note: str = "", kind: str = Feedback.Kind.FINAL
) -> list[Feedback]:
    """Release a new round to each of ``units``: its draft problems become 第N轮, the unit is notified.

    ``kind`` ``problems`` (in-year 问题反馈) releases each unit's recorded problems with the current scores of the
    tasks they concern; a unit without draft problems is skipped. ``final`` (考核情况反馈, after computation)
    releases the snapshot of all scores, the deductions and any draft problems, once per unit; a unit that
    already has it is skipped. Refused when no unit is left.
    """
    access.require(actor, "feedback:release", plan)
    _require_open(plan)
    if not units:
        raise ValidationError("请选择考核对象")
    if any(u.plan_id != plan.pk for u in units):
        raise ValidationError("考核对象不属于本方案")
    if kind not in Feedback.Kind.values:
        raise ValidationError("请选择反馈类型")
    final = kind == Feedback.Kind.FINAL
    note = (note or "").strip()
    released: list[Feedback] = []
    now = timezone.now()
    with transaction.atomic():
        locked = {u.pk for u in PlanUnit.objects.select_for_update().filter(pk__in=[u.pk for u in units])}
        for unit in units:
            if unit.pk not in locked:
                continue
            rounds = list(Feedback.objects.filter(unit=unit, released_at__isnull=False).values_list("number", "kind"))
            if final and any(k == Feedback.Kind.FINAL for _, k in rounds):
                continue
            draft = Feedback.objects.filter(unit=unit, released_at__isnull=True).first()
            problem_tasks = set(draft.problems.exclude(task=None).values_list("task_id", flat=True)) if draft else set()
            if not final and (draft is None or not draft.problems.exists()):
                continue
            feedback = draft or Feedback(plan=plan, unit=unit)
            feedback.number = max((n or 0 for n, _ in rounds), default=0) + 1
            feedback.kind = Feedback.Kind(kind)
            feedback.scores, feedback.deductions = unit_snapshot(plan, unit, task_ids=None if final else problem_tasks)
            feedback.note = note
            feedback.released_by = actor
            feedback.released_at = now
            feedback.full_clean(validate_unique=False)
            feedback.save()
            audit.record(
                actor=actor,
                action="feedback.release",
                obj=feedback,
                plan_id=plan.pk,
                organisation=unit.organisation,
                after={
                    "round": feedback.number,
                    "kind": feedback.kind,
                    "problems": feedback.problems.count(),
                    "scores": len(feedback.scores),
                    "deductions": len(feedback.deductions),
                    "note": note,
                },
            )
            released.append(feedback)
        if not released:
            if final:
                raise ValidationError("所选考核对象均已反馈考核情况")
            raise ValidationError("所选考核对象没有待反馈的问题，请先记录发现的问题")
        # Each problem released becomes a rectification item of its unit (整改), in the same transaction.
        create_items_for_feedbacks(actor=actor, plan=plan, feedbacks=released)
        for feedback in released:
            title, body = _release_title(plan, feedback)
            notify_organisations(
                organisation_ids=[feedback.unit.organisation_id],
                role=Role.UNIT,
                plan_id=plan.pk,
                title=title,
                body=body,
                url=_unit_url(plan),
            )
    return released


def review_decide(
    *,
    actor: User,
    plan: Plan,
    review: ReviewRequest,
    decision: str,
    answer: str,
    grade: str = "",
    score: str = "",
) -> ReviewRequest:
    """维持 or 调整 a review request, with a written answer; 调整 goes through the evaluation history."""
    access.require(actor, "review:decide", plan)
    _require_open(plan)
    if review.unit.plan_id != plan.pk:
        raise ValidationError("复核申请不属于本方案")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError("请写明复核答复意见")
    if decision not in (Status.UPHELD, Status.CHANGED):
        raise ValidationError("请选择维持或调整")
    with transaction.atomic():
        locked = ReviewRequest.objects.select_for_update().get(pk=review.pk)
        if locked.status != Status.OPEN:
            raise ValidationError("该复核申请已答复")
        review.status = Status(decision)
        review.answer = answer
        review.decided_by = actor
        review.decided_at = timezone.now()
        if decision == Status.CHANGED:
            evaluation = evaluation_adjust_on_review(
                actor=actor,
                plan=plan,
                unit=review.unit,
                task=review.task,
                grade=grade,
                score=score,
                reason=answer,
                review_request=review,
            )
            review.new_grade = evaluation.grade
            review.new_score = evaluation.score
        review.full_clean(validate_unique=False)
        review.save(update_fields=["status", "answer", "decided_by", "decided_at", "new_grade", "new_score", "updated_at"])
        audit.record(
            actor=actor,
            action="review.decide",
            obj=review,
            plan_id=plan.pk,
            organisation=review.unit.organisation,
            before={"status": Status.OPEN, "score": review.filed_score},
            after={"status": review.status, "answer": answer, "score": review.new_score},
        )
        notify_organisations(
            organisation_ids=[review.unit.organisation_id],
            role=Role.UNIT,
            plan_id=plan.pk,
            title=f"复核申请已答复：{review.task.code}（{review.get_status_display()}）",
            body=answer,
            url=_unit_url(plan),
        )
    return review


# --- the unit ------------------------------------------------------------------------------------------


def _require_own_unit(actor: User, plan: Plan, unit: PlanUnit) -> None:
    access.require(actor, "review:request", plan)
    if not access.is_own_unit(actor, unit, plan):
        raise PermissionDenied


def feedback_acknowledge(*, actor: User, plan: Plan, feedback: Feedback) -> Feedback:
    """The unit confirms receipt of one round; that round's review window starts on that (Beijing) date."""
    _require_own_unit(actor, plan, feedback.unit)
    if feedback.plan_id != plan.pk or not feedback.is_released:
        raise ValidationError("考核办尚未反馈")
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if locked.acknowledged_at is not None:
            raise ValidationError(f"已确认收到{feedback.round_label}")
        feedback.acknowledged_by = actor
        feedback.acknowledged_at = timezone.now()
        feedback.full_clean(validate_unique=False)
        feedback.save(update_fields=["acknowledged_by", "acknowledged_at", "updated_at"])
        audit.record(
            actor=actor,
            action="feedback.acknowledge",
            obj=feedback,
            plan_id=plan.pk,
            organisation=feedback.unit.organisation,
            after={"round": feedback.number, "acknowledged_at": feedback.acknowledged_at},
        )
    return feedback


#: Working days a released round waits for the unit's acknowledgement before the office may record it as delivered.
DEEM_AFTER_WORKING_DAYS = 5


def feedback_deem_delivered(*, actor: User, plan: Plan, feedback: Feedback, reason: str, now: Any = None) -> Feedback:
    """视为送达: a round the unit has not acknowledged within 5 working days of its release is recorded as delivered
    by the office, with a written reason (e.g. how the unit was told). Its 复核 window starts then, as with an
    acknowledgement; the unit is notified. Without it, an unacknowledged round would hold publication forever."""
    access.require(actor, "feedback:release", plan)
    _require_open(plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请写明视为送达的理由（如已电话或书面通知的时间、方式）")
    if len(reason) > 500:
        raise ValidationError("理由不能超过 500 字")
    if feedback.plan_id != plan.pk or feedback.released_at is None:
        raise ValidationError("该轮反馈尚未发布")
    now = now or timezone.now()
    calendar = get_calendar()
    released = to_local_date(feedback.released_at)
    try:
        earliest = calendar.add_working_days(released, DEEM_AFTER_WORKING_DAYS)
    except CalendarYearUnknown as exc:
        raise ValidationError(f"节假日日历缺少{released.year + 1}年的安排，无法计算签收期限，请先录入") from exc
    if to_local_date(now) <= earliest:
        raise ValidationError(
            f"{feedback.round_label}于 {released:%Y-%m-%d} 发布，须等待考核对象签收至 {earliest:%Y-%m-%d}（5个工作日）"
        )
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if locked.acknowledged_at is not None:
            raise ValidationError(f"{feedback.unit.organisation.name}已签收{feedback.round_label}")
        feedback.acknowledged_by = actor
        feedback.acknowledged_at = now
        feedback.deemed_reason = reason
        feedback.full_clean(validate_unique=False)
        feedback.save(update_fields=["acknowledged_by", "acknowledged_at", "deemed_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="feedback.deem_delivered",
            obj=feedback,
            plan_id=plan.pk,
            organisation=feedback.unit.organisation,
            after={"round": feedback.number, "acknowledged_at": now, "reason": reason},
        )
        notify_organisations(
            organisation_ids=[feedback.unit.organisation_id],
            role=Role.UNIT,
            plan_id=plan.pk,
            title=f"{feedback.round_label}已由考核办视为送达",
            body=f"理由：{reason}。复核申请期限自即日起计算。",
            url=_unit_url(plan),
        )
    return feedback


def review_request_file(
    *,
    actor: User,
    plan: Plan,
    feedback: Feedback,
    task: Indicator,
    reasons: str,
    attachment: Any = None,
    calendar: Calendar | None = None,
) -> ReviewRequest:
    """A written request to review one deducted task of a round, within that round's window after acknowledgement.

    The task must be in the round's snapshot; the window is the round's own.

    The optional attachment is streamed to storage only after every check has passed; if the row cannot
    be saved, the stored file is removed again.
    """
    unit = feedback.unit
    _require_own_unit(actor, plan, unit)
    _require_open(plan)
    _require_unit_task(plan, unit, task)
    if not feedback.is_released or feedback.plan_id != plan.pk:
        raise ValidationError("考核办尚未反馈，不能申请复核")
    if feedback.acknowledged_at is None:
        raise ValidationError(f"请先确认收到{feedback.round_label}，再申请复核")
    if not any(int(row["task_id"]) == task.pk for row in feedback.scores):
        raise ValidationError(f"{feedback.round_label}未涉及 {task.code}，不能就此申请复核")
    policy = policy_of(plan)
    now = timezone.now()
    try:
        deadline = window_end(feedback.acknowledged_at, policy, calendar or get_calendar())
    except CalendarYearUnknown as exc:
        raise ValidationError(exc.message) from exc
    if now > deadline:
        raise ValidationError(
            f"{feedback.round_label}的复核申请期限已过：应在收到反馈后 {policy.review_request_days} 个工作日内"
            f"（{deadline:%Y-%m-%d} 前）提出"
        )
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError("请写明申请复核的理由")
    if len(reasons) > 4000:
        raise ValidationError("复核理由不能超过 4000 字")
    evaluation = Evaluation.objects.filter(unit=unit, task=task).first()
    # A task not evaluated loses its points too (counted 0 when the office so decides): it may be reviewed.
    if task.points is None or task.points <= 0 or (evaluation is not None and evaluation.score >= task.points):
        raise ValidationError(f"{task.code} 未扣分，无需申请复核")
    if ReviewRequest.objects.filter(unit=unit, task=task, status=Status.OPEN).exists():
        raise ValidationError(f"{task.code} 已有待答复的复核申请")
    stored = store_attachment(attachment, prefix=f"reviews/plan-{plan.pk}/unit-{unit.pk}", what="附件", form="复核申请")
    try:
        with transaction.atomic():
            if ReviewRequest.objects.filter(unit=unit, task=task, status=Status.OPEN).exists():
                raise ValidationError(f"{task.code} 已有待答复的复核申请")
            review = ReviewRequest(
                feedback=feedback,
                unit=unit,
                task=task,
                filed_grade=evaluation.grade if evaluation else "",
                filed_score=evaluation.score if evaluation else Decimal(0),
                filed_reason=evaluation.reason if evaluation else NOT_EVALUATED,
                reasons=reasons,
                attachment_name=stored.display_name if stored else "",
                attachment_sha256=stored.sha256 if stored else "",
                attachment_storage_name=stored.name if stored else "",
                filed_by=actor,
                filed_at=now,
            )
            review.full_clean(validate_constraints=False)
            review.save()
            audit.record(
                actor=actor,
                action="review.file",
                obj=review,
                plan_id=plan.pk,
                organisation=unit.organisation,
                after={
                    "round": feedback.number,
                    "task": task.code,
                    "score": review.filed_score,
                    **({} if evaluation else {"evaluated": False}),
                    "reasons": reasons,
                    "attachment": stored.display_name if stored else "",
                    "sha256": stored.sha256 if stored else "",
                },
            )
            notify_organisations(
                organisation_ids=[plan.organiser_id],
                role=Role.OFFICE,
                plan_id=plan.pk,
                title=f"{unit}申请复核：{task.code}",
                body=reasons[:500],
                url=_office_url(plan),
            )
            if task.assessor is not None:  # the desk concerned prepares the office's answer
                notify_organisations(
                    organisation_ids=[task.assessor.organisation_id],
                    role=Role.DESK,
                    plan_id=plan.pk,
                    title=f"{unit}对 {task.code} 申请复核",
                    body=reasons[:500],
                    url=reverse("scoring:history", args=[plan.pk, unit.pk, task.pk]),
                )
    except IntegrityError as exc:
        if stored is not None:
            delete_quietly(stored.name)
        raise ValidationError(f"{task.code} 已有待答复的复核申请") from exc
    except Exception:
        if stored is not None:
            delete_quietly(stored.name)  # no file without a record
        raise
    return review


def review_attachment_open(*, actor: User, plan: Plan, review: ReviewRequest) -> File[bytes]:
    """Open a request's attachment for its unit's members or the office (the caller checked access); audited."""
    if not review.attachment_storage_name:
        raise ValidationError("该复核申请没有附件")
    handle = open_for_download(review.attachment_storage_name)
    audit.record(
        actor=actor,
        action="review.attachment_download",
        obj=review,
        plan_id=plan.pk,
        organisation=review.unit.organisation,
        after={"name": review.attachment_name, "sha256": review.attachment_sha256},
    )
    return handle
