"""The installation's working-day calendar: which years are known, and the table for years chinesecalendar lacks.

Offices and system administrators read it (``calendar:view``); only the top region's system administrators
edit it (``calendar:manage``, a top-level capability): one national schedule serves every level's plans.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kaohe.core import capabilities, selectors, services_calendar
from kaohe.core.calendar import BUILTIN_YEARS, Calendar
from kaohe.core.dates import SITE_DATE_BOUNDS, bounds_message
from kaohe.core.forms import StyledFormMixin
from kaohe.core.models_calendar import HolidayDate

if TYPE_CHECKING:
    from kaohe.accounts.http import AuthenticatedHttpRequest

_KINDS = {
    "放假": HolidayDate.Kind.HOLIDAY,
    "休": HolidayDate.Kind.HOLIDAY,
    "holiday": HolidayDate.Kind.HOLIDAY,
    "调休上班": HolidayDate.Kind.WORKDAY,
    "上班": HolidayDate.Kind.WORKDAY,
    "班": HolidayDate.Kind.WORKDAY,
    "workday": HolidayDate.Kind.WORKDAY,
}


class ImportForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    rows = forms.CharField(
        label="安排（每行：日期 类型 名称）",
        max_length=20000,
        widget=forms.Textarea(
            attrs={"rows": 10, "placeholder": "2027-01-01 放假 元旦\n2027-02-06 放假 春节\n2027-02-14 上班 春节调休"}
        ),
    )


class CopyForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


def parse_rows(text: str) -> list[tuple[dt.date, str, str]]:
    """Lines "2027-01-01 放假 元旦" (also with commas or tabs); every bad line is reported, nothing kept."""
    rows: list[tuple[dt.date, str, str]] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in re.split(r"[\s,，\t]+", line.strip()) if p]
        if not parts:
            continue
        if len(parts) < 3:
            errors.append(f"第 {number} 行应为“日期 类型 名称”：{line.strip()[:40]}")
            continue
        try:
            day = dt.date.fromisoformat(parts[0].replace("/", "-").replace(".", "-"))
        except ValueError:
            errors.append(f"第 {number} 行的日期无法识别：{parts[0][:20]}")
            continue
        if not SITE_DATE_BOUNDS[0] <= day <= SITE_DATE_BOUNDS[1]:
            errors.append(f"第 {number} 行：{bounds_message(SITE_DATE_BOUNDS)}")
            continue
        kind = _KINDS.get(parts[1])
        if kind is None:
            errors.append(f"第 {number} 行的类型应为“放假”或“上班”：{parts[1][:10]}")
            continue
        rows.append((day, kind, " ".join(parts[2:])[:50]))
    if errors:
        raise ValidationError(errors)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    capabilities.require(request.user, "calendar:view")
    if request.method == "POST":
        capabilities.require(request.user, "calendar:manage")
    can_manage = capabilities.can(request.user, "calendar:manage")
    form = ImportForm(request.POST or None, prefix="import")
    if request.method == "POST" and form.is_valid():
        try:
            rows = parse_rows(form.cleaned_data["rows"])
            services_calendar.holiday_year_import_rows(actor=request.user, year=form.cleaned_data["year"], rows=rows)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"{form.cleaned_data['year']} 年节假日安排已保存（{len(rows)} 条）")
            return redirect("core:calendar")
    calendar = Calendar.from_database()
    this_year = timezone.localdate().year
    years = selectors.holiday_years()
    return render(
        request,
        "core/calendar.html",
        {
            "form": form,
            "can_manage": can_manage,
            "copy_form": CopyForm(prefix="copy"),
            "years": years,
            "missing": calendar.missing_years([this_year, this_year + 1]),
            "builtin": f"{min(BUILTIN_YEARS)}–{max(BUILTIN_YEARS)}",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def calendar_copy(request: AuthenticatedHttpRequest) -> HttpResponse:
    capabilities.require(request.user, "calendar:manage")
    form = CopyForm(request.POST, prefix="copy")
    try:
        if not form.is_valid():
            raise ValidationError("请填写年度")
        services_calendar.holiday_year_copy_builtin(actor=request.user, year=form.cleaned_data["year"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已把内置的 {form.cleaned_data['year']} 年安排复制到节假日表，可逐条修改")
    return redirect("core:calendar")


@login_required
@require_POST
def calendar_date_delete(request: AuthenticatedHttpRequest, date_id: int) -> HttpResponse:
    capabilities.require(request.user, "calendar:manage")
    holiday = selectors.get_holiday_date(date_id)
    try:
        services_calendar.holiday_date_delete(actor=request.user, holiday_date=holiday)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已删除 {holiday.date:%Y-%m-%d}")
    return redirect("core:calendar")
