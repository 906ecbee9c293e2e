"""Results (考核结果): snapshots, approval and publication, who comments and who receives."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kaohe.access.base import can, is_own_unit, memberships, org_ids_with_role, plan_roles, require
from kaohe.access.plans import get_published_plan_for_user
from kaohe.organisations.models import Organisation
from kaohe.organisations.roles import ROLE_CAPABILITIES, Role
from kaohe.plans.models import AssessorDesk, Plan, PlanUnit
from kaohe.results.models import CopyRecipient, ResultSnapshot


def get_results_plan_for_user(user: Any, plan_id: int) -> Plan:
    """A published plan whose results the user may compute and read (考核办 only).

    404 for outsiders and for drafts (there is nothing to compute yet), 403 for the plan's other insiders.
    """
    return get_published_plan_for_user(user, plan_id, capability="results:compute")


def get_snapshot_for_user(user: Any, plan: Plan, snapshot_id: int) -> ResultSnapshot:
    """A result snapshot of this plan, header only (its large JSON values are deferred); 404 if not of this plan."""
    require(user, "results:compute", plan)
    snapshot = (
        ResultSnapshot.objects.defer("inputs", "data").select_related("computed_by").filter(plan=plan, pk=snapshot_id).first()
    )
    if snapshot is None:
        raise Http404("结果快照不存在")
    return snapshot


def get_release_plan_for_user(user: Any, plan_id: int, capability: str) -> Plan:
    """A published plan in which the user holds ``capability`` (results:publish / consult / receive).

    404 for outsiders and for drafts (no results yet), 403 for the plan's other insiders.
    """
    return get_published_plan_for_user(user, plan_id, capability=capability)


def consulting_organisations(user: Any, plan: Plan) -> list[Organisation]:
    """The organisations on whose behalf the user comments on the 征求意见稿: the plan's desks they work for
    (考核主体) and the organiser or member organisations they view as (查看)."""
    roles = plan_roles(user, plan)
    wanted: set[int] = set()
    if Role.DESK in roles:
        desks = org_ids_with_role(user, Role.DESK)
        wanted |= set(AssessorDesk.objects.filter(plan=plan, organisation_id__in=desks).values_list("organisation_id", flat=True))
    if Role.VIEWER in roles:
        viewer = org_ids_with_role(user, Role.VIEWER)
        wanted |= {plan.organiser_id} & viewer
        wanted |= set(plan.member_organisations.filter(pk__in=viewer).values_list("pk", flat=True))
    return [m.organisation for m in memberships(user) if m.organisation_id in wanted and m.role in (Role.DESK, Role.VIEWER)]


def receiving_organisation_ids(user: Any, plan: Plan) -> set[int]:
    """Organisations in which the user holds a role that receives published results (units, viewers)."""
    if not can(user, "results:receive", plan):
        return set()
    receiving = {role for role, caps in ROLE_CAPABILITIES.items() if "results:receive" in caps}
    return {m.organisation_id for m in memberships(user) if Role(m.role) in receiving}


def get_published_unit_for_user(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit whose published result the user may read: a unit's members their own only; the office and
    viewers (results:receive with every category) any unit of the plan; anyone else 404."""
    reads_all = can(user, "results:publish", plan) or (
        can(user, "results:receive", plan) and can(user, "plan:view_all_categories", plan)
    )
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    own = unit is not None and can(user, "results:receive", plan) and is_own_unit(user, unit)
    if unit is None or not (own or reads_all):
        raise Http404("考核对象不存在")
    return unit


def get_copy_recipient_for_user(user: Any, plan: Plan, recipient_id: int) -> CopyRecipient:
    """A copy recipient (抄送单位) of the plan's current release, for the office; 404 if not of this plan."""
    require(user, "results:publish", plan)
    recipient = (
        CopyRecipient.objects.select_related("organisation", "release")
        .filter(release__plan=plan, release__is_current=True, pk=recipient_id)
        .first()
    )
    if recipient is None:
        raise Http404("抄送单位不存在")
    return recipient
