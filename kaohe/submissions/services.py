"""Writes of evidence: uploads, withdrawals, details, returns, re-submission, extensions, reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.access.evidence import get_unit_task_for_user
from kaohe.access.plans import desk_ids
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.dates import check_date_in_bounds
from kaohe.core.notifications import notify_organisations
from kaohe.core.storage import UploadRejected, delete_quietly, store_stream
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions import deadlines
from kaohe.submissions.models import EvidenceFile, Extension, Submission, SupplementRequest, TaskEvent


class DeadlineClosed(Exception):
    def __init__(self, deadline: dt.date) -> None:
        self.deadline = deadline
        self.message = (
            f"该任务已于 {deadline:%Y-%m-%d} 截止，不能再报送或修改；已报送的资料保持不变。如确有需要，请联系考核办申请延期。"
        )
        super().__init__(self.message)


def needs_evidence(task: Indicator) -> bool:
    """Tasks whose method asks the unit for materials."""
    return task.level == Level.TASK and (
        task.method == Method.SUBMISSION or (task.method == Method.OTHER and bool(task.materials))
    )


def deadline_for(plan: Plan, unit: PlanUnit, task: Indicator) -> dt.date | None:
    extensions = Extension.objects.filter(plan=plan, task=task).filter(unit__isnull=True) | Extension.objects.filter(
        plan=plan, task=task, unit=unit
    )
    open_return = (
        SupplementRequest.objects.filter(submission__unit=unit, submission__task=task, resolved_at__isnull=True)
        .order_by("-due_date")
        .first()
    )
    return deadlines.effective_deadline(
        task_deadline=task.deadline,
        plan_deadline=plan.submission_deadline,
        extensions=[e.new_deadline for e in extensions],
        return_due=open_return.due_date if open_return else None,
    )


def require_open(plan: Plan, unit: PlanUnit, task: Indicator) -> None:
    if plan.status != Plan.Status.PUBLISHED:
        raise PermissionDenied("方案未处于考核进行中")
    deadline = deadline_for(plan, unit, task)
    if not deadlines.is_open(deadline, timezone.now()):
        assert deadline is not None  # noqa: S101 - is_open is True for None
        raise DeadlineClosed(deadline)


def _locked_submission(plan: Plan, unit: PlanUnit, task: Indicator) -> Submission:
    submission, _ = Submission.objects.get_or_create(plan=plan, unit=unit, task=task)
    return Submission.objects.select_for_update().get(pk=submission.pk)


def _refresh_status(submission: Submission) -> None:
    has_files = submission.files.filter(withdrawn_at__isnull=True).exists()
    has_evidence = has_files or bool(submission.links)
    if submission.status == Submission.Status.RETURNED:
        return
    if submission.status in (Submission.Status.EMPTY, Submission.Status.SUBMITTED):
        submission.status = Submission.Status.SUBMITTED if has_evidence else Submission.Status.EMPTY
    if has_evidence and submission.first_submitted_at is None:
        submission.first_submitted_at = timezone.now()


@dataclass(frozen=True)
class UploadResult:
    name: str
    accepted: bool
    message: str
    file_id: int | None = None
    sha256: str = ""
    size: int = 0
    version: int = 0  # v1, v2 … among this task's files of the same name
    warning: str = ""  # accepted, but identical to a file already uploaded (same SHA-256)


def duplicate_warning(*, plan: Plan, submission: Submission, sha256: str) -> tuple[str, str]:
    """(warning, scope) when an active file of the plan has the same SHA-256: this task first, then another task of
    the unit, then another unit — whose name is never told. ("", "") when the content is new."""
    same = list(
        EvidenceFile.objects.filter(sha256=sha256, submission__plan=plan, withdrawn_at__isnull=True)
        .select_related("submission__task")
        .order_by("uploaded_at", "id")
    )
    here = [f for f in same if f.submission_id == submission.pk]
    if here:
        return f"该文件与本任务已上传的“{here[0].display_name}”完全相同（SHA-256 一致），请确认是否重复上传", "same_task"
    own = [f for f in same if f.submission.unit_id == submission.unit_id]
    if own:
        task = own[0].submission.task
        return (
            f"该文件与本单位在 {task.code} 已上传的“{own[0].display_name}”完全相同（SHA-256 一致），请确认是否传错任务",
            "same_unit",
        )
    if same:
        return "该文件与其他考核对象已上传的文件完全相同（SHA-256 一致），请确认是本单位的材料", "other_unit"
    return "", ""


def evidence_upload(
    *, actor: User, plan: Plan, unit: PlanUnit, task: Indicator, files: Iterable[Any], event: TaskEvent | None = None
) -> list[UploadResult]:
    """Store each file and record it; each file succeeds or fails on its own, with a reason.

    ``event``: on an event-driven task, the recorded event these files are evidence of (its upload time decides
    按时 / 逾期)."""
    if not access.is_own_unit(actor, unit, plan):
        raise PermissionDenied
    access.require(actor, "evidence:submit", plan)
    if not needs_evidence(task):
        raise PermissionDenied("该任务不需要报送资料")
    if event is not None and (
        event.unit_id != unit.pk or event.task_id != task.pk or event.deleted_at is not None or not task.is_event_driven
    ):
        raise ValidationError("所选事件不属于该任务或已删除")
    require_open(plan, unit, task)
    max_bytes = settings.KAOHE_EVIDENCE_MAX_BYTES
    results: list[UploadResult] = []
    prefix = f"evidence/plan-{plan.pk}/unit-{unit.pk}/task-{task.pk}"
    for upload in files:
        name = getattr(upload, "name", "") or ""
        try:
            stored = store_stream(upload, prefix=prefix, original_name=name, max_bytes=max_bytes)
        except UploadRejected as exc:
            results.append(UploadResult(name=name, accepted=False, message=exc.message))
            continue
        try:
            with transaction.atomic():
                submission = _locked_submission(plan, unit, task)
                warning, scope = duplicate_warning(plan=plan, submission=submission, sha256=stored.sha256)
                version = submission.files.filter(display_name=stored.display_name).count() + 1
                evidence = EvidenceFile(
                    submission=submission,
                    storage_name=stored.name,
                    display_name=stored.display_name,
                    size=stored.size,
                    sha256=stored.sha256,
                    kind=stored.kind,
                    mime=stored.mime,
                    uploaded_by=actor,
                    uploaded_at=timezone.now(),
                    event=event,
                )
                evidence.full_clean()
                evidence.save()
                _refresh_status(submission)
                submission.version += 1
                submission.last_changed_at = timezone.now()
                submission.save(update_fields=["status", "first_submitted_at", "version", "last_changed_at", "updated_at"])
                audit.record(
                    actor=actor,
                    action="evidence.upload",
                    obj=evidence,
                    plan_id=plan.pk,
                    organisation=unit.organisation,
                    after={
                        "task": task.code,
                        "file": stored.display_name,
                        "size": stored.size,
                        "sha256": stored.sha256,
                        "kind": stored.kind,
                        "version": version,
                        **({"identical_to": scope} if scope else {}),
                        **({"event": event.pk, "event_date": event.occurred_on} if event is not None else {}),
                    },
                )
        except Exception:
            delete_quietly(stored.name)  # no record may point at a missing file, and no file without a record
            raise
        results.append(
            UploadResult(
                name=stored.display_name,
                accepted=True,
                message=f"已上传（v{version}）",
                file_id=evidence.pk,
                sha256=stored.sha256,
                size=stored.size,
                version=version,
                warning=warning,
            )
        )
    return results


def evidence_withdraw(*, actor: User, plan: Plan, evidence: EvidenceFile) -> EvidenceFile:
    submission = evidence.submission
    unit, task = get_unit_task_for_user(actor, plan, submission.unit_id, submission.task_id, write=True)
    require_open(plan, unit, task)
    with transaction.atomic():
        locked = _locked_submission(plan, unit, task)
        evidence = EvidenceFile.objects.select_for_update().get(pk=evidence.pk)
        if evidence.withdrawn_at is not None:
            raise ValidationError("该文件已撤回")
        evidence.withdrawn_at = timezone.now()
        evidence.withdrawn_by = actor
        evidence.save(update_fields=["withdrawn_at", "withdrawn_by"])
        _refresh_status(locked)
        locked.version += 1
        locked.last_changed_at = timezone.now()
        locked.save(update_fields=["status", "first_submitted_at", "version", "last_changed_at", "updated_at"])
        audit.record(
            actor=actor,
            action="evidence.withdraw",
            obj=evidence,
            plan_id=plan.pk,
            organisation=unit.organisation,
            before={"file": evidence.display_name, "sha256": evidence.sha256, "active": True},
            after={"active": False},
        )
    return evidence


def _clean_links(raw: str) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    errors: list[str] = []
    for line_no, line in enumerate(raw.splitlines(), start=1):
        url = line.strip()
        if not url:
            continue
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 500:
            errors.append(f"第 {line_no} 行不是有效的网址（须以 http:// 或 https:// 开头）：{url[:60]}")
        else:
            links.append({"url": url})
    if len(links) > 20:
        errors.append("链接最多 20 个")
    if errors:
        raise ValidationError(errors)
    return links


def submission_update_details(
    *, actor: User, plan: Plan, unit: PlanUnit, task: Indicator, note: str, links_text: str
) -> Submission:
    unit, task = get_unit_task_for_user(actor, plan, unit.pk, task.pk, write=True)
    if not needs_evidence(task):
        raise PermissionDenied("该任务不需要报送资料")
    require_open(plan, unit, task)
    links = _clean_links(links_text)
    if len(note) > 2000:
        raise ValidationError("说明不能超过 2000 字")
    with transaction.atomic():
        submission = _locked_submission(plan, unit, task)
        before = {"note": submission.note, "links": submission.links}
        submission.note = note.strip()
        submission.links = links
        _refresh_status(submission)
        submission.version += 1
        submission.last_changed_at = timezone.now()
        submission.full_clean()
        submission.save(
            update_fields=["note", "links", "status", "first_submitted_at", "version", "last_changed_at", "updated_at"]
        )
        audit.record(
            actor=actor,
            action="evidence.details",
            obj=submission,
            plan_id=plan.pk,
            organisation=unit.organisation,
            before=before,
            after={"note": submission.note, "links": submission.links},
        )
    return submission


def submission_return(*, actor: User, plan: Plan, submission: Submission, reason: str, due_date: dt.date) -> SupplementRequest:
    """退回补充 by the desk responsible for the task; the unit may upload again until ``due_date``."""
    access.require(actor, "evidence:return", plan)
    task = submission.task
    if task.assessor_id is None or task.assessor_id not in desk_ids(actor, plan):
        raise PermissionDenied("只有负责该任务的考核主体可以退回")
    if not reason.strip():
        raise ValidationError("请填写退回理由")
    check_date_in_bounds(due_date, plan=plan, field_label="补充截止日期")
    if due_date < deadlines.today(timezone.now()):
        raise ValidationError("补充截止日期不能早于今天")
    with transaction.atomic():
        locked = Submission.objects.select_for_update(of=("self",)).select_related("unit__organisation").get(pk=submission.pk)
        if locked.status not in (Submission.Status.SUBMITTED,):
            raise ValidationError(f"当前状态为“{locked.get_status_display()}”，只有已报送的资料可以退回补充")
        request = SupplementRequest(
            submission=locked, desk_id=task.assessor_id, reason=reason.strip(), due_date=due_date, requested_by=actor
        )
        request.full_clean()
        request.save()
        locked.status = Submission.Status.RETURNED
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        audit.record(
            actor=actor,
            action="evidence.return",
            obj=locked,
            plan_id=plan.pk,
            organisation=locked.unit.organisation,
            before={"status": Submission.Status.SUBMITTED},
            after={"status": locked.status, "reason": request.reason, "due_date": due_date},
        )
        notify_organisations(
            organisation_ids=[locked.unit.organisation_id],
            role=Role.UNIT,
            plan_id=plan.pk,
            title=f"退回补充：{task.code} {task.name[:40]}",
            body=f"{request.reason}（请于 {due_date:%Y-%m-%d} 前补充）",
            url=f"/plans/{plan.pk}/evidence/{locked.unit_id}/tasks/{task.pk}/",
        )
    return request


def submission_resubmit(*, actor: User, plan: Plan, submission: Submission) -> Submission:
    """The unit reports its supplement done: the open return is resolved and the submission is 已报送 again."""
    unit, task = get_unit_task_for_user(actor, plan, submission.unit_id, submission.task_id, write=True)
    require_open(plan, unit, task)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != Submission.Status.RETURNED:
            raise ValidationError("该任务没有待补充的退回")
        now = timezone.now()
        SupplementRequest.objects.filter(submission=locked, resolved_at__isnull=True).update(resolved_at=now)
        locked.status = Submission.Status.SUBMITTED
        locked.version += 1
        locked.last_changed_at = now
        locked.save(update_fields=["status", "version", "last_changed_at", "updated_at"])
        audit.record(
            actor=actor,
            action="evidence.resubmit",
            obj=locked,
            plan_id=plan.pk,
            organisation=unit.organisation,
            before={"status": Submission.Status.RETURNED},
            after={"status": locked.status},
        )
    return locked


def extension_grant(
    *, actor: User, plan: Plan, task: Indicator, unit: PlanUnit | None, new_deadline: dt.date, reason: str
) -> Extension:
    access.require(actor, "evidence:extend", plan)
    if task.plan_id != plan.pk or task.level != Level.TASK:
        raise ValidationError("工作任务不属于本方案")
    if unit is not None and (unit.plan_id != plan.pk or unit.category_id != task.category_id):
        raise ValidationError("该考核对象没有这项工作任务")
    if not reason.strip():
        raise ValidationError("请填写延期理由")
    check_date_in_bounds(new_deadline, plan=plan, field_label="延期后的日期")
    base = task.deadline or plan.submission_deadline
    if base is not None and new_deadline <= base:
        raise ValidationError(f"延期后的日期须晚于原截止日期 {base:%Y-%m-%d}")
    with transaction.atomic():
        extension = Extension(plan=plan, task=task, unit=unit, new_deadline=new_deadline, reason=reason.strip(), granted_by=actor)
        extension.full_clean()
        extension.save()
        audit.record(
            actor=actor,
            action="evidence.extend",
            obj=extension,
            plan_id=plan.pk,
            organisation=unit.organisation if unit else plan.organiser,
            after={
                "task": task.code,
                "unit": unit.organisation.name if unit else "全部考核对象",
                "new_deadline": new_deadline,
                "reason": extension.reason,
            },
        )
        if unit is not None:
            org_ids = [unit.organisation_id]
        else:
            org_ids = list(
                PlanUnit.objects.filter(plan=plan, category_id=task.category_id).values_list("organisation_id", flat=True)
            )
        notify_organisations(
            organisation_ids=org_ids,
            role=Role.UNIT,
            plan_id=plan.pk,
            title=f"延期：{task.code} {task.name[:40]}",
            body=f"报送截止延至 {new_deadline:%Y-%m-%d}。{extension.reason}",
            url=(
                reverse("submissions:task", args=[plan.pk, unit.pk, task.pk])
                if unit is not None
                else reverse("submissions:workspace", args=[plan.pk])
            ),
        )
    return extension


def reminders_send(*, actor: User, plan: Plan) -> int:
    """Remind every unit with empty, still-open evidence tasks; returns the number of units reminded."""
    from kaohe.submissions.selectors import empty_open_tasks_by_unit

    access.require(actor, "evidence:overview", plan)
    by_unit = empty_open_tasks_by_unit(plan, timezone.now())
    with transaction.atomic():
        for unit, tasks in by_unit:
            codes = "、".join(t.code for t in tasks[:10]) + ("等" if len(tasks) > 10 else "")
            notify_organisations(
                organisation_ids=[unit.organisation_id],
                role=Role.UNIT,
                plan_id=plan.pk,
                title=f"催报：尚有 {len(tasks)} 项工作任务未报送资料",
                body=f"未报送：{codes}。请在截止前报送。",
                url=f"/plans/{plan.pk}/evidence/",
            )
        audit.record(
            actor=actor, action="evidence.remind", plan_id=plan.pk, organisation=plan.organiser, after={"units": len(by_unit)}
        )
    return len(by_unit)
