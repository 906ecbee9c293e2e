"""问题反馈 and 问题复核 (PDS L58–59, rules.md §A5).

Feedback runs all year, in rounds ("问题反馈贯穿整个考核年度…随时发现问题，随时反馈"). The office records
problems of a unit at any time; unreleased, they sit in the unit's one draft (a ``Feedback`` without
``released_at``) that the unit never sees. Releasing the draft makes it the unit's next round (第1轮,
第2轮 …), either an in-year 问题反馈 (the problems, with the current scores of the tasks they concern) or
the final 考核情况反馈 after computation (the snapshot of all scores with their reasons, the deductions and
the problems; once per unit). The unit acknowledges each round, which starts that round's own window
(5 working days by default) to file review requests, one per disputed task, each referring to its round;
the office answers each within its own window (5 working days of filing), upholding the score (维持) or
changing it (调整) through the normal evaluation history.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.plans.models import Indicator, Plan, PlanUnit, ProblemKind


class Feedback(TimeStampedModel):
    """One round of feedback to a unit. Problems may be added while it is a draft; released, it is fixed."""

    class Kind(models.TextChoices):
        PROBLEMS = "problems", "问题反馈"
        FINAL = "final", "考核情况反馈"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="feedbacks")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="feedbacks")
    number = models.PositiveSmallIntegerField("轮次", null=True, blank=True)
    kind = models.CharField("反馈类型", max_length=16, choices=Kind.choices, default=Kind.PROBLEMS)
    note = models.TextField("说明", blank=True, max_length=4000)
    scores = models.JSONField("得分快照", default=list, blank=True)
    deductions = models.JSONField("减分快照", default=list, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField("反馈时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    # Set when the office recorded the round as delivered because the unit did not acknowledge it (视为送达).
    deemed_reason = models.CharField("视为送达的理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "问题反馈"
        verbose_name_plural = "问题反馈"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(released_at__isnull=True), name="feedback_one_draft_per_unit"
            ),
            models.UniqueConstraint(fields=["unit", "number"], name="feedback_round_number_per_unit"),
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(kind="final", released_at__isnull=False),
                name="feedback_final_once_per_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(released_at__isnull=True) | models.Q(number__isnull=False),
                name="feedback_released_round_numbered",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True) | models.Q(released_at__isnull=False),
                name="feedback_acknowledged_after_release",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.round_label}" if self.number else f"{self.unit} 问题反馈（未发布）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.released_at is not None and self.number is None:  # a release written without its number: the next one
            last = Feedback.objects.filter(unit_id=self.unit_id).exclude(pk=self.pk).aggregate(n=models.Max("number"))["n"]
            self.number = (last or 0) + 1
        super().save(*args, **kwargs)

    @property
    def round_label(self) -> str:
        """第N轮问题反馈 / 第N轮考核情况反馈 (empty for a draft)."""
        return f"第{self.number}轮{self.get_kind_display()}" if self.number else ""

    @property
    def is_final(self) -> bool:
        return self.kind == Feedback.Kind.FINAL

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class FeedbackProblem(models.Model):
    """A problem found, usually tied to one task of the unit."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="problems")
    task = models.ForeignKey(
        Indicator, verbose_name="工作任务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("发现的问题", max_length=2000)
    kind = models.ForeignKey(
        ProblemKind, verbose_name="问题类型", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "发现的问题"
        verbose_name_plural = "发现的问题"
        ordering: ClassVar[list[str]] = ["added_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class ReviewRequest(TimeStampedModel):
    """复核申请: a unit disputes the score of one task, in writing; the office upholds or changes it."""

    class Status(models.TextChoices):
        OPEN = "open", "待答复"
        UPHELD = "upheld", "维持"
        CHANGED = "changed", "调整"

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="requests")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="review_requests")
    task = models.ForeignKey(Indicator, verbose_name="工作任务", on_delete=models.PROTECT, related_name="+")
    filed_grade = models.CharField("申请时等次", max_length=16, blank=True)
    filed_score = models.DecimalField("申请时得分", max_digits=7, decimal_places=2)
    filed_reason = models.TextField("申请时扣分理由", blank=True)
    reasons = models.TextField("复核理由", max_length=4000)
    attachment_name = models.CharField("附件", max_length=300, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    attachment_storage_name = models.CharField(max_length=300, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("申请时间")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField("答复", blank=True, max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("答复时间", null=True, blank=True)
    new_grade = models.CharField("调整后等次", max_length=16, blank=True)
    new_score = models.DecimalField("调整后得分", max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "复核申请"
        verbose_name_plural = "复核申请"
        ordering: ClassVar[list[str]] = ["filed_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["unit", "task"], condition=models.Q(status="open"), name="review_request_one_open_per_task"
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | ~models.Q(answer=""), name="review_request_decided_with_answer"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="changed") | models.Q(new_score__isnull=False),
                name="review_request_changed_has_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.task.code} 复核申请"


# --- 整改 (rectification) --------------------------------------------------------------------------------


class RectificationSetting(models.Model):
    """Per-plan rectification settings: the due date given to new items (default 05-31 of the following year), and
    how often a 重点单位 reports its progress (every N working days from its marking or its last report; empty: no
    such reports are asked for)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="rectification_setting")
    due_date = models.DateField("整改期限")
    focus_report_days = models.PositiveSmallIntegerField(
        "重点单位整改进展报告间隔（工作日）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        verbose_name = "整改设置"
        verbose_name_plural = "整改设置"

    def __str__(self) -> str:
        return f"{self.plan} 整改设置"


class RectificationItem(TimeStampedModel):
    """整改事项: one released feedback problem of a unit, to be rectified and reported by a due date.

    Created once per problem (the unique ``problem`` makes creation idempotent). When the plan is copied into
    the next year while the item is still open, ``carried_to_plan``/``carried_task`` name next year's plan and
    the task that assesses its rectification; reporting continues on the item itself.
    """

    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        REPORTED = "reported", "已报送"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已通过"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rectification_items")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="rectification_items")
    problem = models.OneToOneField(FeedbackProblem, on_delete=models.PROTECT, related_name="rectification")
    task = models.ForeignKey(
        Indicator, verbose_name="工作任务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("发现的问题", max_length=2000)
    due_date = models.DateField("整改期限")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("验收时间", null=True, blank=True)
    carried_to_plan = models.ForeignKey(
        Plan, verbose_name="结转至方案", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_rectifications"
    )
    carried_task = models.ForeignKey(
        Indicator,
        verbose_name="结转任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_rectifications",
    )

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering: ClassVar[list[str]] = ["unit_id", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(decided_at__isnull=False),
                name="rectification_accepted_has_decision",
            ),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["plan", "status"], name="rectification_plan_status")]

    def __str__(self) -> str:
        return f"{self.unit} 整改事项：{self.text[:30]}"

    @property
    def is_open(self) -> bool:
        return self.status != RectificationItem.Status.ACCEPTED


class RectificationReport(models.Model):
    """整改报告: one report of a unit on an item; kept with the office's outcome (通过, 退回, or superseded)."""

    class Outcome(models.TextChoices):
        PENDING = "", "待验收"
        ACCEPTED = "accepted", "通过"
        RETURNED = "returned", "退回"
        SUPERSEDED = "superseded", "已被新报告替代"

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="reports")
    text = models.TextField("整改情况", max_length=4000)
    attachment_name = models.CharField("附件", max_length=300, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    attachment_storage_name = models.CharField(max_length=300, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("报送时间")
    outcome = models.CharField("验收结果", max_length=16, choices=Outcome.choices, blank=True, default=Outcome.PENDING)
    reason = models.TextField("验收意见", blank=True, max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("验收时间", null=True, blank=True)

    class Meta:
        verbose_name = "整改报告"
        verbose_name_plural = "整改报告"
        ordering: ClassVar[list[str]] = ["reported_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=~models.Q(outcome="returned") | ~models.Q(reason=""), name="rectification_return_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} 整改报告"


# --- 整改情况报告 (the unit report: one formal report per unit and plan) ---------------------------------


class UnitReport(TimeStampedModel):
    """整改情况报告: the one formal report of a unit on its rectification, for a plan.

    "报单位主要领导审阅…以正式文件形式提交整改情况报告": beside the item-by-item reports, the unit submits one
    formal document (a file with its 文号, signed off by its 主要负责人) by the plan's rectification due date; the
    office accepts it (final) or returns it with a reason, and the unit submits a new version. Every version is
    kept (:class:`UnitReportVersion`); ``status`` is that of the latest one. No row means not submitted yet.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待验收"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已通过"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unit_reports")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="unit_reports")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("验收时间", null=True, blank=True)

    class Meta:
        verbose_name = "整改情况报告"
        verbose_name_plural = "整改情况报告"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "unit"], name="unit_report_one_per_unit_and_plan"),
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(decided_at__isnull=False),
                name="unit_report_accepted_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} 整改情况报告"


class UnitReportVersion(models.Model):
    """One submission of a unit report: the formal document and its particulars, with the office's outcome."""

    class Outcome(models.TextChoices):
        PENDING = "", "待验收"
        ACCEPTED = "accepted", "通过"
        RETURNED = "returned", "退回"
        SUPERSEDED = "superseded", "已被新版本替代"

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    file_name = models.CharField("文件", max_length=300)
    file_sha256 = models.CharField(max_length=64)
    file_storage_name = models.CharField(max_length=300)
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    doc_number = models.CharField("文号", max_length=100)
    doc_date = models.DateField("成文日期")
    signer_name = models.CharField("主要负责人姓名", max_length=50)
    signer_post = models.CharField("主要负责人职务", max_length=100)
    leader_reviewed = models.BooleanField("经主要负责人审阅", default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间")
    due_date = models.DateField("报送期限")
    late = models.BooleanField("逾期报送", default=False)
    outcome = models.CharField("验收结果", max_length=16, choices=Outcome.choices, blank=True, default=Outcome.PENDING)
    reason = models.TextField("验收意见", blank=True, max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("验收时间", null=True, blank=True)

    class Meta:
        verbose_name = "整改情况报告版本"
        verbose_name_plural = "整改情况报告版本"
        ordering: ClassVar[list[str]] = ["report_id", "number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["report", "number"], name="unit_report_version_number"),
            models.CheckConstraint(condition=models.Q(leader_reviewed=True), name="unit_report_version_leader_reviewed"),
            models.CheckConstraint(
                condition=~models.Q(outcome="returned") | ~models.Q(reason=""), name="unit_report_return_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} 第{self.number}版"


# --- 约谈 and 重点单位 (the follow-up of the last-ranked units) ------------------------------------------------


class Talk(models.Model):
    """约谈: the office's talk with a unit's 主要负责人 after the results are published.

    "对…后5名的考核对象的主要负责人进行约谈，并作为督促整改的重点单位": the record of one talk — its date, the
    person talked to (the unit's 主要负责人 for the plan's year by default), who held it, notes and the minutes.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="talks")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="talks")
    held_on = models.DateField("约谈日期")
    subject_name = models.CharField("约谈对象", max_length=50)
    subject_post = models.CharField("约谈对象职务", max_length=100, blank=True)
    held_by = models.CharField("约谈人", max_length=100)
    notes = models.TextField("约谈情况", blank=True, max_length=4000)
    minutes_name = models.CharField("约谈记录", max_length=300, blank=True)
    minutes_sha256 = models.CharField(max_length=64, blank=True)
    minutes_storage_name = models.CharField(max_length=300, blank=True)
    minutes_size = models.PositiveBigIntegerField("文件大小", default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "约谈"
        verbose_name_plural = "约谈"
        ordering: ClassVar[list[str]] = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} 约谈（{self.held_on:%Y-%m-%d}）"


class FocusUnit(models.Model):
    """重点单位: a unit whose rectification the office follows more closely in this plan (listed first, marked).

    Set and cleared by the office with a reason (both in the audit log); no row means not a 重点单位.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="focus_units")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="focus_marks")
    reason = models.TextField("列为重点单位的理由", max_length=1000)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField("列为重点单位时间")

    class Meta:
        verbose_name = "重点单位"
        verbose_name_plural = "重点单位"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "unit"], name="focus_unit_once_per_plan"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="focus_unit_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}（重点单位）"
