"""评查员 and assignment: the panel, 回避 (organisations.conflicts) and giving sampled files to reviewers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.inspections.casefiles.models import CaseReviewer, SampledFile
from kaohe.inspections.casefiles.services.common import _ensure_open, _fail, setting_of
from kaohe.organisations import conflicts
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan


def _region_ids(region: Region) -> set[int]:
    ids = {region.pk}
    frontier = [region.pk]
    while frontier:
        frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.update(frontier)
    return ids


def candidate_memberships(plan: Plan) -> list[Membership]:
    """评查员 memberships in organisations of the plan's region (and its subordinate regions)."""
    on_panel = set(CaseReviewer.objects.filter(plan=plan).values_list("user_id", flat=True))
    rows = (
        Membership.objects.filter(role=Role.CASE_REVIEWER, organisation__region_id__in=_region_ids(plan.organiser.region))
        .select_related("user", "organisation")
        .order_by("organisation__sort_key", "user__username")
    )
    return [m for m in rows if m.user_id not in on_panel and m.user.is_active]


def reviewer_add(*, actor: User, plan: Plan, membership: Membership) -> CaseReviewer:
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    if membership.pk not in {m.pk for m in candidate_memberships(plan)}:
        raise _fail("只能选择本地区持有评查员角色且尚未加入的人员")
    with transaction.atomic():
        reviewer = CaseReviewer(plan=plan, user=membership.user, organisation=membership.organisation)
        reviewer.full_clean()
        reviewer.save()
        audit.record(
            actor=actor,
            action="casefile.reviewer_add",
            obj=reviewer,
            plan_id=plan.pk,
            organisation=membership.organisation,
            after={"user": membership.user.username, "organisation": membership.organisation.name},
        )
    access.forget(membership.user)
    return reviewer


def reviewer_remove(*, actor: User, plan: Plan, reviewer: CaseReviewer) -> None:
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    with transaction.atomic():
        if SampledFile.objects.filter(reviewer=reviewer).exists():
            raise _fail(f"{reviewer.user} 还有分配的案卷，请先改派")
        audit.record(
            actor=actor,
            action="casefile.reviewer_remove",
            obj=reviewer,
            plan_id=plan.pk,
            organisation=reviewer.organisation,
            before={"user": reviewer.user.username, "organisation": reviewer.organisation.name},
        )
        reviewer.delete()


def conflict(reviewer: CaseReviewer, unit_org: Organisation, organisations: list[Organisation] | None = None) -> str:
    """Why ``reviewer`` may not review a file of ``unit_org`` ("" when they may): 回避 (organisations.conflicts).

    The organisation they were put on the panel from, or any membership they hold now, stands on the unit's
    organisation line: the unit itself, a section of it, its parent department or a sibling section.
    ``organisations``: the person's organisations when already loaded (bulk assignment).
    """
    return conflicts.person_conflict(
        reviewer.user, unit_org, also=[reviewer.organisation], organisations=organisations, act="评查本单位案卷"
    )


BLIND_CONFLICT = "回避：该案卷的考核对象与您所在单位为同一单位或上下级，不能评查本单位案卷；请联系考核办改派"


def case_review_conflict(plan: Plan, sampled: SampledFile) -> str:
    """The 回避 refusal its reviewer sees for a file ("" when there is none); under blind review the unit is
    not named."""
    if sampled.reviewer is None:
        return ""
    message = conflict(sampled.reviewer, sampled.case_file.unit.organisation)
    if not message:
        return ""
    return BLIND_CONFLICT if setting_of(plan).blind else f"{message}；请联系考核办改派"


def assignment_conflicts(plan: Plan, files: Sequence[SampledFile]) -> list[str]:
    """回避 warnings for the office: files given to a reviewer who now stands on the unit's organisation line
    (a membership gained after the assignment), not yet submitted. One query for the reviewers' memberships."""
    open_files = [f for f in files if f.reviewer is not None and f.status != SampledFile.Status.SUBMITTED]
    held: dict[int, list[Organisation]] = {}
    user_ids = {f.reviewer.user_id for f in open_files if f.reviewer is not None}
    for membership in Membership.objects.filter(user_id__in=user_ids).select_related("organisation__parent"):
        held.setdefault(membership.user_id, []).append(membership.organisation)
    found = []
    for f in open_files:
        if f.reviewer is None:
            continue
        message = conflict(f.reviewer, f.case_file.unit.organisation, held.get(f.reviewer.user_id, []))
        if message:
            found.append(f"{f.case_file.unit.organisation.name} {f.case_file.number}（{f.code}）：{message}")
    return found


def _assignable(sampled: SampledFile) -> None:
    if sampled.status != SampledFile.Status.PENDING:
        raise _fail(f"{sampled.case_file.number} 已开始评查，不能改派")


def file_assign(*, actor: User, plan: Plan, sampled: SampledFile, reviewer: CaseReviewer | None) -> SampledFile:
    """Give a sampled file to a reviewer of the panel by hand (or take it back with None)."""
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    unit_org = sampled.case_file.unit.organisation
    with transaction.atomic():
        sampled = SampledFile.objects.select_for_update().select_related("case_file__unit__organisation").get(pk=sampled.pk)
        _assignable(sampled)
        if reviewer is not None:
            if reviewer.plan_id != plan.pk:
                raise _fail("评查员不在本方案的评查员名单中")
            if message := conflict(reviewer, unit_org):
                raise _fail(message)
        before = {"reviewer": str(sampled.reviewer.user) if sampled.reviewer else None}
        sampled.reviewer = reviewer
        sampled.assigned_at = timezone.now() if reviewer else None
        sampled.save(update_fields=["reviewer", "assigned_at"])
        audit.record(
            actor=actor,
            action="casefile.assign",
            obj=sampled,
            plan_id=plan.pk,
            organisation=unit_org,
            before=before,
            after={"file": sampled.case_file.number, "reviewer": str(reviewer.user) if reviewer else None},
        )
    return sampled


@dataclass
class AssignOutcome:
    assigned: int = 0
    unassignable: list[str] = field(default_factory=list)


def files_assign_auto(*, actor: User, plan: Plan) -> AssignOutcome:
    """Balanced round robin: each unassigned file (by unit, then draw order) goes to the eligible reviewer
    with the fewest files; ties go to the one after the last reviewer given a file (panel order)."""
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    outcome = AssignOutcome()
    with transaction.atomic():
        reviewers = list(
            CaseReviewer.objects.filter(plan=plan)
            .select_related("user", "organisation")
            .annotate(load=Count("files"))
            .order_by("pk")
        )
        if not reviewers:
            raise _fail("评查员名单为空，请先增加评查员")
        loads = {r.pk: int(r.load) for r in reviewers}
        memberships: dict[int, list[Organisation]] = {}
        for membership in Membership.objects.filter(user_id__in=[r.user_id for r in reviewers]).select_related(
            "organisation__parent"
        ):
            memberships.setdefault(membership.user_id, []).append(membership.organisation)
        pending = list(
            SampledFile.objects.select_for_update()
            .filter(plan=plan, reviewer__isnull=True)
            .select_related("case_file__unit__organisation")
            .order_by("case_file__unit__organisation__sort_key", "sample_id", "position")
        )
        cursor = -1
        now = timezone.now()
        for sampled in pending:
            unit_org = sampled.case_file.unit.organisation
            eligible = [(i, r) for i, r in enumerate(reviewers) if not conflict(r, unit_org, memberships.get(r.user_id, []))]
            if not eligible:
                outcome.unassignable.append(f"{unit_org} {sampled.case_file.number}")
                continue
            n = len(reviewers)
            index, chosen = min(eligible, key=lambda pair: (loads[pair[1].pk], (pair[0] - cursor - 1) % n))
            cursor = index
            loads[chosen.pk] += 1
            sampled.reviewer, sampled.assigned_at = chosen, now
            sampled.save(update_fields=["reviewer", "assigned_at"])
            outcome.assigned += 1
        audit.record(
            actor=actor,
            action="casefile.assign_auto",
            obj=plan,
            plan_id=plan.pk,
            after={"assigned": outcome.assigned, "unassignable": outcome.unassignable, "loads": list(loads.values())},
        )
    return outcome
