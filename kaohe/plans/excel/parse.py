"""Public entry points of the Excel import. They never raise on bad input: every finding is a Problem."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import BinaryIO, TypeVar

from .headers import (
    ASSESSOR_SYNONYMS,
    INDICATOR_LABELS,
    INDICATOR_SYNONYMS,
    UNIT_SYNONYMS,
)
from .indicators import IndicatorReader
from .registers import (
    ASSESSOR_LABELS,
    ASSESSOR_REQUIRED,
    UNIT_LABELS,
    UNIT_REQUIRED,
    read_assessors,
    read_units,
)
from .sheets import choose_sheet
from .types import AssessorTable, IndicatorTable, Problem, UnitTable
from .workbook import DEFAULT_MAX_BYTES, load

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


INDICATOR_REQUIRED: list[tuple[str, ...]] = [("task",), ("level1", "level2"), ("method", "points")]


def _indicators(data: bytes | BinaryIO, max_bytes: int) -> IndicatorTable:
    loaded = load(data, max_bytes)
    if loaded.problems:
        return IndicatorTable(title="", level1=[], problems=loaded.problems)
    choice = choose_sheet(loaded.grids, INDICATOR_SYNONYMS, INDICATOR_LABELS, INDICATOR_REQUIRED, minimum=3)
    if choice.grid is None or choice.header is None:
        sheet = choice.problems[0].sheet if choice.problems else ""
        return IndicatorTable(title="", level1=[], sheet=sheet, problems=choice.problems)
    table = IndicatorReader(choice.grid, choice.header).read()
    table.problems = [*choice.problems, *table.problems]
    return table


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


def _assessors(data: bytes | BinaryIO, max_bytes: int) -> AssessorTable:
    loaded = load(data, max_bytes)
    if loaded.problems:
        return AssessorTable(assessors=[], problems=loaded.problems)
    choice = choose_sheet(loaded.grids, ASSESSOR_SYNONYMS, ASSESSOR_LABELS, ASSESSOR_REQUIRED, minimum=2)
    if choice.grid is None or choice.header is None:
        return AssessorTable(assessors=[], problems=choice.problems)
    table = read_assessors(choice.grid, choice.header)
    table.problems = [*choice.problems, *table.problems]
    return table


def parse_indicator_workbook(data: bytes | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> IndicatorTable:
    """Read an indicator table (附件3/5 or 附件4 layout) from an .xlsx upload."""
    run = _guarded(_indicators, lambda problems: IndicatorTable(title="", level1=[], problems=problems))
    return run(data, max_bytes)


def parse_unit_workbook(data: bytes | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> UnitTable:
    """Read the list of assessed units: 单位名称 + 类别 (+ optional 排序/排序码)."""
    run = _guarded(_units, lambda problems: UnitTable(units=[], problems=problems))
    return run(data, max_bytes)


def parse_assessor_workbook(data: bytes | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> AssessorTable:
    """Read the assessor contact list in the 附件2 layout."""
    run = _guarded(_assessors, lambda problems: AssessorTable(assessors=[], problems=problems))
    return run(data, max_bytes)
