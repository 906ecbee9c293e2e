"""Evidence per unit × task: files (every version kept), links, a note; extensions and returns."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.plans.models import AssessorDesk, Indicator, Plan, PlanUnit


class Submission(TimeStampedModel):
    """The evidence one unit gives for one task. Created on the first upload, link or note."""

    class Status(models.TextChoices):
        EMPTY = "empty", "未报送"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "退回补充"
        EVALUATED = "evaluated", "已评价"
        NOT_APPLICABLE = "not_applicable", "不涉及"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="submissions")
    task = models.ForeignKey(Indicator, verbose_name="工作任务", on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.EMPTY)
    note = models.TextField("说明", blank=True, max_length=2000)
    links = models.JSONField("链接", default=list, blank=True)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    last_changed_at = models.DateTimeField("最后修改时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = "报送资料"
        verbose_name_plural = "报送资料"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["unit", "task"], name="submission_once_per_unit_task"),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["plan", "status"], name="submission_plan_status")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.task.code}"


class EventState(models.TextChoices):
    """Where one event's evidence stands against its deadline (computed, not stored: see submissions/events.py)."""

    PENDING = "pending", "待上传"
    ON_TIME = "on_time", "按时"
    LATE = "late", "逾期上传"
    MISSING = "missing", "逾期未报"
    UNKNOWN = "unknown", "期限待定"


class TaskEvent(TimeStampedModel):
    """事件: one occurrence (a court appearance, a review decision carried out) on an event-driven task.

    Its evidence is due ``task.event_days`` working days after ``occurred_on`` (kaohe.core.calendar); files link to
    it through ``EvidenceFile.event``. Removing it is a logged soft delete: the row stays, with who and when.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="task_events")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="task_events")
    task = models.ForeignKey(Indicator, verbose_name="工作任务", on_delete=models.PROTECT, related_name="task_events")
    occurred_on = models.DateField("事件日期")
    description = models.CharField("事件说明（案号等）", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "报送事件"
        verbose_name_plural = "报送事件"
        ordering: ClassVar[list[str]] = ["occurred_on", "id"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["plan", "task", "unit"], name="task_event_lookup")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.description}"


class EvidenceFile(models.Model):
    """One uploaded file. Never overwritten; withdrawing is a logged soft delete."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="files")
    storage_name = models.CharField("存储路径", max_length=300, unique=True)
    display_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    kind = models.CharField("类型", max_length=32)
    mime = models.CharField("MIME", max_length=128)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # 事件触发报送: the event this file is evidence of (null for an ordinary task's file)
    event = models.ForeignKey(
        TaskEvent, verbose_name="所属事件", null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )

    class Meta:
        verbose_name = "报送文件"
        verbose_name_plural = "报送文件"
        ordering: ClassVar[list[str]] = ["uploaded_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="evidence_file_not_empty"),
        ]
        # an upload looks for identical content already uploaded (same SHA-256) in the plan
        indexes: ClassVar[list[Any]] = [models.Index(fields=["sha256"], name="evidence_file_sha256")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Extension(TimeStampedModel):
    """延期: a later deadline for one task, for one unit or (unit empty) for all units."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="extensions")
    task = models.ForeignKey(Indicator, verbose_name="工作任务", on_delete=models.PROTECT, related_name="extensions")
    unit = models.ForeignKey(
        PlanUnit, verbose_name="考核对象", null=True, blank=True, on_delete=models.PROTECT, related_name="extensions"
    )
    new_deadline = models.DateField("延至")
    reason = models.TextField("理由", max_length=1000)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"

    def __str__(self) -> str:
        return f"{self.task.code} 延至 {self.new_deadline}"


class SupplementRequest(TimeStampedModel):
    """退回补充: a desk sends a submission back with a reason and its own due date."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="returns")
    desk = models.ForeignKey(AssessorDesk, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("退回理由", max_length=1000)
    due_date = models.DateField("补充截止")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField("补充完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "退回补充"
        verbose_name_plural = "退回补充"
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.submission} 退回补充"
