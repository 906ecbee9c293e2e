"""The one place that decides who may see or change what.

A user's roles come from memberships. Plan roles are resolved against a plan: 考核办 through the
plan's organiser, 考核主体 through its desks, 考核对象 through its units, 查看 through the organiser or
the plan's member organisations. Outsiders get 404 (the object "does not exist" for them); insiders
lacking a capability get 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kaohe.organisations.models import Membership, RoleGrantProposal
from kaohe.organisations.roles import ADMIN_ROLES, DRAFT_ROLES, GLOBAL_CAPABILITIES, ROLE_CAPABILITIES, Role, capabilities_of

if TYPE_CHECKING:
    from kaohe.plans.models import Category, Indicator, Plan, PlanUnit
    from kaohe.submissions.models import EvidenceFile

_CACHE_ATTR = "_kaohe_memberships"
_PLAN_CACHE_ATTR = "_kaohe_plan_roles"


def memberships(user: Any) -> list[Membership]:
    """The user's memberships (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__sort_key"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user: Any) -> None:
    """Drop cached memberships and plan roles (after a membership change)."""
    for attr in (_CACHE_ATTR, _PLAN_CACHE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def org_ids_with_role(user: Any, role: Role) -> set[int]:
    return {m.organisation_id for m in memberships(user) if m.role == role}


def plan_roles(user: Any, plan: Plan) -> frozenset[Role]:
    """Roles the user holds in this plan (empty for outsiders, and for non-office roles on drafts)."""
    cache: dict[int, frozenset[Role]] = getattr(user, _PLAN_CACHE_ATTR, None) or {}
    if plan.pk in cache:
        return cache[plan.pk]
    roles: set[Role] = set()
    mine = memberships(user)
    if mine:
        from kaohe.plans.models import AssessorDesk, PlanUnit

        by_role: dict[Role, set[int]] = {}
        for m in mine:
            by_role.setdefault(Role(m.role), set()).add(m.organisation_id)
        if plan.organiser_id in by_role.get(Role.OFFICE, set()):
            roles.add(Role.OFFICE)
        viewer_orgs = by_role.get(Role.VIEWER, set())
        if viewer_orgs and (plan.organiser_id in viewer_orgs or plan.member_organisations.filter(pk__in=viewer_orgs).exists()):
            roles.add(Role.VIEWER)
        desk_orgs = by_role.get(Role.ASSESSOR, set())
        if desk_orgs and AssessorDesk.objects.filter(plan=plan, organisation_id__in=desk_orgs).exists():
            roles.add(Role.ASSESSOR)
        unit_orgs = by_role.get(Role.UNIT, set())
        if unit_orgs and PlanUnit.objects.filter(plan=plan, organisation_id__in=unit_orgs).exists():
            roles.add(Role.UNIT)
        # 实地考察组 members and 评查员 hold their role only in plans whose groups/panel name them.
        if Role.FIELD_GROUP in by_role and plan.pk in _field_group_plan_ids(user):
            roles.add(Role.FIELD_GROUP)
        if Role.CASE_REVIEWER in by_role and plan.pk in _case_reviewer_plan_ids(user):
            roles.add(Role.CASE_REVIEWER)
        if plan.is_draft:
            roles &= set(DRAFT_ROLES)
    result = frozenset(roles)
    cache[plan.pk] = result
    setattr(user, _PLAN_CACHE_ATTR, cache)
    return result


def _field_group_plan_ids(user: Any) -> set[int]:
    from kaohe.inspections.fieldwork.models import FieldGroupMember

    return set(FieldGroupMember.objects.filter(user=user).values_list("group__plan_id", flat=True))


def _case_reviewer_plan_ids(user: Any) -> set[int]:
    from kaohe.inspections.casefiles.models import CaseReviewer

    return set(CaseReviewer.objects.filter(user=user).values_list("plan_id", flat=True))


def global_roles(user: Any) -> frozenset[Role]:
    return frozenset(Role(m.role) for m in memberships(user))


def can(user: Any, capability: str, plan: Plan | None = None) -> bool:
    """Whether the user holds a role granting ``capability`` (in ``plan``, when given)."""
    if plan is None:
        if capability not in GLOBAL_CAPABILITIES:
            raise ValueError(f"{capability} needs a plan")
        return capability in capabilities_of(global_roles(user))
    return capability in capabilities_of(plan_roles(user, plan))


def is_admin_only(user: Any) -> bool:
    roles = global_roles(user)
    return bool(roles) and roles <= ADMIN_ROLES


def require(user: Any, capability: str, plan: Plan | None = None) -> None:
    if not can(user, capability, plan):
        raise PermissionDenied


def plans_visible_to(user: Any) -> QuerySet[Plan]:
    """Plans in which the user holds any plan role (drafts only for their office)."""
    from kaohe.plans.models import Plan

    mine = memberships(user)
    if not mine:
        return Plan.objects.none()
    office = org_ids_with_role(user, Role.OFFICE)
    viewer = org_ids_with_role(user, Role.VIEWER)
    desk = org_ids_with_role(user, Role.ASSESSOR)
    unit = org_ids_with_role(user, Role.UNIT)
    published = ~Q(status=Plan.Status.DRAFT)
    condition = Q(organiser_id__in=office)
    condition |= published & (Q(organiser_id__in=viewer) | Q(member_organisations__in=viewer))
    condition |= published & Q(desks__organisation_id__in=desk)
    condition |= published & Q(units__organisation_id__in=unit)
    if org_ids_with_role(user, Role.FIELD_GROUP):
        condition |= published & Q(pk__in=_field_group_plan_ids(user))
    if org_ids_with_role(user, Role.CASE_REVIEWER):
        condition |= published & Q(pk__in=_case_reviewer_plan_ids(user))
    ids = Plan.objects.filter(condition).values("pk")
    return Plan.objects.filter(pk__in=ids)


def get_plan_for_user(user: Any, plan_id: int, *, capability: str = "plan:view") -> Plan:
    """The plan, if the user may ``capability`` in it: 404 for outsiders, 403 for insiders without it."""
    from kaohe.plans.models import Plan

    plan = Plan.objects.select_related("organiser").filter(pk=plan_id).first()
    if plan is None or not plan_roles(user, plan):
        raise Http404("考核方案不存在")
    require(user, capability, plan)
    return plan


def visible_categories(user: Any, plan: Plan) -> QuerySet[Category]:
    """Categories whose indicator table the user may read: all for office/desks/viewers, a unit's own."""
    from kaohe.plans.models import Category

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
    from kaohe.plans.models import Indicator

    require(user, "plan:import", plan)
    node = Indicator.objects.select_related("category", "parent").filter(plan=plan, category=category, pk=indicator_id).first()
    if node is None:
        raise Http404("指标不存在")
    return node


def all_capabilities() -> dict[Role, frozenset[str]]:
    return dict(ROLE_CAPABILITIES)


# ------------------------------------------------------------------------------ evidence (报送资料)


def own_units(user: Any, plan: Plan) -> list[PlanUnit]:
    """The plan units the user belongs to as 考核对象 (usually one)."""
    from kaohe.plans.models import PlanUnit

    if Role.UNIT not in plan_roles(user, plan):
        return []
    orgs = org_ids_with_role(user, Role.UNIT)
    return list(PlanUnit.objects.filter(plan=plan, organisation_id__in=orgs).select_related("organisation", "category"))


def desk_ids(user: Any, plan: Plan) -> set[int]:
    """Primary keys of the plan's assessor desks the user works for."""
    from kaohe.plans.models import AssessorDesk

    if Role.ASSESSOR not in plan_roles(user, plan):
        return set()
    orgs = org_ids_with_role(user, Role.ASSESSOR)
    return set(AssessorDesk.objects.filter(plan=plan, organisation_id__in=orgs).values_list("pk", flat=True))


def get_unit_task_for_user(
    user: Any, plan: Plan, unit_id: int, task_id: int, *, write: bool = False
) -> tuple[PlanUnit, Indicator]:
    """A (unit, task) pair of the plan the user may read — or, with ``write``, submit evidence for.

    Units reach their own tasks only; desks reach the tasks they are responsible for, for every unit;
    the office reaches all. Anything else, including a task of another category, is 404.
    """
    from kaohe.plans.constants import Level
    from kaohe.plans.models import Indicator, PlanUnit

    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    task = (
        Indicator.objects.select_related("assessor__organisation", "parent__parent")
        .filter(plan=plan, pk=task_id, level=Level.TASK)
        .first()
    )
    if unit is None or task is None or task.category_id != unit.category_id:
        raise Http404("该考核对象没有这项工作任务")
    is_own_unit = any(u.pk == unit.pk for u in own_units(user, plan))
    if write:
        if not is_own_unit:
            raise Http404("该考核对象没有这项工作任务")
        require(user, "evidence:submit", plan)
        return unit, task
    if is_own_unit:
        return unit, task
    if can(user, "evidence:overview", plan):
        return unit, task
    if task.assessor_id is not None and task.assessor_id in desk_ids(user, plan):
        return unit, task
    raise Http404("该考核对象没有这项工作任务")


def get_evidence_file_for_user(user: Any, plan: Plan, file_id: int) -> EvidenceFile:
    """A file the user may download: its unit's members, the desk of its task, the office."""
    from kaohe.submissions.models import EvidenceFile

    evidence = (
        EvidenceFile.objects.select_related("submission__unit", "submission__task")
        .filter(pk=file_id, submission__plan=plan)
        .first()
    )
    if evidence is None:
        raise Http404("文件不存在")
    get_unit_task_for_user(user, plan, evidence.submission.unit_id, evidence.submission.task_id)
    return evidence


# ------------------------------------------------------------------------------ search (搜索)


@dataclass(frozen=True)
class SearchScope:
    """What a user's search may find, as filters: the same rules as the pages the results link to.

    ``units`` filters PlanUnit, ``tasks`` Indicator, ``files`` EvidenceFile. Units: every unit of a plan
    for ``unit:view``, else the user's own. Tasks and files: the office (``evidence:overview``) all of its
    plans; a desk the tasks it is responsible for and the files submitted to them; a unit its category's
    tasks and its own files (as ``get_unit_task_for_user``). ``own_units`` maps (plan, category) to the
    user's own unit there; ``unit_list_plans`` are the plans whose unit list the user reads.
    """

    units: Q
    tasks: Q
    files: Q
    own_units: dict[tuple[int, int], int]
    unit_list_plans: frozenset[int]


_NOTHING = Q(pk__in=[])


def search_scope(user: Any) -> SearchScope:
    from kaohe.plans.constants import Level
    from kaohe.plans.models import PlanUnit

    units, tasks, files = _NOTHING, _NOTHING, _NOTHING
    unit_list_plans: set[int] = set()
    unit_plans: set[int] = set()
    unit_orgs = org_ids_with_role(user, Role.UNIT)
    desk_orgs = org_ids_with_role(user, Role.ASSESSOR)
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
        if Role.ASSESSOR in roles:
            tasks |= Q(plan=plan, level=Level.TASK, assessor__organisation_id__in=desk_orgs)
            files |= Q(submission__plan=plan, submission__task__assessor__organisation_id__in=desk_orgs)
    own_units: dict[tuple[int, int], int] = {}
    if unit_plans:
        rows = PlanUnit.objects.filter(plan_id__in=unit_plans, organisation_id__in=unit_orgs)
        for pk, plan_id, category_id in rows.values_list("pk", "plan_id", "category_id").order_by("pk"):
            own_units.setdefault((plan_id, category_id), pk)
    return SearchScope(units, tasks, files, own_units, frozenset(unit_list_plans))


# ------------------------------------------------------------------------------ evaluation (评价)


def evaluable_desks(user: Any, plan: Plan) -> set[int]:
    """Desks whose tasks the user may grade (empty for anyone without ``evaluation:write``)."""
    if not can(user, "evaluation:write", plan):
        return set()
    return desk_ids(user, plan)


def get_task_to_evaluate(user: Any, plan: Plan, unit_id: int, task_id: int) -> tuple[PlanUnit, Indicator]:
    """A (unit, task) pair the user may grade: the task's own desk only; everyone else 404 (or 403 for insiders)."""
    unit, task = get_unit_task_for_user(user, plan, unit_id, task_id)
    if task.assessor_id is None or task.assessor_id not in evaluable_desks(user, plan):
        if plan_roles(user, plan):
            raise PermissionDenied
        raise Http404("该考核对象没有这项工作任务")
    return unit, task


# ------------------------------------------------------------------------------ adjustments (加减分)

if TYPE_CHECKING:
    from kaohe.scoring.models import BonusApplication, Deduction, VetoFlag


def applying_units(user: Any, plan: Plan) -> list[PlanUnit]:
    """The plan units for which the user may apply for bonus points: its own, with ``adjustment:apply``."""
    if not can(user, "adjustment:apply", plan):
        return []
    return own_units(user, plan)


def _check_adjustment_reader(user: Any, plan: Plan, unit_id: int, *, decide: bool, missing: str) -> None:
    """The office reads and decides every unit's adjustments; a unit's members read their own (403 to decide).

    Anyone else gets 404: another unit's adjustments "do not exist" for them.
    """
    if can(user, "adjustment:decide", plan):
        return
    if any(u.pk == unit_id for u in own_units(user, plan)):
        if decide:
            raise PermissionDenied
        return
    raise Http404(missing)


def get_bonus_application_for_user(user: Any, plan: Plan, application_id: int, *, decide: bool = False) -> BonusApplication:
    """A bonus application of the plan: its unit's members and the office read it; ``decide`` is the office's."""
    from kaohe.scoring.models import BonusApplication

    application = (
        BonusApplication.objects.select_related(
            "unit__organisation", "unit__category", "applied_by", "decided_by", "duplicate_of"
        )
        .filter(plan=plan, pk=application_id)
        .first()
    )
    if application is None:
        raise Http404("加分申请不存在")
    _check_adjustment_reader(user, plan, application.unit_id, decide=decide, missing="加分申请不存在")
    return application


def get_deduction_for_user(user: Any, plan: Plan, deduction_id: int, *, decide: bool = False) -> Deduction:
    """A deduction of the plan: the office reads and changes it; the unit concerned may read its own."""
    from kaohe.scoring.models import Deduction

    deduction = (
        Deduction.objects.select_related("unit__organisation", "unit__category", "task", "recorded_by", "duplicate_of")
        .filter(plan=plan, pk=deduction_id)
        .first()
    )
    if deduction is None:
        raise Http404("减分记录不存在")
    _check_adjustment_reader(user, plan, deduction.unit_id, decide=decide, missing="减分记录不存在")
    return deduction


def get_veto_flag_for_user(user: Any, plan: Plan, flag_id: int) -> VetoFlag:
    """A veto flag of the plan: the office's record; everyone else 404."""
    from kaohe.scoring.models import VetoFlag

    flag = VetoFlag.objects.select_related("unit__organisation").filter(plan=plan, pk=flag_id).first()
    if flag is None or not can(user, "adjustment:decide", plan):
        raise Http404("否决情形记录不存在")
    return flag


def get_unit_to_adjust(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit of the plan for which the office records deductions and veto flags (403 for other insiders)."""
    from kaohe.plans.models import PlanUnit

    if not plan_roles(user, plan):
        raise Http404("考核对象不存在")
    require(user, "adjustment:decide", plan)
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    if unit is None:
        raise Http404("考核对象不存在")
    return unit


# ------------------------------------------------------------------------------ results (考核结果)

if TYPE_CHECKING:
    from kaohe.results.models import ResultSnapshot


def get_results_plan_for_user(user: Any, plan_id: int) -> Plan:
    """A published plan whose results the user may compute and read (考核办 only).

    404 for outsiders and for drafts (there is nothing to compute yet), 403 for the plan's other insiders.
    """
    plan = get_plan_for_user(user, plan_id, capability="results:compute")
    if plan.is_draft:
        raise Http404("方案尚未发布")
    return plan


def get_snapshot_for_user(user: Any, plan: Plan, snapshot_id: int) -> ResultSnapshot:
    """A result snapshot of this plan, header only (its large JSON values are deferred); 404 if not of this plan."""
    from kaohe.results.models import ResultSnapshot

    require(user, "results:compute", plan)
    snapshot = (
        ResultSnapshot.objects.defer("inputs", "data").select_related("computed_by").filter(plan=plan, pk=snapshot_id).first()
    )
    if snapshot is None:
        raise Http404("结果快照不存在")
    return snapshot


# ------------------------------------------------------------------------------ feedback and review (问题反馈、复核)

if TYPE_CHECKING:
    from kaohe.reviews.models import Feedback, ReviewRequest


def review_units(user: Any, plan: Plan) -> list[PlanUnit]:
    """The plan units whose feedback the user reads as a member (考核对象, own unit only)."""
    return own_units(user, plan)


def get_unit_for_feedback(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit of the plan the office releases feedback to (403 for the plan's other insiders, 404 outsiders)."""
    from kaohe.plans.models import PlanUnit

    if not plan_roles(user, plan):
        raise Http404("考核对象不存在")
    require(user, "feedback:release", plan)
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    if unit is None:
        raise Http404("考核对象不存在")
    return unit


def get_review_request_for_user(user: Any, plan: Plan, request_id: int, *, decide: bool = False) -> ReviewRequest:
    """A review request of the plan: the office reads and decides it; its unit's members read it (403 to decide).

    Anyone else gets 404: another unit's requests "do not exist" for them.
    """
    from kaohe.reviews.models import ReviewRequest

    review = (
        ReviewRequest.objects.select_related("unit__organisation", "unit__category", "task", "feedback", "filed_by")
        .filter(unit__plan=plan, pk=request_id)
        .first()
    )
    if review is None:
        raise Http404("复核申请不存在")
    if can(user, "review:decide", plan):
        return review
    if any(u.pk == review.unit_id for u in own_units(user, plan)):
        if decide:
            raise PermissionDenied
        return review
    raise Http404("复核申请不存在")


def get_released_feedback_for_user(user: Any, plan: Plan, unit_id: int, *, round_id: int | None = None) -> Feedback:
    """A released round of a unit (``round_id``, else its newest): the office reads every unit's, a unit's
    members their own; else 404. Drafts do not exist for anyone here."""
    from kaohe.reviews.models import Feedback

    if not (can(user, "feedback:release", plan) or any(u.pk == unit_id for u in own_units(user, plan))):
        raise Http404("问题反馈不存在")
    feedback = (
        Feedback.objects.select_related("plan__organiser", "unit__organisation")
        .prefetch_related("problems__task")
        .filter(plan=plan, unit_id=unit_id, released_at__isnull=False)
        .filter(**({"pk": round_id} if round_id is not None else {}))
        .order_by("-number")
        .first()
    )
    if feedback is None:
        raise Http404("问题反馈不存在")
    return feedback


# ------------------------------------------------------------------------------ results approval and publication (结果审定与公布)

if TYPE_CHECKING:
    from kaohe.organisations.models import Organisation
    from kaohe.results.models import CopyRecipient


def get_release_plan_for_user(user: Any, plan_id: int, capability: str) -> Plan:
    """A published plan in which the user holds ``capability`` (results:publish / consult / receive).

    404 for outsiders and for drafts (no results yet), 403 for the plan's other insiders.
    """
    plan = get_plan_for_user(user, plan_id, capability=capability)
    if plan.is_draft:
        raise Http404("方案尚未发布")
    return plan


def consulting_organisations(user: Any, plan: Plan) -> list[Organisation]:
    """The organisations on whose behalf the user comments on the 征求意见稿: the plan's desks they work for
    (考核主体) and the organiser or member organisations they view as (查看)."""
    from kaohe.plans.models import AssessorDesk

    roles = plan_roles(user, plan)
    wanted: set[int] = set()
    if Role.ASSESSOR in roles:
        desks = org_ids_with_role(user, Role.ASSESSOR)
        wanted |= set(AssessorDesk.objects.filter(plan=plan, organisation_id__in=desks).values_list("organisation_id", flat=True))
    if Role.VIEWER in roles:
        viewer = org_ids_with_role(user, Role.VIEWER)
        wanted |= {plan.organiser_id} & viewer
        wanted |= set(plan.member_organisations.filter(pk__in=viewer).values_list("pk", flat=True))
    return [m.organisation for m in memberships(user) if m.organisation_id in wanted and m.role in (Role.ASSESSOR, Role.VIEWER)]


def receiving_organisation_ids(user: Any, plan: Plan) -> set[int]:
    """Organisations in which the user holds a role that receives published results (units, viewers)."""
    if not can(user, "results:receive", plan):
        return set()
    receiving = {role for role, caps in ROLE_CAPABILITIES.items() if "results:receive" in caps}
    return {m.organisation_id for m in memberships(user) if Role(m.role) in receiving}


def get_published_unit_for_user(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit whose published result the user may read: a unit's members their own only; the office and
    viewers (results:receive with every category) any unit of the plan; anyone else 404."""
    from kaohe.plans.models import PlanUnit

    own = can(user, "results:receive", plan) and any(u.pk == unit_id for u in own_units(user, plan))
    reads_all = can(user, "results:publish", plan) or (
        can(user, "results:receive", plan) and can(user, "plan:view_all_categories", plan)
    )
    if not (own or reads_all):
        raise Http404("考核对象不存在")
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    if unit is None:
        raise Http404("考核对象不存在")
    return unit


def get_copy_recipient_for_user(user: Any, plan: Plan, recipient_id: int) -> CopyRecipient:
    """A copy recipient (抄送单位) of the plan's current release, for the office; 404 if not of this plan."""
    from kaohe.results.models import CopyRecipient

    require(user, "results:publish", plan)
    recipient = (
        CopyRecipient.objects.select_related("organisation", "release")
        .filter(release__plan=plan, release__is_current=True, pk=recipient_id)
        .first()
    )
    if recipient is None:
        raise Http404("抄送单位不存在")
    return recipient


# ------------------------------------------------------------------------------ accounts and roles (三员分立)


def managed_region_ids(user: Any) -> set[int]:
    """The regions whose accounts the user manages: the region of each organisation in which they hold a role
    granting ``accounts:manage`` (系统管理员), and every region below it (a city's counties and towns)."""
    from kaohe.organisations.models import Region

    managers = {role for role, caps in ROLE_CAPABILITIES.items() if "accounts:manage" in caps}
    found = {m.organisation.region_id for m in memberships(user) if Role(m.role) in managers}
    frontier = set(found)
    while frontier:
        frontier = set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def managed_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations in the user's managed regions (none without ``accounts:manage``)."""
    from kaohe.organisations.models import Organisation

    if not can(user, "accounts:manage"):
        return Organisation.objects.none()
    return Organisation.objects.filter(region_id__in=managed_region_ids(user))


def manages_organisation(user: Any, organisation: Organisation) -> bool:
    return can(user, "accounts:manage") and organisation.region_id in managed_region_ids(user)


def accounts_in_scope(user: Any) -> QuerySet[Any]:
    """Accounts a user manager sees and changes: every membership of theirs lies in the manager's regions.

    An account holding a role outside those regions belongs (also) to another region's administrator and does
    not exist here (404): resetting its password would hand over roles elsewhere. An account without any role
    yet (just created, or all roles revoked) is in every manager's scope. Superusers (operators) never are.
    """
    from kaohe.accounts.models import User

    if not can(user, "accounts:manage"):
        return User.objects.none()
    outside = Membership.objects.exclude(organisation__region_id__in=managed_region_ids(user))
    return User.objects.filter(is_superuser=False).exclude(pk__in=outside.values("user_id"))


def get_account_for_manager(user: Any, account_id: int) -> Any:
    """An account the user manager may see and change: 403 without ``accounts:manage``, 404 for an unknown id
    and for an account with a role outside the manager's regions (``accounts_in_scope``)."""
    require(user, "accounts:manage")
    account = accounts_in_scope(user).filter(pk=account_id).first()
    if account is None:
        raise Http404("账号不存在")
    return account


def get_membership_for_manager(user: Any, account_id: int, membership_id: int) -> Membership:
    """One membership of a managed account (404 when it is not that account's)."""
    account = get_account_for_manager(user, account_id)
    membership = Membership.objects.select_related("user", "organisation").filter(pk=membership_id, user=account).first()
    if membership is None:
        raise Http404("该角色不存在")
    return membership


def get_grant_proposal_for_decider(user: Any, proposal_id: int) -> RoleGrantProposal:
    """A proposed admin-role grant the security administrator decides: 403 without the capability, 404 unknown."""
    require(user, "accounts:confirm_admin_grant")
    proposal = RoleGrantProposal.objects.select_related("user", "organisation", "proposed_by").filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("申请不存在")
    return proposal
