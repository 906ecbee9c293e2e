"""Excel import/export of indicator tables, unit lists and assessor lists (pure Python, no ORM).

Public API::

    parse_indicator_workbook(data, *, max_bytes=..., options=IndicatorOptions(...)) -> IndicatorTable
        (.xlsx, BIFF8 .xls or the tables of a .docx; other offices' layouts, see docs/architecture.md)
    parse_unit_workbook(data, *, max_bytes=...) -> UnitTable
    parse_desk_workbook(data, *, max_bytes=...) -> DeskTable
    check_sums(table, *, full_score) -> list[Problem]
    write_indicator_workbook(table, *, title, subtitle="") -> bytes
"""

from .checks import check_sums
from .export import write_indicator_workbook
from .parse import parse_desk_workbook, parse_indicator_workbook, parse_unit_workbook
from .types import (
    DeskRow,
    DeskTable,
    IndicatorTable,
    Level1Row,
    Level2Row,
    Problem,
    TaskRow,
    UnitRow,
    UnitTable,
)

__all__ = [
    "DeskRow",
    "DeskTable",
    "IndicatorTable",
    "Level1Row",
    "Level2Row",
    "Problem",
    "TaskRow",
    "UnitRow",
    "UnitTable",
    "check_sums",
    "parse_desk_workbook",
    "parse_indicator_workbook",
    "parse_unit_workbook",
    "write_indicator_workbook",
]
