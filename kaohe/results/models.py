"""Result snapshots: one immutable row per computation of a plan's results (see services.py and loader.py).

A snapshot keeps what was computed (``data``), from what (``inputs``: every evaluation's id, version and
score, the 不涉及 rows, the counted bonuses and deductions, the flags, the policy and the tree's points) and
the SHA-256 of the canonical JSON of those inputs (``inputs_digest``), so a number shown yesterday can be
explained today even after an evaluation changes. Rows are never updated or deleted.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models

from kaohe.plans.models import Plan


class SnapshotImmutable(RuntimeError):
    """A result snapshot is a record of what was computed; it is never changed nor deleted."""


class SnapshotQuerySet(models.QuerySet["ResultSnapshot"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise SnapshotImmutable("result snapshots cannot be updated")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise SnapshotImmutable("result snapshots cannot be deleted")


class MissingPolicyChoice(models.TextChoices):
    """What a missing evaluation means for this computation (the values of ``rules.MissingPolicy``)."""

    REPORT = "report", "等待评价：缺少评价的考核对象暂不计分、不排名"
    ZERO = "zero", "缺少的评价按0分计（须记录决定）"


class SnapshotStatus(models.TextChoices):
    """Where a snapshot stands; later work adds approval (审定) and publication."""

    DRAFT = "draft", "草稿"


class ResultSnapshot(models.Model):
    Status = SnapshotStatus

    plan = models.ForeignKey(Plan, verbose_name="考核方案", on_delete=models.PROTECT, related_name="result_snapshots")
    seq = models.PositiveIntegerField("计算序号")
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="计算人", on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField("计算时间")
    missing_policy = models.CharField("缺少评价时", max_length=16, choices=MissingPolicyChoice.choices)
    decision_note = models.TextField("按0分计的决定", blank=True, max_length=2000)
    status = models.CharField("状态", max_length=16, choices=SnapshotStatus.choices, default=SnapshotStatus.DRAFT)
    complete = models.BooleanField("评价齐全", default=False)
    unit_count = models.PositiveIntegerField("考核对象数", default=0)
    scored_count = models.PositiveIntegerField("已计分考核对象数", default=0)
    missing_count = models.PositiveIntegerField("缺少的评价数", default=0)
    inputs_digest = models.CharField("输入摘要(SHA-256)", max_length=64)
    inputs = models.JSONField("输入及其版本", default=dict)
    summary = models.JSONField("各类别概况", default=list)
    data = models.JSONField("计算结果", default=dict)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "考核结果快照"
        verbose_name_plural = "考核结果快照"
        ordering: ClassVar[list[str]] = ["-seq"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "seq"], name="result_snapshot_seq_per_plan"),
            models.CheckConstraint(
                condition=models.Q(missing_policy__in=MissingPolicyChoice.values), name="result_snapshot_missing_policy_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(missing_policy=MissingPolicyChoice.ZERO) | ~models.Q(decision_note=""),
                name="result_snapshot_zero_needs_decision",
            ),
            models.CheckConstraint(condition=models.Q(status__in=SnapshotStatus.values), name="result_snapshot_status_valid"),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["plan", "computed_at"], name="result_snapshot_plan_time")]

    def __str__(self) -> str:
        return f"{self.plan} 第{self.seq}次计算"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SnapshotImmutable("result snapshots cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SnapshotImmutable("result snapshots cannot be deleted")

    @property
    def unscored_count(self) -> int:
        return self.unit_count - self.scored_count

    @property
    def completeness(self) -> str:
        """评价齐全 / 已全部计分 (missing ones counted as 0) / 评价未齐, in words."""
        if self.complete and not self.missing_count:
            return "评价齐全"
        if self.complete:
            return f"已全部计分：缺少的 {self.missing_count} 项评价按0分计"
        return f"评价未齐：{self.unscored_count} 个考核对象缺少 {self.missing_count} 项评价，暂不计分、不排名"

    @property
    def is_zero_filled(self) -> bool:
        return self.missing_policy == MissingPolicyChoice.ZERO
