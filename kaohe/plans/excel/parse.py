"""Public entry points of the Excel import. They never raise on bad input: every finding is a Problem."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TypeVar

from .headers import (
    ASSESSOR_SYNONYMS,
    COLUMN_ROLES,
    INDICATOR_LABELS,
    INDICATOR_SYNONYMS,
    UNIT_SYNONYMS,
    Header,
    apply_roles,
    find_header,
    read_by_content,
)
from .indicators import IndicatorReader
from .registers import (
    ASSESSOR_LABELS,
    ASSESSOR_REQUIRED,
    UNIT_LABELS,
    UNIT_REQUIRED,
    read_desks,
    read_units,
)
from .sheets import choose_sheet, header_missing
from .text import cell_text
from .types import ERROR, WARNING, DeskTable, IndicatorTable, Problem, UnitTable
from .workbook import DEFAULT_MAX_BYTES, Grid, column_letter, load

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _guarded(
    parse: Callable[[bytes | BinaryIO, int], T], empty: Callable[[list[Problem]], T]
) -> Callable[[bytes | BinaryIO, int], T]:
    """Safety net for the "never raises" contract: an unexpected failure becomes an error Problem."""

    def run(data: bytes | BinaryIO, max_bytes: int) -> T:
        try:
            return parse(data, max_bytes)
        except Exception as exc:
            logger.exception("Excel import failed unexpectedly")
            message = f"读取表格时出现意外错误（{type(exc).__name__}），请检查文件或联系管理员"
            return empty([Problem("error", "unexpected", message)])

    return run


INDICATOR_REQUIRED: list[tuple[str, ...]] = [("task",), ("level1", "level2", "points", "requirement", "method")]
IGNORED_ROLES = {"note", "seq"}
_PROSE_POINTS = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[)）]")
_PROSE_ORDINAL = re.compile(r"[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d+[.．、]")

PROSE_MESSAGE = (
    "这份文件是成段的文字（如“（一）……（22分）1.……（5分）”），不是表格，无法逐项识别。"
    "请把指标整理成表格后再导入：每行一项工作任务，列出一级指标（或考核项目）、工作任务（或考核内容）、分值，"
    "评分标准可放在单独一列；可在 WPS/Word 中用“文本转换成表格”，或复制到 Excel 中整理。"
)


@dataclass
class IndicatorOptions:
    """The office's choices on the preview: sheets to import, each column's role, even shares of group totals."""

    sheets: list[str] | None = None  # titles of the sheets (or .docx tables) to import; None: the first with a header
    # sheet ("*" = every sheet) -> column letter -> role ("" = not imported)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    distribute: bool = False

    @classmethod
    def from_json(cls, data: Any) -> IndicatorOptions:
        """From the JSON stored on the PlanImport; anything malformed is dropped, never trusted."""
        if not isinstance(data, dict):
            return cls()
        sheets = data.get("sheets")
        sheet_list = [str(s) for s in sheets if isinstance(s, str)] if isinstance(sheets, list) else None
        columns: dict[str, dict[str, str]] = {}
        raw_columns = data.get("columns")
        if isinstance(raw_columns, dict):
            for sheet, roles in raw_columns.items():
                if isinstance(sheet, str) and isinstance(roles, dict):
                    columns[sheet] = {
                        str(letter): role
                        for letter, role in roles.items()
                        if isinstance(role, str) and (role in COLUMN_ROLES or role == "")
                    }
        return cls(sheets=sheet_list or None, columns=columns, distribute=data.get("distribute") is True)

    def to_json(self) -> dict[str, Any]:
        return {"sheets": self.sheets, "columns": self.columns, "distribute": self.distribute}


def _valid_indicator_header(found: set[str]) -> bool:
    return "task" in found and len(found - IGNORED_ROLES) >= 2


def looks_like_prose(texts: list[str]) -> bool:
    """Numbered paragraphs with bracketed points ("（一）…（22分）1.…（5分）"): a document, not a table."""
    joined = "\n".join(texts)
    return len(_PROSE_POINTS.findall(joined)) >= 2 and bool(_PROSE_ORDINAL.search(joined))


def _empty(problems: list[Problem], sheet: str = "") -> IndicatorTable:
    return IndicatorTable(title="", level1=[], sheet=sheet, problems=problems)


def _indicators(data: bytes | BinaryIO, max_bytes: int, options: IndicatorOptions) -> IndicatorTable:
    loaded = load(data, max_bytes, allow_docx=True)
    if loaded.problems:
        return _empty(loaded.problems)
    if not loaded.grids:
        if looks_like_prose(loaded.paragraphs):
            return _empty([Problem(ERROR, "prose", PROSE_MESSAGE)])
        return _empty([Problem(ERROR, "no_table", "Word 文档中没有表格，请把指标整理成表格后再导入")])
    headers: list[tuple[Grid, Header | None]] = []
    best_partial: set[str] = set()
    for grid in loaded.grids:
        header, partial = find_header(grid, INDICATOR_SYNONYMS, _valid_indicator_header)
        if partial is not None and len(partial.columns) > len(best_partial):
            best_partial = set(partial.columns)
        headers.append((grid, header))
    with_header = [(grid, header) for grid, header in headers if header is not None]
    if not with_header:
        texts = [cell_text(v) for grid in loaded.grids for v in grid.values.values()]
        if looks_like_prose(texts):
            return _empty([Problem(ERROR, "prose", PROSE_MESSAGE)])
        return _empty([header_missing(loaded.grids, best_partial, INDICATOR_REQUIRED, INDICATOR_LABELS)])
    problems: list[Problem] = []
    chosen = _chosen_sheets(with_header, options, problems)
    tables: list[IndicatorTable] = []
    reading: list[dict[str, str]] = []
    for grid, header in chosen:
        read_by_content(grid, header)
        apply_roles(header, {**options.columns.get("*", {}), **options.columns.get(grid.title, {})})
        reading += _column_reading(grid, header)
        if "task" not in header.columns:
            message = f"工作表“{grid.title}”没有按“工作任务”读取的列，请在预览中指定哪一列是工作任务"
            problems.append(Problem(ERROR, "task_column_missing", message, grid.title))
            continue
        table = IndicatorReader(grid, header, distribute=options.distribute).read()
        table.title = table.title or loaded.captions.get(grid.title, "")
        tables.append(table)
    result = _join(tables) if tables else _empty([])
    result.problems = [*problems, *result.problems]
    result.column_reading = reading
    titles = {grid.title for grid, _ in chosen}
    result.sheet_choices = [
        {"title": grid.title, "has_header": header is not None, "chosen": grid.title in titles} for grid, header in headers
    ]
    return result


def _chosen_sheets(
    with_header: list[tuple[Grid, Header]], options: IndicatorOptions, problems: list[Problem]
) -> list[tuple[Grid, Header]]:
    if options.sheets:
        chosen = [(grid, header) for grid, header in with_header if grid.title in options.sheets]
        if chosen:
            return chosen
        problems.append(Problem(WARNING, "sheets_not_found", "所选工作表中没有可导入的表头，已改为导入第一个有表头的工作表"))
    first = with_header[0]
    ignored = [grid.title for grid, _ in with_header[1:]]
    if ignored:
        names = "、".join(f"“{name}”" for name in ignored)
        message = f"只导入了工作表“{first[0].title}”，工作表{names}也有表头，已忽略（可在预览中选择要导入的工作表）"
        problems.append(Problem(WARNING, "extra_sheets_ignored", message))
    return [first]


def _column_reading(grid: Grid, header: Header) -> list[dict[str, str]]:
    roles = {column: name for name, column in header.columns.items()}
    rows: list[dict[str, str]] = []
    for column in range(1, grid.max_column + 1):
        text = cell_text(grid.get(header.row, column))
        above = cell_text(grid.get(header.row - 1, column)) if header.row > 1 else ""
        if above and above != text and grid.origin(header.row - 1, column)[0] >= header.row - 1 and not text:
            text = above
        role = roles.get(column, "")
        if not text and not role and column not in header.how:
            continue
        rows.append(
            {
                "sheet": grid.title,
                "letter": column_letter(column),
                "header": text,
                "role": role,
                "how": header.how.get(column, ""),
            }
        )
    return rows


def _join(tables: list[IndicatorTable]) -> IndicatorTable:
    """Several sheets (or .docx tables) read as one indicator table, in order."""
    first = tables[0]
    for other in tables[1:]:
        first.level1 += other.level1
        first.problems += other.problems
        first.undistributed += other.undistributed
    return first


def _units(data: bytes | BinaryIO, max_bytes: int) -> UnitTable:
    loaded = load(data, max_bytes)
    if loaded.problems:
        return UnitTable(units=[], problems=loaded.problems)
    choice = choose_sheet(loaded.grids, UNIT_SYNONYMS, UNIT_LABELS, UNIT_REQUIRED, minimum=2)
    if choice.grid is None or choice.header is None:
        return UnitTable(units=[], problems=choice.problems)
    table = read_units(choice.grid, choice.header)
    table.problems = [*choice.problems, *table.problems]
    return table


def _desks(data: bytes | BinaryIO, max_bytes: int) -> DeskTable:
    loaded = load(data, max_bytes)
    if loaded.problems:
        return DeskTable(desks=[], problems=loaded.problems)
    choice = choose_sheet(loaded.grids, ASSESSOR_SYNONYMS, ASSESSOR_LABELS, ASSESSOR_REQUIRED, minimum=2)
    if choice.grid is None or choice.header is None:
        return DeskTable(desks=[], problems=choice.problems)
    table = read_desks(choice.grid, choice.header)
    table.problems = [*choice.problems, *table.problems]
    return table


def parse_indicator_workbook(
    data: bytes | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES, options: IndicatorOptions | None = None
) -> IndicatorTable:
    """Read an indicator table (附件3/5 or 附件4 layout, or another office's) from an .xlsx or .docx upload."""
    chosen = options or IndicatorOptions()

    def parse(upload: bytes | BinaryIO, limit: int) -> IndicatorTable:
        return _indicators(upload, limit, chosen)

    run = _guarded(parse, lambda problems: IndicatorTable(title="", level1=[], problems=problems))
    return run(data, max_bytes)


def parse_unit_workbook(data: bytes | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> UnitTable:
    """Read the list of assessed units: 单位名称 + 类别 (+ optional 排序/排序码)."""
    run = _guarded(_units, lambda problems: UnitTable(units=[], problems=problems))
    return run(data, max_bytes)


def parse_desk_workbook(data: bytes | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> DeskTable:
    """Read the assessor contact list in the 附件2 layout."""
    run = _guarded(_desks, lambda problems: DeskTable(desks=[], problems=problems))
    return run(data, max_bytes)
