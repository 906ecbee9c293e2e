"""Annual reports (法治政府建设年度报告): each unit's report for the plan year, its publication and versions."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.plans.models import Plan, PlanUnit

__all__ = ["AnnualReport", "AnnualReportSetting", "AnnualReportState", "AnnualReportVersion"]


class AnnualReportState(models.TextChoices):
    """Where a unit's annual report stands (computed, not stored): see ``services_reports.state_of``."""

    MISSING = "missing", "未报送"
    SUBMITTED = "submitted", "已报送"
    PUBLISHED = "published", "已公开"
    OVERDUE = "overdue", "逾期"


class AnnualReportSetting(models.Model):
    """The plan's deadlines for the annual reports (defaults: 03-31 of the year after the plan year, both)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="annual_report_setting")
    report_due = models.DateField("报送期限")
    publish_due = models.DateField("公开期限")

    class Meta:
        verbose_name = "年度报告设置"
        verbose_name_plural = "年度报告设置"
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(publish_due__gte=models.F("report_due")), name="annual_report_publish_after_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} 年度报告设置"


class AnnualReport(TimeStampedModel):
    """法治政府建设年度报告 of one unit for the plan's year; its versions hold the file and the publication."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="annual_reports")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="annual_reports")

    class Meta:
        verbose_name = "法治政府建设年度报告"
        verbose_name_plural = "法治政府建设年度报告"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "unit"], name="annual_report_one_per_unit_and_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} 法治政府建设年度报告"


class AnnualReportVersion(models.Model):
    """One filing of a unit's annual report: the file (kept from the previous version when none is given), the
    publication address and date, and the file's text for the coverage table."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    file_name = models.CharField("文件", max_length=300)
    file_sha256 = models.CharField(max_length=64)
    file_storage_name = models.CharField(max_length=300)
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    publication_url = models.URLField("公开网址", max_length=500, blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True)
    text = models.TextField("报告文字", blank=True)
    text_method = models.CharField("读取方式", max_length=16, blank=True)
    text_note = models.CharField("读取说明", max_length=200, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间")
    late = models.BooleanField("逾期报送", default=False)

    class Meta:
        verbose_name = "年度报告版本"
        verbose_name_plural = "年度报告版本"
        ordering: ClassVar[list[str]] = ["report_id", "number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["report", "number"], name="annual_report_version_number"),
            models.CheckConstraint(
                condition=models.Q(publication_url="", published_on__isnull=True)
                | (~models.Q(publication_url="") & models.Q(published_on__isnull=False)),
                name="annual_report_publication_url_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} 第{self.number}版"

    @property
    def is_published(self) -> bool:
        return bool(self.publication_url)
