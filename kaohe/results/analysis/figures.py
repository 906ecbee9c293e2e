"""考核分析 figures: the readings of one result snapshot (``analyse`` → ``Analysis``). Pure: no ORM, no floats.

Readings, all documented on the page:

- 得分率 (score rate) = points earned ÷ points available × 100, as a percentage with 2 places, ROUND_HALF_UP
  (``score_rate``). Sums run over the SCORED units of the snapshot only — those with a total (all of them when
  evaluations are complete, or when missing ones were counted as 0) — exactly as the engine's own 一级/二级
  subtotals; 不涉及 tasks are left out of both sums; a task zeroed by a deduction matter counts as 0 of its
  points; 加减分项 rows are not part of any rate.
- Across categories, indicators are matched by name (一级) or by (一级 name, 二级 name).
- A desk's rate is over the tasks it grades (``IndicatorInfo.desk``), in every category.
- The distribution bands the converted total (内部考核得分, before bonus and deductions) as a percentage of
  the category's full score: <60, 60–70, 70–80, 80–90, ≥90 (lower bound included).
- Deduction reasons: evaluations below full marks in the snapshot (every unit, scored or not; 不涉及 tasks and
  加分项 rows left out), grouped by their reason with whitespace runs collapsed.
- Year over year: the previous year's rates by 一级 name across categories, and per unit (matched by
  organisation) the total's rate (raw ÷ applicable maximum) and the final score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kaohe.plans.constants import Adjustment, Level

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ACROSS = "全部类别"
WEAKEST_N = 10
REASONS_N = 20
NO_REASON = "（未写扣分理由）"
REASON_GONE = "（该评价已删除，理由不可查）"
NO_DESK = "（未指定考核主体）"

#: Bands of the converted total, as a percentage of the category's full score: (label, lower bound included).
BANDS: tuple[tuple[str, Decimal | None], ...] = (
    ("60分以下", None),
    ("60–70分", Decimal(60)),
    ("70–80分", Decimal(70)),
    ("80–90分", Decimal(80)),
    ("90分及以上", Decimal(90)),
)


def score_rate(earned: Decimal, possible: Decimal) -> Decimal | None:
    """earned ÷ possible × 100, 2 places, ROUND_HALF_UP (0.917549… → 91.75); None when nothing was possible."""
    if possible <= 0:
        return None
    return (earned * HUNDRED / possible).quantize(CENT, rounding=ROUND_HALF_UP)


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    return None if current is None or previous is None else current - previous


def normalise_reason(text: str) -> str:
    """Whitespace runs (full-width spaces and line breaks included) become one space; ends are trimmed."""
    return " ".join(text.split())


def _d(value: str | None) -> Decimal:
    return ZERO if value is None else Decimal(value)


# --- inputs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    """One indicator of the plan: level (1, 2, 3 = task), code, name, table order and (tasks) its desk's name."""

    id: int
    level: int
    code: str
    name: str
    order: int
    desk: str = ""


@dataclass(frozen=True)
class PreviousYear:
    """The previous year's snapshot: its label, ``data`` (order, categories' meta and units) and 一级 names."""

    label: str
    data: Mapping[str, Any]
    level1_names: Mapping[int, str]


# --- outputs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str
    full_score: Decimal
    unit_count: int
    scored_count: int
    complete: bool


@dataclass(frozen=True)
class RateRow:
    """A score rate of one indicator (or desk, or task) within a scope (a category's name, or 全部类别)."""

    scope: str
    code: str
    name: str
    earned: Decimal
    possible: Decimal
    rate: Decimal | None
    parent: str = ""  # 二级: the 一级 name


@dataclass(frozen=True)
class DeskRow:
    desk: str
    tasks: int
    earned: Decimal
    possible: Decimal
    rate: Decimal | None


@dataclass(frozen=True)
class DistributionRow:
    category: str
    counts: tuple[int, ...]  # one per BANDS entry
    scored: int
    unscored: int
    average: Decimal | None  # of the converted totals, 2 places half-up
    highest: Decimal | None
    lowest: Decimal | None


@dataclass(frozen=True)
class HeatMap:
    category: str
    columns: tuple[tuple[str, str], ...]  # (code, name) of the category's 一级指标
    rows: tuple[tuple[str, tuple[Decimal | None, ...]], ...]  # (unit name, rate per column), rank order


@dataclass(frozen=True)
class TaskRow:
    category: str
    code: str
    name: str
    desk: str
    units: int  # scored units for which the task counted
    below_full: int
    earned: Decimal
    possible: Decimal
    rate: Decimal | None


@dataclass(frozen=True)
class ReasonRow:
    reason: str
    count: int
    units: int
    points_lost: Decimal


@dataclass(frozen=True)
class YearRow:
    name: str
    category: str
    previous: Decimal | None
    current: Decimal | None
    change: Decimal | None
    previous_final: Decimal | None = None
    current_final: Decimal | None = None
    final_change: Decimal | None = None


@dataclass
class Analysis:
    categories: list[CategoryInfo]
    level1: list[RateRow]  # per category (table order), then 全部类别
    level2: list[RateRow]
    desks: list[DeskRow]
    distribution: list[DistributionRow]
    heatmaps: list[HeatMap]
    weakest: list[TaskRow]  # the WEAKEST_N lowest rates of each category
    reasons: list[ReasonRow]  # the REASONS_N most frequent
    reasons_total: int  # evaluations below full marks
    reasons_distinct: int
    previous_label: str | None  # None: 无上年度数据
    year_level1: list[YearRow] = field(default_factory=list)
    year_units: list[YearRow] = field(default_factory=list)

    @property
    def unit_count(self) -> int:
        return sum(c.unit_count for c in self.categories)

    @property
    def scored_count(self) -> int:
        return sum(c.scored_count for c in self.categories)


# --- computation ---------------------------------------------------------------------------------------


class _Sum:
    __slots__ = ("earned", "possible")

    def __init__(self) -> None:
        self.earned = ZERO
        self.possible = ZERO

    def add(self, earned: Decimal, possible: Decimal) -> None:
        self.earned += earned
        self.possible += possible


def _info(indicators: Mapping[int, IndicatorInfo], pk: int) -> IndicatorInfo:
    return indicators.get(pk) or IndicatorInfo(pk, 0, str(pk), f"指标{pk}", 10**9)


def _categories(data: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    return [(key, data["categories"][key]) for key in data.get("order", []) if key in data.get("categories", {})]


def _subtotal_rows(
    scope: str,
    subtotals: Mapping[str, Sequence[str | None]],
    indicators: Mapping[int, IndicatorInfo],
    level: int,
    parents: Mapping[int, int],
) -> list[RateRow]:
    rows = []
    for key in sorted(subtotals, key=lambda k: _info(indicators, int(k)).order):
        info = _info(indicators, int(key))
        if info.level != level:
            continue  # tasks placed directly under a 一级 have no 二级 of their own
        earned, possible = _d(subtotals[key][0]), _d(subtotals[key][1])
        parent = _info(indicators, parents[info.id]).name if info.id in parents else ""
        rows.append(RateRow(scope, info.code, info.name, earned, possible, score_rate(earned, possible), parent))
    return rows


def _across(rows: Iterable[RateRow]) -> list[RateRow]:
    """Rows of every category summed by (parent, name), in order of first appearance."""
    sums: dict[tuple[str, str], _Sum] = {}
    codes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        key = (row.parent, row.name)
        sums.setdefault(key, _Sum()).add(row.earned, row.possible)
        codes[key].add(row.code)
    return [
        RateRow(
            ACROSS,
            next(iter(codes[key])) if len(codes[key]) == 1 else "",
            key[1],
            s.earned,
            s.possible,
            score_rate(s.earned, s.possible),
            key[0],
        )
        for key, s in sums.items()
    ]


def _task_points(category_inputs: Mapping[str, Any]) -> dict[int, tuple[Decimal, str]]:
    """task id → (points, adjustment) from the snapshot's inputs (points None counts as 0)."""
    return {
        row[0]: (_d(row[3]), row[5] or Adjustment.NONE.value)
        for row in category_inputs.get("tasks", [])  # [task_id, level1_id, level2_id, points, component, adjustment]
    }


def _earned_by_task(
    unit_inputs: Mapping[str, Any], detail: Mapping[str, Any], points: Mapping[int, tuple[Decimal, str]]
) -> Iterable[tuple[int, Decimal, Decimal]]:
    """(task, earned, possible) of every counted task of one SCORED unit, as the engine counted them."""
    scores = {row[0]: Decimal(row[3]) for row in unit_inputs.get("evaluations", [])}
    zeroed = set(detail.get("zeroed_task_ids", []))
    not_applicable = set(detail.get("not_applicable_task_ids", []))
    for task_id, (maximum, adjustment) in points.items():
        if adjustment != Adjustment.NONE.value:
            continue
        if task_id in zeroed:
            yield task_id, ZERO, maximum
        elif task_id in not_applicable:
            continue
        else:  # a missing evaluation of a scored unit was counted as 0 (missing policy "zero")
            yield task_id, scores.get(task_id, ZERO), maximum


def analyse(
    data: Mapping[str, Any],
    inputs: Mapping[str, Any],
    indicators: Mapping[int, IndicatorInfo],
    reasons: Mapping[int, str | None],
    previous: PreviousYear | None = None,
) -> Analysis:
    """Every figure of the analysis page from one snapshot (``reasons``: evaluation id → reason, None = gone)."""
    parents: dict[int, int] = {}
    for category_inputs in inputs.get("categories", {}).values():
        for _task, level1_id, level2_id, *_rest in category_inputs.get("tasks", []):
            if level2_id != level1_id:
                parents[level2_id] = level1_id
    categories: list[CategoryInfo] = []
    level1: list[RateRow] = []
    level2: list[RateRow] = []
    desk_sums: dict[str, _Sum] = {}
    desk_tasks: dict[str, set[int]] = defaultdict(set)
    distribution: list[DistributionRow] = []
    heatmaps: list[HeatMap] = []
    weakest: list[TaskRow] = []
    unit_inputs = inputs.get("units", {})
    for key, category in _categories(data):
        meta, units, details = category["meta"], category["units"], category["details"]
        name = meta["name"]
        full = Decimal(meta["full_score"])
        ranked = [units[f"u{u}"] for u in meta["ranked"]]
        scored = [u for u in ranked if u["scored"]]
        categories.append(CategoryInfo(meta["category_id"], name, full, len(ranked), len(scored), meta["status"] == "complete"))
        level1.extend(_subtotal_rows(name, meta.get("level1", {}), indicators, Level.LEVEL1, parents))
        level2.extend(_subtotal_rows(name, meta.get("level2", {}), indicators, Level.LEVEL2, parents))
        distribution.append(_distribution(name, full, ranked, scored))
        heatmaps.append(_heatmap(name, meta.get("level1", {}), scored, details, indicators))
        points = _task_points(inputs.get("categories", {}).get(key, {}))
        task_sums: dict[int, _Sum] = {}
        task_units: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # [units counted, below full]
        for unit in scored:
            ukey = f"u{unit['unit_id']}"
            for task_id, earned, possible in _earned_by_task(unit_inputs.get(ukey, {}), details.get(ukey, {}), points):
                task_sums.setdefault(task_id, _Sum()).add(earned, possible)
                task_units[task_id][0] += 1
                task_units[task_id][1] += earned < possible
        rows = []
        for task_id, s in task_sums.items():
            info = _info(indicators, task_id)
            desk = info.desk or NO_DESK
            desk_sums.setdefault(desk, _Sum()).add(s.earned, s.possible)
            desk_tasks[desk].add(task_id)
            if s.possible > 0:
                counted, below = task_units[task_id]
                rows.append(
                    (
                        info.order,
                        TaskRow(
                            name,
                            info.code,
                            info.name,
                            desk,
                            counted,
                            below,
                            s.earned,
                            s.possible,
                            score_rate(s.earned, s.possible),
                        ),
                    )
                )
        rows.sort(key=lambda r: (r[1].rate, r[0]))
        weakest.extend(row for _order, row in rows[:WEAKEST_N])
    level1 += _across(level1)
    level2 += _across(level2)
    desks = [
        DeskRow(desk, len(desk_tasks[desk]), s.earned, s.possible, score_rate(s.earned, s.possible))
        for desk, s in desk_sums.items()
        if s.possible > 0
    ]
    desks.sort(key=lambda d: (d.rate is None, -(d.rate or ZERO), d.desk))
    reasons_rows, total, distinct = _reasons(inputs, reasons)
    analysis = Analysis(
        categories=categories,
        level1=level1,
        level2=level2,
        desks=desks,
        distribution=distribution,
        heatmaps=heatmaps,
        weakest=weakest,
        reasons=reasons_rows,
        reasons_total=total,
        reasons_distinct=distinct,
        previous_label=None,
    )
    if previous is not None:
        analysis.previous_label = previous.label
        analysis.year_level1 = _year_level1([r for r in level1 if r.scope == ACROSS], previous)
        analysis.year_units = _year_units(data, previous)
    return analysis


def _distribution(
    name: str, full: Decimal, ranked: Sequence[Mapping[str, Any]], scored: Sequence[Mapping[str, Any]]
) -> DistributionRow:
    counts = [0] * len(BANDS)
    values = [Decimal(u["converted"]) for u in scored if u["converted"] is not None]
    for value in values:
        share = value * HUNDRED / full if full > 0 else value
        index = 0
        for position, (_label, lower) in enumerate(BANDS):
            if lower is not None and share >= lower:
                index = position
        counts[index] += 1
    average = (sum(values, ZERO) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP) if values else None
    return DistributionRow(
        name,
        tuple(counts),
        len(values),
        len(ranked) - len(values),
        average,
        max(values) if values else None,
        min(values) if values else None,
    )


def _heatmap(
    name: str,
    subtotals: Mapping[str, Any],
    scored: Sequence[Mapping[str, Any]],
    details: Mapping[str, Any],
    indicators: Mapping[int, IndicatorInfo],
) -> HeatMap:
    columns = sorted(
        (_info(indicators, int(k)) for k in subtotals if _info(indicators, int(k)).level == Level.LEVEL1),
        key=lambda i: i.order,
    )
    rows = []
    for unit in scored:
        own = details.get(f"u{unit['unit_id']}", {}).get("level1", {})
        cells = []
        for column in columns:
            value = own.get(str(column.id))
            cells.append(score_rate(_d(value[0]), _d(value[1])) if value else None)
        rows.append((unit["name"], tuple(cells)))
    return HeatMap(name, tuple((c.code, c.name) for c in columns), tuple(rows))


def below_full(inputs: Mapping[str, Any]) -> dict[int, int]:
    """Evaluation id → version of every evaluation in the snapshot below its task's full marks (the reasons to load)."""
    return {evaluation_id: version for _unit, _task, evaluation_id, version, _score, _max in _below_full(inputs)}


def _below_full(inputs: Mapping[str, Any]) -> Iterable[tuple[str, int, int, int, Decimal, Decimal]]:
    points: dict[int, tuple[Decimal | None, str]] = {}
    for category_inputs in inputs.get("categories", {}).values():
        for row in category_inputs.get("tasks", []):
            points[row[0]] = (None if row[3] is None else Decimal(row[3]), row[5] or Adjustment.NONE.value)
    for ukey, record in inputs.get("units", {}).items():
        not_applicable = {row[0] for row in record.get("not_applicable", [])}
        for task_id, evaluation_id, version, score, _grade in record.get("evaluations", []):
            maximum, adjustment = points.get(task_id, (None, ""))
            if maximum is None or adjustment == Adjustment.BONUS.value or task_id in not_applicable:
                continue
            value = Decimal(score)
            if value < maximum:
                yield ukey, task_id, evaluation_id, version, value, maximum


def _reasons(inputs: Mapping[str, Any], reasons: Mapping[int, str | None]) -> tuple[list[ReasonRow], int, int]:
    counts: dict[str, int] = defaultdict(int)
    units: dict[str, set[str]] = defaultdict(set)
    lost: dict[str, Decimal] = defaultdict(lambda: ZERO)
    total = 0
    for ukey, _task_id, evaluation_id, _version, score, maximum in _below_full(inputs):
        text = reasons.get(evaluation_id)
        reason = REASON_GONE if text is None else (normalise_reason(text) or NO_REASON)
        counts[reason] += 1
        units[reason].add(ukey)
        lost[reason] += maximum - score
        total += 1
    rows = [ReasonRow(r, counts[r], len(units[r]), lost[r]) for r in counts]
    rows.sort(key=lambda r: (-r.count, -r.points_lost, r.reason))
    return rows[:REASONS_N], total, len(rows)


def _year_level1(current: Sequence[RateRow], previous: PreviousYear) -> list[YearRow]:
    earlier: list[RateRow] = []
    for _key, category in _categories(previous.data):
        for pk, values in (category["meta"].get("level1") or {}).items():
            name = previous.level1_names.get(int(pk))
            if name is not None:
                earned, possible = _d(values[0]), _d(values[1])
                earlier.append(RateRow(ACROSS, "", name, earned, possible, score_rate(earned, possible)))
    before = {row.name: row.rate for row in _across(earlier)}
    rows = [YearRow(r.name, ACROSS, before.get(r.name), r.rate, change(r.rate, before.get(r.name))) for r in current]
    seen = {r.name for r in current}
    rows += [YearRow(name, ACROSS, rate, None, None) for name, rate in before.items() if name not in seen]
    return rows


def _unit_totals(data: Mapping[str, Any]) -> dict[int, tuple[str, str, Decimal | None, Decimal | None]]:
    """organisation id → (unit name, category, total's rate, final) of every unit of a snapshot (unscored: None)."""
    found = {}
    for _key, category in _categories(data):
        for unit_id in category["meta"]["ranked"]:
            unit = category["units"][f"u{unit_id}"]
            rate = final = None
            if unit["scored"] and unit["raw"] is not None:
                rate = score_rate(Decimal(unit["raw"]), Decimal(unit["applicable_max"]))
                final = None if unit["final"] is None else Decimal(unit["final"])
            found[unit["organisation_id"]] = (unit["name"], category["meta"]["name"], rate, final)
    return found


def _year_units(data: Mapping[str, Any], previous: PreviousYear) -> list[YearRow]:
    before = _unit_totals(previous.data)
    rows = []
    for organisation, (name, category, rate, final) in _unit_totals(data).items():
        if organisation not in before:
            continue
        _name, _category, old_rate, old_final = before[organisation]
        rows.append(YearRow(name, category, old_rate, rate, change(rate, old_rate), old_final, final, change(final, old_final)))
    return rows
