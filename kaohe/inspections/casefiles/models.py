"""案卷集中评查: units' case-file lists, the plan's checklist, reproducible samples, reviewers and their scores.

The flow: units list their 行政执法 / 行政复议 / 规范性文件 / 重大行政决策 files (``CaseFile``) until ``Plan.case_files_deadline`` (or their
``ListingExtension``); the office keeps a checklist per kind (``ChecklistItem``, frozen once any file is scored) and
samples files per unit (``Sample``: seed, snapshot of the list, its digest and the result, so the draw can be
replayed); sampled files (``SampledFile``) go to reviewers on the panel (``CaseReviewer``), never of the unit's
own organisation; a reviewer records a deduction per checklist item (``ItemDeduction``) and submits.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.organisations.models import Organisation
from kaohe.plans.models import Plan, PlanUnit


class CaseReviewer(TimeStampedModel):
    """A person on the plan's case-review panel; never assigned a file of ``organisation`` (their own)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="case_reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评查员", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name="所在单位", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "评查员"
        verbose_name_plural = "评查员"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "user"], name="case_reviewer_once_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.user}（{self.organisation}）"


class CaseFileKind(models.TextChoices):
    """The kinds of file reviewed (each with its own checklist). Order matters: it is the documented tie rule
    of the stratified sample (行政执法 first). A new kind is one more line here (and its default checklist in
    services/checklist.py); the value fits in 20 characters."""

    ENFORCEMENT = "enforcement", "行政执法"
    RECONSIDERATION = "reconsideration", "行政复议"
    NORMATIVE = "normative", "规范性文件"
    MAJOR_DECISION = "major_decision", "重大行政决策"


class CaseFile(TimeStampedModel):
    """One case file listed by a unit (案卷目录)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="case_files")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.CASCADE, related_name="case_files")
    number = models.CharField("案号", max_length=100)
    kind = models.CharField("案卷类型", max_length=20, choices=CaseFileKind.choices)
    decided_on = models.DateField("决定日期")
    handler = models.CharField("承办人", max_length=50)
    note = models.CharField("备注", max_length=500, blank=True)
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "案卷"
        verbose_name_plural = "案卷"
        ordering: ClassVar[list[str]] = ["unit", "kind", "decided_on", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["unit", "number"], name="case_file_number_once_per_unit"),
        ]

    def __str__(self) -> str:
        return self.number


class ListingExtension(TimeStampedModel):
    """The office's later listing deadline for one unit (replaces an earlier extension of that unit)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    unit = models.OneToOneField(
        PlanUnit, verbose_name="考核对象", on_delete=models.CASCADE, related_name="case_listing_extension"
    )
    new_deadline = models.DateField("延至")
    reason = models.CharField("理由", max_length=500)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "案卷目录延期"
        verbose_name_plural = "案卷目录延期"

    def __str__(self) -> str:
        return f"{self.unit} 延至 {self.new_deadline}"


class ReviewSetting(models.Model):
    """Per-plan settings of the review: a file's full mark and blind review (reviewers see codes, not units)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="case_review_setting")
    full_mark = models.DecimalField(
        "案卷满分", default=Decimal(100), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    blind = models.BooleanField("盲评（评查员看不到考核对象名称）", default=False)

    class Meta:
        verbose_name = "评查设置"
        verbose_name_plural = "评查设置"
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(full_mark__gt=0), name="review_setting_full_mark_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} 评查设置"


class ChecklistItem(models.Model):
    """One line of the plan's review checklist (评查表) of one kind of file: deductions range from 0 to ``max_deduction``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="case_checklist")
    kind = models.CharField("案卷类型", max_length=20, choices=CaseFileKind.choices, default=CaseFileKind.ENFORCEMENT)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("评查项目", max_length=100)
    max_deduction = models.DecimalField(
        "最高扣分", max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    description = models.TextField("评查标准", blank=True)

    class Meta:
        verbose_name = "评查项目"
        verbose_name_plural = "评查项目"
        ordering: ClassVar[list[str]] = ["kind", "order", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "kind", "name"], name="checklist_item_name_once_per_kind"),
            models.CheckConstraint(condition=models.Q(max_deduction__gt=0), name="checklist_item_max_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Sample(models.Model):
    """The draw of one unit's files: rule, seed, the list as it was (snapshot + SHA-256) and the result."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="case_samples")
    unit = models.OneToOneField(PlanUnit, verbose_name="考核对象", on_delete=models.CASCADE, related_name="case_sample")
    requested = models.PositiveSmallIntegerField("每单位抽取卷数")
    per_kind = models.JSONField("按类型指定的抽取卷数", null=True, blank=True)
    stratified = models.BooleanField("按类型分层", default=True)
    take_all_if_fewer = models.BooleanField("不足时全部抽取", default=False)
    seed = models.CharField("随机种子", max_length=64)
    snapshot = models.JSONField("抽取时的案卷目录")
    digest = models.CharField("目录摘要(SHA-256)", max_length=64)
    result = models.JSONField("抽取结果（案卷编号）")
    sampled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sampled_at = models.DateTimeField("抽取时间")

    class Meta:
        verbose_name = "案卷抽取"
        verbose_name_plural = "案卷抽取"

    def __str__(self) -> str:
        return f"{self.unit} 抽取 {len(self.result)} 卷"


class SampledFile(models.Model):
    """A sampled file: its blind code, its reviewer and the review (deductions live in ItemDeduction)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待评查"
        DRAFT = "draft", "评查中"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="files")
    case_file = models.OneToOneField(CaseFile, on_delete=models.PROTECT, related_name="sampled")
    position = models.PositiveSmallIntegerField("抽取顺序")
    blind_code = models.PositiveIntegerField("案卷代码")
    reviewer = models.ForeignKey(
        CaseReviewer, verbose_name="评查员", null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    assigned_at = models.DateTimeField("分配时间", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    overall_comment = models.TextField("总体评查意见", blank=True)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    return_reason = models.CharField("退回理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "抽取的案卷"
        verbose_name_plural = "抽取的案卷"
        ordering: ClassVar[list[str]] = ["sample", "position"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "blind_code"], name="sampled_file_blind_code_once_per_plan"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """The name shown in blind review, e.g. 卷-07."""
        return f"卷-{self.blind_code:02d}"

    @property
    def is_submitted(self) -> bool:
        return self.status == SampledFile.Status.SUBMITTED


class ItemDeduction(models.Model):
    """A reviewer's deduction on one checklist item of one sampled file (a comment whenever above 0)."""

    sampled_file = models.ForeignKey(SampledFile, on_delete=models.CASCADE, related_name="deductions")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    deduction = models.DecimalField("扣分", max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    comment = models.TextField("扣分理由", blank=True)

    class Meta:
        verbose_name = "评查扣分"
        verbose_name_plural = "评查扣分"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["sampled_file", "item"], name="item_deduction_once_per_file"),
            models.CheckConstraint(condition=models.Q(deduction__gte=0), name="item_deduction_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} −{self.deduction}"
