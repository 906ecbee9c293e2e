"""Writes of the 整改情况报告 (unit report): the unit's one formal report per plan, and the office's decision.

"各考核对象对考核中发现的问题要报单位主要领导审阅，逐项整改，并…以正式文件形式提交整改情况报告": beside the
item-by-item rectification (``services_rectification``), each unit submits one formal document — a PDF or OFD
file (版式文件, so the document read is the document signed), its 文号 and 成文日期, the name and post of its
主要负责人 and the submitting user's confirmation that the 主要负责人 reviewed it. The office accepts it (final)
or returns it with a written reason; the unit then submits a new version. Every version is kept.

The due date is the plan's rectification due date (``RectificationSetting``, default 05-31 of the next year), or the
latest due date of the unit's items when that is later (the report covers them).
A submission after it is **accepted and marked 逾期报送**, not refused: the bulletin makes the rectification "下一
年度依法行政考核的重要内容", so next year's assessment needs the report itself, and lateness is a fact it weighs —
refusing would leave the office with neither the report nor the record of when it came. The office's list shows
units without a report (or with a returned one) after the due date as 已逾期.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.access.plans import own_unit_organisation_ids
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.dates import check_date_in_bounds
from kaohe.core.filetypes import Kind
from kaohe.core.notifications import notify_organisations
from kaohe.core.storage import delete_quietly, open_for_download, store_attachment
from kaohe.core.text import clean_text
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews.models import RectificationItem, RectificationSetting, UnitReport, UnitReportVersion
from kaohe.reviews.services_rectification import default_due_date, record_decision, today

Status = UnitReport.Status
Outcome = UnitReportVersion.Outcome

# A formal document is a fixed-layout file (版式文件): what the office reads is what was signed.
FORMAL_KINDS = frozenset({Kind.PDF, Kind.OFD})
MAX_TEXT = 4000


def unit_report_due_date(plan: Plan) -> dt.date:
    """The plan's rectification due date (the office's setting, else 05-31 of the following year)."""
    setting = RectificationSetting.objects.filter(plan=plan).first()
    return setting.due_date if setting is not None else default_due_date(plan)


def unit_report_due_dates(plan: Plan) -> tuple[dt.date, dict[int, dt.date]]:
    """The plan's due date, and the units (by PlanUnit id) whose report is due later: the report covers the
    unit's items, so it is never due before the latest of them (an item listed after the plan's date gets
    ``LATE_ITEM_DAYS``, or the office moved its date). Two queries whatever the number of units."""
    due = unit_report_due_date(plan)
    latest = RectificationItem.objects.filter(plan=plan).values("unit_id").annotate(latest=Max("due_date")).order_by()
    return due, {row["unit_id"]: row["latest"] for row in latest if row["latest"] > due}


def unit_due_date(plan: Plan, unit: PlanUnit) -> dt.date:
    """When ``unit``'s report is due: see :func:`unit_report_due_dates`."""
    due, later = unit_report_due_dates(plan)
    return later.get(unit.pk, due)


def is_overdue(report: UnitReport | None, due: dt.date, on: dt.date) -> bool:
    """Past the due date with nothing awaiting the office: not submitted, or returned and not resubmitted."""
    return on > due and (report is None or report.status == Status.RETURNED)


def _unit_url(plan_id: int) -> str:
    return reverse("reviews:rectification_unit", args=[plan_id])


def _office_url(plan_id: int) -> str:
    return reverse("reviews:unit_reports", args=[plan_id])


def unit_report_submit(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    upload: Any,
    doc_number: str,
    doc_date: dt.date,
    signer_name: str,
    signer_post: str,
    leader_reviewed: bool,
) -> UnitReportVersion:
    """The unit submits its formal report (a new version); refused once the office has accepted it.

    A version still awaiting the office is superseded by the new one. The file is stored only after every other
    check has passed, and removed again when it is not a formal document or the row is not saved.
    """
    access.require(actor, "rectification:report", plan)
    if plan.is_draft:
        raise ValidationError("方案尚未发布")
    if unit.plan_id != plan.pk or unit.organisation_id not in own_unit_organisation_ids(actor, plan):
        raise PermissionDenied
    doc_number = clean_text(doc_number, "文号", 100)
    signer_name = clean_text(signer_name, "主要负责人姓名", 50)
    signer_post = clean_text(signer_post, "主要负责人职务", 100)
    if not leader_reviewed:
        raise ValidationError("请确认整改情况报告已经本单位主要负责人审阅")
    check_date_in_bounds(doc_date, plan=plan, field_label="成文日期")
    on = today()
    if doc_date > on:
        raise ValidationError(f"成文日期（{doc_date:%Y-%m-%d}）不能晚于今天")
    if upload is None:
        raise ValidationError("请选择整改情况报告文件（PDF 或 OFD）")
    if UnitReport.objects.filter(plan=plan, unit=unit, status=Status.ACCEPTED).exists():
        raise ValidationError("本单位的整改情况报告已通过验收，不能再报送")
    stored = store_attachment(upload, prefix=f"unit-reports/plan-{plan.pk}/unit-{unit.pk}", what="文件", form="整改情况报告")
    if stored is None:
        raise ValidationError("请选择整改情况报告文件（PDF 或 OFD）")
    try:
        if stored.kind not in FORMAL_KINDS:
            raise ValidationError(
                f"「{stored.display_name}」是{stored.kind.label}。整改情况报告须以正式文件提交：请上传 PDF 或 OFD 版式文件"
                "（盖章文件可扫描为 PDF）。整改情况报告未提交。"
            )
        due = unit_due_date(plan, unit)
        with transaction.atomic():
            report, created = UnitReport.objects.select_for_update().get_or_create(plan=plan, unit=unit)
            if report.status == Status.ACCEPTED:
                raise ValidationError("本单位的整改情况报告已通过验收，不能再报送")
            before = {} if created else {"status": report.status}
            superseded = UnitReportVersion.objects.filter(report=report, outcome=Outcome.PENDING).update(
                outcome=Outcome.SUPERSEDED
            )
            number = (UnitReportVersion.objects.filter(report=report).aggregate(n=Max("number"))["n"] or 0) + 1
            version = UnitReportVersion(
                report=report,
                number=number,
                file_name=stored.display_name,
                file_sha256=stored.sha256,
                file_storage_name=stored.name,
                file_size=stored.size,
                doc_number=doc_number,
                doc_date=doc_date,
                signer_name=signer_name,
                signer_post=signer_post,
                leader_reviewed=True,
                submitted_by=actor,
                submitted_at=timezone.now(),
                due_date=due,
                late=on > due,
            )
            version.full_clean()
            version.save()
            report.status = Status.SUBMITTED
            report.decided_by = None
            report.decided_at = None
            report.full_clean(validate_unique=False)
            report.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
            audit.record(
                actor=actor,
                action="unit_report.submit",
                obj=report,
                plan_id=plan.pk,
                organisation=unit.organisation,
                before=before,
                after={
                    "status": report.status,
                    "version": number,
                    "doc_number": doc_number,
                    "doc_date": doc_date,
                    "signer_name": signer_name,
                    "signer_post": signer_post,
                    "leader_reviewed": True,
                    "file": version.file_name,
                    "sha256": version.file_sha256,
                    "late": version.late,
                    "superseded": superseded,
                },
            )
            notify_organisations(
                organisation_ids=[plan.organiser_id],
                role=Role.OFFICE,
                plan_id=plan.pk,
                title=f"{unit.organisation.name}报送了整改情况报告{'（逾期）' if version.late else ''}",
                body=f"{doc_number}，{signer_post}{signer_name}审阅，成文日期 {doc_date:%Y-%m-%d}。",
                url=_office_url(plan.pk),
            )
    except Exception:
        delete_quietly(stored.name)  # no file without a record
        raise
    return version


def unit_report_decide(*, actor: User, plan: Plan, report: UnitReport, accept: bool, reason: str) -> UnitReport:
    """The office accepts the latest version (已通过, final) or returns it with a written reason (已退回)."""
    access.require(actor, "rectification:decide", plan)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError("退回整改情况报告须写明理由")
    if len(reason) > MAX_TEXT:
        raise ValidationError(f"验收意见不能超过 {MAX_TEXT} 字")
    with transaction.atomic():
        locked = UnitReport.objects.select_for_update().select_related("unit__organisation").get(pk=report.pk)
        if locked.plan_id != plan.pk:
            raise PermissionDenied
        if locked.status != Status.SUBMITTED:
            raise ValidationError(f"该整改情况报告当前为“{locked.get_status_display()}”，没有待验收的版本")
        version = UnitReportVersion.objects.filter(report=locked, outcome=Outcome.PENDING).order_by("-number").first()
        if version is None:
            raise ValidationError("没有待验收的整改情况报告")
        record_decision(version, locked, accept=accept, reason=reason, actor=actor)
        audit.record(
            actor=actor,
            action="unit_report.accept" if accept else "unit_report.return",
            obj=locked,
            plan_id=plan.pk,
            organisation=locked.unit.organisation,
            before={"status": Status.SUBMITTED, "version": version.number},
            after={"status": locked.status, "reason": reason},
        )
        notify_organisations(
            organisation_ids=[locked.unit.organisation_id],
            role=Role.UNIT,
            plan_id=plan.pk,
            title=f"{plan.title}：整改情况报告{'已通过验收' if accept else '被退回，请修改后重新报送'}",
            body=reason or f"{version.doc_number} 已通过验收。",
            url=_unit_url(plan.pk),
        )
    return locked


def unit_report_file_open(*, actor: User, plan: Plan, version: UnitReportVersion) -> File[bytes]:
    """Open a version's file (the caller checked access); audited."""
    handle = open_for_download(version.file_storage_name)
    audit.record(
        actor=actor,
        action="unit_report.file_download",
        obj=version.report,
        plan_id=plan.pk,
        organisation=version.report.unit.organisation,
        after={"version": version.number, "file": version.file_name, "sha256": version.file_sha256},
    )
    return handle
