"""Points consistency checks (check_sums) on hand-made indicator tables (the demo's real ones: test_demo_workbooks)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kaohe.plans.constants import Adjustment, Method
from kaohe.plans.excel import (
    IndicatorTable,
    Level1Row,
    Level2Row,
    TaskRow,
    check_sums,
)

D = Decimal
HUNDRED = D(100)


def task(name: str, points: Decimal | None, adjustment: str = Adjustment.NONE, row: int | None = None) -> TaskRow:
    return TaskRow(name, Method.DAILY, "", points, date(2020, 12, 31), "", "", str(adjustment), False, row)


def table(*level1: Level1Row) -> IndicatorTable:
    return IndicatorTable(title="", level1=list(level1), sheet="附件5", columns={"level1": "A", "level2": "B"})


def test_consistent_table_has_no_warnings() -> None:
    t = table(
        Level1Row("甲", D(60), [Level2Row("乙", D(60), [task("a", D("59.5")), task("b", D("0.5"))])]),
        Level1Row("丙", D(40), [Level2Row("丁", None, [task("c", D(40))])]),
    )
    assert check_sums(t, full_score=HUNDRED) == []


def test_level2_mismatch_message_and_location() -> None:
    t = table(
        Level1Row(
            "深入推进服务型行政执法建设",
            D(5),
            [Level2Row("落实法律风险防控制度", D(5), [task("a", D("2.00")), task("b", D("2.00"))], row=12)],
            row=10,
        ),
    )
    problems = check_sums(t, full_score=D(5))
    level2 = [p for p in problems if p.row == 12]
    assert len(level2) == 1
    problem = level2[0]
    assert (problem.severity, problem.code, problem.sheet, problem.column) == ("warning", "sum_mismatch", "附件5", "B")
    assert problem.message == "二级指标“落实法律风险防控制度”写明5分，所属工作任务合计4分"
    assert problem.location == "工作表“附件5”第12行B列"


def test_level1_compares_level2_sum_and_task_sum() -> None:
    t = table(
        Level1Row("甲", D(10), [Level2Row("乙", D(4), [task("a", D(4))]), Level2Row("丙", D(5), [task("b", D(5))])], row=2),
    )
    messages = [p.message for p in check_sums(t, full_score=D(10))]
    assert messages == ["全部工作任务合计9分，满分应为10分", "一级指标“甲”写明10分，所属二级指标合计9分"]


def test_level2_without_points_counts_with_its_task_sum() -> None:
    t = table(Level1Row("甲", D(10), [Level2Row("乙", None, [task("a", D(6))]), Level2Row("丙", D(4), [task("b", D(4))])]))
    assert check_sums(t, full_score=D(10)) == []


def test_missing_task_points_are_counted_as_zero_and_mentioned() -> None:
    t = table(Level1Row("甲", D(3), [Level2Row("乙", D(3), [task("a", D(2)), task("b", None)])]))
    messages = [p.message for p in check_sums(t, full_score=D(3))]
    assert "二级指标“乙”写明3分，所属工作任务合计2分（其中1项未写分值）" in messages
    assert "一级指标“甲”写明3分，所属工作任务合计2分（其中1项未写分值）" in messages
    assert "全部工作任务合计2分（其中1项未写分值），满分应为3分" in messages


def test_adjustment_rows_are_outside_the_totals() -> None:
    adjustments = Level2Row(
        "加减分项", None, [task("加分项", D(1), Adjustment.BONUS), task("扣分项", D(1), Adjustment.DEDUCTION)]
    )
    t = table(Level1Row("甲", D(100), [Level2Row("乙", D(100), [task("a", D(100))]), adjustments]))
    assert check_sums(t, full_score=HUNDRED) == []


def test_total_against_full_score() -> None:
    t = table(Level1Row("甲", D("14.5"), [Level2Row("乙", D("14.5"), [task("a", D("14.5"))])]))
    problems = check_sums(t, full_score=HUNDRED)
    assert [(p.code, p.message) for p in problems] == [("total_mismatch", "各一级指标合计14.5分，满分应为100分")]
    assert problems[0].location == "工作表“附件5”"


def test_numbers_are_shown_without_noise() -> None:
    t = table(Level1Row("甲", D("10.00"), [Level2Row("乙", D("10.00"), [task("a", D("9.50"))])]))
    messages = " ".join(p.message for p in check_sums(t, full_score=D("10.0")))
    assert "9.5分" in messages and "10分" in messages
    assert ".00" not in messages and "E+" not in messages


def test_a_next_year_task_is_out_of_the_sums() -> None:
    t = table(Level1Row("甲", D(10), [Level2Row("乙", D(10), [task("a", D(8)), task("b", D(2))])]))
    assert check_sums(t, full_score=D(10)) == []
    t.level1[0].children[0].tasks[1].counts_next_year = True
    messages = [p.message for p in check_sums(t, full_score=D(10))]
    assert "二级指标“乙”写明10分，所属工作任务合计8分" in messages
