"""A group's 实地考核日程 as an .xlsx workbook: the group, its members, then its units by date."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font

from kaohe.core import xlsx_write
from kaohe.core.calendar import Calendar
from kaohe.plans.models import Plan

from .selectors import GroupSchedule, day_note, weekday

HEADERS = ("序号", "考察日期", "星期", "考核对象", "类别", "考察地点", "备注")
WIDTHS = (6, 12, 8, 32, 10, 32, 22)


def schedule_workbook(plan: Plan, schedule: GroupSchedule, calendar: Calendar) -> bytes:
    wb = xlsx_write.new_workbook()
    ws = xlsx_write.first_sheet(wb, schedule.group.name[:31].translate(str.maketrans("[]:*?/\\", "（）：＊？／＼")))
    bold = Font(bold=True)
    xlsx_write.append(ws, [f"{plan.title} · 实地考核日程"])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx_write.append(ws, ["考察组", schedule.group.name])
    leader = schedule.leader
    xlsx_write.append(ws, ["组长", f"{leader.user}（{leader.organisation.name}）" if leader else "—"])
    others = [f"{m.user}（{m.organisation.name}）" for m in schedule.members if not m.is_leader]
    xlsx_write.append(ws, ["成员", "、".join(others) or "—"])
    if plan.field_start and plan.field_end:
        xlsx_write.append(ws, ["实地考核时间", f"{plan.field_start:%Y-%m-%d} 至 {plan.field_end:%Y-%m-%d}"])
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row, max_col=1):
        row[0].font = bold
    ws.append([])
    xlsx_write.append(ws, list(HEADERS))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
    for n, a in enumerate(schedule.assignments, start=1):
        xlsx_write.append(
            ws,
            [
                n,
                a.visit_date,
                weekday(a.visit_date),
                a.unit.organisation.name,
                a.unit.category.name,
                a.address,
                day_note(calendar, a.visit_date),
            ],
        )
        ws.cell(row=ws.max_row, column=2).number_format = "yyyy-mm-dd"
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    return xlsx_write.save(wb)
