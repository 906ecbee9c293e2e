"""The pieces of reading other offices' tables: points in text, rules, even shares, headers, the .docx grid."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document

from kaohe.core.docx_read import read_docx
from kaohe.core.xlsx_read import Limits
from kaohe.plans.excel import parse_indicator_workbook
from kaohe.plans.excel.indicators import even_shares, section_adjustment
from kaohe.plans.excel.rules import describe, parse_rules
from kaohe.plans.excel.text import chinese_number, split_stated_points
from kaohe.plans.tests.excel_factories import sheet

D = Decimal


@pytest.mark.parametrize(
    ("text", "value"),
    [("五", D(5)), ("两", D(2)), ("十", D(10)), ("十五", D(15)), ("二十", D(20)), ("半", D("0.5")), ("一点五", D("1.5"))],
)
def test_chinese_numerals(text: str, value: Decimal) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", ["百", "十十", "五五", "", "点五", "约五"])
def test_not_chinese_numerals(text: str) -> None:
    assert chinese_number(text) is None


@pytest.mark.parametrize(
    ("text", "rest", "points"),
    [
        ("…按时报送并公开。2分", "…按时报送并公开。", D(2)),
        ("落实清单管理（1.5分）", "落实清单管理", D("1.5")),
        ("二、规范性文件管理（15分）", "二、规范性文件管理", D(15)),
        ("推进政务公开２分", "推进政务公开", D(2)),
        ("建立法律顾问制度五分", "建立法律顾问制度", D(5)),
        ("未按时报送的扣0.5分", "未按时报送的扣0.5分", None),  # a rule, not the task's points
        ("每发现一件加1分", "每发现一件加1分", None),
        ("扣分情况（扣2分）", "扣分情况（扣2分）", None),  # a rule in brackets is still a rule
        ("落实述法（最多5分）", "落实述法（最多5分）", None),
    ],
)
def test_points_at_the_end_of_text(text: str, rest: str, points: Decimal | None) -> None:
    split = split_stated_points(text)
    assert split.text == rest
    assert (split.points.value if split.points else None) == points


@pytest.mark.parametrize(
    ("total", "count", "shares"),
    [
        (D(10), 3, [D("3.33"), D("3.33"), D("3.34")]),
        (D(6), 2, [D(3), D(3)]),
        (D("0.05"), 3, [D("0.01"), D("0.01"), D("0.03")]),
        (D(1), 1, [D(1)]),
    ],
)
def test_even_shares_add_up_exactly(total: Decimal, count: int, shares: list[Decimal]) -> None:
    assert even_shares(total, count) == shares
    assert sum(shares) == total


def test_rules_read_and_not_read() -> None:
    parsed = parse_rules("每发现一件违规审批扣1分，扣完为止", D(3))
    assert parsed.parsed and parsed.rules == [{"event": "发现违规审批", "points": "1.00", "per": "件", "cap": "3.00"}]
    assert describe(parsed.rules[0]) == "发现违规审批：每件扣1.00分（最多扣3.00分）"
    vague = parse_rules("工作不到位的酌情扣分", D(3))
    assert (vague.parsed, vague.rules, vague.mentions) == (False, [], True)
    half = parse_rules("未公开扣1分；其他问题视情况扣分", D(3))
    assert half.rules == []  # one clause not understood: nothing half-read
    assert parse_rules("制度健全，运行良好", D(3)).mentions is False
    no_cap = parse_rules("每起扣2分，扣完为止", None)
    assert no_cap.rules == []  # "扣完为止" without the task's points cannot be read


def test_section_headings() -> None:
    assert section_adjustment("加分项") == "bonus"
    assert section_adjustment("五、加分项目（最高加5分）") == "bonus"
    assert section_adjustment("减分项") == "deduction"
    assert section_adjustment("一票否决事项") == "deduction"
    assert section_adjustment("加减分项") == ""
    assert section_adjustment("一、依法全面履行政府职能") is None


def test_kaohe_xiangmu_is_the_task_without_a_content_column() -> None:
    table = parse_indicator_workbook(sheet(["一级指标", "考核项目", "分值"], ["一、甲", "任务", 2]))
    assert table.columns == {"level1": "A", "task": "B", "points": "C"}
    table = parse_indicator_workbook(sheet(["考核项目", "考核内容", "分值"], ["甲", "任务", 2]))
    assert table.columns == {"level1": "A", "task": "B", "points": "C"}


def test_a_row_of_merged_heading_text_opens_a_group() -> None:
    data = sheet(
        ["序号", "考核内容", "分值"],
        ["一、甲（3分）", None, None],
        [1, "任务一", 1],
        [2, "任务二", 2],
        merges=["A2:C2"],
    )
    table = parse_indicator_workbook(data)
    assert [(l1.name, l1.points, [t.name for c in l1.children for t in c.tasks]) for l1 in table.level1] == [
        ("甲", D(3), ["任务一", "任务二"])
    ]
    assert table.level1[0].children[0].implicit


def test_tasks_without_any_group_are_an_error_naming_both_ways() -> None:
    table = parse_indicator_workbook(sheet(["考核内容", "分值"], ["任务一", 1]))
    [problem] = [p for p in table.problems if p.severity == "error"]
    assert "分组行" in problem.message


def _docx(build) -> bytes:
    document = Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_tables_become_grids_with_merged_ranges() -> None:
    def build(document) -> None:
        document.add_paragraph("标题")
        table = document.add_table(rows=3, cols=3)
        for r in range(3):
            for c in range(3):
                table.cell(r, c).text = f"{r}{c}"
        table.cell(0, 0).merge(table.cell(0, 2)).text = "横向"
        table.cell(1, 0).merge(table.cell(2, 0)).text = "纵向"
        document.add_paragraph("正文")

    result = read_docx(_docx(build), Limits(max_bytes=1_000_000))
    assert result.refusal is None
    [grid] = result.grids
    assert (grid.title, grid.max_row, grid.max_column) == ("表格1", 3, 3)
    assert [grid.get(1, c) for c in (1, 2, 3)] == ["横向"] * 3
    assert [grid.get(r, 1) for r in (2, 3)] == ["纵向"] * 2
    assert grid.origin(3, 1) == (2, 1) and grid.origin(1, 3) == (1, 1)
    assert grid.get(3, 3) == "22"
    assert result.captions == {"表格1": "标题"}
    assert result.paragraphs == ["标题", "正文"]


def test_docx_caps() -> None:
    def build(document) -> None:
        table = document.add_table(rows=30, cols=2)
        for r in range(30):
            table.cell(r, 0).text = "x"

    refused = read_docx(_docx(build), Limits(max_bytes=1_000_000, max_rows=20))
    assert refused.refusal is not None and refused.refusal.code == "zip_bomb"
    big = _docx(build)
    too_big = read_docx(big, Limits(max_bytes=len(big) - 1))
    assert too_big.refusal is not None and too_big.refusal.code == "file_too_large"


def test_a_level1_label_on_its_own_row_groups_the_rows_below() -> None:
    data = sheet(
        ["考核项目", "考核内容", "分值"],
        ["一、依法决策（5分）", None, None],
        [None, "目录管理", 2],
        [None, "合法性审查", 3],
    )
    table = parse_indicator_workbook(data)
    assert not table.has_errors, table.problems
    assert [
        (l1.name, l1.points, [t.points for _, t in [(c, t) for c in l1.children for t in c.tasks]]) for l1 in table.level1
    ] == [("依法决策", D(5), [D(2), D(3)])]
