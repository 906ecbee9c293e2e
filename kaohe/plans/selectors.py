"""Reads of plans: cards for the home page, indicator trees, units and desks. Explicit joins only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from kaohe import access
from kaohe.access.plans import plans_visible_to
from kaohe.organisations import conflicts
from kaohe.organisations.models import Organisation
from kaohe.plans.constants import Adjustment, Level
from kaohe.plans.excel.checks import check_sums
from kaohe.plans.excel.types import IndicatorTable, Level1Row, Level2Row, Problem, TaskRow
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanImport, PlanUnit, ProblemKind, ScoringPolicy


def policy_of(plan: Plan) -> ScoringPolicy:
    """The plan's scoring policy, or an unsaved one with the defaults (Pingdingshan's; 5 + 5 working days for
    复核) when the plan has none."""
    return ScoringPolicy.objects.filter(plan=plan).first() or ScoringPolicy(plan=plan)


@dataclass
class PlanCard:
    plan: Plan
    roles: list[str]
    category_count: int
    unit_count: int
    task_count: int


def plan_cards_for_user(user: Any) -> list[PlanCard]:
    plans = (
        plans_visible_to(user)
        .select_related("organiser")
        .annotate(
            n_categories=Count("categories", distinct=True),
            n_units=Count("units", distinct=True),
        )
        .order_by("-year", "-id")
    )
    plan_list = list(plans)
    task_counts = dict(
        Indicator.objects.filter(plan__in=plan_list, level=Level.TASK)
        .values_list("plan_id")
        .annotate(n=Count("id"))
        .values_list("plan_id", "n")
    )
    return [
        PlanCard(
            plan=plan,
            roles=sorted(role.label for role in access.plan_roles(user, plan)),
            category_count=plan.n_categories,
            unit_count=plan.n_units,
            task_count=task_counts.get(plan.pk, 0),
        )
        for plan in plan_list
    ]


@dataclass
class CategorySummary:
    category: Category
    task_count: int
    unit_count: int
    points_total: Decimal
    warnings: list[Problem] = field(default_factory=list)


def category_summaries(plan: Plan, categories: QuerySet[Category]) -> list[CategorySummary]:
    cats = list(
        categories.annotate(
            n_tasks=Count("indicators", filter=Q(indicators__level=Level.TASK), distinct=True),
            n_units=Count("units", distinct=True),
        )
    )
    totals = dict(
        Indicator.objects.filter(category__in=cats, level=Level.TASK, adjustment=Adjustment.NONE, counts_next_year=False)
        .values_list("category_id")
        .annotate(total=Sum("points"))
        .values_list("category_id", "total")
    )
    tables = tables_for_categories(cats)
    return [
        CategorySummary(
            category=c,
            task_count=c.n_tasks,
            unit_count=c.n_units,
            points_total=totals.get(c.pk) or Decimal(0),
            warnings=category_warnings(c, tables[c.pk]),
        )
        for c in cats
    ]


def category_indicators(category: Category) -> list[Indicator]:
    """All nodes of one category's tree in order, with their desks and template rows (one query)."""
    nodes = Indicator.objects.filter(category=category).select_related("assessor__organisation", "template_item")
    return list(nodes.order_by("order"))


def table_from_nodes(nodes: list[Indicator], title: str) -> IndicatorTable:
    level1: list[Level1Row] = []
    by_id: dict[int | None, Level1Row | Level2Row] = {}
    for node in nodes:
        if node.level == Level.LEVEL1:
            row1 = Level1Row(name=node.name, points=node.points, children=[], row=node.source_row)
            level1.append(row1)
            by_id[node.pk] = row1
        elif node.level == Level.LEVEL2:
            parent1 = by_id[node.parent_id]
            row2 = Level2Row(name=node.name, points=node.points, tasks=[], row=node.source_row)
            cast(Level1Row, parent1).children.append(row2)
            by_id[node.pk] = row2
        else:
            parent2 = cast(Level2Row, by_id[node.parent_id])
            parent2.tasks.append(
                TaskRow(
                    name=node.name,
                    method=node.method,
                    materials=node.materials,
                    points=node.points,
                    deadline=node.deadline,
                    requirement=node.requirement,
                    assessor=node.assessor.organisation.name if node.assessor else "",
                    adjustment=node.adjustment,
                    counts_next_year=node.counts_next_year,
                    row=node.source_row,
                    event_label=node.event_label,
                )
            )
    return IndicatorTable(title=title, level1=level1)


def category_table(category: Category) -> IndicatorTable:
    """The stored tree as the plain table the Excel writer and the sum checks work on."""
    return table_from_nodes(category_indicators(category), category.name)


def tables_for_categories(categories: Sequence[Category]) -> dict[int, IndicatorTable]:
    nodes: dict[int, list[Indicator]] = defaultdict(list)
    for node in (
        Indicator.objects.filter(category__in=categories)
        .select_related("assessor__organisation")
        .order_by("category_id", "order")
    ):
        nodes[node.category_id].append(node)
    return {c.pk: table_from_nodes(nodes[c.pk], c.name) for c in categories}


def category_warnings(category: Category, table: IndicatorTable) -> list[Problem]:
    """Live checks of a stored tree: sums against stated points, tasks without points."""
    problems = list(check_sums(table, full_score=category.full_score))
    for l1, l2, task in table.tasks():
        if task.points is None and task.adjustment == Adjustment.NONE and not task.counts_next_year:
            problems.append(
                Problem(
                    severity="warning",
                    code="points_missing",
                    message=f"工作任务“{task.name[:30]}”（{l1.name} / {l2.name}）未写分值",
                    row=task.row,
                )
            )
    return problems


@dataclass
class TreeNode:
    """A node of the displayed tree with the sum of the (non-adjustment) task points below it."""

    node: Indicator
    children: list[TreeNode] = field(default_factory=list)
    task_sum: Decimal = Decimal(0)
    warned: bool = False

    @property
    def is_adjustment_group(self) -> bool:
        """A 二级 holding only 加减分项 rows (outside the stated total)."""
        return bool(self.children) and all(c.node.adjustment for c in self.children)

    @property
    def mismatch(self) -> bool:
        return self.node.points is not None and self.node.level != Level.TASK and self.node.points != self.task_sum


def indicator_tree(nodes: list[Indicator], warned_rows: set[int]) -> list[TreeNode]:
    """Nest the flat node list by parent; sums exclude the 加减分项 rows (outside the stated total) and the
    明年考核 tasks (assessed next year)."""
    wrapped = {n.pk: TreeNode(node=n, warned=n.source_row in warned_rows) for n in nodes}
    roots: list[TreeNode] = []
    for n in nodes:
        item = wrapped[n.pk]
        if n.parent_id is None:
            roots.append(item)
        else:
            wrapped[n.parent_id].children.append(item)
    for n in nodes:
        counted = not n.adjustment and not n.counts_next_year
        if n.level == Level.TASK and counted and n.points is not None and n.parent_id is not None:
            parent = wrapped[n.parent_id]
            parent.task_sum += n.points
            if parent.node.parent_id is not None:
                wrapped[parent.node.parent_id].task_sum += n.points
    return roots


def units_by_category(plan: Plan, categories: QuerySet[Category]) -> list[tuple[Category, list[PlanUnit]]]:
    cats = list(categories)
    units = (
        PlanUnit.objects.filter(plan=plan, category__in=cats)
        .select_related("organisation")
        .order_by("organisation__sort_key", "organisation__name")
    )
    grouped: dict[int, list[PlanUnit]] = defaultdict(list)
    for unit in units:
        grouped[unit.category_id].append(unit)
    return [(c, grouped[c.pk]) for c in cats]


@dataclass
class DeskRow:
    desk: AssessorDesk
    task_count: int
    tasks: list[Indicator]
    per_category: list[tuple[str, int, Decimal]]  # (category, tasks, points)


def desks_with_tasks(plan: Plan) -> list[DeskRow]:
    # only what the desks page shows of each task (its 一级/二级 are not shown)
    tasks = (
        Indicator.objects.filter(level=Level.TASK)
        .select_related("category")
        .only("pk", "assessor_id", "code", "name", "method", "points", "deadline", "order", "category__name", "category__order")
        .order_by("category__order", "order")
    )
    desks = (
        AssessorDesk.objects.filter(plan=plan)
        .select_related("organisation")
        .prefetch_related(Prefetch("tasks", queryset=tasks, to_attr="task_list"))
    )
    rows = []
    for desk in desks:
        task_list: list[Indicator] = desk.task_list
        per_category: dict[str, tuple[int, Decimal]] = {}
        for t in task_list:
            count, points = per_category.get(t.category.name, (0, Decimal(0)))
            per_category[t.category.name] = (count + 1, points + (t.points or Decimal(0)))
        rows.append(
            DeskRow(
                desk=desk,
                task_count=len(task_list),
                tasks=task_list,
                per_category=[(name, count, points) for name, (count, points) in per_category.items()],
            )
        )
    return rows


def recent_imports(plan: Plan) -> QuerySet[PlanImport]:
    return PlanImport.objects.filter(plan=plan).select_related("created_by").order_by("-created_at")[:20]


def desk_unit_conflicts(plan: Plan) -> list[str]:
    """回避 warnings of the plan's set-up: every desk that grades tasks of a unit on its own organisation line
    (the unit, its parent department, a section of it or a sibling section), in words. Three queries."""
    graded = set(
        Indicator.objects.filter(plan=plan, level=Level.TASK, assessor__isnull=False)
        .values_list("assessor_id", "category_id")
        .distinct()
    )
    desks = list(AssessorDesk.objects.filter(plan=plan).select_related("organisation__parent").order_by("seq", "pk"))
    units = list(
        PlanUnit.objects.filter(plan=plan)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key")
    )
    found = []
    for desk in desks:
        for unit in units:
            if (desk.pk, unit.category_id) not in graded:
                continue
            relation = conflicts.relation(desk.organisation, unit.organisation)
            if relation:
                found.append(f"{desk.organisation.name} → {unit.organisation.name}（{unit.category.name}）：{relation}")
    return found


def plan_units(plan: Plan) -> QuerySet[PlanUnit]:
    """The plan's units with their organisation and category, by category then organisation."""
    return (
        PlanUnit.objects.filter(plan=plan)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key")
    )


def level1_choices(indicator_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(id, "category · code、name") of these level-1 indicators, in table order (a filter's choices)."""
    nodes = Indicator.objects.filter(pk__in=list(indicator_ids)).select_related("category").order_by("category__order", "order")
    return [(i.pk, f"{i.category.name} · {i.code}、{i.name}") for i in nodes]


def plan_level1_choices(plan: Plan) -> list[tuple[int, str]]:
    """(id, "category · code、name") of the plan's level-1 indicators, in table order (a filter's choices)."""
    nodes = (
        Indicator.objects.filter(plan=plan, level=Level.LEVEL1).select_related("category").order_by("category__order", "order")
    )
    return [(i.pk, f"{i.category.name} · {i.code}、{i.name}") for i in nodes]


def find_unit(plan: Plan, unit_id: int) -> PlanUnit | None:
    """The plan's unit of this id, or None (for a caller whose access check has passed already)."""
    return PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()


def policy_or_default(plan: Plan) -> ScoringPolicy:
    """The plan's scoring policy, or an unsaved default one."""
    return ScoringPolicy.objects.filter(plan=plan).first() or ScoringPolicy(plan=plan)


def copy_sources(organisers: QuerySet[Organisation]) -> QuerySet[Plan]:
    """The ten newest plans of these organisers (to copy a new plan from)."""
    return Plan.objects.filter(organiser__in=organisers).order_by("-year", "-id")[:10]


def get_import(plan: Plan, import_id: int) -> PlanImport:
    """An import of the plan; 404 if not of it."""
    record = PlanImport.objects.select_related("created_by").filter(plan=plan, pk=import_id).first()
    if record is None:
        raise Http404("导入记录不存在")
    return record


def copy_candidates(plan: Plan, organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """``organisations`` less the plan's units (考核对象 are served the results in writing, not copied)."""
    return organisations.exclude(pk__in=PlanUnit.objects.filter(plan=plan).values("organisation_id"))


def settings_initial_organisations(plan: Plan) -> tuple[list[int], list[int]]:
    """The plan's member organisations and copy recipients, as ids (the settings form's initial values)."""
    return (
        list(plan.member_organisations.values_list("pk", flat=True)),
        list(plan.copy_organisations.values_list("pk", flat=True)),
    )


def open_points_flags(node: Indicator) -> int:
    """How many evaluations of this task still wait to be confirmed under its changed points."""
    return node.points_flags.filter(confirmed_at__isnull=True).count()


def plan_categories(plan: Plan) -> QuerySet[Category]:
    return Category.objects.filter(plan=plan)


def unit_count(plan: Plan) -> int:
    return PlanUnit.objects.filter(plan=plan).count()


def problem_kinds(plan: Plan, *, with_retired: bool = False) -> list[ProblemKind]:
    """The plan's 问题类型 in use, in order (what desks and the office are offered); retired ones too on request
    (a select shows a retired kind only where it is already chosen)."""
    kinds = ProblemKind.objects.filter(plan=plan)
    if not with_retired:
        kinds = kinds.filter(active=True)
    return list(kinds.order_by("position", "id"))
