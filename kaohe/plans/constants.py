"""Enumerations of the plans app, importable without the app registry (pure modules use them)."""

from django.db import models


class Method(models.TextChoices):
    """考核方式: how a task is assessed."""

    SUBMISSION = "submission", "报送资料"
    DAILY = "daily", "日常掌握"
    FIELD = "field", "实地考核"
    CASE_REVIEW = "case_review", "集中评查"
    OTHER = "other", "其他"


class Adjustment(models.TextChoices):
    """Marks the 加减分项 rows inside an indicator table (outside the stated total)."""

    NONE = "", "—"
    BONUS = "bonus", "加分项"
    DEDUCTION = "deduction", "扣分项"


class Level(models.IntegerChoices):
    LEVEL1 = 1, "一级指标"
    LEVEL2 = 2, "二级指标"
    TASK = 3, "工作任务"


class VetoEffect(models.TextChoices):
    """What a veto condition does to the grade of a unit that has it (DESIGN §2.8)."""

    NOT_BEST = "not_best", "不得评为最高等次（如“优秀”）"
    LOWEST = "lowest", "直接定为最低等次（如“不合格”）"


#: Veto conditions of a new plan; the keys are those recorded on units (``VetoFlag.flag``).
DEFAULT_VETOES: tuple[dict[str, str], ...] = (
    {"key": "two_lost_lawsuits", "label": "年度内行政诉讼败诉两起以上", "effect": VetoEffect.NOT_BEST.value},
    {"key": "principal_absent", "label": "行政机关主要负责人未按规定出庭应诉", "effect": VetoEffect.NOT_BEST.value},
)


#: Grade bands when the plan's policy has none (the plans do not define grades; PDS is silent, rules.md §A6).
DEFAULT_BANDS: tuple[dict[str, str], ...] = (
    {"name": "优秀", "min": "90", "quota_pct": "30"},
    {"name": "良好", "min": "80"},
    {"name": "合格", "min": "60"},
    {"name": "不合格", "min": "0"},
)


#: 事件触发报送: evidence of each event is due this many working days after it (“出庭应诉后5个工作日内上传”).
DEFAULT_EVENT_DAYS = 5
MAX_EVENT_DAYS = 60
EVENT_LABEL_MAX = 40
