"""Writes of 事件触发报送: a unit records, corrects and removes the events of an event-driven task.

Editable while the task is open for the unit (its deadline, extensions and returns, as uploads) and until the desk
has graded it (the submission 已评价): after that the events are what the grade was given on. Removing an event is
a logged soft delete — the row stays with who and when, and the files uploaded for it stay in the submission.
Evidence for an event is uploaded through ``services.evidence_upload(event=…)``, the one uploader.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.text import clean_text
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions import deadlines
from kaohe.submissions.models import Submission, TaskEvent
from kaohe.submissions.services import needs_evidence, require_open

DESCRIPTION_MAX = 200


def require_editable(actor: User, plan: Plan, unit: PlanUnit, task: Indicator) -> None:
    """PermissionDenied for anyone but the unit on an event-driven task of a running plan; DeadlineClosed once the
    task locks; ValidationError once the desk has graded it."""
    if not access.is_own_unit(actor, unit, plan):
        raise PermissionDenied
    access.require(actor, "evidence:submit", plan)
    if not task.is_event_driven or not needs_evidence(task):
        raise PermissionDenied("该任务不是事件触发报送的任务")
    require_open(plan, unit, task)
    status = Submission.objects.filter(unit=unit, task=task).values_list("status", flat=True).first()
    if status == Submission.Status.EVALUATED:
        raise ValidationError("考核主体已评价该任务，事件不能再登记、修改或删除；如有错误请联系考核主体或考核办")


def _check_date(plan: Plan, occurred_on: dt.date) -> None:
    if not isinstance(occurred_on, dt.date):
        raise ValidationError("请填写有效的事件日期")
    if occurred_on > deadlines.today(timezone.now()):
        raise ValidationError("事件日期不能晚于今天：请在事件发生后登记")
    if occurred_on.year != plan.year:
        raise ValidationError(f"事件日期须在考核年度（{plan.year}年）内")


def _snapshot(event: TaskEvent) -> dict[str, object]:
    return {"task": event.task.code, "occurred_on": event.occurred_on, "description": event.description}


def task_event_record(
    *, actor: User, plan: Plan, unit: PlanUnit, task: Indicator, occurred_on: dt.date, description: str
) -> TaskEvent:
    """Record one event (出庭应诉 on a date, with its 案号); its evidence is then due within the task's working days."""
    require_editable(actor, plan, unit, task)
    _check_date(plan, occurred_on)
    text = clean_text(description, "事件说明", DESCRIPTION_MAX)
    with transaction.atomic():
        event = TaskEvent(plan=plan, unit=unit, task=task, occurred_on=occurred_on, description=text, recorded_by=actor)
        event.full_clean()
        event.save()
        audit.record(
            actor=actor,
            action="task_event.record",
            obj=event,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after=_snapshot(event),
        )
    return event


def task_event_update(*, actor: User, plan: Plan, event: TaskEvent, occurred_on: dt.date, description: str) -> TaskEvent:
    require_editable(actor, plan, event.unit, event.task)
    _check_date(plan, occurred_on)
    text = clean_text(description, "事件说明", DESCRIPTION_MAX)
    with transaction.atomic():
        locked = TaskEvent.objects.select_for_update(of=("self",)).select_related("task").get(pk=event.pk)
        if locked.deleted_at is not None:
            raise ValidationError("该事件已删除")
        before = _snapshot(locked)
        locked.occurred_on, locked.description = occurred_on, text
        locked.full_clean()
        locked.save(update_fields=["occurred_on", "description", "updated_at"])
        audit.record(
            actor=actor,
            action="task_event.update",
            obj=locked,
            plan_id=plan.pk,
            organisation=event.unit.organisation,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def task_event_delete(*, actor: User, plan: Plan, event: TaskEvent) -> TaskEvent:
    """Soft delete: the event leaves the counts, its row and its files stay (shown as 已删除 on the task page)."""
    require_editable(actor, plan, event.unit, event.task)
    with transaction.atomic():
        locked = TaskEvent.objects.select_for_update(of=("self",)).select_related("task").get(pk=event.pk)
        if locked.deleted_at is not None:
            raise ValidationError("该事件已删除")
        locked.deleted_at, locked.deleted_by = timezone.now(), actor
        locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        audit.record(
            actor=actor,
            action="task_event.delete",
            obj=locked,
            plan_id=plan.pk,
            organisation=event.unit.organisation,
            before=_snapshot(locked),
            after={"deleted": True, "files": locked.files.filter(withdrawn_at__isnull=True).count()},
        )
    return locked
