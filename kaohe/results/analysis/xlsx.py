"""考核分析 workbook: a 说明 sheet and one printable sheet per table."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kaohe.results.analysis.figures import HUNDRED
from kaohe.results.analysis.tabulation import COUNT, DELTA, NUMBER, RATE, TEXT, Table

_FORMATS = {NUMBER: "0.00", RATE: "0.00%", DELTA: "+0.00;-0.00;0.00", COUNT: "0"}


def _sheet_title(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", name).strip("' ")[:28] or "表"
    title, n = base, 2
    while title in taken:
        title, n = f"{base}{n}", n + 1
    taken.add(title)
    return title


def workbook(about: Sequence[tuple[str, str]], found: Sequence[Table]) -> bytes:
    """A 说明 sheet (``about``: label, value) and one sheet per table; numbers as numbers (rates as fractions
    formatted 0.00%, so 91.75 % is the number 0.9175), None as an empty cell. Each table's sheet is laid out to
    be printed: the plan's title and the table's as title rows, the data source and export time under them, the
    header on row 4 (``xlsx_write.print_setup``)."""
    from kaohe.core import xlsx_write

    facts = dict(about)
    heading = facts.get("考核方案", "")
    lines = [f"数据来源：{facts.get('数据来源') or '—'}", f"导出时间：{facts.get('导出时间') or '—'}"]
    book = xlsx_write.new_workbook()
    sheet = xlsx_write.first_sheet(book, "说明")
    for label, value in about:
        xlsx_write.append(sheet, [label, value])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90
    taken = {"说明"}
    for table in found:
        ws = book.create_sheet(_sheet_title(table.title, taken))
        xlsx_write.widths(ws, [12 if column.kind != TEXT else 28 for column in table.columns])
        header_row = xlsx_write.title_rows(ws, f"{heading}{table.title}", lines, columns=len(table.columns)) + 1
        xlsx_write.print_setup(ws, header_row=header_row)
        xlsx_write.header(ws, [c.title for c in table.columns])
        for row in table.rows:
            xlsx_write.append(
                ws,
                [
                    value / HUNDRED if c.kind == RATE and value is not None else value
                    for c, value in zip(table.columns, row, strict=True)
                ],
            )
        for index, column in enumerate(table.columns, start=1):
            number_format = _FORMATS.get(column.kind)
            for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                if number_format:
                    cell.number_format = number_format
                elif column.kind == TEXT:
                    cell.alignment = xlsx_write.WRAP
        if table.note:
            ws.append([])
            xlsx_write.append(ws, [table.note])
    return xlsx_write.save(book)
