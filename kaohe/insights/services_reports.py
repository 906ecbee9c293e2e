"""Writes of the annual reports (法治政府建设年度报告): the office's deadlines, the unit's filings.

"每年第一季度，本级政府向同级党委、人大常委会和上一级政府报告上一年度法治政府建设情况" and the report is
made public ("报送并公开年度法治政府建设工作报告"). A plan of year N asks for the report on year N, so by default
the report is due 03-31 of year N+1 (end of the first quarter) and must be public by the same day (the
督察工作规定's "4月1日之前向社会公开"); the office may set both dates per plan (the publication date never
before the report date).

The unit files its report — a .docx or .pdf through the ordinary upload checks (size, content sniffing) — with
the address where it was published (http/https) and the date; a later filing without a file keeps the previous
file, so adding the publication address afterwards is one small step. Every filing is a new version, audited;
a filing after the report date is accepted and marked 逾期报送 (lateness is a fact the desk weighs, a refusal
would lose the report). The text of the file is read once, at filing, for the coverage table. Nothing here
changes a score.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, BinaryIO, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kaohe import access
from kaohe.access.plans import own_unit_organisation_ids
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.calendar import to_local_date
from kaohe.core.filetypes import Kind
from kaohe.core.storage import delete_quietly, open_for_download, store_attachment
from kaohe.insights.extract import extract_text
from kaohe.insights.models_reports import AnnualReport, AnnualReportSetting, AnnualReportState, AnnualReportVersion
from kaohe.plans.models import Plan, PlanUnit

MAX_TEXT = 200_000  # characters of report text kept for the coverage table
ACCEPTED = "请上传 .docx 或 .pdf 文件"


def today() -> dt.date:
    return to_local_date(timezone.now())


def default_due(plan: Plan) -> dt.date:
    """03-31 of the year after the plan year: the end of the first quarter in which the report is filed."""
    return dt.date(plan.year + 1, 3, 31)


def due_dates(plan: Plan) -> tuple[dt.date, dt.date]:
    """The plan's (report due, publication due): the office's setting, else :func:`default_due` for both."""
    setting = AnnualReportSetting.objects.filter(plan=plan).first()
    if setting is None:
        return default_due(plan), default_due(plan)
    return setting.report_due, setting.publish_due


def state_of(latest: AnnualReportVersion | None, report_due: dt.date, publish_due: dt.date, on: dt.date) -> AnnualReportState:
    """未报送 / 已报送 / 已公开, or 逾期 when the report (or its publication) is missing after its date."""
    if latest is None:
        return AnnualReportState.OVERDUE if on > report_due else AnnualReportState.MISSING
    if latest.is_published:
        return AnnualReportState.PUBLISHED
    return AnnualReportState.OVERDUE if on > publish_due else AnnualReportState.SUBMITTED


def annual_report_settings_set(*, actor: User, plan: Plan, report_due: dt.date, publish_due: dt.date) -> AnnualReportSetting:
    """The office sets the plan's report and publication due dates."""
    access.require(actor, "plan:settings", plan)
    if report_due.year not in (plan.year, plan.year + 1) or publish_due.year not in (plan.year, plan.year + 1):
        raise ValidationError(f"报送期限和公开期限应在{plan.year}年或{plan.year + 1}年内")
    if publish_due < report_due:
        raise ValidationError("公开期限不能早于报送期限")
    with transaction.atomic():
        setting = AnnualReportSetting.objects.select_for_update().filter(plan=plan).first()
        before: dict[str, Any] = (
            {"report_due": setting.report_due, "publish_due": setting.publish_due}
            if setting is not None
            else {"report_due": default_due(plan), "publish_due": default_due(plan), "default": True}
        )
        if setting is None:
            setting = AnnualReportSetting(plan=plan, report_due=report_due, publish_due=publish_due)
        setting.report_due, setting.publish_due = report_due, publish_due
        setting.full_clean()
        setting.save()
        audit.record(
            actor=actor,
            action="annual_report.settings",
            obj=setting,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
            after={"report_due": report_due, "publish_due": publish_due},
        )
    return setting


def _publication(url: str, published_on: dt.date | None, plan: Plan, on: dt.date) -> tuple[str, dt.date | None]:
    url = (url or "").strip()
    if not url:
        if published_on is not None:
            raise ValidationError("填写了公开日期，请同时填写公开网址")
        return "", None
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError("公开网址须是以 http:// 或 https:// 开头的有效网址") from None
    if len(url) > 500:
        raise ValidationError("公开网址不能超过 500 个字符")
    if published_on is None:
        raise ValidationError("填写了公开网址，请同时填写公开日期")
    if published_on > on:
        raise ValidationError(f"公开日期（{published_on:%Y-%m-%d}）不能晚于今天")
    if published_on.year < plan.year:
        raise ValidationError(f"公开日期（{published_on:%Y-%m-%d}）不能早于{plan.year}年")
    return url, published_on


def annual_report_submit(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    upload: Any = None,
    publication_url: str = "",
    published_on: dt.date | None = None,
) -> AnnualReportVersion:
    """The unit files its annual report (a new version). The first filing needs a file; a later one without a
    file keeps the previous file and text (e.g. to add the publication address)."""
    access.require(actor, "evidence:submit", plan)
    if plan.is_draft:
        raise ValidationError("方案尚未发布")
    if unit.plan_id != plan.pk or unit.organisation_id not in own_unit_organisation_ids(actor, plan):
        raise PermissionDenied
    on = today()
    url, published_on = _publication(publication_url, published_on, plan, on)
    previous = AnnualReportVersion.objects.filter(report__plan=plan, report__unit=unit).order_by("-number").first()
    if upload is None and previous is None:
        raise ValidationError(f"请选择年度报告文件（{ACCEPTED}）")
    if upload is None and previous is not None and (url, published_on) == (previous.publication_url, previous.published_on):
        raise ValidationError("没有新的文件，公开网址和日期也没有变化")
    stored = store_attachment(
        upload, prefix=f"annual-reports/plan-{plan.pk}/unit-{unit.pk}", what="年度报告文件", form="年度报告"
    )
    try:
        if stored is not None:
            extension = stored.display_name.rsplit(".", 1)[-1].lower() if "." in stored.display_name else ""
            if stored.kind not in (Kind.PDF, Kind.WORD) or (stored.kind == Kind.WORD and extension != "docx"):
                raise ValidationError(f"「{stored.display_name}」是{stored.kind.label}，年度报告{ACCEPTED}。年度报告未报送。")
            with open_for_download(stored.name) as handle:
                name = f"report.{'pdf' if stored.kind == Kind.PDF else 'docx'}"
                extraction = extract_text(name, cast("BinaryIO", handle))
            if stored.kind == Kind.WORD and extraction.method == "none":  # a damaged .docx is no report
                raise ValidationError(f"「{stored.display_name}」无法作为 Word 文档打开，可能已损坏。年度报告未报送。")
            file_fields: dict[str, Any] = {
                "file_name": stored.display_name,
                "file_sha256": stored.sha256,
                "file_storage_name": stored.name,
                "file_size": stored.size,
                "text": extraction.text[:MAX_TEXT],
                "text_method": extraction.method,
                "text_note": extraction.note[:200],
            }
        elif previous is not None:
            file_fields = {
                name: getattr(previous, name)
                for name in ("file_name", "file_sha256", "file_storage_name", "file_size", "text", "text_method", "text_note")
            }
        else:  # checked above: the first filing has a file
            raise ValidationError(f"请选择年度报告文件（{ACCEPTED}）")
        report_due, _ = due_dates(plan)
        with transaction.atomic():
            report, created = AnnualReport.objects.select_for_update().get_or_create(plan=plan, unit=unit)
            number = (AnnualReportVersion.objects.filter(report=report).aggregate(n=Max("number"))["n"] or 0) + 1
            version = AnnualReportVersion(
                report=report,
                number=number,
                publication_url=url,
                published_on=published_on,
                submitted_by=actor,
                submitted_at=timezone.now(),
                late=on > report_due,
                **file_fields,
            )
            version.full_clean()
            version.save()
            report.save(update_fields=["updated_at"])
            audit.record(
                actor=actor,
                action="annual_report.submit",
                obj=report,
                plan_id=plan.pk,
                organisation=unit.organisation,
                before={}
                if created or previous is None
                else {"version": previous.number, "publication_url": previous.publication_url},
                after={
                    "version": number,
                    "file": version.file_name,
                    "sha256": version.file_sha256,
                    "new_file": stored is not None,
                    "publication_url": url,
                    "published_on": published_on,
                    "late": version.late,
                },
            )
    except Exception:
        if stored is not None:
            delete_quietly(stored.name)  # no file without a record
        raise
    return version


def annual_report_file_open(*, actor: User, plan: Plan, version: AnnualReportVersion) -> File[bytes]:
    """Open a version's file (the caller checked access); audited."""
    handle = open_for_download(version.file_storage_name)
    audit.record(
        actor=actor,
        action="annual_report.file_download",
        obj=version.report,
        plan_id=plan.pk,
        organisation=version.report.unit.organisation,
        after={"version": version.number, "file": version.file_name, "sha256": version.file_sha256},
    )
    return handle
