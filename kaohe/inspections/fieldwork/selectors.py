"""Reads of 实地考核: groups, who may join them, schedules, progress, and the member's units and tasks.

The object getters here are this area's access checks (``get_*_for_user``): a member reaches only the
units their group holds and only the 实地考核 tasks of those units' categories; anything else is 404.
List pages load in a constant number of queries (pinned in the tests).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from kaohe.core.calendar import Calendar, CalendarYearUnknown
from kaohe.organisations import conflicts
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.scoring.models import Evaluation, EvaluationChange, NotApplicable

from .models import FieldAssignment, FieldGroup, FieldGroupMember, FieldPhoto

WEEKDAYS = "一二三四五六日"


# --- who may be in a group ---------------------------------------------------------------------------


def region_ids(plan: Plan) -> set[int]:
    """The organiser's region and every region below it (a few queries: one per level)."""
    root = plan.organiser.region_id
    ids = {root}
    frontier = {root}
    while frontier:
        frontier = set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


@dataclass(frozen=True)
class Candidate:
    """A person who may join a group: a 实地考察组 role holder in an organisation of the plan's region."""

    user_id: int
    name: str
    organisation: Organisation

    @property
    def label(self) -> str:
        return f"{self.name}（{self.organisation.name}）"


def candidates(plan: Plan) -> list[Candidate]:
    """Everyone holding the 实地考察组 membership role in an organisation of the plan's region (once each)."""
    rows = (
        Membership.objects.filter(role=Role.FIELD_GROUP, organisation__region_id__in=region_ids(plan), user__is_active=True)
        .select_related("user", "organisation")
        .order_by("organisation__sort_key", "user__username", "pk")
    )
    seen: dict[int, Candidate] = {}
    for m in rows:
        if m.user_id not in seen:
            seen[m.user_id] = Candidate(m.user_id, str(m.user), m.organisation)
    return list(seen.values())


# --- groups, schedule, progress ----------------------------------------------------------------------


def groups_of(plan: Plan) -> QuerySet[FieldGroup]:
    return FieldGroup.objects.filter(plan=plan).prefetch_related("members__user", "members__organisation")


def field_tasks(plan: Plan, category_id: int | None = None) -> QuerySet[Indicator]:
    """The plan's 实地考核 tasks (level 3, method FIELD), in table order."""
    tasks = Indicator.objects.filter(plan=plan, level=Level.TASK, method=Method.FIELD)
    if category_id is not None:
        tasks = tasks.filter(category_id=category_id)
    return tasks.order_by("category__order", "order")


@dataclass
class Progress:
    scored: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.total) if self.total else 0

    @property
    def done(self) -> bool:
        return self.total > 0 and self.scored >= self.total

    def add(self, other: Progress) -> None:
        self.scored += other.scored
        self.total += other.total


def unit_progress(plan: Plan, units: list[PlanUnit]) -> dict[int, Progress]:
    """Per unit: 实地考核 tasks scored / to score (tasks with points, less 不涉及). Three queries."""
    if not units:
        return {}
    unit_ids = [u.pk for u in units]
    per_category = Counter(
        dict(
            field_tasks(plan)
            .filter(points__isnull=False)
            .order_by()
            .values_list("category_id")
            .annotate(n=Count("pk"))
            .values_list("category_id", "n")
        )
    )
    not_applicable = Counter(
        dict(
            NotApplicable.objects.filter(
                unit_id__in=unit_ids, task__method=Method.FIELD, task__level=Level.TASK, task__points__isnull=False
            )
            .values_list("unit_id")
            .annotate(n=Count("pk"))
            .values_list("unit_id", "n")
        )
    )
    scored = Counter(
        dict(
            Evaluation.objects.filter(unit_id__in=unit_ids, task__method=Method.FIELD, task__level=Level.TASK)
            .values_list("unit_id")
            .annotate(n=Count("pk"))
            .values_list("unit_id", "n")
        )
    )
    return {u.pk: Progress(scored=scored[u.pk], total=max(per_category[u.category_id] - not_applicable[u.pk], 0)) for u in units}


@dataclass
class GroupSchedule:
    group: FieldGroup
    members: list[FieldGroupMember]
    assignments: list[FieldAssignment]
    progress: Progress = field(default_factory=Progress)

    @property
    def leader(self) -> FieldGroupMember | None:
        return next((m for m in self.members if m.is_leader), None)


def schedules(plan: Plan, *, group_id: int | None = None) -> list[GroupSchedule]:
    """Every group with its members, units (by date) and progress; a constant number of queries."""
    groups = list(groups_of(plan).filter(pk=group_id) if group_id else groups_of(plan))
    assignments = list(
        FieldAssignment.objects.filter(plan=plan, group__in=[g.pk for g in groups])
        .select_related("unit__organisation", "unit__category")
        .order_by("visit_date", "unit__organisation__sort_key")
    )
    progress = unit_progress(plan, [a.unit for a in assignments])
    by_group: dict[int, list[FieldAssignment]] = defaultdict(list)
    for a in assignments:
        a.progress = progress[a.unit_id]  # type: ignore[attr-defined]
        by_group[a.group_id].append(a)
    result = []
    for g in groups:
        members = sorted(g.members.all(), key=lambda m: (not m.is_leader, m.pk))
        schedule = GroupSchedule(group=g, members=members, assignments=by_group[g.pk])
        for a in schedule.assignments:
            schedule.progress.add(progress[a.unit_id])
        result.append(schedule)
    return result


def assigned_group_names(plan: Plan) -> dict[int, str]:
    """unit id → name of the group that holds it."""
    return dict(FieldAssignment.objects.filter(plan=plan).values_list("unit_id", "group__name"))


def conflicting_pairs(plan: Plan, *, unit_id: int | None = None) -> list[str]:
    """回避 warnings: every (group member, assigned unit) pair where the member stands on the unit's
    organisation line (their group row's organisation or any membership they hold now). Three queries."""
    assignments = list(
        FieldAssignment.objects.filter(plan=plan, **({"unit_id": unit_id} if unit_id else {}))
        .select_related("group", "unit__organisation")
        .order_by("group__order", "visit_date", "pk")
    )
    members: dict[int, list[FieldGroupMember]] = defaultdict(list)
    for m in FieldGroupMember.objects.filter(group__plan=plan).select_related("user", "organisation__parent"):
        members[m.group_id].append(m)
    held: dict[int, list[Organisation]] = defaultdict(list)
    user_ids = {m.user_id for group in members.values() for m in group}
    for membership in Membership.objects.filter(user_id__in=user_ids).select_related("organisation__parent"):
        held[membership.user_id].append(membership.organisation)
    found = []
    for a in assignments:
        for m in members.get(a.group_id, []):
            reason = conflicts.person_conflict(
                m.user, a.unit.organisation, also=[m.organisation], organisations=held.get(m.user_id, [])
            )
            if reason:
                found.append(f"{a.group.name} · {m.user} → {a.unit.organisation.name}：{reason}")
    return found


def units_of(plan: Plan) -> list[PlanUnit]:
    return list(
        PlanUnit.objects.filter(plan=plan)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key")
    )


def day_note(calendar: Calendar, day: dt.date) -> str:
    """ "" for an ordinary working day; otherwise why the day is unusual (周六、春节…), for a warning."""
    try:
        if calendar.is_working_day(day):
            name = calendar.holiday_name(day)
            return f"{name}调休上班日" if name else ""
        name = calendar.holiday_name(day)
    except CalendarYearUnknown:
        return ""
    return f"{name}假期" if name else f"星期{WEEKDAYS[day.weekday()]}（休息日）"


def weekday(day: dt.date) -> str:
    return f"星期{WEEKDAYS[day.weekday()]}"


# --- the member's side -------------------------------------------------------------------------------


def member_groups(user: Any, plan: Plan) -> list[GroupSchedule]:
    """The plan's groups the user is a member of (usually one), with their members; no units or progress."""
    return [
        GroupSchedule(group=g, members=sorted(g.members.all(), key=lambda m: (not m.is_leader, m.pk)), assignments=[])
        for g in groups_of(plan).filter(members__user=user)
    ]


def member_assignments(user: Any, plan: Plan) -> list[FieldAssignment]:
    return list(
        FieldAssignment.objects.filter(plan=plan, group__members__user=user)
        .select_related("group", "unit__organisation", "unit__category")
        .order_by("visit_date", "unit__organisation__sort_key")
    )


def get_field_task(assignment: FieldAssignment, task_id: int) -> Indicator:
    """A 实地考核 task of the assigned unit's category; 404 for any other task."""
    task = field_tasks(assignment.plan, assignment.unit.category_id).filter(pk=task_id).first()
    if task is None:
        raise Http404("该考核对象没有这项实地考核任务")
    return task


@dataclass
class TaskCard:
    task: Indicator
    evaluation: Evaluation | None
    not_applicable: NotApplicable | None
    photos: list[FieldPhoto]
    error: str = ""
    score_value: str = ""  # what the score field shows: the typed value after an error, else the stored one
    reason_value: str = ""

    @property
    def version(self) -> int:
        return self.evaluation.version if self.evaluation else 0

    @property
    def scorable(self) -> bool:
        return self.not_applicable is None and self.task.points is not None


def task_cards(plan: Plan, unit: PlanUnit) -> list[TaskCard]:
    """The unit's 实地考核 tasks with their current evaluation, 不涉及 and photos (four queries)."""
    tasks = list(field_tasks(plan, unit.category_id))
    ids = [t.pk for t in tasks]
    evaluations = {e.task_id: e for e in Evaluation.objects.filter(unit=unit, task_id__in=ids).select_related("evaluated_by")}
    excluded = {n.task_id: n for n in NotApplicable.objects.filter(unit=unit, task_id__in=ids)}
    photos: dict[int, list[FieldPhoto]] = defaultdict(list)
    for p in FieldPhoto.objects.filter(unit=unit, task_id__in=ids).select_related("uploaded_by"):
        photos[p.task_id].append(p)
    return [TaskCard(t, evaluations.get(t.pk), excluded.get(t.pk), photos[t.pk]) for t in tasks]


def used_reasons(plan: Plan, limit: int = 12) -> list[str]:
    """Deduction reasons already written in this plan's 实地考核 scores, most used first."""
    rows = (
        EvaluationChange.objects.filter(evaluation__plan=plan, source=EvaluationChange.Source.FIELD)
        .exclude(reason="")
        .values_list("reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "reason")
        .values_list("reason", flat=True)[:limit]
    )
    return list(rows)


def other_groups_members(plan: Plan, group: FieldGroup) -> dict[int, str]:
    """user id → group name of the members of the plan's other groups (a candidate's current group)."""
    return {
        m.user_id: m.group.name
        for m in FieldGroupMember.objects.filter(group__plan=plan).exclude(group=group).select_related("group")
    }


def plain_groups(plan: Plan) -> list[FieldGroup]:
    """The plan's groups, rows only (an assignment form's choices)."""
    return list(FieldGroup.objects.filter(plan=plan))


def group_members(group: FieldGroup) -> list[FieldGroupMember]:
    return list(group.members.all())
