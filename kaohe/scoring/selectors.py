"""Reads for evaluation pages: the desk grid (units × tasks) and a unit's page, in constant queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from kaohe.core.calendar import Calendar
from kaohe.insights.selectors import hint_counts
from kaohe.organisations import conflicts
from kaohe.plans.constants import Level, Method
from kaohe.plans.excel.text import format_points
from kaohe.plans.models import Category, Indicator, Plan, PlanUnit, PointsChangeFlag, ScoringPolicy
from kaohe.scoring.models import Evaluation, EvaluationChange, NotApplicable
from kaohe.submissions.events import EventTally
from kaohe.submissions.models import EvidenceFile, Submission
from kaohe.submissions.selectors_events import EventRow, event_rows, event_tallies


def desk_tasks(
    plan: Plan, desk_ids: set[int] | None, *, category_id: int | None = None, level1_id: int | None = None
) -> list[Indicator]:
    """Tasks with points the desks grade (all desks' when ``desk_ids`` is None), in table order."""
    query = (
        Indicator.objects.filter(plan=plan, level=Level.TASK)
        .select_related("parent__parent", "assessor__organisation", "category")
        .order_by("category__order", "order")
    )
    if desk_ids is not None:
        query = query.filter(assessor_id__in=desk_ids)
    if category_id:
        query = query.filter(category_id=category_id)
    if level1_id:
        query = query.filter(parent__parent_id=level1_id)
    return list(query)


def categories_of(tasks: list[Indicator]) -> list[Category]:
    seen: dict[int, Category] = {}
    for task in tasks:
        seen.setdefault(task.category_id, task.category)
    return list(seen.values())


class EvidenceState(models.TextChoices):
    """What the desk sees of a cell's evidence on the grid (only for tasks that ask for materials)."""

    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    UPDATED = "updated", "评价后有更新"
    MISSING = "missing", "未报送"


def evidence_state(task: Indicator, submission: Submission | None, evaluation: Evaluation | None) -> EvidenceState | None:
    """已退回 while a return is open; 评价后有更新 when the unit changed its evidence after the grading; 未报送 when
    nothing is there; else 已报送. None for tasks that take no materials."""
    if submission is None:
        return _evidence(task, None, evaluation)
    return _evidence(task, (submission.status, submission.last_changed_at), evaluation)


def _evidence(task: Indicator, submission: tuple[str, Any] | None, evaluation: Evaluation | None) -> EvidenceState | None:
    """evidence_state of a submission read as (status, last_changed_at), as the grid reads them."""
    if task.method != Method.SUBMISSION and not (task.method == Method.OTHER and task.materials):
        return None
    if submission is None or submission[0] in (Submission.Status.EMPTY, Submission.Status.NOT_APPLICABLE):
        return EvidenceState.MISSING
    if submission[0] == Submission.Status.RETURNED:
        return EvidenceState.RETURNED
    changed = submission[1]
    if evaluation is not None and changed is not None and changed > evaluation.evaluated_at:
        return EvidenceState.UPDATED
    return EvidenceState.SUBMITTED


@dataclass
class Cell:
    unit: PlanUnit
    task: Indicator
    evaluation: Evaluation | None
    not_applicable: NotApplicable | None
    conflict: str = ""  # 回避: the refusal (conflict_refused) or the note the evaluation will be flagged with
    conflict_refused: bool = False
    points_changed: str = ""  # the office changed the task's points after this evaluation: old → new, for the desk to confirm
    evidence: EvidenceState | None = None
    events: EventTally | None = None  # 事件触发报送: “事件 N 件：按时 a 件，逾期 b 件” (None for ordinary tasks)

    hints: int = 0  # open 材料分析提示 (kaohe/insights): a marker only, never part of the score

    @property
    def graded(self) -> bool:
        """报送资料 tasks take a grade 优/良/中/差; the others a score (see services.is_graded)."""
        return self.task.method == Method.SUBMISSION

    @property
    def next_year(self) -> bool:
        """明年考核: the task is assessed next year; not gradable, not in this year's sums."""
        return self.task.counts_next_year

    @property
    def counted(self) -> bool:
        """The cell counts in 已评价 x / y (the same rule for the server's figure and the page's live one)."""
        return self.not_applicable is None and self.task.points is not None and not self.next_year

    @property
    def below_full(self) -> bool:
        return self.evaluation is not None and self.task.points is not None and self.evaluation.score < self.task.points


@dataclass
class Grid:
    tasks: list[Indicator]
    rows: list[tuple[PlanUnit, list[Cell]]] = field(default_factory=list)
    done: int = 0
    total: int = 0


def own_department_policy(plan: Plan) -> str:
    """The plan's 回避 setting for desks grading their own department (refuse when no policy row exists)."""
    value = ScoringPolicy.objects.filter(plan=plan).values_list("own_department", flat=True).first()
    return value or ScoringPolicy.OwnDepartment.REFUSE


class ConflictBook:
    """回避 of (unit, task) pairs for one page: the desk's organisation by the plan's setting, and — for a
    grader — their own other memberships (refused outright). Two queries whatever the size."""

    def __init__(self, plan: Plan, person: Any = None) -> None:
        self.flag = own_department_policy(plan) == ScoringPolicy.OwnDepartment.FLAG
        self.person = person
        self.mine = conflicts.person_organisations(person) if person is not None else []
        self._seen: dict[tuple[int, int | None], tuple[str, bool]] = {}

    def check(self, unit: PlanUnit, task: Indicator) -> tuple[str, bool]:
        """(message, refused) for grading ``task`` of ``unit``; ("", False) when there is no conflict."""
        desk = task.assessor.organisation if task.assessor is not None else None
        key = (unit.organisation_id, desk.pk if desk else None)
        if key not in self._seen:
            self._seen[key] = self._check(unit, desk)
        return self._seen[key]

    def _check(self, unit: PlanUnit, desk: Any) -> tuple[str, bool]:
        if self.person is not None:
            personal = conflicts.person_conflict(
                self.person, unit.organisation, ignore=[desk.pk] if desk else [], organisations=self.mine
            )
            if personal:
                return personal, True
        if desk is None or not conflicts.relation(desk, unit.organisation):
            return "", False
        if self.flag:
            return f"{conflicts.PREFIX}{conflicts.relation(desk, unit.organisation)}（方案允许评价，结果中标注）", False
        return f"{conflicts.organisation_conflict(desk, unit.organisation)}（本方案规定考核主体不得评价本单位）", True


def _open_points_flag() -> dict[str, Any]:
    """The evaluation's open 分值变更 flag (if any), as annotations: no query of its own."""
    flag = PointsChangeFlag.objects.filter(
        unit_id=OuterRef("unit_id"), task_id=OuterRef("task_id"), confirmed_at__isnull=True
    ).order_by("-created_at")
    return {
        "flag_old": Subquery(flag.values("old_points")[:1]),
        "flag_new": Subquery(flag.values("new_points")[:1]),
        "flag_reason": Subquery(flag.values("reason")[:1]),
    }


def points_changed_of(evaluation: Evaluation | None) -> str:
    """The open 分值变更 flag of one evaluation, in words (one query; the grid uses annotations instead)."""
    if evaluation is None:
        return ""
    annotated = Evaluation.objects.filter(pk=evaluation.pk).annotate(**_open_points_flag()).first()
    return _points_changed(annotated)


def _points_changed(evaluation: Evaluation | None) -> str:
    """“原 2 分 → 现 3 分：reason” when the office changed the task's points after this evaluation."""
    reason = getattr(evaluation, "flag_reason", None)
    if evaluation is None or reason is None:
        return ""
    old, new = getattr(evaluation, "flag_old", None), getattr(evaluation, "flag_new", None)

    def pts(value: Any) -> str:
        return "未写" if value is None else format_points(Decimal(value))

    return f"原 {pts(old)} 分 → 现 {pts(new)} 分：{reason}"


def grid(plan: Plan, tasks: list[Indicator], *, unit: PlanUnit | None = None, person: Any = None) -> Grid:
    """One row per unit of the tasks' categories, one cell per task (seven queries whatever the size).

    Each cell carries its 回避 state (the desk's, and ``person``'s own when a grader looks at it). With ``unit``
    (its organisation and category loaded) the grid is that unit's one row, and only its rows are read. Only the
    columns the cells show are loaded (the grid is the largest page).
    """
    book = ConflictBook(plan, person)
    task_ids = [t.pk for t in tasks]
    in_scope: dict[str, Any] = {"plan": plan, "task_id__in": task_ids}
    if unit is not None:
        units_list = [unit]
        in_scope["unit_id"] = unit.pk
    else:
        units_list = list(
            PlanUnit.objects.filter(plan=plan, category_id__in={t.category_id for t in tasks})
            .select_related("organisation", "category")
            .order_by("category__order", "organisation__sort_key")
        )
    evaluations = {
        (e.unit_id, e.task_id): e
        for e in Evaluation.objects.filter(**in_scope).select_related("evaluated_by").only(*_EVALUATION_COLUMNS)
    }
    # the open 分值变更 flags, newest last (one query, not three subqueries per evaluation)
    for flag in (
        PointsChangeFlag.objects.filter(confirmed_at__isnull=True, **in_scope)
        .order_by("created_at", "pk")
        .values("unit_id", "task_id", "old_points", "new_points", "reason")
    ):
        evaluation = evaluations.get((flag["unit_id"], flag["task_id"]))
        if evaluation is not None:
            evaluation.flag_old, evaluation.flag_new, evaluation.flag_reason = (  # type: ignore[attr-defined]
                flag["old_points"],
                flag["new_points"],
                flag["reason"],
            )
    not_applicable = {(n.unit_id, n.task_id): n for n in NotApplicable.objects.filter(**in_scope)}
    submissions = {
        (row[0], row[1]): (row[2], row[3])
        for row in Submission.objects.filter(**in_scope).values_list("unit_id", "task_id", "status", "last_changed_at")
    }
    event_task_ids = [t.pk for t in tasks if t.is_event_driven]
    tallies = (
        event_tallies(
            plan,
            event_task_ids,
            calendar=Calendar.from_database(),
            now=timezone.now(),
            unit_id=unit.pk if unit is not None else None,
        )
        if event_task_ids
        else {}
    )
    hints = hint_counts(plan, [u.pk for u in units_list], task_ids)
    result = Grid(tasks=tasks)
    by_category: dict[int, list[Indicator]] = defaultdict(list)
    for task in tasks:
        by_category[task.category_id].append(task)
    for unit in units_list:
        cells = []
        for task in by_category[unit.category_id]:
            key = (unit.pk, task.pk)
            cell = Cell(unit, task, evaluations.get(key), not_applicable.get(key))
            cell.conflict, cell.conflict_refused = book.check(unit, task)
            cell.points_changed = _points_changed(cell.evaluation)
            cell.evidence = _evidence(task, submissions.get(key), cell.evaluation)
            if task.is_event_driven:
                cell.events = tallies.get(key, EventTally())
            cell.hints = hints.get(key, 0)
            cells.append(cell)
            if cell.counted:
                result.total += 1
                result.done += cell.evaluation is not None
        result.rows.append((unit, cells))
    return result


def cell_hints(plan: Plan, unit: PlanUnit, task: Indicator) -> int:
    """Open 材料分析提示 of one cell (the grid counts them all at once)."""
    return hint_counts(plan, [unit.pk], [task.pk]).get((unit.pk, task.pk), 0)


# what a cell (lean or full) shows of an evaluation and its grader
_EVALUATION_COLUMNS = (
    "unit_id",
    "task_id",
    "grade",
    "score",
    "reason",
    "problem_kind_id",
    "evaluated_at",
    "version",
    "evaluated_by__username",
    "evaluated_by__display_name",
)


def level1_choices_of(tasks: list[Indicator]) -> list[tuple[int, str]]:
    """(id, "category · code、name") of the tasks' 一级指标, in table order: as plans' ``level1_choices``, without
    a query (``desk_tasks`` loads each task's parent's parent and category)."""
    seen: dict[int, tuple[tuple[int, int], str]] = {}
    for task in tasks:
        level1 = task.parent.parent if task.parent is not None else None
        if level1 is not None and level1.pk not in seen:
            key = (task.category.order, level1.order)
            seen[level1.pk] = (key, f"{task.category.name} · {level1.code}、{level1.name}")
    return [(pk, label) for pk, (_, label) in sorted(seen.items(), key=lambda item: item[1][0])]


def evidence_by_task(plan: Plan, unit: PlanUnit, task_ids: list[int]) -> dict[int, list[EvidenceFile]]:
    files: dict[int, list[EvidenceFile]] = defaultdict(list)
    for f in (
        EvidenceFile.objects.filter(
            submission__plan=plan, submission__unit=unit, submission__task_id__in=task_ids, withdrawn_at__isnull=True
        )
        .select_related("submission")
        .order_by("uploaded_at")
    ):
        files[f.submission.task_id].append(f)
    return files


def event_tally_of(plan: Plan, unit: PlanUnit, task: Indicator) -> EventTally | None:
    """One cell's event counts (two queries; the grid computes all of its cells at once)."""
    if not task.is_event_driven:
        return None
    tallies = event_tallies(plan, [task.pk], calendar=Calendar.from_database(), now=timezone.now(), unit_id=unit.pk)
    return tallies.get((unit.pk, task.pk), EventTally())


def events_by_task(plan: Plan, unit: PlanUnit, tasks: list[Indicator]) -> dict[int, list[EventRow]]:
    """The events of the unit's event-driven tasks among ``tasks``, with deadlines and states (two queries per such task)."""
    event_tasks = [t for t in tasks if t.is_event_driven]
    if not event_tasks:
        return {}
    calendar, now = Calendar.from_database(), timezone.now()
    return {t.pk: event_rows(plan, unit, t, calendar=calendar, now=now)[0] for t in event_tasks}


def history(unit: PlanUnit, task: Indicator) -> list[EvaluationChange]:
    return list(
        EvaluationChange.objects.filter(evaluation__unit=unit, evaluation__task=task)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    )


def reason_suggestions(plan: Plan, desk_ids: set[int] | None, *, limit: int = 30) -> list[str]:
    """The desks' common reasons, then the reasons they wrote most often in this plan (one query each)."""
    from django.db.models import Count as _Count

    from kaohe.scoring.models import CommonReason

    if not desk_ids:
        return []
    common = list(CommonReason.objects.filter(desk_id__in=desk_ids).values_list("text", flat=True)[:limit])
    used = (
        Evaluation.objects.filter(plan=plan, desk_id__in=desk_ids)
        .exclude(reason="")
        .values("reason")
        .annotate(n=_Count("id"))
        .order_by("-n", "reason")[:limit]
    )
    seen = dict.fromkeys(common)
    for row in used:
        seen.setdefault(row["reason"][:300], None)
    return list(seen)[:limit]


# --- single rows and lists for the pages ----------------------------------------------------------------


def not_applicable_of(unit: PlanUnit, task: Indicator) -> NotApplicable | None:
    """The task's 不涉及 decision for the unit, if any."""
    return NotApplicable.objects.filter(unit=unit, task=task).first()


def submission_of(unit: PlanUnit, task: Indicator) -> Submission | None:
    """The unit's evidence for the task, if any (for the cell's evidence state)."""
    return Submission.objects.filter(unit=unit, task=task).first()


def evaluation_of(unit: PlanUnit, task: Indicator) -> Evaluation | None:
    """The unit's current evaluation of the task, with who recorded it."""
    return Evaluation.objects.select_related("evaluated_by").filter(unit=unit, task=task).first()


def not_applicable_records(plan: Plan) -> QuerySet[NotApplicable]:
    """The plan's 不涉及 decisions, newest first."""
    return (
        NotApplicable.objects.filter(plan=plan).select_related("unit__organisation", "task", "decided_by").order_by("-created_at")
    )


def get_not_applicable(plan: Plan, record_id: int) -> NotApplicable:
    """A 不涉及 decision of the plan; 404 if not of it."""
    record = NotApplicable.objects.select_related("unit__organisation", "task").filter(plan=plan, pk=record_id).first()
    if record is None:
        raise Http404("记录不存在")
    return record
