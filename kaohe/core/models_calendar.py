"""The office-maintained holiday table: one row per year, one row per rest day or make-up working day.

A year that has a :class:`HolidayCalendarYear` row is taken from this table *entirely*; the built-in
chinesecalendar data for that year is then ignored (see :mod:`kaohe.core.calendar`). Writes go through
:mod:`kaohe.core.services_calendar`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from kaohe.core.model_base import TimeStampedModel

MIN_YEAR = 2000
MAX_YEAR = 2100
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


class HolidayCalendarYear(TimeStampedModel):
    """One calendar year whose holiday schedule the platform takes from the database."""

    class Source(models.TextChoices):
        OFFICE = "office", "考核办维护"
        CHINESECALENDAR = "chinesecalendar", "内置数据"

    year = models.PositiveSmallIntegerField(
        "年度", unique=True, validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.OFFICE)
    note = models.CharField("说明", max_length=200, blank=True, help_text="例如国务院办公厅通知的文号")

    class Meta:
        verbose_name = "节假日年度"
        verbose_name_plural = "节假日年度"
        ordering: ClassVar[list[str]] = ["year"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="holiday_year_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年节假日表"


def date_problem(year: int, date: dt.date, kind: str) -> str:
    """The reason a (date, kind) cannot belong to ``year``'s table, or "" when it can.

    Shared by :meth:`HolidayDate.clean` and the bulk import so both say the same thing.
    """
    if date.year != year:
        return f"日期 {date.isoformat()} 不在 {year} 年内"
    if kind == HolidayDate.Kind.WORKDAY and date.weekday() < 5:
        return f"日期 {date.isoformat()} 是{WEEKDAY_NAMES[date.weekday()]}，本来就是工作日，无需登记为调休上班"
    return ""


class HolidayDate(models.Model):
    """A rest day (放假, weekend days inside a holiday block may be listed too) or a make-up working weekend day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    year = models.ForeignKey(HolidayCalendarYear, verbose_name="年度", on_delete=models.CASCADE, related_name="dates")
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=50, help_text="例如 春节、国庆节")

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering: ClassVar[list[str]] = ["date"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["date"], name="holiday_date_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}{self.get_kind_display()}"

    def clean(self) -> None:
        super().clean()
        if self.year_id is None or not isinstance(self.date, dt.date):
            return
        problem = date_problem(self.year.year, self.date, self.kind)
        if problem:
            raise ValidationError({"date": problem})
