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
