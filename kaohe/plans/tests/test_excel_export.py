"""Export of indicator tables in the 附件3/5 layout; the round trip through the parser is the contract."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kaohe.plans.constants import Adjustment, Method
from kaohe.plans.excel import (
    IndicatorTable,
    Level1Row,
    Level2Row,
    TaskRow,
    parse_indicator_workbook,
    write_indicator_workbook,
)
from kaohe.plans.excel.export import level1_label, level2_label, method_text
from kaohe.plans.excel.text import chinese_numeral, format_points

DEMO_DIR = Path(__file__).resolve().parents[3] / "kaohe" / "demo" / "pingdingshan-2020"
D = Decimal
ONE = D(1)


def task(
    name: str,
    method: str = Method.SUBMISSION,
    materials: str = "",
    points: Decimal | None = ONE,
    deadline: date | None = date(2020, 12, 31),
    requirement: str = "",
    assessor: str = "",
    adjustment: str = Adjustment.NONE,
    counts_next_year: bool = False,
) -> TaskRow:
    return TaskRow(name, str(method), materials, points, deadline, requirement, assessor, str(adjustment), counts_next_year)


def hand_table() -> IndicatorTable:
    return IndicatorTable(
        title="",
        sheet="附件5",
        level1=[
            Level1Row(
                "依法全面履行政府职能",
                D(13),
                [
                    Level2Row(
                        "规范行政权力运行",
                        D("2.5"),
                        [
                            task("证明事项清理情况", materials="证明事项清理报告、《证明事项清理意见表》", assessor="市委编办"),
                            task("日常监管", Method.DAILY, points=D("0.5"), assessor="市委编办"),
                            task("权责清单", materials="网站链接; 1. 截图", points=D("1.25"), requirement="及时\n更新"),
                        ],
                    ),
                    Level2Row("第2项改革", None, [task("无分值任务", Method.OTHER, points=None, deadline=None)]),
                ],
            ),
            Level1Row(
                "深入推进服务型行政执法建设",
                None,
                [
                    Level2Row(
                        "加强监督",
                        D(3),
                        [
                            task(
                                "总结分析(注:此项为明年考核内容)",
                                materials="年度报告",
                                deadline=date(2021, 3, 31),
                                counts_next_year=True,
                            ),
                            task("实地查看", Method.FIELD, materials="查看台账", points=D(2)),
                        ],
                    ),
                    Level2Row(
                        "加减分项",
                        None,
                        [
                            task("加分项", materials="创新材料", adjustment=Adjustment.BONUS),
                            task("扣分项", Method.DAILY, adjustment=Adjustment.DEDUCTION),
                        ],
                    ),
                    Level2Row(
                        "案卷评查2020",
                        D("1.5"),
                        [
                            task(
                                "开展行政执法案卷评查", Method.CASE_REVIEW, points=D("1.5"), assessor="市司法局行政执法协调监督科"
                            ),
                            task("其他事项", Method.OTHER, materials="下发的相关文件", points=D("0.75"), assessor="市统计局"),
                            task("其他无材料", Method.OTHER, points=None),
                        ],
                    ),
                ],
            ),
        ],
    )


def structure(table: IndicatorTable) -> list[tuple[object, ...]]:
    """Everything the round trip must keep (not the source row numbers)."""
    return [
        (
            level1.name,
            level1.points,
            level2.name,
            level2.points,
            t.name,
            t.method,
            t.materials,
            t.points,
            t.deadline,
            t.requirement,
            t.assessor,
            t.adjustment,
            t.counts_next_year,
        )
        for level1, level2, t in table.tasks()
    ]


def test_round_trip_of_hand_cases() -> None:
    table = hand_table()
    parsed = parse_indicator_workbook(
        write_indicator_workbook(table, title="平顶山市2020年度依法行政考核内容", subtitle="（部门2）")
    )
    assert structure(parsed) == structure(table)
    assert [(l1.name, l1.points) for l1 in parsed.level1] == [(l1.name, l1.points) for l1 in table.level1]
    assert not parsed.has_errors, parsed.problems
    assert parsed.title == "平顶山市2020年度依法行政考核内容"
    assert parsed.sheet == "附件5"


def test_round_trip_without_title_rows() -> None:
    table = hand_table()
    parsed = parse_indicator_workbook(write_indicator_workbook(table, title=""))
    assert structure(parsed) == structure(table)


@pytest.mark.parametrize("name", ["indicators-county", "indicators-dept1", "indicators-dept2"])
def test_round_trip_of_demo_tables(name: str) -> None:
    original = parse_indicator_workbook((DEMO_DIR / f"{name}.xlsx").read_bytes())
    data = write_indicator_workbook(original, title=original.title, subtitle="（测试）")
    again = parse_indicator_workbook(data)
    assert structure(again) == structure(original)
    assert [(l1.name, l1.points, [(c.name, c.points) for c in l1.children]) for l1 in again.level1] == [
        (l1.name, l1.points, [(c.name, c.points) for c in l1.children]) for l1 in original.level1
    ]
    assert not again.has_errors
    assert [p.code for p in again.problems] == [p.code for p in original.problems]


def test_layout_of_the_written_sheet() -> None:
    data = write_indicator_workbook(hand_table(), title="平顶山市2020年度依法行政考核内容", subtitle="（部门2）")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "平顶山市2020年度依法行政考核内容"
    assert ws["A2"].value == "（部门2）"
    assert [c.value for c in ws[3]] == ["一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体"]
    assert ws["A3"].font.b
    assert ws["A4"].value == "一、依法全面履行政府职能13分"
    assert ws["B4"].value == "规范行政权力运行2.5分"
    assert ws["B7"].value == "第2项改革"
    assert ws["A8"].value == "二、深入推进服务型行政执法建设"
    assert ws["D4"].value == "报送资料:证明事项清理报告、《证明事项清理意见表》 1分"
    assert ws["D5"].value == "日常掌握 0.5分"
    assert ws["D7"].value == "其他"
    assert ws["E4"].number_format == "yyyy-mm-dd"
    assert ws["E4"].value.date() == date(2020, 12, 31)
    assert ws["E7"].value is None
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:G1", "A2:G2", "A4:A7", "B4:B6", "G4:G5", "A8:A14", "B8:B9", "B10:B11"} <= merged
    assert "B7:B7" not in merged
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.print_title_rows == "$3:$3"
    assert ws["C4"].alignment.wrap_text
    assert ws["C4"].border.left.style == "thin"
    assert ws["C4"].font.name == "仿宋"
    assert ws.column_dimensions["F"].width > ws.column_dimensions["E"].width


def test_method_text() -> None:
    assert method_text(task("x", materials="报告", points=D(1))) == "报送资料:报告 1分"
    assert method_text(task("x", Method.DAILY, points=D("0.5"))) == "日常掌握 0.5分"
    assert method_text(task("x", Method.CASE_REVIEW)) == "集中评查 1分"
    assert method_text(task("x", Method.FIELD, materials="查看", points=None)) == "实地考核:查看"
    assert method_text(task("x", Method.OTHER, points=None)) == "其他"


def test_level_labels() -> None:
    assert level1_label(1, Level1Row("依法全面履行政府职能", D(13), [])) == "一、依法全面履行政府职能13分"
    assert level1_label(11, Level1Row("甲", None, [])) == "十一、甲"
    assert level2_label("规范行政权力运行", D("2.50")) == "规范行政权力运行2.5分"
    assert level2_label("落实第2", D(1)) == "落实第2 1分"  # a space keeps the name's digit apart


@pytest.mark.parametrize(
    ("number", "text"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"), (99, "九十九"), (100, "100")],
)
def test_chinese_numerals(number: int, text: str) -> None:
    assert chinese_numeral(number) == text


@pytest.mark.parametrize(
    ("value", "text"), [(D("4.00"), "4"), (D("2.50"), "2.5"), (D("1E+1"), "10"), (D("0.25"), "0.25"), (D(0), "0")]
)
def test_points_formatting(value: Decimal, text: str) -> None:
    assert format_points(value) == text


def test_written_file_is_a_valid_xlsx_for_other_readers() -> None:
    data = write_indicator_workbook(hand_table(), title="标题")
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert workbook.sheetnames == ["附件5"]


def _overlaps(ws: object) -> list[tuple[str, str]]:
    ranges = list(ws.merged_cells.ranges)  # type: ignore[attr-defined]
    found = []
    for i, a in enumerate(ranges):
        for b in ranges[i + 1 :]:
            if a.min_row <= b.max_row and b.min_row <= a.max_row and a.min_col <= b.max_col and b.min_col <= a.max_col:
                found.append((str(a), str(b)))
    return found


@pytest.mark.parametrize("name", ["indicators-county", "indicators-dept1", "indicators-dept2", "units", "assessors", "(export)"])
def test_merged_ranges_never_overlap(name: str) -> None:
    """Overlapping merges make Excel/WPS "repair" the file."""
    if name == "(export)":
        data = write_indicator_workbook(hand_table(), title="标题", subtitle="副标题")
    else:
        data = (DEMO_DIR / f"{name}.xlsx").read_bytes()
    ws = load_workbook(io.BytesIO(data)).active
    assert _overlaps(ws) == []


def test_invalid_sheet_name_is_cleaned() -> None:
    t = hand_table()
    t.sheet = "附件[3]:县区/部门?"
    ws = load_workbook(io.BytesIO(write_indicator_workbook(t, title=""))).active
    assert ws.title == "附件3县区部门"
