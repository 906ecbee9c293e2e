"""Inputs, outputs and enumerations of the scoring rule engine (see ``rules.py`` for the formulas).

Standard library only: no Django, no ORM. Every number is a ``Decimal``; a ``float`` (or an ``int``, or a
``bool``) where a ``Decimal`` is expected raises ``TypeError``, NaN and infinities raise ``ValueError``.
Collections given as lists are stored as tuples, so every input and output is a frozen value.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

TaskId = int
UnitId = int
IndicatorId = int

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Grade(StrEnum):
    """评价等次 of one task on the 督导平台: a share of the task's points (PDS L38)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"

    @property
    def label(self) -> str:
        return _GRADE_LABELS[self]


_GRADE_LABELS = {Grade.EXCELLENT: "优", Grade.GOOD: "良", Grade.FAIR: "中", Grade.POOR: "差"}

#: PDS L38: 优 100 %, 良 80 %, 中 60 %, 差 0 ("不得分").
DEFAULT_GRADE_PERCENTAGES: Mapping[Grade, Decimal] = MappingProxyType(
    {Grade.EXCELLENT: Decimal(100), Grade.GOOD: Decimal(80), Grade.FAIR: Decimal(60), Grade.POOR: Decimal(0)}
)


class Component(StrEnum):
    """Which part of the internal score a task belongs to (for the Jiaozuo-style weights, JZ L17)."""

    PLATFORM = "platform"  # 督导平台 + 日常考核: methods 报送资料, 日常掌握 and 其他
    FIELD = "field"  # 实地考核
    CASE_REVIEW = "case_review"  # 案卷集中评查

    @property
    def label(self) -> str:
        return _COMPONENT_LABELS[self]


_COMPONENT_LABELS = {Component.PLATFORM: "督导平台和日常考核", Component.FIELD: "实地考核", Component.CASE_REVIEW: "集中评查"}

_METHOD_COMPONENTS = {
    "submission": Component.PLATFORM,
    "daily": Component.PLATFORM,
    "other": Component.PLATFORM,
    "field": Component.FIELD,
    "case_review": Component.CASE_REVIEW,
}


def component_for_method(method: str) -> Component:
    """The component of a 考核方式 value (the values of ``kaohe.plans.constants.Method``)."""
    try:
        return _METHOD_COMPONENTS[str(method)]
    except KeyError:
        raise ValueError(f"unknown method {method!r}") from None


class Adjustment(StrEnum):
    """Marks the 加减分项 rows inside a table; values equal those of ``kaohe.plans.constants.Adjustment``."""

    NONE = ""
    BONUS = "bonus"  # 加分项: earned points are added like a bonus, never part of the maximum
    DEDUCTION = "deduction"  # 扣分项: (points − score) is subtracted, never part of the maximum


class MissingPolicy(StrEnum):
    """What a missing evaluation means (the office chooses)."""

    REPORT = "report"  # the unit gets no final score and no rank until every evaluation is in
    ZERO = "zero"  # a missing evaluation contributes nothing, and the result lists it as zero-filled


class Status(StrEnum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"


# --- validation helpers -------------------------------------------------------------------------------


def check_decimal(value: object, name: str, *, minimum: Decimal | None = ZERO) -> Decimal:
    """``value`` as a finite Decimal not below ``minimum``; TypeError for float/int/bool, ValueError otherwise."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, not {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def _check_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def _freeze(obj: Any, name: str, kind: type | tuple[type, ...]) -> None:
    """Store the iterable attribute ``name`` of a frozen dataclass as a tuple, checking the element type."""
    items = tuple(getattr(obj, name))
    for item in items:
        if not isinstance(item, kind):
            raise TypeError(f"{name} holds a {type(item).__name__}")
    object.__setattr__(obj, name, items)


def normalise_matter(text: str) -> str:
    """The key under which two bonus (or two deduction) matters are "the same matter" (PDS L45–51).

    NFKC (full-width letters, digits and punctuation become their ASCII forms), case-folded, all whitespace
    removed. The office should still give one matter one wording; this only forgives typing differences.
    """
    key = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    if not key:
        raise ValueError("a bonus or deduction matter needs a description")
    return key


# --- inputs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One 工作任务 of a category's table. ``points`` None (not written in the table) counts as 0 points."""

    id: TaskId
    level1_id: IndicatorId
    level2_id: IndicatorId
    points: Decimal | None
    component: Component = Component.PLATFORM
    adjustment: Adjustment = Adjustment.NONE

    def __post_init__(self) -> None:
        _check_int(self.id, "Task.id")
        if self.points is not None:
            check_decimal(self.points, f"任务{self.id} points")
        object.__setattr__(self, "component", Component(self.component))
        object.__setattr__(self, "adjustment", Adjustment(self.adjustment))

    @property
    def max_points(self) -> Decimal:
        return ZERO if self.points is None else self.points


@dataclass(frozen=True)
class TaskScore:
    """The score of one task for one unit, already in points (0 … task points). None = not scored yet."""

    task_id: TaskId
    score: Decimal | None

    def __post_init__(self) -> None:
        _check_int(self.task_id, "TaskScore.task_id")
        if self.score is not None:
            check_decimal(self.score, f"任务{self.task_id} score")


@dataclass(frozen=True)
class NotApplicable:
    """不涉及: the office took the task out of this unit's maximum."""

    task_id: TaskId
    reason: str = ""

    def __post_init__(self) -> None:
        _check_int(self.task_id, "NotApplicable.task_id")


@dataclass(frozen=True)
class Bonus:
    """An approved 加分 matter (PDS L45–51): +1 by default; the same matter counts once."""

    matter: str
    points: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        normalise_matter(self.matter)
        check_decimal(self.points, f"加分事项“{self.matter}” points")

    @property
    def key(self) -> str:
        return normalise_matter(self.matter)


@dataclass(frozen=True)
class Deduction:
    """A decided 扣分 matter: ``points`` (1–3) off the total, and the related task (if any) scores 0."""

    matter: str
    points: Decimal
    task_id: TaskId | None = None

    def __post_init__(self) -> None:
        normalise_matter(self.matter)
        check_decimal(self.points, f"扣分事项“{self.matter}” points")
        if self.task_id is not None:
            _check_int(self.task_id, "Deduction.task_id")

    @property
    def key(self) -> str:
        return normalise_matter(self.matter)


@dataclass(frozen=True)
class GradeBand:
    """等次: units with a final of at least ``min_score`` (and within the quota, if any) hold this band.

    ``quota_pct``: at most floor(n × quota_pct / 100) of the n ranked units of the category may hold it.
    """

    name: str
    min_score: Decimal
    quota_pct: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a grade band needs a name")
        check_decimal(self.min_score, f"等次“{self.name}” min_score")
        if self.quota_pct is not None:
            check_decimal(self.quota_pct, f"等次“{self.name}” quota_pct")
            if self.quota_pct > HUNDRED:
                raise ValueError(f"等次“{self.name}” quota_pct must be at most 100")


@dataclass(frozen=True)
class Veto:
    """A unit carrying ``flag`` cannot hold ``denied_grade`` nor any better band (e.g. "两起败诉 → 不得评为优秀").

    It holds at best the band just below ``denied_grade``; the place it would have taken under a quota goes to
    the next unit in rank order.
    """

    flag: str
    denied_grade: str
    reason: str = ""

    def __post_init__(self) -> None:
        if not self.flag or not self.denied_grade:
            raise ValueError("a veto needs a flag and a denied grade")


@dataclass(frozen=True)
class Policy:
    """Per-plan scoring settings; the defaults are those of the Pingdingshan 2020 plan."""

    grade_percentages: Mapping[Grade, Decimal] = field(default_factory=lambda: DEFAULT_GRADE_PERCENTAGES)
    bonus_cap: Decimal | None = Decimal(5)  # None: no cap
    convert_to_full: bool = True
    weights: Mapping[Component, Decimal] | None = None  # e.g. Jiaozuo {PLATFORM: 80, FIELD: 15, CASE_REVIEW: 5}
    bottom_n: int = 5
    missing: MissingPolicy = MissingPolicy.REPORT
    deduction_min: Decimal = Decimal(1)  # a matter outside [min, max] is counted, with a warning
    deduction_max: Decimal = Decimal(3)

    def __post_init__(self) -> None:
        percentages = dict(self.grade_percentages)
        if set(percentages) != set(Grade):
            raise ValueError("grade_percentages needs exactly the four grades 优/良/中/差")
        for grade, pct in percentages.items():
            check_decimal(pct, f"{grade.label} percentage")
            if pct > HUNDRED:
                raise ValueError(f"{grade.label} percentage must be at most 100")
        object.__setattr__(self, "grade_percentages", MappingProxyType(percentages))
        if self.bonus_cap is not None:
            check_decimal(self.bonus_cap, "bonus_cap")
        if _check_int(self.bottom_n, "bottom_n") < 0:
            raise ValueError("bottom_n must not be negative")
        object.__setattr__(self, "missing", MissingPolicy(self.missing))
        check_decimal(self.deduction_min, "deduction_min")
        if check_decimal(self.deduction_max, "deduction_max") < self.deduction_min:
            raise ValueError("deduction_max must not be below deduction_min")
        if self.weights is not None:
            weights = {Component(c): w for c, w in self.weights.items()}
            for component, weight in weights.items():
                check_decimal(weight, f"{component.label} weight")
            if sum(weights.values(), ZERO) <= 0:
                raise ValueError("the component weights must add up to more than 0")
            object.__setattr__(self, "weights", MappingProxyType(weights))


@dataclass(frozen=True)
class UnitInput:
    """Everything known about one 考核对象 of the category."""

    unit_id: UnitId
    evaluations: Iterable[TaskScore] = ()
    not_applicable: Iterable[NotApplicable] = ()
    bonuses: Iterable[Bonus] = ()
    deductions: Iterable[Deduction] = ()
    flags: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check_int(self.unit_id, "UnitInput.unit_id")
        _freeze(self, "evaluations", TaskScore)
        _freeze(self, "not_applicable", NotApplicable)
        _freeze(self, "bonuses", Bonus)
        _freeze(self, "deductions", Deduction)
        object.__setattr__(self, "flags", frozenset(self.flags))


@dataclass(frozen=True)
class CategoryInput:
    """A 考核对象类别: its full score, its table (tasks), its grade bands (best first) and vetoes.

    ``bands`` may be empty (no grades proposed). Otherwise the minimums must fall strictly from best to worst,
    the last (lowest) band must have ``min_score`` 0 and no quota: it catches every other ranked unit,
    negative finals included.
    """

    category_id: int
    full_score: Decimal
    tasks: Iterable[Task]
    bands: Iterable[GradeBand] = ()
    vetoes: Iterable[Veto] = ()

    def __post_init__(self) -> None:
        _check_int(self.category_id, "CategoryInput.category_id")
        if check_decimal(self.full_score, "full_score") <= 0:
            raise ValueError("full_score must be above 0")
        _freeze(self, "tasks", Task)
        _freeze(self, "bands", GradeBand)
        _freeze(self, "vetoes", Veto)
        ids = [t.id for t in self.task_list]
        if len(set(ids)) != len(ids):
            raise ValueError("task ids must be unique within a category")
        self._check_bands()

    def _check_bands(self) -> None:
        bands = self.band_list
        names = [b.name for b in bands]
        if len(set(names)) != len(names):
            raise ValueError("grade band names must be unique")
        for better, worse in itertools.pairwise(bands):
            if worse.min_score >= better.min_score:
                raise ValueError(f"等次“{worse.name}” must have a lower minimum than “{better.name}”")
        if bands and (bands[-1].min_score != 0 or bands[-1].quota_pct is not None):
            raise ValueError(f"the lowest band “{bands[-1].name}” must have min_score 0 and no quota")
        for veto in self.veto_list:
            if veto.denied_grade not in names:
                raise ValueError(f"veto {veto.flag!r} denies unknown grade {veto.denied_grade!r}")
            if veto.denied_grade == names[-1]:
                raise ValueError(f"veto {veto.flag!r} cannot deny the lowest band")

    @property
    def task_list(self) -> tuple[Task, ...]:
        return tuple(self.tasks)

    @property
    def band_list(self) -> tuple[GradeBand, ...]:
        return tuple(self.bands)

    @property
    def veto_list(self) -> tuple[Veto, ...]:
        return tuple(self.vetoes)


# --- outputs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subtotal:
    """Earned and possible task points of one 一级 or 二级 indicator (2 places); rate = earned / possible."""

    earned: Decimal
    possible: Decimal
    rate: Decimal | None  # 4 places, half-up; None when possible is 0


@dataclass(frozen=True)
class ComponentScore:
    """One component under weights: converted to its (effective) weight from its own earned / possible."""

    earned: Decimal
    possible: Decimal
    weight: Decimal  # as configured
    effective_weight: Decimal  # after redistributing the weights of components with nothing possible
    score: Decimal  # effective_weight × earned / possible, displayed to 2 places


@dataclass(frozen=True)
class CountedMatter:
    """A bonus or deduction matter after the "same matter counts once" rule."""

    key: str
    matter: str
    points: Decimal
    task_ids: tuple[TaskId, ...] = ()  # deductions only: the tasks scored 0


@dataclass(frozen=True)
class UnitResult:
    """The score of one unit. Numbers are displayed values: 2 places, half-up (rates 4 places)."""

    unit_id: UnitId
    scored: bool  # False under MissingPolicy.REPORT while evaluations are missing
    raw: Decimal | None  # Σ earned of the counted table tasks (加减分项 rows excluded)
    applicable_max: Decimal  # Σ points of the counted tasks (不涉及 removed, 加减分项 rows excluded)
    converted: Decimal | None  # the internal score out of the full score
    components: Mapping[Component, ComponentScore]  # empty unless the policy has weights
    bonus_matters: Decimal  # Σ counted bonus matters, before the cap
    adjustment_bonus: Decimal  # earned points of 加分项 rows
    bonus_total: Decimal  # min(bonus_matters + adjustment_bonus, cap)
    matter_deductions: Decimal  # Σ counted deduction matters (no cap)
    adjustment_deduction: Decimal  # Σ (points − score) of 扣分项 rows
    deduction_total: Decimal
    final: Decimal | None  # converted + bonus_total − deduction_total, rounded once
    rank: int | None
    proposed_grade: str | None  # from thresholds and quotas
    grade: str | None  # after vetoes
    vetoes_applied: tuple[str, ...]  # flags of the vetoes that deny the proposed grade
    bonuses: tuple[CountedMatter, ...]
    deductions: tuple[CountedMatter, ...]
    not_applicable_task_ids: tuple[TaskId, ...]
    zeroed_task_ids: tuple[TaskId, ...]  # scored 0 by a deduction matter
    missing_task_ids: tuple[TaskId, ...]  # no evaluation (REPORT: unscored; ZERO: zero-filled)
    zero_filled: bool  # True when missing evaluations were counted as 0 (MissingPolicy.ZERO)
    level1: Mapping[IndicatorId, Subtotal]
    level2: Mapping[IndicatorId, Subtotal]
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CategoryResult:
    category_id: int
    status: Status  # INCOMPLETE when some unit is unscored (MissingPolicy.REPORT)
    units: tuple[UnitResult, ...]  # by rank, then unit id; unscored units last, by unit id
    bottom: tuple[UnitId, ...]  # the bottom_n lowest finals of the assessed units, lowest first; all tied at the boundary
    excellent_two_years: tuple[UnitId, ...] | None  # None when no previous grades were given
    missing: Mapping[UnitId, tuple[TaskId, ...]]  # per unit with missing evaluations (either policy)
    level1: Mapping[IndicatorId, Subtotal]  # over the scored units: Σ earned / Σ possible
    level2: Mapping[IndicatorId, Subtotal]
    warnings: tuple[str, ...] = field(default=())
    not_assessed: tuple[UnitId, ...] = field(default=())  # counted at 0 (ZERO) without any evaluation; not in bottom

    def unit(self, unit_id: UnitId) -> UnitResult:
        for result in self.units:
            if result.unit_id == unit_id:
                return result
        raise KeyError(unit_id)
