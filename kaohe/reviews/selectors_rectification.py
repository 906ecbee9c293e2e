"""Reads of 整改 for the unit's page and the office's page (a constant number of queries each)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from kaohe.plans.models import Plan
from kaohe.reviews.models import FeedbackProblem, RectificationItem, RectificationReport
from kaohe.reviews.selectors_focus import FocusReportDue, dues_of_items, focus_report_days
from kaohe.reviews.selectors_talks import focus_organisation_ids
from kaohe.reviews.services_rectification import is_overdue, items_of

Status = RectificationItem.Status


def _reports() -> Prefetch[Any]:
    return Prefetch(
        "reports", queryset=RectificationReport.objects.select_related("reported_by", "decided_by").order_by("reported_at", "pk")
    )


@dataclass
class ItemRow:
    item: RectificationItem
    overdue: bool
    carried_in: bool  # from an earlier year's plan, carried into this one
    focus: bool = False  # the unit is a 重点单位 of this plan (listed first, marked)

    @property
    def reports(self) -> list[RectificationReport]:
        return list(self.item.reports.all())


def _rows(items: list[RectificationItem], plan: Plan, on: dt.date) -> list[ItemRow]:
    return [ItemRow(i, is_overdue(i, on), i.plan_id != plan.pk) for i in items]


def unit_rows(plan: Plan, organisation_ids: set[int], on: dt.date) -> list[ItemRow]:
    """The unit's items in this plan and those carried into it, with their reports."""
    items = list(items_of(plan).filter(unit__organisation_id__in=organisation_ids).prefetch_related(_reports()))
    return _rows(items, plan, on)


@dataclass
class UnitCount:
    organisation_id: int
    name: str
    category: str
    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    focus: bool = False
    report_due: FocusReportDue | None = None  # a 重点单位's next 整改进展报告 (when an interval is set)

    @property
    def open(self) -> int:
        return sum(n for s, n in self.counts.items() if s != Status.ACCEPTED)


@dataclass
class OfficePage:
    rows: list[ItemRow]  # filtered
    units: list[UnitCount]  # units with items, unfiltered counts
    counts: dict[str, int]
    overdue: int
    total: int
    pending_problems: int  # released problems not yet turned into items
    focus_report_days: int | None = None  # the 重点单位's report interval in working days (the setting)


def office_page(plan: Plan, on: dt.date, *, status: str = "", organisation_id: int | None = None) -> OfficePage:
    """Every item of (or carried into) the plan: per-unit counts, totals, and the rows matching the filters."""
    items = list(items_of(plan).prefetch_related(_reports()))
    focus = focus_organisation_ids(plan)
    rows = _rows(items, plan, on)
    for row in rows:
        row.focus = row.item.unit.organisation_id in focus
    rows.sort(key=lambda r: not r.focus)  # stable: 重点单位 first, each group in its usual order
    units: dict[int, UnitCount] = {}
    counts = {s.value: 0 for s in Status}
    for row in rows:
        unit = row.item.unit
        entry = units.setdefault(
            unit.organisation_id,
            UnitCount(unit.organisation_id, unit.organisation.name, unit.category.name, focus=row.focus),
        )
        entry.counts[row.item.status] = entry.counts.get(row.item.status, 0) + 1
        counts[row.item.status] += 1
        if row.overdue:
            entry.overdue += 1
    days = focus_report_days(plan)
    dues = dues_of_items(plan, items, on=on, days=days)
    for entry in units.values():
        entry.report_due = dues.get(entry.organisation_id)
    shown = rows
    if status == "overdue":
        shown = [r for r in shown if r.overdue]
    elif status:
        shown = [r for r in shown if r.item.status == status]
    if organisation_id is not None:
        shown = [r for r in shown if r.item.unit.organisation_id == organisation_id]
    pending = FeedbackProblem.objects.filter(
        feedback__plan=plan, feedback__released_at__isnull=False, rectification__isnull=True
    ).count()
    return OfficePage(
        rows=shown,
        units=list(units.values()),
        counts=counts,
        overdue=sum(1 for r in rows if r.overdue),
        total=len(rows),
        pending_problems=pending,
        focus_report_days=days,
    )


def unit_choices(plan: Plan) -> list[tuple[int, str]]:
    """(organisation id, name) of the units with items of (or carried into) the plan, by name."""
    return sorted(
        set(items_of(plan).order_by().values_list("unit__organisation_id", "unit__organisation__name")),
        key=lambda c: c[1],
    )
