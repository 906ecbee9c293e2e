"""Result tests: evaluations are written straight into the table (the scoring app's pages are tested there)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kaohe.plans.constants import Adjustment, Level, Method
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.scoring.models import Evaluation, GradeChoice

SHANGHAI = ZoneInfo("Asia/Shanghai")
WHEN = dt.datetime(2020, 12, 28, 10, 0, tzinfo=SHANGHAI)


def tasks_of(unit: PlanUnit) -> list[Indicator]:
    return list(
        Indicator.objects.filter(plan=unit.plan, category=unit.category, level=Level.TASK, points__isnull=False)
        .select_related("assessor")
        .order_by("order")
    )


def grade(
    plan,
    unit,
    by,
    *,
    scores: dict[str, Decimal] | None = None,
    skip: frozenset[str] | set[str] = frozenset(),
    reason: str = "材料不全",
):
    """An evaluation of every task of the unit's table: full points, or ``scores[code]``; ``skip`` codes stay missing.

    The 加分项 row earns nothing and the 扣分项 row keeps its points (nothing deducted), so "all full" is 100.
    """
    scores = scores or {}
    rows = []
    for task in tasks_of(unit):
        if task.code in skip:
            continue
        score = scores.get(task.code, Decimal("0.00") if task.adjustment == Adjustment.BONUS else task.points)
        full = score == task.points
        rows.append(
            Evaluation(
                plan=plan,
                unit=unit,
                task=task,
                grade=GradeChoice.EXCELLENT if task.method == Method.SUBMISSION and full else "",
                score=score,
                reason="" if full else reason,
                desk=task.assessor,
                evaluated_by=by,
                evaluated_at=WHEN,
            )
        )
    Evaluation.objects.bulk_create(rows)
    return rows


def unit_named(plan, name: str) -> PlanUnit:
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name=name)


# The other counties and districts of 平顶山, for tests that need more than the city's three 县区政府 units.
MORE_COUNTIES = ("叶县", "鲁山县", "汝州市", "新华区", "卫东区", "湛河区", "石龙区", "高新区")


def more_counties(plan, count: int) -> list[PlanUnit]:
    """Add ``count`` 县区政府 units (each its own county's government) to the city's three."""
    from kaohe.organisations.models import Organisation, Region
    from tests import factories as f

    category = plan.categories.get(name="县区政府")
    city = plan.organiser.region
    units: list[Any] = []
    for name in MORE_COUNTIES[:count]:
        county = f.RegionFactory(name=name, level=Region.Level.COUNTY, parent=city)
        organisation = f.OrganisationFactory(name=f"{name}人民政府", region=county, kind=Organisation.Kind.GOVERNMENT)
        units.append(f.UnitFactory(plan=plan, category=category, organisation=organisation))
    return units


@pytest.fixture
def dept1(plan):
    """The three units of 部门1, whose table has 15 points of 实地考核 (1.1.1, 1.2.1, 2.1.1: 5 each) for a full score
    of 100 (tests/city.py)."""
    return [unit_named(plan, n) for n in ("市委网信办", "市新闻出版局", "市委机要保密局")]


@pytest.fixture
def graded_dept1(plan, dept1, personas):
    """部门1 fully graded: 市委网信办 12.35 of 15 (2.1.1 scored 2.35 of 5), 市新闻出版局 15, 市委机要保密局 13.5
    (1.1.1 scored 3.50 of 5)."""
    wangxin, press, secrecy = dept1
    grade(plan, wangxin, personas.office, scores={"2.1.1": Decimal("2.35")}, reason="领导干部测试成绩偏低")
    grade(plan, press, personas.office)
    grade(plan, secrecy, personas.office, scores={"1.1.1": Decimal("3.50")})
    return dept1
