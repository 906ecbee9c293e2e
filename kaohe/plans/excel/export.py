"""Writing an indicator table in the published 附件3/5 layout (round-trips through parse)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from kaohe.core import xlsx_write
from kaohe.plans.constants import Method

from .text import chinese_numeral, format_points
from .types import IndicatorTable, Level1Row, TaskRow

HEADERS = ("一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体")
WIDTHS = (14, 16, 30, 36, 12, 44, 16)
ASSESSOR_COLUMN = 7
DATE_FORMAT = "yyyy-mm-dd"

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
BODY_FONT = Font(name="仿宋", size=10)
HEADER_FONT = Font(name="黑体", size=11, bold=True)
TITLE_FONT = Font(name="方正小标宋简体", size=18)
SUBTITLE_FONT = Font(name="楷体", size=12)
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _points_suffix(points: Decimal | None, name: str) -> str:
    """ "13分" (with a space when the name ends in a digit, so the number stays apart)."""
    if points is None:
        return ""
    space = " " if name[-1:].isdigit() else ""
    return f"{space}{format_points(points)}分"


def level1_label(index: int, level1: Level1Row) -> str:
    return f"{chinese_numeral(index)}、{level1.name}{_points_suffix(level1.points, level1.name)}"


def level2_label(name: str, points: Decimal | None) -> str:
    return f"{name}{_points_suffix(points, name)}"


def method_text(task: TaskRow) -> str:
    """ "报送资料:证明事项清理报告 1分", "日常掌握 0.5分", "其他:…" (no points part when None)."""
    label = Method(task.method).label if task.method in Method.values else Method.OTHER.label
    text = f"{label}:{task.materials}" if task.materials else str(label)
    if task.points is not None:
        text += f" {format_points(task.points)}分"
    return text


def _sheet_title(name: str) -> str:
    """A valid worksheet name: no []:*?/\\ characters, at most 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "", name).strip("' ")[:31]
    return cleaned or "考核内容"


def _style(cell: Any, font: Font, alignment: Alignment) -> None:
    cell.font = font
    cell.alignment = alignment
    cell.border = BORDER


def _runs(values: list[str]) -> Iterator[tuple[int, int]]:
    """(start, end) index pairs of consecutive equal non-empty values."""
    start = 0
    for index in range(1, len(values) + 1):
        if index == len(values) or values[index] != values[start]:
            if values[start] and index - 1 > start:
                yield start, index - 1
            start = index


class _Writer:
    def __init__(self, table: IndicatorTable, title: str, subtitle: str) -> None:
        self.table = table
        self.title = title
        self.subtitle = subtitle
        self.workbook = xlsx_write.new_workbook()
        self.ws = xlsx_write.first_sheet(self.workbook, _sheet_title(table.sheet))
        self.row = 1

    def write(self) -> bytes:
        self._titles()
        header_row = self._header()
        first_data = self.row
        self._body()
        self._layout(header_row, first_data)
        return xlsx_write.save(self.workbook)

    def _banner(self, text: str, font: Font, height: float) -> None:
        cell = xlsx_write.put(self.ws, self.row, 1, text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=len(HEADERS))
        self.ws.row_dimensions[self.row].height = height
        self.row += 1

    def _titles(self) -> None:
        if self.title:
            self._banner(self.title, TITLE_FONT, 36)
        if self.subtitle:
            self._banner(self.subtitle, SUBTITLE_FONT, 22)

    def _header(self) -> int:
        for column, text in enumerate(HEADERS, start=1):
            _style(xlsx_write.put(self.ws, self.row, column, text), HEADER_FONT, WRAP_CENTER)
        self.ws.row_dimensions[self.row].height = 30
        self.row += 1
        return self.row - 1

    def _body(self) -> None:
        assessors: list[str] = []
        first_data = self.row
        for index, level1 in enumerate(self.table.level1, start=1):
            start1 = self.row
            for level2 in level1.children:
                start2 = self.row
                for task in level2.tasks:
                    self._task(task)
                    assessors.append(task.assessor)
                if self.row == start2:  # a 二级 without tasks still gets its own row
                    self.row += 1
                    assessors.append("")
                self._merged(start2, 2, level2_label(level2.name, level2.points))
            if self.row == start1:
                self.row += 1
                assessors.append("")
            self._merged(start1, 1, level1_label(index, level1))
        for start, end in _runs(assessors):
            self.ws.merge_cells(
                start_row=first_data + start,
                start_column=ASSESSOR_COLUMN,
                end_row=first_data + end,
                end_column=ASSESSOR_COLUMN,
            )
        for row in range(first_data, self.row):
            for column in range(1, len(HEADERS) + 1):
                self.ws.cell(row, column).border = BORDER

    def _merged(self, start: int, column: int, text: str) -> None:
        _style(xlsx_write.put(self.ws, start, column, text), BODY_FONT, WRAP_CENTER)
        if self.row - 1 > start:
            self.ws.merge_cells(start_row=start, start_column=column, end_row=self.row - 1, end_column=column)

    def _task(self, task: TaskRow) -> None:
        row = self.row
        values: tuple[tuple[int, Any, Alignment], ...] = (
            (3, task.name, WRAP_LEFT),
            (4, method_text(task), WRAP_LEFT),
            (5, task.deadline, WRAP_CENTER),
            (6, task.requirement, WRAP_LEFT),
            (7, task.assessor, WRAP_CENTER),
        )
        for column, value, alignment in values:
            cell = xlsx_write.put(self.ws, row, column, value if value not in ("", None) else None)
            _style(cell, BODY_FONT, alignment)
        if task.deadline is not None:
            self.ws.cell(row, 5).number_format = DATE_FORMAT
        # Spreadsheet programs do not all grow rows for wrapped text on opening; size them here.
        lines = max(_wrapped_lines(str(value or ""), WIDTHS[column - 1]) for column, value, _ in values)
        self.ws.row_dimensions[row].height = max(1, lines) * LINE_HEIGHT + 4
        self.row += 1

    def _layout(self, header_row: int, first_data: int) -> None:
        ws = self.ws
        for column, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        ws.freeze_panes = ws.cell(first_data, 1)
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6


LINE_HEIGHT = 14.5  # points per line of the body font


def _wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a column ``width`` characters wide (a CJK character counts as two)."""
    if not text:
        return 1
    lines = 0
    for paragraph in text.splitlines() or [""]:
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in paragraph)
        lines += max(1, math.ceil(units / max(width - 1, 1)))
    return lines


def write_indicator_workbook(table: IndicatorTable, *, title: str, subtitle: str = "") -> bytes:
    """The table as .xlsx bytes: title, optional subtitle, header, merged 一级/二级/责任主体 cells."""
    return _Writer(table, title, subtitle).write()
