"""Regions, organisations and who belongs to them in which role."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from pypinyin import Style, lazy_pinyin

from kaohe.core.models import TimeStampedModel
from kaohe.organisations.roles import Role


def pinyin_sort_key(name: str) -> str:
    """Default sort key: the name in toneless pinyin, so 宝丰县 sorts before 郏县."""
    return " ".join(lazy_pinyin(name, style=Style.NORMAL, errors="default")).lower()[:200]


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县"
        TOWN = "town", "乡"

    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", "人民政府/管委会"
        DEPARTMENT = "department", "部门单位"
        SECTION = "section", "内设科室"
        OFFICE = "office", "议事协调机构办公室"

    name = models.CharField("名称", max_length=200)
    short_name = models.CharField("简称", max_length=100, blank=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.DEPARTMENT)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="organisations")
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="sections"
    )
    sort_key = models.CharField("排序码", max_length=200, blank=True, help_text="留空时按名称拼音排序")

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering: ClassVar[list[str]] = ["sort_key", "name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["region", "name"], name="organisation_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.sort_key:
            self.sort_key = pinyin_sort_key(self.name)
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)


class Membership(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = "成员角色"
        verbose_name_plural = "成员角色"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"
