"""The desk grid's body (units × tasks) as lean HTML, built in Python: one control per cell.

The grid is the platform's largest page (46 units × 28 tasks in the demo's biggest category, about 230 × 28 at
300 units). Rendered through ``{% include "scoring/_cell.html" %}`` per cell it cost ~0.4 ms and 1.3 KB a cell
(docs/performance.md, "Second step"). Here each cell is one ``<form>`` with its one control (the 等次 select or
the 得分 input) and the hidden version; the reason, the 问题类型 and the save messages live in the full cell
(``scoring/_cell.html``), which ``static/js/grid.js`` fetches from the evaluate view when the cell is opened: a
value below full marks, F2 or a double click. Every save answers with the full cell, as before.

The markup mirrors ``scoring/_cell.html`` (same ids, classes, data attributes and Chinese labels, so grid.js,
the bulk form and the counter treat both alike); ``kaohe/scoring/tests/test_grid_lean.py`` checks the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from kaohe.core.templatetags.kaohe import pts
from kaohe.plans.models import Plan
from kaohe.scoring.models import GradeChoice
from kaohe.scoring.selectors import Cell, Grid

_GRADES = tuple(GradeChoice.choices)


def cell_path(base: str, unit_id: int, task_id: int) -> str:
    """``scoring:evaluate`` of a cell from the grid's own path: reverse() once per page, not once per cell."""
    return f"{base}{unit_id}/tasks/{task_id}/"


def _title(cell: Cell) -> str:
    """The cell's tooltip: what the full cell shows below the control (score, grader, reason)."""
    evaluation = cell.evaluation
    if evaluation is None:
        return ""
    text = f"{pts(evaluation.score)} 分 · {evaluation.evaluated_by}"
    if evaluation.reason:
        text += f"\n扣分理由：{evaluation.reason}"
    return f' title="{escape(text)}"'


def _hint_marker(cell: Cell, insights_base: str) -> str:
    """材料分析提示: a link to the submission's analysis when it has open hints (never part of the score)."""
    if not cell.hints:
        return ""
    href = f"{insights_base}{cell.unit.pk}/tasks/{cell.task.pk}/"
    return (
        f'<a class="badge bg-orange-lt kaohe-hint-marker" href="{href}" '
        f'title="{cell.hints} 条材料分析提示（仅供参考，不影响评分）" data-testid="cell-hints">提示{cell.hints}</a>'
    )


def _events(cell: Cell) -> str:
    """事件触发报送: “事件 N 件：按时 a 件，逾期 b 件” under the evidence label."""
    if not cell.events:
        return ""
    overdue = " text-danger" if cell.events.overdue else ""
    title = escape(f"事件触发报送：{cell.task.event_label}，事件后{cell.task.event_days}个工作日内上传")
    return f'<div class="kaohe-cell-meta{overdue}" data-testid="cell-events" title="{title}">{escape(cell.events.summary)}</div>'


def _control(cell: Cell, unit_name: str, can_write: bool) -> str:
    disabled = "" if can_write else " disabled"
    evaluation = cell.evaluation
    code = escape(cell.task.code)
    if cell.graded:
        current = evaluation.grade if evaluation is not None else ""
        options = "".join(
            f'<option value="{value}"{" selected" if value == current else ""}>{label}</option>' for value, label in _GRADES
        )
        return (
            f'<select name="grade" class="form-select form-select-sm" aria-label="{unit_name} {code} 等次（键 1–4 或 y/l/z/c 评定）"'
            f'{disabled} data-grid-input><option value="">—</option>{options}</select>'
        )
    full = pts(cell.task.points)
    value = pts(evaluation.score) if evaluation is not None else ""
    return (
        f'<input name="score" class="form-control form-control-sm" inputmode="decimal" autocomplete="off" '
        f'aria-label="{unit_name} {code} 得分（满分 {full}）" value="{value}" placeholder="0–{full}"{disabled} data-grid-input>'
    )


def _cell(cell: Cell, unit_name: str, url: str, can_write: bool, full_cell: Callable[[Cell], str], insights_base: str) -> str:
    if cell.points_changed:  # rare (the office changed the points after grading): the full cell, with its 确认
        return f"<td>{full_cell(cell)}</td>"
    unit_id, task_id = cell.unit.pk, cell.task.pk
    version = cell.evaluation.version if cell.evaluation is not None else 0
    attrs = [f'id="cell-{unit_id}-{task_id}" class="kaohe-cell{" is-next-year" if cell.next_year else ""}"']
    if can_write and not cell.next_year:
        attrs.append(f'hx-post="{url}" hx-trigger="change" hx-swap="outerHTML"')
    attrs.append(f'data-testid="cell" data-cell="{unit_id}-{task_id}-{version}"')
    if cell.counted:
        attrs.append("data-counted")
    if cell.evaluation is not None:
        attrs.append("data-evaluated")
    if cell.task.points is not None:
        attrs.append(f'data-points="{cell.task.points}"')
    if can_write and cell.graded and cell.counted and not cell.conflict_refused:
        attrs.append("data-selectable")
    parts = [f"<td><form {' '.join(attrs)}{_title(cell)}>", _hint_marker(cell, insights_base)]
    if cell.evidence is not None:
        value = cell.evidence.value
        parts.append(
            f'<span class="kaohe-evidence kaohe-evidence-{value}" data-testid="cell-evidence" data-evidence="{value}">'
            f"{cell.evidence.label}</span>"
        )
    parts.append(_events(cell))
    if cell.not_applicable is not None:
        parts.append(f'<span class="badge bg-muted-lt" title="{escape(cell.not_applicable.reason)}">不涉及</span>')
    elif cell.next_year:
        parts.append(
            '<span class="badge bg-muted-lt" title="该任务为明年考核内容，不计入本年度，无需评价" data-testid="cell-next-year">明年考核</span>'
        )
    elif cell.task.points is None:
        parts.append('<span class="badge bg-orange-lt">未写分值</span>')
    elif cell.conflict_refused and can_write:
        conflict = escape(cell.conflict)
        parts.append(
            f'<span class="badge bg-red-lt" title="{conflict}" data-testid="cell-conflict">回避</span>'
            f'<div class="kaohe-cell-meta">{conflict}</div>'
        )
    else:
        parts.append(_control(cell, unit_name, can_write))
        parts.append(f'<input type="hidden" name="version" value="{version}">')
        if cell.conflict:
            parts.append(
                f'<span class="badge bg-orange-lt" title="{escape(cell.conflict)}" data-testid="cell-conflict">回避</span>'
            )
    parts.append("</form></td>")
    return "".join(parts)


def grid_rows(plan: Plan, data: Grid, *, can_write: bool, full_cell: Callable[[Cell], str]) -> SafeString:
    """The ``<tr>`` of every unit: its name (a link to its grading page), then one lean cell per task.

    ``full_cell`` renders ``scoring/_cell.html`` for the rare cell that needs more than its control on the grid
    (分值已变更: the note and its 确认 button)."""
    base = reverse("scoring:grid", args=[plan.pk])
    # insights:submission of a cell, from one reverse() per page (as cell_path does for scoring:evaluate)
    insights_base = reverse("insights:submission", args=[plan.pk, 0, 0]).removesuffix("0/tasks/0/")
    rows = []
    for unit, cells in data.rows:
        name = escape(unit.organisation.name)
        head = f'<tr data-testid="grid-row"><th class="kaohe-grid-unit"><a href="{base}{unit.pk}/">{name}</a></th>'
        body = "".join(
            _cell(cell, name, cell_path(base, unit.pk, cell.task.pk), can_write, full_cell, insights_base) for cell in cells
        )
        rows.append(f"{head}{body}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 — every value above is escaped or one of ours
