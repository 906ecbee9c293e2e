"""Inspections: 实地考核 (field groups and their members), 依法行政能力测试 (rosters, tests), 案卷集中评查 (lists,
samples, reviewers)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kaohe.access.base import can, is_own_unit, require
from kaohe.access.plans import get_plan_for_user, own_units
from kaohe.inspections.abilitytests.models import AbilityTest, Testee
from kaohe.inspections.casefiles.models import CaseFile, CaseReviewer, ChecklistItem, Sample, SampledFile
from kaohe.inspections.fieldwork.models import FieldAssignment, FieldGroup, FieldPhoto
from kaohe.plans.models import Plan, PlanUnit

# ------------------------------------------------------------------------------ 实地考核


def get_field_group_for_office(user: Any, plan: Plan, group_id: int) -> FieldGroup:
    """A field group of the plan, for the office (``fieldwork:manage``); 404 if not of this plan."""
    require(user, "fieldwork:manage", plan)
    group = FieldGroup.objects.filter(plan=plan, pk=group_id).first()
    if group is None:
        raise Http404("考察组不存在")
    return group


def get_field_assignment_for_office(user: Any, plan: Plan, assignment_id: int) -> FieldAssignment:
    """A unit's assignment to a group, for the office (``fieldwork:manage``); 404 if not of this plan."""
    require(user, "fieldwork:manage", plan)
    assignment = FieldAssignment.objects.select_related("group", "unit__organisation").filter(plan=plan, pk=assignment_id).first()
    if assignment is None:
        raise Http404("安排不存在")
    return assignment


def get_assignment_for_member(user: Any, plan: Plan, unit_id: int) -> FieldAssignment:
    """The assignment of ``unit_id`` to one of the user's groups; 404 otherwise (another group's unit too)."""
    require(user, "fieldwork:score", plan)
    assignment = (
        FieldAssignment.objects.filter(plan=plan, unit_id=unit_id, group__members__user=user)
        .select_related("group", "unit__organisation", "unit__category", "plan")
        .first()
    )
    if assignment is None:
        raise Http404("该考核对象不在本组的考察范围内")
    return assignment


def get_photo_for_user(user: Any, plan: Plan, photo_id: int) -> FieldPhoto:
    """A photo the user may see: the office's, or one of a unit their group holds; 404 otherwise."""
    photo = FieldPhoto.objects.select_related("unit", "task", "group", "uploaded_by").filter(plan=plan, pk=photo_id).first()
    if photo is None:
        raise Http404("照片不存在")
    if can(user, "fieldwork:manage", plan):
        return photo
    if (
        can(user, "fieldwork:score", plan)
        and FieldAssignment.objects.filter(plan=plan, unit_id=photo.unit_id, group__members__user=user).exists()
    ):
        return photo
    raise Http404("照片不存在")


# ------------------------------------------------------------------------------ 依法行政能力测试

ABILITY_MANAGE, ABILITY_SCORE, ABILITY_ROSTER = "abilitytest:manage", "abilitytest:score", "abilitytest:roster"


def testee_of_session(testee_id: object) -> Testee | None:
    """The testee a browser answers for: the id its session took from a valid entry code (testees have no
    account; ``attempts.testee_enter`` checks the code), else None."""
    if not isinstance(testee_id, int):
        return None
    return Testee.objects.select_related("test__plan", "test__unit__organisation", "test__task").filter(pk=testee_id).first()


def get_ability_plan_for_user(user: Any, plan_id: int) -> Plan:
    """The plan, for anyone holding one of the ability tests' capabilities (403 for the plan's other insiders)."""
    plan = get_plan_for_user(user, plan_id)
    if not any(can(user, c, plan) for c in (ABILITY_MANAGE, ABILITY_SCORE, ABILITY_ROSTER)):
        raise PermissionDenied
    return plan


def roster_unit_ids(user: Any, plan: Plan) -> set[int]:
    """The user's own units whose roster they keep (``abilitytest:roster``)."""
    if not can(user, ABILITY_ROSTER, plan):
        return set()
    return {u.pk for u in own_units(user, plan)}


def may_keep_roster(user: Any, plan: Plan, unit: PlanUnit) -> bool:
    """Whether the user keeps ``unit``'s roster: its own unit's members with ``abilitytest:roster``."""
    return can(user, ABILITY_ROSTER, plan) and is_own_unit(user, unit)


def get_roster_unit_for_user(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit whose roster the user may read and edit: any for the office, its own for a unit's members."""
    if not (can(user, ABILITY_MANAGE, plan) or can(user, ABILITY_ROSTER, plan)):
        raise PermissionDenied
    if not can(user, ABILITY_MANAGE, plan) and unit_id not in roster_unit_ids(user, plan):
        raise Http404("考核对象不存在")
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    if unit is None:
        raise Http404("考核对象不存在")
    return unit


def scorable_unit_ids(user: Any, plan: Plan) -> set[int] | None:
    """Units whose tests ``user`` may score: None = every unit (the office); a 实地考察组 member, the units
    their groups visit in this plan (the group tests on the spot where it visits); nobody else, none."""
    if can(user, ABILITY_MANAGE, plan):
        return None
    if not can(user, ABILITY_SCORE, plan):
        return set()
    return set(FieldAssignment.objects.filter(plan=plan, group__members__user=user).values_list("unit_id", flat=True))


def may_score_test(user: Any, test: AbilityTest) -> bool:
    scorable = scorable_unit_ids(user, test.plan)
    return scorable is None or test.unit_id in scorable


def get_ability_test_for_user(user: Any, plan: Plan, test_id: int, *, need: str = "read") -> AbilityTest:
    """A test of the plan. ``need``: "read" (office, the scorers of its unit, the test's own unit), "manage"
    or "score".

    Insiders without any of this area's capabilities get 403; a test the user may not reach at all is 404
    (another unit's test does not exist for a unit, nor a unit outside their groups for a scorer); one they
    may read but not ``need`` is 403.
    """
    manage, score = can(user, ABILITY_MANAGE, plan), can(user, ABILITY_SCORE, plan)
    own = roster_unit_ids(user, plan)
    if not (manage or score or own):
        raise PermissionDenied
    test = (
        AbilityTest.objects.select_related("plan", "unit__organisation", "unit__category", "task", "created_by")
        .filter(plan=plan, pk=test_id)
        .first()
    )
    scorable = scorable_unit_ids(user, plan)
    scores_it = test is not None and (scorable is None or test.unit_id in scorable)
    if test is None or not (manage or scores_it or test.unit_id in own):
        raise Http404("能力测试不存在")
    if (need == "manage" and not manage) or (need == "score" and not scores_it):
        raise PermissionDenied
    return test


def ability_tests_for_user(user: Any, plan: Plan) -> QuerySet[AbilityTest]:
    """The plan's tests the user sees: all for the office; a scorer's visited units and a unit's own tests."""
    tests = AbilityTest.objects.filter(plan=plan).select_related("unit__organisation", "task", "draw", "paper")
    scorable = scorable_unit_ids(user, plan)
    if scorable is None:
        return tests.order_by("unit__organisation__sort_key", "task__order", "pk")
    return tests.filter(unit_id__in=scorable | roster_unit_ids(user, plan)).order_by(
        "unit__organisation__sort_key", "task__order", "pk"
    )


# ------------------------------------------------------------------------------ 案卷集中评查


def get_listing_unit(user: Any, plan: Plan, unit_id: int, *, write: bool = False) -> PlanUnit:
    """A unit whose case-file list the user may read (its own members and the office) or, with ``write``,
    change (its own members only; the office gets 403). Another unit's list is 404 for a unit."""
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    own = unit is not None and is_own_unit(user, unit)
    if unit is not None and own and can(user, "casefile:list", plan):
        return unit
    if can(user, "casefile:manage", plan):
        if write:
            raise PermissionDenied
        if unit is None:
            raise Http404("考核对象不存在")
        return unit
    if can(user, "casefile:list", plan):
        raise Http404("考核对象不存在")
    raise PermissionDenied


def get_case_file_for_unit(user: Any, plan: Plan, file_id: int) -> CaseFile:
    """A listed file the user may change: a file of their own unit only (404 otherwise, 403 for other roles)."""
    if not can(user, "casefile:list", plan):
        raise PermissionDenied
    own = [u.pk for u in own_units(user, plan)]
    case_file = (
        CaseFile.objects.select_related("unit__organisation", "unit__category")
        .filter(plan=plan, pk=file_id, unit_id__in=own)
        .first()
    )
    if case_file is None:
        raise Http404("案卷不存在")
    return case_file


def get_sampled_for_user(user: Any, plan: Plan, sampled_id: int) -> SampledFile:
    """A sampled file: the office reaches every one; a reviewer only those assigned to them (else 404)."""
    manage = can(user, "casefile:manage", plan)
    review = can(user, "casefile:review", plan)
    if not (manage or review):
        raise PermissionDenied
    rows = SampledFile.objects.select_related(
        "case_file__unit__organisation", "case_file__unit__category", "reviewer__user", "reviewer__organisation"
    ).filter(plan=plan, pk=sampled_id)
    if not manage:
        rows = rows.filter(reviewer__user=user)
    sampled = rows.first()
    if sampled is None:
        raise Http404("案卷不存在")
    return sampled


def get_sampled_for_reviewer(user: Any, plan: Plan, sampled_id: int) -> SampledFile:
    """A sampled file assigned to the user, to record its review (the office reads every file but reviews none)."""
    sampled = get_sampled_for_user(user, plan, sampled_id)
    if sampled.reviewer is None or sampled.reviewer.user_id != user.pk:
        raise Http404("案卷不存在")
    return sampled


def get_sample(user: Any, plan: Plan, sample_id: int) -> Sample:
    require(user, "casefile:manage", plan)
    sample = Sample.objects.select_related("unit__organisation").filter(plan=plan, pk=sample_id).first()
    if sample is None:
        raise Http404("抽取记录不存在")
    return sample


def get_reviewer(user: Any, plan: Plan, reviewer_id: int) -> CaseReviewer:
    require(user, "casefile:manage", plan)
    reviewer = CaseReviewer.objects.select_related("user", "organisation").filter(plan=plan, pk=reviewer_id).first()
    if reviewer is None:
        raise Http404("评查员不存在")
    return reviewer


def get_checklist_item(user: Any, plan: Plan, item_id: int) -> ChecklistItem:
    require(user, "casefile:manage", plan)
    item = ChecklistItem.objects.filter(plan=plan, pk=item_id).first()
    if item is None:
        raise Http404("评查项目不存在")
    return item
