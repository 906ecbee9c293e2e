"""Property tests of the rule engine (hypothesis): invariants that must hold for any table and any scores."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.scoring.rules import (
    Adjustment,
    Bonus,
    CategoryInput,
    Component,
    Deduction,
    Grade,
    MissingPolicy,
    NotApplicable,
    Policy,
    Task,
    TaskScore,
    UnitInput,
    compute_category,
    grade_score,
    quota_limit,
)

from . import BANDS, LAWSUITS, D

PROPERTY = settings(max_examples=100, deadline=None)

POINTS = st.sampled_from([D("0.5"), D(1), D("1.5"), D(2), D(3), D(5)])
BONUS_MATTERS = st.sampled_from(["省级表彰", "省级 表彰", "经验推广", "央视报道", "示范单位", "市级表彰", "人民日报", "ａ奖"])
DEDUCTION_MATTERS = st.sampled_from(["重大决策违法", "事故", "不履行判决", "弄虚作假"])
JIAOZUO = {Component.PLATFORM: D(80), Component.FIELD: D(15), Component.CASE_REVIEW: D(5)}
NEW_MATTER = "本次新增的加分事项"  # never drawn from BONUS_MATTERS


@st.composite
def tables(draw: st.DrawFn, *, full_100: bool = False, adjustment_rows: bool = True) -> CategoryInput:
    """A table of 1–10 tasks (Σ ≤ 50) whose full score is either its own total or 100 (then it is converted)."""
    points = draw(st.lists(POINTS, min_size=1, max_size=10))
    tasks = [Task(i, i % 3 + 1, i % 4 + 10, p, draw(st.sampled_from(list(Component)))) for i, p in enumerate(points, start=1)]
    if adjustment_rows and draw(st.booleans()):
        tasks += [Task(91, 1, 99, D(1), adjustment=Adjustment.BONUS), Task(92, 1, 99, D(1), adjustment=Adjustment.DEDUCTION)]
    full = D(100) if full_100 else draw(st.sampled_from([sum(points, D(0)), D(100)]))
    return CategoryInput(1, full, tasks, BANDS, [LAWSUITS])


@st.composite
def scores(draw: st.DrawFn, task: Task) -> Decimal:
    """Full marks, a 优/良/中/差 grade, or any score in cents."""
    points = task.max_points
    return draw(
        st.one_of(
            st.just(points),
            st.sampled_from(list(Grade)).map(lambda g: grade_score(points, g)),
            st.integers(0, int(points * 100)).map(lambda cents: Decimal(cents) / 100),
        )
    )


@st.composite
def units(
    draw: st.DrawFn,
    category: CategoryInput,
    unit_id: int,
    *,
    not_applicable: bool = True,
    missing: bool = True,
    adjustments: bool = True,
    na: frozenset[int] = frozenset(),
) -> UnitInput:
    kinds = ["score"] * 4 + (["na"] if not_applicable else []) + (["missing"] if missing else [])
    evaluations, skipped = [], set(na)
    for task in category.task_list:
        kind = "na" if task.id in na else draw(st.sampled_from(kinds))
        if kind == "score":
            evaluations.append(TaskScore(task.id, draw(scores(task))))
        elif kind == "na":
            skipped.add(task.id)
    task_ids = [t.id for t in category.task_list]
    bonuses = draw(st.lists(BONUS_MATTERS.map(Bonus), max_size=8)) if adjustments else []
    deductions = (
        draw(
            st.lists(
                st.builds(
                    Deduction, DEDUCTION_MATTERS, st.sampled_from([D(1), D(2), D(3)]), st.none() | st.sampled_from(task_ids)
                ),
                max_size=3,
            )
        )
        if adjustments
        else []
    )
    flags = draw(st.frozensets(st.sampled_from(["two_lost_lawsuits", "other"]))) if adjustments else frozenset()
    return UnitInput(unit_id, evaluations, [NotApplicable(t) for t in sorted(skipped)], bonuses, deductions, flags)


@st.composite
def scenarios(draw: st.DrawFn, *, missing: MissingPolicy | None = None) -> tuple[CategoryInput, list[UnitInput], Policy]:
    weighted = draw(st.booleans())
    category = draw(tables(full_100=weighted))
    count = draw(st.integers(1, 8))
    unit_ids = draw(st.lists(st.integers(1, 500), min_size=count, max_size=count, unique=True))
    unit_inputs = [draw(units(category, unit_id)) for unit_id in unit_ids]
    policy = Policy(
        bonus_cap=draw(st.sampled_from([D(5), D(2), D(0)])),
        weights=JIAOZUO if weighted else None,
        bottom_n=draw(st.integers(0, 5)),
        missing=missing or draw(st.sampled_from(list(MissingPolicy))),
    )
    return category, unit_inputs, policy


@PROPERTY
@given(scenarios())
def test_final_never_exceeds_full_plus_cap(scenario) -> None:
    category, unit_inputs, policy = scenario
    for result in compute_category(category, unit_inputs, policy).units:
        if result.final is not None:
            assert result.final <= category.full_score + policy.bonus_cap
            assert result.bonus_total <= policy.bonus_cap


@PROPERTY
@given(scenarios())
def test_final_is_quantized_and_raw_never_exceeds_the_applicable_maximum(scenario) -> None:
    category, unit_inputs, policy = scenario
    for result in compute_category(category, unit_inputs, policy).units:
        assert result.applicable_max <= sum((t.max_points for t in category.task_list if not t.adjustment), D(0))
        if result.final is not None:
            assert result.final.as_tuple().exponent == -2
            assert result.raw is not None and result.raw <= result.applicable_max
            assert result.converted is not None and result.converted <= category.full_score


@PROPERTY
@given(scenarios(), st.randoms(use_true_random=False))
def test_order_of_input_never_changes_output(scenario, rnd) -> None:
    category, unit_inputs, policy = scenario

    def shuffled(items):
        items = list(items)
        rnd.shuffle(items)
        return items

    category2 = CategoryInput(
        category.category_id, category.full_score, shuffled(category.tasks), category.bands, category.vetoes
    )
    units2 = [
        UnitInput(
            u.unit_id,
            shuffled(u.evaluations),
            shuffled(u.not_applicable),
            shuffled(u.bonuses),
            shuffled(u.deductions),
            frozenset(shuffled(u.flags)),
        )
        for u in shuffled(unit_inputs)
    ]
    assert compute_category(category, unit_inputs, policy) == compute_category(category2, units2, policy)


@PROPERTY
@given(st.data())
def test_converting_never_changes_a_ranking_inside_a_category_with_equal_maxima(data) -> None:
    category = data.draw(tables(full_100=True, adjustment_rows=False))
    task_ids = [t.id for t in category.task_list]
    shared_na = frozenset(data.draw(st.lists(st.sampled_from(task_ids), max_size=len(task_ids) - 1, unique=True)))
    unit_inputs = [
        data.draw(units(category, unit_id, not_applicable=False, missing=False, adjustments=False, na=shared_na))
        for unit_id in range(1, data.draw(st.integers(2, 8)) + 1)
    ]
    converted = compute_category(category, unit_inputs, Policy())
    plain = compute_category(category, unit_inputs, Policy(convert_to_full=False))
    assert {u.unit_id: u.rank for u in converted.units} == {u.unit_id: u.rank for u in plain.units}
    for c, p in zip(converted.units, plain.units, strict=True):
        assert c.final is not None and p.final is not None and c.final >= p.final


@PROPERTY
@given(scenarios(missing=MissingPolicy.ZERO), st.data())
def test_adding_a_bonus_never_lowers_a_rank(scenario, data) -> None:
    category, unit_inputs, policy = scenario
    index = data.draw(st.integers(0, len(unit_inputs) - 1))
    chosen = unit_inputs[index]
    more = UnitInput(
        chosen.unit_id,
        chosen.evaluations,
        chosen.not_applicable,
        (*chosen.bonuses, Bonus(NEW_MATTER)),
        chosen.deductions,
        chosen.flags,
    )
    before = compute_category(category, unit_inputs, policy).unit(chosen.unit_id)
    after = compute_category(category, [*unit_inputs[:index], more, *unit_inputs[index + 1 :]], policy).unit(chosen.unit_id)
    assert after.final is not None and before.final is not None and after.final >= before.final
    assert after.rank is not None and before.rank is not None and after.rank <= before.rank


@PROPERTY
@given(scenarios(missing=MissingPolicy.ZERO))
def test_proposed_grades_follow_the_ranking_and_quotas_hold(scenario) -> None:
    category, unit_inputs, policy = scenario
    result = compute_category(category, unit_inputs, policy)
    order = [band.name for band in category.band_list]
    ranked = [u for u in result.units if u.rank is not None]
    for better, worse in itertools.pairwise(ranked):
        assert order.index(better.proposed_grade) <= order.index(worse.proposed_grade)
    for band in category.band_list:
        if band.quota_pct is not None:
            limit = quota_limit(len(ranked), band.quota_pct)
            assert sum(u.proposed_grade == band.name for u in ranked) <= limit
            assert sum(u.grade == band.name for u in ranked) <= limit
    for u in ranked:
        if "two_lost_lawsuits" in next(x for x in unit_inputs if x.unit_id == u.unit_id).flags:
            assert u.grade != "优秀"
