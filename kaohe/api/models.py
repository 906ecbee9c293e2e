"""Models of the exchange between installations: API tokens, trusted public keys and imported signed exports.

- ``ApiToken``: an organisation's key to the read API (``/api/v1/``). Only the SHA-256 of the secret is stored;
  the secret is shown once, when the token is made. Scopes say what it may read; revocation takes effect at once.
- ``TrustedKey``: the Ed25519 public key of another installation (a city's server) whose signed exports this
  office accepts.
- ``ResultImport``: one imported signed file (one version of one plan's published results of another
  installation), with its digest; ``ImportedResult``: its rows, one per assessed unit.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from kaohe.organisations.models import Organisation


class Scope(models.TextChoices):
    """What an API token may read."""

    PLANS_READ = "plans:read", "读取考核方案和指标体系"
    RESULTS_READ = "results:read", "读取已公布的考核结果和汇总"


class ApiToken(models.Model):
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField("名称", max_length=100)
    scopes = models.JSONField("权限范围", default=list)
    prefix = models.CharField("令牌前缀", max_length=16)
    secret_hash = models.CharField("令牌摘要(SHA-256)", max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="吊销人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | models.Q(revoked_by__isnull=False),
                name="api_token_revoked_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name}（{self.prefix}…）"

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(Scope.choices)
        return [labels.get(s, s) for s in self.scopes]


class TrustedKey(models.Model):
    """The public key of another installation, registered by an office that imports its signed exports."""

    organisation = models.ForeignKey(Organisation, verbose_name="登记单位", on_delete=models.PROTECT, related_name="trusted_keys")
    name = models.CharField("来源平台名称", max_length=200)
    public_key = models.CharField("公钥(Base64)", max_length=64)
    fingerprint = models.CharField("公钥指纹", max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "受信任的公钥"
        verbose_name_plural = "受信任的公钥"
        ordering: ClassVar[list[str]] = ["name", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organisation", "fingerprint"], name="trusted_key_once_per_office"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.fingerprint[:16]}）"


class ImportStatus(models.TextChoices):
    CURRENT = "current", "现行版本"
    PENDING = "pending", "待确认（新版本）"
    SUPERSEDED = "superseded", "已被新版本取代"


class ResultImport(models.Model):
    """One imported signed file: one version of one plan's published results from another installation."""

    Status = ImportStatus

    organisation = models.ForeignKey(
        Organisation, verbose_name="导入单位", on_delete=models.PROTECT, related_name="result_imports"
    )
    key = models.ForeignKey(TrustedKey, verbose_name="签名公钥", on_delete=models.PROTECT, related_name="imports")
    source_plan = models.CharField("来源方案标识", max_length=120)
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices)
    digest = models.CharField("文件内容摘要(SHA-256)", max_length=64)
    plan_title = models.CharField("方案名称", max_length=200)
    plan_year = models.PositiveSmallIntegerField("考核年度")
    organiser_name = models.CharField("组织单位", max_length=200)
    region_path = models.CharField("所属区划", max_length=500)
    published_at = models.DateTimeField("公布时间")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField("导入时间")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入的考核结果"
        verbose_name_plural = "导入的考核结果"
        ordering: ClassVar[list[str]] = ["-imported_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organisation", "digest"], name="result_import_file_once"),
            models.UniqueConstraint(fields=["organisation", "source_plan", "version"], name="result_import_version_unique"),
            models.UniqueConstraint(
                fields=["organisation", "source_plan"],
                condition=models.Q(status="current"),
                name="result_import_one_current",
            ),
            models.CheckConstraint(condition=models.Q(status__in=ImportStatus.values), name="result_import_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.organiser_name} · {self.plan_title}（第{self.version}版）"


class ImportedResult(models.Model):
    """One assessed unit's published result in an imported file."""

    result_import = models.ForeignKey(ResultImport, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveIntegerField("顺序")
    category = models.CharField("类别", max_length=100)
    organisation_name = models.CharField("考核对象", max_length=200)
    region_path = models.CharField("所属区划", max_length=500)
    final = models.DecimalField("最终得分", null=True, blank=True, max_digits=9, decimal_places=2)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    grade = models.CharField("等次", max_length=20, blank=True)

    class Meta:
        verbose_name = "导入的考核对象结果"
        verbose_name_plural = "导入的考核对象结果"
        ordering: ClassVar[list[str]] = ["result_import", "position"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["result_import", "position"], name="imported_result_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} {self.final}"
