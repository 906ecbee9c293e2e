"""The one .xlsx writer helper every export uses: text is written as text, never as a formula.

Text in our workbooks comes from people: a desk's deduction reason, an organisation's, group's or
address's name, an audit event's payload. openpyxl turns any string that starts with ``=`` into a live
formula (``=HYPERLINK("http://evil.example","x")`` becomes a link in Excel, WPS and LibreOffice), and
spreadsheet programs treat text starting with ``+ - @`` (or a tab / carriage return in front of one of
them) as a formula once the cell is edited or the sheet is saved as CSV.

The choice: every string that starts with ``= + - @``, a tab or a carriage return is stored as a string
cell (data type ``s``, written as an inline string: never evaluated) **and** carries the cell style ``quotePrefix`` —
the flag Excel sets when a user types a leading apostrophe. Excel, WPS and LibreOffice show the text
exactly as written (no visible apostrophe, which a literal ``'`` prefix would add to the value), keep it
text if the cell is edited, and show the apostrophe only in the formula bar. Numbers, Decimals (negative
ones included), dates and booleans are written as what they are; only ``str`` values are guarded.

Use it through :func:`new_workbook` / :func:`append` / :func:`put` / :func:`header` / :func:`save`; every
cell written through them is guarded. ``tests`` scan every export for formula cells.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import IO, Any, TypeAlias

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

AnySheet: TypeAlias = Worksheet | WriteOnlyWorksheet


def is_risky_text(value: Any) -> bool:
    """A string a spreadsheet program could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _needs_cell(value: Any) -> bool:
    """Text openpyxl would not write as plain text by itself (a formula, an error code) or that needs the prefix."""
    return isinstance(value, str) and (value.startswith(FORMULA_TRIGGERS) or value in ERROR_CODES)


def guard(cell: Cell) -> Cell:
    """Make a cell holding text hold it as text: no formula, no error code, quote-prefixed if risky."""
    value = cell.value
    if isinstance(value, str):
        if cell.data_type in ("f", "e"):  # openpyxl's reading of "=…" and of "#N/A" and the like
            cell.data_type = "s"
        if is_risky_text(value):
            cell.quotePrefix = True
    return cell


def new_workbook(*, write_only: bool = False) -> Workbook:
    """A workbook whose document properties name the platform, not the server's user."""
    workbook = Workbook(write_only=write_only)
    workbook.properties.creator = workbook.properties.lastModifiedBy = "kaohe"
    return workbook


def first_sheet(workbook: Workbook, title: str) -> Worksheet:
    """The sheet a new (normal-mode) workbook comes with, renamed."""
    sheet = workbook.worksheets[0]
    sheet.title = title
    return sheet


def cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell:
    """A write-only cell holding `value` safely (for styling before `append`)."""
    return guard(WriteOnlyCell(sheet, value=value))


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Set one cell of a normal worksheet; text stays text."""
    target = sheet.cell(row=row, column=column)
    target.value = value
    return guard(target)


def append(sheet: AnySheet, values: Iterable[Any]) -> None:
    """Append a row to either kind of worksheet; text stays text, cells already built are guarded too."""
    if isinstance(sheet, WriteOnlyWorksheet):
        row = [guard(v) if isinstance(v, Cell) else (cell(sheet, v) if _needs_cell(v) else v) for v in values]
        sheet.append(row)
        return
    sheet.append(list(values))
    for target in sheet[sheet.max_row]:
        guard(target)


def header(sheet: AnySheet, titles: Sequence[str], *, fill: bool = True) -> None:
    """The bold (and lightly filled) header row used by the score sheets, analysis and audit exports."""
    if isinstance(sheet, WriteOnlyWorksheet):
        cells = []
        for title in titles:
            target = cell(sheet, title)
            target.font = HEADER_FONT
            if fill:
                target.fill = HEADER_FILL
            cells.append(target)
        sheet.append(cells)
        return
    append(sheet, titles)
    for target in sheet[sheet.max_row]:
        target.font = HEADER_FONT
        if fill:
            target.fill = HEADER_FILL


def save(workbook: Workbook, target: IO[bytes] | None = None) -> bytes:
    """Save (guarding every cell of normal-mode sheets once more) and return the bytes, or write to `target`."""
    if not workbook.write_only:
        for sheet in workbook.worksheets:
            if isinstance(sheet, Worksheet):
                for row in sheet.iter_rows():
                    for target_cell in row:
                        if isinstance(target_cell, Cell):
                            guard(target_cell)
    if target is not None:
        workbook.save(target)
        return b""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
