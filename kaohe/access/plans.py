"""Plans: which plans a user sees, a plan for a page, its categories and tree nodes, a user's units and desks,
and what search may find."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kaohe.access.base import (
    can,
    is_own_unit,
    memberships,
    org_ids_with_role,
    plan_roles,
    registered_plan_ids,
    require,
)
from kaohe.organisations.models import Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level
from kaohe.plans.models import AssessorDesk, Category, Indicator, IndicatorTemplate, Plan, PlanUnit


def plans_visible_to(user: Any) -> QuerySet[Plan]:
    """Plans in which the user holds any plan role (drafts only for their office)."""
    if not memberships(user):
        return Plan.objects.none()
    office = org_ids_with_role(user, Role.OFFICE)
    viewer = org_ids_with_role(user, Role.VIEWER)
    desk = org_ids_with_role(user, Role.DESK)
    unit = org_ids_with_role(user, Role.UNIT)
    others = registered_plan_ids(user)
    published = ~Q(status=Plan.Status.DRAFT)
    condition = Q(organiser_id__in=office)
    condition |= published & (Q(organiser_id__in=viewer) | Q(member_organisations__in=viewer))
    condition |= published & Q(desks__organisation_id__in=desk)
    condition |= published & Q(units__organisation_id__in=unit)
    if others:
        condition |= published & Q(pk__in=others)
    ids = Plan.objects.filter(condition).values("pk")
    return Plan.objects.filter(pk__in=ids)


def organisers_for_user(user: Any) -> QuerySet[Organisation]:
    """The organisations for which the user may create plans (their 考核办 memberships)."""
    return Organisation.objects.filter(pk__in=org_ids_with_role(user, Role.OFFICE))


def get_plan_for_user(user: Any, plan_id: int, *, capability: str = "plan:view") -> Plan:
    """The plan, if the user may ``capability`` in it: 404 for outsiders, 403 for insiders without it."""
    plan = Plan.objects.select_related("organiser").filter(pk=plan_id).first()
    if plan is None or not plan_roles(user, plan):
        raise Http404("考核方案不存在")
    require(user, capability, plan)
    return plan


def get_published_plan_for_user(user: Any, plan_id: int, *, capability: str = "plan:view") -> Plan:
    """A published plan in which the user holds ``capability``: as ``get_plan_for_user``, and 404 for a draft
    (nothing to submit, grade, review or publish yet)."""
    plan = get_plan_for_user(user, plan_id, capability=capability)
    if plan.is_draft:
        raise Http404("方案尚未发布")
    return plan


def visible_categories(user: Any, plan: Plan) -> QuerySet[Category]:
    """Categories whose indicator table the user may read: all for office/desks/viewers, a unit's own."""
    categories = Category.objects.filter(plan=plan)
    if can(user, "plan:view_all_categories", plan):
        return categories
    unit_orgs = org_ids_with_role(user, Role.UNIT)
    return categories.filter(units__organisation_id__in=unit_orgs).distinct()


def get_category_for_user(user: Any, plan: Plan, category_id: int) -> Category:
    category = visible_categories(user, plan).filter(pk=category_id).first()
    if category is None:
        raise Http404("类别不存在")
    return category


def get_indicator_for_editor(user: Any, plan: Plan, category: Category, indicator_id: int) -> Indicator:
    """A node of ``category``'s tree for the tree editor (``plan:import``): 403 without it, 404 outside the category."""
    require(user, "plan:import", plan)
    node = Indicator.objects.select_related("category", "parent").filter(plan=plan, category=category, pk=indicator_id).first()
    if node is None:
        raise Http404("指标不存在")
    return node


def get_unit_for_user(user: Any, plan: Plan, unit_id: int, *, capability: str | None = None) -> PlanUnit:
    """A unit of the plan for an insider (holding ``capability`` in it, when given: 403 for the plan's other
    insiders); 404 for outsiders and for a unit not of this plan."""
    if not plan_roles(user, plan):
        raise Http404("考核对象不存在")
    if capability is not None:
        require(user, capability, plan)
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    if unit is None:
        raise Http404("考核对象不存在")
    return unit


def may_edit_unit_leader(user: Any, plan: Plan, unit: PlanUnit) -> bool:
    """The unit's 主要负责人: the office (``unit:edit``) for every unit, a 考核对象 for its own."""
    return can(user, "unit:edit", plan) or is_own_unit(user, unit, plan)


def get_unit_for_leader_edit(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit whose 主要负责人 the user may edit: 404 for outsiders and units of other plans, 403 for the plan's
    other insiders."""
    unit = get_unit_for_user(user, plan, unit_id)
    if not may_edit_unit_leader(user, plan, unit):
        raise PermissionDenied("无权修改该考核对象的主要负责人")
    return unit


def get_own_unit_for_user(user: Any, plan: Plan) -> PlanUnit:
    """The user's own unit (考核对象) in the plan: 404 for outsiders, 403 for the plan's insiders without one."""
    if not plan_roles(user, plan):
        raise Http404("考核方案不存在")
    units = own_units(user, plan)
    if not units:
        raise PermissionDenied("只有考核对象本单位可以进行此操作")
    return units[0]


def own_units(user: Any, plan: Plan) -> list[PlanUnit]:
    """The plan units the user belongs to as 考核对象 (usually one)."""
    if Role.UNIT not in plan_roles(user, plan):
        return []
    orgs = org_ids_with_role(user, Role.UNIT)
    return list(PlanUnit.objects.filter(plan=plan, organisation_id__in=orgs).select_related("organisation", "category"))


def own_unit_organisation_ids(user: Any, plan: Plan) -> set[int]:
    """The organisations of the user's own units in the plan (整改 items carried from earlier years are matched
    by organisation: their unit row belongs to the earlier plan)."""
    return {u.organisation_id for u in own_units(user, plan)}


def desk_ids(user: Any, plan: Plan) -> set[int]:
    """Primary keys of the plan's assessor desks the user works for."""
    if Role.DESK not in plan_roles(user, plan):
        return set()
    orgs = org_ids_with_role(user, Role.DESK)
    return set(AssessorDesk.objects.filter(plan=plan, organisation_id__in=orgs).values_list("pk", flat=True))


# ------------------------------------------------------------------------------ search (搜索)


@dataclass(frozen=True)
class SearchScope:
    """What a user's search may find, as filters: the same rules as the pages the results link to.

    ``units`` filters PlanUnit, ``tasks`` Indicator, ``files`` EvidenceFile. Units: every unit of a plan
    for ``unit:view``, else the user's own. Tasks and files: the office (``evidence:overview``) all of its
    plans; a desk the tasks it is responsible for and the files submitted to them; a unit its category's
    tasks and its own files (as ``access.evidence.get_unit_task_for_user``). ``own_units`` maps (plan,
    category) to the user's own unit there; ``unit_list_plans`` are the plans whose unit list the user reads.
    """

    units: Q
    tasks: Q
    files: Q
    own_units: dict[tuple[int, int], int]
    unit_list_plans: frozenset[int]


_NOTHING = Q(pk__in=[])


def search_scope(user: Any) -> SearchScope:
    units, tasks, files = _NOTHING, _NOTHING, _NOTHING
    unit_list_plans: set[int] = set()
    unit_plans: set[int] = set()
    unit_orgs = org_ids_with_role(user, Role.UNIT)
    desk_orgs = org_ids_with_role(user, Role.DESK)
    for plan in plans_visible_to(user):
        roles = plan_roles(user, plan)
        if can(user, "unit:view", plan):
            units |= Q(plan=plan)
            unit_list_plans.add(plan.pk)
        if can(user, "evidence:overview", plan):
            tasks |= Q(plan=plan, level=Level.TASK)
            files |= Q(submission__plan=plan)
            continue
        if Role.UNIT in roles:
            unit_plans.add(plan.pk)
            own = PlanUnit.objects.filter(plan=plan, organisation_id__in=unit_orgs)
            units |= Q(plan=plan, organisation_id__in=unit_orgs)
            tasks |= Q(plan=plan, level=Level.TASK, category_id__in=own.values("category_id"))
            files |= Q(submission__plan=plan, submission__unit__organisation_id__in=unit_orgs)
        if Role.DESK in roles:
            tasks |= Q(plan=plan, level=Level.TASK, assessor__organisation_id__in=desk_orgs)
            files |= Q(submission__plan=plan, submission__task__assessor__organisation_id__in=desk_orgs)
    own_units: dict[tuple[int, int], int] = {}
    if unit_plans:
        rows = PlanUnit.objects.filter(plan_id__in=unit_plans, organisation_id__in=unit_orgs)
        for pk, plan_id, category_id in rows.values_list("pk", "plan_id", "category_id").order_by("pk"):
            own_units.setdefault((plan_id, category_id), pk)
    return SearchScope(units, tasks, files, own_units, frozenset(unit_list_plans))


def is_office_of_plan(user: Any, plan_id: int) -> bool:
    """Whether the user is the plan's office (考核办): who may see every background job of the plan."""
    plan = Plan.objects.filter(pk=plan_id).first()
    return plan is not None and Role.OFFICE in plan_roles(user, plan)


# ------------------------------------------------------------------------------ 指标模板 (templates sent down)


def region_ids_above(region: Any) -> set[int]:
    """The regions strictly above ``region`` (a county's city and province); one query per level."""
    found: set[int] = set()
    parent_id = region.parent_id if region is not None else None
    while parent_id is not None and parent_id not in found:
        found.add(parent_id)
        parent_id = Region.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return found


def templates_from_above(organisation: Organisation) -> QuerySet[IndicatorTemplate]:
    """Templates sent down (下发) to ``organisation``: published by an office of a region strictly above its own
    (a city's for its counties, a province's for its cities and counties). Never a sibling's or a lower one's."""
    above = region_ids_above(organisation.region)
    return IndicatorTemplate.objects.filter(organisation__region_id__in=above)


def get_template_for_user(user: Any, plan: Plan, template_id: int) -> IndicatorTemplate:
    """A template for the templates pages of ``plan`` (``plan:import``): one published from this plan, or one sent
    down to the plan's organiser from above. 404 for outsiders of the plan and for any other template; 403 for
    the plan's insiders without ``plan:import``."""
    require(user, "plan:import", plan)
    own = Q(plan=plan)
    from_above = Q(pk__in=templates_from_above(plan.organiser).values("pk"))
    template = (
        IndicatorTemplate.objects.select_related("organisation", "plan", "category", "published_by")
        .filter(own | from_above, pk=template_id)
        .first()
    )
    if template is None:
        raise Http404("指标模板不存在")
    return template
