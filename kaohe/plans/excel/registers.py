"""Reading the unit list (附件1 as a table) and the assessor contact list (附件2)."""

from __future__ import annotations

from .headers import ASSESSOR_SYNONYMS, UNIT_SYNONYMS, Header, is_header_text
from .text import cell_text, squash
from .types import ERROR, DeskRow, DeskTable, Problem, UnitRow, UnitTable
from .workbook import Grid, column_letter

UNIT_LABELS = {"name": "单位名称", "category": "类别", "sort_key": "排序", "contact": "联系人", "account": "督导平台登录账号"}
UNIT_REQUIRED: list[tuple[str, ...]] = [("name",), ("category",)]

ASSESSOR_LABELS = {
    "seq": "序号",
    "name": "单位",
    "contact": "联系人",
    "phone": "联系电话",
    "address": "联系地址",
    "account": "督导平台登录账号",
}
ASSESSOR_REQUIRED: list[tuple[str, ...]] = [("name",), ("contact", "phone", "address", "account")]


class _RegisterReader:
    """Shared row walking: text per field, problems with Excel locations, formula cells."""

    def __init__(self, grid: Grid, header: Header) -> None:
        self.grid = grid
        self.header = header
        self.problems: list[Problem] = []

    def text(self, row: int, name: str) -> str:
        column = self.header.columns.get(name)
        return cell_text(self.grid.get(row, column)) if column else ""

    def error(self, code: str, message: str, row: int, name: str) -> None:
        column = self.header.columns.get(name)
        letter = column_letter(column) if column else ""
        self.problems.append(Problem(ERROR, code, message, self.grid.title, row, letter))

    def data_rows(self) -> list[int]:
        """Non-empty rows below the header; formula cells are reported on the way."""
        rows = []
        for row in range(self.header.row + 1, self.grid.max_row + 1):
            for column in range(1, self.grid.max_column + 1):
                if (row, column) in self.grid.formulas:
                    self.problems.append(
                        Problem(
                            ERROR,
                            "formula",
                            "含公式，请粘贴为数值",
                            self.grid.title,
                            row,
                            column_letter(column),
                        )
                    )
            if not self.grid.row_is_empty(row):
                rows.append(row)
        return rows


def read_units(grid: Grid, header: Header) -> UnitTable:
    reader = _RegisterReader(grid, header)
    units: list[UnitRow] = []
    seen: dict[str, int] = {}
    accounts: dict[str, int] = {}
    for row in reader.data_rows():
        name = squash(reader.text(row, "name"))
        category = squash(reader.text(row, "category"))
        if is_header_text(name, UNIT_SYNONYMS, "name"):
            continue  # header repeated further down
        if not name:
            reader.error("unit_name_missing", "缺少单位名称", row, "name")
            continue
        if not category:
            reader.error("unit_category_missing", f"单位“{name}”缺少类别", row, "category")
        if name in seen:
            reader.error("duplicate_unit", f"单位“{name}”与第{seen[name]}行重复", row, "name")
            continue
        seen[name] = row
        account = squash(reader.text(row, "account"))
        if account and account.lower() in accounts:
            message = f"督导平台登录账号“{account}”与第{accounts[account.lower()]}行重复"
            reader.error("duplicate_account", message, row, "account")
        if account:
            accounts.setdefault(account.lower(), row)
        units.append(UnitRow(category, name, reader.text(row, "sort_key"), row, squash(reader.text(row, "contact")), account))
    if not units and not reader.problems:
        reader.error("no_units", "表头下方没有任何单位", header.row + 1, "name")
    return UnitTable(units=units, problems=reader.problems, sheet=grid.title)


def read_desks(grid: Grid, header: Header) -> DeskTable:
    reader = _RegisterReader(grid, header)
    desks: list[DeskRow] = []
    names: dict[str, int] = {}
    accounts: dict[str, int] = {}
    for row in reader.data_rows():
        name = squash(reader.text(row, "name"))
        if is_header_text(name, ASSESSOR_SYNONYMS, "name"):
            continue
        if not name:
            reader.error("assessor_name_missing", "缺少单位（考核主体）名称", row, "name")
            continue
        if name in names:
            message = f"考核主体“{name}”与第{names[name]}行重复"
            reader.error("duplicate_assessor", message, row, "name")
            continue
        names[name] = row
        account = squash(reader.text(row, "account"))
        if account and account.lower() in accounts:
            message = f"督导平台登录账号“{account}”与第{accounts[account.lower()]}行重复"
            reader.error("duplicate_account", message, row, "account")
        if account:
            accounts.setdefault(account.lower(), row)
        desks.append(
            DeskRow(
                seq=reader.text(row, "seq"),
                name=name,
                contact=squash(reader.text(row, "contact")),
                phone=squash(reader.text(row, "phone")),
                address=squash(reader.text(row, "address")),
                account=account,
                row=row,
            )
        )
    if not desks and not reader.problems:
        reader.error("no_assessors", "表头下方没有任何考核主体", header.row + 1, "name")
    return DeskTable(desks=desks, problems=reader.problems, sheet=grid.title)
