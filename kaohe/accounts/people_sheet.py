"""The people list (人员名单: 姓名 / 登录账号 / 所属单位 / 角色 / 手机) read from .xlsx, its blank template, and the
initial-password sheet written as .xlsx. Pure: bytes in, plain data out; every problem reported at once.

Uploads go through the guarded reader (``kaohe.core.xlsx_read``, via the plans app's loader), with the same size
limit as the plan importer (``KAOHE_IMPORT_MAX_BYTES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kaohe.core import xlsx_write
from kaohe.core.sheets import ERROR, Grid, Problem, column_letter, load
from kaohe.core.xlsx_read import cell_key, cell_text

MAX_PEOPLE = 2000
HEADERS = ["姓名", "登录账号", "所属单位", "角色", "手机"]
REQUIRED = ["姓名", "登录账号", "所属单位", "角色"]
# Header texts people write instead of ours (whitespace removed before the lookup).
SYNONYMS = {
    "账号": "登录账号",
    "用户名": "登录账号",
    "督导平台登录账号": "登录账号",
    "单位": "所属单位",
    "单位名称": "所属单位",
    "手机号": "手机",
    "手机号码": "手机",
    "联系电话": "手机",
}
MOBILE_RE = re.compile(r"^[0-9+\-]{5,20}$")
PASSWORD_SHEET_HEADERS = ["单位", "姓名", "登录账号", "初始密码", "说明"]
PASSWORD_SHEET_NOTE = "首次登录须修改密码"  # noqa: S105  (a note, not a password)


@dataclass(frozen=True)
class PersonRow:
    row: int
    name: str
    username: str
    organisation: str
    role: str  # the Chinese label as written
    mobile: str


@dataclass
class PeopleTable:
    sheet: str = ""
    people: list[PersonRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _find_header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """The first row (within 10) naming every required column, with each known column's number."""
    for row in range(1, min(grid.max_row, 10) + 1):
        columns: dict[str, int] = {}
        for column in range(1, grid.max_column + 1):
            name = cell_key(grid.get(row, column))
            name = SYNONYMS.get(name, name)
            if name in HEADERS and name not in columns:
                columns[name] = column
        if all(h in columns for h in REQUIRED):
            return row, columns
    return None


def parse_people(data: bytes, *, max_bytes: int) -> PeopleTable:
    """Rows of the first worksheet; never raises. Checks here are the file's own (blank cells, duplicates in the
    file); whether units, roles and accounts exist is the service's check (``bulk.people_import_check``)."""
    loaded = load(data, max_bytes)
    table = PeopleTable()
    if loaded.problems or not loaded.grids:
        table.problems = loaded.problems or [Problem(ERROR, "no_sheet", "文件中没有可读取的工作表")]
        return table
    grid = loaded.grids[0]
    table.sheet = grid.title
    found = _find_header(grid)
    if found is None:
        wanted = "、".join(f"“{h}”" for h in REQUIRED)
        table.problems.append(
            Problem(ERROR, "header_missing", f"第一张工作表前10行中找不到表头{wanted}，请使用导入模板", grid.title)
        )
        return table
    header_row, columns = found

    def error(code: str, message: str, row: int, header: str) -> None:
        table.problems.append(Problem(ERROR, code, message, grid.title, row, column_letter(columns[header])))

    seen: dict[str, int] = {}
    for row in range(header_row + 1, grid.max_row + 1):
        if grid.row_is_empty(row):
            continue
        values = {h: cell_text(grid.get(row, c)) for h, c in columns.items()}
        for header, column in columns.items():
            if (row, column) in grid.formulas:
                error("formula", f"{header}含公式，请粘贴为数值", row, header)
        name, username = values["姓名"][:50], cell_key(values["登录账号"])
        missing = [h for h in REQUIRED if not values[h]]
        for header in missing:
            error("blank", f"缺少{header}", row, header)
        if missing:
            continue
        lowered = username.lower()
        if lowered in seen:
            error("duplicate_account", f"登录账号“{username}”与第{seen[lowered]}行重复", row, "登录账号")
            continue
        seen[lowered] = row
        mobile = cell_key(values.get("手机", ""))
        if mobile and not MOBILE_RE.match(mobile):
            error("mobile_invalid", f"手机“{mobile}”格式不正确（只能包含数字、+ 和 -）", row, "手机")
            continue
        table.people.append(PersonRow(row, name, username, values["所属单位"], cell_key(values["角色"]), mobile))
    if not table.people and not table.problems:
        table.problems.append(Problem(ERROR, "empty", "表头下方没有任何人员", grid.title, header_row + 1))
    if len(table.people) > MAX_PEOPLE:
        table.problems.append(Problem(ERROR, "too_many", f"一次最多导入 {MAX_PEOPLE} 人，请分批导入", grid.title))
    return table


def _workbook(title: str, headers: list[str], rows: Iterable[list[Any]], widths: dict[str, int]) -> bytes:
    book = xlsx_write.new_workbook()
    sheet = xlsx_write.first_sheet(book, title)
    xlsx_write.header(sheet, headers)
    for row in rows:
        xlsx_write.append(sheet, row)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[column_letter(index)].width = widths.get(header, 16)
    return xlsx_write.save(book)


def people_template() -> bytes:
    """The blank people list, with two example rows to overwrite."""
    rows = [
        ["张三（示例）", "zhangsan", "舞钢市人民政府", "考核对象", "13800000000"],
        ["李四（示例）", "lisi", "市司法局依法行政指导科", "考核主体", ""],
    ]
    return _workbook("人员名单", HEADERS, rows, {"所属单位": 32})


def password_sheet_workbook(rows: Iterable[tuple[str, str, str, str]]) -> bytes:
    """The initial-password sheet (单位 / 姓名 / 登录账号 / 初始密码 / 说明): handed out once, never stored."""
    lines = ([*row, PASSWORD_SHEET_NOTE] for row in rows)
    return _workbook("初始密码", PASSWORD_SHEET_HEADERS, lines, {"单位": 32, "初始密码": 22, "说明": 20})
