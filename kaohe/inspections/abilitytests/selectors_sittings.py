"""Reads of 统一考试场次: the sittings of a plan, the office's progress and results pages (constant queries).

Only the office (``abilitytest:manage``) reaches a sitting; the views check that through the plan getter,
and :func:`get_sitting` makes another plan's sitting 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import Http404

from kaohe.inspections.abilitytests import draws
from kaohe.inspections.abilitytests.models import AbilityTest, Answer, Paper, Sitting, Testee
from kaohe.inspections.abilitytests.services_sittings import sitting_units
from kaohe.plans.models import Indicator, Plan, PlanUnit


def sittings(plan: Plan) -> list[Sitting]:
    return list(
        Sitting.objects.filter(plan=plan)
        .annotate(candidates=Count("tests__testees"), units=Count("tests", distinct=True))
        .order_by("-created_at")
    )


def get_sitting(plan: Plan, sitting_id: int) -> Sitting:
    sitting = Sitting.objects.select_related("plan", "created_by").filter(plan=plan, pk=sitting_id).first()
    if sitting is None:
        raise Http404("场次不存在")
    return sitting


def sitting_tasks(sitting: Sitting) -> list[Indicator]:
    return list(sitting.tasks.select_related("category").order_by("category__order", "order"))


def sitting_paper(sitting: Sitting) -> Paper | None:
    """The sitting's paper (the same draw is stored for every unit's test; any one of them)."""
    return Paper.objects.filter(test__sitting=sitting).select_related("drawn_by").order_by("pk").first()


@dataclass
class ProgressRow:
    unit: PlanUnit
    test: AbilityTest | None
    candidates: int = 0
    started: int = 0
    finished: int = 0
    absent: int = 0

    @property
    def answering(self) -> int:
        return self.started - (self.finished - self.absent)

    @property
    def not_started(self) -> int:
        return self.candidates - self.started - self.absent


def progress(sitting: Sitting) -> list[ProgressRow]:
    """Per unit taking part: candidates, started, finished (交卷/超时/缺考) — three queries in all."""
    units = sitting_units(sitting)
    tests = {t.unit_id: t for t in AbilityTest.objects.filter(sitting=sitting)}
    counts = {
        row["test__unit_id"]: row
        for row in Testee.objects.filter(test__sitting=sitting)
        .values("test__unit_id")
        .annotate(
            n=Count("pk"),
            started=Count("pk", filter=Q(started_at__isnull=False)),
            finished=Count("pk", filter=Q(finished_at__isnull=False)),
            absent=Count("pk", filter=Q(finish=Testee.Finish.ABSENT)),
        )
    }
    rows = []
    for unit in units:
        c = counts.get(unit.pk, {})
        rows.append(
            ProgressRow(
                unit=unit,
                test=tests.get(unit.pk),
                candidates=c.get("n", 0),
                started=c.get("started", 0),
                finished=c.get("finished", 0),
                absent=c.get("absent", 0),
            )
        )
    return rows


@dataclass
class ResultRow:
    unit: PlanUnit
    test: AbilityTest | None
    candidates: int = 0
    finished: int = 0
    unmarked: int = 0  # short answers of finished attempts not marked yet
    percentages: list[Decimal] = field(default_factory=list)
    conversion: draws.Conversion | None = None

    @property
    def complete(self) -> bool:
        return self.test is not None and self.candidates > 0 and self.finished == self.candidates and not self.unmarked


def results(sitting: Sitting) -> list[ResultRow]:
    """Per unit: candidates, finished, unmarked answers, mean score rate and the score it converts to (the rule
    of ``attempts.abilitytest_record``) with what has been recorded — a constant number of queries."""
    units = sitting_units(sitting)
    tests = {t.unit_id: t for t in AbilityTest.objects.filter(sitting=sitting).select_related("task")}
    paper = Paper.objects.filter(test__sitting=sitting).only("total_points").first()
    possible = paper.total_points if paper else Decimal(0)
    earned = {
        row["testee_id"]: row
        for row in Answer.objects.filter(testee__test__sitting=sitting)
        .values("testee_id")
        .annotate(earned=Sum("score"), unmarked=Count("pk", filter=Q(score__isnull=True)))
    }
    rows = {u.pk: ResultRow(unit=u, test=tests.get(u.pk)) for u in units}
    for testee in Testee.objects.filter(test__sitting=sitting).values("pk", "test__unit_id", "finished_at"):
        row = rows.get(testee["test__unit_id"])
        if row is None:
            continue
        row.candidates += 1
        if testee["finished_at"] is None:
            continue
        row.finished += 1
        marks = earned.get(testee["pk"], {})
        row.unmarked += marks.get("unmarked", 0)
        row.percentages.append(draws.percentage(marks.get("earned") or Decimal(0), possible))
    for row in rows.values():
        if row.complete and row.test is not None and row.test.task.points is not None:
            row.conversion = draws.unit_score(row.test.task.points, row.percentages)
    return list(rows.values())
