"""The .xlsx writer helper: text that a spreadsheet could run is written as quote-prefixed text; numbers stay
numbers; and no module writes a workbook around it."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kaohe.core import xlsx_write

REPO = Path(__file__).resolve().parents[3]
HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "=1+1",
    "@SUM(A1)",
    "+1",
    "-1",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def _reload(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("write_only", [False, True])
def test_risky_text_is_written_as_quote_prefixed_text(write_only: bool) -> None:
    book = xlsx_write.new_workbook(write_only=write_only)
    sheet = book.create_sheet("表") if write_only else xlsx_write.first_sheet(book, "表")
    xlsx_write.header(sheet, ["理由"])
    for text in HOSTILE:
        xlsx_write.append(sheet, [text])
    if not write_only:
        xlsx_write.put(sheet, 20, 2, "=2+2")
        sheet["C1"] = "=3+3"  # written around the helper: save() still guards it
    data = xlsx_write.save(book)
    cells = [c for row in _reload(data)["表"].iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    by_value = {c.value: c for c in cells}
    for text in HOSTILE:
        assert by_value[text].data_type == "s"
    for text in HOSTILE[:-1]:
        assert by_value[text].quotePrefix, text
    assert not by_value["理由"].quotePrefix and by_value["理由"].font.bold
    if not write_only:
        assert by_value["=2+2"].quotePrefix and by_value["=3+3"].quotePrefix
    # in the file itself: no <f> element anywhere, the hostile text sits in a string cell
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert 't="inlineStr"><is><t>=HYPERLINK("http://evil.example","x")</t></is>' in sheet_xml


@pytest.mark.parametrize("write_only", [False, True])
def test_numbers_dates_and_plain_text_stay_what_they_are(write_only: bool) -> None:
    book = xlsx_write.new_workbook(write_only=write_only)
    sheet = book.create_sheet("表") if write_only else xlsx_write.first_sheet(book, "表")
    xlsx_write.append(sheet, [Decimal("-1.5"), -3, 2.25, dt.date(2020, 12, 31), True, "依法行政", "a=b", None, "1-2"])
    row = next(_reload(xlsx_write.save(book))["表"].iter_rows())
    assert [c.data_type for c in row[:5]] == ["n", "n", "n", "d", "b"]
    assert row[0].value == -1.5 and row[1].value == -3 and row[2].value == 2.25
    assert row[3].value == dt.datetime(2020, 12, 31)  # noqa: DTZ001 - cells hold naive times
    assert row[4].value is True
    assert [c.value for c in row[5:]] == ["依法行政", "a=b", None, "1-2"]
    assert not any(c.quotePrefix for c in row)


@pytest.mark.parametrize("write_only", [False, True])
def test_print_setup_title_rows_widths_and_wrapped_text(write_only: bool) -> None:
    book = xlsx_write.new_workbook(write_only=write_only)
    sheet = book.create_sheet("表") if write_only else xlsx_write.first_sheet(book, "表")
    xlsx_write.widths(sheet, (6, 30, 10))
    xlsx_write.print_setup(sheet, header_row=4, freeze_column=3)
    assert xlsx_write.title_rows(sheet, "=平顶山市考核结果", ["类别：县区政府", "生成时间：2026-12-03"], columns=3) == 3
    xlsx_write.header(sheet, ["排名", "考核对象", "备注"])
    long_text = "因减分超过考核得分，最终得分低于0分" * 3
    xlsx_write.append(sheet, [1, xlsx_write.text_cell(sheet, "=舞钢市人民政府"), xlsx_write.text_cell(sheet, long_text)])
    if not write_only:
        for target in sheet[5][1:]:
            target.alignment = xlsx_write.WRAP
    ws = _reload(xlsx_write.save(book))["表"]
    assert [ws.cell(row, 1).value for row in (1, 2, 3)] == ["=平顶山市考核结果", "类别：县区政府", "生成时间：2026-12-03"]
    assert ws["A1"].data_type == "s" and ws["A1"].quotePrefix and ws["A1"].font.b  # the title is guarded text too
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:C1", "A2:C2", "A3:C3"}
    assert [c.value for c in ws[4]] == ["排名", "考核对象", "备注"] and ws["B4"].font.b
    assert ws["C5"].alignment.wrap_text and ws["B5"].quotePrefix
    assert (ws.column_dimensions["A"].width, ws.column_dimensions["B"].width) == (6, 30)
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_options.horizontalCentered
    assert ws.print_title_rows == "$4:$4" and ws.freeze_panes == "C5"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_the_platform_names_itself_as_author() -> None:
    book = _reload(xlsx_write.save(xlsx_write.new_workbook()))
    assert book.properties.creator == "kaohe"


def test_every_workbook_of_the_platform_goes_through_the_helpers() -> None:
    """A new export cannot bypass the writer (nor a new import the guarded reader): openpyxl's Workbook and
    load_workbook appear only in kaohe/core/xlsx_write.py and xlsx_read.py (tests excepted)."""
    pattern = re.compile(r"\bWorkbook\(|\bload_workbook\b|\bxlrd\b")
    offenders = []
    for path in sorted((REPO / "kaohe").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if "/tests/" in relative or relative in ("kaohe/core/xlsx_write.py", "kaohe/core/xlsx_read.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
