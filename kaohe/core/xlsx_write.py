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

Sheets that offices print take :func:`title_rows` (title, 类别, generated date above the header), :func:`widths`,
:func:`text_cell` (wrapped text) and :func:`print_setup` (A4 landscape, one page wide, the header row repeated on
every page, frozen below it, page numbers in the footer); either kind of worksheet.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import IO, Any, TypeAlias

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
SUBTITLE_FONT = Font(size=10, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, horizontal="center", vertical="center")

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
    """The bold (and lightly filled) header row used by the score sheets, analysis and audit exports; its text
    wraps, centred, so narrow columns keep their headers readable."""
    if isinstance(sheet, WriteOnlyWorksheet):
        cells = []
        for title in titles:
            target = cell(sheet, title)
            target.font = HEADER_FONT
            target.alignment = HEADER_ALIGNMENT
            if fill:
                target.fill = HEADER_FILL
            cells.append(target)
        sheet.append(cells)
        return
    append(sheet, titles)
    for target in sheet[sheet.max_row]:
        target.font = HEADER_FONT
        target.alignment = HEADER_ALIGNMENT
        if fill:
            target.fill = HEADER_FILL


def text_cell(sheet: AnySheet, value: Any) -> Any:
    """A value whose text wraps in its column (top-aligned): a styled cell for write-only sheets, else the value
    (style it after ``append`` with :data:`WRAP`). Empty values stay plain, so long sheets build fewer cells."""
    if value in (None, "") or not isinstance(sheet, WriteOnlyWorksheet):
        return value
    target = cell(sheet, value)
    target.alignment = WRAP
    return target


def title_rows(sheet: AnySheet, title: str, lines: Sequence[str], *, columns: int) -> int:
    """Rows above the header: ``title`` bold (14 pt), then one small grey row per line (类别, generated date…),
    each merged across ``columns``. Write them first. Returns the number of rows written."""
    rows: list[tuple[str, Font]] = [(title, TITLE_FONT), *((line, SUBTITLE_FONT) for line in lines)]
    sheet.row_dimensions[1].height = 24  # before the row is written (write-only sheets)
    for index, (text, font) in enumerate(rows, start=1):
        if isinstance(sheet, WriteOnlyWorksheet):
            target = cell(sheet, text)
            target.font = font
            sheet.append([target])
        else:
            target = put(sheet, index, 1, text)
            target.font = font
        if columns > 1:
            sheet.merged_cells.add(f"A{index}:{get_column_letter(columns)}{index}")
    return len(rows)


def widths(sheet: AnySheet, values: Iterable[float]) -> None:
    """Column widths (characters), from column A. Set them before writing rows to a write-only sheet."""
    for index, width in enumerate(values, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def print_setup(sheet: AnySheet, *, header_row: int, freeze_column: int = 1, landscape: bool = True) -> None:
    """As offices print score sheets: A4 (paperSize 9), landscape, fit to one page wide (as many pages tall as
    needed), narrow margins, centred; ``header_row`` repeated at the top of every page and frozen with the
    columns before ``freeze_column``; "第 N 页，共 M 页" in the footer. Call before writing a write-only sheet."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = f"{get_column_letter(freeze_column)}{header_row + 1}"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


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
