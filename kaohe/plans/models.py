"""The year's plan: categories, indicator trees, assessor desks, units and the scoring policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.organisations.models import Organisation
from kaohe.plans.constants import (
    DEFAULT_EVENT_DAYS,
    DEFAULT_VETOES,
    EVENT_LABEL_MAX,
    MAX_EVENT_DAYS,
    Adjustment,
    Level,
    Method,
)


class Plan(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        RESULTS_PUBLISHED = "results_published", "结果已公布"
        ARCHIVED = "archived", "已归档"

    organiser = models.ForeignKey(Organisation, verbose_name="组织单位", on_delete=models.PROTECT, related_name="organised_plans")
    year = models.PositiveSmallIntegerField("考核年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField("方案名称", max_length=200)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    period_start = models.DateField("考核期间起")
    period_end = models.DateField("考核期间止")
    status = models.CharField("状态", max_length=24, choices=Status.choices, default=Status.DRAFT)
    member_organisations = models.ManyToManyField(
        Organisation, verbose_name="成员单位", blank=True, related_name="member_of_plans"
    )
    submission_deadline = models.DateField("资料报送截止", null=True, blank=True)
    case_files_deadline = models.DateField("集中评查材料截止", null=True, blank=True)
    daily_scores_deadline = models.DateField("日常考核评分截止", null=True, blank=True)
    field_start = models.DateField("实地考核开始", null=True, blank=True)
    field_end = models.DateField("实地考核结束", null=True, blank=True)
    # JZ 四(三) "在5月8日前…逐一向各地各部门进行反馈": by when the office releases every unit's 问题反馈
    feedback_deadline = models.DateField("问题反馈截止", null=True, blank=True)
    consultation_days = models.PositiveSmallIntegerField(
        "征求意见期(天)", default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    copy_organisations = models.ManyToManyField(Organisation, verbose_name="抄送单位", blank=True, related_name="copied_plans")
    # PDS 七(五) "遇到的问题请及时与…办公室联系": the office's own contact, shown to units and desks on the plan's page
    office_contact_name = models.CharField("考核办联系人", max_length=50, blank=True)
    office_contact_phone = models.CharField("考核办联系电话", max_length=50, blank=True)
    office_contact_address = models.CharField("考核办联系地址", max_length=200, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering: ClassVar[list[str]] = ["-year", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="plan_period_ordered"),
            models.UniqueConstraint(fields=["organiser", "year", "title"], name="plan_unique_title_per_year"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == Plan.Status.DRAFT


def default_vetoes() -> list[dict[str, str]]:
    """The veto conditions of a new plan (DESIGN §2.8): two lost lawsuits, the principal absent from court."""
    return [dict(v) for v in DEFAULT_VETOES]


class ScoringPolicy(models.Model):
    """Per-plan scoring settings; defaults are those of the Pingdingshan 2020 plan (DESIGN.md §3).

    ``grade_bands``: best first, ``[{"name": "优秀", "min": "90", "quota_pct": "30"}, …]`` (empty: the default
    bands of results/loader.py). ``vetoes``: ``[{"key": "two_lost_lawsuits", "label": "…", "effect":
    "not_best" | "lowest"}]``; a unit with a recorded flag ``key`` cannot hold the best band, or holds the lowest.
    """

    class Missing(models.TextChoices):
        """The plan's rule for missing evaluations (the default of the computation; values of rules.MissingPolicy)."""

        REPORT = "report", "等待评价补齐：缺少评价的考核对象暂不计分、不排名"
        ZERO = "zero", "缺少的评价按0分计（每次计算须记录决定）"

    class OwnDepartment(models.TextChoices):
        """Whether a desk may grade its own department (回避, docs/scoring.md §8)."""

        REFUSE = "refuse", "回避：不得评价本单位（含上级部门、内设科室）"
        FLAG = "flag", "允许评价，结果中标注“回避”"

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="policy")
    grade_excellent_pct = models.DecimalField("优 得分比例(%)", default=Decimal(100), max_digits=7, decimal_places=2)
    grade_good_pct = models.DecimalField("良 得分比例(%)", default=Decimal(80), max_digits=7, decimal_places=2)
    grade_fair_pct = models.DecimalField("中 得分比例(%)", default=Decimal(60), max_digits=7, decimal_places=2)
    grade_poor_pct = models.DecimalField("差 得分比例(%)", default=Decimal(0), max_digits=7, decimal_places=2)
    bonus_per_item = models.DecimalField("每项加分", default=Decimal(1), max_digits=7, decimal_places=2)
    bonus_cap = models.DecimalField("加分上限", default=Decimal(5), max_digits=7, decimal_places=2)
    deduction_min = models.DecimalField("每项减分下限", default=Decimal(1), max_digits=7, decimal_places=2)
    deduction_max = models.DecimalField("每项减分上限", default=Decimal(3), max_digits=7, decimal_places=2)
    convert_to_full_score = models.BooleanField("适用满分不足时换算", default=True)
    review_request_days = models.PositiveSmallIntegerField("复核申请期限(工作日)", default=5)
    review_answer_days = models.PositiveSmallIntegerField("复核答复期限(工作日)", default=5)
    bottom_n = models.PositiveSmallIntegerField("约谈名单人数(后N名)", default=5)
    platform_weight = models.DecimalField("督导平台+日常权重", null=True, blank=True, max_digits=7, decimal_places=2)
    field_weight = models.DecimalField("实地考核权重", null=True, blank=True, max_digits=7, decimal_places=2)
    case_review_weight = models.DecimalField("集中评查权重", null=True, blank=True, max_digits=7, decimal_places=2)
    grade_bands = models.JSONField("等次划分", default=list, blank=True)
    vetoes = models.JSONField("否决情形", default=default_vetoes, blank=True)
    excellent_two_years = models.BooleanField(
        "连续两年优秀提出表彰建议", default=True, help_text="对连续两年评为最高等次（如优秀）的考核对象提出表彰建议"
    )
    missing_evaluations = models.CharField("缺少评价时", max_length=16, choices=Missing.choices, default=Missing.REPORT)
    own_department = models.CharField(
        "考核主体评价本单位",
        max_length=16,
        choices=OwnDepartment.choices,
        default=OwnDepartment.REFUSE,
        help_text="考核主体（如某部门的内设科室）评价其所在部门时：拒绝，或允许并在结果中标注回避",
    )

    class Meta:
        verbose_name = "计分规则"
        verbose_name_plural = "计分规则"
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(bonus_cap__gte=0), name="policy_bonus_cap_nonnegative"),
            models.CheckConstraint(
                condition=models.Q(deduction_max__gte=models.F("deduction_min")), name="policy_deduction_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} 计分规则"


class Category(models.Model):
    """考核对象类别: a group of units sharing one indicator table."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField("类别名称", max_length=100)
    full_score = models.DecimalField(
        "满分", default=Decimal(100), validators=[MinValueValidator(Decimal("0.01"))], max_digits=7, decimal_places=2
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考核对象类别"
        verbose_name_plural = "考核对象类别"
        ordering: ClassVar[list[str]] = ["order", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "name"], name="category_unique_name_in_plan"),
        ]

    def __str__(self) -> str:
        return self.name


class AssessorDesk(models.Model):
    """考核主体: an organisation (often a section of a department) that grades tasks in this plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="desks")
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.PROTECT, related_name="desks")
    seq = models.CharField("序号", max_length=10, blank=True)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True)
    address = models.CharField("联系地址", max_length=200, blank=True)
    platform_account = models.CharField("督导平台登录账号", max_length=100, blank=True)
    aliases = models.TextField("别名", blank=True, help_text="指标表中可能出现的其他写法，每行一个")

    class Meta:
        verbose_name = "考核主体"
        verbose_name_plural = "考核主体"
        ordering: ClassVar[list[str]] = ["seq", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "organisation"], name="desk_unique_org_in_plan"),
        ]

    def __str__(self) -> str:
        return self.organisation.name

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class PlanUnit(models.Model):
    """考核对象: an organisation assessed in this plan, in one category."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="units")
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.PROTECT, related_name="units")
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.PROTECT, related_name="plan_units")
    # 主要负责人 of the unit in this plan's year (约谈 and 表彰 name this person); kept per plan, since people change.
    leader_name = models.CharField("主要负责人", max_length=50, blank=True)
    leader_post = models.CharField("主要负责人职务", max_length=100, blank=True)
    # PDS 五(四) "除考核对象特别要求外,不再进行集中反馈": the unit's own request for a collective feedback meeting
    collective_feedback_note = models.CharField("集中反馈要求", max_length=500, blank=True)
    collective_feedback_requested_at = models.DateTimeField("提出集中反馈要求时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核对象"
        verbose_name_plural = "考核对象"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "organisation"], name="unit_once_per_plan"),
        ]

    def __str__(self) -> str:
        return self.organisation.name


class Indicator(models.Model):
    """A node of a category's indicator tree: 一级指标 → 二级指标 → 工作任务 (level 3 = task)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    code = models.CharField("编号", max_length=20)
    order = models.PositiveIntegerField("顺序")
    name = models.TextField("名称")
    points = models.DecimalField(
        "分值", null=True, blank=True, validators=[MinValueValidator(Decimal(0))], max_digits=7, decimal_places=2
    )
    method = models.CharField("考核方式", max_length=16, choices=Method.choices, blank=True)
    materials = models.TextField("报送材料", blank=True)
    deadline = models.DateField("时间要求", null=True, blank=True)
    requirement = models.TextField("工作要求", blank=True)
    assessor = models.ForeignKey(
        AssessorDesk, verbose_name="责任主体", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    adjustment = models.CharField("加减分项", max_length=16, choices=Adjustment.choices, blank=True, default=Adjustment.NONE)
    counts_next_year = models.BooleanField("计入下一年度考核", default=False)
    source_row = models.PositiveIntegerField("来源行号", null=True, blank=True)
    # Deduction rules read from the scoring standard at import (excel/rules.py): [{"event", "points", "per", "cap"}].
    # Empty when the standard has none or could not be read; the text in ``requirement`` stays the standard.
    deduction_rules = models.JSONField("扣分规则", default=list, blank=True)
    # 模板任务: the row of a higher office's template this node was adopted from (null: a local node, 本地).
    template_item = models.ForeignKey(
        "TemplateItem",
        verbose_name="模板指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adopted_indicators",
    )
    # 事件触发报送: the unit records each event (e.g. 出庭应诉) and uploads its evidence within ``event_days`` working
    # days of it. An empty label means an ordinary task with one deadline.
    event_label = models.CharField("触发事件", max_length=EVENT_LABEL_MAX, blank=True)
    event_days = models.PositiveSmallIntegerField(
        "事件后报送期限(工作日)",
        default=DEFAULT_EVENT_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EVENT_DAYS)],
    )

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering: ClassVar[list[str]] = ["category", "order"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["category", "code"], name="indicator_unique_code_in_category"),
            models.CheckConstraint(
                condition=models.Q(level=Level.TASK) | models.Q(method=""), name="indicator_method_only_on_tasks"
            ),
            models.CheckConstraint(
                condition=models.Q(level=Level.LEVEL1, parent__isnull=True)
                | models.Q(level__gt=Level.LEVEL1, parent__isnull=False),
                name="indicator_parent_matches_level",
            ),
            models.CheckConstraint(
                condition=models.Q(points__gte=0) | models.Q(points__isnull=True), name="indicator_points_nonnegative"
            ),
            models.CheckConstraint(
                condition=models.Q(level=Level.TASK) | models.Q(event_label=""), name="indicator_event_only_on_tasks"
            ),
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["plan", "level"], name="indicator_plan_level")]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:40]}"

    @property
    def is_task(self) -> bool:
        return self.level == Level.TASK

    @property
    def is_event_driven(self) -> bool:
        """事件触发报送: evidence is due per recorded event, ``event_days`` working days after it."""
        return bool(self.event_label)


def import_upload_to(instance: PlanImport, filename: str) -> str:
    # The original (often Chinese) name is kept in original_name; the stored path never uses it.
    import uuid

    return f"imports/plan-{instance.plan_id}/{uuid.uuid4().hex}.xlsx"


class PlanImport(TimeStampedModel):
    """An uploaded table awaiting the office's confirmation; nothing is written to the plan before that."""

    class Kind(models.TextChoices):
        INDICATORS = "indicators", "指标体系"
        UNITS = "units", "考核对象名单"
        DESKS = "assessors", "考核主体联系表"

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        APPLIED = "applied", "已导入"
        DISCARDED = "discarded", "已放弃"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField("导入内容", max_length=16, choices=Kind.choices)
    category_name = models.CharField("类别名称", max_length=100, blank=True)
    full_score = models.DecimalField("类别满分", null=True, blank=True, max_digits=7, decimal_places=2)
    file = models.FileField("文件", upload_to=import_upload_to, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PREVIEW)
    problems = models.JSONField("问题", default=list, blank=True)
    summary = models.JSONField("摘要", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)
    accepted_warnings = models.PositiveIntegerField("已接受的警告数", default=0)

    # Not a field: ``plan_import_apply`` leaves the accounts a people list issued here, for the password sheet
    # shown once (never stored).
    issued_accounts: list[Any]
    # The office's reading of an indicator table, chosen on the preview (excel.parse.IndicatorOptions):
    # {"sheets": [titles] | null, "columns": {sheet: {letter: role}}, "distribute": bool}
    options = models.JSONField("导入选项", default=dict, blank=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.get("severity") == "error")

    @property
    def warning_count(self) -> int:
        return sum(1 for p in self.problems if p.get("severity") == "warning")


class PointsChangeFlag(models.Model):
    """An evaluation made under a task's old points, after the office changed them in a published plan.

    The score is never rescaled silently: the desk sees "分值已变更，请确认" on its grid until it records the cell
    again (confirmed_at is then set).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="points_flags")
    unit = models.ForeignKey(PlanUnit, verbose_name="考核对象", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Indicator, verbose_name="工作任务", on_delete=models.CASCADE, related_name="points_flags")
    old_points = models.DecimalField("原分值", null=True, blank=True, max_digits=7, decimal_places=2)
    new_points = models.DecimalField("新分值", null=True, blank=True, max_digits=7, decimal_places=2)
    reason = models.TextField("变更理由", max_length=500)
    created_at = models.DateTimeField("变更时间")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "分值变更待确认"
        verbose_name_plural = "分值变更待确认"
        indexes: ClassVar[list[Any]] = [models.Index(fields=["plan", "task", "unit"], name="points_flag_lookup")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.task.code}"


class ProblemKind(models.Model):
    """问题类型: one entry of a plan's editable list; deduction reasons and feedback problems may carry one.

    Removing a kind the office no longer wants only retires it (``active``): what already carries it keeps it,
    and the analysis still counts it.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="problem_kinds")
    name = models.CharField("问题类型", max_length=60)
    position = models.PositiveIntegerField("顺序", default=0)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "问题类型"
        verbose_name_plural = "问题类型"
        ordering: ClassVar[list[str]] = ["position", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "name"], name="problem_kind_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorTemplate(TimeStampedModel):
    """指标模板: a snapshot of one category's indicator table that an office publishes (下发) to the offices of
    the regions below its own, with per-task constraints (``TemplateItem.locked`` / ``min_points``).

    Immutable once published: the rows are copied at publication, so later edits of the publishing plan never
    move it; publishing again under the same name makes the next ``version`` (the earlier ones stay adoptable)."""

    plan = models.ForeignKey(Plan, verbose_name="来源方案", on_delete=models.PROTECT, related_name="templates")
    category = models.ForeignKey(
        Category, verbose_name="来源类别", null=True, blank=True, on_delete=models.SET_NULL, related_name="templates"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="下发单位", on_delete=models.PROTECT, related_name="indicator_templates"
    )
    name = models.CharField("模板名称", max_length=200)
    version = models.PositiveSmallIntegerField("版本", default=1)
    full_score = models.DecimalField("满分", default=Decimal(100), max_digits=7, decimal_places=2)
    note = models.TextField("下发说明", blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="下发人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "指标模板"
        verbose_name_plural = "指标模板"
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organisation", "name", "version"], name="template_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class TemplateItem(models.Model):
    """A row of a template's snapshot: 一级 / 二级 / 工作任务 as published, with the constraints of a task."""

    template = models.ForeignKey(IndicatorTemplate, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    code = models.CharField("编号", max_length=20)
    order = models.PositiveIntegerField("顺序")
    name = models.TextField("名称")
    points = models.DecimalField("分值", null=True, blank=True, max_digits=7, decimal_places=2)
    method = models.CharField("考核方式", max_length=16, choices=Method.choices, blank=True)
    materials = models.TextField("报送材料", blank=True)
    deadline = models.DateField("时间要求", null=True, blank=True)
    requirement = models.TextField("工作要求", blank=True)
    adjustment = models.CharField("加减分项", max_length=16, choices=Adjustment.choices, blank=True, default=Adjustment.NONE)
    counts_next_year = models.BooleanField("计入下一年度考核", default=False)
    deduction_rules = models.JSONField("扣分规则", default=list, blank=True)
    locked = models.BooleanField("锁定", default=False, help_text="下级不得删除，不得修改分值和考核方式")
    min_points = models.DecimalField(
        "最低分值",
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        max_digits=7,
        decimal_places=2,
        help_text="下级为该任务设定的分值不得低于此值",
    )
    source = models.ForeignKey(
        Indicator, verbose_name="来源指标", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "模板指标"
        verbose_name_plural = "模板指标"
        ordering: ClassVar[list[str]] = ["template", "order"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["template", "code"], name="template_item_unique_code"),
            models.CheckConstraint(
                condition=models.Q(level=Level.TASK) | (models.Q(locked=False) & models.Q(min_points__isnull=True)),
                name="template_item_constraints_only_on_tasks",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:40]}"

    @property
    def is_task(self) -> bool:
        return self.level == Level.TASK


class TemplateAdoption(models.Model):
    """采用: a lower office's plan took a template into one of its categories (what the publisher sees)."""

    # ``plan`` first: a plan archive (backup_scope) places a row by its first foreign key leading to a plan, and an
    # adoption belongs to the adopting plan, not to the publisher's.
    plan = models.ForeignKey(Plan, verbose_name="采用方案", on_delete=models.CASCADE, related_name="template_adoptions")
    template = models.ForeignKey(IndicatorTemplate, on_delete=models.PROTECT, related_name="adoptions")
    category = models.ForeignKey(Category, verbose_name="采用类别", on_delete=models.CASCADE, related_name="template_adoptions")
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="采用人", on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField("采用时间")

    class Meta:
        verbose_name = "模板采用记录"
        verbose_name_plural = "模板采用记录"
        ordering: ClassVar[list[str]] = ["-adopted_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["category"], name="adoption_one_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} 采用 {self.template}"
