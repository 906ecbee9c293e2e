"""Writes of 约谈 and 重点单位: the office's follow-up of the units ranked last.

"对…后5名的考核对象的主要负责人进行约谈，并作为督促整改的重点单位". Once the results are published the office
records each talk (date, the person talked to — the unit's 主要负责人 for the year unless another is named —,
who held it, notes and the minutes as a file through the ordinary upload checks), and marks or unmarks units as
重点单位 with a written reason; their rectification is listed first and marked on the office's 整改 page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.dates import check_date_in_bounds
from kaohe.core.storage import delete_quietly, open_for_download, store_attachment
from kaohe.core.text import clean_text
from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews.models import FocusUnit, Talk
from kaohe.reviews.services_rectification import today

TALK_STATUSES = frozenset({Plan.Status.RESULTS_PUBLISHED, Plan.Status.ARCHIVED})
MAX_NOTES = 4000
MAX_REASON = 1000


def talks_open(plan: Plan) -> bool:
    """约谈 follow the published results."""
    return plan.status in TALK_STATUSES


def talk_record(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    held_on: dt.date,
    held_by: str,
    subject_name: str = "",
    subject_post: str = "",
    notes: str = "",
    upload: Any = None,
) -> Talk:
    """Record one 约谈 of ``unit``. Without a named person, the unit's 主要负责人 for the plan's year is taken."""
    access.require(actor, "rectification:decide", plan)
    if unit.plan_id != plan.pk:
        raise ValidationError("该考核对象不属于本方案")
    if not talks_open(plan):
        raise ValidationError("考核结果公布后才能登记约谈")
    check_date_in_bounds(held_on, plan=plan, field_label="约谈日期")
    if held_on > today():
        raise ValidationError(f"约谈日期（{held_on:%Y-%m-%d}）不能晚于今天")
    held_by = clean_text(held_by, "约谈人", 100)
    subject_name = clean_text(subject_name, "约谈对象", 50, required=False)
    subject_post = clean_text(subject_post, "约谈对象职务", 100, required=False)
    if not subject_name:
        if not unit.leader_name:
            raise ValidationError(f"{unit.organisation.name}尚未填写主要负责人，请填写约谈对象")
        subject_name, subject_post = unit.leader_name, subject_post or unit.leader_post
    notes = clean_text(notes, "约谈情况", MAX_NOTES, required=False)
    stored = store_attachment(upload, prefix=f"talks/plan-{plan.pk}/unit-{unit.pk}", what="约谈记录", form="约谈")
    try:
        with transaction.atomic():
            talk = Talk(
                plan=plan,
                unit=unit,
                held_on=held_on,
                subject_name=subject_name,
                subject_post=subject_post,
                held_by=held_by,
                notes=notes,
                minutes_name=stored.display_name if stored else "",
                minutes_sha256=stored.sha256 if stored else "",
                minutes_storage_name=stored.name if stored else "",
                minutes_size=stored.size if stored else 0,
                recorded_by=actor,
                recorded_at=timezone.now(),
            )
            talk.full_clean()
            talk.save()
            audit.record(
                actor=actor,
                action="talk.record",
                obj=talk,
                plan_id=plan.pk,
                organisation=unit.organisation,
                after={
                    "held_on": held_on.isoformat(),
                    "subject_name": subject_name,
                    "subject_post": subject_post,
                    "held_by": held_by,
                    "minutes_name": talk.minutes_name,
                    "minutes_sha256": talk.minutes_sha256,
                },
            )
    except BaseException:
        if stored is not None:
            delete_quietly(stored.name)
        raise
    return talk


def talk_minutes_open(*, actor: User, plan: Plan, talk: Talk) -> File[bytes]:
    """Open a talk's minutes (the caller checked access); audited."""
    if not talk.minutes_storage_name:
        raise ValidationError("该约谈没有上传约谈记录")
    handle = open_for_download(talk.minutes_storage_name)
    audit.record(
        actor=actor,
        action="talk.minutes_download",
        obj=talk,
        plan_id=plan.pk,
        organisation=talk.unit.organisation,
        after={"file": talk.minutes_name, "sha256": talk.minutes_sha256},
    )
    return handle


def focus_unit_set(*, actor: User, plan: Plan, unit: PlanUnit, reason: str) -> FocusUnit:
    """Mark ``unit`` as a 重点单位 of the plan, with a reason."""
    access.require(actor, "rectification:decide", plan)
    if unit.plan_id != plan.pk:
        raise ValidationError("该考核对象不属于本方案")
    if plan.is_draft:
        raise ValidationError("方案尚未发布")
    reason = clean_text(reason, "列为重点单位的理由", MAX_REASON)
    with transaction.atomic():
        if FocusUnit.objects.select_for_update().filter(plan=plan, unit=unit).exists():
            raise ValidationError(f"{unit.organisation.name}已是重点单位")
        mark = FocusUnit(plan=plan, unit=unit, reason=reason, marked_by=actor, marked_at=timezone.now())
        mark.full_clean()
        mark.save()
        audit.record(
            actor=actor,
            action="focus_unit.set",
            obj=unit,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after={"focus": True, "reason": reason},
        )
    return mark


def focus_unit_clear(*, actor: User, plan: Plan, unit: PlanUnit, reason: str) -> None:
    """No longer a 重点单位: the mark is removed, the reason kept in the audit log."""
    access.require(actor, "rectification:decide", plan)
    if unit.plan_id != plan.pk:
        raise ValidationError("该考核对象不属于本方案")
    reason = clean_text(reason, "取消重点单位的理由", MAX_REASON)
    with transaction.atomic():
        mark = FocusUnit.objects.select_for_update().filter(plan=plan, unit=unit).first()
        if mark is None:
            raise ValidationError(f"{unit.organisation.name}不是重点单位")
        before = {"focus": True, "reason": mark.reason}
        mark.delete()
        audit.record(
            actor=actor,
            action="focus_unit.clear",
            obj=unit,
            plan_id=plan.pk,
            organisation=unit.organisation,
            before=before,
            after={"focus": False, "reason": reason},
        )
