"""Import of indicator, unit and assessor workbooks (pure Python, no database)."""

from __future__ import annotations

import io
import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kaohe.plans.constants import Adjustment, Method
from kaohe.plans.excel import (
    IndicatorTable,
    Problem,
    parse_desk_workbook,
    parse_indicator_workbook,
    parse_unit_workbook,
)
from kaohe.plans.excel.cells import parse_deadline, parse_level_label, parse_method
from kaohe.plans.tests.excel_factories import (
    SheetSpec,
    annex4_table,
    cfb_file,
    image_only_sheet,
    pdf_file,
    plain_zip,
    sheet,
    task_row,
    wide_table,
    workbook_bytes,
    zip_with_member,
)

REPO = Path(__file__).resolve().parents[3]

D = Decimal


def excel_datetime(year: int, month: int, day: int) -> datetime:
    """A naive datetime, as openpyxl reads date cells."""
    return datetime.combine(date(year, month, day), datetime.min.time())


def codes(problems: list[Problem], severity: str | None = None) -> list[str]:
    return [p.code for p in problems if severity is None or p.severity == severity]


def only(table: IndicatorTable, code: str) -> Problem:
    found = [p for p in table.problems if p.code == code]
    assert len(found) == 1, table.problems
    return found[0]


def single_task(table: IndicatorTable):
    tasks = list(table.tasks())
    assert len(tasks) == 1, table.problems
    return tasks[0][2]


# -- Problem ------------------------------------------------------------------------------------


def test_problem_location_omits_missing_parts() -> None:
    assert Problem("error", "x", "m", "附件3", 12, "D").location == "工作表“附件3”第12行D列"
    assert Problem("error", "x", "m", "附件3").location == "工作表“附件3”"
    assert Problem("error", "x", "m", row=5).location == "第5行"
    assert Problem("error", "x", "m").location == ""


# -- headers ------------------------------------------------------------------------------------

SYNONYM_SETS = [
    ("一级指标", "二级指标", "工作任务", "考核方式", "分值", "时间要求", "工作要求", "责任主体", "报送资料"),
    ("一级", "二级", "考核内容", "考核方法", "分数", "完成时限", "考核要求", "责任单位", "报送材料"),
    ("一级指标", "二级指标", "考核项目", "考核方式", "分值", "时限", "评分标准", "考核主体", "报送资料"),
    ("一级", "二级", "任务", "考核方式", "分值", "截止时间", "工作要求", "责任主体", "报送材料"),
]
FIELDS = ("level1", "level2", "task", "method", "points", "deadline", "requirement", "assessor", "materials")


@pytest.mark.parametrize("headers", SYNONYM_SETS)
def test_each_synonym_header_set_is_recognised(headers: tuple[str, ...]) -> None:
    data = sheet(
        headers,
        ["一、甲13分", "乙2分", "任务一", "报送资料", 2, "2020-12-31", "要求", "市委编办", "清理报告"],
    )
    table = parse_indicator_workbook(data)
    assert table.columns == dict(zip(FIELDS, "ABCDEFGHI", strict=True))
    assert not table.has_errors, table.problems
    task = single_task(table)
    assert (task.method, task.materials, task.points) == (Method.SUBMISSION, "清理报告", D(2))
    assert (task.deadline, task.requirement, task.assessor) == (date(2020, 12, 31), "要求", "市委编办")


def test_header_text_with_line_breaks_and_full_width_spaces() -> None:
    header = ["一级\n指标", "二级\u3000指标", "工作 任务", "考核方式", "时间\n要求", "工作要求", "责\u3000任\n主体"]
    table = parse_indicator_workbook(sheet(header, task_row()))
    assert set(table.columns) == {"level1", "level2", "task", "method", "deadline", "requirement", "assessor"}


def test_header_on_row_4_after_title_rows() -> None:
    data = sheet(
        ["附件3"],
        ["平顶山市2020年度依法行政考核内容"],
        ["（部门2）"],
        ["一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体"],
        task_row(),
        merges=["A2:G2", "A3:G3"],
    )
    table = parse_indicator_workbook(data)
    assert table.title == "平顶山市2020年度依法行政考核内容"
    assert single_task(table).row == 5
    assert table.problems == []


def test_header_split_over_two_rows_is_joined() -> None:
    data = sheet(
        ["一级", "二级", "工作任务", "考核方式", "时间", "工作要求", "责任"],
        ["指标", "指标", None, None, "要求", None, "主体"],
        task_row(),
    )
    table = parse_indicator_workbook(data)
    assert table.columns["deadline"] == "E"
    assert table.columns["assessor"] == "G"
    assert single_task(table).assessor == "市委编办"


def test_header_repeated_on_a_later_page_is_skipped() -> None:
    data = wide_table(task_row(), ["一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体"])
    table = parse_indicator_workbook(data)
    assert len(list(table.tasks())) == 1
    assert table.problems == []


def test_first_sheet_with_header_wins_and_others_are_reported() -> None:
    blank = SheetSpec(rows=[["说明：本表为示例"]], title="说明")
    first = SheetSpec(rows=[["一级指标", "二级指标", "工作任务", "考核方式"], task_row()[:4]], title="附件3")
    second = SheetSpec(rows=[["一级指标", "二级指标", "工作任务", "考核方式"], task_row()[:4]], title="附件5")
    table = parse_indicator_workbook(workbook_bytes(blank, first, second))
    assert table.sheet == "附件3"
    warning = only(table, "extra_sheets_ignored")
    assert warning.severity == "warning"
    assert "附件5" in warning.message


def test_hidden_sheets_are_ignored() -> None:
    hidden = SheetSpec(rows=[["一级指标", "二级指标", "工作任务", "考核方式"], task_row()[:4]], title="旧表", hidden=True)
    shown = SheetSpec(rows=[["一级指标", "二级指标", "工作任务", "考核方式"], task_row()[:4]], title="新表")
    table = parse_indicator_workbook(workbook_bytes(hidden, shown))
    assert table.sheet == "新表"
    assert table.problems == []


def test_wrong_columns_name_the_missing_ones() -> None:
    table = parse_indicator_workbook(sheet(["姓名", "年龄", "住址"], ["张三", 30, "平顶山"]))
    problem = only(table, "header_missing")
    assert problem.severity == "error"
    assert "“工作任务”" in problem.message
    assert "“考核方式”" in problem.message
    assert table.level1 == []


def test_partial_header_names_only_what_is_missing() -> None:
    table = parse_indicator_workbook(sheet(["一级指标", "二级指标", "考核方式", "分值"], ["一、甲", "乙", "报送资料", 1]))
    message = only(table, "header_missing").message
    assert "“工作任务”" in message
    assert "一级指标" not in message


def test_blank_sheet_has_no_header() -> None:
    table = parse_indicator_workbook(sheet())
    problem = only(table, "header_missing")
    assert "没有文字内容" in problem.message
    assert problem.sheet == "Sheet1"


def test_image_only_sheet_has_no_header() -> None:
    data = image_only_sheet()
    if data is None:
        pytest.skip("Pillow is not installed (the blank-sheet test covers the same path)")
    table = parse_indicator_workbook(data)
    assert codes(table.problems) == ["header_missing"]


# -- merged cells and grouping ------------------------------------------------------------------


def test_merged_cells_are_filled_down() -> None:
    data = wide_table(
        task_row(task="任务一", method="报送资料:甲 1分"),
        task_row(level1=None, level2=None, task="任务二", method="日常掌握 0.5分", assessor=None),
        task_row(level1=None, level2="深化信用体系建设1分", task="任务三", method="日常掌握1分", assessor=None),
        merges=["A2:A4", "B2:B3", "G2:G4"],
    )
    table = parse_indicator_workbook(data)
    assert [(l1.name, l1.points) for l1 in table.level1] == [("依法全面履行政府职能", D(13))]
    assert [(l2.name, l2.points, len(l2.tasks)) for l2 in table.level1[0].children] == [
        ("规范行政权力运行", D("2.5"), 2),
        ("深化信用体系建设", D(1), 1),
    ]
    assert [t.assessor for _, _, t in table.tasks()] == ["市委编办"] * 3
    assert codes(table.problems) == []


def test_level2_split_across_page_fragments_joins_one_group() -> None:
    data = wide_table(
        task_row(level2="甲1分", task="任务一", method="日常掌握1分"),
        task_row(level2="乙1分", task="任务二", method="日常掌握1分"),
        task_row(level2="甲1分", task="任务三", method="日常掌握1分"),
    )
    table = parse_indicator_workbook(data)
    children = table.level1[0].children
    assert [(c.name, [t.name for t in c.tasks]) for c in children] == [("甲", ["任务一", "任务三"]), ("乙", ["任务二"])]
    assert table.problems == []


def test_level1_reappearing_later_is_joined_with_a_warning() -> None:
    data = wide_table(
        task_row(level1="一、甲13分", task="任务一"),
        task_row(level1="二、乙5分", level2="丙1分", task="任务二"),
        task_row(level1="一、甲13分", task="任务三"),
    )
    table = parse_indicator_workbook(data)
    assert [l1.name for l1 in table.level1] == ["甲", "乙"]
    warning = only(table, "level1_split")
    assert warning.row == 4


def test_conflicting_level_points_are_an_error() -> None:
    data = wide_table(task_row(level1="一、甲13分", task="任务一"), task_row(level1="一、甲12分", task="任务二"))
    problem = only(parse_indicator_workbook(data), "points_conflict")
    assert (problem.severity, problem.row, problem.column) == ("error", 3, "A")
    assert "13分" in problem.message and "12分" in problem.message


def test_empty_and_total_rows_are_skipped() -> None:
    data = wide_table(task_row(), [None] * 7, ["合计", None, None, "100分", None, None, None])
    table = parse_indicator_workbook(data)
    assert len(list(table.tasks())) == 1
    assert table.problems == []


# -- points ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "method", "materials", "points"),
    [
        (
            "报送资料:证明事项清理报告、《证明事项清理意见表》 1分",
            Method.SUBMISSION,
            "证明事项清理报告、《证明事项清理意见表》",
            D(1),
        ),
        ("报送资料:证明事项清理报告 1分", Method.SUBMISSION, "证明事项清理报告", D(1)),
        ("日常掌握0.5分", Method.DAILY, "", D("0.5")),
        ("日常掌握 1 分", Method.DAILY, "", D(1)),
        (
            "报送资料: 3. 能显示时间的本地部门联合抽查结果公示 0. 5 分",
            Method.SUBMISSION,
            "3. 能显示时间的本地部门联合抽查结果公示",
            D("0.5"),
        ),
        ("报送资料：上传名单1分", Method.SUBMISSION, "上传名单", D(1)),
        ("报送材料:报告（正式件）1分", Method.SUBMISSION, "报告（正式件）", D(1)),
        ("实地考核: 提交征地补偿案卷 2 分", Method.FIELD, "提交征地补偿案卷", D(2)),
        ("实地考察:查看 1分", Method.FIELD, "查看", D(1)),
        ("日常考核 2分", Method.DAILY, "", D(2)),
        ("集中评审1分", Method.CASE_REVIEW, "", D(1)),
        ("集中评查 1分", Method.CASE_REVIEW, "", D(1)),
        ("其他:下发的相关文件 2分", Method.OTHER, "下发的相关文件", D(2)),
        ("其他:2, 1", Method.OTHER, "2, 1", None),
        ("其它", Method.OTHER, "", None),
        ("报 送 资 料 :文件 １分", Method.SUBMISSION, "文件", D(1)),
    ],
)
def test_method_cell_variants(text: str, method: Method, materials: str, points: Decimal | None) -> None:
    cell = parse_method(text)
    assert cell.recognised
    assert (cell.method, cell.materials) == (method.value, materials)
    assert (cell.points.value if cell.points else None) == points


def test_method_without_prefix_is_other_with_a_warning() -> None:
    table = parse_indicator_workbook(wide_table(task_row(method="安排部署的通知文件及总结 1分")))
    task = single_task(table)
    assert (task.method, task.materials, task.points) == (Method.OTHER, "安排部署的通知文件及总结", D(1))
    warning = only(table, "method_unknown")
    assert (warning.severity, warning.row, warning.column) == ("warning", 2, "D")


@pytest.mark.parametrize(
    ("text", "name", "points"),
    [
        ("一、依法全面履行政府职能13分", "依法全面履行政府职能", D(13)),
        ("规范行政权力运行2.5分", "规范行政权力运行", D("2.5")),
        ("一、听取汇报(3分)", "听取汇报", D(3)),
        ("1. 听取考核对象推进依法行政工作情况汇报(2分)", "听取考核对象推进依法行政工作情况汇报", D(2)),
        ("2. 座谈了解情况（1分）", "座谈了解情况", D(1)),
        ("十一、完善机制 9 分", "完善机制", D(9)),
        ("（三）查阅相关资料（0.5分）", "查阅相关资料", D("0.5")),
        ("依法全面\n履行政府\n职能13分", "依法全面履行政府职能", D(13)),
        ("加减分项", "加减分项", None),
        ("12.4宪法宣传周", "12.4宪法宣传周", None),
    ],
)
def test_level_label_variants(text: str, name: str, points: Decimal | None) -> None:
    label = parse_level_label(text)
    assert label.name == name
    assert (label.points.value if label.points else None) == points


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(2, D(2)), (0.5, D("0.5")), (1.25, D("1.25")), ("1", D(1)), ("0.5分", D("0.5")), (" 1 分 ", D(1)), ("2.50", D("2.5"))],
)
def test_points_column_values(cell: object, expected: Decimal) -> None:
    data = sheet(["一级指标", "二级指标", "工作任务", "考核方式", "分值"], ["一、甲", "乙", "任务", "日常掌握", cell])
    task = single_task(parse_indicator_workbook(data))
    assert task.points == expected
    assert isinstance(task.points, Decimal)


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("约两分", "points_unreadable"),
        ("约1", "points_unreadable"),
        (-1, "points_negative"),
        ("-0.5", "points_negative"),
        (0.125, "points_precision"),
        ("1.125分", "points_precision"),
        (5000, "points_too_large"),
        (True, "points_unreadable"),
    ],
)
def test_bad_points_cell_is_an_error_at_that_cell(cell: object, code: str) -> None:
    data = sheet(["一级指标", "二级指标", "工作任务", "考核方式", "分值"], ["一、甲", "乙", "任务", "日常掌握", cell])
    table = parse_indicator_workbook(data)
    problem = only(table, code)
    assert (problem.severity, problem.row, problem.column, problem.sheet) == ("error", 2, "E", "Sheet1")
    assert single_task(table).points is None
    assert "points_missing" not in codes(table.problems)


def test_text_points_error_message_quotes_the_cell() -> None:
    data = sheet(["一级指标", "二级指标", "工作任务", "考核方式", "分值"], ["一、甲", "乙", "任务", "日常掌握", "约两分"])
    assert only(parse_indicator_workbook(data), "points_unreadable").message == "分值无法识别：“约两分”"


def test_negative_and_three_decimal_points_in_method_text() -> None:
    data = wide_table(task_row(task="任务一", method="日常掌握 -1分"), task_row(task="任务二", method="日常掌握 0.125分"))
    table = parse_indicator_workbook(data)
    assert [(p.code, p.row, p.column) for p in table.problems if p.severity == "error"] == [
        ("points_negative", 2, "D"),
        ("points_precision", 3, "D"),
    ]


def test_bad_level_points_reported_once_for_a_merged_cell() -> None:
    data = wide_table(
        task_row(level1="一、甲-13分", task="任务一"),
        task_row(level1=None, task="任务二"),
        merges=["A2:A3"],
    )
    table = parse_indicator_workbook(data)
    problem = only(table, "points_negative")
    assert (problem.row, problem.column) == (2, "A")
    assert "level1_points_missing" not in codes(table.problems)


def test_formula_in_points_cell_is_an_error() -> None:
    data = sheet(
        ["一级指标", "二级指标", "工作任务", "考核方式", "分值"],
        ["一、甲", "乙", "任务", "日常掌握", None],
        formulas={"E2": "=1+1"},
    )
    table = parse_indicator_workbook(data)
    problem = only(table, "formula")
    assert (problem.severity, problem.row, problem.column, problem.message) == ("error", 2, "E", "含公式，请粘贴为数值")
    assert "points_missing" not in codes(table.problems)


def test_task_without_points_is_a_warning() -> None:
    data = wide_table(task_row(task="任务一", method="报送资料:报告"), task_row(task="任务二", method="日常掌握 1分"))
    table = parse_indicator_workbook(data)
    warning = only(table, "points_missing")
    assert (warning.severity, warning.row, warning.column) == ("warning", 2, "D")
    assert "未写分值" in warning.message
    assert [t.points for _, _, t in table.tasks()] == [None, D(1)]


def test_single_task_takes_its_level2_points() -> None:
    table = parse_indicator_workbook(wide_table(task_row(level2="乙2分", method="实地考核")))
    assert single_task(table).points == D(2)
    assert table.problems == []


def test_levels_without_points_warn_except_adjustment_level2() -> None:
    data = wide_table(
        task_row(level1="一、甲", level2="乙", task="任务一", method="日常掌握 1分"),
        task_row(level1="一、甲", level2="加减分项", task="加分项", method="报送资料:材料 1分"),
    )
    table = parse_indicator_workbook(data)
    assert sorted(codes(table.problems)) == ["level1_points_missing", "level2_points_missing"]
    assert all(p.severity == "warning" for p in table.problems)


# -- deadline ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2020-12-31",
        "2020/12/31",
        "2020.12.31",
        "2020年12月31日",
        "2020 年 12 月 31 日",
        "2020年12月31日前",
        excel_datetime(2020, 12, 31),
        date(2020, 12, 31),
        44196,
    ],
)
def test_deadline_variants(value: object) -> None:
    assert parse_deadline(value).value == date(2020, 12, 31)


def test_blank_deadline_is_none() -> None:
    task = single_task(parse_indicator_workbook(wide_table(task_row(deadline=None))))
    assert task.deadline is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("年底前", "时间要求不是有效日期：“年底前”"),
        ("2020-13-01", "时间要求不是有效日期：“2020-13-01”"),
        (excel_datetime(1900, 1, 5), "时间要求不是有效日期：1900-01-05"),
        (5, "时间要求不是有效日期：1900-01-05"),
        ("2200-01-01", "时间要求不是有效日期：2200-01-01"),
    ],
)
def test_invalid_deadline_is_an_error(value: object, message: str) -> None:
    table = parse_indicator_workbook(wide_table(task_row(deadline=value)))
    problem = only(table, "deadline_invalid")
    assert (problem.severity, problem.row, problem.column, problem.message) == ("error", 2, "E", message)


# -- adjustment, next year, assessor ------------------------------------------------------------


def test_adjustment_rows_and_next_year_flag() -> None:
    data = wide_table(
        task_row(level2="加强监督3分", task="总结分析(注:此项为明年考核内容)", method="报送资料:年度报告 3分"),
        task_row(level2="加减分项", task="加分项", method="报送资料:创新材料 1分"),
        task_row(level2="加减分项", task="扣分项", method="日常掌握 1分"),
        task_row(level2="加减分项", task="减分情形", method="日常掌握 1分"),
    )
    table = parse_indicator_workbook(data)
    tasks = [t for _, _, t in table.tasks()]
    assert [t.adjustment for t in tasks] == ["", Adjustment.BONUS, Adjustment.DEDUCTION, Adjustment.DEDUCTION]
    assert [t.counts_next_year for t in tasks] == [True, False, False, False]
    assert table.problems == []


def test_next_year_flag_from_requirement() -> None:
    task = single_task(parse_indicator_workbook(wide_table(task_row(requirement="此项为明年 考核内容"))))
    assert task.counts_next_year


def test_assessor_text_is_normalised() -> None:
    task = single_task(parse_indicator_workbook(wide_table(task_row(assessor="市政府办公 室职能转变 \n协调科"))))
    assert task.assessor == "市政府办公室职能转变协调科"


# -- structural errors ----------------------------------------------------------------------------


def test_duplicate_task_is_an_error() -> None:
    data = wide_table(task_row(), task_row())
    problem = only(parse_indicator_workbook(data), "duplicate_task")
    assert (problem.severity, problem.row, problem.column) == ("error", 3, "C")
    assert "第2行" in problem.message


def test_same_task_with_different_materials_is_not_a_duplicate() -> None:
    data = wide_table(
        task_row(task="建立权责清单动态调整机制", method="报送资料:相关网站链接 0.5分"),
        task_row(task="建立权责清单动态调整机制", method="报送资料:动态管理办法 0.5分"),
    )
    table = parse_indicator_workbook(data)
    assert not table.has_errors
    assert len(list(table.tasks())) == 2


def test_task_without_level1_is_an_error() -> None:
    table = parse_indicator_workbook(wide_table(task_row(level1=None)))
    problem = only(table, "level1_missing")
    assert (problem.row, problem.column) == (2, "A")


def test_task_without_any_level_is_an_error() -> None:
    table = parse_indicator_workbook(wide_table(task_row(level1=None, level2=None)))
    assert only(table, "level_missing").severity == "error"


def test_content_without_task_is_an_error() -> None:
    table = parse_indicator_workbook(wide_table(task_row(task=None)))
    problem = only(table, "task_missing")
    assert (problem.row, problem.column) == (2, "C")


def test_header_without_data_rows_is_an_error() -> None:
    table = parse_indicator_workbook(wide_table())
    assert codes(table.problems) == ["no_tasks"]


def test_all_problems_are_reported_together() -> None:
    data = wide_table(
        task_row(task="任务一", method="日常掌握 1.125分"),  # three decimal places
        task_row(task="任务二", deadline="下月"),
        task_row(task="任务三", method="日常掌握 -2分"),
        task_row(task="任务四", level1=None),
    )
    table = parse_indicator_workbook(data)
    errors = [(p.code, p.row, p.column) for p in table.problems if p.severity == "error"]
    assert errors == [
        ("points_precision", 2, "D"),
        ("deadline_invalid", 3, "E"),
        ("points_negative", 4, "D"),
        ("level1_missing", 5, "A"),
    ]
    assert len(list(table.tasks())) == 3


def test_three_cell_errors_in_a_points_column_sheet() -> None:
    data = sheet(
        ["一级指标", "二级指标", "工作任务", "考核方式", "分值", "时间要求"],
        ["一、甲10分", "乙3分", "任务一", "日常掌握", "约两分", "2020-12-31"],
        ["一、甲10分", "乙3分", "任务二", "日常掌握", 1, excel_datetime(1900, 1, 5)],
        ["一、甲10分", "乙3分", "任务三", "日常掌握", None, "2020-12-31"],
        formulas={"E4": "=SUM(E2:E3)"},
    )
    table = parse_indicator_workbook(data)
    errors = [(p.code, p.row, p.column) for p in table.problems if p.severity == "error"]
    assert errors == [("points_unreadable", 2, "E"), ("deadline_invalid", 3, "F"), ("formula", 4, "E")]


# -- 附件4 layout --------------------------------------------------------------------------------------


def test_annex4_layout_with_two_row_header() -> None:
    table = parse_indicator_workbook(annex4_table())
    assert table.columns == {"level1": "A", "level2": "B", "task": "C", "requirement": "D", "method": "E"}
    assert table.title == "平顶山市2020年度依法行政考核内容"
    assert [(l1.name, l1.points) for l1 in table.level1] == [("听取汇报", D(3)), ("依法行政能力测试", D(7))]
    assert [(l2.name, l2.points) for l2 in table.level1[0].children] == [
        ("听取考核对象推进依法行政工作情况汇报", D(2)),
        ("座谈了解情况", D(1)),
    ]
    tasks = [t for _, _, t in table.tasks()]
    assert [t.points for t in tasks] == [D(2), D(1), D(5), D(2)]
    assert {t.method for t in tasks} == {Method.FIELD}
    assert all(t.deadline is None and t.assessor == "" for t in tasks)
    assert table.problems == []


# -- file-level problems --------------------------------------------------------------------------


def test_50_mb_file_is_refused_without_parsing() -> None:
    data = bytes(50 * 1024 * 1024)
    table = parse_indicator_workbook(data)
    assert codes(table.problems) == ["file_too_large"]
    assert table.problems[0].message == "文件过大（50 MB），上限 20 MB"


def test_max_bytes_parameter_and_streams() -> None:
    data = wide_table(task_row())
    table = parse_indicator_workbook(io.BytesIO(data), max_bytes=len(data) - 1)
    assert codes(table.problems) == ["file_too_large"]
    assert not parse_indicator_workbook(io.BytesIO(data), max_bytes=len(data)).has_errors


def test_too_large_stream_reports_its_full_size() -> None:
    stream = io.BytesIO(bytes(30 * 1024 * 1024))
    table = parse_indicator_workbook(stream)
    assert table.problems[0].message == "文件过大（30 MB），上限 20 MB"
    assert parse_indicator_workbook(bytes(3000), max_bytes=2048).problems[0].message == "文件过大（2.9 KB），上限 2 KB"


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"", "empty_file", "文件为空"),
        (cfb_file(encrypted=True), "encrypted", "文件设有密码保护，请取消密码后再导入"),
        (cfb_file(encrypted=False), "legacy_xls", "这是旧版 .xls 文件，请在 WPS/Excel 中另存为 .xlsx 后再导入"),
        (pdf_file(), "not_xlsx", "不是有效的 .xlsx 文件"),
        (random.Random(7).randbytes(4096), "not_xlsx", "不是有效的 .xlsx 文件"),
        ("一级指标,二级指标\n".encode(), "not_xlsx", "不是有效的 .xlsx 文件"),
        (plain_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}), "not_xlsx", "不是有效的 .xlsx 文件"),
        (plain_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"not xml"}), "unreadable", "文件已损坏"),
    ],
)
def test_files_that_are_not_plain_xlsx(data: bytes, code: str, message: str) -> None:
    for parse in (parse_indicator_workbook, parse_unit_workbook, parse_desk_workbook):
        if parse is parse_indicator_workbook and b"word/document.xml" in data:
            continue  # indicator tables may come as .docx: see test_import_corpus.py
        result = parse(data)
        assert codes(result.problems) == [code]
        assert result.problems[0].message.startswith(message)
        assert result.problems[0].severity == "error"


def test_pdf_is_named_as_such() -> None:
    assert "PDF" in parse_indicator_workbook(pdf_file()).problems[0].message


def test_truncated_xlsx_is_not_valid() -> None:
    data = wide_table(task_row())
    assert codes(parse_indicator_workbook(data[: len(data) // 2]).problems) == ["not_xlsx"]


def test_zip_bomb_guard_with_real_200_mb_member() -> None:
    data = zip_with_member("xl/worksheets/sheet1.xml", 201 * 1024 * 1024)
    assert len(data) < 2 * 1024 * 1024
    assert codes(parse_indicator_workbook(data).problems) == ["zip_bomb"]


def test_zip_bomb_guard_scales_with_max_bytes() -> None:
    rows = [task_row(task=f"任务{i}", method=f"报送资料:材料{i} 1分") for i in range(300)]
    data = wide_table(*rows)
    import zipfile

    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert unpacked > 10 * len(data) // 2  # premise: the sheet XML compresses well
    limit = unpacked // 10 - 1
    assert len(data) <= limit, "test premise: the file itself is under the limit"
    assert codes(parse_indicator_workbook(data, max_bytes=limit).problems) == ["zip_bomb"]


def test_zip_with_unsupported_version_is_not_valid() -> None:
    data = bytearray(wide_table(task_row()))
    central = data.find(b"PK\x01\x02")
    data[central + 6 : central + 8] = (88).to_bytes(2, "little")  # "version needed to extract" 8.8
    assert codes(parse_indicator_workbook(bytes(data)).problems) == ["not_xlsx"]


def test_unexpected_failure_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("kaohe.plans.excel.parse.IndicatorReader", broken)
    monkeypatch.setattr("kaohe.plans.excel.parse.read_units", broken)
    monkeypatch.setattr("kaohe.plans.excel.parse.read_desks", broken)
    assert codes(parse_indicator_workbook(wide_table(task_row())).problems) == ["unexpected"]
    assert codes(parse_unit_workbook(sheet(["类别", "单位"], ["部门2", "市公安局"])).problems) == ["unexpected"]
    assert codes(parse_desk_workbook(sheet(["单位", "账号"], ["市委编办", "a"])).problems) == ["unexpected"]


def test_random_garbage_never_raises() -> None:
    rng = random.Random(2020)
    good = wide_table(task_row(), task_row(task="任务二"))
    for _ in range(40):
        data = bytearray(good)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        table = parse_indicator_workbook(bytes(data))
        assert isinstance(table, IndicatorTable)


# -- units and assessors -----------------------------------------------------------------------------


def test_unit_workbook() -> None:
    data = sheet(
        ["平顶山市2020年度依法行政考核对象单位名单"],
        ["序号", "考核对象类别", "单位名称", "排序码"],
        [1, "县区政府", "舞钢市人民政府", "010"],
        [2, "部门1", "市委 网信办", None],
    )
    table = parse_unit_workbook(data)
    assert table.problems == []
    assert [(u.category, u.name, u.sort_key, u.row) for u in table.units] == [
        ("县区政府", "舞钢市人民政府", "010", 3),
        ("部门1", "市委网信办", "", 4),
    ]


@pytest.mark.parametrize(("name", "category"), [("单位", "类别"), ("名称", "分类"), ("单位名称", "考核对象类别")])
def test_unit_header_synonyms(name: str, category: str) -> None:
    table = parse_unit_workbook(sheet([category, name], ["部门2", "市公安局"]))
    assert [(u.category, u.name) for u in table.units] == [("部门2", "市公安局")]


def test_unit_errors() -> None:
    data = sheet(
        ["类别", "单位名称"],
        ["部门2", "市公安局"],
        ["部门2", None],
        ["部门2", "市公安局"],
        [None, "市民政局"],
    )
    table = parse_unit_workbook(data)
    assert [(p.code, p.row, p.column) for p in table.problems] == [
        ("unit_name_missing", 3, "B"),
        ("duplicate_unit", 4, "B"),
        ("unit_category_missing", 5, "A"),
    ]
    assert table.has_errors


def test_unit_workbook_without_category_column() -> None:
    table = parse_unit_workbook(sheet(["序号", "单位"], [1, "市公安局"]))
    assert codes(table.problems) == ["header_missing"]
    assert "“类别”" in table.problems[0].message


def test_assessor_workbook() -> None:
    data = sheet(
        ["附件2"],
        ["平顶山市2020年度依法行政考核主体联系表"],
        ["序号", "单位", "联系人", "联系电话", "联系地址", "督导平台登录账号"],
        ["01", "市委组织部", "联系人01", 2979950, "行政综合楼 532 房间", "pdssswzzb"],
        ["02", "市委编办", "联系人02", None, "行政综合楼419房间", "pdssswbb"],
    )
    table = parse_desk_workbook(data)
    assert table.problems == []
    first = table.desks[0]
    assert (first.seq, first.name, first.contact, first.phone, first.address, first.account, first.row) == (
        "01",
        "市委组织部",
        "联系人01",
        "2979950",
        "行政综合楼532房间",
        "pdssswzzb",
        4,
    )
    assert table.desks[1].phone == ""


def test_assessor_header_synonyms_and_errors() -> None:
    data = sheet(
        ["考核主体", "账号"],
        ["市委编办", "a1"],
        [None, "a2"],
        ["市委编办", "a3"],
        ["市财政局", "a1"],
    )
    table = parse_desk_workbook(data)
    assert [(p.code, p.row, p.column) for p in table.problems] == [
        ("assessor_name_missing", 3, "A"),
        ("duplicate_assessor", 4, "A"),
        ("duplicate_account", 5, "B"),
    ]


def test_unit_list_is_not_taken_for_an_assessor_list() -> None:
    table = parse_desk_workbook(sheet(["序号", "考核对象类别", "单位名称"], [1, "部门2", "市公安局"]))
    assert codes(table.problems) == ["header_missing"]


def test_table_with_only_level2_and_points_columns() -> None:
    data = sheet(
        ["二级指标", "工作任务", "分值", "分值"],
        ["规范行政权力运行2.5分", "任务一", 1.5, 9],
        ["规范行政权力运行2.5分", "任务二", 1, 9],
    )
    table = parse_indicator_workbook(data)
    assert [(l1.name, l1.points, [c.name for c in l1.children]) for l1 in table.level1] == [
        ("规范行政权力运行", D("2.5"), ["规范行政权力运行"])
    ]
    assert [(t.method, t.points) for _, _, t in table.tasks()] == [(Method.OTHER, D("1.5")), (Method.OTHER, D(1))]
    assert sorted(codes(table.problems)) == ["header_duplicate", "level_column_missing", "method_column_missing"]
    assert not table.has_errors
    duplicate = only(table, "header_duplicate")
    assert (duplicate.row, duplicate.column) == (1, "D")
