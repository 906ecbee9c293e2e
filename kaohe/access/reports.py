"""Annual reports (法治政府建设年度报告): who reads and who files a unit's report.

The office (``evidence:overview``) reads every unit's; a desk (``evidence:check``) the reports of the units in
whose category it grades a task that asks for the report; a unit its own and files it (``evidence:submit``).
Other units never (404); the plan's other insiders get 403, outsiders 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kaohe.access.base import can, is_own_unit, plan_roles, require
from kaohe.access.plans import desk_ids, get_unit_for_user, own_units
from kaohe.insights.models_reports import AnnualReportVersion
from kaohe.insights.selectors_reports import report_tasks
from kaohe.plans.models import Plan, PlanUnit

NOT_FOUND = "年度报告不存在"


def may_read_report(user: Any, plan: Plan, unit: PlanUnit) -> bool:
    """The office, the unit itself, or a desk grading a report task of the unit's category."""
    if can(user, "evidence:overview", plan) or is_own_unit(user, unit, plan):
        return True
    if not can(user, "evidence:check", plan):
        return False
    mine = desk_ids(user, plan)
    return any(t.assessor_id in mine for t in report_tasks(plan, [unit.category_id]))


def get_unit_for_report(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit whose annual report the user reads: 404 for outsiders and other units, 403 for the plan's insiders
    who read no report (viewers, field groups, case reviewers) and desks that do not grade the report's task."""
    unit = get_unit_for_user(user, plan, unit_id)
    if may_read_report(user, plan, unit):
        return unit
    if can(user, "evidence:submit", plan):  # another unit: as if it did not exist
        raise Http404("考核对象不存在")
    raise PermissionDenied("无权查看该考核对象的年度报告")


def get_unit_for_report_submit(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """The user's own unit, to file its report: 403 without ``evidence:submit``, 404 for another unit."""
    unit = get_unit_for_user(user, plan, unit_id, capability="evidence:submit")
    if not is_own_unit(user, unit, plan):
        raise Http404("考核对象不存在")
    return unit


def get_report_version_for_user(user: Any, plan: Plan, version_id: int) -> AnnualReportVersion:
    """A version of a report of the plan, for those who read the report; 404 for everyone else."""
    if not plan_roles(user, plan):
        raise Http404(NOT_FOUND)
    version = (
        AnnualReportVersion.objects.select_related("report__unit__organisation", "report__unit__category")
        .filter(report__plan=plan, pk=version_id)
        .first()
    )
    if version is None or not may_read_report(user, plan, version.report.unit):
        raise Http404(NOT_FOUND)
    return version


def report_list_categories(user: Any, plan: Plan) -> list[int] | None:
    """The categories whose units' reports the user lists: every one (None) for the office, those where a desk
    grades a report task for a desk (possibly none); 403 for everyone else in the plan."""
    if can(user, "evidence:overview", plan):
        return None
    require(user, "evidence:check", plan)
    mine = desk_ids(user, plan)
    return sorted({t.category_id for t in report_tasks(plan) if t.assessor_id in mine})


def get_own_unit_for_report(user: Any, plan: Plan) -> PlanUnit:
    """The user's own unit in the plan, whose report they file (403 without ``evidence:submit``)."""
    require(user, "evidence:submit", plan)
    units = own_units(user, plan)
    if not units:
        raise Http404("考核对象不存在")
    return units[0]
