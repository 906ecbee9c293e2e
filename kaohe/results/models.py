"""Result snapshots (one immutable row per computation) and their release: consultation, 审定, publication.

A snapshot keeps what was computed (``data``), from what (``inputs``: every evaluation's id, version and
score, the 不涉及 rows, the counted bonuses and deductions, the flags, the policy and the tree's points) and
the SHA-256 of the canonical JSON of those inputs (``inputs_digest``), so a number shown yesterday can be
explained today even after an evaluation changes. Rows are never updated or deleted.

A release (``ResultRelease``) is the office's way from a complete snapshot to published results: the snapshot
is put out as the 征求意见稿 (member units comment, ``ConsultationComment``, kept and never changed), the
consultation is closed, the leadership's approval is recorded (``ReleaseApproval``), and the results are
published (``ResultPublication``, with a ``ResultReceipt`` per recipient organisation). One release per plan is
current; earlier ones stay as history. Reopening (撤回公布) withdraws the publication and voids the approval.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models

from kaohe.organisations.models import Organisation
from kaohe.plans.models import Plan, PlanUnit
from kaohe.scoring import rules_types

# A category's state in ``ResultSnapshot.summary`` (the engine's); templates read it as enums.CategoryStatus.
CategoryStatus = rules_types.Status


class SnapshotImmutable(RuntimeError):
    """A result snapshot is a record of what was computed; it is never changed nor deleted."""


class SnapshotQuerySet(models.QuerySet["ResultSnapshot"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise SnapshotImmutable("result snapshots cannot be updated")

    def delete(self) -> NoReturn:
        raise SnapshotImmutable("result snapshots cannot be deleted")


class MissingPolicyChoice(models.TextChoices):
    """What a missing evaluation means for this computation (the values of ``rules.MissingPolicy``)."""

    REPORT = "report", "等待评价：缺少评价的考核对象暂不计分、不排名"
    ZERO = "zero", "缺少的评价按0分计（须记录决定）"


class SnapshotStatus(models.TextChoices):
    """Where a snapshot stands; later work adds approval (审定) and publication."""

    DRAFT = "draft", "草稿"


class ResultSnapshot(models.Model):
    Status = SnapshotStatus

    plan = models.ForeignKey(Plan, verbose_name="考核方案", on_delete=models.PROTECT, related_name="result_snapshots")
    seq = models.PositiveIntegerField("计算序号")
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="计算人", on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField("计算时间")
    missing_policy = models.CharField("缺少评价时", max_length=16, choices=MissingPolicyChoice.choices)
    decision_note = models.TextField("按0分计的决定", blank=True, max_length=2000)
    status = models.CharField("状态", max_length=16, choices=SnapshotStatus.choices, default=SnapshotStatus.DRAFT)
    complete = models.BooleanField("评价齐全", default=False)
    unit_count = models.PositiveIntegerField("考核对象数", default=0)
    scored_count = models.PositiveIntegerField("已计分考核对象数", default=0)
    missing_count = models.PositiveIntegerField("缺少的评价数", default=0)
    inputs_digest = models.CharField("输入摘要(SHA-256)", max_length=64)
    inputs = models.JSONField("输入及其版本", default=dict)
    summary = models.JSONField("各类别概况", default=list)
    data = models.JSONField("计算结果", default=dict)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "考核结果快照"
        verbose_name_plural = "考核结果快照"
        ordering: ClassVar[list[str]] = ["-seq"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "seq"], name="result_snapshot_seq_per_plan"),
            models.CheckConstraint(
                condition=models.Q(missing_policy__in=MissingPolicyChoice.values), name="result_snapshot_missing_policy_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(missing_policy=MissingPolicyChoice.ZERO) | ~models.Q(decision_note=""),
                name="result_snapshot_zero_needs_decision",
            ),
            models.CheckConstraint(condition=models.Q(status__in=SnapshotStatus.values), name="result_snapshot_status_valid"),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["plan", "computed_at"], name="result_snapshot_plan_time")]

    def __str__(self) -> str:
        return f"{self.plan} 第{self.seq}次计算"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SnapshotImmutable("result snapshots cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SnapshotImmutable("result snapshots cannot be deleted")

    @property
    def unscored_count(self) -> int:
        return self.unit_count - self.scored_count

    @property
    def completeness(self) -> str:
        """评价齐全 / 已全部计分 (missing ones counted as 0) / 评价未齐, in words."""
        if self.complete and not self.missing_count:
            return "评价齐全"
        if self.complete:
            return f"已全部计分：缺少的 {self.missing_count} 项评价按0分计"
        return f"评价未齐：{self.unscored_count} 个考核对象缺少 {self.missing_count} 项评价，暂不计分、不排名"

    @property
    def is_zero_filled(self) -> bool:
        return self.missing_policy == MissingPolicyChoice.ZERO


# --- release: consultation, approval, publication ---------------------------------------------------------


class AppendOnly(RuntimeError):
    """A consultation comment is a record of what a member unit said; it is never changed nor deleted."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnly("these rows cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnly("these rows cannot be deleted")


class ReleaseStatus(models.TextChoices):
    CONSULTING = "consulting", "征求意见中"
    CLOSED = "closed", "征求意见已结束，待审定"
    APPROVED = "approved", "已审定，待公布"
    PUBLISHED = "published", "已公布"
    WITHDRAWN = "withdrawn", "已撤回公布，待重新审定"


class ResultRelease(models.Model):
    """One snapshot on its way to publication. ``is_current`` marks the plan's one current release."""

    Status = ReleaseStatus

    plan = models.ForeignKey(Plan, verbose_name="考核方案", on_delete=models.PROTECT, related_name="result_releases")
    seq = models.PositiveIntegerField("序号")
    snapshot = models.ForeignKey(
        ResultSnapshot, verbose_name="征求意见稿（计算快照）", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.CONSULTING)
    is_current = models.BooleanField("当前", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("发起时间")
    consult_until = models.DateField("征求意见截止")
    consult_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="结束征求意见", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consult_closed_at = models.DateTimeField("结束征求意见时间", null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="另行发起人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField("被另行发起的时间", null=True, blank=True)
    # The bulletin (通报) as the office edits it; blank fields fall back to bulletin.py's defaults.
    bulletin_number = models.CharField("文号", max_length=100, blank=True)
    bulletin_title = models.CharField("标题", max_length=300, blank=True)
    bulletin_addressees = models.CharField("主送", max_length=500, blank=True)
    bulletin_opening = models.TextField("开头段落", max_length=4000, blank=True)
    bulletin_requirements = models.TextField("工作要求", max_length=8000, blank=True)
    bulletin_signature = models.CharField("落款", max_length=200, blank=True)
    bulletin_date = models.DateField("成文日期", null=True, blank=True)
    bulletin_imprint = models.CharField("印发机关", max_length=200, blank=True)
    bulletin_imprint_date = models.DateField("印发日期", null=True, blank=True)
    bulletin_contact = models.CharField("联系人及电话", max_length=200, blank=True)
    bulletin_analysis = models.TextField("分析", max_length=8000, blank=True)
    bulletin_problem_counts = models.BooleanField("引用问题类型统计", default=False)
    bulletin_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="通报编辑人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bulletin_edited_at = models.DateTimeField("通报编辑时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核结果发布"
        verbose_name_plural = "考核结果发布"
        ordering: ClassVar[list[str]] = ["-seq"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "seq"], name="result_release_seq_per_plan"),
            models.UniqueConstraint(fields=["plan"], condition=models.Q(is_current=True), name="result_release_one_current"),
            models.CheckConstraint(condition=models.Q(status__in=ReleaseStatus.values), name="result_release_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} 第{self.seq}次发布（第{self.snapshot.seq}次计算）"

    @property
    def is_published(self) -> bool:
        return self.status == ReleaseStatus.PUBLISHED

    @property
    def is_editable(self) -> bool:
        """Bulletin texts and copy recipients may change until publication (and again after a withdrawal)."""
        return self.is_current and self.status != ReleaseStatus.PUBLISHED


class ConsultationComment(models.Model):
    """A member unit's comment on the 征求意见稿: kept as written (never edited nor deleted)."""

    release = models.ForeignKey(ResultRelease, on_delete=models.PROTECT, related_name="comments")
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("提出时间")
    text = models.TextField("意见", max_length=4000)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.organisation} 的意见"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("consultation comments cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("consultation comments cannot be deleted")


class ReleaseApproval(models.Model):
    """审定: who approved (free text, e.g. a leadership group meeting), when; voided when the results are reopened."""

    release = models.ForeignKey(ResultRelease, on_delete=models.PROTECT, related_name="approvals")
    approved_by = models.CharField("审定机构或会议", max_length=300)
    approved_on = models.DateField("审定日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间")
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="作废人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.TextField("作废原因", blank=True, max_length=2000)

    class Meta:
        verbose_name = "审定"
        verbose_name_plural = "审定"
        ordering: ClassVar[list[str]] = ["recorded_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["release"], condition=models.Q(voided_at__isnull=True), name="release_approval_one_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approved_by}（{self.approved_on:%Y-%m-%d}）"


class CopyRecipient(models.Model):
    """An organisation the published results are copied to (抄送), chosen by the office before publication."""

    release = models.ForeignKey(ResultRelease, on_delete=models.CASCADE, related_name="copy_recipients")
    organisation = models.ForeignKey(Organisation, verbose_name="抄送单位", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("添加时间")

    class Meta:
        verbose_name = "抄送单位"
        verbose_name_plural = "抄送单位"
        ordering: ClassVar[list[str]] = ["organisation__sort_key", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["release", "organisation"], name="copy_recipient_once_per_release"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class ResultPublication(models.Model):
    """One publication of a release: what was published (snapshot, frozen bulletin), by whom; and its withdrawal."""

    release = models.ForeignKey(ResultRelease, on_delete=models.PROTECT, related_name="publications")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="result_publications")
    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.PROTECT, related_name="+")
    approval = models.ForeignKey(ReleaseApproval, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公布人", on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("公布时间")
    bulletin = models.JSONField("公布的通报", default=dict)
    excellent_two_years = models.JSONField("连续两年优秀", default=dict)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤回人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdraw_reason = models.TextField("撤回理由", blank=True, max_length=2000)

    class Meta:
        verbose_name = "考核结果公布"
        verbose_name_plural = "考核结果公布"
        ordering: ClassVar[list[str]] = ["-published_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(withdrawn_at__isnull=True), name="result_publication_one_in_force"
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdraw_reason=""),
                name="result_publication_withdrawn_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} 考核结果公布（{self.published_at:%Y-%m-%d}）"


class ReceiptKind(models.TextChoices):
    UNIT = "unit", "考核对象"
    COPY = "copy", "抄送"


class ResultReceipt(models.Model):
    """The results sent in writing to one organisation; read once a member with ``results:receive`` opens them."""

    Kind = ReceiptKind

    publication = models.ForeignKey(ResultPublication, on_delete=models.PROTECT, related_name="receipts")
    organisation = models.ForeignKey(Organisation, verbose_name="送达单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("送达方式", max_length=8, choices=ReceiptKind.choices)
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="查阅人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField("查阅时间", null=True, blank=True)

    class Meta:
        verbose_name = "送达回执"
        verbose_name_plural = "送达回执"
        ordering: ClassVar[list[str]] = ["kind", "organisation__sort_key", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["publication", "organisation"], name="result_receipt_once_per_organisation"),
            models.CheckConstraint(condition=models.Q(kind__in=ReceiptKind.values), name="result_receipt_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(read_at__isnull=True) | models.Q(read_by__isnull=False), name="result_receipt_read_by_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} 回执"


from kaohe.results.models_practice import GoodPractice, PracticeStatus  # noqa: E402, F401  (典型经验)
from kaohe.results.models_use import ResultUse, UseColumn  # noqa: E402, F401  (结果运用)
