"""重点单位 reporting more often: when each 重点单位's next 整改进展报告 is due.

"作为督促整改的重点单位": the office may set, next to the 整改期限, an interval in working days
(``RectificationSetting.focus_report_days``). A 重点单位 with items still waiting for it (待整改 or 已退回) then
owes a progress report every N working days, counted with the holiday calendar from the later of the day it was
marked and the day of its last 整改报告 on any of its items (the ordinary report of
``services_rectification.rectification_report``: reporting on one item is reporting progress). Items awaiting the
office's acceptance owe nothing; without an interval, or for a unit that is not a 重点单位, nothing is due.

Units are matched by organisation, as on the 整改 list: items carried from an earlier year belong to that year's
unit row. A calendar lacking the year of the due date gives no date and names the missing year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db.models import Max

from kaohe.core.calendar import Calendar, CalendarYearUnknown, to_local_date
from kaohe.plans.models import Plan
from kaohe.reviews.models import FocusUnit, RectificationItem, RectificationReport, RectificationSetting
from kaohe.reviews.services_rectification import items_of

Status = RectificationItem.Status
WAITING = (Status.OPEN, Status.RETURNED)  # items the unit still has to report on
NOTICE_WORKING_DAYS = 3  # the unit's to-do line appears this many working days before the due date


@dataclass(frozen=True)
class FocusReportDue:
    """A 重点单位's next progress report: counted from ``since`` (its marking, or its last report)."""

    since: dt.date
    by_report: bool  # ``since`` is the day of its last report (else the day it was marked)
    due: dt.date | None  # None: the calendar lacks ``missing_year``
    overdue: bool = False
    soon: bool = False  # due within NOTICE_WORKING_DAYS working days (or overdue): the unit's to-do line
    missing_year: int | None = None


def focus_report_days(plan: Plan) -> int | None:
    """The plan's interval in working days, or None (no setting, or none set): one query."""
    return RectificationSetting.objects.filter(plan=plan).values_list("focus_report_days", flat=True).first()


def focus_marks(plan: Plan, organisation_ids: Iterable[int] | None = None) -> dict[int, dt.datetime]:
    """When each 重点单位 of the plan was marked, by organisation (one query)."""
    marks = FocusUnit.objects.filter(plan=plan)
    if organisation_ids is not None:
        marks = marks.filter(unit__organisation_id__in=list(organisation_ids))
    return dict(marks.values_list("unit__organisation_id", "marked_at"))


def report_due(
    calendar: Calendar, *, marked_at: dt.datetime, last_report_at: dt.datetime | None, days: int, on: dt.date
) -> FocusReportDue:
    """The next report is due ``days`` working days after the later of the marking and the last report."""
    marked = to_local_date(marked_at)
    reported = to_local_date(last_report_at) if last_report_at is not None else None
    by_report = reported is not None and reported >= marked
    since = reported if by_report and reported is not None else marked
    try:
        due = calendar.add_working_days(since, days)
        notice = calendar.working_days_between(on, due) <= NOTICE_WORKING_DAYS
    except CalendarYearUnknown as exc:
        return FocusReportDue(since=since, by_report=by_report, due=None, missing_year=exc.year)
    return FocusReportDue(since=since, by_report=by_report, due=due, overdue=on > due, soon=notice)


def dues_of_items(
    plan: Plan,
    items: Iterable[RectificationItem],
    *,
    on: dt.date,
    calendar: Calendar | None = None,
    days: int | Literal[False] | None = False,
) -> dict[int, FocusReportDue]:
    """The next report of each 重点单位 among ``items`` (reports prefetched), by organisation.

    Two queries (the interval, unless given as ``days``, and the marks), plus the calendar's one when some report
    is due; none of them grows with the items.
    """
    items = list(items)
    if days is False:
        days = focus_report_days(plan)
    if not days or not items:
        return {}
    marks = focus_marks(plan, {i.unit.organisation_id for i in items})
    waiting = {i.unit.organisation_id for i in items if i.status in WAITING} & set(marks)
    if not waiting:
        return {}
    last: dict[int, dt.datetime] = {}
    for item in items:
        org = item.unit.organisation_id
        for report in item.reports.all():
            if org not in last or report.reported_at > last[org]:
                last[org] = report.reported_at
    calendar = calendar or Calendar.from_database()
    return {org: report_due(calendar, marked_at=marks[org], last_report_at=last.get(org), days=days, on=on) for org in waiting}


def due_of_unit(plan: Plan, organisation_id: int, *, on: dt.date, calendar: Calendar | None = None) -> FocusReportDue | None:
    """One unit's next report (for its to-do line): None when nothing is due. One query for a unit that is not a
    重点单位 or a plan without an interval; three (and the calendar's, unless given) for a 重点单位."""
    mark = (
        FocusUnit.objects.filter(
            plan=plan, unit__organisation_id=organisation_id, plan__rectification_setting__focus_report_days__isnull=False
        )
        .values_list("marked_at", "plan__rectification_setting__focus_report_days")
        .first()
    )
    if mark is None or not mark[1]:
        return None
    marked_at, days = mark[0], int(mark[1])
    items = items_of(plan).filter(unit__organisation_id=organisation_id)
    if not items.filter(status__in=WAITING).exists():
        return None
    last = RectificationReport.objects.filter(item__in=items.order_by().values("pk")).aggregate(last=Max("reported_at"))["last"]
    return report_due(calendar or Calendar.from_database(), marked_at=marked_at, last_report_at=last, days=days, on=on)
