"""Reading the .xlsx tables of 案卷集中评查 (a unit's case-file list, the checklist) — pure, no ORM.

The first visible sheet is read; its header row is the first row (within the first 10) naming the required
columns. Errors name the Excel row: “第5行：决定日期“2020-13-01”不是有效日期”. Nothing raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from kaohe.core.sheets import Grid, load
from kaohe.inspections.casefiles.models import CaseFileKind

T = TypeVar("T")
HEADER_SCAN_ROWS = 10
MAX_DATA_ROWS = 2000

# canonical column → accepted header texts (compared without spaces)
CASE_FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("案号", "案卷号", "文号"),
    "kind": ("案卷类型", "类型", "案件类型"),
    "decided_on": ("决定日期", "作出决定日期", "结案日期", "决定时间"),
    "handler": ("承办人", "承办人员", "经办人"),
    "note": ("备注", "说明"),
}
CASE_FILE_REQUIRED = ("number", "kind", "decided_on", "handler")
CHECKLIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("评查项目", "项目", "评查内容"),
    "max_deduction": ("最高扣分", "扣分上限", "分值"),
    "description": ("评查标准", "说明", "扣分标准"),
}
CHECKLIST_REQUIRED = ("name", "max_deduction")
LABELS = {
    "number": "案号",
    "kind": "案卷类型",
    "decided_on": "决定日期",
    "handler": "承办人",
    "name": "评查项目",
    "max_deduction": "最高扣分",
}
KIND_WORDS = {
    "行政执法": CaseFileKind.ENFORCEMENT,
    "执法": CaseFileKind.ENFORCEMENT,
    "行政复议": CaseFileKind.RECONSIDERATION,
    "复议": CaseFileKind.RECONSIDERATION,
    "规范性文件": CaseFileKind.NORMATIVE,
    "行政规范性文件": CaseFileKind.NORMATIVE,
    "重大行政决策": CaseFileKind.MAJOR_DECISION,
    "重大决策": CaseFileKind.MAJOR_DECISION,
}
KIND_HINT = "、".join(f"“{label}”" for label in CaseFileKind.labels)


@dataclass
class CaseFileRow:
    row: int
    number: str
    kind: str
    decided_on: dt.date
    handler: str
    note: str


@dataclass
class ChecklistRow:
    row: int
    name: str
    max_deduction: Decimal
    description: str


@dataclass
class Parsed(Generic[T]):
    rows: list[T] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _key(value: Any) -> str:
    return re.sub(r"[\s*＊]", "", _text(value))


def _header(grid: Grid, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> tuple[int, dict[str, int]] | str:
    best: tuple[int, dict[str, int]] | None = None
    for row in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
        found: dict[str, int] = {}
        for column in range(1, grid.max_column + 1):
            text = _key(grid.get(row, column))
            for name, accepted in columns.items():
                if text in accepted and name not in found:
                    found[name] = column
        if best is None or len(found) > len(best[1]):
            best = (row, found)
        if all(name in found for name in required):
            return row, found
    have = best[1] if best else {}
    missing = [LABELS[name] for name in required if name not in have]
    return f"表格缺少必需的列：{'、'.join(missing)}（表头须在前 {HEADER_SCAN_ROWS} 行内）"


def _grid(data: bytes, max_bytes: int) -> Grid | str:
    loaded = load(data, max_bytes)
    if loaded.problems:
        return loaded.problems[0].message
    if not loaded.grids or not loaded.grids[0].values:
        return "表格是空的，没有可导入的内容"
    return loaded.grids[0]


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_case_files(data: bytes, *, max_bytes: int) -> Parsed[CaseFileRow]:
    result: Parsed[CaseFileRow] = Parsed()
    grid = _grid(data, max_bytes)
    if isinstance(grid, str):
        result.errors.append(grid)
        return result
    header = _header(grid, CASE_FILE_COLUMNS, CASE_FILE_REQUIRED)
    if isinstance(header, str):
        result.errors.append(header)
        return result
    header_row, columns = header
    seen: dict[str, int] = {}
    for row in range(header_row + 1, grid.max_row + 1):
        cells = {name: grid.get(row, column) for name, column in columns.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        if len(result.rows) + len(result.errors) >= MAX_DATA_ROWS:
            result.errors.append(f"表格超过 {MAX_DATA_ROWS} 行，请分批导入")
            break
        problems: list[str] = []
        number = _text(cells["number"])
        if not number:
            problems.append("案号为空")
        elif len(number) > 100:
            problems.append("案号超过 100 字")
        elif number in seen:
            problems.append(f"案号“{number}”与第{seen[number]}行重复")
        kind_text = _key(cells["kind"])
        kind = KIND_WORDS.get(kind_text)
        if kind is None:
            problems.append(f"案卷类型“{_text(cells['kind'])}”应为{KIND_HINT}之一" if kind_text else "案卷类型为空")
        decided_on = parse_date(cells["decided_on"])
        if decided_on is None:
            raw = _text(cells["decided_on"])
            problems.append(f"决定日期“{raw}”不是有效日期（例如 2020-06-30）" if raw else "决定日期为空")
        handler = _text(cells["handler"])
        if not handler:
            problems.append("承办人为空")
        elif len(handler) > 50:
            problems.append("承办人超过 50 字")
        note = _text(cells.get("note"))
        if len(note) > 500:
            problems.append("备注超过 500 字")
        if problems or kind is None or decided_on is None:
            result.errors.append(f"第{row}行：{'；'.join(problems)}")
            continue
        seen[number] = row
        result.rows.append(CaseFileRow(row, number, str(kind), decided_on, handler, note))
    if not result.rows and not result.errors:
        result.errors.append("表格中没有案卷（表头下方没有内容）")
    return result


def parse_decimal(value: Any) -> Decimal | None:
    text = _text(value).removesuffix("分").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_checklist(data: bytes, *, max_bytes: int) -> Parsed[ChecklistRow]:
    result: Parsed[ChecklistRow] = Parsed()
    grid = _grid(data, max_bytes)
    if isinstance(grid, str):
        result.errors.append(grid)
        return result
    header = _header(grid, CHECKLIST_COLUMNS, CHECKLIST_REQUIRED)
    if isinstance(header, str):
        result.errors.append(header)
        return result
    header_row, columns = header
    seen: dict[str, int] = {}
    for row in range(header_row + 1, grid.max_row + 1):
        cells = {name: grid.get(row, column) for name, column in columns.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        problems: list[str] = []
        name = _text(cells["name"])
        if not name:
            problems.append("评查项目为空")
        elif len(name) > 100:
            problems.append("评查项目超过 100 字")
        elif name in seen:
            problems.append(f"评查项目“{name}”与第{seen[name]}行重复")
        points = parse_decimal(cells["max_deduction"])
        raw = _text(cells["max_deduction"])
        if points is None:
            problems.append(f"最高扣分“{raw}”不是数字" if raw else "最高扣分为空")
        elif points <= 0 or points > Decimal(1000):
            problems.append("最高扣分须大于 0 且不超过 1000")
        elif isinstance(points.as_tuple().exponent, int) and int(points.as_tuple().exponent) < -2:
            problems.append("最高扣分最多保留两位小数")
        if problems or points is None:
            result.errors.append(f"第{row}行：{'；'.join(problems)}")
            continue
        seen[name] = row
        result.rows.append(ChecklistRow(row, name, points.quantize(Decimal("0.01")), _text(cells.get("description"))))
    if not result.rows and not result.errors:
        result.errors.append("表格中没有评查项目（表头下方没有内容）")
    return result
