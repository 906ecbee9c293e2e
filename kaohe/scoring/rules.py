"""The scoring rule engine: pure functions over plain data (STYLE habit 8). No Django, no ORM, no floats.

Services load the rows of one category, build the inputs below, call ``compute_category`` and store the
returned ``CategoryResult`` as a snapshot. ``docs/scoring.md`` gives the formulas, the readings taken where
the documents are silent, and worked examples.

Public API (all re-exported here; the types live in ``rules_types.py``, ranking and grades in ``rules_grades.py``)::

    grade_score(points: Decimal, grade: Grade, percentages: Mapping[Grade, Decimal] = DEFAULT_GRADE_PERCENTAGES)
        -> Decimal                                   # exact: points × percentage / 100
    task_score_from_grade(task: Task, grade: Grade, policy: Policy) -> TaskScore
    component_for_method(method: str) -> Component  # "submission"/"daily"/"other" → PLATFORM, …
    normalise_matter(text: str) -> str               # key of "the same matter"
    round_score(value: Decimal) -> Decimal           # 2 places, half-up (away from zero)
    round_rate(value: Decimal) -> Decimal            # 4 places, half-up
    rank_competition(finals: Mapping[UnitId, Decimal]) -> dict[UnitId, int]        # 1, 2, 2, 4
    bottom_units(finals: Mapping[UnitId, Decimal], n: int) -> tuple[UnitId, ...]   # ties at the boundary kept
    assign_grades(finals, bands, vetoes, flags) -> GradeAssignment
    compute_category(category: CategoryInput, units: Iterable[UnitInput], policy: Policy,
                     previous_grades: Mapping[UnitId, str] | None = None) -> CategoryResult

    Inputs:  Task(id, level1_id, level2_id, points: Decimal | None, component=PLATFORM, adjustment=NONE)
             TaskScore(task_id, score: Decimal | None)      NotApplicable(task_id, reason="")
             Bonus(matter: str, points=Decimal(1))           Deduction(matter: str, points: Decimal, task_id=None)
             GradeBand(name, min_score: Decimal, quota_pct: Decimal | None = None)
             Veto(flag, denied_grade, reason="")
             UnitInput(unit_id, evaluations, not_applicable, bonuses, deductions, flags: frozenset[str])
             CategoryInput(category_id, full_score: Decimal, tasks, bands=(), vetoes=())
             Policy(grade_percentages, bonus_cap=Decimal(5), convert_to_full=True, weights=None, bottom_n=5,
                    missing=MissingPolicy.REPORT, deduction_min=Decimal(1), deduction_max=Decimal(3))
    Outputs: CategoryResult(category_id, status, units, bottom, excellent_two_years, missing, level1, level2,
                            warnings, not_assessed)
             UnitResult(unit_id, scored, raw, applicable_max, converted, components, bonus_matters,
                        adjustment_bonus, bonus_total, matter_deductions, adjustment_deduction, deduction_total,
                        final, rank, proposed_grade, grade, vetoes_applied, bonuses, deductions,
                        not_applicable_task_ids, zeroed_task_ids, missing_task_ids, zero_filled, level1, level2,
                        warnings)
             Subtotal(earned, possible, rate), ComponentScore(earned, possible, weight, effective_weight, score),
             CountedMatter(key, matter, points, task_ids)
    Enums:   Grade, Component, Adjustment, MissingPolicy, Status

The formula, per unit (PDS L35, L45–51; JZ L17)::

    raw         = Σ earned of the counted tasks (不涉及 removed; a task named by a deduction matter earns 0)
    max         = Σ points of the counted tasks
    converted   = raw × full / max          when convert_to_full and 0 < max < full, else raw
                  (with weights: Σ effective_weight_c × earned_c / possible_c)
    bonus_total = min(Σ distinct bonus matters + earned of 加分项 rows, bonus_cap)
    deductions  = Σ distinct deduction matters + Σ (points − score) of 扣分项 rows
    final       = round_half_up(converted + bonus_total − deductions, 2)

Arithmetic runs in a 60-digit context; the only rounding that matters is the one of the final, done once.
Ranks, bottom list and grades use the rounded final. Invalid input raises ``TypeError`` (a float, an int
where a Decimal belongs) or ``ValueError`` (unknown or duplicated ids, a score above its task's points);
doubtful but computable input becomes a warning (Chinese) in the result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .rules_grades import CONTEXT, GradeAssignment, assign_grades, bottom_units, quota_limit, rank_competition
from .rules_types import (
    DEFAULT_GRADE_PERCENTAGES,
    HUNDRED,
    ZERO,
    Adjustment,
    Bonus,
    CategoryInput,
    CategoryResult,
    Component,
    ComponentScore,
    CountedMatter,
    Deduction,
    Grade,
    GradeBand,
    IndicatorId,
    MissingPolicy,
    NotApplicable,
    Policy,
    Status,
    Subtotal,
    Task,
    TaskId,
    TaskScore,
    UnitId,
    UnitInput,
    UnitResult,
    Veto,
    check_decimal,
    component_for_method,
    normalise_matter,
)

__all__ = [
    "DEFAULT_GRADE_PERCENTAGES",
    "Adjustment",
    "Bonus",
    "CategoryInput",
    "CategoryResult",
    "Component",
    "ComponentScore",
    "CountedMatter",
    "Deduction",
    "Grade",
    "GradeAssignment",
    "GradeBand",
    "MissingPolicy",
    "NotApplicable",
    "Policy",
    "Status",
    "Subtotal",
    "Task",
    "TaskScore",
    "UnitInput",
    "UnitResult",
    "Veto",
    "assign_grades",
    "bottom_units",
    "component_for_method",
    "compute_category",
    "grade_score",
    "normalise_matter",
    "quota_limit",
    "rank_competition",
    "round_rate",
    "round_score",
    "task_score_from_grade",
]

CENT = Decimal("0.01")
RATE_STEP = Decimal("0.0001")


# --- small public helpers ------------------------------------------------------------------------------


def grade_score(points: Decimal, grade: Grade, percentages: Mapping[Grade, Decimal] = DEFAULT_GRADE_PERCENTAGES) -> Decimal:
    """The points a 优/良/中/差 grade earns on a task: points × percentage / 100, exact (0.5 分 × 80 % = 0.4)."""
    check_decimal(points, "points")
    percentage = check_decimal(percentages[Grade(grade)], f"{Grade(grade).label} percentage")
    with localcontext(CONTEXT):
        return points * percentage / HUNDRED


def task_score_from_grade(task: Task, grade: Grade, policy: Policy) -> TaskScore:
    """The evaluation of a task graded 优/良/中/差 under the plan's percentages (a task without points earns 0)."""
    return TaskScore(task.id, grade_score(task.max_points, grade, policy.grade_percentages))


def round_score(value: Decimal) -> Decimal:
    """2 places, ROUND_HALF_UP (halves away from zero: 82.335 → 82.34, −0.125 → −0.13); never −0.00."""
    with localcontext(CONTEXT):
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else CENT * 0


def round_rate(value: Decimal) -> Decimal:
    """Score rates: 4 places, ROUND_HALF_UP (0.91754 → 0.9175)."""
    with localcontext(CONTEXT):
        return value.quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def _fmt(value: Decimal) -> str:
    """Points in messages: 5, 0.5, 100 (no exponent, no trailing zeros)."""
    return format(value.normalize(), "f")


# --- per unit ------------------------------------------------------------------------------------------


@dataclass
class _Sum:
    earned: Decimal = ZERO
    possible: Decimal = ZERO

    def add(self, earned: Decimal, possible: Decimal) -> None:
        self.earned += earned
        self.possible += possible

    def subtotal(self) -> Subtotal:
        rate = round_rate(self.earned / self.possible) if self.possible > 0 else None
        return Subtotal(round_score(self.earned), round_score(self.possible), rate)


@dataclass
class _Unit:
    """Exact intermediate values of one unit (inside the engine's decimal context)."""

    unit_id: UnitId
    scored: bool = True
    raw: Decimal = ZERO
    applicable_max: Decimal = ZERO
    converted: Decimal = ZERO
    components: dict[Component, ComponentScore] = field(default_factory=dict)
    bonus_matters: Decimal = ZERO
    adjustment_bonus: Decimal = ZERO
    bonus_total: Decimal = ZERO
    matter_deductions: Decimal = ZERO
    adjustment_deduction: Decimal = ZERO
    final: Decimal | None = None
    bonuses: tuple[CountedMatter, ...] = ()
    deductions: tuple[CountedMatter, ...] = ()
    not_applicable: tuple[TaskId, ...] = ()
    zeroed: tuple[TaskId, ...] = ()
    missing: tuple[TaskId, ...] = ()
    evaluated: bool = False  # some counted task with points has an evaluation
    level1: dict[IndicatorId, _Sum] = field(default_factory=dict)
    level2: dict[IndicatorId, _Sum] = field(default_factory=dict)
    component_sums: dict[Component, _Sum] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _display(matters: Iterable[str]) -> str:
    """The wording shown for a matter given several times: the shortest, then the first in code-point order."""
    return min((m.strip() for m in matters), key=lambda m: (len(m), m))


def _count_bonuses(bonuses: Iterable[Bonus], warnings: list[str]) -> tuple[CountedMatter, ...]:
    """One entry per matter key; a matter given twice counts once, with the higher points."""
    groups: dict[str, list[Bonus]] = defaultdict(list)
    for bonus in bonuses:
        groups[bonus.key].append(bonus)
    counted = []
    for key in sorted(groups):
        group = groups[key]
        matter = _display(b.matter for b in group)
        points = max(b.points for b in group)
        if len(group) > 1:
            warnings.append(f"加分事项“{matter}”报了{len(group)}次，同一事项只加一次（{_fmt(points)}分）")
        counted.append(CountedMatter(key, matter, points))
    return tuple(counted)


def _count_deductions(
    deductions: Iterable[Deduction], tasks: Mapping[TaskId, Task], policy: Policy, warnings: list[str]
) -> tuple[CountedMatter, ...]:
    """One entry per matter key (the higher points); every task named under the matter scores 0."""
    groups: dict[str, list[Deduction]] = defaultdict(list)
    for deduction in deductions:
        if deduction.task_id is not None and deduction.task_id not in tasks:
            raise ValueError(f"扣分事项“{deduction.matter}” names task {deduction.task_id}, not in this category")
        groups[deduction.key].append(deduction)
    counted = []
    for key in sorted(groups):
        group = groups[key]
        matter = _display(d.matter for d in group)
        points = max(d.points for d in group)
        task_ids = tuple(sorted({d.task_id for d in group if d.task_id is not None}))
        if len(group) > 1:
            warnings.append(f"扣分事项“{matter}”报了{len(group)}次，同一事项只扣一次（{_fmt(points)}分）")
        if not policy.deduction_min <= points <= policy.deduction_max:
            warnings.append(
                f"扣分事项“{matter}”扣{_fmt(points)}分，超出{_fmt(policy.deduction_min)}至{_fmt(policy.deduction_max)}分的范围"
            )
        counted.append(CountedMatter(key, matter, points, task_ids))
    return tuple(counted)


def _evaluations(unit: UnitInput, tasks: Mapping[TaskId, Task]) -> dict[TaskId, Decimal | None]:
    scores: dict[TaskId, Decimal | None] = {}
    for evaluation in unit.evaluations:
        task = tasks.get(evaluation.task_id)
        if task is None:
            raise ValueError(f"unit {unit.unit_id}: evaluation of task {evaluation.task_id}, not in this category")
        if evaluation.task_id in scores:
            raise ValueError(f"unit {unit.unit_id}: two evaluations of task {evaluation.task_id}")
        if evaluation.score is not None and evaluation.score > task.max_points:
            raise ValueError(f"unit {unit.unit_id}: task {task.id} scored {evaluation.score}, above its {task.max_points} points")
        scores[evaluation.task_id] = evaluation.score
    return scores


def _not_applicable(unit: UnitInput, tasks: Mapping[TaskId, Task]) -> set[TaskId]:
    ids = set()
    for item in unit.not_applicable:
        if item.task_id not in tasks:
            raise ValueError(f"unit {unit.unit_id}: task {item.task_id} marked 不涉及 is not in this category")
        ids.add(item.task_id)
    return ids


def _collect_tasks(result: _Unit, unit: UnitInput, tasks: Mapping[TaskId, Task], policy: Policy) -> None:
    """Walk the table: earned per counted task into raw, max, subtotals, components and the 加减分项 rows."""
    scores = _evaluations(unit, tasks)
    not_applicable = _not_applicable(unit, tasks)
    zeroed = {task_id for matter in result.deductions for task_id in matter.task_ids}
    missing: list[TaskId] = []
    skipped: list[TaskId] = []
    ordered = sorted(tasks.values(), key=lambda t: t.id)
    for task in ordered:  # every indicator of the table gets a subtotal, even with nothing applicable
        if task.adjustment is Adjustment.NONE:
            result.level1.setdefault(task.level1_id, _Sum())
            result.level2.setdefault(task.level2_id, _Sum())
    for task in ordered:
        if task.id in zeroed:
            earned: Decimal | None = ZERO
            if task.id in not_applicable:
                result.warnings.append(f"任务{task.id}标记为不涉及，但扣分事项要求该项按零分计算，已按零分计入")
        elif task.id in not_applicable:
            skipped.append(task.id)
            if scores.get(task.id) is not None:
                result.warnings.append(f"任务{task.id}已标记不涉及，其评价不计入")
            continue
        elif task.max_points == 0:
            earned = scores.get(task.id) or ZERO
        else:
            earned = scores.get(task.id)
        if earned is None:
            missing.append(task.id)
            if policy.missing is MissingPolicy.REPORT:
                if task.adjustment is Adjustment.NONE:
                    result.applicable_max += task.max_points
                continue
            earned = ZERO
            if task.adjustment is Adjustment.DEDUCTION:
                continue  # a missing 扣分项 row deducts nothing
        if task.adjustment is Adjustment.BONUS:
            result.adjustment_bonus += earned
        elif task.adjustment is Adjustment.DEDUCTION:
            result.adjustment_deduction += task.max_points - earned
        else:
            result.raw += earned
            result.applicable_max += task.max_points
            result.level1[task.level1_id].add(earned, task.max_points)
            result.level2[task.level2_id].add(earned, task.max_points)
            result.component_sums.setdefault(task.component, _Sum()).add(earned, task.max_points)
    result.missing = tuple(missing)
    result.evaluated = any(
        score is not None and task_id not in not_applicable and tasks[task_id].max_points > 0 for task_id, score in scores.items()
    )
    result.not_applicable = tuple(skipped)
    result.zeroed = tuple(sorted(zeroed))
    if missing:
        if policy.missing is MissingPolicy.REPORT:
            result.scored = False
            result.warnings.append(f"尚有{len(missing)}项任务未评价，暂不计算总分和排名")
        else:
            result.warnings.append(f"{len(missing)}项未评价任务按零分计算（扣分项未评价的不扣分）")


def _convert(result: _Unit, full_score: Decimal, policy: Policy) -> None:
    """The internal score out of the full score: pro-rata, or component by component under weights."""
    if policy.weights is not None:
        _convert_weighted(result, policy.weights)
        return
    maximum = result.applicable_max
    if maximum == 0:
        result.converted = ZERO
        result.warnings.append("没有适用的考核任务（适用满分为0），内部考核得分按0分计")
    elif policy.convert_to_full and maximum < full_score:
        result.converted = result.raw * full_score / maximum
    else:
        result.converted = result.raw
        if maximum > full_score:
            result.warnings.append(f"适用满分{_fmt(maximum)}分超过类别满分{_fmt(full_score)}分，未换算")


def _convert_weighted(result: _Unit, weights: Mapping[Component, Decimal]) -> None:
    """Each component to its weight from its own earned / possible (JZ L17: 80 + 15 + 5).

    A component with nothing possible for this unit gives its weight to the others in proportion to theirs,
    so the total stays out of Σ weights (= the full score).
    """
    total_weight = sum(weights.values(), ZERO)
    sums = {c: result.component_sums.get(c, _Sum()) for c in sorted(weights)}
    active_weight = sum((weights[c] for c, s in sums.items() if s.possible > 0), ZERO)
    if active_weight == 0:
        result.converted = ZERO
        result.warnings.append("没有计权的适用考核任务，内部考核得分按0分计")
        return
    converted = ZERO
    for component, sums_c in sums.items():
        if sums_c.possible > 0:
            effective = weights[component] * total_weight / active_weight
            score = effective * sums_c.earned / sums_c.possible
        else:
            effective = score = ZERO
            if weights[component] > 0:
                result.warnings.append(f"{component.label}没有适用任务，其{_fmt(weights[component])}分按比例分配给其他部分")
        converted += score
        result.components[component] = ComponentScore(
            round_score(sums_c.earned),
            round_score(sums_c.possible),
            weights[component],
            round_score(effective),
            round_score(score),
        )
    result.converted = converted


def _score_unit(category: CategoryInput, tasks: Mapping[TaskId, Task], unit: UnitInput, policy: Policy) -> _Unit:
    result = _Unit(unit.unit_id)
    result.bonuses = _count_bonuses(unit.bonuses, result.warnings)
    result.deductions = _count_deductions(unit.deductions, tasks, policy, result.warnings)
    result.bonus_matters = sum((b.points for b in result.bonuses), ZERO)
    result.matter_deductions = sum((d.points for d in result.deductions), ZERO)
    _collect_tasks(result, unit, tasks, policy)
    bonus = result.bonus_matters + result.adjustment_bonus
    if policy.bonus_cap is not None and bonus > policy.bonus_cap:
        result.warnings.append(f"加分合计{_fmt(bonus)}分，超过{_fmt(policy.bonus_cap)}分的上限，按{_fmt(policy.bonus_cap)}分计")
        bonus = policy.bonus_cap
    result.bonus_total = bonus
    if result.scored:
        _convert(result, category.full_score, policy)
        result.final = round_score(result.converted + bonus - result.matter_deductions - result.adjustment_deduction)
    return result


# --- per category --------------------------------------------------------------------------------------


def _check_category(category: CategoryInput, policy: Policy, warnings: list[str]) -> None:
    for task in category.task_list:
        if task.points is None:
            warnings.append(f"任务{task.id}未写分值，按0分计")
    if policy.weights is None:
        return
    if sum(policy.weights.values(), ZERO) != category.full_score:
        raise ValueError(f"the component weights add up to {sum(policy.weights.values(), ZERO)}, not the full score")
    for task in category.task_list:
        if task.adjustment is Adjustment.NONE and task.max_points > 0 and task.component not in policy.weights:
            raise ValueError(f"task {task.id} is in component {task.component.value}, which has no weight")


def _unit_result(unit: _Unit, rank: int | None, grades: GradeAssignment, policy: Policy) -> UnitResult:
    scored = unit.scored
    return UnitResult(
        unit_id=unit.unit_id,
        scored=scored,
        raw=round_score(unit.raw) if scored else None,
        applicable_max=round_score(unit.applicable_max),
        converted=round_score(unit.converted) if scored else None,
        components=dict(sorted(unit.components.items())) if scored else {},
        bonus_matters=round_score(unit.bonus_matters),
        adjustment_bonus=round_score(unit.adjustment_bonus),
        bonus_total=round_score(unit.bonus_total),
        matter_deductions=round_score(unit.matter_deductions),
        adjustment_deduction=round_score(unit.adjustment_deduction),
        deduction_total=round_score(unit.matter_deductions + unit.adjustment_deduction),
        final=unit.final,
        rank=rank,
        proposed_grade=grades.proposed.get(unit.unit_id),
        grade=grades.final.get(unit.unit_id),
        vetoes_applied=grades.vetoes_applied.get(unit.unit_id, ()),
        bonuses=unit.bonuses,
        deductions=unit.deductions,
        not_applicable_task_ids=unit.not_applicable,
        zeroed_task_ids=unit.zeroed,
        missing_task_ids=unit.missing,
        zero_filled=bool(unit.missing) and policy.missing is MissingPolicy.ZERO,
        level1={k: s.subtotal() for k, s in sorted(unit.level1.items())},
        level2={k: s.subtotal() for k, s in sorted(unit.level2.items())},
        warnings=tuple(unit.warnings),
    )


def _aggregate(units: Iterable[_Unit], level: str) -> dict[IndicatorId, Subtotal]:
    totals: dict[IndicatorId, _Sum] = defaultdict(_Sum)
    for unit in units:
        for key, sums in getattr(unit, level).items():
            totals[key].add(sums.earned, sums.possible)
    return {k: s.subtotal() for k, s in sorted(totals.items())}


def compute_category(
    category: CategoryInput,
    units: Iterable[UnitInput],
    policy: Policy,
    previous_grades: Mapping[UnitId, str] | None = None,
) -> CategoryResult:
    """Scores, ranks, grades and lists of one category. The order of any input never changes the output."""
    unit_inputs = sorted(units, key=lambda u: u.unit_id)
    ids = [u.unit_id for u in unit_inputs]
    if len(set(ids)) != len(ids):
        raise ValueError("unit ids must be unique within a category")
    tasks = {t.id: t for t in category.task_list}
    warnings: list[str] = []
    with localcontext(CONTEXT):
        _check_category(category, policy, warnings)
        scored = [_score_unit(category, tasks, unit, policy) for unit in unit_inputs]
        finals = {u.unit_id: u.final for u in scored if u.final is not None}
        ranks = rank_competition(finals)
        grades = assign_grades(finals, category.band_list, category.veto_list, {u.unit_id: u.flags for u in unit_inputs})
        results = [_unit_result(u, ranks.get(u.unit_id), grades, policy) for u in scored]
        results.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit_id))
        excellent_two_years = None
        if previous_grades is not None:
            best = category.band_list[0].name if category.band_list else None
            excellent_two_years = tuple(
                r.unit_id for r in results if best is not None and r.grade == best and previous_grades.get(r.unit_id) == best
            )
        counted = [u for u in scored if u.scored]
        # Counted at 0 (MissingPolicy.ZERO) without a single evaluation: not assessed, so not in the bottom list.
        not_assessed = tuple(u.unit_id for u in scored if u.final is not None and u.missing and not u.evaluated)
        left_out = set(not_assessed)
        assessed_finals = {k: v for k, v in finals.items() if k not in left_out}
        return CategoryResult(
            category_id=category.category_id,
            status=Status.COMPLETE if all(u.scored for u in scored) else Status.INCOMPLETE,
            units=tuple(results),
            bottom=bottom_units(assessed_finals, policy.bottom_n),
            excellent_two_years=excellent_two_years,
            missing={u.unit_id: u.missing for u in scored if u.missing},
            level1=_aggregate(counted, "level1"),
            level2=_aggregate(counted, "level2"),
            warnings=tuple(warnings),
            not_assessed=not_assessed,
        )
