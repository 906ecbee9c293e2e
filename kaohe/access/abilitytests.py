"""依法行政能力测试: rosters, tests and testees (kaohe.inspections.abilitytests; its scorers may be field groups)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kaohe.access.base import can, is_own_unit
from kaohe.access.plans import get_plan_for_user, own_units
from kaohe.inspections.abilitytests.models import AbilityTest, Testee
from kaohe.inspections.fieldwork.models import FieldAssignment
from kaohe.plans.models import Plan, PlanUnit

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
