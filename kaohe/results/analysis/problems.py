"""问题类型统计: deduction reasons and feedback problems counted by the plan's problem kinds. Pure: no ORM.

The rows come from ``selectors_analysis.problem_rows`` (the evaluations as they stand and the problems recorded
for feedback). ``problem_tables`` gives the two tables of the analysis page and workbook (kind × category, kind ×
unit); ``problem_sentences`` the lines the bulletin's analysis section may quote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kaohe.results.analysis.tabulation import COUNT, Column, Table

DEDUCTION, FEEDBACK = "deduction", "feedback"


@dataclass(frozen=True)
class ProblemRow:
    """One deduction reason or one feedback problem that carries a kind."""

    kind: str
    kind_order: tuple[int, int]
    category: str
    category_order: tuple[int, int]
    unit: str
    source: str  # DEDUCTION or FEEDBACK


def _kinds(rows: Sequence[ProblemRow]) -> list[str]:
    return [k for k, _o in sorted({(r.kind, r.kind_order) for r in rows}, key=lambda pair: pair[1])]


def _categories(rows: Sequence[ProblemRow]) -> list[str]:
    return [c for c, _o in sorted({(r.category, r.category_order) for r in rows}, key=lambda pair: pair[1])]


def problem_tables(rows: Sequence[ProblemRow]) -> list[Table]:
    """问题类型 × 类别 (with the two sources), and 问题类型 × 考核对象."""
    kinds, categories = _kinds(rows), _categories(rows)
    by_category = Counter((r.kind, r.category) for r in rows)
    by_source = Counter((r.kind, r.source) for r in rows)
    total = Counter(r.kind for r in rows)
    note = "扣分理由取各任务当前的评价（低于满分且选了问题类型的）；发现的问题含考核办已记录、尚未反馈的。"
    kind_table = Table(
        "problem_kinds",
        "问题类型统计（按类别）",
        (
            Column("问题类型"),
            *(Column(c, COUNT) for c in categories),
            Column("合计", COUNT),
            Column("其中扣分理由", COUNT),
            Column("其中发现的问题", COUNT),
        ),
        tuple(
            (
                kind,
                *(by_category[kind, c] for c in categories),
                total[kind],
                by_source[kind, DEDUCTION],
                by_source[kind, FEEDBACK],
            )
            for kind in kinds
        ),
        note,
    )
    by_unit = Counter((r.kind, r.kind_order, r.category_order, r.category, r.unit) for r in rows)
    unit_table = Table(
        "problem_kind_units",
        "问题类型统计（按考核对象）",
        (Column("问题类型"), Column("类别"), Column("考核对象"), Column("件数", COUNT)),
        tuple(
            (kind, category, unit, count)
            for (kind, _ko, _co, category, unit), count in sorted(by_unit.items(), key=lambda item: item[0][1:])
        ),
        note,
    )
    return [kind_table, unit_table]


def problem_sentences(rows: Sequence[ProblemRow]) -> list[str]:
    """One line per kind: "规范性文件超期报备共79件，其中县区政府53件、部门26件。" (categories with none left out)."""
    categories = _categories(rows)
    by_category = Counter((r.kind, r.category) for r in rows)
    total = Counter(r.kind for r in rows)
    lines = []
    for kind in _kinds(rows):
        present = [c for c in categories if by_category[kind, c]]
        line = f"{kind}共{total[kind]}件"
        if len(present) > 1:
            line += "，其中" + "、".join(f"{c}{by_category[kind, c]}件" for c in present)
        elif present:
            line += f"，均为{present[0]}"
        lines.append(line + "。")
    return lines
