"""Shared base model and the append-only, keyed (HMAC) hash-chained audit log with its checkpoints."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

# The shared base model lives below this module (core/model_base.py) so that core's other model modules, imported
# at the end of this one, can use it without an import circle; every app still imports it from here.
from kaohe.core.model_base import TimeStampedModel as TimeStampedModel


class AuditChainHead(models.Model):
    """A single row holding the last hash of the chain; locked while an event is appended.

    ``legacy_until_seq``: events up to this number were written before the chain was keyed and verify by the
    old rule (plain SHA-256); set once by migration 0005 and repeated in every checkpoint, so it cannot move.
    """

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    legacy_until_seq = models.PositiveBigIntegerField("未加密钥的早期事件截至序号", default=0)

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
    # Which audit key sealed the event (an HMAC-derived fingerprint, never the key); empty for legacy events.
    key_id = models.CharField("密钥标识", max_length=16, blank=True, default="")

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


class AuditCheckpoint(models.Model):
    """A checkpoint of the chain head, also appended to the anchor file outside the database.

    The database copy is what the audit administrator's page shows (to be written down or printed); the file
    is what ``verify_audit`` trusts. ``mac`` is an HMAC with the audit key over seq, head, time and the legacy
    boundary, so a checkpoint cannot be forged without the key.
    """

    seq = models.PositiveBigIntegerField("链头序号")
    head_hash = models.CharField("链头哈希", max_length=64)
    created_at = models.DateTimeField("时间")
    legacy_until_seq = models.PositiveBigIntegerField(default=0)
    key_id = models.CharField("密钥标识", max_length=16)
    mac = models.CharField("校验码", max_length=64, unique=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)

    class Meta:
        verbose_name = "审计链检查点"
        verbose_name_plural = "审计链检查点"
        ordering: ClassVar[list[str]] = ["-seq", "-pk"]

    def __str__(self) -> str:
        return f"检查点 #{self.seq} {self.head_hash[:16]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit checkpoints are append-only")


from kaohe.core.models_calendar import HolidayCalendarYear, HolidayDate  # noqa: E402,F401
from kaohe.core.models_job import Job, JobStatus  # noqa: E402,F401
from kaohe.core.models_notification import Notification  # noqa: E402,F401
