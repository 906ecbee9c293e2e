"""Regions, organisations and who belongs to them in which role."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from kaohe.core.models import TimeStampedModel
from kaohe.organisations.roles import ADMIN_ROLES, Role, role_conflict


def pinyin_sort_key(name: str) -> str:
    """Default sort key: the name in toneless pinyin, so 宝丰县 sorts before 郏县."""
    return " ".join(lazy_pinyin(name, style=Style.NORMAL, errors="default")).lower()[:200]


class Region(models.Model):
    class Level(models.TextChoices):
        """The kind of region (docs/glossary.md, "Regions"). ``kaohe.organisations.regions.infer_level`` reads it
        from a new region's name; nothing is typed county by default."""

        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县"
        DISTRICT = "district", "区（市辖区）"
        COUNTY_CITY = "county_city", "县级市"
        ZONE = "zone", "开发区/管委会"
        TOWN = "town", "乡镇"
        SUBDISTRICT = "subdistrict", "街道"

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

    # Not fields: a service sets them on the instance before saving or deleting it, for the audit signal
    # (organisations/signals.py) to name the actor and the act.
    _audit_actor: Any
    _audit_action: str
    _audit_before: dict[str, Any] | None
    _audit_extra: dict[str, Any]

    class Meta:
        verbose_name = "成员角色"
        verbose_name_plural = "成员角色"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    def clean(self) -> None:
        """三员分立: the role must be compatible with the user's other memberships (see ``roles.role_conflict``)."""
        super().clean()
        problem = self.conflict()
        if problem:
            raise ValidationError({"role": problem})

    def conflict(self) -> str | None:
        """Why this row may not exist next to the user's other memberships, or None."""
        if not self.user_id or not self.role:
            return None
        held = Membership.objects.filter(user_id=self.user_id).exclude(pk=self.pk).values_list("role", flat=True)
        return role_conflict({Role(r) for r in held}, Role(self.role))


ADMIN_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in ADMIN_ROLES]


class RoleGrantProposal(TimeStampedModel):
    """A proposed grant of an admin role (系统/安全/审计管理员): it takes effect only when a *different*
    administrator holding ``accounts:confirm_admin_grant`` (安全管理员) confirms it (三员分立, two persons)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "已驳回"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="授予对象", on_delete=models.CASCADE, related_name="role_grant_proposals"
    )
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    role = models.CharField("角色", max_length=32, choices=ADMIN_ROLE_CHOICES)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("提出时间", default=timezone.now)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_reason = models.CharField("驳回理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "管理员角色授予申请"
        verbose_name_plural = "管理员角色授予申请"
        ordering: ClassVar[list[str]] = ["-proposed_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(role__in=sorted(r.value for r in ADMIN_ROLES)), name="role_grant_proposal_admin_role_only"
            ),
            models.CheckConstraint(condition=~models.Q(proposed_by=models.F("user")), name="role_grant_proposal_not_for_oneself"),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | (~models.Q(decided_by=models.F("proposed_by")) & ~models.Q(decided_by=models.F("user"))),
                name="role_grant_proposal_decided_by_another",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_by__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="role_grant_proposal_decision_complete",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=models.Q(status="pending"),
                name="role_grant_proposal_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}（{self.get_status_display()}）"
