"""Field groups (实地考察组): who visits which units when, and their members."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.organisations.models import Organisation
from kaohe.plans.models import Indicator, Plan, PlanUnit


class FieldGroup(TimeStampedModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="field_groups")
    name = models.CharField("组名", max_length=100)
    order = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = "实地考察组"
        verbose_name_plural = "实地考察组"
        ordering: ClassVar[list[str]] = ["order", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "name"], name="field_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FieldGroupMember(TimeStampedModel):
    """A person in a group; ``organisation`` is the member unit they come from (their membership's)."""

    group = models.ForeignKey(FieldGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="成员", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name="所在单位", on_delete=models.PROTECT, related_name="+")
    is_leader = models.BooleanField("组长", default=False)

    class Meta:
        verbose_name = "考察组成员"
        verbose_name_plural = "考察组成员"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["group", "user"], name="field_group_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.user}"


class FieldAssignment(TimeStampedModel):
    """A unit a group visits on a date (考察日程). A unit belongs to at most one group per plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="field_assignments")
    group = models.ForeignKey(FieldGroup, verbose_name="考察组", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.CASCADE, related_name="field_assignments")
    visit_date = models.DateField("考察日期")
    address = models.CharField("考察地点", max_length=200, blank=True)

    class Meta:
        verbose_name = "实地考核安排"
        verbose_name_plural = "实地考核安排"
        ordering: ClassVar[list[str]] = ["visit_date", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "unit"], name="field_assignment_unit_once_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.unit} · {self.visit_date:%Y-%m-%d}"


class FieldPhoto(models.Model):
    """A photo a group member took as evidence for one task of one unit (images only, content-sniffed)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="field_photos")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="field_photos")
    task = models.ForeignKey(Indicator, verbose_name="工作任务", on_delete=models.PROTECT, related_name="field_photos")
    group = models.ForeignKey(FieldGroup, verbose_name="考察组", on_delete=models.PROTECT, related_name="photos")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")
    storage_name = models.CharField(max_length=300)
    display_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    mime = models.CharField(max_length=100)

    class Meta:
        verbose_name = "实地考核照片"
        verbose_name_plural = "实地考核照片"
        ordering: ClassVar[list[str]] = ["uploaded_at", "id"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["unit", "task"], name="field_photo_unit_task")]

    def __str__(self) -> str:
        return self.display_name
