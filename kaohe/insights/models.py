"""Models of the evidence insights: the text of every file version, its LSH band keys, near-identical pairs,
and the hints desks see (never a score); the annual reports are in models_reports.py."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from kaohe.submissions.models import EvidenceFile, Submission


class FileText(models.Model):
    """The text extracted from one file version (an ``EvidenceFile``), with the facts read from it."""

    class Method(models.TextChoices):
        PDF = "pdf", "PDF 文字"
        DOCX = "docx", "Word 文档"
        XLSX = "xlsx", "Excel 单元格"
        TEXT = "text", "纯文本"
        OCR = "ocr", "文字识别（OCR）"
        NONE = "none", "未提取"

    version = models.OneToOneField(EvidenceFile, verbose_name="文件版本", on_delete=models.CASCADE, related_name="insight_text")
    text = models.TextField("文字", blank=True)
    pages = models.PositiveIntegerField("页数", default=0)
    method = models.CharField("提取方式", max_length=8, choices=Method.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    extracted_at = models.DateTimeField("提取时间")
    sha256 = models.CharField("文件 SHA-256", max_length=64, db_index=True)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    doc_date = models.DateField("成文日期", null=True, blank=True)
    organ = models.CharField("发文机关", max_length=60, blank=True)

    class Meta:
        verbose_name = "文件文字"
        verbose_name_plural = "文件文字"

    def __str__(self) -> str:
        return f"{self.version} 的文字"


class TextBand(models.Model):
    """One LSH band key of a version's MinHash: versions sharing a key are candidates for near-identical text."""

    version = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="+")
    organiser_id = models.PositiveIntegerField("组织单位")  # the plan family compared within
    key = models.CharField(max_length=20)

    class Meta:
        verbose_name = "文字指纹分段"
        verbose_name_plural = "文字指纹分段"
        indexes: ClassVar[list[Any]] = [models.Index(fields=["organiser_id", "key"], name="insights_band_key")]

    def __str__(self) -> str:
        return self.key


class DuplicatePair(models.Model):
    """Two file versions (``left.pk < right.pk``) of different submissions with identical files or similar text."""

    left = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="+")
    identical = models.BooleanField("文件完全相同", default=False)
    similarity = models.DecimalField("文字相同比例", max_digits=5, decimal_places=4)
    left_passage = models.TextField("相同段落（左）", blank=True)
    right_passage = models.TextField("相同段落（右）", blank=True)
    found_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = "雷同材料"
        verbose_name_plural = "雷同材料"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["left", "right"], name="insights_pair_once"),
            models.CheckConstraint(condition=models.Q(left__lt=models.F("right")), name="insights_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id}"


class Hint(models.Model):
    """提示: something a desk should look at in a submission. Never changes a score; dismissed with a reason."""

    class Kind(models.TextChoices):
        DUPLICATE = "duplicate", "材料雷同"
        OUTSIDE_YEAR = "outside_year", "成文日期不在考核期间"
        OTHER_ORGAN = "other_organ", "发文机关非本单位"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(EvidenceFile, verbose_name="文件版本", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    message = models.CharField("提示", max_length=300)
    pair = models.ForeignKey(DuplicatePair, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    evidence = models.TextField("依据", blank=True)
    created_at = models.DateTimeField("提示时间")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField("排除时间", null=True, blank=True)
    dismiss_reason = models.CharField("排除理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "提示"
        verbose_name_plural = "提示"
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["version", "kind"], condition=models.Q(pair__isnull=True), name="insights_hint_once"),
            models.UniqueConstraint(fields=["version", "pair"], name="insights_pair_hint_once"),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["submission", "dismissed_at"], name="insights_hint_open")]

    def __str__(self) -> str:
        return self.message

    @property
    def is_open(self) -> bool:
        return self.dismissed_at is None


from kaohe.insights.models_reports import *  # noqa: E402, F403
