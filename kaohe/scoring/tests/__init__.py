"""Tests of the scoring rule engine. Builders shared by the table-driven and the property tests live here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from kaohe.scoring.rules import (
    Adjustment,
    Bonus,
    CategoryInput,
    Component,
    Deduction,
    GradeBand,
    NotApplicable,
    Task,
    TaskScore,
    UnitInput,
    Veto,
)

D = Decimal

#: Bands in the shape a plan gives them: 优秀 ≥ 90 (at most 30 %), 良好 ≥ 80, 合格 ≥ 60, 不合格 below.
BANDS = (
    GradeBand("优秀", D(90), D(30)),
    GradeBand("良好", D(80)),
    GradeBand("合格", D(60)),
    GradeBand("不合格", D(0)),
)
BANDS_NO_QUOTA = (GradeBand("优秀", D(90)), GradeBand("良好", D(80)), GradeBand("合格", D(60)), GradeBand("不合格", D(0)))
LAWSUITS = Veto("two_lost_lawsuits", "优秀", "一年内两起行政诉讼败诉")

# A 100-point table in the county shape (附件3): 一级 totals 13, 5, 4, 13, 16, 3, 13, 18, 6, 9.
# 一级 1 has tasks 101 (3 分), 102 (2 分) in 二级 11 and 103–110 (1 分 each) in 二级 12; every other 一级 k is one
# task k01 in 二级 k1. 一级 4 also holds the 加减分项 二级 49: 加分项 491 and 扣分项 492 (1 分 each, outside 100).
LEVEL1_POINTS = {2: 5, 3: 4, 4: 13, 5: 16, 6: 3, 7: 13, 8: 18, 9: 6, 10: 9}
COUNTY_TASKS = (
    Task(101, 1, 11, D(3)),
    Task(102, 1, 11, D(2)),
    *(Task(100 + k, 1, 12, D(1)) for k in range(3, 11)),
    *(Task(k * 100 + 1, k, k * 10 + 1, D(points)) for k, points in LEVEL1_POINTS.items()),
)
BONUS_ROW = Task(491, 4, 49, D(1), adjustment=Adjustment.BONUS)
DEDUCTION_ROW = Task(492, 4, 49, D(1), adjustment=Adjustment.DEDUCTION)

# 附件4 (部门1): eleven 二级 of 2, 1, 5, 2, 2 and six of 0.5 points; 15 in all, every one 实地考核.
DEPT1_POINTS = (D(2), D(1), D(5), D(2), D(2), *(D("0.5"),) * 6)
DEPT1_LEVEL1 = (1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3)
DEPT1_TASKS = tuple(Task(i, DEPT1_LEVEL1[i - 1], i, points, Component.FIELD) for i, points in enumerate(DEPT1_POINTS, start=1))


def county(*, adjustment_rows: bool = False, bands: Iterable[GradeBand] = BANDS, vetoes: Iterable[Veto] = ()) -> CategoryInput:
    tasks = COUNTY_TASKS + ((BONUS_ROW, DEDUCTION_ROW) if adjustment_rows else ())
    return CategoryInput(1, D(100), tasks, tuple(bands), tuple(vetoes))


def dept1() -> CategoryInput:
    return CategoryInput(3, D(100), DEPT1_TASKS, BANDS)


def unit(
    unit_id: int,
    tasks: Iterable[Task],
    scores: Mapping[int, Decimal | None] | None = None,
    *,
    na: Iterable[int] = (),
    omit: Iterable[int] = (),
    bonuses: Iterable[Bonus] = (),
    deductions: Iterable[Deduction] = (),
    flags: Iterable[str] = (),
) -> UnitInput:
    """A unit with full marks on every task except the ``scores`` given; ``omit``ted tasks have no evaluation."""
    scores = dict(scores or {})
    skipped = set(na) | set(omit)
    evaluations = [TaskScore(t.id, scores.get(t.id, t.points)) for t in tasks if t.id not in skipped]
    return UnitInput(
        unit_id,
        evaluations,
        [NotApplicable(task_id, "不涉及") for task_id in na],
        tuple(bonuses),
        tuple(deductions),
        frozenset(flags),
    )


def losing(unit_id: int, points_lost: Decimal, **kwargs: object) -> UnitInput:
    """A county unit that loses ``points_lost`` (≤ 34) on tasks 801 (18 分), then 501 (16 分), full marks elsewhere."""
    on_801 = min(points_lost, D(18))
    scores = {801: D(18) - on_801, 501: D(16) - (points_lost - on_801)}
    return unit(unit_id, COUNTY_TASKS, scores, **kwargs)
