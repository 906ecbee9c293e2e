"""考核分析: what one result snapshot says about the year, as figures and tables. Pure: no ORM, no floats.

Inputs are the snapshot's stored ``data`` and ``inputs`` (shapes in services/computation.py and loader.py), the
plan's indicators (``IndicatorInfo``), the deduction reasons of the evaluation versions the snapshot used, and
optionally the previous year's snapshot (``PreviousYear``). ``analyse`` returns an ``Analysis``; ``tables``
turns it into the tables shown on the page and written to the workbook (``workbook``).

figures.py computes the readings (each documented there and on the page), tabulation.py lays out the tables,
echarts.py the chart specifications the page's ECharts script draws, xlsx.py the workbook. Callers import from
this package.
"""

from kaohe.results.analysis.echarts import charts
from kaohe.results.analysis.figures import (
    ACROSS,
    BANDS,
    CENT,
    HUNDRED,
    NO_DESK,
    NO_REASON,
    REASON_GONE,
    REASONS_N,
    WEAKEST_N,
    ZERO,
    Analysis,
    CategoryInfo,
    DeskRow,
    DistributionRow,
    HeatMap,
    IndicatorInfo,
    PreviousYear,
    RateRow,
    ReasonRow,
    TaskRow,
    YearRow,
    analyse,
    below_full,
    change,
    normalise_reason,
    score_rate,
)
from kaohe.results.analysis.tabulation import COUNT, DELTA, NUMBER, RATE, TEXT, Column, Table, display, tables
from kaohe.results.analysis.xlsx import workbook

__all__ = [
    "ACROSS",
    "BANDS",
    "CENT",
    "COUNT",
    "DELTA",
    "HUNDRED",
    "NO_DESK",
    "NO_REASON",
    "NUMBER",
    "RATE",
    "REASONS_N",
    "REASON_GONE",
    "TEXT",
    "WEAKEST_N",
    "ZERO",
    "Analysis",
    "CategoryInfo",
    "Column",
    "DeskRow",
    "DistributionRow",
    "HeatMap",
    "IndicatorInfo",
    "PreviousYear",
    "RateRow",
    "ReasonRow",
    "Table",
    "TaskRow",
    "YearRow",
    "analyse",
    "below_full",
    "change",
    "charts",
    "display",
    "normalise_reason",
    "score_rate",
    "tables",
    "workbook",
]
