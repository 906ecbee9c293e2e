"""The office's count of units with an overdue task (its home's to-do) says what the queue's rows say, without
building the queue: the same deadline rule, with extensions for all units and for one, a task's own date, open
退回补充 and plans without any deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kaohe.plans.models import Indicator, PlanUnit
from kaohe.submissions import selectors
from kaohe.submissions.models import Extension, Submission, SupplementRequest
from kaohe.submissions.tests.conftest import SHANGHAI, set_now
from tests import factories as f

Status = Submission.Status


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)


def _task(plan, category: str, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, category__name=category, code=code)


def _unit(plan, name: str) -> PlanUnit:
    return PlanUnit.objects.get(plan=plan, organisation__name=name)


@pytest.fixture
def cycle(plan, personas):
    """The small city after its 2020-12-31 deadline, each unit waiting for something else (see the comments)."""
    office, desk = personas.office, personas.desk
    evidence = {u.pk: [t for t in selectors.evidence_tasks(plan) if t.category_id == u.category_id] for u in plan.units.all()}

    def submit_all_but(unit: PlanUnit, *codes: str) -> None:
        for task in evidence[unit.pk]:
            if task.code not in codes:
                Submission.objects.create(plan=plan, unit=unit, task=task, status=Status.SUBMITTED)

    def returned(unit: PlanUnit, task: Indicator, due: dt.date) -> None:
        submission = Submission.objects.create(plan=plan, unit=unit, task=task, status=Status.RETURNED)
        SupplementRequest.objects.create(
            submission=submission, desk=task.assessor, reason="请补充", due_date=due, requested_by=desk
        )

    def extend(task: Indicator, unit: PlanUnit | None, until: dt.date) -> None:
        Extension.objects.create(plan=plan, task=task, unit=unit, new_deadline=until, reason="延期", granted_by=office)

    county, dept2 = "县区政府", "部门2"
    wugang, baofeng, jiaxian = (_unit(plan, n) for n in ("舞钢市人民政府", "宝丰县人民政府", "郏县人民政府"))
    sfj, gaj, fgw = (_unit(plan, n) for n in ("市司法局", "市公安局", "市发改委"))  # 市财政局 reports nothing
    # 舞钢: one task returned, to be supplemented by 2021-01-20.
    submit_all_but(wugang, "2.1.2")
    returned(wugang, _task(plan, county, "2.1.2"), dt.date(2021, 1, 20))
    # 宝丰: one task extended for 宝丰 alone until 2021-01-15.
    submit_all_but(baofeng, "1.1.1")
    extend(_task(plan, county, "1.1.1"), baofeng, dt.date(2021, 1, 15))
    # 郏县: a return whose own date passed on 2021-01-05.
    submit_all_but(jiaxian, "2.1.1")
    returned(jiaxian, _task(plan, county, "2.1.1"), dt.date(2021, 1, 5))
    # 部门2: 1.1.2 extended for every unit until 2021-02-01; 2.1.2 has its own date, 2021-01-31.
    extend(_task(plan, dept2, "1.1.2"), None, dt.date(2021, 2, 1))
    Indicator.objects.filter(pk=_task(plan, dept2, "2.1.2").pk).update(deadline=dt.date(2021, 1, 31))
    submit_all_but(sfj, "1.1.2")
    submit_all_but(gaj, "2.1.2")
    # 市财政局 reported nothing; 市发改委 had its own extension of 1.1.1 until 2021-01-05.
    submit_all_but(fgw, "1.1.1")
    extend(_task(plan, dept2, "1.1.1"), fgw, dt.date(2021, 1, 5))

    # Another plan of the office without any deadline: a unit's own extension sets one (that unit only).
    other = f.PlanFactory.create(organiser=plan.organiser, year=2021, published=True, submission_deadline=None)
    category = f.CategoryFactory.create(plan=other, name="县区政府")
    open_ended = f.task(category, "1.1.1", 10, deadline=None)
    limited, _no_limit = (f.UnitFactory.create(category=category) for _ in range(2))
    Extension.objects.create(
        plan=other, task=open_ended, unit=limited, new_deadline=dt.date(2021, 1, 5), reason="限期", granted_by=office
    )
    return plan, other


def _from_queue(plan) -> int:
    return len({row.unit.pk for row in selectors.desk_queue(plan, None, selectors.QueueFilter()).rows if row.overdue})


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2020, 12, 20), (0, 0)),  # before every deadline
        (dt.date(2021, 1, 10), (3, 1)),  # 郏县, 市财政局, 市发改委; the other plan's limited unit
        (dt.date(2021, 1, 18), (4, 1)),  # … and 宝丰, its own extension over
        (dt.date(2021, 3, 1), (7, 1)),  # every unit still waiting for something
    ],
)
def test_the_count_is_the_queue_s(cycle, monkeypatch, django_assert_max_num_queries, day, expected) -> None:
    plan, other = cycle
    set_now(monkeypatch, _at(day))
    with django_assert_max_num_queries(5):
        counts = selectors.overdue_unit_counts([plan, other])
    assert counts == {plan.pk: _from_queue(plan), other.pk: _from_queue(other)}
    assert (counts[plan.pk], counts[other.pk]) == expected


def test_no_plans_no_queries(db, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert selectors.overdue_unit_counts([]) == {}


def _overview_from_queue(plan, now: dt.datetime) -> tuple[Any, ...]:
    """The office's overview as it was built before (from every row of ``desk_queue``): the reference."""
    rows = selectors.desk_queue(plan, None, selectors.QueueFilter()).rows
    names = sorted({(int(selectors.level1_of(r.task).code), selectors.level1_of(r.task).name) for r in rows})
    matrix: dict[int, list[list[int]]] = {}
    desks: dict[str, list[int]] = {}
    for row in rows:
        level1 = selectors.level1_of(row.task)
        cell = matrix.setdefault(row.unit.pk, [[0, 0] for _ in names])[names.index((int(level1.code), level1.name))]
        desk = desks.setdefault(row.task.assessor.organisation.name, [0, 0, 0])
        cell[1] += 1
        desk[0] += 1
        cell[0] += row.status != Status.EMPTY
        desk[1] += row.status != Status.EMPTY
        desk[2] += row.status == Status.RETURNED
    overdue = [(r.unit.pk, r.task.pk, r.deadline, r.status) for r in rows if r.overdue]
    remind = len({r.unit.pk for r in rows if r.status == Status.EMPTY and r.is_open})
    return names, matrix, desks, overdue, remind


@pytest.mark.parametrize("day", [dt.date(2020, 12, 20), dt.date(2021, 1, 10), dt.date(2021, 1, 18), dt.date(2021, 3, 1)])
def test_the_overview_counts_what_the_queue_s_rows_say(cycle, monkeypatch, django_assert_max_num_queries, day) -> None:
    plan, _ = cycle
    set_now(monkeypatch, _at(day))
    with django_assert_max_num_queries(6):
        overview = selectors.office_overview(plan)
    names, matrix, desks, overdue, remind = _overview_from_queue(plan, _at(day))
    assert overview.level1_names == names
    assert {u.pk: [[c.submitted, c.due] for c in cells] for u, cells, _ in overview.matrix} == matrix
    assert [u.pk for u, _, _ in overview.matrix] == [
        u.pk
        for u in sorted(
            (u for u in plan.units.select_related("category", "organisation") if u.pk in matrix),
            key=lambda u: (u.category.order, u.organisation.sort_key),
        )
    ]
    assert {d: [due, submitted, returned] for d, due, submitted, returned in overview.desks} == desks
    assert [(r.unit.pk, r.task.pk, r.deadline, r.status) for r in overview.overdue] == overdue
    assert overview.remind_units == remind
    assert overdue or day < dt.date(2021, 1, 1)  # the scenario has overdue pairs after the deadline
