"""A snapshot as an .xlsx workbook: a note sheet, one ranked table per category, and every task of every unit.

Numbers are written as numbers (Decimal) with the format 0.00, times as local times, headers in Chinese; the
workbook is written in openpyxl's write-only mode so a province's 360,000 task rows stay in bounded memory.
The ranked and breakdown sheets are laid out to be printed (``xlsx_write.print_setup``): title rows (plan, 类别,
which computation, when generated), widths, wrapped names and reasons, A4 landscape one page wide with the
header row repeated and frozen.
Queries: the snapshot, the indicator trees, the current evaluations, and (when something changed since) the
history of the changed ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kaohe.core import xlsx_write
from kaohe.plans.models import Plan
from kaohe.results import selectors
from kaohe.results.loader import ukey
from kaohe.results.models import ResultSnapshot

RANKED_HEADERS = (
    "排名",
    "考核对象",
    "原始得分",
    "适用满分",
    "换算得分",
    "加分",
    "减分",
    "最终得分",
    "拟定等次",
    "等次（否决后）",
    "备注",
)
RANKED_WIDTHS = (6, 28, 10, 10, 10, 8, 8, 10, 10, 12, 40)
BREAKDOWN_HEADERS = (
    "类别",
    "考核对象",
    "一级指标",
    "二级指标",
    "任务编号",
    "工作任务",
    "考核方式",
    "分值",
    "等次",
    "得分",
    "状态",
    "考核主体",
    "评价人",
    "评价时间",
    "扣分理由或说明",
    "评价来源",
)
BREAKDOWN_WIDTHS = (10, 24, 18, 18, 9, 40, 10, 7, 6, 8, 10, 20, 10, 17, 40, 14)
STATE_LABELS = {
    "scored": "已评价",
    "missing": "未评价",
    "zero_filled": "未评价，按0分计",
    "not_applicable": "不涉及",
    "zeroed": "因减分按0分计",
    "no_points": "未写分值",
}
NUMBER = "0.00"


def _sheet_title(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", name).strip("' ")[:28] or "类别"
    title, n = base, 2
    while title in taken:
        title, n = f"{base}{n}", n + 1
    taken.add(title)
    return title


def _number(sheet: WriteOnlyWorksheet, value: Decimal | str | None) -> WriteOnlyCell | None:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=Decimal(value))
    cell.number_format = NUMBER
    return cell


def _widths(sheet: WriteOnlyWorksheet, widths: Iterable[int]) -> None:
    xlsx_write.widths(sheet, widths)


def _printable(sheet: WriteOnlyWorksheet, title: str, lines: list[str], widths: tuple[int, ...], *, freeze: int) -> None:
    """Widths, print setup and the title rows of a sheet to print; the header row comes next."""
    _widths(sheet, widths)
    xlsx_write.print_setup(sheet, header_row=len(lines) + 2, freeze_column=freeze)
    xlsx_write.title_rows(sheet, title, lines, columns=len(widths))


def _about(snapshot: ResultSnapshot, category: str) -> list[str]:
    """The lines under a sheet's title: 类别, the computation, when the sheet was generated."""
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return [f"类别：{category}", f"第{snapshot.seq}次计算（{snapshot.get_status_display()}）　生成时间：{generated}"]


def _remarks(row: selectors.RankedRow, bottom_n: int) -> str:
    notes = []
    if not row.scored:
        notes.append(f"未评价 {row.missing} 项，暂不计分")
    elif row.not_assessed:
        notes.append(f"未取得任何评价，{row.missing} 项按0分计，不列入后{bottom_n}名")
    elif row.zero_filled:
        notes.append(f"{row.missing} 项未评价按0分计")
    if row.vetoes_applied:
        notes.append("否决情形：" + "、".join(row.vetoes_applied))
    if row.final is not None and Decimal(row.final) < 0:
        notes.append("减分超过考核得分，最终得分低于0分（方案未规定最低分）")
    if row.in_bottom:
        notes.append(f"后{bottom_n}名")
    if row.excellent_two_years:
        notes.append("连续两年优秀")
    return "；".join(notes)


def _ranked_sheet(workbook: Workbook, title: str, plan: Plan, snapshot: ResultSnapshot, table: selectors.CategoryTable) -> None:
    sheet = workbook.create_sheet(title)
    _printable(sheet, f"{plan.title}考核结果", _about(snapshot, table.name), RANKED_WIDTHS, freeze=3)
    xlsx_write.header(sheet, RANKED_HEADERS)
    for row in table.rows:
        xlsx_write.append(
            sheet,
            [
                row.rank,
                xlsx_write.text_cell(sheet, row.name),
                _number(sheet, row.raw),
                _number(sheet, row.applicable_max),
                _number(sheet, row.converted),
                _number(sheet, row.bonus_total),
                _number(sheet, row.deduction_total),
                _number(sheet, row.final),
                row.proposed_grade or "",
                row.grade or "",
                xlsx_write.text_cell(sheet, _remarks(row, table.bottom_n)),
            ],
        )


def _note_sheet(workbook: Workbook, plan: Plan, snapshot: ResultSnapshot, tables: list[selectors.CategoryTable]) -> None:
    sheet = workbook.create_sheet("说明")
    _widths(sheet, (18, 80))
    computed_at = timezone.localtime(snapshot.computed_at).replace(tzinfo=None)
    rows: list[tuple[str, Any]] = [
        ("考核方案", plan.title),
        ("计算", f"第{snapshot.seq}次（{snapshot.get_status_display()}）"),
        ("计算时间", computed_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("计算人", str(snapshot.computed_by)),
        ("缺少评价时", snapshot.get_missing_policy_display()),
        ("按0分计的决定", snapshot.decision_note or "—"),
        ("评价情况", snapshot.completeness),
        ("输入摘要（SHA-256）", snapshot.inputs_digest),
    ]
    rows += [
        (f"类别：{t.name}", f"{t.unit_count} 个考核对象，已计分 {t.scored_count} 个，缺少评价 {t.missing_count} 项")
        for t in tables
    ]
    for label, value in rows:
        label_cell = xlsx_write.cell(sheet, label)
        label_cell.font = xlsx_write.HEADER_FONT
        xlsx_write.append(sheet, [label_cell, str(value)])


def _breakdown_sheet(
    workbook: Workbook,
    plan: Plan,
    snapshot: ResultSnapshot,
    data: dict[str, Any],
    inputs: dict[str, Any],
    *,
    category_id: int | None = None,
) -> None:
    sheet = workbook.create_sheet("得分明细")
    order = [k for k in data["order"] if category_id is None or data["categories"][k]["meta"]["category_id"] == category_id]
    category = "全部类别" if category_id is None else "、".join(data["categories"][k]["meta"]["name"] for k in order)
    _printable(sheet, f"{plan.title}得分明细", _about(snapshot, category), BREAKDOWN_WIDTHS, freeze=3)
    xlsx_write.header(sheet, BREAKDOWN_HEADERS)
    unit_ids = [u for k in order for u in data["categories"][k]["meta"]["ranked"]]
    trees = selectors.category_trees(plan, None if category_id is None else [category_id])
    current = selectors.current_evaluations(plan, None if category_id is None else unit_ids)
    records = inputs["units"].values() if category_id is None else [inputs["units"][ukey(u)] for u in unit_ids]
    wanted = {
        row[1]: row[2]
        for record in records
        for row in record["evaluations"]
        if row[1] not in current or current[row[1]].version != row[2]
    }
    earlier = selectors.versions_given(wanted)
    for key in order:
        category = data["categories"][key]
        meta = category["meta"]
        tree = trees.get(meta["category_id"], selectors.Tree([], {}, {}, {}))
        for unit_id in meta["ranked"]:
            name = category["units"][ukey(unit_id)]["name"]
            record = inputs["units"][ukey(unit_id)]
            detail = category["details"][ukey(unit_id)]
            for block1 in selectors.unit_lines(tree, record, detail, snapshot.missing_policy, current, earlier):
                for block2 in block1.blocks:
                    for line in block2.lines:
                        _task_row(sheet, meta["name"], name, block1, block2, line)


def _task_row(
    sheet: WriteOnlyWorksheet,
    category: str,
    unit: str,
    block1: selectors.Level1Block,
    block2: selectors.Level2Block,
    line: selectors.TaskLine,
) -> None:
    given = line.given
    at = timezone.localtime(given.at).replace(tzinfo=None) if given is not None and given.at is not None else None
    at_cell = None
    if at is not None:
        at_cell = WriteOnlyCell(sheet, value=at)
        at_cell.number_format = "yyyy-mm-dd hh:mm"
    explanation = "；".join(part for part in (given.reason if given else "", line.note) if part)
    method = f"{line.method}（{line.adjustment}）" if line.adjustment else line.method
    xlsx_write.append(
        sheet,
        [
            category,
            unit,
            f"{block1.code} {block1.name}",
            f"{block2.code} {block2.name}",
            line.code,
            xlsx_write.text_cell(sheet, line.name),
            method,
            _number(sheet, line.points),
            line.grade,
            _number(sheet, line.score),
            STATE_LABELS[line.state],
            given.desk if given else "",
            given.who if given else "",
            at_cell,
            xlsx_write.text_cell(sheet, explanation),
            given.source if given else "",
        ],
    )


def snapshot_workbook(plan: Plan, snapshot: ResultSnapshot) -> bytes:
    """The whole snapshot as .xlsx bytes."""
    data, inputs = ResultSnapshot.objects.filter(pk=snapshot.pk).values_list("data", "inputs").get()
    tables = selectors.all_category_tables(data, inputs)
    workbook = xlsx_write.new_workbook(write_only=True)
    _note_sheet(workbook, plan, snapshot, tables)
    taken = {"说明", "得分明细"}
    for table in tables:
        _ranked_sheet(workbook, _sheet_title(table.name, taken), plan, snapshot, table)
    _breakdown_sheet(workbook, plan, snapshot, data, inputs)
    return xlsx_write.save(workbook)


def category_score_sheet(plan: Plan, snapshot: ResultSnapshot, category_id: int) -> bytes | None:
    """One category's score sheet (评分表): a note, its ranked table and every task of its units with the
    deduction reasons and the source of each evaluation. None if the snapshot has no such category."""
    data, inputs = ResultSnapshot.objects.filter(pk=snapshot.pk).values_list("data", "inputs").get()
    tables = [t for t in selectors.all_category_tables(data, inputs) if t.id == category_id]
    if not tables:
        return None
    workbook = xlsx_write.new_workbook(write_only=True)
    _note_sheet(workbook, plan, snapshot, tables)
    _ranked_sheet(workbook, _sheet_title(f"{tables[0].name}排名", {"说明", "得分明细"}), plan, snapshot, tables[0])
    _breakdown_sheet(workbook, plan, snapshot, data, inputs, category_id=category_id)
    return xlsx_write.save(workbook)
