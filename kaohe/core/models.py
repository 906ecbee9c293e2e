"""Shared base model and the append-only, hash-chained audit log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditChainHead(models.Model):
    """A single row holding the last hash of the chain; locked while an event is appended."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = "审计链头"
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(singleton=1), name="audit_chain_head_singleton"),
        ]

    def __str__(self) -> str:
        return f"审计链头 #{self.last_seq}"


class AuditEvent(models.Model):
    """One auditable act. Rows are never updated or deleted; each carries the hash of its predecessor."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    organisation_id = models.BigIntegerField("单位ID", null=True, blank=True)
    organisation_name = models.CharField("单位", max_length=200, blank=True)
    ip = models.CharField("IP地址", max_length=64, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    plan_id = models.BigIntegerField("考核方案ID", null=True, blank=True, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering: ClassVar[list[str]] = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only")


from kaohe.core.calendar_models import HolidayCalendarYear, HolidayDate  # noqa: E402,F401
from kaohe.core.notification_models import Notification  # noqa: E402,F401
