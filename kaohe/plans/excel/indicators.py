"""Reading an indicator table (附件3/4/5 layouts) from a worksheet grid."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kaohe.plans.constants import Adjustment

from .cells import (
    adjustment_of,
    counts_next_year,
    free_text,
    is_adjustment_level2,
    normalise_assessor,
    parse_deadline,
    parse_level_label,
    parse_method,
    parse_points_cell,
)
from .headers import INDICATOR_LABELS, INDICATOR_SYNONYMS, Header, is_header_text, title_above
from .text import PointsResult, cell_text, format_points, squash
from .types import ERROR, WARNING, IndicatorTable, Level1Row, Level2Row, Problem, TaskRow
from .workbook import Grid, column_letter

CONTENT_FIELDS = ("method", "points", "deadline", "requirement", "materials")
TOTAL_WORDS = ("合计", "总计", "小计", "总分")

Level = Level1Row | Level2Row


@dataclass
class _RowState:
    """Per-row bookkeeping: the fields whose cell already produced an error."""

    row: int
    bad: set[str] = field(default_factory=set)


class _Problems:
    """Collects problems; a value error in a merged cell is reported once, at its top-left cell."""

    def __init__(self, grid: Grid, columns: dict[str, int]) -> None:
        self.grid = grid
        self.columns = columns
        self.items: list[Problem] = []
        self._seen: set[tuple[str, int | None, int, str]] = set()

    def cell(self, severity: str, code: str, message: str, row: int | None, name: str) -> None:
        """A problem about the value of a cell (merged cells point at their origin)."""
        column = self.columns.get(name, 0)
        if row is not None and column:
            row, column = self.grid.origin(row, column)
        self._add(severity, code, message, row, column)

    def row(self, severity: str, code: str, message: str, row: int | None, name: str) -> None:
        """A problem about a whole task or level row (kept on that row)."""
        self._add(severity, code, message, row, self.columns.get(name, 0))

    def at(self, severity: str, code: str, message: str, row: int, column: int) -> None:
        self._add(severity, code, message, row, column)

    def _add(self, severity: str, code: str, message: str, row: int | None, column: int) -> None:
        key = (code, row, column, message)
        if key in self._seen:
            return
        self._seen.add(key)
        letter = column_letter(column) if column else ""
        self.items.append(Problem(severity, code, message, self.grid.title, row, letter))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.items)


class IndicatorReader:
    def __init__(self, grid: Grid, header: Header) -> None:
        self.grid = grid
        self.header = header
        self.columns = header.columns
        self.problems = _Problems(grid, header.columns)
        self.level1: list[Level1Row] = []
        self._level1_by_name: dict[str, Level1Row] = {}
        self._level2_by_key: dict[tuple[str, str], Level2Row] = {}
        self._current: Level1Row | None = None
        self._task_keys: dict[tuple[str, str, str, str, str], int] = {}
        self._unpointed: set[int] = set()  # id() of tasks without points and without a bad cell
        self._bad_levels: set[int] = set()  # id() of levels whose points text was an error

    def read(self) -> IndicatorTable:
        self._column_warnings()
        for row in range(self.header.row + 1, self.grid.max_row + 1):
            self._read_row(row)
        self._finish()
        problems = sorted(self.problems.items, key=lambda p: (p.row is not None, p.row or 0))
        return IndicatorTable(
            title=title_above(self.grid, self.header.row),
            level1=self.level1,
            sheet=self.grid.title,
            columns={name: column_letter(col) for name, col in self.columns.items()},
            problems=problems,
        )

    # -- sheet level ------------------------------------------------------------------------

    def _column_warnings(self) -> None:
        for name, column in self.header.duplicates:
            message = f"表头中有多个“{INDICATOR_LABELS[name]}”列，只使用第一个"
            self.problems.at(WARNING, "header_duplicate", message, self.header.row, column)
        if "level1" not in self.columns:
            message = "表格没有“一级指标”列，每个二级指标同时作为一级指标导入"
            self.problems.row(WARNING, "level_column_missing", message, None, "")
        elif "level2" not in self.columns:
            message = "表格没有“二级指标”列，每个一级指标同时作为二级指标导入"
            self.problems.row(WARNING, "level_column_missing", message, None, "")
        if "method" not in self.columns:
            message = "表格没有“考核方式”列，考核方式均按“其他”导入"
            self.problems.row(WARNING, "method_column_missing", message, None, "")

    # -- rows -------------------------------------------------------------------------------

    def _raw(self, row: int, name: str) -> Any:
        column = self.columns.get(name)
        return self.grid.get(row, column) if column else None

    def _formulas(self, state: _RowState) -> None:
        by_column = {column: name for name, column in self.columns.items()}
        for column in range(1, self.grid.max_column + 1):
            if (state.row, column) in self.grid.formulas:
                self.problems.at(ERROR, "formula", "含公式，请粘贴为数值", state.row, column)
                if column in by_column:
                    state.bad.add(by_column[column])

    def _is_total_row(self, row: int) -> bool:
        for column in sorted(self.columns.values()):
            text = squash(cell_text(self.grid.get(row, column)))
            if text:
                return text.startswith(TOTAL_WORDS)
        return False

    def _is_repeated_header(self, row: int) -> bool:
        """The header row again (tables copied page by page): the task and one more column match."""
        matches = [name for name in self.columns if is_header_text(self._text(row, name), INDICATOR_SYNONYMS, name)]
        return "task" in matches and len(matches) >= 2

    def _text(self, row: int, name: str) -> str:
        return cell_text(self._raw(row, name))

    def _read_row(self, row: int) -> None:
        state = _RowState(row)
        self._formulas(state)
        if self.grid.row_is_empty(row) or self._is_total_row(row):
            return
        task_name = free_text(self._raw(row, "task"))
        if "task" in state.bad or self._is_repeated_header(row):
            return  # a formula in the task cell, or the header repeated on a later page
        if not task_name:
            if any(self._raw(row, name) is not None for name in CONTENT_FIELDS):
                self.problems.row(ERROR, "task_missing", "缺少工作任务", row, "task")
            return
        level2 = self._level2_for(state)
        if level2 is not None:
            self._add_task(state, level2, task_name)

    # -- levels -----------------------------------------------------------------------------

    def _level_fields(self) -> tuple[str, str]:
        """Column fields read as 一级 and 二级 (one stands in for the other when missing)."""
        first = "level1" if "level1" in self.columns else "level2"
        second = "level2" if "level2" in self.columns else "level1"
        return first, second

    def _level2_for(self, state: _RowState) -> Level2Row | None:
        first, second = self._level_fields()
        if state.bad.intersection((first, second)):
            return None
        row = state.row
        text1 = cell_text(self._raw(row, first))
        text2 = cell_text(self._raw(row, second))
        if not text1 and not text2:
            self.problems.row(ERROR, "level_missing", "工作任务缺少一级指标和二级指标", row, first)
            return None
        if not text1:
            self.problems.row(ERROR, "level1_missing", "工作任务缺少一级指标", row, first)
            return None
        if not text2:
            self.problems.row(ERROR, "level2_missing", "工作任务缺少二级指标", row, second)
            return None
        level1 = self._level1(state, text1, first)
        if level1 is None:
            return None
        return self._level2(state, level1, text2, second)

    def _label(self, state: _RowState, text: str, name: str) -> tuple[str, PointsResult | None]:
        label = parse_level_label(text)
        if not label.name:
            kind = INDICATOR_LABELS[name]
            self.problems.cell(ERROR, f"{name}_missing", f"{kind}只有分值，没有名称", state.row, name)
            return "", None
        points = label.points
        if points is not None and points.error_code:
            self.problems.cell(ERROR, points.error_code, points.error_message, state.row, name)
        return label.name, points

    def _level1(self, state: _RowState, text: str, name: str) -> Level1Row | None:
        label, points = self._label(state, text, name)
        if not label:
            return None
        level1 = self._level1_by_name.get(label)
        if level1 is None:
            level1 = Level1Row(name=label, points=None, children=[], row=state.row)
            self._level1_by_name[label] = level1
            self.level1.append(level1)
        elif level1 is not self._current:
            message = f"一级指标“{label}”前后不连续，已合并到第{level1.row}行的同名一级指标"
            self.problems.row(WARNING, "level1_split", message, state.row, name)
        self._current = level1
        self._merge_points(level1, points, state, name, "一级指标")
        return level1

    def _level2(self, state: _RowState, level1: Level1Row, text: str, name: str) -> Level2Row | None:
        label, points = self._label(state, text, name)
        if not label:
            return None
        level2 = self._level2_by_key.get((level1.name, label))
        if level2 is None:
            level2 = Level2Row(name=label, points=None, tasks=[], row=state.row)
            self._level2_by_key[(level1.name, label)] = level2
            level1.children.append(level2)
        self._merge_points(level2, points, state, name, "二级指标")
        return level2

    def _merge_points(self, level: Level, points: PointsResult | None, state: _RowState, name: str, kind: str) -> None:
        if points is None:
            return
        if points.value is None:  # an invalid number, already reported
            self._bad_levels.add(id(level))
            return
        if level.points is None:
            level.points = points.value
        elif level.points != points.value:
            message = (
                f"{kind}“{level.name}”的分值前后不一致：第{level.row}行为"
                f"{format_points(level.points)}分，此处为{format_points(points.value)}分"
            )
            self.problems.cell(ERROR, "points_conflict", message, state.row, name)

    # -- tasks ------------------------------------------------------------------------------

    def _add_task(self, state: _RowState, level2: Level2Row, task_name: str) -> None:
        row = state.row
        method, materials = self._method(state)
        points = self._points(state)
        requirement = free_text(self._raw(row, "requirement"))
        task = TaskRow(
            name=task_name,
            method=method,
            materials=materials,
            points=points,
            deadline=self._deadline(state),
            requirement=requirement,
            assessor=normalise_assessor(self._raw(row, "assessor")),
            adjustment=Adjustment.NONE.value,
            counts_next_year=counts_next_year(task_name, requirement),
            row=row,
        )
        if points is None and "points" not in state.bad:
            self._unpointed.add(id(task))
        self._check_duplicate(level2, task)
        level2.tasks.append(task)

    def _method(self, state: _RowState) -> tuple[str, str]:
        row = state.row
        text = free_text(self._raw(row, "method"))
        cell = parse_method(text)
        if "method" in self.columns and "method" not in state.bad and not cell.recognised:
            message = f"考核方式无法识别：“{text}”，已按“其他”导入" if text else "未写考核方式，已按“其他”导入"
            self.problems.cell(WARNING, "method_unknown", message, row, "method")
        materials = cell.materials
        if "materials" in self.columns:
            materials = free_text(self._raw(row, "materials")) or materials
        return cell.method, materials

    def _points(self, state: _RowState) -> Decimal | None:
        """From the 分值 column, else from the end of the 考核方式 text."""
        if "points" in state.bad:
            return None
        result: PointsResult | None = None
        source = "points"
        if "points" in self.columns:
            result = parse_points_cell(self._raw(state.row, "points"))
        if result is None:
            if "method" in state.bad:
                state.bad.add("points")  # the 考核方式 cell (holding the points) was a formula
                return None
            result = parse_method(free_text(self._raw(state.row, "method"))).points
            source = "method"
        if result is None:
            return None
        if result.error_code:
            self.problems.cell(ERROR, result.error_code, result.error_message, state.row, source)
            state.bad.add("points")
        return result.value

    def _deadline(self, state: _RowState) -> Any:
        if "deadline" in state.bad:
            return None
        result = parse_deadline(self._raw(state.row, "deadline"))
        if result.error:
            self.problems.cell(ERROR, "deadline_invalid", result.error, state.row, "deadline")
        return result.value

    def _check_duplicate(self, level2: Level2Row, task: TaskRow) -> None:
        level1 = self._current.name if self._current else ""
        key = (level1, level2.name, task.name, task.method, task.materials)
        first = self._task_keys.setdefault(key, task.row or 0)
        if first != task.row:
            message = f"工作任务“{short(task.name)}”与第{first}行重复（二级指标、考核方式和报送资料都相同）"
            self.problems.row(ERROR, "duplicate_task", message, task.row, "task")

    # -- after all rows ---------------------------------------------------------------------

    def _finish(self) -> None:
        if not self.level1 and not self.problems.has_errors:
            message = "表头下方没有任何工作任务"
            self.problems.row(ERROR, "no_tasks", message, self.header.row + 1, "")
        first, _ = self._level_fields()
        for level1 in self.level1:
            if level1.points is None and id(level1) not in self._bad_levels:
                message = f"一级指标“{level1.name}”未写分值"
                self.problems.row(WARNING, "level1_points_missing", message, level1.row, first)
            for level2 in level1.children:
                self._finish_level2(level2)

    def _finish_level2(self, level2: Level2Row) -> None:
        _, second = self._level_fields()
        adjustment = is_adjustment_level2(level2.name)
        if level2.points is None and not adjustment and id(level2) not in self._bad_levels:
            message = f"二级指标“{level2.name}”未写分值"
            self.problems.row(WARNING, "level2_points_missing", message, level2.row, second)
        points_field = "points" if "points" in self.columns else "method"
        for task in level2.tasks:
            if adjustment:
                self._mark_adjustment(task)
            if id(task) not in self._unpointed:
                continue
            if len(level2.tasks) == 1 and level2.points is not None:
                task.points = level2.points  # 附件4: the 二级 points are the task's points
                continue
            message = f"工作任务“{short(task.name)}”未写分值"
            self.problems.row(WARNING, "points_missing", message, task.row, points_field)

    def _mark_adjustment(self, task: TaskRow) -> None:
        task.adjustment = adjustment_of(task.name)
        if task.adjustment == Adjustment.NONE.value:
            message = f"加减分项下的“{short(task.name)}”看不出是加分还是扣分，已按普通任务导入"
            self.problems.row(WARNING, "adjustment_unknown", message, task.row, "task")


def short(text: str, limit: int = 30) -> str:
    flat = squash(text)
    return flat if len(flat) <= limit else flat[:limit] + "…"
