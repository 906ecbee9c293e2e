"""Table-driven tests of the rule engine, from the Pingdingshan 2020 rules (rules.md Part A) and Jiaozuo (Part B).

Every expected number is computed by hand in the case's comment.
"""

from __future__ import annotations

import pytest

from kaohe.scoring.rules import (
    Adjustment,
    Bonus,
    CategoryInput,
    Component,
    Deduction,
    Grade,
    GradeBand,
    MissingPolicy,
    NotApplicable,
    Policy,
    Status,
    Subtotal,
    Task,
    TaskScore,
    UnitInput,
    Veto,
    assign_grades,
    bottom_units,
    component_for_method,
    compute_category,
    grade_score,
    normalise_matter,
    quota_limit,
    rank_competition,
    round_rate,
    round_score,
    task_score_from_grade,
)

from . import (
    BANDS,
    BANDS_NO_QUOTA,
    BONUS_ROW,
    COUNTY_TASKS,
    DEDUCTION_ROW,
    DEPT1_TASKS,
    LAWSUITS,
    D,
    county,
    dept1,
    losing,
    unit,
)

JIAOZUO = {Component.PLATFORM: D(80), Component.FIELD: D(15), Component.CASE_REVIEW: D(5)}


def one(category: CategoryInput, unit_input: UnitInput, policy: Policy | None = None):
    return compute_category(category, [unit_input], policy or Policy()).units[0]


# --- grade percentages (PDS L38) ---------------------------------------------------------------------------

PCT_90_70_50 = {Grade.EXCELLENT: D(90), Grade.GOOD: D(70), Grade.FAIR: D(50), Grade.POOR: D(0)}


@pytest.mark.parametrize(
    ("points", "grade", "percentages", "expected"),
    [
        ("1", Grade.EXCELLENT, None, "1"),  # 优 100 %
        ("1", Grade.GOOD, None, "0.8"),  # 良 80 %
        ("0.5", Grade.GOOD, None, "0.4"),  # 0.5 × 80 % = 0.4
        ("0.5", Grade.FAIR, None, "0.3"),  # 0.5 × 60 %
        ("3", Grade.FAIR, None, "1.8"),
        ("2.5", Grade.POOR, None, "0"),  # 差: 不得分
        ("0.5", Grade.GOOD, PCT_90_70_50, "0.35"),  # plan-configured percentages, exact (no rounding to 0.4)
        ("0.25", Grade.FAIR, PCT_90_70_50, "0.125"),
    ],
)
def test_grade_score(points, grade, percentages, expected) -> None:
    result = grade_score(D(points), grade, percentages) if percentages else grade_score(D(points), grade)
    assert result == D(expected)


def test_evaluation_from_grade_uses_the_policy_and_a_task_without_points_earns_zero() -> None:
    policy = Policy(grade_percentages=PCT_90_70_50)
    assert task_score_from_grade(Task(7, 1, 1, D(2)), Grade.GOOD, policy) == TaskScore(7, D("1.4"))
    assert task_score_from_grade(Task(8, 1, 1, None), Grade.EXCELLENT, policy) == TaskScore(8, D(0))


def test_grade_labels() -> None:
    assert [g.label for g in Grade] == ["优", "良", "中", "差"]
    assert [g.value for g in Grade] == ["excellent", "good", "fair", "poor"]


# --- rounding (once, at the end, half-up) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("12.35") * 100 / 15, "82.33"),  # 82.333…
        (D("82.335"), "82.34"),  # half-up, not banker's rounding (which gives 82.34 too)
        (D("82.345"), "82.35"),  # banker's rounding would give 82.34
        (D("0.4"), "0.40"),
        (D("-0.125"), "-0.13"),  # halves away from zero
        (D("-0.001"), "0.00"),  # never "-0.00"
    ],
)
def test_round_score(value, expected) -> None:
    result = round_score(value)
    assert result == D(expected)
    assert str(result) == expected


@pytest.mark.parametrize(("value", "expected"), [("0.91754", "0.9175"), ("0.91755", "0.9176"), ("1", "1.0000")])
def test_round_rate(value, expected) -> None:
    assert str(round_rate(D(value))) == expected


# --- the Pingdingshan worked cases (100-point county table) ------------------------------------------------

SIX = [Bonus(m) for m in ("省级表彰", "经验推广", "央视报道", "示范单位", "市级表彰", "人民日报报道")]
DECISION = "超越法定权限作出重大行政决策"
TWICE = [Bonus("省级表彰"), Bonus(" 省级 表彰 ")]  # spacing does not make another matter
TWICE_PLUS_TWO = [Bonus("Ａ类表彰"), Bonus("a类表彰"), Bonus("经验推广"), Bonus("央视报道")]  # nor full-width or case
ZEROING = [Deduction(DECISION, D(2), 101)]
ZEROING_TWICE = [Deduction(DECISION, D(2), 101), Deduction(DECISION, D(3), 101)]
THREE_DEDUCTIONS = [Deduction("事故", D(3)), Deduction("不履行判决", D(3)), Deduction("弄虚作假", D(3))]
GRADED = {101: grade_score(D(3), Grade.GOOD), 102: grade_score(D(2), Grade.FAIR)}
NEARLY_NOTHING = {t.id: D(0) for t in COUNTY_TASKS} | {102: D(1)}

# Each row: inputs, then "raw  max  converted  bonus_total  deduction_total  final".
WORKED_CASES = [
    ("full marks", {}, "100 100 100 0 0 100"),
    # 6 matters at +1 = 6 > 5 → 5 (累计加分超过5分的,以5分为限).
    ("cap at 5 with 6 bonus items", {"bonuses": SIX}, "100 100 100 5 0 105"),
    ("5 bonus items reach the cap exactly", {"bonuses": SIX[:5]}, "100 100 100 5 0 105"),
    # The same matter counts once (同一事项的,不重复加分).
    ("same matter twice", {"bonuses": TWICE}, "100 100 100 1 0 101"),
    ("same matter twice plus two others", {"bonuses": TWICE_PLUS_TWO}, "100 100 100 3 0 103"),
    # A deduction zeroes its task (101: 3 分 → 0) and takes 2 off the total: 100 − 3 − 2 = 95.
    ("deduction zeroing its task", {"deductions": ZEROING}, "97 100 97 0 2 95"),
    # The same deduction matter counts once (同一事项的,不重复扣分), at the higher amount.
    ("same deduction matter twice", {"deductions": ZEROING_TWICE}, "97 100 97 0 3 94"),
    # Deductions have no cap: 3 + 3 + 3 = 9.
    ("three deductions, no cap", {"deductions": THREE_DEDUCTIONS}, "100 100 100 0 9 91"),
    # 不涉及 on 101 (3) and 102 (2) → max 95; 5 lost on 801 → raw 90; 90 × 100 / 95 = 94.7368… → 94.74.
    ("a unit with two tasks 不涉及", {"na": [101, 102], "scores": {801: D(13)}}, "90 95 94.74 0 0 94.74"),
    # Bonus after conversion and cap: 94.7368… + 5 = 99.7368… → 99.74.
    ("不涉及 and six bonus items", {"na": [101, 102], "scores": {801: D(13)}, "bonuses": SIX}, "90 95 94.74 5 0 99.74"),
    # 良 on 101 (3 × 80 % = 2.4) and 中 on 102 (2 × 60 % = 1.2): 100 − 0.6 − 0.8 = 98.6.
    ("grades on two tasks", {"scores": GRADED}, "98.6 100 98.6 0 0 98.6"),
    # Not floored at zero: everything lost but 1 point of task 102, then − 3.
    ("final below zero", {"scores": NEARLY_NOTHING, "deductions": THREE_DEDUCTIONS[:1]}, "1 100 1 0 3 -2"),
]


@pytest.mark.parametrize(("case", "kwargs", "expected"), WORKED_CASES, ids=[row[0] for row in WORKED_CASES])
def test_pingdingshan_worked_cases(case, kwargs, expected) -> None:
    kwargs = dict(kwargs)
    scores = kwargs.pop("scores", None)
    result = one(county(), unit(1, COUNTY_TASKS, scores, **kwargs))
    numbers = (result.raw, result.applicable_max, result.converted, result.bonus_total, result.deduction_total, result.final)
    assert numbers == tuple(D(x) for x in expected.split()), case
    assert result.final.as_tuple().exponent == -2


def test_cap_and_same_matter_are_reported() -> None:
    result = one(county(), unit(1, COUNTY_TASKS, bonuses=[*SIX, Bonus("省级表彰")]))
    assert result.bonus_matters == D(6)
    assert [b.matter for b in result.bonuses] == sorted(b.matter for b in SIX)
    assert "加分事项“省级表彰”报了2次，同一事项只加一次（1分）" in result.warnings
    assert "加分合计6分，超过5分的上限，按5分计" in result.warnings


def test_deduction_records_zeroed_task_and_matter() -> None:
    result = one(county(), unit(1, COUNTY_TASKS, deductions=[Deduction(DECISION, D(2), 101), Deduction("事故", D(1), 301)]))
    assert result.zeroed_task_ids == (101, 301)
    assert [(d.matter, d.points, d.task_ids) for d in result.deductions] == [
        ("事故", D(1), (301,)),
        (DECISION, D(2), (101,)),
    ]
    # 100 − 3 (task 101) − 4 (task 301) − 2 − 1
    assert result.final == D(90)
    assert result.level2[11] == Subtotal(D(2), D(5), D("0.4000"))


def test_deduction_on_a_task_marked_not_applicable_counts_it_as_zero() -> None:
    result = one(county(), unit(1, COUNTY_TASKS, na=[101], deductions=[Deduction(DECISION, D(1), 101)]))
    # The deduction wins over 不涉及: task 101 is back in the maximum with 0 → 97 − 1.
    assert (result.applicable_max, result.raw, result.final) == (D(100), D(97), D(96))
    assert result.not_applicable_task_ids == ()
    assert any("不涉及" in w and "零分" in w for w in result.warnings)


def test_deduction_outside_one_to_three_is_counted_with_a_warning() -> None:
    result = one(county(), unit(1, COUNTY_TASKS, deductions=[Deduction("事故", D(5))]))
    assert result.final == D(95)
    assert "扣分事项“事故”扣5分，超出1至3分的范围" in result.warnings


def test_no_bonus_cap() -> None:
    assert one(county(), unit(1, COUNTY_TASKS, bonuses=SIX), Policy(bonus_cap=None)).final == D(106)


@pytest.mark.parametrize(
    ("text", "same_as"),
    [("省级表彰", " 省级　表彰 "), ("ABC奖", "ａｂｃ奖"), ("经验推广(省)", "经验推广（省）")],
)
def test_normalise_matter(text, same_as) -> None:
    assert normalise_matter(text) == normalise_matter(same_as)


# --- the 加减分项 rows inside the table (NOTES §3.2 item 7) -------------------------------------------------


@pytest.mark.parametrize(
    ("bonus_row", "deduction_row", "bonuses", "bonus_total", "deduction", "final"),
    [
        ("0", "1", 0, "0", "0", "100"),  # nothing earned, nothing deducted (扣分项 at full points)
        ("1", "1", 0, "1", "0", "101"),  # 加分项 earned 1
        ("0.5", "1", 0, "0.5", "0", "100.5"),
        ("0", "0", 0, "0", "1", "99"),  # 扣分项 scored 0: its point is subtracted
        ("0", "0.5", 0, "0", "0.5", "99.5"),
        ("1", "0", 0, "1", "1", "100"),
        ("1", "1", 5, "5", "0", "105"),  # the 加分项 shares the cap of 5 with the bonus matters (累计加分)
        ("1", "1", 4, "5", "0", "105"),
        ("0.5", "1", 4, "4.5", "0", "104.5"),
    ],
)
def test_adjustment_rows(bonus_row, deduction_row, bonuses, bonus_total, deduction, final) -> None:
    tasks = (*COUNTY_TASKS, BONUS_ROW, DEDUCTION_ROW)
    u = unit(1, tasks, {491: D(bonus_row), 492: D(deduction_row)}, bonuses=SIX[:bonuses])
    result = one(county(adjustment_rows=True), u)
    # The rows never enter the maximum or the raw score.
    assert (result.raw, result.applicable_max) == (D(100), D(100))
    assert (result.bonus_total, result.deduction_total, result.final) == (D(bonus_total), D(deduction), D(final))
    assert (result.adjustment_bonus, result.adjustment_deduction) == (D(bonus_row), D(1) - D(deduction_row))
    assert 49 not in result.level2


def test_adjustment_rows_do_not_change_a_converted_score() -> None:
    # 不涉及 on 101 + 102 (max 95), full marks elsewhere, 加分项 1 and 扣分项 0: 100 + 1 − 1.
    u = unit(1, (*COUNTY_TASKS, BONUS_ROW, DEDUCTION_ROW), {492: D(0)}, na=[101, 102])
    result = one(county(adjustment_rows=True), u)
    assert (result.applicable_max, result.converted, result.final) == (D(95), D(100), D(100))


# --- 部门1: a 15-point table converted to 100 (PDS L35) -----------------------------------------------------

# 15 − 0.4 (task 1) − 1 (task 3) − 0.5 (task 4) − 0.75 (task 5) = 12.35
DEPT1_1235 = {1: D("1.6"), 3: D(4), 4: D("1.5"), 5: D("1.25")}


ONE_BONUS = {"bonuses": [Bonus("市级表彰")]}
NO_CONVERSION = Policy(convert_to_full=False)

# Each row: scores, other inputs, policy, then "raw  converted  final".
DEPT1_CASES = [
    ("full marks", {}, {}, Policy(), "15 100 100"),
    # 12.35 × 100 / 15 = 82.333… → 82.33
    ("部门1 converted from 15", DEPT1_1235, {}, Policy(), "12.35 82.33 82.33"),
    # 82.333… + 1 = 83.333… → 83.33 (rounded once, after the bonus)
    ("converted plus a bonus", DEPT1_1235, ONE_BONUS, Policy(), "12.35 82.33 83.33"),
    # 13 × 100 / 15 = 86.666… → 86.67
    ("rounds to the nearest cent", {3: D(3)}, {}, Policy(), "13 86.67 86.67"),
    ("conversion switched off", DEPT1_1235, {}, NO_CONVERSION, "12.35 12.35 12.35"),
    # 不涉及 on the 5-point test: max 10, raw 8 → 80
    ("不涉及 inside 部门1", {1: D(0)}, {"na": [3]}, Policy(), "8 80 80"),
]


@pytest.mark.parametrize(("case", "scores", "kwargs", "policy", "expected"), DEPT1_CASES, ids=[r[0] for r in DEPT1_CASES])
def test_dept1(case, scores, kwargs, policy, expected) -> None:
    result = one(dept1(), unit(1, DEPT1_TASKS, scores, **kwargs), policy)
    assert (result.raw, result.converted, result.final) == tuple(D(x) for x in expected.split()), case


def test_dept1_subtotals_are_in_table_points() -> None:
    result = one(dept1(), unit(1, DEPT1_TASKS, DEPT1_1235))
    # 一级 一 (3): 1.6 + 1; 二 (7): 4 + 1.5; 三 (5): 1.25 + 6 × 0.5
    assert result.level1 == {
        1: Subtotal(D("2.6"), D(3), D("0.8667")),
        2: Subtotal(D("5.5"), D(7), D("0.7857")),
        3: Subtotal(D("4.25"), D(5), D("0.8500")),
    }


def test_every_task_not_applicable_gives_zero_with_a_warning() -> None:
    result = one(dept1(), unit(1, DEPT1_TASKS, na=[t.id for t in DEPT1_TASKS], bonuses=[Bonus("表彰")]))
    assert (result.applicable_max, result.converted, result.final) == (D(0), D(0), D(1))
    assert result.level1[1] == Subtotal(D(0), D(0), None)
    assert any("适用满分为0" in w for w in result.warnings)


# --- Jiaozuo component weights: 督导平台+日常 80, 实地 15, 集中评查 5 (JZ L17) --------------------------------

JZ_TASKS = (
    Task(1, 1, 1, D(40)),
    Task(2, 1, 2, D(20)),
    Task(3, 2, 3, D(6), Component.FIELD),
    Task(4, 2, 4, D(4), Component.FIELD),
    Task(5, 3, 5, D(2), Component.CASE_REVIEW),
)
JZ = CategoryInput(9, D(100), JZ_TASKS, BANDS)
THIRDS = CategoryInput(
    9, D(100), (Task(1, 1, 1, D(3)), Task(2, 2, 2, D(3), Component.FIELD), Task(3, 3, 3, D(3), Component.CASE_REVIEW))
)


JZ_SCORES = {1: D(36), 2: D(18), 3: D(5), 4: D(3), 5: D(1)}  # 54 of 60, 8 of 10, 1 of 2
JZ_NO_CASE = {1: D(36), 2: D(18), 3: D(5), 4: D(3)}
ONE_EACH = {1: D(1), 2: D(1), 3: D(1)}

# Each row: category, scores, 不涉及, then "converted  platform  field  case_review" (component scores).
WEIGHT_CASES = [
    ("full marks", JZ, {}, [], "100 80 15 5"),
    # 54/60 × 80 = 72; 8/10 × 15 = 12; 1/2 × 5 = 2.5
    ("each from its own rate", JZ, JZ_SCORES, [], "86.5 72 12 2.5"),
    # 80/3 + 15/3 + 5/3 = 33.333… → 33.33, although the displayed parts 26.67 + 5 + 1.67 add to 33.34
    ("rounded once, not per component", THIRDS, ONE_EACH, [], "33.33 26.67 5 1.67"),
    # No case file applies: its 5 go to the others in proportion: (72 + 12) × 100 / 95 = 88.421… → 88.42
    # (platform 84.21 × 0.9 = 75.79, field 15.79 × 0.8 = 12.63)
    ("component with nothing possible is redistributed", JZ, JZ_NO_CASE, [5], "88.42 75.79 12.63 0"),
    # 不涉及 inside a component only shrinks that component's possible: field 5/6 × 15 = 12.5
    ("不涉及 inside a component", JZ, {3: D(5)}, [4], "97.5 80 12.5 5"),
]


@pytest.mark.parametrize(("case", "category", "scores", "na", "expected"), WEIGHT_CASES, ids=[r[0] for r in WEIGHT_CASES])
def test_jiaozuo_weights(case, category, scores, na, expected) -> None:
    result = one(category, unit(1, category.task_list, scores, na=na), Policy(weights=JIAOZUO))
    parts = tuple(result.components[c].score for c in (Component.PLATFORM, Component.FIELD, Component.CASE_REVIEW))
    assert (result.converted, *parts) == tuple(D(x) for x in expected.split()), case


def test_jiaozuo_effective_weights_and_bonus_after_weighting() -> None:
    u = unit(1, JZ_TASKS, JZ_NO_CASE, na=[5], bonuses=[Bonus("表彰")])
    result = one(JZ, u, Policy(weights=JIAOZUO))
    platform = result.components[Component.PLATFORM]
    assert (platform.earned, platform.possible, platform.weight, platform.effective_weight) == (D(54), D(60), D(80), D("84.21"))
    assert result.components[Component.CASE_REVIEW].effective_weight == D(0)
    assert result.raw == D(62)  # the plain sum is still reported
    assert result.final == D("89.42")  # 88.421… + 1
    assert any("集中评查没有适用任务" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({Component.PLATFORM: D(85), Component.FIELD: D(15)}, "no weight"),  # task 5 (集中评查) has no weight
        ({Component.PLATFORM: D(80), Component.FIELD: D(15), Component.CASE_REVIEW: D(4)}, "full score"),
    ],
)
def test_weights_must_cover_the_components_and_add_up_to_full(weights, message) -> None:
    with pytest.raises(ValueError, match=message):
        compute_category(JZ, [unit(1, JZ_TASKS)], Policy(weights=weights))


# --- ranking, bottom list -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("finals", "ranks"),
    [
        ([90, 85, 85, 80], [1, 2, 2, 4]),
        ([80, 85, 90, 85], [4, 2, 1, 2]),
        ([70, 70, 70], [1, 1, 1]),
        (["90.01", "90", "89.99"], [1, 2, 3]),
        ([], []),
    ],
)
def test_rank_competition(finals, ranks) -> None:
    result = rank_competition({i: D(f) for i, f in enumerate(finals)})
    assert [result[i] for i in range(len(finals))] == ranks


@pytest.mark.parametrize(
    ("finals", "n", "bottom"),
    [
        ([90, 80, 70, 60, 50, 40, 30], 5, [6, 5, 4, 3, 2]),
        ([90, 80, 80, 70, 60, 50, 40], 5, [6, 5, 4, 3, 1, 2]),  # 5th and 6th lowest tied at 80: both listed
        ([90, 70, 70, 70, 60, 50, 40], 5, [6, 5, 4, 1, 2, 3]),
        ([90, 80, 70], 5, [2, 1, 0]),  # fewer units than n: all
        ([90, 80, 70], 0, []),
        ([90, 80, 70, 60], 1, [3]),
    ],
)
def test_bottom_units(finals, n, bottom) -> None:
    assert bottom_units({i: D(f) for i, f in enumerate(finals)}, n) == tuple(bottom)


def test_category_ranking_and_bottom_list() -> None:
    lost = [0, 5, 5, 10, 12, 15, 15, 20]  # finals 100, 95, 95, 90, 88, 85, 85, 80
    result = compute_category(county(), [losing(i + 1, D(x)) for i, x in enumerate(lost)], Policy(bottom_n=3))
    assert [(u.unit_id, u.final, u.rank) for u in result.units] == [
        (1, D(100), 1),
        (2, D(95), 2),
        (3, D(95), 2),
        (4, D(90), 4),
        (5, D(88), 5),
        (6, D(85), 6),
        (7, D(85), 6),
        (8, D(80), 8),
    ]
    assert result.bottom == (8, 6, 7)
    assert result.status is Status.COMPLETE


# --- grades: thresholds, quotas (at most floor(n × pct / 100)), ties at the quota boundary, vetoes ---------


@pytest.mark.parametrize(
    ("final", "grade"),
    [
        ("100", "优秀"),
        ("90", "优秀"),
        ("89.99", "良好"),
        ("80", "良好"),
        ("60", "合格"),
        ("59.99", "不合格"),
        ("0", "不合格"),
        ("-2", "不合格"),
    ],
)
def test_thresholds(final, grade) -> None:
    assignment = assign_grades({1: D(final)}, BANDS_NO_QUOTA, (), {})
    assert assignment.proposed == assignment.final == {1: grade}


@pytest.mark.parametrize(
    ("units", "pct", "limit"),
    [(10, "30", 3), (11, "30", 3), (3, "30", 0), (4, "30", 1), (20, "15", 3), (46, "30", 13), (0, "30", 0), (7, "100", 7)],
)
def test_quota_limit(units, pct, limit) -> None:
    assert quota_limit(units, D(pct)) == limit


@pytest.mark.parametrize(
    ("case", "finals", "excellent"),
    [
        ("quota fills in rank order", [99, 98, 97, 96, 95, 94, 93, 92, 91, 90], [0, 1, 2]),
        # 4th and 3rd tied at 93: taking both would make 4 > 3, so neither gets 优秀, and nobody below them.
        ("a tie crossing the boundary gets none", [96, 95, 93, 93, 91, 90, 90, 85, 80, 70], [0, 1]),
        ("a tie inside the quota gets all", [96, 95, 95, 93, 91, 90, 90, 85, 80, 70], [0, 1, 2]),
        ("threshold binds before quota", [99, 95, 89, 88, 87, 86, 85, 84, 83, 82], [0, 1]),
        ("a tie at the top larger than the quota", [95, 95, 95, 95, 91, 90, 90, 85, 80, 70], []),
    ],
)
def test_quota(case, finals, excellent) -> None:
    assignment = assign_grades({i: D(f) for i, f in enumerate(finals)}, BANDS, (), {})
    assert sorted(u for u, g in assignment.proposed.items() if g == "优秀") == excellent, case
    # Units squeezed out of 优秀 by the quota still reach the next band by threshold.
    assert all(assignment.proposed[i] == "良好" for i, f in enumerate(finals) if f >= 80 and i not in excellent)


def test_quota_on_a_middle_band() -> None:
    bands = (GradeBand("优秀", D(90), D(20)), GradeBand("良好", D(80), D(30)), GradeBand("一般", D(0)))
    finals = {i: D(f) for i, f in enumerate([98, 97, 96, 95, 94, 93, 92, 91, 90, 89])}
    grades = assign_grades(finals, bands, (), {}).proposed
    # 优秀: floor(10 × 20 %) = 2; 良好: floor(10 × 30 %) = 3; the rest 一般, although ≥ 80.
    assert [grades[i] for i in range(10)] == ["优秀"] * 2 + ["良好"] * 3 + ["一般"] * 5


def test_veto_caps_the_grade_and_the_freed_place_goes_to_the_next_unit() -> None:
    lost = [0, 1, 2, 3, 4, 5, 6, 7, 8, 20]  # finals 100 … 92, 80; 优秀 quota 3 of 10
    units = [losing(i + 1, D(x), flags={"two_lost_lawsuits"} if i == 0 else ()) for i, x in enumerate(lost)]
    result = compute_category(county(vetoes=[LAWSUITS]), units, Policy())
    first, fourth = result.unit(1), result.unit(4)
    assert (first.rank, first.proposed_grade, first.grade, first.vetoes_applied) == (1, "优秀", "良好", ("two_lost_lawsuits",))
    assert (fourth.proposed_grade, fourth.grade, fourth.vetoes_applied) == ("良好", "优秀", ())
    assert [u.unit_id for u in result.units if u.grade == "优秀"] == [2, 3, 4]


X = Veto("x", "良好")  # denies 良好 and everything better
BOTH = frozenset({"x", "two_lost_lawsuits"})

# Each row: a single unit's final, its flags, the category's vetoes, then proposed grade, grade, vetoes applied.
VETO_CASES = [
    ("flag without a veto", "95", {"other"}, [LAWSUITS], "优秀", "优秀", ()),
    ("veto on a unit already below the denied band", "85", {"two_lost_lawsuits"}, [LAWSUITS], "良好", "良好", ()),
    ("denying 良好 also denies 优秀", "95", {"x"}, [X], "优秀", "合格", ("x",)),
    ("two vetoes: the stricter wins", "95", BOTH, [LAWSUITS, X], "优秀", "合格", ("two_lost_lawsuits", "x")),
    ("veto denying the proposed band", "85", {"x"}, [X], "良好", "合格", ("x",)),
    ("low score stays low", "50", {"x"}, [X], "不合格", "不合格", ()),
]


@pytest.mark.parametrize(
    ("case", "final", "flags", "vetoes", "proposed", "grade", "applied"), VETO_CASES, ids=[r[0] for r in VETO_CASES]
)
def test_vetoes(case, final, flags, vetoes, proposed, grade, applied) -> None:
    assignment = assign_grades({1: D(final)}, BANDS_NO_QUOTA, vetoes, {1: frozenset(flags)})
    assert (assignment.proposed[1], assignment.final[1], assignment.vetoes_applied.get(1, ())) == (proposed, grade, applied), case


def test_no_bands_no_grades() -> None:
    result = compute_category(county(bands=()), [losing(1, D(0))], Policy(), previous_grades={1: "优秀"})
    assert (result.units[0].proposed_grade, result.units[0].grade) == (None, None)
    assert result.excellent_two_years == ()


def test_excellent_two_years_running() -> None:
    units = [losing(1, D(0)), losing(2, D(1)), losing(3, D(15)), losing(4, D(2), flags={"two_lost_lawsuits"})]
    category = county(bands=BANDS_NO_QUOTA, vetoes=[LAWSUITS])
    previous = {1: "优秀", 2: "良好", 3: "优秀", 4: "优秀", 99: "优秀"}
    result = compute_category(category, units, Policy(), previous_grades=previous)
    # 1: 优秀 both years; 2: 良好 last year; 3: 良好 this year (85); 4: vetoed to 良好 this year.
    assert result.excellent_two_years == (1,)
    assert compute_category(category, units, Policy()).excellent_two_years is None


# --- missing evaluations: REPORT vs ZERO --------------------------------------------------------------------


def test_missing_report_leaves_the_unit_unscored_and_unranked() -> None:
    units = [losing(1, D(5)), losing(2, D(0), omit=[101, 301]), losing(3, D(10))]
    result = compute_category(county(bands=BANDS_NO_QUOTA), units, Policy(bottom_n=1))
    assert result.status is Status.INCOMPLETE
    assert result.missing == {2: (101, 301)}
    waiting = result.unit(2)
    assert (waiting.scored, waiting.raw, waiting.converted, waiting.final, waiting.rank, waiting.grade) == (
        False,
        None,
        None,
        None,
        None,
        None,
    )
    assert waiting.applicable_max == D(100)  # the maximum does not depend on evaluations
    assert waiting.missing_task_ids == (101, 301) and not waiting.zero_filled
    assert "尚有2项任务未评价，暂不计算总分和排名" in waiting.warnings
    assert [(u.unit_id, u.rank) for u in result.units] == [(1, 1), (3, 2), (2, None)]
    assert result.bottom == (3,)
    # Subtotals so far: 一级 1 without 101 (3 分): 10 of 10.
    assert waiting.level1[1] == Subtotal(D(10), D(10), D(1))


def test_missing_zero_counts_zero_and_lists_it() -> None:
    units = [losing(1, D(5)), losing(2, D(0), omit=[101, 301]), losing(3, D(10))]
    result = compute_category(county(bands=BANDS_NO_QUOTA), units, Policy(missing=MissingPolicy.ZERO))
    assert result.status is Status.COMPLETE
    assert result.missing == {2: (101, 301)}
    filled = result.unit(2)
    assert (filled.scored, filled.final, filled.rank, filled.zero_filled) == (True, D(93), 2, True)  # 100 − 3 − 4
    assert "2项未评价任务按零分计算（扣分项未评价的不扣分）" in filled.warnings


def test_units_without_any_evaluation_are_not_assessed_and_stay_out_of_the_bottom_list() -> None:
    """Counted at 0 (ZERO) without a single evaluation: ranked and graded as computed, but not in the bottom list,
    so the list of 3 is not blown up by a tie of units at 0 (issue 13, item 11c)."""
    nothing = [t.id for t in COUNTY_TASKS]
    units = [losing(1, D(0)), losing(2, D(5)), losing(3, D(10)), losing(4, D(12))]
    units += [unit(k, COUNTY_TASKS, omit=nothing) for k in (5, 6, 7)]
    result = compute_category(county(bands=BANDS_NO_QUOTA), units, Policy(bottom_n=3, missing=MissingPolicy.ZERO))
    assert result.not_assessed == (5, 6, 7)
    assert [result.unit(k).final for k in (5, 6, 7)] == [D(0)] * 3
    assert result.unit(5).rank == 5
    assert result.bottom == (4, 3, 2)
    # A unit with one evaluation of 0 was assessed: it is in the list.
    units.append(unit(8, COUNTY_TASKS, {101: D(0)}, omit=nothing[1:]))
    result = compute_category(county(bands=BANDS_NO_QUOTA), units, Policy(bottom_n=3, missing=MissingPolicy.ZERO))
    assert result.not_assessed == (5, 6, 7)
    assert result.bottom == (8, 4, 3)
    # Under REPORT the unit is unscored anyway: not listed as not assessed.
    report = compute_category(county(), units, Policy(bottom_n=3))
    assert report.not_assessed == () and report.bottom == (4, 3, 2)


def test_an_evaluation_without_a_score_is_missing() -> None:
    result = compute_category(county(), [unit(1, COUNTY_TASKS, {101: None})], Policy())
    assert result.missing == {1: (101,)}
    assert result.status is Status.INCOMPLETE


@pytest.mark.parametrize(
    ("missing_policy", "final", "status"),
    [(MissingPolicy.ZERO, D(100), Status.COMPLETE), (MissingPolicy.REPORT, None, Status.INCOMPLETE)],
)
def test_missing_adjustment_rows(missing_policy, final, status) -> None:
    # 加分项 missing → nothing added; 扣分项 missing → nothing deducted (under ZERO).
    u = unit(1, (*COUNTY_TASKS, BONUS_ROW, DEDUCTION_ROW), omit=[491, 492])
    result = compute_category(county(adjustment_rows=True), [u], Policy(missing=missing_policy))
    assert (result.units[0].final, result.status) == (final, status)
    assert result.missing == {1: (491, 492)}


def test_task_without_points_counts_zero_needs_no_evaluation_and_is_reported() -> None:
    category = CategoryInput(1, D(100), (*COUNTY_TASKS, Task(999, 10, 555, None)))
    result = compute_category(category, [unit(1, COUNTY_TASKS)], Policy())
    assert (result.status, result.units[0].final) == (Status.COMPLETE, D(100))
    assert result.warnings == ("任务999未写分值，按0分计",)
    assert result.units[0].level2[555] == Subtotal(D(0), D(0), None)
    with pytest.raises(ValueError, match="above"):
        compute_category(category, [UnitInput(1, [TaskScore(999, D(1))])], Policy())


# --- subtotals and score rates ------------------------------------------------------------------------------


def test_subtotals_per_unit_and_per_category() -> None:
    units = [unit(1, COUNTY_TASKS, {101: D("2.4"), 102: D("1.2")}), unit(2, COUNTY_TASKS, {101: D(0)}, na=[102])]
    result = compute_category(county(), units, Policy())
    first, second = result.unit(1), result.unit(2)
    assert first.level2[11] == Subtotal(D("3.6"), D(5), D("0.7200"))
    assert first.level1[1] == Subtotal(D("11.6"), D(13), D("0.8923"))  # 11.6 / 13 = 0.89230…
    assert second.level2[11] == Subtotal(D(0), D(3), D(0))
    # Category: Σ earned / Σ possible over the scored units: (3.6 + 0) / (5 + 3) = 0.45
    assert result.level2[11] == Subtotal(D("3.6"), D(8), D("0.4500"))
    assert result.level1[10] == Subtotal(D(18), D(18), D(1))


# --- input checks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: Task(1, 1, 1, 1.5), TypeError),  # float
        (lambda: Task(1, 1, 1, 2), TypeError),  # int where a Decimal belongs
        (lambda: Task(1, 1, 1, D("NaN")), ValueError),
        (lambda: Task(1, 1, 1, D(-1)), ValueError),
        (lambda: TaskScore(1, 0.8), TypeError),
        (lambda: Bonus("表彰", 1.0), TypeError),
        (lambda: Bonus("表彰", D(-1)), ValueError),
        (lambda: Bonus("  "), ValueError),
        (lambda: Deduction("事故", D("Infinity")), ValueError),
        (lambda: Policy(bonus_cap=5.0), TypeError),
        (lambda: Policy(bottom_n=-1), ValueError),
        (lambda: Policy(bottom_n=True), TypeError),
        (lambda: Policy(grade_percentages={Grade.EXCELLENT: D(100)}), ValueError),
        (lambda: Policy(weights={Component.PLATFORM: 80.0}), TypeError),  # type: ignore[dict-item]
        (lambda: Policy(deduction_min=D(3), deduction_max=D(1)), ValueError),
        (lambda: GradeBand("优秀", D(90), D(101)), ValueError),
        (lambda: CategoryInput(1, D(0), ()), ValueError),
        (lambda: CategoryInput(1, D(100), (Task(1, 1, 1, D(1)), Task(1, 1, 1, D(2)))), ValueError),
        (
            lambda: CategoryInput(1, D(100), (), (GradeBand("优秀", D(80)), GradeBand("良好", D(90)), GradeBand("差", D(0)))),
            ValueError,
        ),
        (lambda: CategoryInput(1, D(100), (), (GradeBand("优秀", D(90)), GradeBand("良好", D(60)))), ValueError),
        (lambda: CategoryInput(1, D(100), (), (GradeBand("优秀", D(90)), GradeBand("其他", D(0), D(50)))), ValueError),
        (lambda: CategoryInput(1, D(100), (), BANDS, (Veto("x", "特等"),)), ValueError),
        (lambda: CategoryInput(1, D(100), (), BANDS, (Veto("x", "不合格"),)), ValueError),
        (lambda: UnitInput(1, [NotApplicable(1)]), TypeError),  # type: ignore[list-item]
    ],
)
def test_invalid_inputs_are_rejected(build, error) -> None:
    with pytest.raises(error):
        build()


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ([UnitInput(1, [TaskScore(12345, D(1))])], "not in this category"),
        ([UnitInput(1, [TaskScore(101, D(1)), TaskScore(101, D(2))])], "two evaluations"),
        ([UnitInput(1, [TaskScore(101, D(4))])], "above"),
        ([UnitInput(1, not_applicable=[NotApplicable(12345)])], "不涉及"),
        ([UnitInput(1, deductions=[Deduction("事故", D(1), 12345)])], "not in this category"),
        ([UnitInput(1), UnitInput(1)], "unique"),
    ],
)
def test_invalid_unit_inputs_are_rejected(units, message) -> None:
    with pytest.raises(ValueError, match=message):
        compute_category(county(), units, Policy())


def test_an_evaluated_task_marked_not_applicable_is_left_out_with_a_warning() -> None:
    u = UnitInput(1, [TaskScore(t.id, t.points) for t in COUNTY_TASKS], [NotApplicable(101)])
    result = one(county(), u)
    assert (result.applicable_max, result.final, result.not_applicable_task_ids) == (D(97), D(100), (101,))
    assert "任务101已标记不涉及，其评价不计入" in result.warnings


def test_inputs_are_frozen_tuples() -> None:
    u = UnitInput(1, [TaskScore(1, D(1))], flags={"x"})
    assert isinstance(u.evaluations, tuple) and u.flags == frozenset({"x"})
    with pytest.raises(AttributeError):
        u.unit_id = 2


def test_order_of_input_does_not_change_output() -> None:
    units = [
        losing(1, D(3), bonuses=[Bonus("b"), Bonus("a"), Bonus("A")], deductions=[Deduction("x", D(1), 102)]),
        losing(2, D(3)),
        losing(3, D(0), flags={"two_lost_lawsuits"}),
    ]
    category = county(vetoes=[LAWSUITS])
    reordered_units = [
        UnitInput(u.unit_id, tuple(u.evaluations)[::-1], u.not_applicable, tuple(u.bonuses)[::-1], u.deductions, u.flags)
        for u in reversed(units)
    ]
    reordered_category = CategoryInput(1, D(100), tuple(reversed(category.task_list)), BANDS, [LAWSUITS])
    assert compute_category(category, units, Policy()) == compute_category(reordered_category, reordered_units, Policy())


# --- compatibility with the plans app's enumerations ----------------------------------------------------------


def test_values_match_the_plans_constants() -> None:
    from kaohe.plans.constants import Adjustment as PlanAdjustment
    from kaohe.plans.constants import Method

    assert {a.value for a in Adjustment} == {a.value for a in PlanAdjustment}
    assert {m.value: component_for_method(m.value) for m in Method} == {
        "submission": Component.PLATFORM,
        "daily": Component.PLATFORM,
        "other": Component.PLATFORM,
        "field": Component.FIELD,
        "case_review": Component.CASE_REVIEW,
    }
    with pytest.raises(ValueError):
        component_for_method("unknown")


def test_the_worked_example_of_docs_scoring_md() -> None:
    """docs/scoring.md §6: every rule at once on one county unit."""
    u = unit(
        1,
        (*COUNTY_TASKS, BONUS_ROW, DEDUCTION_ROW),
        {801: D(13), 491: D(1), 492: D(0)},
        na=[101, 102],
        bonuses=[Bonus("省级表彰"), Bonus("省级 表彰"), Bonus("经验推广"), Bonus("央视报道"), Bonus("示范单位")],
        deductions=[Deduction("重大行政决策违法", D(2), 301)],
    )
    r = one(county(adjustment_rows=True), u)
    assert (r.raw, r.applicable_max, r.converted) == (D(86), D(95), D("90.53"))
    assert (r.bonus_matters, r.adjustment_bonus, r.bonus_total) == (D(4), D(1), D(5))
    assert (r.matter_deductions, r.adjustment_deduction, r.deduction_total) == (D(2), D(1), D(3))
    assert r.final == D("92.53")
    assert r.warnings == ("加分事项“省级表彰”报了2次，同一事项只加一次（1分）",)


def test_a_veto_frees_a_place_that_lets_a_tie_in() -> None:
    """docs/scoring.md §6: finals 96, 95, 93, 93, 91, …; 96 vetoed → 95, 93, 93 fill the 3 places."""
    finals = {i: D(f) for i, f in enumerate([96, 95, 93, 93, 91, 90, 90, 85, 80, 70])}
    assignment = assign_grades(finals, BANDS, [LAWSUITS], {0: frozenset({"two_lost_lawsuits"})})
    assert sorted(u for u, g in assignment.proposed.items() if g == "优秀") == [0, 1]
    assert sorted(u for u, g in assignment.final.items() if g == "优秀") == [1, 2, 3]
    assert assignment.final[0] == "良好"
