"""The guarded .xlsx reader: hostile files are refused in Chinese before they cost memory; normal files read
as before (values, dates, merged cells, formulas)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from kaohe.core.tests.xlsx_files import (
    HEADER_ROW,
    one_row,
    package,
    rows_of,
    sheet_xml,
    tiny_cells,
)
from kaohe.core.xlsx_read import MB, Limits, read_xlsx

REPO = Path(__file__).resolve().parents[3]
LIMITS = Limits(max_bytes=5 * MB)


def workbook_bytes(build) -> bytes:
    book = Workbook()
    build(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- files that are fine ----------------------------------------------------------------------------


def test_a_normal_workbook_reads_values_dates_merges_and_formulas() -> None:
    def build(ws):
        ws.title = "附件3"
        ws.append(["一级指标", "二级指标", "分值", "时间要求"])
        ws.append(["一、依法履职", "规范权力运行", 2.5, datetime(2020, 12, 31)])  # noqa: DTZ001 - cells hold naive times
        ws.append([None, "公开透明", 3, None])
        ws["E2"] = "=SUM(C2:C3)"
        ws["A5"] = "   "  # blank text counts as empty
        ws.merge_cells("A2:A3")

    result = read_xlsx(workbook_bytes(build), LIMITS)
    assert result.refusal is None
    [grid] = result.grids
    assert grid.title == "附件3"
    assert grid.get(2, 1) == grid.get(3, 1) == "一、依法履职"  # merged range filled from its top-left cell
    assert grid.origin(3, 1) == (2, 1)
    assert grid.get(2, 3) == 2.5 and grid.get(3, 3) == 3
    assert grid.get(2, 4) == datetime(2020, 12, 31)  # noqa: DTZ001
    assert (2, 5) in grid.formulas and grid.get(2, 5) is None  # a formula's text is never taken as data
    assert (grid.max_row, grid.max_column) == (3, 5)
    assert not grid.row_is_empty(2) and grid.row_is_empty(5)


def test_hidden_sheets_are_not_read() -> None:
    book = Workbook()
    book.active.append(["可见"])
    hidden = book.create_sheet("隐藏")
    hidden.append(["隐藏内容"])
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_xlsx(buffer.getvalue(), LIMITS)
    assert [g.title for g in result.grids] == ["Sheet"]


def test_hand_made_package_with_shared_strings_and_addressless_cells() -> None:
    strings = ['<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', "<si><t>张三</t></si>", "</sst>"]
    rows = [HEADER_ROW, '<row r="3"><c t="s"><v>0</v></c><c><v>7</v></c></row>']
    result = read_xlsx(package(sheet_xml(rows), shared_strings=strings), LIMITS)
    assert result.refusal is None
    assert result.grids[0].values == {(1, 1): "姓名", (1, 2): "分组", (3, 1): "张三", (3, 2): 7}


def test_demo_tables_read_within_the_default_caps() -> None:
    for path in sorted((REPO / "kaohe" / "demo" / "pingdingshan-2020").glob("*.xlsx")):
        result = read_xlsx(path.read_bytes(), Limits(max_bytes=20 * MB))
        assert result.refusal is None, path.name
        assert result.grids and result.grids[0].values


# -- caps -------------------------------------------------------------------------------------------


def test_cells_past_the_row_cap_stop_the_reading() -> None:
    rows = [HEADER_ROW, rows_of({"A50": "张三", "A101": "李四"})]
    result = read_xlsx(package(sheet_xml(rows)), Limits(max_bytes=MB, max_rows=100))
    assert result.refusal is not None and result.grids == []
    assert result.refusal.code == "sheet_too_large"
    assert result.refusal.message == "工作表“名册”超过 100 行（第101行有内容），请删除多余的行或分批导入"


def test_cells_past_the_column_cap_stop_the_reading() -> None:
    result = read_xlsx(package(sheet_xml([HEADER_ROW, rows_of({"GS2": "x"})])), LIMITS)
    assert result.refusal is not None
    assert result.refusal.message == "工作表“名册”超过 200 列（GS列有内容），请删除多余的列后再导入"


def test_blank_formatted_cells_past_the_caps_are_no_problem() -> None:
    rows = [HEADER_ROW, '<row r="30000"><c r="A30000" s="0"/><c r="ZZ30000"/></row>']
    result = read_xlsx(package(sheet_xml(rows)), LIMITS)
    assert result.refusal is None and result.grids[0].max_row == 1


def test_cell_cap_counts_merged_fills() -> None:
    rows = [rows_of({"A1": "甲", "J10": "乙"})]
    merged = '<mergeCells count="1"><mergeCell ref="A1:J10"/></mergeCells>'
    data = package(sheet_xml(rows, after=merged))
    assert read_xlsx(data, Limits(max_bytes=MB, max_cells=100)).refusal is None
    refusal = read_xlsx(data, Limits(max_bytes=MB, max_cells=99)).refusal
    assert refusal is not None and refusal.code == "too_many_cells"
    assert refusal.message == "工作表“名册”内容过多（超过 99 个单元格），请删除多余的内容或分批导入"


def test_shared_strings_count_against_the_cell_cap() -> None:
    strings = ['<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    strings += [f"<si><t>{i}</t></si>" for i in range(101)] + ["</sst>"]
    refusal = read_xlsx(package(sheet_xml([HEADER_ROW]), shared_strings=strings), Limits(max_bytes=MB, max_cells=100)).refusal
    assert refusal is not None and refusal.code == "too_many_cells"
    assert refusal.message.startswith("表格内容过多（超过 100 个单元格）")


def test_blank_elements_count_against_the_element_cap() -> None:
    rows = [HEADER_ROW, "<row>" + "<c/>" * 5000 + "</row>"]
    refusal = read_xlsx(package(sheet_xml(rows)), Limits(max_bytes=MB, max_elements=4000)).refusal
    assert refusal is not None and refusal.code == "zip_bomb"
    assert "单元格过多（超过 4000 个，含空白格式）" in refusal.message


def test_a_cell_stuffed_with_elements_is_refused() -> None:
    runs = "".join("<r><t>x</t></r>" for _ in range(600))
    rows = [HEADER_ROW, f'<row><c r="A2" t="inlineStr"><is>{runs}</is></c></row>']
    refusal = read_xlsx(package(sheet_xml(rows)), LIMITS).refusal
    assert refusal is not None and "内容异常复杂的单元格" in refusal.message


def test_too_many_merged_ranges_are_refused() -> None:
    merges = "".join(f'<mergeCell ref="A{r}:B{r}"/>' for r in range(3, 15))
    data = package(sheet_xml([HEADER_ROW], after=f"<mergeCells>{merges}</mergeCells>"))
    refusal = read_xlsx(data, Limits(max_bytes=MB, max_merges=10)).refusal
    assert refusal is not None and "合并单元格过多（超过 10 处）" in refusal.message


# -- the zip ------------------------------------------------------------------------------------------


def test_unpacked_size_over_the_cap_is_refused_before_inflating() -> None:
    rows = (f"<row>{'<c><v>1</v></c>' * 1000}</row>" for _ in range(4000))  # 60 MB of sheet XML
    data = package(sheet_xml(rows))
    assert len(data) < MB
    refusal = read_xlsx(data, Limits(max_bytes=20 * MB)).refusal
    assert refusal is not None and refusal.code == "zip_bomb"
    assert refusal.message == "文件解压后超过 50 MB，可能已损坏或不是普通表格，请检查后再导入"


def test_absurd_compression_ratio_is_refused() -> None:
    data = package(sheet_xml(tiny_cells(200_000)))  # 3 MB of XML packed to a few KB
    refusal = read_xlsx(data, LIMITS).refusal
    assert refusal is not None and refusal.code == "zip_bomb"
    assert "“xl/worksheets/sheet1.xml”压缩比异常" in refusal.message


def test_too_many_members_are_refused() -> None:
    extra = {f"xl/media/image{i}.png": b"x" for i in range(20)}
    refusal = read_xlsx(package(sheet_xml([HEADER_ROW]), extra=extra), Limits(max_bytes=MB, max_members=20)).refusal
    assert refusal is not None and refusal.message.startswith("压缩包内文件过多（25 个，上限 20 个）")


def test_too_many_worksheets_are_refused() -> None:
    book = Workbook()
    for index in range(4):
        book.create_sheet(f"表{index}")
    buffer = io.BytesIO()
    book.save(buffer)
    refusal = read_xlsx(buffer.getvalue(), Limits(max_bytes=MB, max_sheets=4)).refusal
    assert refusal is not None and refusal.message.startswith("工作簿中的工作表过多（5 个，上限 4 个）")


def test_oversized_package_part_is_refused() -> None:
    styles = b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b" " * 3000 + b"</styleSheet>"
    data = package(sheet_xml([HEADER_ROW]), extra={"xl/styles.xml": styles})
    refusal = read_xlsx(data, Limits(max_bytes=MB, max_part_bytes=2000)).refusal
    assert refusal is not None and "“xl/styles.xml”过大" in refusal.message


def test_xml_with_a_document_type_declaration_is_refused() -> None:
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    rows = [HEADER_ROW, '<row><c r="A2" t="inlineStr"><is><t>&b;</t></is></c></row>']
    sheet = "".join(sheet_xml(rows)).replace("<worksheet", laughs + "<worksheet", 1)
    refusal = read_xlsx(package([sheet]), LIMITS).refusal
    assert refusal is not None and refusal.message == "文件中含有不允许的 XML 文档类型声明（DTD），拒绝读取"
    styles = "<?xml version='1.0'?><!DOCTYPE styleSheet SYSTEM 'http://evil.example/x.dtd'><styleSheet/>"
    refusal = read_xlsx(package(sheet_xml([HEADER_ROW]), extra={"xl/styles.xml": styles}), LIMITS).refusal
    assert refusal is not None and "DTD" in refusal.message


def test_missing_workbook_part_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    refusal = read_xlsx(buffer.getvalue(), LIMITS).refusal
    assert refusal is not None and refusal.code == "unreadable"
    assert refusal.message.startswith("文件已损坏或格式不受支持，无法读取")


# -- memory: every importer, hostile files, a fresh process -----------------------------------------

PROBE = r"""
import json, sys, django
django.setup()
from kaohe.inspections.abilitytests import sheets
from kaohe.inspections.casefiles import imports
from kaohe.plans.excel import parse_desk_workbook, parse_indicator_workbook, parse_unit_workbook

IMPORTERS = {
    "indicators": lambda data: [p.message for p in parse_indicator_workbook(data).problems],
    "units": lambda data: [p.message for p in parse_unit_workbook(data).problems],
    "desks": lambda data: [p.message for p in parse_desk_workbook(data).problems],
    "roster": lambda data: [p.message for p in sheets.parse_roster(data).problems],
    "bank": lambda data: [p.message for p in sheets.parse_bank(data).problems],
    "case_files": lambda data: imports.parse_case_files(data, max_bytes=20 * 1024 * 1024).errors,
    "checklist": lambda data: imports.parse_checklist(data, max_bytes=20 * 1024 * 1024).errors,
}
data = open(sys.argv[1], "rb").read()
names = sys.argv[2].split(",") if len(sys.argv) > 2 else list(IMPORTERS)
def status(field):  # KB, of this process's own memory (ru_maxrss would also count the parent it forked from)
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
before = status("VmRSS")
messages = {name: IMPORTERS[name](data) for name in names}
peak = status("VmHWM")
print(json.dumps({"messages": messages, "growth_mb": (peak - before) / 1024}))
"""


def _probe(tmp_path: Path, data: bytes, *importers: str) -> dict[str, Any]:
    """Run importers (default: all) on `data` in a fresh interpreter; their messages and the peak memory growth."""
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    # an address-space ceiling, so a reader that loads everything fails here instead of starving the machine
    code = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n" + PROBE
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", code, str(path), ",".join(importers)] if importers else [sys.executable, "-c", code, str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("name", "build", "expected"),
    [
        # the pen test's file: 3 million one-digit cells, about 120 KB
        ("tiny_cells", lambda: package(sheet_xml(tiny_cells(3_000_000))), "压缩比异常"),
        # the same number of cells with a normal compression ratio: only the cell cap can stop it
        ("noisy_cells", lambda: package(sheet_xml(tiny_cells(1_000_000, noisy=True))), "超过 100000 个单元格"),
        # a million cells in one <row>: a parser that builds the row first builds them all
        ("one_row", lambda: package(sheet_xml(one_row(1_000_000))), "超过 200 列"),
    ],
)
def test_hostile_file_is_refused_by_every_importer_in_bounded_memory(tmp_path: Path, name: str, build, expected: str) -> None:
    data = build()
    assert len(data) < 5 * MB  # under every importer's size limit: the size check alone does not stop it
    report = _probe(tmp_path, data)
    for importer, messages in report["messages"].items():
        assert any(expected in m for m in messages), (name, importer, messages)
    assert report["growth_mb"] < 100, report


def test_largest_accepted_sheet_parses_in_under_200_mb(tmp_path: Path) -> None:
    """99,500 cells (just under the cap), each a different string: the worst file an importer accepts."""
    rows = [HEADER_ROW]
    rows += [
        f'<row r="{r}">'
        + "".join(f'<c r="{col}{r}" t="inlineStr"><is><t>人员{r}-{col}</t></is></c>' for col in "ABCDEFGHIJ")
        + "</row>"
        for r in range(2, 9_952)
    ]
    report = _probe(tmp_path, package(sheet_xml(rows)), "indicators", "roster")
    assert report["messages"]["indicators"][0].startswith("未找到表头")  # read, then judged as a table
    assert report["messages"]["roster"][0] == "第2行：分组“人员2-B”无法识别，应为 领导小组负责同志、领导小组成员、工作人员"
    assert report["growth_mb"] < 200, report
