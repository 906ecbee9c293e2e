"""Writes of 整改 (rectification): items from released feedback problems, reports, acceptance, due dates.

Every released feedback problem becomes one rectification item of its unit (``RectificationItem.problem`` is
unique, so creating twice creates nothing new). Items are created in the same transaction as the release
(:func:`create_items_for_feedbacks`, called by ``services.feedback_release``) and, for feedback released
before, by the office in one action (:func:`rectification_items_create`). The unit reports on each item
(text and an optional attachment); the office accepts the report (已通过, final) or sends it back with a reason
(已退回, the unit reports again). Items not yet accepted when the plan is copied into the next year are carried
into that plan (``kaohe.plans.copy``, through ``reviews.plan_copy``): reporting and acceptance then continue through either plan.

Rectification goes on after the results are published, so writes need a plan that is not a draft — except
that a draft next-year plan reaches the items carried into it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.access.plans import own_unit_organisation_ids
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.calendar import to_local_date
from kaohe.core.dates import check_date_in_bounds
from kaohe.core.notifications import notify_organisations
from kaohe.core.storage import delete_quietly, open_for_download, store_attachment
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan
from kaohe.reviews.models import (
    Feedback,
    FeedbackProblem,
    RectificationItem,
    RectificationReport,
    RectificationSetting,
    UnitReport,
    UnitReportVersion,
)

Status = RectificationItem.Status
Outcome = RectificationReport.Outcome

MAX_TEXT = 4000
MAX_FOCUS_REPORT_DAYS = 120  # the model field's bound


def default_due_date(plan: Plan) -> dt.date:
    """05-31 of the year after the plan year: the default rectification due date."""
    return dt.date(plan.year + 1, 5, 31)


# Days given to an item created on or after the plan's due date (an old plan's feedback released late, as in the
# demo): a new item is never born overdue.
LATE_ITEM_DAYS = 60


def due_date_of(plan: Plan, *, on: dt.date | None = None) -> dt.date:
    """The due date of an item created ``on`` (today): the plan's setting, else :func:`default_due_date`; when
    that date is already reached, ``LATE_ITEM_DAYS`` from ``on``."""
    setting = RectificationSetting.objects.filter(plan=plan).first()
    due = setting.due_date if setting is not None else default_due_date(plan)
    on = on or today()
    return due if due > on else on + dt.timedelta(days=LATE_ITEM_DAYS)


def today() -> dt.date:
    return to_local_date(timezone.now())


def is_overdue(item: RectificationItem, on: dt.date) -> bool:
    """Past its due date and still waiting for the unit (待整改 or 已退回); a report awaiting acceptance is not."""
    return item.status in (Status.OPEN, Status.RETURNED) and on > item.due_date


def _unit_url(plan_id: int) -> str:
    return reverse("reviews:rectification_unit", args=[plan_id])


def _office_url(plan_id: int) -> str:
    return reverse("reviews:rectification_office", args=[plan_id])


# --- reads shared with the access checks (kaohe.access.reviews) ------------------------------------------


def items_of(plan: Plan) -> QuerySet[RectificationItem]:
    """The plan's own items and the open items carried into it from earlier years, ready for display."""
    return (
        RectificationItem.objects.filter(Q(plan=plan) | Q(carried_to_plan=plan))
        .select_related("plan", "unit__organisation", "unit__category", "task", "carried_to_plan", "carried_task", "decided_by")
        .order_by("unit__category__order", "unit__organisation__sort_key", "plan__year", "pk")
    )


# --- creation ------------------------------------------------------------------------------------------


def create_items_for_feedbacks(*, actor: User, plan: Plan, feedbacks: Sequence[Feedback]) -> list[RectificationItem]:
    """One item per problem of the released ``feedbacks`` that has none yet; the caller holds the transaction.

    The caller has checked the actor's permission (releasing feedback or ``rectification:decide``). One audit
    event per unit lists its new items. Queries: a constant number plus one audit event per unit.
    """
    released = [f for f in feedbacks if f.is_released and f.plan_id == plan.pk]
    if not released:
        return []
    problems = list(
        FeedbackProblem.objects.filter(feedback__in=released, rectification__isnull=True)
        .select_related("feedback__unit__organisation")
        .order_by("feedback_id", "added_at", "pk")
    )
    if not problems:
        return []
    due = due_date_of(plan)
    items = [
        RectificationItem(
            plan=plan, unit=p.feedback.unit, problem=p, task_id=p.task_id, text=p.text, due_date=due, status=Status.OPEN
        )
        for p in problems
    ]
    RectificationItem.objects.bulk_create(items)
    by_unit: dict[int, list[RectificationItem]] = {}
    for item in items:
        by_unit.setdefault(item.unit_id, []).append(item)
    for unit_items in by_unit.values():
        unit = unit_items[0].unit
        audit.record(
            actor=actor,
            action="rectification.create",
            obj=unit_items[0].problem.feedback,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after={"items": [{"id": i.pk, "text": i.text[:200]} for i in unit_items], "due_date": due},
        )
    return items


def rectification_items_create(*, actor: User, plan: Plan) -> list[RectificationItem]:
    """The office turns the problems of every released feedback into items, once (a second call adds nothing)."""
    access.require(actor, "rectification:decide", plan)
    if plan.is_draft:
        raise ValidationError("方案尚未发布")
    with transaction.atomic():
        feedbacks = list(Feedback.objects.select_for_update().filter(plan=plan, released_at__isnull=False).select_related("unit"))
        items = create_items_for_feedbacks(actor=actor, plan=plan, feedbacks=feedbacks)
        if items:
            notify_organisations(
                organisation_ids=sorted({i.unit.organisation_id for i in items}),
                role=Role.UNIT,
                plan_id=plan.pk,
                title=f"{plan.title}：考核办已列出本单位的整改事项",
                body=f"请在整改期限（{items[0].due_date:%Y-%m-%d}）前逐项报送整改情况。",
                url=_unit_url(plan.pk),
            )
    return items


# --- the unit ------------------------------------------------------------------------------------------


def rectification_report(
    *, actor: User, plan: Plan, item: RectificationItem, text: str, attachment: Any = None
) -> RectificationReport:
    """The unit reports how it rectified the item; refused once the office has accepted it.

    A new report while an earlier one awaits acceptance replaces it (the earlier one stays, marked superseded).
    The optional attachment is stored only after every check has passed and removed again if the row is not saved.
    """
    access.require(actor, "rectification:report", plan)
    if item.unit.organisation_id not in own_unit_organisation_ids(actor, plan) or not (
        item.plan_id == plan.pk or item.carried_to_plan_id == plan.pk
    ):
        raise PermissionDenied
    if item.status == Status.ACCEPTED:
        raise ValidationError("该整改事项已通过验收，不能再报送")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写整改落实情况")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"整改落实情况不能超过 {MAX_TEXT} 字")
    stored = store_attachment(
        attachment, prefix=f"rectification/plan-{item.plan_id}/unit-{item.unit_id}", what="附件", form="整改报告"
    )
    try:
        with transaction.atomic():
            locked = RectificationItem.objects.select_for_update().get(pk=item.pk)
            if locked.status == Status.ACCEPTED:
                raise ValidationError("该整改事项已通过验收，不能再报送")
            now = timezone.now()
            superseded = RectificationReport.objects.filter(item=item, outcome=Outcome.PENDING).update(outcome=Outcome.SUPERSEDED)
            report = RectificationReport(
                item=item,
                text=text,
                attachment_name=stored.display_name if stored else "",
                attachment_sha256=stored.sha256 if stored else "",
                attachment_storage_name=stored.name if stored else "",
                reported_by=actor,
                reported_at=now,
            )
            report.full_clean()
            report.save()
            before = {"status": locked.status}
            item.status = Status.REPORTED
            item.full_clean(validate_unique=False)
            item.save(update_fields=["status", "updated_at"])
            audit.record(
                actor=actor,
                action="rectification.report",
                obj=item,
                plan_id=item.plan_id,
                organisation=item.unit.organisation,
                before=before,
                after={
                    "status": item.status,
                    "report": report.pk,
                    "text": text,
                    "attachment": report.attachment_name,
                    "sha256": report.attachment_sha256,
                    "superseded": superseded,
                },
            )
            notify_organisations(
                organisation_ids=[item.plan.organiser_id],
                role=Role.OFFICE,
                plan_id=plan.pk,
                title=f"{item.unit}报送了整改情况",
                body=f"{item.text[:100]}\n{text[:300]}",
                url=_office_url(plan.pk),
            )
    except Exception:
        if stored is not None:
            delete_quietly(stored.name)  # no file without a record
        raise
    return report


def rectification_attachment_open(*, actor: User, plan: Plan, report: RectificationReport) -> File[bytes]:
    """Open a report's attachment (the caller checked access); audited."""
    if not report.attachment_storage_name:
        raise ValidationError("该整改报告没有附件")
    handle = open_for_download(report.attachment_storage_name)
    audit.record(
        actor=actor,
        action="rectification.attachment_download",
        obj=report.item,
        plan_id=plan.pk,
        organisation=report.item.unit.organisation,
        after={"name": report.attachment_name, "sha256": report.attachment_sha256},
    )
    return handle


# --- the office ----------------------------------------------------------------------------------------


def record_decision(
    report: RectificationReport | UnitReportVersion,
    holder: RectificationItem | UnitReport,
    *,
    accept: bool,
    reason: str,
    actor: User,
) -> None:
    """The office's decision on a pending report, written on the report (its outcome) and on what holds it (an
    整改 item or a unit's 整改情况报告: 已通过 or 已退回), both stamped with who decided and when. Inside the caller's
    transaction, with ``holder`` locked."""
    now = timezone.now()
    report.outcome = report.Outcome.ACCEPTED if accept else report.Outcome.RETURNED
    report.reason = reason
    report.decided_by = actor
    report.decided_at = now
    report.full_clean()
    report.save(update_fields=["outcome", "reason", "decided_by", "decided_at"])
    holder.status = holder.Status.ACCEPTED if accept else holder.Status.RETURNED
    holder.decided_by = actor
    holder.decided_at = now
    holder.full_clean(validate_unique=False)
    holder.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])


def rectification_decide(*, actor: User, plan: Plan, item: RectificationItem, accept: bool, reason: str) -> RectificationItem:
    """Accept the unit's latest report (已通过, final) or send it back with a reason (已退回)."""
    access.require(actor, "rectification:decide", plan)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError("退回整改报告须写明理由")
    if len(reason) > MAX_TEXT:
        raise ValidationError(f"验收意见不能超过 {MAX_TEXT} 字")
    with transaction.atomic():
        locked = RectificationItem.objects.select_for_update().get(pk=item.pk)
        if locked.status != Status.REPORTED:
            raise ValidationError(f"该整改事项当前为“{locked.get_status_display()}”，没有待验收的整改报告")
        report = RectificationReport.objects.filter(item=item, outcome=Outcome.PENDING).order_by("-reported_at", "-pk").first()
        if report is None:
            raise ValidationError("没有待验收的整改报告")
        record_decision(report, item, accept=accept, reason=reason, actor=actor)
        audit.record(
            actor=actor,
            action="rectification.accept" if accept else "rectification.return",
            obj=item,
            plan_id=item.plan_id,
            organisation=item.unit.organisation,
            before={"status": Status.REPORTED, "report": report.pk},
            after={"status": item.status, "reason": reason},
        )
        notify_organisations(
            organisation_ids=[item.unit.organisation_id],
            role=Role.UNIT,
            plan_id=plan.pk,
            title=f"整改报告{'已通过验收' if accept else '被退回，请重新报送'}：{item.text[:40]}",
            body=reason,
            url=_unit_url(plan.pk),
        )
    return item


def rectification_due_change(
    *, actor: User, plan: Plan, item: RectificationItem, due_date: dt.date, reason: str
) -> RectificationItem:
    """The office changes one item's due date, with a written reason (kept in the audit log); the unit is told."""
    access.require(actor, "rectification:decide", plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("调整整改期限须写明理由")
    if len(reason) > MAX_TEXT:
        raise ValidationError(f"理由不能超过 {MAX_TEXT} 字")
    check_date_in_bounds(due_date, plan=plan, field_label="整改期限")
    with transaction.atomic():
        locked = RectificationItem.objects.select_for_update().get(pk=item.pk)
        if locked.status == Status.ACCEPTED:
            raise ValidationError("该整改事项已通过验收，不能再调整期限")
        if locked.due_date == due_date:
            raise ValidationError(f"整改期限已是 {due_date:%Y-%m-%d}")
        before = {"due_date": locked.due_date}
        item.due_date = due_date
        item.full_clean(validate_unique=False)
        item.save(update_fields=["due_date", "updated_at"])
        audit.record(
            actor=actor,
            action="rectification.due_change",
            obj=item,
            plan_id=item.plan_id,
            organisation=item.unit.organisation,
            before=before,
            after={"due_date": due_date, "reason": reason},
        )
        notify_organisations(
            organisation_ids=[item.unit.organisation_id],
            role=Role.UNIT,
            plan_id=plan.pk,
            title=f"整改期限调整为 {due_date:%Y-%m-%d}：{item.text[:40]}",
            body=reason,
            url=_unit_url(plan.pk),
        )
    return item


class _Keep(enum.Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP  # an argument left as it is


def rectification_setting_set(
    *, actor: User, plan: Plan, due_date: dt.date, focus_report_days: int | _Keep | None = KEEP
) -> RectificationSetting:
    """Set the due date given to items created from now on (existing items keep theirs) and, when given, the
    interval in working days of the 重点单位's progress reports (None: no such reports)."""
    access.require(actor, "rectification:decide", plan)
    check_date_in_bounds(due_date, plan=plan, field_label="整改期限")
    if due_date < plan.period_end:
        raise ValidationError("整改期限不能早于考核期间止")
    if isinstance(focus_report_days, int) and not 1 <= focus_report_days <= MAX_FOCUS_REPORT_DAYS:
        raise ValidationError(f"重点单位整改进展报告间隔应为 1 至 {MAX_FOCUS_REPORT_DAYS} 个工作日")
    with transaction.atomic():
        setting = RectificationSetting.objects.select_for_update().filter(plan=plan).first()
        before = {
            "due_date": setting.due_date if setting else default_due_date(plan),
            "focus_report_days": setting.focus_report_days if setting else None,
        }
        if setting is None:
            setting = RectificationSetting(plan=plan, due_date=due_date)
        setting.due_date = due_date
        if not isinstance(focus_report_days, _Keep):
            setting.focus_report_days = focus_report_days
        setting.full_clean(validate_unique=False)
        setting.save()
        audit.record(
            actor=actor,
            action="rectification.setting",
            obj=setting,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
            after={"due_date": due_date, "focus_report_days": setting.focus_report_days},
        )
    return setting


# --- carrying into next year's plan (called by reviews.plan_copy, a copy hook, inside the copy's transaction) ---


def open_items_to_carry(plan: Plan) -> list[RectificationItem]:
    """Items of the plan, or carried into it, not yet accepted: these carry into the next year.

    Items already carried into a later plan (an earlier copy of this plan) stay with that plan.
    """
    return list(items_of(plan).exclude(status=Status.ACCEPTED).exclude(carried_to_plan__year__gt=plan.year))


def carry_items(*, items: Sequence[RectificationItem], plan: Plan, task_by_category_name: dict[str, Any]) -> int:
    """Link each item to next year's ``plan`` and the task of its unit's category there (one bulk update)."""
    for item in items:
        item.carried_to_plan = plan
        item.carried_task = task_by_category_name.get(item.unit.category.name)
    RectificationItem.objects.bulk_update(list(items), ["carried_to_plan", "carried_task"])
    return len(items)
