"""Reads of 依法行政能力测试, and the object getters that decide who reaches which roster or test.

Who sees what: the office (``abilitytest:manage``) everything; scorers (``abilitytest:score``: the office and
实地考察组 members named in the plan's groups) every test, to score it; a unit's members
(``abilitytest:roster``) their own roster and their own unit's tests (draw and replay, never codes or
answers). Another unit's roster or test is 404 for them; the plan's other insiders get 403; outsiders 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.http import Http404

from kaohe.inspections.abilitytests.models import (
    AbilityTest,
    Answer,
    Draw,
    Paper,
    Question,
    QuestionImport,
    RosterVersion,
    Testee,
)
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit


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


def bank_questions(plan: Plan, limit: int = 500) -> list[Question]:
    """The first ``limit`` questions of the plan's bank, in import order."""
    return list(Question.objects.filter(plan=plan).order_by("pk")[:limit])


def find_task(plan: Plan, task_id: int) -> Indicator | None:
    """The plan's indicator of this id, or None (a suggestion for a new test)."""
    return Indicator.objects.filter(plan=plan, pk=task_id).first()


def draw_of(test: AbilityTest) -> Draw | None:
    """The test's draw, with its roster version and who drew it."""
    return Draw.objects.filter(test=test).select_related("roster", "drawn_by").first()


def paper_of(test: AbilityTest) -> Paper | None:
    """The test's paper, with who made it and the test's plan."""
    return Paper.objects.filter(test=test).select_related("drawn_by", "test__plan").first()


def testee_paper(testee: Testee) -> Paper:
    """The paper of the testee's test (a started testee's test has one)."""
    return Paper.objects.get(test_id=testee.test_id)


def testee_paper_or_none(testee: Testee) -> Paper | None:
    return Paper.objects.filter(test_id=testee.test_id).first()


def testee_responses(testee: Testee) -> dict[int, str]:
    """question id → the testee's saved response."""
    return {a.question_id: a.response for a in Answer.objects.filter(testee=testee)}
