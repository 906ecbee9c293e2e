"""Reads of the 整改情况报告 (unit report) for the unit's page and the office's list (a constant number of queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews.models import UnitReport, UnitReportVersion
from kaohe.reviews.services_unit_report import is_overdue, unit_due_date, unit_report_due_dates

Status = UnitReport.Status

# The office's filters: the report's status, or 未报送 / 已逾期 (neither is a stored status).
MISSING = "missing"
OVERDUE = "overdue"


def _versions() -> Prefetch[Any]:
    return Prefetch(
        "versions",
        queryset=UnitReportVersion.objects.select_related("submitted_by", "decided_by").order_by("number"),
    )


def unit_report_of(plan: Plan, unit: PlanUnit) -> UnitReport | None:
    """The unit's report in the plan with its versions (oldest first), or None before its first submission."""
    return UnitReport.objects.filter(plan=plan, unit=unit).select_related("decided_by").prefetch_related(_versions()).first()


@dataclass
class UnitReportRow:
    unit: PlanUnit
    report: UnitReport | None
    overdue: bool
    due: dt.date

    @property
    def versions(self) -> list[UnitReportVersion]:
        return list(self.report.versions.all()) if self.report is not None else []

    @property
    def latest(self) -> UnitReportVersion | None:
        versions = self.versions
        return versions[-1] if versions else None

    @property
    def state(self) -> str:
        """The report's status, or ``missing``."""
        return self.report.status if self.report is not None else MISSING


def unit_row(plan: Plan, unit: PlanUnit, on: dt.date) -> UnitReportRow:
    """The unit's report (or none) with its versions, due date and whether it is overdue, for its 整改 page."""
    report = unit_report_of(plan, unit)
    due = unit_due_date(plan, unit)
    return UnitReportRow(unit, report, is_overdue(report, due, on), due)


@dataclass
class OfficeList:
    rows: list[UnitReportRow]  # filtered
    counts: dict[str, int]  # by state (missing included), unfiltered
    overdue: int
    total: int
    due: dt.date  # the plan's; a row's own is later when its items are


def office_list(plan: Plan, on: dt.date, *, state: str = "") -> OfficeList:
    """Every unit of the plan with its report (or none), due date, overdue flag and counts; ``state`` filters."""
    due, later = unit_report_due_dates(plan)
    units = list(
        PlanUnit.objects.filter(plan=plan)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key", "pk")
    )
    reports = {
        r.unit_id: r for r in UnitReport.objects.filter(plan=plan).select_related("decided_by").prefetch_related(_versions())
    }
    rows = []
    for u in units:
        unit_due = later.get(u.pk, due)
        rows.append(UnitReportRow(u, reports.get(u.pk), is_overdue(reports.get(u.pk), unit_due, on), unit_due))
    counts = {MISSING: 0, **{s.value: 0 for s in Status}}
    for row in rows:
        counts[row.state] += 1
    shown = rows
    if state == OVERDUE:
        shown = [r for r in rows if r.overdue]
    elif state:
        shown = [r for r in rows if r.state == state]
    return OfficeList(rows=shown, counts=counts, overdue=sum(1 for r in rows if r.overdue), total=len(rows), due=due)
