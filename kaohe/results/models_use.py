"""Result use (结果运用): where the published results go and in what shape.

"纳入市委市政府中心工作考核", "纳入政绩考核…权重不低于总分值的10%": the office lists, per plan, the assessments
that take its results (``ResultUse``: 市委市政府中心工作考核, 政绩考核 …), each with the weight the results carry
there (a percentage of that assessment's total), that total, and the columns its table takes. The export
(``results.services_use.use_workbook``) reads only the published snapshot, never an unpublished computation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from kaohe.plans.models import Plan


class UseColumn(models.TextChoices):
    """A column the receiving assessment's table may take, in the order of the export."""

    CATEGORY = "category", "类别"
    UNIT = "unit", "考核对象"
    SCORE = "score", "最终得分"
    FULL_SCORE = "full_score", "满分"
    RANK = "rank", "排名"
    GRADE = "grade", "等次"
    WEIGHT = "weight", "权重（%）"
    WEIGHTED = "weighted", "折算分值"


DEFAULT_COLUMNS: tuple[str, ...] = (
    UseColumn.UNIT,
    UseColumn.SCORE,
    UseColumn.GRADE,
    UseColumn.WEIGHT,
    UseColumn.WEIGHTED,
)


class ResultUse(models.Model):
    """One assessment that takes the plan's published results (接收考核), with its weight and columns."""

    plan = models.ForeignKey(Plan, verbose_name="考核方案", on_delete=models.PROTECT, related_name="result_uses")
    name = models.CharField("接收考核", max_length=100)
    weight = models.DecimalField(
        "权重（%）",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    total_points = models.DecimalField(
        "接收考核总分值",
        max_digits=7,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(10000))],
    )
    columns = models.JSONField("导出列", default=list)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="添加人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("添加时间")

    class Meta:
        verbose_name = "结果运用"
        verbose_name_plural = "结果运用"
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "name"], name="result_use_name_per_plan"),
            models.CheckConstraint(condition=models.Q(weight__gte=0) & models.Q(weight__lte=100), name="result_use_weight_0_100"),
            models.CheckConstraint(condition=models.Q(total_points__gt=0), name="result_use_total_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def column_labels(self) -> list[str]:
        return [UseColumn(c).label for c in self.columns if c in UseColumn.values]
