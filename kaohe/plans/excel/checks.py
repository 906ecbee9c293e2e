"""Consistency checks of an indicator table's points (warnings only)."""

from __future__ import annotations

from decimal import Decimal

from kaohe.plans.constants import Adjustment

from .cells import is_adjustment_level2
from .text import format_points
from .types import WARNING, IndicatorTable, Level1Row, Level2Row, Problem, TaskRow

ZERO = Decimal(0)


def _is_adjustment(level2: Level2Row) -> bool:
    """The 加减分项 二级: by name, or because all its tasks are bonus/deduction rows."""
    if is_adjustment_level2(level2.name):
        return True
    return bool(level2.tasks) and all(t.adjustment != Adjustment.NONE for t in level2.tasks)


def _counted_tasks(level2: Level2Row) -> list[TaskRow]:
    """The tasks of this year's sums: not 加减分项 rows, not 明年考核 (assessed next year)."""
    return [t for t in level2.tasks if t.adjustment == Adjustment.NONE and not t.counts_next_year]


def _task_sum(tasks: list[TaskRow]) -> tuple[Decimal, int]:
    """Σ points (missing = 0) and the number of tasks without points."""
    total = sum((t.points for t in tasks if t.points is not None), ZERO)
    return total, sum(1 for t in tasks if t.points is None)


def _pts(value: Decimal) -> str:
    return format_points(value) + "分"


def _missing_note(missing: int) -> str:
    return f"（其中{missing}项未写分值）" if missing else ""


class _Checker:
    def __init__(self, table: IndicatorTable, full_score: Decimal) -> None:
        self.table = table
        self.full_score = full_score
        self.problems: list[Problem] = []

    def _warn(self, code: str, message: str, row: int | None, field: str) -> None:
        column = self.table.columns.get(field, "")
        self.problems.append(Problem(WARNING, code, message, self.table.sheet, row, column if row else ""))

    def run(self) -> list[Problem]:
        stated_total = ZERO
        all_stated = True
        task_total, missing_total = ZERO, 0
        for level1 in self.table.level1:
            if level1.adjustment or (level1.children and all(_is_adjustment(child) for child in level1.children)):
                continue  # a 加分项/减分项 section sits outside the stated total
            tasks, missing = self._check_level1(level1)
            task_total += tasks
            missing_total += missing
            if level1.points is None:
                all_stated = False
            else:
                stated_total += level1.points
        if self.table.level1 and all_stated and stated_total != self.full_score:
            self._warn(
                "total_mismatch",
                f"各一级指标合计{_pts(stated_total)}，满分应为{_pts(self.full_score)}",
                None,
                "",
            )
        # the task total is only news when it differs from the (already compared) stated total
        task_news = not all_stated or task_total != stated_total or missing_total > 0
        if self.table.level1 and task_total != self.full_score and task_news:
            self._warn(
                "total_mismatch",
                f"全部工作任务合计{_pts(task_total)}{_missing_note(missing_total)}，满分应为{_pts(self.full_score)}",
                None,
                "",
            )
        return sorted(self.problems, key=lambda p: (p.row is not None, p.row or 0))

    def _check_level1(self, level1: Level1Row) -> tuple[Decimal, int]:
        """Check the 一级 and its 二级; return its Σ task points and count of tasks w/o points."""
        level2_total = ZERO
        task_total, missing_total, counted = ZERO, 0, 0
        level2_stated = False
        for level2 in level1.children:
            if _is_adjustment(level2):
                continue
            counted_tasks = _counted_tasks(level2)
            tasks, missing = _task_sum(counted_tasks)
            task_total += tasks
            missing_total += missing
            counted += len(counted_tasks)
            if level2.points is None:
                level2_total += tasks
                continue
            level2_stated = True
            level2_total += level2.points
            if missing == len(counted_tasks) and missing:
                continue  # no task has points (a group total): the import's points_group_only says so
            if tasks != level2.points:
                self._warn(
                    "sum_mismatch",
                    f"二级指标“{level2.name}”写明{_pts(level2.points)}，所属工作任务合计{_pts(tasks)}{_missing_note(missing)}",
                    level2.row,
                    "level2",
                )
        if level1.points is not None and not (counted and missing_total == counted):
            self._compare_level1(level1, level1.points, level2_total, task_total, missing_total, level2_stated)
        return task_total, missing_total

    def _compare_level1(
        self,
        level1: Level1Row,
        stated: Decimal,
        level2_total: Decimal,
        task_total: Decimal,
        missing: int,
        level2_stated: bool = True,
    ) -> None:
        if level2_total != stated and level2_stated:
            self._warn(
                "sum_mismatch",
                f"一级指标“{level1.name}”写明{_pts(stated)}，所属二级指标合计{_pts(level2_total)}",
                level1.row,
                "level1",
            )
        if task_total != stated and (not level2_stated or level2_total == stated or task_total != level2_total):
            self._warn(
                "sum_mismatch",
                f"一级指标“{level1.name}”写明{_pts(stated)}，所属工作任务合计{_pts(task_total)}{_missing_note(missing)}",
                level1.row,
                "level1",
            )


def check_sums(table: IndicatorTable, *, full_score: Decimal) -> list[Problem]:
    """Σ tasks vs 二级, Σ 二级 (and Σ tasks) vs 一级, Σ 一级 and Σ tasks vs the full score.

    The 加减分项 二级 and its bonus/deduction tasks sit outside the stated totals and are excluded, and so are
    the 明年考核 tasks (assessed next year, not this year).
    """
    return _Checker(table, full_score).run()
