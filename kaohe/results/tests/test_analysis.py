"""The pure analysis (kaohe/results/analysis.py) on small hand-made snapshots: exact Decimal figures."""

from __future__ import annotations

import io
from decimal import Decimal as D

import openpyxl
import pytest

from kaohe.results import analysis
from kaohe.results.analysis import IndicatorInfo, PreviousYear

# Two categories. 县区政府: 一级 1 甲 (二级 11 子一: tasks 111 = 2 points, desk A; 112 = 3, desk B) and 一级 2 乙
# (二级 21 子二: task 211 = 5, desk A; 212 = 1, a 加分项). 部门: 一级 3 甲 (二级 31 子一: task 311 = 4, desk B).
INDICATORS = {
    i.id: i
    for i in (
        IndicatorInfo(1, 1, "1", "甲", 1),
        IndicatorInfo(11, 2, "1.1", "子一", 2),
        IndicatorInfo(111, 3, "1.1.1", "任务一", 3, "考核主体A"),
        IndicatorInfo(112, 3, "1.1.2", "任务二", 4, "考核主体B"),
        IndicatorInfo(2, 1, "2", "乙", 5),
        IndicatorInfo(21, 2, "2.1", "子二", 6),
        IndicatorInfo(211, 3, "2.1.1", "任务三", 7, "考核主体A"),
        IndicatorInfo(212, 3, "2.1.2", "加分项", 8),
        IndicatorInfo(3, 1, "1", "甲", 9),
        IndicatorInfo(31, 2, "1.1", "子一", 10),
        IndicatorInfo(311, 3, "1.1.1", "任务甲", 11, "考核主体B"),
    )
}


def _unit(unit_id, org, name, *, scored=True, raw=None, maximum="0.00", converted=None, final=None):
    return {
        "unit_id": unit_id,
        "organisation_id": org,
        "name": name,
        "scored": scored,
        "raw": raw,
        "applicable_max": maximum,
        "converted": converted,
        "final": final,
    }


# 单位一: 111 1.50/2, 112 3/3, 211 4/5 → raw 8.50 of 10, converted 85.00.
# 单位二: 111 不涉及, 112 2/3, 211 zeroed by a deduction matter (its evaluation was 5) → raw 2.00 of 8 → 25.00.
# 单位三: only 111 evaluated (1/2): not scored (report policy). 单位四 (部门): 311 3.33/4 → 83.25.
DATA = {
    "order": ["c1", "c2"],
    "categories": {
        "c1": {
            "meta": {
                "category_id": 1,
                "name": "县区政府",
                "full_score": "100.00",
                "status": "incomplete",
                "level1": {"1": ["6.50", "8.00", "0.8125"], "2": ["4.00", "10.00", "0.4000"]},
                "level2": {"11": ["6.50", "8.00", "0.8125"], "21": ["4.00", "10.00", "0.4000"]},
                "ranked": [1, 2, 3],
            },
            "units": {
                "u1": _unit(1, 101, "单位一", raw="8.50", maximum="10.00", converted="85.00", final="85.00"),
                "u2": _unit(2, 102, "单位二", raw="2.00", maximum="8.00", converted="25.00", final="24.00"),
                "u3": _unit(3, 103, "单位三", scored=False, maximum="10.00"),
            },
            "details": {
                "u1": {"level1": {"1": ["4.50", "5.00", "0.9000"], "2": ["4.00", "5.00", "0.8000"]}},
                "u2": {
                    "level1": {"1": ["2.00", "3.00", "0.6667"], "2": ["0.00", "5.00", "0.0000"]},
                    "not_applicable_task_ids": [111],
                    "zeroed_task_ids": [211],
                },
                "u3": {"level1": {"1": ["1.00", "2.00", "0.5000"], "2": ["0.00", "0.00", None]}},
            },
        },
        "c2": {
            "meta": {
                "category_id": 2,
                "name": "部门",
                "full_score": "100.00",
                "status": "complete",
                "level1": {"3": ["3.33", "4.00", "0.8325"]},
                "level2": {"31": ["3.33", "4.00", "0.8325"]},
                "ranked": [4],
            },
            "units": {"u4": _unit(4, 104, "单位四", raw="3.33", maximum="4.00", converted="83.25", final="83.25")},
            "details": {"u4": {"level1": {"3": ["3.33", "4.00", "0.8325"]}}},
        },
    },
}
INPUTS = {
    "categories": {
        "c1": {
            "tasks": [
                [111, 1, 11, "2.00", "platform", ""],
                [112, 1, 11, "3.00", "platform", ""],
                [211, 2, 21, "5.00", "platform", ""],
                [212, 2, 21, "1.00", "platform", "bonus"],
            ]
        },
        "c2": {"tasks": [[311, 3, 31, "4.00", "platform", ""]]},
    },
    "units": {
        "u1": {
            "evaluations": [
                [111, 1001, 1, "1.50", ""],
                [112, 1002, 1, "3.00", ""],
                [211, 1003, 2, "4.00", ""],
                [212, 1004, 1, "0.00", ""],  # a 加分项 row below its points is no deduction
            ],
            "not_applicable": [],
        },
        "u2": {
            "evaluations": [[112, 1005, 1, "2.00", ""], [211, 1006, 1, "5.00", ""]],
            "not_applicable": [[111, 7, "无此职能"]],
        },
        "u3": {"evaluations": [[111, 1007, 1, "1.00", ""]], "not_applicable": []},
        "u4": {"evaluations": [[311, 1008, 3, "3.33", ""]], "not_applicable": []},
    },
}
REASONS = {1001: "材料不全", 1003: "材料 不全", 1005: "", 1008: "  材料\u3000不全\n"}  # 1007: the row is gone


@pytest.mark.parametrize(
    ("earned", "possible", "expected"),
    [
        ("367", "400", "91.75"),
        ("2", "3", "66.67"),
        ("1", "8", "12.50"),
        ("1", "800", "0.13"),  # 0.125: half-up, not to even
        ("0", "5", "0.00"),
        ("5", "5", "100.00"),
        ("1", "0", None),
    ],
)
def test_score_rate_is_a_percentage_to_two_places_half_up(earned, possible, expected):
    assert analysis.score_rate(D(earned), D(possible)) == (None if expected is None else D(expected))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("材料 不全", "材料 不全"), ("  材料\u3000\u3000不全\n", "材料 不全"), (" \n", ""), ("材料不全", "材料不全")],
)
def test_reasons_are_normalised_for_whitespace(text, expected):
    assert analysis.normalise_reason(text) == expected


@pytest.fixture
def result():
    return analysis.analyse(DATA, INPUTS, INDICATORS, REASONS)


def _rates(rows):
    return [(r.scope, r.code, r.parent, r.name, r.earned, r.possible, r.rate) for r in rows]


def test_indicator_rates_per_category_and_across_categories_by_name(result):
    assert _rates(result.level1) == [
        ("县区政府", "1", "", "甲", D("6.50"), D("8.00"), D("81.25")),
        ("县区政府", "2", "", "乙", D("4.00"), D("10.00"), D("40.00")),
        ("部门", "1", "", "甲", D("3.33"), D("4.00"), D("83.25")),
        ("全部类别", "1", "", "甲", D("9.83"), D("12.00"), D("81.92")),
        ("全部类别", "2", "", "乙", D("4.00"), D("10.00"), D("40.00")),
    ]
    assert _rates(result.level2) == [
        ("县区政府", "1.1", "甲", "子一", D("6.50"), D("8.00"), D("81.25")),
        ("县区政府", "2.1", "乙", "子二", D("4.00"), D("10.00"), D("40.00")),
        ("部门", "1.1", "甲", "子一", D("3.33"), D("4.00"), D("83.25")),
        ("全部类别", "1.1", "甲", "子一", D("9.83"), D("12.00"), D("81.92")),
        ("全部类别", "2.1", "乙", "子二", D("4.00"), D("10.00"), D("40.00")),
    ]
    assert (result.scored_count, result.unit_count) == (3, 4)


def test_desk_rates_over_their_tasks_of_scored_units(result):
    # A: 111 (单位一 1.50/2; 单位二 不涉及) + 211 (单位一 4/5, 单位二 zeroed 0/5) = 5.50/12.
    # B: 112 (3/3 + 2/3) + 311 (3.33/4) = 8.33/10. 单位三 is not scored: its 1.00 counts nowhere.
    assert [(d.desk, d.tasks, d.earned, d.possible, d.rate) for d in result.desks] == [
        ("考核主体B", 2, D("8.33"), D("10.00"), D("83.30")),
        ("考核主体A", 2, D("5.50"), D("12.00"), D("45.83")),
    ]


def test_weakest_tasks_lowest_rate_first_per_category(result):
    assert [(t.category, t.code, t.units, t.below_full, t.earned, t.possible, t.rate) for t in result.weakest] == [
        ("县区政府", "2.1.1", 2, 2, D("4.00"), D("10.00"), D("40.00")),
        ("县区政府", "1.1.1", 1, 1, D("1.50"), D("2.00"), D("75.00")),
        ("县区政府", "1.1.2", 2, 1, D("5.00"), D("6.00"), D("83.33")),
        ("部门", "1.1.1", 1, 1, D("3.33"), D("4.00"), D("83.25")),
    ]


def test_weakest_keeps_ten_per_category():
    tasks = [[500 + n, 1, 11, "1.00", "platform", ""] for n in range(12)]
    indicators = {**INDICATORS, **{500 + n: IndicatorInfo(500 + n, 3, f"9.{n}", f"任务{n}", 100 + n) for n in range(12)}}
    evaluations = [[500 + n, 9000 + n, 1, f"{D(n) / 20:.2f}", ""] for n in range(12)]
    data = {
        "order": ["c9"],
        "categories": {
            "c9": {
                "meta": {**DATA["categories"]["c1"]["meta"], "ranked": [9], "level1": {}, "level2": {}},
                "units": {"u9": _unit(9, 109, "单位九", raw="3.30", maximum="12.00", converted="27.50", final="27.50")},
                "details": {"u9": {}},
            }
        },
    }
    inputs = {"categories": {"c9": {"tasks": tasks}}, "units": {"u9": {"evaluations": evaluations}}}
    weakest = analysis.analyse(data, inputs, indicators, {}).weakest
    assert [t.code for t in weakest] == [f"9.{n}" for n in range(10)]
    assert weakest[0].rate == D("0.00") and weakest[-1].rate == D("45.00")


@pytest.mark.parametrize(
    ("full", "converted", "band"),
    [
        ("100", "59.99", 0),
        ("100", "60.00", 1),
        ("100", "69.99", 1),
        ("100", "70.00", 2),
        ("100", "89.99", 3),
        ("100", "90.00", 4),
        ("100", "100.00", 4),
        ("50", "45.00", 4),  # 90 % of a full score of 50
        ("50", "29.99", 0),
    ],
)
def test_distribution_bands_of_the_converted_total(full, converted, band):
    data = {
        "order": ["c1"],
        "categories": {
            "c1": {
                "meta": {**DATA["categories"]["c1"]["meta"], "full_score": full, "ranked": [1]},
                "units": {"u1": _unit(1, 101, "单位一", raw="1.00", maximum="1.00", converted=converted, final=converted)},
                "details": {"u1": {}},
            }
        },
    }
    row = analysis.analyse(data, {"categories": {}, "units": {}}, INDICATORS, {}).distribution[0]
    assert row.counts == tuple(1 if n == band else 0 for n in range(5))


def test_distribution_counts_scored_units_only(result):
    assert [(d.category, d.counts, d.scored, d.unscored, d.average, d.highest, d.lowest) for d in result.distribution] == [
        ("县区政府", (1, 0, 0, 1, 0), 2, 1, D("55.00"), D("85.00"), D("25.00")),
        ("部门", (0, 0, 0, 1, 0), 1, 0, D("83.25"), D("83.25"), D("83.25")),
    ]


def test_heat_map_unit_by_level1_in_rank_order(result):
    heat = result.heatmaps[0]
    assert heat.columns == (("1", "甲"), ("2", "乙"))
    assert heat.rows == (("单位一", (D("90.00"), D("80.00"))), ("单位二", (D("66.67"), D("0.00"))))
    assert result.heatmaps[1].rows == (("单位四", (D("83.25"),)),)


def test_deduction_reasons_grouped_and_counted(result):
    assert [(r.reason, r.count, r.units, r.points_lost) for r in result.reasons] == [
        ("材料 不全", 2, 2, D("1.67")),
        (analysis.NO_REASON, 1, 1, D("1.00")),
        (analysis.REASON_GONE, 1, 1, D("1.00")),
        ("材料不全", 1, 1, D("0.50")),
    ]
    assert (result.reasons_total, result.reasons_distinct) == (5, 4)
    # The ids whose reasons must be loaded, with the versions the snapshot used.
    assert analysis.below_full(INPUTS) == {1001: 1, 1003: 2, 1005: 1, 1007: 1, 1008: 3}


def test_reasons_keep_the_twenty_most_frequent():
    evaluations = [[111, 2000 + n, 1, "1.00", ""] for n in range(30)]
    inputs = {"categories": INPUTS["categories"], "units": {f"u{n}": {"evaluations": [evaluations[n]]} for n in range(30)}}
    reasons = {2000 + n: f"理由{n % 25:02d}" for n in range(30)}  # 理由00..04 twice, the others once
    result = analysis.analyse({"order": [], "categories": {}}, inputs, INDICATORS, reasons)
    assert len(result.reasons) == 20 and (result.reasons_total, result.reasons_distinct) == (30, 25)
    assert [r.reason for r in result.reasons[:6]] == ["理由00", "理由01", "理由02", "理由03", "理由04", "理由05"]


PREVIOUS = PreviousYear(
    "2019年度考核 第2次计算（2020-01-10 09:00）",
    {
        "order": ["c7"],
        "categories": {
            "c7": {
                "meta": {
                    "name": "县区政府",
                    "level1": {"901": ["8.00", "10.00", "0.8000"], "902": ["1.00", "4.00", "0.2500"]},
                    "ranked": [71, 73, 75],
                },
                "units": {
                    "u71": _unit(71, 101, "单位一", raw="9.00", maximum="10.00", converted="90.00", final="92.00"),
                    "u73": _unit(73, 103, "单位三", raw="7.00", maximum="10.00", converted="70.00", final="70.00"),
                    "u75": _unit(75, 105, "单位五", raw="5.00", maximum="10.00", converted="50.00", final="50.00"),
                },
            }
        },
    },
    {901: "甲", 902: "丙"},
)


def test_year_over_year_by_level1_name_and_by_organisation():
    result = analysis.analyse(DATA, INPUTS, INDICATORS, REASONS, PREVIOUS)
    assert result.previous_label == PREVIOUS.label
    assert [(r.name, r.previous, r.current, r.change) for r in result.year_level1] == [
        ("甲", D("80.00"), D("81.92"), D("1.92")),
        ("乙", None, D("40.00"), None),
        ("丙", D("25.00"), None, None),
    ]
    assert [
        (r.name, r.category, r.previous, r.current, r.change, r.previous_final, r.current_final, r.final_change)
        for r in result.year_units
    ] == [
        ("单位一", "县区政府", D("90.00"), D("85.00"), D("-5.00"), D("92.00"), D("85.00"), D("-7.00")),
        ("单位三", "县区政府", D("70.00"), None, None, D("70.00"), None, None),  # not scored this year
    ]


def test_without_a_previous_year_there_are_no_year_tables(result):
    assert result.previous_label is None
    assert "year_level1" not in {t.key for t in analysis.tables(result)}


def test_tables_and_workbook_carry_the_same_numbers(result):
    found = analysis.tables(analysis.analyse(DATA, INPUTS, INDICATORS, REASONS, PREVIOUS))
    assert [t.key for t in found] == [
        "level1",
        "level2",
        "desks",
        "distribution",
        "heat0",
        "heat1",
        "weakest",
        "reasons",
        "year_level1",
        "year_units",
    ]
    level1 = found[0]
    assert level1.body[3] == [
        ("全部类别", False),
        ("1", False),
        ("甲", False),
        ("9.83", True),
        ("12.00", True),
        ("81.92 %", True),
    ]
    assert found[-1].body[0][4] == ("-5.00", True)
    body = analysis.workbook([("数据来源", "第1次计算")], found)
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == [
        "说明",
        "一级指标得分率",
        "二级指标得分率",
        "考核主体得分率",
        "得分分布",
        "热力图-县区政府",
        "热力图-部门",
        "薄弱任务",
        "扣分理由",
        "同比-一级指标",
        "同比-考核对象",
    ]
    sheet = book["一级指标得分率"]
    assert sheet["A1"].value == "一级指标得分率" and sheet["A2"].value == "数据来源：第1次计算"
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$4:$4"
    assert [c.value for c in sheet[4]] == ["类别", "编号", "一级指标", "得分", "应得分", "得分率"]
    assert [c.value for c in sheet[8]] == ["全部类别", "1", "甲", 9.83, 12, 0.8192]
    assert sheet["F8"].number_format == "0.00%"
    assert [c.value for c in book["热力图-县区政府"][6]] == ["单位二", 0.6667, 0]
    assert [c.value for c in book["同比-一级指标"][6]][:3] == ["乙", None, 0.4]
    assert book["扣分理由"]["B5"].value == 2


def test_charts_describe_what_the_tables_show(result):
    specs = {s["id"]: s for s in analysis.charts(result)}
    assert specs["chart-level1"]["labels"] == ["甲", "乙"]
    assert specs["chart-level1"]["series"] == [
        {"name": "全部类别", "values": ["81.92", "40.00"]},
        {"name": "县区政府", "values": ["81.25", "40.00"]},
        {"name": "部门", "values": ["83.25", None]},
    ]
    assert specs["chart-heat0"]["values"] == [[0, 0, "90.00"], [1, 0, "80.00"], [0, 1, "66.67"], [1, 1, "0.00"]]
    assert specs["chart-distribution"]["series"][0] == {"name": "县区政府", "values": ["1", "0", "0", "1", "0"]}
    assert "chart-year-level1" not in specs
