"""Build the Pingdingshan 2020 demo workbooks from the CSVs in tools/demo_source.

Run from the repository root::

    .venv/bin/python tools/build_demo_xlsx.py

Writes kaohe/demo/pingdingshan-2020/{units,assessors,indicators-county,indicators-dept1,
indicators-dept2}.xlsx, laid out like the published attachments (附件1-5). The indicator sheets
are written here directly with openpyxl, independently of kaohe.plans.excel.export, so that the
importer is tested against a file it did not produce. The output is byte-for-byte reproducible
(fixed document properties and zip timestamps).
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.writer.excel import ExcelWriter

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "tools" / "demo_source" / "pingdingshan-2020"
OUTPUT_DIR = ROOT / "kaohe" / "demo" / "pingdingshan-2020"

FIXED_TIME = datetime(2020, 11, 1, 9, 0, 0, tzinfo=UTC).replace(tzinfo=None)  # openpyxl wants naive UTC
ZIP_TIME = (2020, 11, 1, 9, 0, 0)

TITLE = "平顶山市2020年度依法行政考核内容"
COUNTY_SUBTITLE = "（各县（市、区）人民政府，城乡一体化示范区、高新区管委会）"

# 考核方式 prefixes as the published tables write them (集中评查 is written 集中评审 there)
METHOD_PREFIX = {
    "报送资料": "报送资料",
    "日常掌握": "日常掌握",
    "实地考核": "实地考核",
    "集中评查": "集中评审",
    "其他": "其他",
}

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
BODY = Font(name="仿宋_GB2312", size=10)
HEAD = Font(name="黑体", size=11, bold=True)
TITLE_FONT = Font(name="方正小标宋简体", size=18)
SUBTITLE_FONT = Font(name="楷体_GB2312", size=12)
LABEL_FONT = Font(name="黑体", size=12)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)

Row = dict[str, str]


def read_csv(name: str, source_dir: Path) -> list[Row]:
    with (source_dir / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- workbook helpers ---------------------------------------------------------------------------


def new_sheet(title: str) -> tuple[Workbook, Any]:
    workbook = Workbook()
    ws = workbook.active
    ws.title = title
    return workbook, ws


def banner(ws: Any, row: int, text: str, font: Font, columns: int, height: float) -> None:
    cell = ws.cell(row, 1, text)
    cell.font = font
    cell.alignment = CENTER
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    ws.row_dimensions[row].height = height


def annex_label(ws: Any, number: int) -> None:
    cell = ws.cell(1, 1, f"附件{number}")
    cell.font = LABEL_FONT
    cell.alignment = Alignment(horizontal="left", vertical="center")


def put(ws: Any, row: int, column: int, value: Any, font: Font = BODY, align: Alignment = LEFT) -> Any:
    cell = ws.cell(row, column, value)
    cell.font = font
    cell.alignment = align
    cell.border = BORDER
    return cell


def header_row(ws: Any, row: int, names: list[str]) -> None:
    for column, name in enumerate(names, start=1):
        put(ws, row, column, name, HEAD, CENTER)
    ws.row_dimensions[row].height = 30


def merge_runs(ws: Any, column: int, first_row: int, keys: list[Any]) -> None:
    """Merge each run of consecutive equal, non-empty keys vertically (the top cell keeps the value)."""
    start = 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            if keys[start] and index - 1 > start:
                ws.merge_cells(
                    start_row=first_row + start,
                    start_column=column,
                    end_row=first_row + index - 1,
                    end_column=column,
                )
            start = index


def borders(ws: Any, first_row: int, last_row: int, columns: int) -> None:
    for row in range(first_row, last_row + 1):
        for column in range(1, columns + 1):
            ws.cell(row, column).border = BORDER


def page_setup(ws: Any, widths: list[float], header_rows: str, freeze: str, landscape: bool) -> None:
    for index, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = freeze
    ws.print_title_rows = header_rows
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def save_reproducibly(workbook: Workbook, path: Path) -> None:
    """Save with fixed document properties and zip member timestamps."""
    props = workbook.properties
    props.created = props.modified = FIXED_TIME
    props.creator = props.lastModifiedBy = "kaohe demo"
    props.title = path.stem
    buffer = io.BytesIO()
    # ExcelWriter directly: Workbook.save() would stamp "modified" with the current time
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            target.writestr(member, source.read(info.filename))
    path.write_bytes(output.getvalue())


# -- 附件1 / 附件2 --------------------------------------------------------------------------------


def build_units(rows: list[Row], path: Path) -> None:
    workbook, ws = new_sheet("附件1")
    annex_label(ws, 1)
    banner(ws, 2, "平顶山市2020年度依法行政考核对象单位名单", TITLE_FONT, 3, 36)
    header_row(ws, 3, ["序号", "考核对象类别", "单位名称"])
    for index, unit in enumerate(rows, start=1):
        row = 3 + index
        put(ws, row, 1, index, align=CENTER)
        put(ws, row, 2, unit["category"], align=CENTER)
        put(ws, row, 3, unit["name"])
    page_setup(ws, [8, 16, 40], "3:3", "A4", landscape=False)
    save_reproducibly(workbook, path)


def build_desks(rows: list[Row], path: Path) -> None:
    workbook, ws = new_sheet("附件2")
    annex_label(ws, 2)
    banner(ws, 2, "平顶山市2020年度依法行政考核主体联系表", TITLE_FONT, 6, 36)
    header_row(ws, 3, ["序号", "单位", "联系人", "联系电话", "联系地址", "督导平台登录账号"])
    for index, desk in enumerate(rows, start=1):
        row = 3 + index
        put(ws, row, 1, desk["seq"], align=CENTER)  # text "01", as published
        put(ws, row, 2, desk["name"])
        put(ws, row, 3, desk["contact"], align=CENTER)
        put(ws, row, 4, desk["phone"] or None, align=CENTER)
        put(ws, row, 5, desk["address"])
        put(ws, row, 6, desk["account"])
    page_setup(ws, [6, 30, 12, 14, 28, 24], "3:3", "A4", landscape=True)
    save_reproducibly(workbook, path)


# -- 附件3 / 附件5 layout ----------------------------------------------------------------------------

WIDE_HEADERS = ["一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体"]


def labelled(name: str, points: str) -> str:
    """ "一、依法全面履行政府职能" + "13" → "一、依法全面履行政府职能13分"."""
    return f"{name}{points}分" if points else name


def method_cell(row: Row) -> str:
    """ "报送资料:证明事项清理报告 1分", "日常掌握1分", "集中评审 1分", "其他:…" as in the source."""
    prefix = METHOD_PREFIX[row["method"]]
    detail = row["method_detail"]
    points = row["points"]
    if row["method"] == "日常掌握" and not detail:
        return f"{prefix}{points}分" if points else prefix
    text = f"{prefix}:{detail}" if detail else prefix
    return f"{text} {points}分" if points else text


def build_wide(rows: list[Row], path: Path, sheet: str, annex: int, subtitle: str) -> None:
    workbook, ws = new_sheet(sheet)
    annex_label(ws, annex)
    banner(ws, 2, TITLE, TITLE_FONT, 7, 36)
    banner(ws, 3, subtitle, SUBTITLE_FONT, 7, 22)
    header_row(ws, 4, WIDE_HEADERS)
    first = 5
    for offset, item in enumerate(rows):
        row = first + offset
        put(ws, row, 1, labelled(item["level1"], item["level1_points"]), align=CENTER)
        put(ws, row, 2, labelled(item["level2"], item["level2_points"]), align=CENTER)
        put(ws, row, 3, item["task"])
        put(ws, row, 4, method_cell(item))
        deadline = put(ws, row, 5, date.fromisoformat(item["deadline"]), align=CENTER)
        deadline.number_format = "yyyy-mm-dd"
        put(ws, row, 6, item["requirement"])
        put(ws, row, 7, item["assessor"], align=CENTER)
    merge_runs(ws, 1, first, [r["level1"] for r in rows])
    merge_runs(ws, 2, first, [(r["level1"], r["level2"]) for r in rows])
    merge_runs(ws, 7, first, [r["assessor"] for r in rows])
    borders(ws, first, first + len(rows) - 1, 7)
    page_setup(ws, [14, 16, 30, 36, 12, 44, 16], "4:4", "A5", landscape=True)
    save_reproducibly(workbook, path)


# -- 附件4 layout ------------------------------------------------------------------------------------


def parenthesised(name: str, points: str) -> str:
    return f"{name}({points}分)"


def build_dept1(rows: list[Row], path: Path) -> None:
    workbook, ws = new_sheet("附件4")
    annex_label(ws, 4)
    banner(ws, 2, TITLE, TITLE_FONT, 5, 36)
    banner(ws, 3, "（部门1）", SUBTITLE_FONT, 5, 22)
    put(ws, 4, 1, "考核指标", HEAD, CENTER)
    ws.merge_cells("A4:B4")
    put(ws, 5, 1, "一级指标", HEAD, CENTER)
    put(ws, 5, 2, "二级指标", HEAD, CENTER)
    for column, name in ((3, "考核内容"), (4, "考核要求"), (5, "考核方式")):
        put(ws, 4, column, name, HEAD, CENTER)
        ws.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    borders(ws, 4, 5, 5)
    first = 6
    for offset, item in enumerate(rows):
        row = first + offset
        level1 = ws.cell(row, 1)
        if offset == 0 or rows[offset - 1]["level1"] != item["level1"]:
            level1 = put(ws, row, 1, parenthesised(item["level1"], item["level1_points"]))
        level1.alignment = CENTER
        level2 = f"{offset + 1}. {parenthesised(item['level2'], item['level2_points'])}"
        put(ws, row, 2, level2)
        put(ws, row, 3, item["task"])
        put(ws, row, 4, item["requirement"])
        put(ws, row, 5, "实地考核", align=CENTER)
    merge_runs(ws, 1, first, [r["level1"] for r in rows])
    borders(ws, first, first + len(rows) - 1, 5)
    page_setup(ws, [18, 26, 40, 40, 12], "4:5", "A6", landscape=True)
    save_reproducibly(workbook, path)


# -- main ------------------------------------------------------------------------------------------


def outputs(source_dir: Path) -> Iterator[tuple[str, Callable[[Path], None]]]:
    county = read_csv("indicators-county.csv", source_dir)
    dept1 = read_csv("indicators-dept1.csv", source_dir)
    dept2 = read_csv("indicators-dept2.csv", source_dir)
    units = read_csv("units.csv", source_dir)
    assessors = read_csv("assessors.csv", source_dir)
    yield "units.xlsx", lambda path: build_units(units, path)
    yield "assessors.xlsx", lambda path: build_desks(assessors, path)
    yield "indicators-county.xlsx", lambda path: build_wide(county, path, "附件3", 3, COUNTY_SUBTITLE)
    yield "indicators-dept1.xlsx", lambda path: build_dept1(dept1, path)
    yield "indicators-dept2.xlsx", lambda path: build_wide(dept2, path, "附件5", 5, "（部门2）")


def build_all(output_dir: Path = OUTPUT_DIR, source_dir: Path = SOURCE_DIR) -> list[Path]:
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in outputs(source_dir):
        path = output_dir / name
        build(path)
        written.append(path)
    return written


def main() -> int:
    for path in build_all():
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
