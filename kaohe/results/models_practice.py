"""典型经验 (good practice shared): "归纳总结好经验、好做法…交流和推广".

The office marks a unit's evidence file (报送资料) or an approved bonus matter (加分事项) as a good practice with a
title and a short note; it is a draft until the office publishes it, and the office may withdraw it again. The
plan's good-practice page lists the published ones by area (类别 → 一级指标; bonus matters under 加分事项) for
everyone in the plan to read; only the office sees drafts and withdrawn ones.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.scoring.models import BonusApplication
from kaohe.submissions.models import EvidenceFile


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", "待发布"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class GoodPractice(models.Model):
    """One good practice (典型经验): an evidence file or an approved bonus matter of a unit, titled by the office."""

    Status = PracticeStatus

    plan = models.ForeignKey(Plan, verbose_name="考核方案", on_delete=models.PROTECT, related_name="good_practices")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        Indicator, verbose_name="一级指标", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_file = models.ForeignKey(
        EvidenceFile, verbose_name="报送文件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bonus = models.ForeignKey(
        BonusApplication, verbose_name="加分事项", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("标题", max_length=100)
    note = models.TextField("简要说明", max_length=1000, blank=True)
    status = models.CharField("状态", max_length=16, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="标记人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("标记时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤回人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "典型经验"
        verbose_name_plural = "典型经验"
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=(models.Q(evidence_file__isnull=False) & models.Q(bonus__isnull=True))
                | (models.Q(evidence_file__isnull=True) & models.Q(bonus__isnull=False)),
                name="good_practice_one_source",
            ),
            models.CheckConstraint(condition=models.Q(status__in=PracticeStatus.values), name="good_practice_status_valid"),
            models.UniqueConstraint(
                fields=["evidence_file"], condition=models.Q(evidence_file__isnull=False), name="good_practice_file_once"
            ),
            models.UniqueConstraint(fields=["bonus"], condition=models.Q(bonus__isnull=False), name="good_practice_bonus_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def source_label(self) -> str:
        if self.evidence_file is not None:
            return f"报送资料：{self.evidence_file.display_name}"
        return f"加分事项：{self.bonus.matter}" if self.bonus is not None else ""
