"""The indicator tree's HTML (一级 → 二级 → 工作任务), built in Python.

A category's table has 100–200 tasks of ~15 fields each; through the template engine the rows cost more than the
rest of the page. This writes the same markup ``plans/tree.html`` wrote (``tests/test_tree_html.py`` compares it
with the former template on the demo's tables and on hostile names). Every value is escaped.
"""

from __future__ import annotations

import datetime as dt

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from kaohe.core.templatetags.kaohe import cn_ordinal, pts
from kaohe.plans.models import Indicator
from kaohe.plans.selectors import TreeNode


def _e(value: object) -> str:
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def _task_row(t: TreeNode) -> str:
    n: Indicator = t.node
    badges = ""
    if n.adjustment:
        badges += f'<span class="badge bg-purple-lt">{_e(n.get_adjustment_display())}</span>'
    if n.counts_next_year:
        badges += '<span class="badge bg-cyan-lt">明年考核</span>'
    if n.event_label:
        label = _e(n.event_label)
        badges += (
            f'<span class="badge bg-teal-lt" data-testid="event-mode" title="考核对象逐件登记“{label}”，每件在事件后'
            f'{_e(n.event_days)}个工作日内上传资料">事件触发：{label}·{_e(n.event_days)}个工作日</span>'
        )
    texts = ""
    if n.materials:
        texts += f'<div class="kaohe-requirement">报送材料：{_e(n.materials)}</div>'
    if n.requirement:
        texts += f'<div class="kaohe-requirement">工作要求：{_e(n.requirement)}</div>'
    points = _e(pts(n.points)) if n.points is not None else '<span class="badge bg-orange-lt">未写</span>'
    deadline = n.deadline.isoformat() if isinstance(n.deadline, dt.date) else "—"
    assessor = n.assessor.organisation.name if n.assessor is not None else ""
    return (
        f'<tr id="task-{n.pk}" class="{"warned" if t.warned else ""}" data-testid="task-row">'
        f'<td class="kaohe-nowrap">{_e(n.code)}</td>'
        f"<td>{_e(n.name)} {badges}{texts}</td>"
        f'<td class="kaohe-nowrap">{_e(n.get_method_display())}</td>'
        f'<td class="text-end kaohe-points">{points}</td>'
        f'<td class="kaohe-nowrap">{deadline}</td>'
        f"<td>{_e(assessor or '—')}</td></tr>"
    )


def _level2(l2: TreeNode) -> str:
    n = l2.node
    if l2.is_adjustment_group:
        points = '<span class="badge bg-purple-lt">不计入满分</span>'
    elif n.points is not None:
        points = f"{_e(pts(n.points))} 分"
        if l2.mismatch:
            points += f' <span class="badge bg-orange-lt">任务合计 {_e(pts(l2.task_sum))}</span>'
    else:
        points = f"{_e(pts(l2.task_sum))} 分（任务合计）"
    rows = "".join(_task_row(t) for t in l2.children)
    return (
        f'<details class="level2 {"warned" if l2.warned else ""}">'
        f'<summary>{_e(n.code)} {_e(n.name)} <span class="kaohe-points float-end">{points}</span></summary>'
        '<div class="tasks table-responsive"><table class="table table-sm mb-2">'
        "<thead><tr><th>编号</th><th>工作任务</th><th>考核方式</th>"
        '<th class="text-end">分值</th><th>时间要求</th><th>责任主体</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div></details>"
    )


def tree_html(tree: list[TreeNode]) -> SafeString:
    """The tree's ``<details>`` (inside the page's ``kaohe-tree`` card), or the empty-category line."""
    if not tree:
        return mark_safe('<div class="card-body text-secondary">该类别还没有指标。</div>')
    parts = []
    for l1 in tree:
        n = l1.node
        points = f"{_e(pts(n.points))} 分" if n.points is not None else "未写分值"
        if l1.mismatch:
            points += f' <span class="badge bg-orange-lt">任务合计 {_e(pts(l1.task_sum))}</span>'
        children = "".join(_level2(l2) for l2 in l1.children)
        parts.append(
            f'<details class="level1 {"warned" if l1.warned else ""}" open>'
            f'<summary>{_e(cn_ordinal(n.code))}、{_e(n.name)} <span class="kaohe-points float-end">{points}</span>'
            f"</summary>{children}</details>"
        )
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped or one of ours
