"""Reads of the annual reports: the office's status list, one unit's report with its coverage table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from kaohe.insights import coverage
from kaohe.insights.models_reports import AnnualReport, AnnualReportSetting, AnnualReportState, AnnualReportVersion
from kaohe.insights.services_reports import default_due, due_dates, state_of
from kaohe.plans.constants import Level
from kaohe.plans.models import Category, Indicator, Plan, PlanUnit


def report_tasks(plan: Plan, category_ids: list[int] | None = None) -> list[Indicator]:
    """The tasks that ask for the annual report or say what it must hold (``coverage.is_report_task``), with their
    desks; of the given categories, else of every category of the plan.

    For the whole plan (hundreds of tasks, a few of which match) the texts are read as columns and matched first,
    and only the matching tasks are loaded with their desk and category (one query more, a tenth of the work)."""
    tasks = Indicator.objects.filter(plan=plan, level=Level.TASK)
    if category_ids is not None:
        tasks = tasks.filter(category_id__in=category_ids)
    else:
        texts = tasks.values_list("pk", "name", "requirement")
        tasks = Indicator.objects.filter(pk__in=[pk for pk, name, text in texts if coverage.is_report_task(name, text)])
    tasks = tasks.select_related("assessor__organisation", "category").order_by("category_id", "order")
    return [t for t in tasks if coverage.is_report_task(t.name, t.requirement)]


def _versions() -> Prefetch[Any]:
    return Prefetch("versions", queryset=AnnualReportVersion.objects.select_related("submitted_by").order_by("number"))


@dataclass
class ReportRow:
    unit: PlanUnit
    report: AnnualReport | None
    state: AnnualReportState

    @property
    def versions(self) -> list[AnnualReportVersion]:
        return list(self.report.versions.all()) if self.report is not None else []

    @property
    def latest(self) -> AnnualReportVersion | None:
        versions = self.versions
        return versions[-1] if versions else None


@dataclass
class OfficeList:
    rows: list[ReportRow]  # filtered
    counts: dict[str, int]  # by state, unfiltered
    total: int
    report_due: dt.date
    publish_due: dt.date
    tasks: list[Indicator]


def office_list(plan: Plan, on: dt.date, *, state: str = "", category_ids: list[int] | None = None) -> OfficeList:
    """Every unit of the plan (of ``category_ids`` when given) with its report (or none) and state; ``state``
    filters. A constant number of queries."""
    report_due, publish_due = due_dates(plan)
    scope = PlanUnit.objects.filter(plan=plan)
    if category_ids is not None:
        scope = scope.filter(category_id__in=category_ids)
    units = list(scope.select_related("organisation", "category").order_by("category__order", "organisation__sort_key", "pk"))
    reports = {r.unit_id: r for r in AnnualReport.objects.filter(plan=plan, unit__in=scope).prefetch_related(_versions())}
    rows = []
    for unit in units:
        report = reports.get(unit.pk)
        versions = list(report.versions.all()) if report is not None else []
        rows.append(ReportRow(unit, report, state_of(versions[-1] if versions else None, report_due, publish_due, on)))
    counts = {s.value: 0 for s in AnnualReportState}
    for row in rows:
        counts[row.state.value] += 1
    shown = [r for r in rows if r.state == state] if state else rows
    return OfficeList(shown, counts, len(rows), report_due, publish_due, report_tasks(plan, category_ids))


@dataclass
class UnitReportPage:
    row: ReportRow
    report_due: dt.date
    publish_due: dt.date
    tasks: list[Indicator]
    coverage: list[coverage.PartCoverage]  # of the latest version; empty before the first filing

    @property
    def covered(self) -> int:
        return coverage.covered_count(self.coverage)


def unit_page(plan: Plan, unit: PlanUnit, on: dt.date) -> UnitReportPage:
    """A unit's report: its versions, state, the tasks that ask for it and the coverage table of the latest."""
    report_due, publish_due = due_dates(plan)
    report = AnnualReport.objects.filter(plan=plan, unit=unit).prefetch_related(_versions()).first()
    versions = list(report.versions.all()) if report is not None else []
    latest = versions[-1] if versions else None
    tasks = report_tasks(plan, [unit.category_id])
    rows = coverage.cover(latest.text, coverage.parts_for(t.requirement for t in tasks)) if latest is not None else []
    row = ReportRow(unit, report, state_of(latest, report_due, publish_due, on))
    return UnitReportPage(row, report_due, publish_due, tasks, rows)


def categories_of(plan: Plan) -> list[Category]:
    return list(Category.objects.filter(plan=plan).order_by("order", "pk"))


@dataclass
class ReportCounts:
    """A plan's units by the state of their annual report (the roll-up's column)."""

    total: int = 0
    by_state: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in AnnualReportState})

    @property
    def published(self) -> int:
        return self.by_state[AnnualReportState.PUBLISHED]

    @property
    def overdue(self) -> int:
        return self.by_state[AnnualReportState.OVERDUE]


def report_counts(plans: Sequence[Plan], on: dt.date) -> dict[int, ReportCounts]:
    """Per plan, its units counted by the state of their annual report on ``on`` (the office list's rule,
    ``state_of`` with the plan's due dates): three queries whatever the number of plans."""
    result = {plan.pk: ReportCounts() for plan in plans}
    if not plans:
        return result
    ids = list(result)
    due = {plan.pk: (default_due(plan), default_due(plan)) for plan in plans}
    for setting in AnnualReportSetting.objects.filter(plan_id__in=ids):
        due[setting.plan_id] = (setting.report_due, setting.publish_due)
    latest: dict[tuple[int, int], AnnualReportVersion] = {}
    versions = AnnualReportVersion.objects.filter(report__plan_id__in=ids).select_related("report").defer("text")
    for version in versions.order_by("number"):
        latest[(version.report.plan_id, version.report.unit_id)] = version
    for plan_id, unit_id in PlanUnit.objects.filter(plan_id__in=ids).values_list("plan_id", "pk"):
        counts = result[plan_id]
        counts.total += 1
        counts.by_state[state_of(latest.get((plan_id, unit_id)), *due[plan_id], on).value] += 1
    return result
