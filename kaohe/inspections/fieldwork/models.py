"""Field groups (实地考察组): who visits which units when, and their members."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.organisations.models import Organisation
from kaohe.plans.models import Plan


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
