"""Reads of evidence: a unit's workspace, a desk's queue, the office's overview. Constant query counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import overload

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kaohe.core.calendar import Calendar, CalendarYearUnknown
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions import deadlines
from kaohe.submissions.models import EvidenceFile, Extension, Submission, SupplementRequest

Status = Submission.Status


# Tasks that ask units for materials: 报送资料, and 其他 with a list of materials.
EVIDENCE_TASKS = Q(level=Level.TASK) & (Q(method=Method.SUBMISSION) | (Q(method=Method.OTHER) & ~Q(materials="")))


def evidence_tasks(plan: Plan, *, category_ids: Iterable[int] | None = None) -> list[Indicator]:
    """Tasks that ask units for materials, with their 一级/二级 and desk (one query)."""
    query = (
        Indicator.objects.filter(EVIDENCE_TASKS, plan=plan)
        .select_related("parent__parent", "assessor__organisation", "category")
        .order_by("category__order", "order")
    )
    if category_ids is not None:
        query = query.filter(category_id__in=list(category_ids))
    return list(query)


class DeadlineBook:
    """Every extension and open return of a plan, loaded once, answering deadlines per (unit, task).

    ``deadline`` is the one rule for a unit's deadline (the queue, the overview and the office's overdue count all
    ask it); ``for_plans`` loads the books of several plans in the same two queries."""

    def __init__(self, plan: Plan, *, load: bool = True) -> None:
        self.plan = plan
        self.for_all: dict[int, list[dt.date]] = defaultdict(list)
        self.for_unit: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
        self.returns: dict[tuple[int, int], SupplementRequest] = {}
        if load:
            self._load({plan.pk: self}, [plan])

    @classmethod
    def for_plans(cls, plans: list[Plan]) -> dict[int, DeadlineBook]:
        books = {plan.pk: cls(plan, load=False) for plan in plans}
        cls._load(books, plans)
        return books

    @staticmethod
    def _load(books: dict[int, DeadlineBook], plans: list[Plan]) -> None:
        for ext in Extension.objects.filter(plan__in=plans).only("plan_id", "task_id", "unit_id", "new_deadline"):
            book = books[ext.plan_id]
            if ext.unit_id is None:
                book.for_all[ext.task_id].append(ext.new_deadline)
            else:
                book.for_unit[(ext.unit_id, ext.task_id)].append(ext.new_deadline)
        for ret in (
            SupplementRequest.objects.filter(submission__plan__in=plans, resolved_at__isnull=True)
            .select_related("submission")
            .order_by("due_date")
        ):
            books[ret.submission.plan_id].returns[(ret.submission.unit_id, ret.submission.task_id)] = ret

    def deadline(self, unit_id: int, task: Indicator) -> dt.date | None:
        ret = self.returns.get((unit_id, task.pk))
        return deadlines.effective_deadline(
            task_deadline=task.deadline,
            plan_deadline=self.plan.submission_deadline,
            extensions=[*self.for_all.get(task.pk, []), *self.for_unit.get((unit_id, task.pk), [])],
            return_due=ret.due_date if ret else None,
        )

    def common_deadline(self, task: Indicator) -> dt.date | None:
        """The task's deadline for a unit with no extension or return of its own. A unit's own only move a date
        later, so when this date is still open no unit is overdue on the task (None, no limit, is not such a
        bound: a unit's own extension sets a limit)."""
        return deadlines.effective_deadline(
            task_deadline=task.deadline, plan_deadline=self.plan.submission_deadline, extensions=self.for_all.get(task.pk, [])
        )


WAITING = frozenset({Status.EMPTY, Status.RETURNED})


def is_overdue(status: str, deadline: dt.date | None, now: dt.datetime) -> bool:
    """A unit × task is overdue when its evidence is still awaited (未报送, 退回补充) and its deadline has passed."""
    return status in WAITING and not deadlines.is_open(deadline, now)


def level1_of(task: Indicator) -> Indicator:
    """The task's 一级指标 (tasks always hang under 二级 under 一级; select_related("parent__parent"))."""
    level2 = task.parent
    if level2 is None or level2.parent is None:
        raise ValueError(f"task {task.pk} is not under a 二级 and 一级 indicator")
    return level2.parent


def _working_days_left(calendar: Calendar | None, today: dt.date, deadline: dt.date | None) -> int | None:
    if calendar is None or deadline is None or deadline < today or calendar.missing_years([deadline.year]):
        return None  # no count past the years the calendar knows (nor a day-by-day walk to 9999-12-31)
    try:
        return calendar.working_days_between(today, deadline)
    except CalendarYearUnknown:
        return None


@dataclass
class TaskRow:
    task: Indicator
    unit: PlanUnit
    submission: Submission | None
    deadline: dt.date | None
    is_open: bool
    days_left: int | None = None
    file_count: int = 0
    open_return: SupplementRequest | None = None
    overdue: bool = False
    known_status: str = ""  # the status read without the submission's row (the overview reads statuses only)

    @property
    def status(self) -> str:
        if self.known_status:
            return self.known_status
        return self.submission.status if self.submission else Status.EMPTY

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def uncounted_year(self) -> int | None:
        """The deadline's year when the working days left cannot be counted (its holidays are not entered yet),
        so the page can say why the countdown is missing; None when it is shown or not needed."""
        if not self.is_open or self.days_left is not None or self.deadline is None or self.deadline >= dt.date(9999, 1, 1):
            return None
        return self.deadline.year


def _submissions(plan: Plan, **filters: object) -> dict[tuple[int, int], Submission]:
    rows = Submission.objects.filter(plan=plan, **filters).annotate(
        active_files=Count("files", filter=Q(files__withdrawn_at__isnull=True))
    )
    return {(s.unit_id, s.task_id): s for s in rows}


def _calendar() -> Calendar | None:
    try:
        return Calendar.from_database()
    except Exception:
        return None


def _row(
    book: DeadlineBook,
    calendar: Calendar | None,
    now: dt.datetime,
    unit: PlanUnit,
    task: Indicator,
    sub: Submission | None,
    days: dict[dt.date | None, int | None] | None = None,
) -> TaskRow:
    """``days`` memoises working days left per deadline: the office's queue has ~18,000 rows at 300 units."""
    deadline = book.deadline(unit.pk, task)
    if days is None:
        days_left = _working_days_left(calendar, deadlines.today(now), deadline)
    elif deadline in days:
        days_left = days[deadline]
    else:
        days_left = days[deadline] = _working_days_left(calendar, deadlines.today(now), deadline)
    return TaskRow(
        task=task,
        unit=unit,
        submission=sub,
        deadline=deadline,
        is_open=deadlines.is_open(deadline, now),
        days_left=days_left,
        file_count=getattr(sub, "active_files", 0) if sub else 0,
        open_return=book.returns.get((unit.pk, task.pk)),
        overdue=is_overdue(sub.status if sub else Status.EMPTY, deadline, now),
    )


@dataclass
class Group:
    """Tasks under one 一级指标 (for the workspace and the matrix)."""

    level1: Indicator
    rows: list[TaskRow] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.status != Status.EMPTY)


def unit_workspace(plan: Plan, unit: PlanUnit) -> list[Group]:
    now = timezone.now()
    book = DeadlineBook(plan)
    calendar = _calendar()
    subs = _submissions(plan, unit=unit)
    groups: dict[int, Group] = {}
    for task in evidence_tasks(plan, category_ids=[unit.category_id]):
        level1 = level1_of(task)
        group = groups.setdefault(level1.pk, Group(level1=level1))
        group.rows.append(_row(book, calendar, now, unit, task, subs.get((unit.pk, task.pk))))
    return list(groups.values())


@dataclass
class QueueFilter:
    category_id: int | None = None
    unit_id: int | None = None
    status: str = ""
    level1_id: int | None = None


class QueueRows(Sequence[TaskRow]):
    """The queue's rows, each built when it is read: the page shows 100 of the desk's thousands of pairs, and a
    row's deadline, working days left and open return are only worked out for those (``len`` needs none)."""

    def __init__(self, pairs: list[tuple[PlanUnit, Indicator, str, int]], make: Callable[..., TaskRow]) -> None:
        self._pairs = pairs
        self._make = make

    def __len__(self) -> int:
        return len(self._pairs)

    @overload
    def __getitem__(self, index: int) -> TaskRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[TaskRow]: ...
    def __getitem__(self, index: int | slice) -> TaskRow | list[TaskRow]:
        if isinstance(index, slice):
            return [self._make(*pair) for pair in self._pairs[index]]
        return self._make(*self._pairs[index])


@dataclass
class Queue:
    rows: Sequence[TaskRow]
    counts: dict[str, int]
    total: int


def desk_queue(plan: Plan, desk_ids: set[int] | None, filters: QueueFilter, *, file_counts: bool = True) -> Queue:
    """(unit × task) pairs of the desks' tasks (all desks when ``desk_ids`` is None: the office). Without
    ``file_counts`` the rows' ``file_count`` stays 0 (counting joins every file).

    The counts and the status filter read the submissions' statuses (tuples, no model rows); the rows themselves
    are built when read (``QueueRows``)."""
    now = timezone.now()
    book = DeadlineBook(plan)
    calendar = _calendar()
    tasks = evidence_tasks(plan)
    if desk_ids is not None:
        tasks = [t for t in tasks if t.assessor_id in desk_ids]
    units_by_category: dict[int, list[PlanUnit]] = defaultdict(list)
    for unit in PlanUnit.objects.filter(plan=plan).select_related("organisation", "category").order_by("organisation__sort_key"):
        units_by_category[unit.category_id].append(unit)
    submissions = Submission.objects.filter(plan=plan, task__in=[t.pk for t in tasks])
    subs: dict[tuple[int, int], tuple[str, int]] = {}
    if file_counts:
        for unit_id, task_id, status, files in submissions.values_list("unit_id", "task_id", "status").annotate(
            active_files=Count("files", filter=Q(files__withdrawn_at__isnull=True))
        ):
            subs[(unit_id, task_id)] = (status, files)
    else:
        for unit_id, task_id, status in submissions.values_list("unit_id", "task_id", "status"):
            subs[(unit_id, task_id)] = (status, 0)
    pairs: list[tuple[PlanUnit, Indicator, str, int]] = []
    nothing = (Status.EMPTY.value, 0)
    for task in tasks:
        if filters.category_id and task.category_id != filters.category_id:
            continue
        if filters.level1_id and level1_of(task).pk != filters.level1_id:
            continue
        for unit in units_by_category[task.category_id]:
            if filters.unit_id and unit.pk != filters.unit_id:
                continue
            status, files = subs.get((unit.pk, task.pk), nothing)
            pairs.append((unit, task, status, files))
    counts = {s.value: 0 for s in Status}
    for pair in pairs:
        counts[pair[2]] += 1
    total = len(pairs)
    if filters.status:
        pairs = [p for p in pairs if p[2] == filters.status]
    days: dict[dt.date | None, int | None] = {}
    today = deadlines.today(now)

    def make(unit: PlanUnit, task: Indicator, status: str, files: int) -> TaskRow:
        """As ``_row``, from the status and file count (``days`` memoises working days left per deadline)."""
        deadline = book.deadline(unit.pk, task)
        if deadline not in days:
            days[deadline] = _working_days_left(calendar, today, deadline)
        return TaskRow(
            task=task,
            unit=unit,
            submission=None,
            deadline=deadline,
            is_open=deadlines.is_open(deadline, now),
            days_left=days[deadline],
            file_count=files,
            open_return=book.returns.get((unit.pk, task.pk)),
            overdue=is_overdue(status, deadline, now),
            known_status=status,
        )

    return Queue(rows=QueueRows(pairs, make), counts=counts, total=total)


def overdue_unit_counts(plans: list[Plan], now: dt.datetime | None = None) -> dict[int, int]:
    """Per plan, how many units have a task overdue: the units ``desk_queue`` shows with an overdue row, in five
    queries whatever the number of plans. Only tasks whose common deadline has passed (or that have none) are
    looked at unit by unit, through the queue's own rule (``DeadlineBook.deadline``, ``is_overdue``), and a unit
    counts at its first overdue task."""
    if not plans:
        return {}
    now = now or timezone.now()
    books = DeadlineBook.for_plans(plans)
    past: dict[int, list[Indicator]] = defaultdict(list)  # category → tasks that may be overdue
    for task in Indicator.objects.filter(EVIDENCE_TASKS, plan__in=plans).only("plan_id", "category_id", "deadline"):
        common = books[task.plan_id].common_deadline(task)
        if common is None or not deadlines.is_open(common, now):
            past[task.category_id].append(task)
    statuses: dict[tuple[int, int], str] = {
        (unit_id, task_id): status
        for unit_id, task_id, status in Submission.objects.filter(plan__in=plans).values_list("unit_id", "task_id", "status")
    }
    counts = {plan.pk: 0 for plan in plans}
    for plan_id, unit_id, category_id in PlanUnit.objects.filter(plan__in=plans).values_list("plan_id", "id", "category_id"):
        book = books[plan_id]
        for task in past.get(category_id, ()):
            if is_overdue(statuses.get((unit_id, task.pk), Status.EMPTY), book.deadline(unit_id, task), now):
                counts[plan_id] += 1
                break
    return counts


@dataclass
class MatrixCell:
    submitted: int = 0
    due: int = 0


@dataclass
class Overview:
    level1_names: list[tuple[int, str]]
    matrix: list[tuple[PlanUnit, list[MatrixCell], MatrixCell]]
    overdue: list[TaskRow]
    desks: list[tuple[str, int, int, int]]  # desk, due, submitted, returned
    remind_units: int  # units with an open task not yet reported (whom a reminder would go to)


def _empty_open_by_unit(rows: Iterable[TaskRow]) -> dict[int, tuple[PlanUnit, list[Indicator]]]:
    grouped: dict[int, tuple[PlanUnit, list[Indicator]]] = {}
    for row in rows:
        if row.status == Status.EMPTY and row.is_open:
            grouped.setdefault(row.unit.pk, (row.unit, []))[1].append(row.task)
    return grouped


def office_overview(plan: Plan, now: dt.datetime | None = None) -> Overview:
    """The office's page of evidence: counts per unit × 一级指标 and per desk, the overdue pairs, the units a
    reminder would go to (six queries whatever the size).

    The counts come from the submissions' statuses alone (three columns per row, no model rows); a pair's deadline
    (``DeadlineBook.deadline``, the queue's rule) is only worked out for the pairs still awaited (未报送, 退回补充),
    the only ones that can be overdue or be reminded. The same pairs, in the same order, as ``desk_queue``'s rows.
    """
    now = now or timezone.now()
    book = DeadlineBook(plan)
    tasks = evidence_tasks(plan)
    units_by_category: dict[int, list[PlanUnit]] = defaultdict(list)
    for unit in PlanUnit.objects.filter(plan=plan).select_related("organisation", "category").order_by("organisation__sort_key"):
        units_by_category[unit.category_id].append(unit)
    statuses: dict[tuple[int, int], str] = {
        (unit_id, task_id): status
        for unit_id, task_id, status in Submission.objects.filter(plan=plan, task__in=[t.pk for t in tasks]).values_list(
            "unit_id", "task_id", "status"
        )
    }
    tasks = [t for t in tasks if units_by_category[t.category_id]]
    # Columns are the 一级指标 by code and name (categories usually share them, as in the demo).
    keys = {t.pk: (int(level1_of(t).code), level1_of(t).name) for t in tasks}
    names = sorted(set(keys.values()))
    index = {key: i for i, key in enumerate(names)}
    per_unit: dict[int, tuple[PlanUnit, list[MatrixCell]]] = {}
    desks: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    overdue: list[TaskRow] = []
    remind: set[int] = set()
    for task in tasks:
        column = index[keys[task.pk]]
        counts = desks[task.assessor.organisation.name if task.assessor else "（未指定）"]
        for unit in units_by_category[task.category_id]:
            entry = per_unit.get(unit.pk)
            if entry is None:
                entry = per_unit[unit.pk] = (unit, [MatrixCell() for _ in names])
            cell = entry[1][column]
            cell.due += 1
            counts[0] += 1
            status = statuses.get((unit.pk, task.pk), Status.EMPTY)
            if status != Status.EMPTY:
                cell.submitted += 1
                counts[1] += 1
            if status == Status.RETURNED:
                counts[2] += 1
            if status not in WAITING:
                continue
            deadline = book.deadline(unit.pk, task)
            is_open = deadlines.is_open(deadline, now)
            if status == Status.EMPTY and is_open:
                remind.add(unit.pk)
            if not is_open:  # is_overdue: awaited, and the deadline has passed
                row = TaskRow(task=task, unit=unit, submission=None, deadline=deadline, is_open=False, known_status=status)
                row.open_return, row.overdue = book.returns.get((unit.pk, task.pk)), True
                overdue.append(row)
    matrix = []
    for unit, cells in sorted(per_unit.values(), key=lambda uc: (uc[0].category.order, uc[0].organisation.sort_key)):
        total = MatrixCell(sum(c.submitted for c in cells), sum(c.due for c in cells))
        matrix.append((unit, cells, total))
    return Overview(
        level1_names=names,
        matrix=matrix,
        overdue=overdue,
        desks=sorted(((d, v[0], v[1], v[2]) for d, v in desks.items()), key=lambda x: x[0]),
        remind_units=len(remind),
    )


def empty_open_tasks_by_unit(plan: Plan, now: dt.datetime) -> list[tuple[PlanUnit, list[Indicator]]]:
    queue = desk_queue(plan, None, QueueFilter(status=Status.EMPTY), file_counts=False)
    return list(_empty_open_by_unit(queue.rows).values())


@dataclass(frozen=True)
class FileVersion:
    """A file of the task's list with its place among the files of the same name: v1, v2 …; 当前 is the newest
    one not withdrawn."""

    file: EvidenceFile
    version: int
    versions: int  # how many files carry this name
    current: bool


def submission_files(submission: Submission | None) -> list[FileVersion]:
    if submission is None:
        return []
    files = list(submission.files.select_related("uploaded_by", "withdrawn_by", "event").order_by("uploaded_at", "id"))
    by_name: dict[str, list[EvidenceFile]] = defaultdict(list)
    for f in files:
        by_name[f.display_name].append(f)
    current = {active[-1].pk for same in by_name.values() if (active := [f for f in same if f.withdrawn_at is None])}
    return [
        FileVersion(
            file=f,
            version=by_name[f.display_name].index(f) + 1,
            versions=len(by_name[f.display_name]),
            current=f.pk in current,
        )
        for f in files
    ]


def submission_for(plan: Plan, unit: PlanUnit, task: Indicator) -> Submission | None:
    return (
        Submission.objects.filter(plan=plan, unit=unit, task=task)
        .prefetch_related(
            Prefetch("returns", queryset=SupplementRequest.objects.select_related("requested_by", "desk__organisation"))
        )
        .first()
    )


@dataclass(frozen=True)
class DeadlineSummary:
    """The plan's 资料报送截止 as it is in force: the plan's date, each task's own, and extensions for all units."""

    earliest: dt.date | None
    latest: dt.date | None
    uniform: bool  # every evidence task ends on the same day
    extended: bool  # some date in force comes from an extension for all units
    unit_extensions: int  # extensions granted to single units (not part of the dates above)


def deadline_summary(plan: Plan, units: Iterable[PlanUnit] | None = None) -> DeadlineSummary:
    """Three queries. With ``units`` (a unit's own page), only their categories' tasks and their own extensions
    count too."""
    tasks = evidence_tasks(plan, category_ids={u.category_id for u in units} if units is not None else None)
    for_all: dict[int, list[dt.date]] = defaultdict(list)
    own: dict[int, list[dt.date]] = defaultdict(list)
    unit_ids = {u.pk for u in units} if units is not None else set()
    unit_extensions = 0
    for ext in Extension.objects.filter(plan=plan).only("task_id", "unit_id", "new_deadline"):
        if ext.unit_id is None:
            for_all[ext.task_id].append(ext.new_deadline)
        else:
            unit_extensions += 1
            if ext.unit_id in unit_ids:
                own[ext.task_id].append(ext.new_deadline)
    dates, extended = [], False
    for task in tasks:
        date = deadlines.effective_deadline(
            task_deadline=task.deadline, plan_deadline=plan.submission_deadline, extensions=[*for_all[task.pk], *own[task.pk]]
        )
        extended = extended or (date is not None and date != (task.deadline or plan.submission_deadline))
        if date is not None:
            dates.append(date)
    return DeadlineSummary(
        earliest=min(dates, default=None),
        latest=max(dates, default=None),
        uniform=len(set(dates)) <= 1,
        extended=extended,
        unit_extensions=unit_extensions,
    )


def submission_of(plan: Plan, unit: PlanUnit, task: Indicator) -> Submission | None:
    """The unit's submission for the task, if any (its task loaded; no returns, unlike ``submission_for``)."""
    return Submission.objects.select_related("task").filter(plan=plan, unit=unit, task=task).first()


def active_files(plan: Plan, unit: PlanUnit, task: Indicator) -> list[EvidenceFile]:
    """The unit's files for the task that are not withdrawn, oldest first (a task's archive)."""
    return list(
        EvidenceFile.objects.filter(
            submission__plan=plan, submission__unit=unit, submission__task=task, withdrawn_at__isnull=True
        )
        .select_related("uploaded_by")
        .order_by("uploaded_at")
    )


def category_choices(plan: Plan) -> list[tuple[int, str]]:
    return list(plan.categories.values_list("pk", "name"))


def unit_choices(plan: Plan) -> list[tuple[int, str]]:
    """(id, organisation name) of the plan's units, by organisation (a filter's choices)."""
    units = PlanUnit.objects.filter(plan=plan).select_related("organisation").order_by("organisation__sort_key")
    return [(u.pk, u.organisation.name) for u in units]


def extensions_of(plan: Plan) -> QuerySet[Extension]:
    """The plan's extensions, newest first."""
    return Extension.objects.filter(plan=plan).select_related("task", "unit__organisation", "granted_by").order_by("-created_at")
