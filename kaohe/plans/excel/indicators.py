"""Reading an indicator table (附件3/4/5 layouts) from a worksheet grid."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from kaohe.plans.constants import EVENT_LABEL_MAX, Adjustment, Method

from .cells import (
    adjustment_of,
    counts_next_year,
    free_text,
    is_adjustment_level2,
    normalise_desk,
    parse_deadline,
    parse_level_label,
    parse_method,
    parse_points_cell,
)
from .headers import INDICATOR_LABELS, INDICATOR_SYNONYMS, Header, is_header_text, title_above
from .rules import parse_rules
from .text import (
    PointsResult,
    cell_text,
    clean_name,
    format_points,
    norm_header,
    split_stated_points,
    squash,
    strip_ordinal,
)
from .types import ERROR, WARNING, IndicatorTable, Level1Row, Level2Row, Problem, TaskRow
from .workbook import Grid, column_letter

CONTENT_FIELDS = ("method", "points", "deadline", "requirement", "materials")
TOTAL_WORDS = ("合计", "总计", "小计", "总分")
IGNORED_FIELDS = ("points", "seq", "note")
CENT = Decimal("0.01")

# Group rows of tables without 一级/二级 columns: "一、依法行政制度建设（20分）", "（一）…", "加分项", "减分项（最多扣10分）".
_LEVEL1_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
_LEVEL2_HEADING = re.compile(r"^\s*[(（]\s*[一二三四五六七八九十]+\s*[)）]")
_BONUS_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．])?\s*(?:加分项|加分项目|加分事项|附加分|奖励加分|加分)")
_DEDUCTION_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．])?\s*(?:减分项|扣分项|减分项目|扣分项目|减分事项|扣分事项|减分|扣分|一票否决)"
)
_BOTH_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．])?\s*加减分|^\s*加分和减分|^\s*加扣分")


@dataclass
class _Group:
    """A points cell merged down over several task rows: the total of those tasks, never each one's."""

    value: Decimal
    row: int
    tasks: list[TaskRow] = field(default_factory=list)


def section_adjustment(text: str) -> str | None:
    """The Adjustment of a 加分项/减分项 heading ("" for 加减分项, tasks then decide by name), None otherwise."""
    if _BOTH_HEADING.match(text):
        return ""
    if _BONUS_HEADING.match(text):
        return Adjustment.BONUS.value
    if _DEDUCTION_HEADING.match(text):
        return Adjustment.DEDUCTION.value
    return None


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
    def __init__(self, grid: Grid, header: Header, *, distribute: bool = False) -> None:
        self.distribute = distribute
        self._section1: Level1Row | None = None  # from group rows ("一、…") when no level column says
        self._section2: Level2Row | None = None
        self._groups: dict[tuple[int, int], _Group] = {}
        self._undistributed: list[dict[str, Any]] = []
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
        self._adjustment_sections: set[int] = set()  # id() of 加分项/减分项 一级 sections
        self._offered: set[int] = set()  # id() of 一级 whose points were offered for distribution

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
            undistributed=self._undistributed,
        )

    # -- sheet level ------------------------------------------------------------------------

    def _column_warnings(self) -> None:
        for name, column in self.header.duplicates:
            message = f"表头中有多个“{INDICATOR_LABELS[name]}”列，只使用第一个"
            self.problems.at(WARNING, "header_duplicate", message, self.header.row, column)
        if "level1" not in self.columns and "level2" in self.columns:
            message = "表格没有“一级指标”列，每个二级指标同时作为一级指标导入"
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
        if "task" in matches and len(matches) >= 2:
            return True
        same = [
            name
            for name, column in self.columns.items()
            if self._text(row, name)
            and norm_header(self._text(row, name)) == norm_header(cell_text(self.grid.get(self.header.row, column)))
        ]
        return "task" in same and len(same) >= 2

    def _text(self, row: int, name: str) -> str:
        return cell_text(self._raw(row, name))

    def _read_row(self, row: int) -> None:
        state = _RowState(row)
        self._formulas(state)
        if self.grid.row_is_empty(row) or self._is_total_row(row):
            return
        if self._section_row(state):
            return
        task_name = free_text(self._raw(row, "task"))
        if "task" in state.bad or self._is_repeated_header(row):
            return  # a formula in the task cell, or the header repeated on a later page
        if not task_name and self._in_adjustment_section():
            task_name = self._item_in_level_column(row)
            if task_name:
                self._add_task(state, self._section_level2_or_fail(), task_name)
                return
        if not task_name:
            if any(self._raw(row, name) is not None for name in CONTENT_FIELDS):
                self.problems.row(ERROR, "task_missing", "缺少工作任务", row, "task")
            return
        level2 = self._level2_for(state)
        if level2 is not None:
            self._add_task(state, level2, task_name)

    # -- group rows ---------------------------------------------------------------------------

    def _row_texts(self, row: int) -> tuple[list[str], int]:
        """Distinct texts of a row's cells outside the points/序号/备注 columns, and the column of the first."""
        skip = {self.columns[name] for name in IGNORED_FIELDS if name in self.columns}
        texts: list[str] = []
        first = 0
        for column in range(1, self.grid.max_column + 1):
            if column in skip:
                continue
            text = cell_text(self.grid.get(row, column))
            if text and text not in texts:
                texts.append(text)
                first = first or column
        return texts, first

    def _section_row(self, state: _RowState) -> bool:
        """A heading row across the table ("一、…（20分）", "（一）…", "加分项"): it opens a group, holds no task."""
        texts, column = self._row_texts(state.row)
        if len(texts) != 1:
            return False
        text = texts[0]
        adjustment = section_adjustment(text)
        if adjustment is None and not (_LEVEL1_HEADING.match(text) or _LEVEL2_HEADING.match(text)):
            return False
        if column == self.columns.get("task") and self._looks_like_task_heading(text):
            return False
        label, points = self._section_label(state, text)
        if not label:
            return False
        if adjustment is None and _LEVEL2_HEADING.match(text) and self._section1 is not None:
            level2 = Level2Row(name=label, points=None, tasks=[], row=state.row)
            self._section1.children.append(level2)
            self._section2 = level2
            self._level2_by_key[(self._section1.name, label)] = level2
            self._merge_points(level2, points, state, "points", "二级指标")
            return True
        level1 = Level1Row(name=label, points=None, children=[], row=state.row, adjustment=adjustment or "")
        if adjustment is not None:
            level1.adjustment = adjustment or Adjustment.NONE.value
            self._adjustment_sections.add(id(level1))
        self.level1.append(level1)
        self._level1_by_name.setdefault(label, level1)
        self._section1, self._section2, self._current = level1, None, level1
        if adjustment is None:
            self._merge_points(level1, points, state, "points", "一级指标")
        return True

    def _looks_like_task_heading(self, text: str) -> bool:
        """ "（一）…" alone in the task column under a 一级 column is a task, unless it carries points of a group."""
        return "level1" in self.columns and _LEVEL2_HEADING.match(text) is not None and section_adjustment(text) is None

    def _in_adjustment_section(self) -> bool:
        return self._section1 is not None and id(self._section1) in self._adjustment_sections

    def _item_in_level_column(self, row: int) -> str:
        """A 加分项/减分项 item written in the 考核项目 column (the task column left empty)."""
        for name in ("level2", "level1"):
            text = free_text(self._raw(row, name))
            if text and section_adjustment(text) is None:
                return text
        return ""

    def _section_level2_or_fail(self) -> Level2Row:
        level2 = self._section_level2()
        if level2 is None:  # pragma: no cover - only called inside a section
            raise RuntimeError("no section")
        return level2

    def _section_label(self, state: _RowState, text: str) -> tuple[str, PointsResult | None]:
        label = parse_level_label(text)
        points = label.points
        name = label.name
        if section_adjustment(text) is not None:
            return clean_heading(text), None  # "加分项（最高加5分）": a cap, not points of the 100
        if points is None and "points" in self.columns:
            origin = self.grid.origin(state.row, self.columns["points"])
            if origin == (state.row, self.columns["points"]):
                points = parse_points_cell(self._raw(state.row, "points"))
        if points is not None and points.error_code:
            self.problems.cell(ERROR, points.error_code, points.error_message, state.row, "points")
        return name, points

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
            section = self._section_level2()
            if section is not None:
                return section
            message = "工作任务缺少一级指标和二级指标"
            if first not in self.columns:
                message = "工作任务缺少一级指标：表格既没有“一级指标”列，也没有“一、……”这样的分组行"
            self.problems.row(ERROR, "level_missing", message, row, first)
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
        level2 = self._level2(state, level1, text2, second)
        if level2 is not None and "level2" not in self.columns and first == "level1":
            level2.implicit = True
        return level2

    def _section_level2(self) -> Level2Row | None:
        """The group a task row without level cells belongs to: the last "（一）…" row, else its "一、…" row."""
        if self._section2 is not None:
            return self._section2
        level1 = self._section1
        if level1 is None:
            return None
        for child in level1.children:
            if child.implicit:
                return child
        level2 = Level2Row(name=level1.name, points=None, tasks=[], row=level1.row, implicit=True)
        level1.children.append(level2)
        return level2

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
            adjustment = section_adjustment(text)
            if adjustment is not None:
                level1.adjustment = adjustment
                self._adjustment_sections.add(id(level1))
                points = None
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
        points, group = self._points(state)
        requirement = free_text(self._raw(row, "requirement"))
        if points is None and group is None and "points" not in state.bad:
            task_name, requirement, points = self._points_in_text(state, task_name, requirement)
        task = TaskRow(
            name=task_name,
            method=method,
            materials=materials,
            points=points,
            deadline=self._deadline(state),
            requirement=requirement,
            assessor=normalise_desk(self._raw(row, "assessor")),
            adjustment=Adjustment.NONE.value,
            counts_next_year=counts_next_year(task_name, requirement),
            row=row,
            event_label=self._event_label(row, method, materials),
        )
        if group is not None:
            group.tasks.append(task)
        elif points is None and "points" not in state.bad:
            self._unpointed.add(id(task))
        self._check_duplicate(level2, task)
        level2.tasks.append(task)

    def _points_in_text(self, state: _RowState, name: str, requirement: str) -> tuple[str, str, Decimal | None]:
        """Points written at the end of the task ("…按时报送并公开。2分", "…（1.5分）") or of its standard."""
        for field_name, text in (("task", name), ("requirement", requirement)):
            if not text or field_name not in self.columns:
                continue
            split = split_stated_points(text)
            if split.points is None:
                continue
            if split.points.error_code:
                self.problems.cell(ERROR, split.points.error_code, split.points.error_message, state.row, field_name)
                state.bad.add("points")
                return name, requirement, None
            if field_name == "task" and split.text:
                return split.text, requirement, split.points.value
            if field_name == "requirement":
                return name, split.text or requirement, split.points.value
        return name, requirement, None

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

    def _event_label(self, row: int, method: str, materials: str) -> str:
        """The 触发事件 of an event-driven task; only a task that takes materials can be one (else a warning)."""
        label = free_text(self._raw(row, "event")) if "event" in self.columns else ""
        if not label:
            return ""
        if len(label) > EVENT_LABEL_MAX:
            self.problems.cell(ERROR, "event_too_long", f"触发事件不能超过{EVENT_LABEL_MAX}个字：“{label[:20]}…”", row, "event")
            return ""
        if not (method == Method.SUBMISSION or (method == Method.OTHER and materials)):
            message = f"触发事件“{label}”只适用于需要报送资料的工作任务，未导入"
            self.problems.cell(WARNING, "event_not_evidence", message, row, "event")
            return ""
        return label

    def _points(self, state: _RowState) -> tuple[Decimal | None, _Group | None]:
        """From the 分值 column, else from the end of the 考核方式 text; a merged cell is a group's total."""
        if "points" in state.bad:
            return None, None
        result: PointsResult | None = None
        source = "points"
        if "points" in self.columns:
            result = parse_points_cell(self._raw(state.row, "points"))
        if result is None:
            if "method" in state.bad:
                state.bad.add("points")  # the 考核方式 cell (holding the points) was a formula
                return None, None
            result = parse_method(free_text(self._raw(state.row, "method"))).points
            source = "method"
        if result is None:
            return None, None
        if result.error_code:
            self.problems.cell(ERROR, result.error_code, result.error_message, state.row, source)
            state.bad.add("points")
            return None, None
        if source == "points" and result.value is not None:
            group = self._merged_group(state.row, result.value)
            if group is not None:
                return None, group
        return result.value, None

    def _merged_group(self, row: int, value: Decimal) -> _Group | None:
        """The group of a points cell merged over several rows (None for a cell of its own)."""
        column = self.columns["points"]
        origin = self.grid.origin(row, column)
        group = self._groups.get(origin)
        if group is not None:
            return group
        below = origin[0] + 1
        if self.grid.origin(below, column) != origin and origin[0] == row:
            return None
        group = _Group(value=value, row=origin[0])
        self._groups[origin] = group
        return group

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
        if not any(level1.children for level1 in self.level1) and not self.problems.has_errors:
            message = "表头下方没有任何工作任务"
            self.problems.row(ERROR, "no_tasks", message, self.header.row + 1, "")
        self.level1 = [level1 for level1 in self.level1 if level1.children or level1.points is not None]
        for level1 in self.level1:
            level1.children = [child for child in level1.children if child.tasks or not child.implicit]
        self._place_groups()
        first, _ = self._level_fields()
        if "level2" not in self.columns and "level1" in self.columns and self._has_implicit():
            message = "表格没有“二级指标”列，每个一级指标同时作为二级指标导入"
            self.problems.row(WARNING, "level_column_missing", message, None, "")
        for level1 in self.level1:
            adjustment = id(level1) in self._adjustment_sections
            if level1.points is None and id(level1) not in self._bad_levels and not adjustment:
                message = f"一级指标“{level1.name}”未写分值"
                self.problems.row(WARNING, "level1_points_missing", message, level1.row, first)
            for level2 in level1.children:
                self._finish_level2(level2, level1)
        self._read_rules()

    def _has_implicit(self) -> bool:
        return any(child.implicit for level1 in self.level1 for child in level1.children)

    def _place_groups(self) -> None:
        """Each merged points cell is the total of the smallest level holding exactly its tasks."""
        for group in self._groups.values():
            ids = {id(task) for task in group.tasks}
            level = self._level_of(ids)
            if level is None:
                names = "、".join(f"“{short(t.name, 12)}”" for t in group.tasks[:3])
                message = (
                    f"分值单元格合并了{len(group.tasks)}项工作任务（{names}等），共{format_points(group.value)}分，"
                    "但这些任务不构成一个完整的一级或二级指标，无法判断各自分值，请在表格中逐项填写"
                )
                self.problems.row(WARNING, "points_group_partial", message, group.row, "points")
                continue
            kind = "一级指标" if isinstance(level, Level1Row) else "二级指标"
            state = _RowState(group.row)
            self._merge_points(level, PointsResult(group.value), state, "points", kind)
            self._offer_distribution(level, group.tasks, kind)

    def _level_of(self, ids: set[int]) -> Level | None:
        for level1 in self.level1:
            for level2 in level1.children:
                if {id(t) for t in level2.tasks} == ids and not level2.implicit:
                    return level2
            if {id(t) for _, t in _level1_tasks(level1)} == ids:
                return level1
        return None

    def _offer_distribution(self, level: Level, tasks: list[TaskRow], kind: str) -> None:
        """Tasks under a group total: even shares when the office chose so, else left without points."""
        if level.points is None or not tasks:
            return
        if len(tasks) == 1:
            tasks[0].points = level.points
            return
        if self.distribute:
            for task, share in zip(tasks, even_shares(level.points, len(tasks)), strict=True):
                task.points = share
                task.distributed = True
            return
        self._undistributed.append({"name": level.name, "kind": kind, "points": str(level.points), "tasks": len(tasks)})
        message = (
            f"{kind}“{level.name}”的{format_points(level.points)}分是其{len(tasks)}项工作任务的合计，各任务未单独写分值；"
            "可在预览中选择平均分配，或导入后在指标体系中逐项填写"
        )
        self.problems.row(WARNING, "points_group_only", message, level.row, "points")

    def _finish_level2(self, level2: Level2Row, level1: Level1Row) -> None:
        _, second = self._level_fields()
        section = id(level1) in self._adjustment_sections
        adjustment = is_adjustment_level2(level2.name) or section
        quiet = adjustment or level2.implicit or id(level2) in self._bad_levels
        if level2.points is None and not quiet:
            message = f"二级指标“{level2.name}”未写分值"
            self.problems.row(WARNING, "level2_points_missing", message, level2.row, second)
        points_field = "points" if "points" in self.columns else "method"
        for task in level2.tasks:
            if section and level1.adjustment:
                task.adjustment = level1.adjustment
            elif adjustment:
                self._mark_adjustment(task)
            if id(task) not in self._unpointed:
                continue
            if len(level2.tasks) == 1 and level2.points is not None:
                task.points = level2.points  # 附件4: the 二级 points are the task's points
                continue
            if task.adjustment:
                continue  # a bonus/deduction item without a fixed value: the rules or the office decide
            message = f"工作任务“{short(task.name)}”未写分值"
            self.problems.row(WARNING, "points_missing", message, task.row, points_field)
        if level2.implicit and not level2.tasks:
            return
        self._level1_only_points(level1, level2)

    def _level1_only_points(self, level1: Level1Row, level2: Level2Row) -> None:
        """A two-level table with points only on the 一级 rows: offer to share them out (once per 一级)."""
        if not level2.implicit or level1.points is None or id(level1) in self._offered:
            return
        self._offered.add(id(level1))
        tasks = [t for _, t in _level1_tasks(level1)]
        if tasks and all(t.points is None and id(t) in self._unpointed for t in tasks):
            for task in tasks:
                self._unpointed.discard(id(task))
            self._drop_missing_warnings(tasks)
            self._offer_distribution(level1, tasks, "一级指标")

    def _drop_missing_warnings(self, tasks: list[TaskRow]) -> None:
        rows = {t.row for t in tasks}
        self.problems.items = [p for p in self.problems.items if not (p.code == "points_missing" and p.row in rows)]

    def _read_rules(self) -> None:
        for level1 in self.level1:
            for _, task in _level1_tasks(level1):
                parsed = parse_rules(task.requirement, task.points)
                task.rules = parsed.rules

    def _mark_adjustment(self, task: TaskRow) -> None:
        task.adjustment = adjustment_of(task.name)
        if task.adjustment == Adjustment.NONE.value:
            message = f"加减分项下的“{short(task.name)}”看不出是加分还是扣分，已按普通任务导入"
            self.problems.row(WARNING, "adjustment_unknown", message, task.row, "task")


def _level1_tasks(level1: Level1Row) -> list[tuple[Level2Row, TaskRow]]:
    return [(level2, task) for level2 in level1.children for task in level2.tasks]


def even_shares(total: Decimal, count: int) -> list[Decimal]:
    """``total`` split into ``count`` shares of 2 decimal places: equal shares rounded down, the remainder to the last.

    10 over 3 → 3.33, 3.33, 3.34: the shares always add up to the total exactly.
    """
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    return [share] * (count - 1) + [total - share * (count - 1)]


def clean_heading(text: str) -> str:
    return clean_name(strip_ordinal(clean_name(text)))


def short(text: str, limit: int = 30) -> str:
    flat = squash(text)
    return flat if len(flat) <= limit else flat[:limit] + "…"
