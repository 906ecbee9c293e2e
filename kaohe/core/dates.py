"""Bounded dates: every date a person types or imports lies in a window that makes sense for it.

Python accepts 0001-01-01 and 9999-12-31, but arithmetic on them overflows (9999-12-31 + 1 day) and no
assessment needs them. Three windows, each shown to the user in the refusal:

- **a plan's dates** (task deadlines, extensions, 退回补充, 整改期限, 征求意见截止, 审定日期, the bulletin's
  dates, 实地考核 days): 1 January of the plan's year − 2 to 31 December of the plan's year + 2. When the
  plan is older than the current year, the end moves to the current year + 2, so an office (or the demo)
  working late on an old plan can still set today's dates;
- **case dates** (决定日期 of the case files a unit lists): the plan's year and the year before;
- **dates of no plan** (the holiday table, audit log filters): 2000-01-01 to 2100-12-31.

Forms use :class:`kaohe.core.forms.BoundedDateField`; services call :func:`check_date_in_bounds` again.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils import timezone

Bounds = tuple[dt.date, dt.date]

SITE_DATE_BOUNDS: Bounds = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))
PLAN_YEARS_AROUND = 2


class HasYear(Protocol):
    """Anything with an assessment year (a Plan)."""

    year: int


def year_date_bounds(year: int, *, today: dt.date | None = None) -> Bounds:
    """1 Jan (year − 2) .. 31 Dec (max(year, the current year) + 2)."""
    current = (today or timezone.localdate()).year
    return dt.date(year - PLAN_YEARS_AROUND, 1, 1), dt.date(max(year, current) + PLAN_YEARS_AROUND, 12, 31)


def plan_date_bounds(plan: HasYear, *, today: dt.date | None = None) -> Bounds:
    """The window of every date of ``plan`` (deadlines, extensions, returns, due dates, publication)."""
    return year_date_bounds(plan.year, today=today)


def case_date_bounds(plan: HasYear) -> Bounds:
    """Cases assessed in a year's plan were decided in that year or the year before."""
    return dt.date(plan.year - 1, 1, 1), dt.date(plan.year, 12, 31)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def bounds_message(bounds: Bounds, *, field_label: str = "日期") -> str:
    """ "补充截止日期须在2018年1月1日至2022年12月31日之间"."""
    start, end = bounds
    return f"{field_label}须在{chinese_date(start)}至{chinese_date(end)}之间"


def check_date_in_bounds(
    value: dt.date, *, plan: HasYear | None = None, bounds: Bounds | None = None, field_label: str = "日期"
) -> None:
    """Refuse ``value`` outside ``bounds`` (default: the plan's window, or the site's without a plan)."""
    if bounds is None:
        bounds = plan_date_bounds(plan) if plan is not None else SITE_DATE_BOUNDS
    start, end = bounds
    if not start <= value <= end:
        raise ValidationError(bounds_message(bounds, field_label=field_label), code="date_out_of_bounds")
