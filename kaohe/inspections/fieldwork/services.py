"""Writes of 实地考核: groups and their members, units and dates, the field window, scores and photos.

Every service checks the actor's permission first, validates, runs in one transaction and writes an audit
event (prefix ``fieldwork.``). Scores are not stored here: they land as ordinary evaluations through
``scoring.services.evaluation_record_derived`` (source 实地考核), after this module has checked that the
actor's group holds the unit and that the task is a 实地考核 task of the unit's category.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kaohe import access
from kaohe.access.fieldwork import get_assignment_for_member
from kaohe.accounts.models import User
from kaohe.core import audit, filetypes
from kaohe.core.calendar import Calendar
from kaohe.core.dates import check_date_in_bounds
from kaohe.core.filetypes import Kind
from kaohe.core.storage import CHUNK_SIZE, UploadRejected, delete_quietly, human_size, store_stream
from kaohe.organisations import conflicts
from kaohe.plans.models import Plan, PlanUnit
from kaohe.plans.services import ensure_scoring_open
from kaohe.scoring.models import Evaluation, EvaluationChange
from kaohe.scoring.services import evaluation_record_derived

from . import selectors
from .models import FieldAssignment, FieldGroup, FieldGroupMember, FieldPhoto

DEFAULT_PHOTO_MAX_BYTES = 20 * 1024 * 1024


def photo_max_bytes() -> int:
    """Size limit of one photo (settings.KAOHE_FIELD_PHOTO_MAX_BYTES, default 20 MB)."""
    return int(getattr(settings, "KAOHE_FIELD_PHOTO_MAX_BYTES", DEFAULT_PHOTO_MAX_BYTES))


def _lock_plan(plan: Plan) -> Plan:
    """Serialise the office's changes to one plan's groups (membership and unit uniqueness span groups)."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _group_state(group: FieldGroup) -> dict[str, Any]:
    members = sorted(group.members.select_related("user"), key=lambda m: (not m.is_leader, m.pk))
    return {
        "name": group.name,
        "leader": next((m.user.username for m in members if m.is_leader), ""),
        "members": [m.user.username for m in members],
    }


# --- groups ------------------------------------------------------------------------------------------


def group_save(
    *,
    actor: User,
    plan: Plan,
    name: str,
    leader_id: int,
    member_ids: Iterable[int],
    group: FieldGroup | None = None,
) -> FieldGroup:
    """Create a group (``group`` None) or replace an existing group's name, leader and members.

    Members must hold the 实地考察组 role in an organisation of the plan's region; a person is in at most
    one group of a plan; the leader is a member (added when missing).
    """
    access.require(actor, "fieldwork:manage", plan)
    if group is not None and group.plan_id != plan.pk:
        raise ValidationError("考察组不存在")
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写组名")
    if len(name) > 100:
        raise ValidationError("组名不能超过 100 字")
    wanted = list(dict.fromkeys([leader_id, *member_ids]))
    eligible = {c.user_id: c for c in selectors.candidates(plan)}
    strangers = [uid for uid in wanted if uid not in eligible]
    if strangers:
        raise ValidationError("所选人员中有人不是本地区的实地考察组成员（须在本地区单位持有“实地考察组”角色）")
    with transaction.atomic():
        _lock_plan(plan)
        elsewhere = (
            FieldGroupMember.objects.filter(group__plan=plan, user_id__in=wanted)
            .exclude(group_id=group.pk if group else None)
            .select_related("group", "user")
        )
        taken = [f"{m.user}（已在{m.group.name}）" for m in elsewhere]
        if taken:
            raise ValidationError(f"每人只能加入本方案的一个考察组：{'、'.join(taken)}")
        before = _group_state(group) if group is not None else None
        if group is None:
            group = FieldGroup(plan=plan, name=name, order=FieldGroup.objects.filter(plan=plan).count() + 1)
        else:
            group.name = name
        if FieldGroup.objects.filter(plan=plan, name=name).exclude(pk=group.pk).exists():
            raise ValidationError(f"已有名为“{name}”的考察组")
        group.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                group.save()
        except IntegrityError as exc:
            raise ValidationError(f"已有名为“{name}”的考察组") from exc
        current = {m.user_id: m for m in group.members.all()}
        FieldGroupMember.objects.filter(group=group).exclude(user_id__in=wanted).delete()
        for uid in wanted:
            is_leader = uid == leader_id
            existing = current.get(uid)
            if existing is None:
                FieldGroupMember.objects.create(
                    group=group, user_id=uid, organisation=eligible[uid].organisation, is_leader=is_leader
                )
            elif existing.is_leader != is_leader:
                existing.is_leader = is_leader
                existing.save(update_fields=["is_leader", "updated_at"])
        audit.record(
            actor=actor,
            action="fieldwork.group_create" if before is None else "fieldwork.group_update",
            obj=group,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
            after=_group_state(group),
        )
    return group


def group_delete(*, actor: User, plan: Plan, group: FieldGroup) -> None:
    """Dissolve a group that has no units left and no photos (its members lose their plan role)."""
    access.require(actor, "fieldwork:manage", plan)
    with transaction.atomic():
        _lock_plan(plan)
        if group.assignments.exists():
            raise ValidationError(f"{group.name}还有分配的考核对象，请先取消分配")
        if group.photos.exists():
            raise ValidationError(f"{group.name}已上传实地考核照片，不能解散")
        before = _group_state(group)
        audit.record(
            actor=actor,
            action="fieldwork.group_delete",
            obj=group,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
        )
        group.delete()


# --- units and dates ---------------------------------------------------------------------------------


def check_visit_date(plan: Plan, day: dt.date) -> None:
    """Inside the plan's 实地考核 window when one is set (the plan's date window otherwise)."""
    check_date_in_bounds(day, plan=plan, field_label="考察日期")
    if plan.field_start and plan.field_end and not (plan.field_start <= day <= plan.field_end):
        raise ValidationError(f"考察日期须在实地考核时间 {plan.field_start:%Y-%m-%d} 至 {plan.field_end:%Y-%m-%d} 之内")


def assignment_set(
    *,
    actor: User,
    plan: Plan,
    group: FieldGroup,
    unit: PlanUnit,
    visit_date: dt.date,
    address: str = "",
    calendar: Calendar | None = None,
) -> tuple[FieldAssignment, list[str]]:
    """Give ``unit`` to ``group`` on ``visit_date`` (or change the date/address of its assignment).

    A unit belongs to at most one group per plan: assigning a unit another group holds is refused.
    Returns the assignment and warnings (a weekend or holiday, from the working-day calendar).
    """
    access.require(actor, "fieldwork:manage", plan)
    if group.plan_id != plan.pk or unit.plan_id != plan.pk:
        raise ValidationError("考察组或考核对象不属于本方案")
    check_visit_date(plan, visit_date)
    address = (address or "").strip()
    if len(address) > 200:
        raise ValidationError("考察地点不能超过 200 字")
    with transaction.atomic():
        _lock_plan(plan)
        existing = FieldAssignment.objects.select_related("group").filter(plan=plan, unit=unit).first()
        if existing is not None and existing.group_id != group.pk:
            raise ValidationError(
                f"“{unit.organisation.name}”已分配给{existing.group.name}；一个考核对象只能由一个考察组考察，"
                "如需调整请先在原组取消分配"
            )
        before = {"group": existing.group.name, "date": existing.visit_date, "address": existing.address} if existing else None
        assignment = existing or FieldAssignment(plan=plan, group=group, unit=unit, visit_date=visit_date)
        assignment.visit_date = visit_date
        assignment.address = address
        assignment.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError as exc:  # a concurrent assignment of the same unit
            raise ValidationError(f"“{unit.organisation.name}”已分配给其他考察组") from exc
        audit.record(
            actor=actor,
            action="fieldwork.assign" if existing is None else "fieldwork.reschedule",
            obj=assignment,
            plan_id=plan.pk,
            organisation=unit.organisation,
            before=before,
            after={"group": group.name, "unit": unit.organisation.name, "date": visit_date, "address": address},
        )
    warnings = []
    note = selectors.day_note(calendar or Calendar.from_database(), visit_date)
    if note:
        warnings.append(f"{visit_date:%Y-%m-%d} 是{note}，请确认考察日期")
    # 回避: the assignment stands (the office may still swap members), but the member cannot score this unit.
    warnings += [f"{pair}；该成员不能为其评分，请调整考察组" for pair in selectors.conflicting_pairs(plan, unit_id=unit.pk)]
    return assignment, warnings


def assignment_remove(*, actor: User, plan: Plan, assignment: FieldAssignment) -> None:
    """Take a unit off its group's schedule (scores already recorded stay as evaluations)."""
    access.require(actor, "fieldwork:manage", plan)
    if assignment.plan_id != plan.pk:
        raise ValidationError("安排不存在")
    with transaction.atomic():
        _lock_plan(plan)
        audit.record(
            actor=actor,
            action="fieldwork.unassign",
            obj=assignment,
            plan_id=plan.pk,
            organisation=assignment.unit.organisation,
            before={"group": assignment.group.name, "unit": assignment.unit.organisation.name, "date": assignment.visit_date},
        )
        assignment.delete()


def window_set(*, actor: User, plan: Plan, start: dt.date | None, end: dt.date | None) -> Plan:
    """Set (or clear) the plan's 实地考核 window; every scheduled date must stay inside it."""
    access.require(actor, "fieldwork:manage", plan)
    if (start is None) != (end is None):
        raise ValidationError("请同时填写开始和结束日期（或都不填）")
    for day, label in ((start, "实地考核开始日期"), (end, "实地考核结束日期")):
        if day is not None:
            check_date_in_bounds(day, plan=plan, field_label=label)
    if start and end and end < start:
        raise ValidationError("结束日期不能早于开始日期")
    with transaction.atomic():
        locked = _lock_plan(plan)
        if start and end:
            outside = (
                FieldAssignment.objects.filter(plan=plan)
                .exclude(visit_date__range=(start, end))
                .select_related("unit__organisation")
            )
            names = [f"{a.unit.organisation.name}（{a.visit_date:%Y-%m-%d}）" for a in outside[:5]]
            if names:
                raise ValidationError(f"以下考察日期不在新的时间范围内，请先调整：{'、'.join(names)}")
        before = {"field_start": locked.field_start, "field_end": locked.field_end}
        locked.field_start, locked.field_end = start, end
        locked.save(update_fields=["field_start", "field_end", "updated_at"])
        audit.record(
            actor=actor,
            action="fieldwork.window_set",
            obj=locked,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
            after={"field_start": start, "field_end": end},
        )
    plan.field_start, plan.field_end = start, end
    return locked


# --- the member's scores and photos ------------------------------------------------------------------


def member_conflict(actor: User, assignment: FieldAssignment) -> str:
    """回避 of a member for the assigned unit: the organisation they were drawn from, or any membership they
    hold now, on the unit's organisation line ("" when there is none)."""
    drawn_from = [
        m.organisation
        for m in FieldGroupMember.objects.filter(group=assignment.group, user=actor).select_related("organisation__parent")
    ]
    return conflicts.person_conflict(actor, assignment.unit.organisation, also=drawn_from)


def ensure_no_conflict(actor: User, assignment: FieldAssignment) -> None:
    """Refuse a member's score for a unit on their own organisation line (回避)."""
    reason = member_conflict(actor, assignment)
    if reason:
        raise ValidationError(reason)


def field_score_record(
    *, actor: User, plan: Plan, unit_id: int, task_id: int, score: str, reason: str, expected_version: int
) -> Evaluation:
    """A member's score for a 实地考核 task of a unit their group holds (404 for any other unit or task).

    回避: a member on the unit's organisation line is refused (``ensure_no_conflict``).
    The value checks, the version check (StaleEvaluation), the freeze after publication, the history and
    the audit event are those of ``evaluation_record_derived``; ``expected_version`` is the version the form
    was loaded with (0 when there was no evaluation yet).
    """
    assignment = get_assignment_for_member(actor, plan, unit_id)
    task = selectors.get_field_task(assignment, task_id)
    ensure_no_conflict(actor, assignment)
    return evaluation_record_derived(
        actor=actor,
        plan=plan,
        unit=assignment.unit,
        task=task,
        score=score,
        reason=reason,
        source=EvaluationChange.Source.FIELD,
        expected_version=expected_version,
        detail={"group": assignment.group.name},
    )


def _require_image(upload: Any) -> None:
    """Refuse anything whose bytes are not an image before it is stored (the name alone proves nothing)."""
    name = getattr(upload, "name", "") or ""
    try:
        head = upload.read(CHUNK_SIZE)
        upload.seek(0)
    except Exception as exc:
        raise ValidationError("上传中断，照片未保存，请重新上传") from exc
    detection = filetypes.detect(head, name, tail=None)
    if not detection.accepted:
        raise ValidationError(f"照片未保存：{detection.reason}")
    if detection.kind is not Kind.IMAGE:
        raise ValidationError(f"只能上传照片（JPG、PNG、HEIC 等图片），该文件是{detection.label}")


def photo_add(*, actor: User, plan: Plan, unit_id: int, task_id: int, upload: Any) -> FieldPhoto:
    """Store a member's photo for a task of a unit their group holds: images only, size-limited."""
    assignment = get_assignment_for_member(actor, plan, unit_id)
    task = selectors.get_field_task(assignment, task_id)
    ensure_scoring_open(plan)
    _require_image(upload)
    limit = photo_max_bytes()
    try:
        stored = store_stream(
            upload,
            prefix=f"fieldwork/plan-{plan.pk}/unit-{assignment.unit_id}/task-{task.pk}",
            original_name=getattr(upload, "name", "") or "",
            max_bytes=limit,
        )
    except UploadRejected as exc:
        message = exc.message if "大小上限" not in exc.message else f"照片超过大小上限（{human_size(limit)}）"
        raise ValidationError(f"照片未保存：{message}") from exc
    if stored.kind != Kind.IMAGE:  # store_stream sniffed again; keep the promise "images only" whatever happened
        delete_quietly(stored.name)
        raise ValidationError("只能上传照片（JPG、PNG、HEIC 等图片）")
    try:
        with transaction.atomic():
            photo = FieldPhoto.objects.create(
                plan=plan,
                unit=assignment.unit,
                task=task,
                group=assignment.group,
                uploaded_by=actor,
                uploaded_at=timezone.now(),
                storage_name=stored.name,
                display_name=stored.display_name,
                size=stored.size,
                sha256=stored.sha256,
                mime=stored.mime,
            )
            audit.record(
                actor=actor,
                action="fieldwork.photo_add",
                obj=photo,
                plan_id=plan.pk,
                organisation=assignment.unit.organisation,
                after={"task": task.code, "file": stored.display_name, "size": stored.size, "sha256": stored.sha256},
            )
    except BaseException:
        delete_quietly(stored.name)
        raise
    return photo


def photo_delete(*, actor: User, plan: Plan, photo: FieldPhoto) -> None:
    """A member removes a photo they uploaded (while scores may change); the stored file goes after commit."""
    if photo.plan_id != plan.pk or photo.uploaded_by_id != getattr(actor, "pk", None):
        raise PermissionDenied
    get_assignment_for_member(actor, plan, photo.unit_id)
    ensure_scoring_open(plan)
    name = photo.storage_name
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="fieldwork.photo_delete",
            obj=photo,
            plan_id=plan.pk,
            organisation=photo.unit.organisation,
            before={"task": photo.task.code, "file": photo.display_name, "sha256": photo.sha256},
        )
        photo.delete()
        transaction.on_commit(lambda: delete_quietly(name))
