"""考核分析 tables: the Analysis as the tables shown on the page and written to the workbook, one per sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kaohe.results.analysis.figures import BANDS, REASONS_N, WEAKEST_N, Analysis

TEXT, NUMBER, RATE, COUNT, DELTA = "text", "number", "rate", "count", "delta"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    """One table of the page and one sheet of the workbook. Values: str, int, Decimal or None (—)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""

    @property
    def head(self) -> list[tuple[str, bool]]:
        """(title, numeric) per column."""
        return [(c.title, c.kind != TEXT) for c in self.columns]

    @property
    def body(self) -> list[list[tuple[str, bool]]]:
        """Per row, (text as shown, numeric) per cell."""
        return [[(display(v, c.kind), c.kind != TEXT) for c, v in zip(self.columns, row, strict=True)] for row in self.rows]


def display(value: Any, kind: str) -> str:
    """A cell as the page shows it: rates "91.75 %", changes signed "+1.20", None "—"."""
    if value is None:
        return "—"
    if kind == RATE:
        return f"{value:.2f} %"
    if kind == DELTA:
        return f"{value:+.2f}" if value else f"{abs(value):.2f}"
    if kind == NUMBER:
        return f"{value:.2f}"
    return str(value)


def _rate_columns(*first: Column) -> tuple[Column, ...]:
    return (*first, Column("得分", NUMBER), Column("应得分", NUMBER), Column("得分率", RATE))


def tables(analysis: Analysis) -> list[Table]:
    """Every table of the analysis, in page order (keys are stable: the page and the tests find them by key)."""
    found = [
        Table(
            "level1",
            "一级指标得分率",
            _rate_columns(Column("类别"), Column("编号"), Column("一级指标")),
            tuple((r.scope, r.code, r.name, r.earned, r.possible, r.rate) for r in analysis.level1),
        ),
        Table(
            "level2",
            "二级指标得分率",
            _rate_columns(Column("类别"), Column("编号"), Column("一级指标"), Column("二级指标")),
            tuple((r.scope, r.code, r.parent, r.name, r.earned, r.possible, r.rate) for r in analysis.level2),
        ),
        Table(
            "desks",
            "考核主体得分率",
            _rate_columns(Column("考核主体"), Column("负责任务数", COUNT)),
            tuple((d.desk, d.tasks, d.earned, d.possible, d.rate) for d in analysis.desks),
        ),
        Table(
            "distribution",
            "得分分布",
            (
                Column("类别"),
                *(Column(label, COUNT) for label, _lower in BANDS),
                Column("已计分", COUNT),
                Column("未计分", COUNT),
                Column("平均分", NUMBER),
                Column("最高分", NUMBER),
                Column("最低分", NUMBER),
            ),
            tuple((d.category, *d.counts, d.scored, d.unscored, d.average, d.highest, d.lowest) for d in analysis.distribution),
            "按内部考核得分（换算后、加减分前）占类别满分的百分比分段，下限含本数。",
        ),
    ]
    for index, heat in enumerate(analysis.heatmaps):
        found.append(
            Table(
                f"heat{index}",
                f"热力图-{heat.category}",
                (Column("考核对象"), *(Column(f"{code} {name}", RATE) for code, name in heat.columns)),
                tuple((unit, *cells) for unit, cells in heat.rows),
                f"{heat.category}：各考核对象在各一级指标上的得分率（按排名顺序）。",
            )
        )
    found += [
        Table(
            "weakest",
            "薄弱任务",
            (
                Column("类别"),
                Column("编号"),
                Column("工作任务"),
                Column("考核主体"),
                Column("计入的考核对象", COUNT),
                Column("未得满分", COUNT),
                Column("得分", NUMBER),
                Column("应得分", NUMBER),
                Column("得分率", RATE),
            ),
            tuple(
                (t.category, t.code, t.name, t.desk, t.units, t.below_full, t.earned, t.possible, t.rate)
                for t in analysis.weakest
            ),
            f"每个类别得分率最低的 {WEAKEST_N} 项工作任务。",
        ),
        Table(
            "reasons",
            "扣分理由",
            (Column("扣分理由"), Column("评价数", COUNT), Column("考核对象数", COUNT), Column("扣分合计", NUMBER)),
            tuple((r.reason, r.count, r.units, r.points_lost) for r in analysis.reasons),
            f"低于满分的评价共 {analysis.reasons_total} 项、{analysis.reasons_distinct} 种理由，列出最多的 {REASONS_N} 种。",
        ),
    ]
    if analysis.previous_label is not None:
        found += [
            Table(
                "year_level1",
                "同比-一级指标",
                (Column("一级指标"), Column("上年度得分率", RATE), Column("本年度得分率", RATE), Column("变化（百分点）", DELTA)),
                tuple((r.name, r.previous, r.current, r.change) for r in analysis.year_level1),
                f"全部类别合计，按一级指标名称对应；上年度：{analysis.previous_label}。",
            ),
            Table(
                "year_units",
                "同比-考核对象",
                (
                    Column("考核对象"),
                    Column("类别"),
                    Column("上年度得分率", RATE),
                    Column("本年度得分率", RATE),
                    Column("变化（百分点）", DELTA),
                    Column("上年度最终得分", NUMBER),
                    Column("本年度最终得分", NUMBER),
                    Column("变化（分）", DELTA),
                ),
                tuple(
                    (r.name, r.category, r.previous, r.current, r.change, r.previous_final, r.current_final, r.final_change)
                    for r in analysis.year_units
                ),
                f"按单位对应；得分率 = 原始得分 ÷ 适用满分；上年度：{analysis.previous_label}。",
            ),
        ]
    return found
