"""Background jobs (后台任务): one row per piece of long work a person started from a page.

The work itself runs in a django-tasks task (``kaohe.core.tasks.run_job``, the ``db_worker`` in production);
this row is what the page polls: status, progress, a Chinese message or error, and the file it produced.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    kind = models.CharField("类型", max_length=64)
    plan_id = models.BigIntegerField("考核方案ID", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name="发起人"
    )
    title = models.CharField("名称", max_length=300)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("进度说明", max_length=300, blank=True)
    error = models.CharField("失败原因", max_length=1000, blank=True)
    result_name = models.CharField("结果文件存储名", max_length=300, blank=True)
    result_filename = models.CharField("结果文件名", max_length=300, blank=True)
    result_size = models.PositiveBigIntegerField("结果文件大小", default=0)
    result_url = models.CharField("结果页面", max_length=300, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["requested_by", "-created_at"], name="job_requester_recent"),
            models.Index(fields=["plan_id", "kind", "status"], name="job_plan_kind_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)
