"""Choosing the worksheet to import and reporting sheet-level problems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .headers import Header, find_header, missing_labels
from .types import ERROR, WARNING, Problem
from .workbook import Grid

RequiredGroups = list[tuple[str, ...]]


@dataclass
class SheetChoice:
    grid: Grid | None
    header: Header | None
    problems: list[Problem] = field(default_factory=list)


def _satisfies(found: set[str], required: RequiredGroups, minimum: int) -> bool:
    return len(found) >= minimum and all(found.intersection(group) for group in required)


def choose_sheet(
    grids: list[Grid],
    synonyms: Mapping[str, tuple[str, ...]],
    labels: Mapping[str, str],
    required: RequiredGroups,
    minimum: int,
) -> SheetChoice:
    """Pick the first worksheet with a valid header; warn about other sheets that have one too."""

    def is_valid(found: set[str]) -> bool:
        return _satisfies(found, required, minimum)

    chosen: SheetChoice | None = None
    ignored: list[str] = []
    best_partial: set[str] = set()
    for grid in grids:
        header, partial = find_header(grid, synonyms, is_valid)
        if partial is not None and len(partial.columns) > len(best_partial):
            best_partial = set(partial.columns)
        if header is None:
            continue
        if chosen is None:
            chosen = SheetChoice(grid, header)
        else:
            ignored.append(grid.title)
    if chosen is None:
        return SheetChoice(None, None, [header_missing(grids, best_partial, required, labels)])
    if ignored:
        names = "、".join(f"“{name}”" for name in ignored)
        chosen.problems.append(
            Problem(
                WARNING,
                "extra_sheets_ignored",
                f"只导入了工作表“{chosen.grid.title if chosen.grid else ''}”，工作表{names}也有表头，已忽略",
            )
        )
    return chosen


def header_missing(grids: list[Grid], found: set[str], required: RequiredGroups, labels: Mapping[str, str]) -> Problem:
    needed = missing_labels(required, found, labels) or missing_labels(required, set(), labels)
    sheet = grids[0].title if len(grids) == 1 else ""
    if not any(grid.values for grid in grids):
        message = f"未找到表头：表格中没有文字内容（图片或扫描件无法导入），需要{needed}等列"
    else:
        message = f"未找到表头：需要{needed}等列（请把表头放在前20行内）"
    return Problem(ERROR, "header_missing", message, sheet=sheet)
