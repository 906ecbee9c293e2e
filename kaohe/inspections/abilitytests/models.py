"""依法行政能力测试: rosters (versioned), tests with their reproducible draws and papers, testees and answers.

Immutable records: a :class:`RosterVersion` and a :class:`Question` are never edited once written (a change
to a roster is a new version; the bank only grows), so a draw or a paper can always be replayed from its
stored seed against exactly the data it was drawn from (see ``draws.py``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.plans.models import Indicator, Plan, PlanUnit


class Group(models.TextChoices):
    """Which part of a unit's roster a person belongs to (the draw rules name these)."""

    LEADER = "leader", "领导小组负责同志"
    MEMBER = "member", "领导小组成员"
    STAFF = "staff", "工作人员"


class RosterVersion(TimeStampedModel):
    """One version of a unit's roster of people who may be drawn. Never edited: each change is a new version.

    ``people`` is a list of ``{"name", "post", "group", "section"}`` in the order entered; ``digest`` is the
    SHA-256 of its canonical form (``draws.roster_digest``), copied into every draw made from it.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", "逐人录入"
        IMPORT = "import", "表格导入"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField("版本号")
    people = models.JSONField("人员", default=list)
    digest = models.CharField("摘要(SHA-256)", max_length=64)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    note = models.CharField("变更说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "测试人员名册版本"
        verbose_name_plural = "测试人员名册版本"
        ordering: ClassVar[list[str]] = ["unit", "-number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["unit", "number"], name="abilitytest_roster_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} 名册第{self.number}版"


def bank_upload_to(instance: QuestionImport, filename: str) -> str:
    return f"abilitytests/plan-{instance.plan_id}/bank-{uuid.uuid4().hex}.xlsx"


class QuestionImport(TimeStampedModel):
    """An uploaded question-bank table awaiting confirmation; nothing enters the bank before that."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        APPLIED = "applied", "已导入"
        DISCARDED = "discarded", "已放弃"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    file = models.FileField("文件", upload_to=bank_upload_to, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PREVIEW)
    problems = models.JSONField("问题", default=list, blank=True)
    summary = models.JSONField("摘要", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "题库导入记录"
        verbose_name_plural = "题库导入记录"
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.get("severity") == "error")

    @property
    def warning_count(self) -> int:
        return sum(1 for p in self.problems if p.get("severity") == "warning")


class Question(TimeStampedModel):
    """A question of the plan's bank. Never edited or deleted (papers refer to it and are replayed)."""

    class Kind(models.TextChoices):
        SINGLE = "single", "单选"
        MULTIPLE = "multiple", "多选"
        JUDGE = "judge", "判断"
        SHORT = "short", "简答"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(QuestionImport, null=True, blank=True, on_delete=models.PROTECT, related_name="questions")
    source_row = models.PositiveIntegerField("来源行号", null=True, blank=True)
    kind = models.CharField("题型", max_length=16, choices=Kind.choices)
    stem = models.TextField("题干")
    options = models.JSONField("选项", default=list, blank=True)
    answer = models.TextField("答案", blank=True, help_text="单选/多选为选项字母（如 A、AC），判断为 T/F，简答为参考答案")
    category = models.CharField("分类", max_length=50, blank=True)
    difficulty = models.CharField("难度", max_length=20, blank=True)
    points = models.DecimalField("分值", max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        verbose_name = "试题"
        verbose_name_plural = "试题"
        ordering: ClassVar[list[str]] = ["pk"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["plan", "kind"], name="abilitytest_question_kind")]

    def __str__(self) -> str:
        return f"[{self.get_kind_display()}] {self.stem[:30]}"


class Sitting(TimeStampedModel):
    """A city-wide sitting (场次, e.g. 全市领导干部法律知识考试): one paper for candidates of many units at once.

    Each unit taking part has its own :class:`AbilityTest` (``sitting`` set; its unit's task among ``tasks``,
    one task per category) holding its candidates as testees — so codes, the per-candidate shuffle
    (``Testee.layout_seed``), marking and the unit's score (计入考核得分) are those of any online test. The
    candidates come from one roster sheet with a unit column (no draw); the paper is drawn once and the same
    draw (seed, bank state, questions) is stored for every unit's test.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    title = models.CharField("场次名称", max_length=100)
    tasks = models.ManyToManyField(Indicator, verbose_name="计分的工作任务", related_name="+")
    paper_rules = models.JSONField("组卷规则", default=dict)
    time_limit_minutes = models.PositiveSmallIntegerField(
        "答题时限(分钟)", default=60, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    roster_note = models.CharField("考生名单来源", max_length=300, blank=True)
    opened_at = models.DateTimeField("开考时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "统一考试场次"
        verbose_name_plural = "统一考试场次"
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed_at is None


class AbilityTest(TimeStampedModel):
    """One test of one unit on one task: how testees are drawn (``rules``) and how they are tested (``mode``).

    ``rules`` is a list of ``{"group", "min", "max"}`` (a count when min == max, else a range whose count is
    drawn too); ``paper_rules`` is ``{"single", "multiple", "judge", "short", "category", "difficulty"}``.
    """

    class Mode(models.TextChoices):
        ONLINE = "online", "在线测试"
        ORAL = "oral", "现场提问"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(Indicator, verbose_name="工作任务", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField("测试方式", max_length=16, choices=Mode.choices)
    rules = models.JSONField("抽取规则", default=list)
    paper_rules = models.JSONField("组卷规则", default=dict, blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        "答题时限(分钟)", default=30, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    oral_max_score = models.DecimalField(
        "每人满分(现场提问)", max_digits=6, decimal_places=2, default=Decimal(100), validators=[MinValueValidator(Decimal(1))]
    )
    sitting_opened_at = models.DateTimeField("开考时间", null=True, blank=True)
    sitting_closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    recorded_at = models.DateTimeField("计入考核得分时间", null=True, blank=True)
    recorded_score = models.DecimalField("计入得分", max_digits=7, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sitting = models.ForeignKey(
        Sitting, verbose_name="统一考试场次", null=True, blank=True, on_delete=models.CASCADE, related_name="tests"
    )

    class Meta:
        verbose_name = "依法行政能力测试"
        verbose_name_plural = "依法行政能力测试"
        ordering: ClassVar[list[str]] = ["unit_id", "task__order", "pk"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.task.code} {self.get_mode_display()}"

    @property
    def is_online(self) -> bool:
        return self.mode == AbilityTest.Mode.ONLINE

    @property
    def sitting_is_open(self) -> bool:
        return self.sitting_opened_at is not None and self.sitting_closed_at is None


class Draw(models.Model):
    """The draw of a test's testees: seed, roster version (and its digest), rules and result, all stored."""

    test = models.OneToOneField(AbilityTest, on_delete=models.CASCADE, related_name="draw")
    roster = models.ForeignKey(RosterVersion, verbose_name="名册版本", on_delete=models.PROTECT, related_name="draws")
    roster_digest = models.CharField("名册摘要", max_length=64)
    seed = models.CharField("随机种子", max_length=64)
    rules = models.JSONField("抽取规则")
    result = models.JSONField("抽取结果")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽取时间")

    class Meta:
        verbose_name = "测试人员抽取"
        verbose_name_plural = "测试人员抽取"

    def __str__(self) -> str:
        return f"{self.test} 抽取"


class Paper(models.Model):
    """A test's paper drawn from the bank: seed, rules, the bank as it stood (max id + digest), question ids."""

    test = models.OneToOneField(AbilityTest, on_delete=models.CASCADE, related_name="paper")
    seed = models.CharField("随机种子", max_length=64)
    rules = models.JSONField("组卷规则")
    bank_max_id = models.PositiveBigIntegerField("组卷时题库最大编号")
    pool_digest = models.CharField("备选题摘要", max_length=64)
    question_ids = models.JSONField("试题")
    total_points = models.DecimalField("总分", max_digits=7, decimal_places=2)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("组卷时间")

    class Meta:
        verbose_name = "试卷"
        verbose_name_plural = "试卷"

    def __str__(self) -> str:
        return f"{self.test} 试卷"


class Testee(TimeStampedModel):
    """A drawn person: their one-time code (hashed), their attempt (online) or their oral score."""

    __test__ = False  # not a pytest test class, despite the name

    class Finish(models.TextChoices):
        SUBMITTED = "submitted", "已交卷"
        TIMEOUT = "timeout", "超时收卷"
        ABSENT = "absent", "缺考"

    test = models.ForeignKey(AbilityTest, on_delete=models.CASCADE, related_name="testees")
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=50, blank=True)
    group = models.CharField("分组", max_length=16, choices=Group.choices)
    section = models.CharField("处室", max_length=50, blank=True)
    code_hash = models.CharField("测试码摘要", max_length=64, blank=True)
    code_issued_at = models.DateTimeField("测试码生成时间", null=True, blank=True)
    layout_seed = models.CharField("题序种子", max_length=64, blank=True)
    started_at = models.DateTimeField("开始答题", null=True, blank=True)
    deadline_at = models.DateTimeField("答题截止", null=True, blank=True)
    finished_at = models.DateTimeField("交卷时间", null=True, blank=True)
    finish = models.CharField("交卷方式", max_length=16, choices=Finish.choices, blank=True)
    oral_score = models.DecimalField("现场提问得分", max_digits=6, decimal_places=2, null=True, blank=True)
    oral_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "测试人员"
        verbose_name_plural = "测试人员"
        ordering: ClassVar[list[str]] = ["test", "seq"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["test", "seq"], name="abilitytest_testee_seq_unique"),
            models.UniqueConstraint(
                fields=["code_hash"], condition=~models.Q(code_hash=""), name="abilitytest_testee_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test} · {self.name}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class Answer(models.Model):
    """A testee's answer to one question: the response (original option letters) and its score."""

    testee = models.ForeignKey(Testee, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    response = models.TextField("作答", blank=True)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField("阅卷时间", null=True, blank=True)

    class Meta:
        verbose_name = "作答"
        verbose_name_plural = "作答"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["testee", "question"], name="abilitytest_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.testee} · {self.question_id}"
