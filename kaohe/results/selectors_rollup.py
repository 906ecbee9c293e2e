"""Reads of 下级考核汇总: every lower office's plan with its progress and, once published there, its results.

``load_rollup`` answers in a fixed number of queries whatever the number of lower plans (pinned in
tests/test_rollup.py): the region tree, the plans, units and tasks per category, evidence, evaluations and
不涉及 per plan, the overdue units (``submissions.selectors.overdue_unit_counts``, five), the publications in force,
the published categories' tables (one query: the snapshot's ``meta`` and ``units`` of each category, selected in
SQL), the 一级 names, the rectification counts.

Scores are read only from a publication in force (``ResultPublication`` not withdrawn): a plan whose results
are not published shows its progress and nothing computed from a snapshot.

Score rates are grouped by a key of the indicator (``GroupKey``): the 一级 name now, so that the same 一级
of different categories and plans meet in one column. A per-template-task table (指标模板, an Indicator FK
``template_item``) groups on that FK the same way, from the subtotals of the tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, F, Func, JSONField, Q
from django.db.models.expressions import Expression
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from kaohe.access import rollup as access_rollup
from kaohe.insights.selectors_reports import ReportCounts, report_counts
from kaohe.organisations.models import Region, pinyin_sort_key
from kaohe.plans.constants import Level
from kaohe.plans.models import Category, Indicator, Plan, PlanUnit
from kaohe.results.analysis import score_rate
from kaohe.results.analysis.echarts import bars
from kaohe.results.models import ResultPublication, ResultSnapshot
from kaohe.reviews.models import RectificationItem
from kaohe.scoring.models import Evaluation, NotApplicable
from kaohe.submissions import selectors as evidence
from kaohe.submissions.models import Submission

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
NO_GRADE = "未定等次"
GroupKey = Callable[[int], str | None]  # indicator id → the column it is summed into (None: left out)


class CategoryPart(Func):
    """``snapshot.data -> 'categories' -> 'c<category id>' -> part``, the key built in SQL from a column, so one
    query reads one part of every category of many snapshots (``json_path`` takes fixed keys only)."""

    output_field = JSONField()

    def __init__(self, data: Expression | str, category_id: Expression | str, part: str) -> None:
        super().__init__(
            F(data) if isinstance(data, str) else data, F(category_id) if isinstance(category_id, str) else category_id
        )
        self.part = part

    def _compiled(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, str, list[Any]]:
        data_sql, data_params = compiler.compile(self.source_expressions[0])
        id_sql, id_params = compiler.compile(self.source_expressions[1])
        return data_sql, id_sql, [*data_params, *id_params]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        data_sql, id_sql, params = self._compiled(compiler, connection)
        if connection.vendor == "postgresql":
            return f"(({data_sql}) -> 'categories' -> ('c' || ({id_sql})::text) -> %s)", [*params, self.part]
        if connection.vendor == "sqlite":
            return f"json_extract({data_sql}, '$.categories.c' || ({id_sql}) || '.' || %s)", [*params, self.part]
        raise NotImplementedError(f"CategoryPart has no SQL for {connection.vendor}")


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole × 100, 2 places half-up; None when nothing is due."""
    if whole <= 0:
        return None
    return (Decimal(min(part, whole)) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Progress:
    """报送 and 评价 progress of one plan (the office overview's rules: evidence counts once it is not 未报送)."""

    submission_due: int = 0  # unit × 报送资料 task
    submitted: int = 0
    grading_due: int = 0  # unit × task with points
    graded: int = 0  # evaluated or 不涉及
    overdue_units: int | None = 0  # None once the results are published (nothing is overdue any more)

    @property
    def submission_pct(self) -> Decimal | None:
        return percent(self.submitted, self.submission_due)

    @property
    def grading_pct(self) -> Decimal | None:
        return percent(self.graded, self.grading_due)


@dataclass
class Published:
    """What a lower plan's publication in force says, summed over its categories."""

    publication_id: int
    published_at: dt.datetime
    unit_count: int = 0
    scored_count: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    average: Decimal | None = None  # mean final score of the scored units
    rates: dict[str, Decimal | None] = field(default_factory=dict)  # group key (一级 name) → score rate %
    rectification_done: int = 0
    rectification_open: int = 0


@dataclass
class PlanRow:
    plan: Plan
    region: Region
    region_path: str  # 平顶山市 / 舞钢市
    progress: Progress
    published: Published | None = None
    grade_cells: list[tuple[str, int]] = field(default_factory=list)  # in the page's grade columns
    rate_cells: list[tuple[str, Decimal | None]] = field(default_factory=list)  # in the page's 一级 columns
    reports: ReportCounts = field(default_factory=ReportCounts)  # 法治政府建设年度报告 by state

    @property
    def label(self) -> str:
        return f"{self.region_path} · {self.plan.year}"


@dataclass
class RegionGroup:
    region: Region
    path: str
    rows: list[PlanRow]


@dataclass
class Rollup:
    groups: list[RegionGroup]
    rate_columns: list[str]  # 一级 names, in order of first appearance
    grade_names: list[str]  # in order of first appearance in rank order (best first)

    @property
    def rows(self) -> list[PlanRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def published_rows(self) -> list[PlanRow]:
        return [row for row in self.rows if row.published is not None]


# --- progress ------------------------------------------------------------------------------------------------


def progress_of(plans: list[Plan]) -> dict[int, Progress]:
    """Per plan: 报送 and 评价 progress, in nine queries whatever the number of plans (four when none is in
    progress: the overdue units are counted for plans in progress only)."""
    ids = [p.pk for p in plans]
    result = {pk: Progress() for pk in ids}
    if not ids:
        return result
    units = dict(
        PlanUnit.objects.filter(plan_id__in=ids).values("category_id").annotate(n=Count("id")).values_list("category_id", "n")
    )
    tasks = (
        Indicator.objects.filter(plan_id__in=ids, level=Level.TASK, points__isnull=False)
        .values("plan_id", "category_id")
        .annotate(n=Count("id"), evidence=Count("id", filter=evidence.EVIDENCE_TASKS))
        .values_list("plan_id", "category_id", "n", "evidence")
    )
    for plan_id, category_id, n, evidence_n in tasks:
        result[plan_id].grading_due += n * units.get(category_id, 0)
        result[plan_id].submission_due += evidence_n * units.get(category_id, 0)
    submitted = Submission.objects.filter(plan_id__in=ids).exclude(status=Submission.Status.EMPTY)
    for plan_id, n in submitted.values("plan_id").annotate(n=Count("id")).values_list("plan_id", "n"):
        result[plan_id].submitted = n
    for model in (Evaluation, NotApplicable):
        counted = model.objects.filter(plan_id__in=ids, task__points__isnull=False)
        for plan_id, n in counted.values("plan_id").annotate(n=Count("id")).values_list("plan_id", "n"):
            result[plan_id].graded += n
    # Overdue evidence matters while a plan runs; once its results are published the year is closed (None: "—").
    for plan in plans:
        if plan.status != Plan.Status.PUBLISHED:
            result[plan.pk].overdue_units = None
    running = [plan for plan in plans if plan.status == Plan.Status.PUBLISHED]
    for plan_id, n in evidence.overdue_unit_counts(running).items():
        result[plan_id].overdue_units = n
    return result


# --- published results -------------------------------------------------------------------------------------------


def level1_names(plan_ids: Iterable[int]) -> dict[int, str]:
    """Every 一级指标 of these plans: id → name (one query)."""
    return dict(Indicator.objects.filter(plan_id__in=list(plan_ids), level=Level.LEVEL1).values_list("pk", "name"))


def group_rates(subtotals: Mapping[str, list[str | None]], key: GroupKey, into: dict[str, list[Decimal]]) -> None:
    """Add a category's subtotals (indicator id → [earned, possible, rate], as stored) into ``into`` (group key →
    [earned, possible]) under each indicator's ``key``."""
    for pk, (earned, possible, _rate) in subtotals.items():
        name = key(int(pk))
        if name is None or earned is None or possible is None:
            continue
        sums = into.setdefault(name, [Decimal(0), Decimal(0)])
        sums[0] += Decimal(earned)
        sums[1] += Decimal(possible)


def _summarise(published: Published, parts: list[tuple[Any, Any]], key: GroupKey, grade_order: dict[str, None]) -> None:
    sums: dict[str, list[Decimal]] = {}
    finals: list[Decimal] = []
    for meta, units in parts:
        if not meta:
            continue
        group_rates(meta.get("level1") or {}, key, sums)
        for unit_id in meta.get("ranked") or []:
            unit = (units or {}).get(f"u{unit_id}")
            if unit is None:
                continue
            published.unit_count += 1
            if unit.get("scored") and unit.get("final") is not None:
                published.scored_count += 1
                finals.append(Decimal(unit["final"]))
            grade = unit.get("grade") or NO_GRADE
            grade_order.setdefault(grade, None)
            published.grades[grade] = published.grades.get(grade, 0) + 1
    published.rates = {name: score_rate(earned, possible) for name, (earned, possible) in sums.items()}
    if finals:
        published.average = (sum(finals, Decimal(0)) / len(finals)).quantize(CENT, rounding=ROUND_HALF_UP)


def published_of(plans: list[Plan], grade_order: dict[str, None]) -> dict[int, Published]:
    """Per plan with a publication in force: its results (four queries whatever the number of plans)."""
    rows = list(
        ResultPublication.objects.filter(plan__in=plans, withdrawn_at__isnull=True).values_list(
            "plan_id", "pk", "published_at", "snapshot_id"
        )
    )
    if not rows:
        return {}
    found = {plan_id: Published(pk, published_at) for plan_id, pk, published_at, _snapshot in rows}
    snapshot_plan = {snapshot_id: plan_id for plan_id, _pk, _at, snapshot_id in rows}
    parts: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    query = (
        ResultSnapshot.objects.filter(pk__in=list(snapshot_plan))
        .annotate(category_id=F("plan__categories__id"), category_order=F("plan__categories__order"))
        .filter(category_id__isnull=False)
        .order_by("pk", "category_order", "category_id")
        .values_list("pk", CategoryPart("data", "category_id", "meta"), CategoryPart("data", "category_id", "units"))
    )
    for snapshot_id, meta, units in query:
        parts[snapshot_plan[snapshot_id]].append((meta, units))
    names = level1_names(found)
    for plan_id, published in found.items():
        _summarise(published, parts[plan_id], names.get, grade_order)
    counts = (
        RectificationItem.objects.filter(plan_id__in=list(found))
        .values("plan_id")
        .annotate(
            done=Count("id", filter=Q(status=RectificationItem.Status.ACCEPTED)),
            open=Count("id", filter=~Q(status=RectificationItem.Status.ACCEPTED)),
        )
        .values_list("plan_id", "done", "open")
    )
    for plan_id, done, still_open in counts:
        found[plan_id].rectification_done = done
        found[plan_id].rectification_open = still_open
    return found


# --- the page ------------------------------------------------------------------------------------------------


def _path(tree: Mapping[int, Region], region: Region, tops: set[int]) -> list[Region]:
    """The regions from just below the user's office region down to ``region``."""
    path = [region]
    up = region.parent_id
    while up is not None and up not in tops and up in tree:
        path.append(tree[up])
        up = tree[up].parent_id
    return path[::-1]


def load_rollup(user: Any) -> Rollup:
    """Every lower plan the user oversees, grouped by the organiser's region (tree order), newest year first."""
    tree = access_rollup.region_tree()
    plans = list(access_rollup.lower_plans(user, tree).select_related("organiser").order_by("-year", "pk"))
    tops = access_rollup.office_region_ids(user)
    progress = progress_of(plans)
    grade_order: dict[str, None] = {}
    published = published_of(plans, grade_order)
    reports = report_counts(plans, timezone.localdate())
    groups: dict[int, RegionGroup] = {}
    sort_keys: dict[int, tuple[str, ...]] = {}
    columns: dict[str, None] = {}
    for plan in plans:
        region = tree[plan.organiser.region_id]
        if region.pk not in groups:
            path = _path(tree, region, tops)
            groups[region.pk] = RegionGroup(region, " / ".join(r.name for r in path), [])
            sort_keys[region.pk] = tuple(pinyin_sort_key(r.name) for r in path)
        row = PlanRow(plan, region, groups[region.pk].path, progress[plan.pk], published.get(plan.pk))
        row.reports = reports[plan.pk]
        if row.published is not None:
            columns.update(dict.fromkeys(row.published.rates))
        groups[region.pk].rows.append(row)
    ordered = [groups[pk] for pk in sorted(groups, key=lambda pk: sort_keys[pk])]
    rollup = Rollup(ordered, list(columns), list(grade_order))
    for row in rollup.rows:
        if row.published is not None:
            row.grade_cells = [(g, row.published.grades.get(g, 0)) for g in rollup.grade_names]
            row.rate_cells = [(name, row.published.rates.get(name)) for name in rollup.rate_columns]
    return rollup


def charts(rollup: Rollup) -> list[dict[str, Any]]:
    """What static/results/analysis.js draws (the analysis pages' kinds): progress of every lower plan; for the
    published ones, the score rate per 一级, the grade distribution and the average score."""
    rows = rollup.rows
    labels = [row.label for row in rows]
    specs = [
        bars(
            "chart-rollup-progress",
            "报送与评价进度",
            labels,
            [
                ("报送进度", [r.progress.submission_pct for r in rows]),
                ("评价进度", [r.progress.grading_pct for r in rows]),
            ],
        )
    ]
    done = rollup.published_rows
    specs.append(
        bars(
            "chart-rollup-level1",
            "一级指标得分率（已公布结果的方案）",
            rollup.rate_columns,
            [
                (row.label, [row.published.rates.get(name) if row.published else None for name in rollup.rate_columns])
                for row in done
            ],
        )
    )
    specs.append(
        {
            "id": "chart-rollup-grades",
            "kind": "columns",
            "title": "等次分布（考核对象数）",
            "labels": rollup.grade_names,
            "series": [
                {
                    "name": row.label,
                    "values": [str(row.published.grades.get(g, 0) if row.published else 0) for g in rollup.grade_names],
                }
                for row in done
            ],
        }
    )
    specs.append(
        bars(
            "chart-rollup-average",
            "平均得分",
            [row.label for row in done],
            [("平均得分", [row.published.average if row.published else None for row in done])],
            unit="",
            fixed=False,
        )
    )
    return specs


# --- one lower plan ------------------------------------------------------------------------------------------


def plan_progress(plan: Plan) -> Progress:
    return progress_of([plan])[plan.pk]


def plan_categories(plan: Plan) -> list[tuple[int, str]]:
    return list(Category.objects.filter(plan=plan).order_by("order", "pk").values_list("pk", "name"))
