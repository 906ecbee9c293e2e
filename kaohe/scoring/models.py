"""Evaluations with their full history, 不涉及, and adjustments (加减分). Scores are Decimal(7, 2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.plans.models import AssessorDesk, Indicator, Plan, PlanUnit, ProblemKind


class GradeChoice(models.TextChoices):
    """评价等次 of a 报送资料 task; the values are those of ``rules.Grade``."""

    EXCELLENT = "excellent", "优"
    GOOD = "good", "良"
    FAIR = "fair", "中"
    POOR = "poor", "差"


class Evaluation(models.Model):
    """The current evaluation of one task for one unit. Every change is appended to EvaluationChange."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="evaluations")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="evaluations")
    task = models.ForeignKey(Indicator, verbose_name="工作任务", on_delete=models.PROTECT, related_name="evaluations")
    grade = models.CharField("等次", max_length=16, choices=GradeChoice.choices, blank=True)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    reason = models.TextField("扣分理由", blank=True, max_length=2000)
    problem_kind = models.ForeignKey(
        ProblemKind, verbose_name="问题类型", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    desk = models.ForeignKey(
        AssessorDesk, verbose_name="考核主体", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evaluated_at = models.DateTimeField("评价时间")
    version = models.PositiveIntegerField("版本", default=1)
    conflict_note = models.CharField(
        "回避情形", max_length=300, blank=True, help_text="考核主体评价本单位（方案允许并标注）时的说明；空 = 无"
    )

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["unit", "task"], name="evaluation_once_per_unit_task"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="evaluation_score_nonnegative"),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["plan", "task"], name="evaluation_plan_task")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.task.code} · {self.score}"


class EvaluationChange(models.Model):
    """Append-only history: who changed which evaluation when, from what to what, and why."""

    class Source(models.TextChoices):
        DESK = "desk", "考核主体评价"
        FIELD = "field", "实地考核"
        REVIEW = "review", "复核调整"
        OFFICE = "office", "考核办"
        ABILITY_TEST = "ability_test", "依法行政能力测试"
        CASE_REVIEW = "case_review", "案卷集中评查"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField("时间")
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.DESK)
    old_grade = models.CharField("原等次", max_length=16, blank=True)
    new_grade = models.CharField("新等次", max_length=16, blank=True)
    old_score = models.DecimalField("原得分", max_digits=7, decimal_places=2, null=True, blank=True)
    new_score = models.DecimalField("新得分", max_digits=7, decimal_places=2)
    reason = models.TextField("理由", blank=True)
    conflict_note = models.CharField("回避情形", max_length=300, blank=True)

    class Meta:
        verbose_name = "评价变更记录"
        verbose_name_plural = "评价变更记录"
        ordering: ClassVar[list[str]] = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.old_score} → {self.new_score}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Evaluation history is append-only")
        super().save(*args, **kwargs)


class NotApplicable(TimeStampedModel):
    """不涉及: the office rules a task out for one unit, with a reason; the unit's maximum shrinks."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="not_applicable")
    unit = models.ForeignKey(PlanUnit, on_delete=models.PROTECT, related_name="not_applicable")
    task = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="not_applicable")
    reason = models.TextField("理由", max_length=1000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "不涉及"
        verbose_name_plural = "不涉及"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["unit", "task"], name="not_applicable_once_per_unit_task"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.task.code} 不涉及"


class CommonReason(models.Model):
    """A desk's frequently used deduction reasons, offered when a score is below full."""

    desk = models.ForeignKey(AssessorDesk, on_delete=models.CASCADE, related_name="common_reasons")
    text = models.CharField("扣分理由", max_length=300)

    class Meta:
        verbose_name = "常用扣分理由"
        verbose_name_plural = "常用扣分理由"
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["desk", "text"], name="common_reason_unique")]

    def __str__(self) -> str:
        return self.text


class BonusKind(models.TextChoices):
    AWARD = "award", "表彰奖励"
    EXPERIENCE = "experience", "典型经验推广"
    MEDIA = "media", "媒体宣传报道"
    OTHER = "other", "其他"


class DeductionKind(models.TextChoices):
    ILLEGAL_DECISION = "illegal_decision", "重大决策违法"
    INCIDENT = "incident", "违法行政或不作为引发事件"
    JUDGMENT_IGNORED = "judgment_ignored", "不履行生效裁判或复议决定"
    FALSIFIED = "falsified", "考核中弄虚作假"
    OTHER = "other", "其他"


class BonusApplication(TimeStampedModel):
    """加分申请: a unit applies with a type, the matter and evidence; the office approves or rejects.

    A bonus the office awards itself from its daily knowledge (source 考核办认定) is a row of the same table,
    approved when recorded, so it counts exactly like an approved application (same cap, same matter once).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已认定"
        REJECTED = "rejected", "不予认定"

    class Source(models.TextChoices):
        UNIT = "unit", "单位申请"
        OFFICE = "office", "考核办认定"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="bonus_applications")
    unit = models.ForeignKey(PlanUnit, on_delete=models.PROTECT, related_name="bonus_applications")
    kind = models.CharField("加分类型", max_length=16, choices=BonusKind.choices)
    matter = models.CharField("事项", max_length=300)
    description = models.TextField("情况说明", max_length=4000, blank=True)
    evidence_name = models.CharField("佐证材料", max_length=300, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_storage_name = models.CharField(max_length=300, blank=True)
    points = models.DecimalField(
        "分值", max_digits=7, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(Decimal(0))]
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(
        "来源", max_length=16, choices=Source.choices, default=Source.UNIT, help_text="考核办认定的加分不经申请，直接计入"
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name="与之为同一事项", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reason = models.TextField("审核意见", blank=True, max_length=2000)

    class Meta:
        verbose_name = "加分申请"
        verbose_name_plural = "加分申请"
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=~models.Q(source="office") | models.Q(status="approved"), name="bonus_office_is_approved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} 加分：{self.matter}"


class Deduction(TimeStampedModel):
    """减分: recorded by the office; the related task scores 0 and 1–3 points come off the total."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="deductions")
    unit = models.ForeignKey(PlanUnit, on_delete=models.PROTECT, related_name="deductions")
    kind = models.CharField("减分类型", max_length=24, choices=DeductionKind.choices)
    matter = models.CharField("事项", max_length=300)
    # The range is the plan's (ScoringPolicy.deduction_min/max, checked by adjustments.check_deduction_points);
    # the row only has to be a positive amount.
    points = models.DecimalField("减分", max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    task = models.ForeignKey(
        Indicator, verbose_name="相关工作任务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("情况说明", max_length=4000)
    duplicate_of = models.ForeignKey(
        "self", verbose_name="与之为同一事项", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "减分"
        verbose_name_plural = "减分"
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.unit} 减分：{self.matter}"


class VetoFlag(TimeStampedModel):
    """A recorded fact that caps a unit's grade (e.g. two lost lawsuits in a year → not 优秀)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="veto_flags")
    unit = models.ForeignKey(PlanUnit, on_delete=models.PROTECT, related_name="veto_flags")
    flag = models.CharField("情形", max_length=64)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "否决情形"
        verbose_name_plural = "否决情形"
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["unit", "flag"], name="veto_flag_once")]

    def __str__(self) -> str:
        return f"{self.unit} {self.flag}"
