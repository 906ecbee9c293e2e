"""Writes to the office's holiday table. Each runs in a transaction, validates, and audits with ``actor``.

Permission is NOT checked here: the view layer asks ``access`` whether the user may maintain the holiday
table (the office / system administrator) before calling these. ``actor`` is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kaohe.core import audit
from kaohe.core.calendar import CalendarYearUnknown, builtin_rows
from kaohe.core.models_calendar import HolidayCalendarYear, HolidayDate, date_problem

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

Source = HolidayCalendarYear.Source
Kind = HolidayDate.Kind
NAME_MAX_LENGTH = HolidayDate._meta.get_field("name").max_length or 50


def _date_state(holiday_date: HolidayDate) -> dict[str, Any]:
    return {
        "year": holiday_date.year.year,
        "date": holiday_date.date,
        "kind": holiday_date.kind,
        "name": holiday_date.name,
    }


def _mark_office_maintained(year: HolidayCalendarYear) -> None:
    """A year copied from chinesecalendar becomes the office's once the office edits it."""
    if year.source != Source.OFFICE:
        year.source = Source.OFFICE
        year.full_clean()
        year.save(update_fields=["source", "updated_at"])


def _existing_date_message(day: dt.date) -> str:
    existing = HolidayDate.objects.filter(date=day).first()
    suffix = f"（{existing.get_kind_display()}：{existing.name}）" if existing is not None else ""
    return f"日期 {day.isoformat()} 已在节假日表中{suffix}，不能重复登记"


# ------------------------------------------------------------------------------------------ years


def holiday_year_create(*, actor: AbstractBaseUser, year: int, note: str = "") -> HolidayCalendarYear:
    """Start the office's table for ``year``. Until it has a 放假 row the year counts as not maintained."""
    with transaction.atomic():
        if HolidayCalendarYear.objects.filter(year=year).exists():
            raise ValidationError(f"{year} 年的节假日表已存在")
        calendar_year = HolidayCalendarYear(year=year, source=Source.OFFICE, note=note)
        calendar_year.full_clean()
        calendar_year.save()
        audit.record(
            actor=actor,
            action="calendar.year_create",
            obj=calendar_year,
            after={"year": year, "source": calendar_year.source, "note": note},
        )
    return calendar_year


def holiday_year_copy_builtin(*, actor: AbstractBaseUser, year: int, note: str = "") -> HolidayCalendarYear:
    """Copy chinesecalendar's schedule for ``year`` into the table, so the office can correct it there.

    Refused for a year chinesecalendar does not know or one the table already has.
    """
    rows = _builtin_rows_or_error(year)
    with transaction.atomic():
        if HolidayCalendarYear.objects.filter(year=year).exists():
            raise ValidationError(f"{year} 年的节假日表已存在")
        calendar_year = HolidayCalendarYear(year=year, source=Source.CHINESECALENDAR, note=note or "复制自内置数据")
        calendar_year.full_clean()
        calendar_year.save()
        dates = [HolidayDate(year=calendar_year, date=d, kind=k, name=n) for d, k, n in rows]
        for holiday_date in dates:
            holiday_date.full_clean()
        HolidayDate.objects.bulk_create(dates)
        audit.record(
            actor=actor,
            action="calendar.year_copy_builtin",
            obj=calendar_year,
            after={"year": year, "source": calendar_year.source, "rows": [list(r) for r in rows]},
        )
    return calendar_year


def _builtin_rows_or_error(year: int) -> list[tuple[dt.date, str, str]]:
    try:
        return builtin_rows(year)
    except CalendarYearUnknown:
        raise ValidationError(f"内置数据没有 {year} 年的节假日安排，请按国务院办公厅通知逐条录入") from None


# ------------------------------------------------------------------------------------------ dates


def holiday_date_add(*, actor: AbstractBaseUser, year: HolidayCalendarYear, date: dt.date, kind: str, name: str) -> HolidayDate:
    """Add one 放假 or 调休上班 day to ``year``'s table."""
    with transaction.atomic():
        year = HolidayCalendarYear.objects.select_for_update().get(pk=year.pk)
        if isinstance(date, dt.date) and HolidayDate.objects.filter(date=date).exists():
            raise ValidationError({"date": _existing_date_message(date)})
        holiday_date = HolidayDate(year=year, date=date, kind=kind, name=(name or "").strip())
        holiday_date.full_clean()
        holiday_date.save()
        _mark_office_maintained(year)
        audit.record(actor=actor, action="calendar.date_add", obj=holiday_date, after=_date_state(holiday_date))
    return holiday_date


def holiday_date_delete(*, actor: AbstractBaseUser, holiday_date: HolidayDate) -> None:
    """Remove one day from the table."""
    with transaction.atomic():
        year = HolidayCalendarYear.objects.select_for_update().get(pk=holiday_date.year_id)
        holiday_date = HolidayDate.objects.select_related("year").get(pk=holiday_date.pk)
        before = _date_state(holiday_date)
        audit.record(actor=actor, action="calendar.date_delete", obj=holiday_date, before=before)
        holiday_date.delete()
        _mark_office_maintained(year)


def _row_problems(year: int, rows: Sequence[tuple[Any, Any, Any]], taken: dict[dt.date, HolidayDate]) -> list[str]:
    problems: list[str] = []
    first_row_of: dict[dt.date, int] = {}
    kinds = tuple(Kind.values)
    for number, row in enumerate(rows, start=1):
        label = f"第 {number} 行"
        try:
            day, kind, name = row
        except (TypeError, ValueError):
            problems.append(f"{label}：应为（日期、类型、节日）三项")
            continue
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            problems.append(f"{label}：日期“{day}”无效")
            continue
        where = f"{label}（{day.isoformat()}）"
        if kind not in kinds:
            allowed = "、".join(f"{value}（{label_}）" for value, label_ in Kind.choices)
            problems.append(f"{where}：类型“{kind}”无效，应为 {allowed}")
        else:
            problem = date_problem(year, day, kind)
            if problem:
                problems.append(f"{where}：{problem}")
        name_text = name.strip() if isinstance(name, str) else ""
        if not name_text:
            problems.append(f"{where}：未填写节日名称")
        elif len(name_text) > NAME_MAX_LENGTH:
            problems.append(f"{where}：节日名称超过 {NAME_MAX_LENGTH} 个字")
        if day in first_row_of:
            problems.append(f"{where}：与第 {first_row_of[day]} 行日期重复")
        else:
            first_row_of[day] = number
        if day in taken:
            existing = taken[day]
            problems.append(f"{where}：该日期已在节假日表中（{existing.get_kind_display()}：{existing.name}），不能重复登记")
    return problems


def holiday_year_import_rows(
    *, actor: AbstractBaseUser, year: HolidayCalendarYear | int, rows: Sequence[tuple[dt.date, str, str]]
) -> HolidayCalendarYear:
    """Add many rows (date, kind, name) to ``year``'s table at once: all of them, or none.

    Every row is checked first: a date outside the year, a date repeated within ``rows`` or already in the
    table, an unknown kind, a 调休上班 day on a weekday, a missing name. If anything is wrong a
    ``ValidationError`` lists every problem (one message per row and problem, naming the row and date) and
    nothing is written. ``year`` may be a year number whose table does not exist yet; it is then created.
    """
    year_number = year.year if isinstance(year, HolidayCalendarYear) else year
    if not rows:
        raise ValidationError("没有要导入的日期")
    with transaction.atomic():
        calendar_year = HolidayCalendarYear.objects.select_for_update().filter(year=year_number).first()
        dates = [row[0] for row in rows if isinstance(row, tuple | list) and row and isinstance(row[0], dt.date)]
        taken = {d.date: d for d in HolidayDate.objects.filter(date__in=dates)}
        problems = _row_problems(year_number, rows, taken)
        if problems:
            raise ValidationError(problems)
        if calendar_year is None:
            calendar_year = holiday_year_create(actor=actor, year=year_number)
        created = [HolidayDate(year=calendar_year, date=d, kind=k, name=n.strip()) for d, k, n in rows]
        for holiday_date in created:
            holiday_date.full_clean()
        HolidayDate.objects.bulk_create(created)
        _mark_office_maintained(calendar_year)
        audit.record(
            actor=actor,
            action="calendar.import",
            obj=calendar_year,
            after={"year": year_number, "rows": [[h.date, h.kind, h.name] for h in created]},
        )
    return calendar_year
