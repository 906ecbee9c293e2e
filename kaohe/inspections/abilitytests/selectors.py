"""Reads of 依法行政能力测试, and the object getters that decide who reaches which roster or test.

Who sees what: the office (``abilitytest:manage``) everything; scorers (``abilitytest:score``: the office and
实地考察组 members named in the plan's groups) every test, to score it; a unit's members
(``abilitytest:roster``) their own roster and their own unit's tests (draw and replay, never codes or
answers). Another unit's roster or test is 404 for them; the plan's other insiders get 403; outsiders 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, QuerySet
from django.http import Http404

from kaohe.inspections.abilitytests.models import AbilityTest, Answer, Question, QuestionImport, RosterVersion, Testee
from kaohe.organisations import access
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit

MANAGE = "abilitytest:manage"
SCORE = "abilitytest:score"
ROSTER = "abilitytest:roster"


def get_plan(user: Any, plan_id: int) -> Plan:
    """The plan, for anyone holding one of this area's capabilities (403 for the plan's other insiders)."""
    plan = access.get_plan_for_user(user, plan_id)
    if not any(access.can(user, c, plan) for c in (MANAGE, SCORE, ROSTER)):
        raise PermissionDenied
    return plan


def own_unit_ids(user: Any, plan: Plan) -> set[int]:
    if not access.can(user, ROSTER, plan):
        return set()
    return {u.pk for u in access.own_units(user, plan)}


def get_roster_unit_for_user(user: Any, plan: Plan, unit_id: int) -> PlanUnit:
    """A unit whose roster the user may read and edit: any for the office, its own for a unit's members."""
    if not (access.can(user, MANAGE, plan) or access.can(user, ROSTER, plan)):
        raise PermissionDenied
    if not access.can(user, MANAGE, plan) and unit_id not in own_unit_ids(user, plan):
        raise Http404("考核对象不存在")
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    if unit is None:
        raise Http404("考核对象不存在")
    return unit


def scorable_unit_ids(user: Any, plan: Plan) -> set[int] | None:
    """Units whose tests ``user`` may score: None = every unit (the office); a 实地考察组 member, the units
    their groups visit in this plan (the group tests on the spot where it visits); nobody else, none."""
    if access.can(user, MANAGE, plan):
        return None
    if not access.can(user, SCORE, plan):
        return set()
    from kaohe.inspections.fieldwork.models import FieldAssignment

    return set(FieldAssignment.objects.filter(plan=plan, group__members__user=user).values_list("unit_id", flat=True))


def may_score(user: Any, test: AbilityTest) -> bool:
    scorable = scorable_unit_ids(user, test.plan)
    return scorable is None or test.unit_id in scorable


def get_test_for_user(user: Any, plan: Plan, test_id: int, *, need: str = "read") -> AbilityTest:
    """A test of the plan. ``need``: "read" (office, the scorers of its unit, the test's own unit), "manage"
    or "score".

    Insiders without any of this area's capabilities get 403; a test the user may not reach at all is 404
    (another unit's test does not exist for a unit, nor a unit outside their groups for a scorer); one they
    may read but not ``need`` is 403.
    """
    manage, score = access.can(user, MANAGE, plan), access.can(user, SCORE, plan)
    own = own_unit_ids(user, plan)
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


def tests_for_user(user: Any, plan: Plan) -> QuerySet[AbilityTest]:
    tests = AbilityTest.objects.filter(plan=plan).select_related("unit__organisation", "task", "draw", "paper")
    scorable = scorable_unit_ids(user, plan)
    if scorable is None:
        return tests.order_by("unit__organisation__sort_key", "task__order", "pk")
    return tests.filter(unit_id__in=scorable | own_unit_ids(user, plan)).order_by(
        "unit__organisation__sort_key", "task__order", "pk"
    )


def ability_tasks(plan: Plan) -> QuerySet[Indicator]:
    """Tasks that look like ability tests (抽取…测试/提问), offered first when creating a test."""
    from django.db.models import Q

    return (
        Indicator.objects.filter(plan=plan, level=Level.TASK)
        .exclude(method=Method.SUBMISSION)
        .filter(Q(name__contains="测试") | Q(name__contains="提问"))
        .select_related("category")
        .order_by("category__order", "order")
    )


@dataclass(frozen=True)
class RosterRow:
    unit: PlanUnit
    version: int
    people: int


def roster_overview(plan: Plan) -> list[RosterRow]:
    """Every unit of the plan with its current roster version and size (three queries)."""
    latest = dict(RosterVersion.objects.filter(plan=plan).values("unit_id").annotate(n=Max("number")).values_list("unit_id", "n"))
    sizes: dict[int, int] = {}
    if latest:
        for version in RosterVersion.objects.filter(plan=plan).only("unit_id", "number", "people"):
            if latest.get(version.unit_id) == version.number:
                sizes[version.unit_id] = len(version.people)
    units = (
        PlanUnit.objects.filter(plan=plan)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key")
    )
    return [RosterRow(u, latest.get(u.pk, 0), sizes.get(u.pk, 0)) for u in units]


def roster_versions(unit: PlanUnit) -> list[RosterVersion]:
    return list(RosterVersion.objects.filter(unit=unit).select_related("created_by").order_by("-number"))


def bank_summary(plan: Plan) -> dict[str, Any]:
    rows = Question.objects.filter(plan=plan).values("kind", "category", "difficulty").annotate(n=Count("pk"))
    by_kind: dict[str, int] = {label: 0 for label in Question.Kind.labels}
    categories: dict[str, int] = {}
    difficulties: dict[str, int] = {}
    labels = dict(Question.Kind.choices)
    for row in rows:
        by_kind[labels[row["kind"]]] += row["n"]
        categories[row["category"] or "（未分类）"] = categories.get(row["category"] or "（未分类）", 0) + row["n"]
        if row["difficulty"]:
            difficulties[row["difficulty"]] = difficulties.get(row["difficulty"], 0) + row["n"]
    return {"total": sum(by_kind.values()), "by_kind": by_kind, "categories": categories, "difficulties": difficulties}


def recent_bank_imports(plan: Plan) -> QuerySet[QuestionImport]:
    return QuestionImport.objects.filter(plan=plan).select_related("created_by").order_by("-created_at")[:10]


def get_bank_import(plan: Plan, import_id: int) -> QuestionImport:
    record = QuestionImport.objects.select_related("plan", "created_by").filter(plan=plan, pk=import_id).first()
    if record is None:
        raise Http404("导入记录不存在")
    return record


def testees_of(test: AbilityTest) -> list[Testee]:
    return list(Testee.objects.filter(test=test).select_related("oral_by").order_by("seq"))


def get_testee(test: AbilityTest, testee_id: int) -> Testee:
    testee = Testee.objects.filter(test=test, pk=testee_id).first()
    if testee is None:
        raise Http404("测试人员不存在")
    return testee


def short_answers(test: AbilityTest) -> list[Answer]:
    """Short answers of finished attempts, by question then testee (for marking)."""
    return list(
        Answer.objects.filter(testee__test=test, question__kind=Question.Kind.SHORT, testee__finished_at__isnull=False)
        .select_related("question", "testee", "marked_by")
        .order_by("question_id", "testee__seq")
    )
