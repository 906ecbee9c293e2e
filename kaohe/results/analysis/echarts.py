"""考核分析 charts: plain-data specifications (Decimals as strings) that static/results/analysis.js draws with ECharts."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kaohe.results.analysis.figures import ACROSS, BANDS, Analysis


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _bars(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    unit: str = "%",
    fixed: bool = True,
) -> dict[str, Any]:
    return {
        "id": chart_id,
        "kind": "bars",
        "title": title,
        "labels": list(labels),
        "series": [{"name": name, "values": [_text(v) for v in values]} for name, values in series],
        "unit": unit,
        "max": "100" if fixed else None,
    }


bars = _bars  # public: other pages drawn by analysis.js (下级考核汇总) build their "bars" specs with it


def charts(analysis: Analysis) -> list[dict[str, Any]]:
    """What static/results/analysis.js draws: JSON-ready specs (numbers as strings; the tables hold the exact
    figures). Kinds: "bars" (horizontal, one or more series), "columns" (vertical counts) and "heatmap"."""
    specs: list[dict[str, Any]] = []
    across = [r for r in analysis.level1 if r.scope == ACROSS]
    labels = [r.name for r in across]
    series = [(ACROSS, [r.rate for r in across])]
    for category in analysis.categories:
        rates = {r.name: r.rate for r in analysis.level1 if r.scope == category.name}
        series.append((category.name, [rates.get(name) for name in labels]))
    specs.append(_bars("chart-level1", "一级指标得分率", labels, series))
    level2 = [r for r in analysis.level2 if r.scope == ACROSS]
    specs.append(
        _bars("chart-level2", "二级指标得分率（全部类别）", [r.name for r in level2], [(ACROSS, [r.rate for r in level2])])
    )
    specs.append(
        _bars("chart-desks", "考核主体得分率", [d.desk for d in analysis.desks], [("得分率", [d.rate for d in analysis.desks])])
    )
    specs.append(
        {
            "id": "chart-distribution",
            "kind": "columns",
            "title": "得分分布（考核对象数）",
            "labels": [label for label, _lower in BANDS],
            "series": [{"name": d.category, "values": [str(n) for n in d.counts]} for d in analysis.distribution],
        }
    )
    for index, heat in enumerate(analysis.heatmaps):
        specs.append(
            {
                "id": f"chart-heat{index}",
                "kind": "heatmap",
                "title": f"{heat.category}：考核对象 × 一级指标得分率",
                "x": [f"{code} {name}" for code, name in heat.columns],
                "y": [unit for unit, _cells in heat.rows],
                "values": [
                    [x, y, str(value)]
                    for y, (_unit, cells) in enumerate(heat.rows)
                    for x, value in enumerate(cells)
                    if value is not None
                ],
            }
        )
    for index, category in enumerate(analysis.categories):
        rows = [t for t in analysis.weakest if t.category == category.name]
        specs.append(
            _bars(
                f"chart-weak{index}",
                f"{category.name}：得分率最低的工作任务",
                [f"{t.code} {t.name}" for t in rows],
                [("得分率", [t.rate for t in rows])],
            )
        )
    specs.append(
        _bars(
            "chart-reasons",
            "扣分理由（评价数）",
            [r.reason for r in analysis.reasons],
            [("评价数", [Decimal(r.count) for r in analysis.reasons])],
            unit="",
            fixed=False,
        )
    )
    if analysis.previous_label is not None:
        years = analysis.year_level1
        specs.append(
            _bars(
                "chart-year-level1",
                "一级指标得分率：上年度与本年度",
                [r.name for r in years],
                [("上年度", [r.previous for r in years]), ("本年度", [r.current for r in years])],
            )
        )
        units = analysis.year_units
        specs.append(
            _bars(
                "chart-year-units",
                "考核对象得分率变化（百分点）",
                [u.name for u in units],
                [("变化", [u.change for u in units])],
                unit="",
                fixed=False,
            )
        )
    return specs
