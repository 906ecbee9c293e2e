"""The home page's to-do list: per plan and per role, what waits for this person, with counts and links.

What waits is known by the app that owns it: each app registers its to-do sources per role in its
``AppConfig.ready()`` (``register_todos``; e.g. ``submissions/todos.py``), and a role's list is its sources in
the order of their ``position``. Each source is a fixed number of aggregate queries (never one per unit, task or
row). A source that loads its figures for every plan on the page at once (``TodoContext.per_plan``) costs the same
queries for one plan as for ten: the office's sources do, so the office's home does not grow with its plans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.access.plans import desk_ids, own_units
from kaohe.core.calendar import Calendar
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    urgent: bool = False


@dataclass
class PlanTodos:
    plan: Plan
    items: list[Todo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why something cannot be shown (a missing holiday year)


T = TypeVar("T")


@dataclass
class TodoContext:
    """What a to-do source is given: the plan, the person and, for a desk or a unit, which one."""

    plan: Plan
    user: Any
    today: dt.date
    desk_ids: set[int] = field(default_factory=set)  # a desk's sources: the person's desks in the plan
    unit: Any = None  # a unit's sources: one of the person's units (called once per unit)
    calendar: Calendar | None = None  # a unit's sources: the holiday calendar, loaded once per page
    notes: list[str] = field(default_factory=list)  # a source may add why something cannot be shown
    plans: list[Plan] = field(default_factory=list)  # every plan on the page where the person holds this role
    page: dict[str, Any] = field(default_factory=dict)  # figures loaded once for the whole page (``per_plan``)

    def per_plan(self, key: str, load: Callable[[list[Plan]], dict[int, T]]) -> dict[int, T]:
        """``load(plans)`` → figure per plan id, called once per page for all of ``plans`` (``key`` names it)."""
        if key not in self.page:
            self.page[key] = load(self.plans or [self.plan])
        result: dict[int, T] = self.page[key]
        return result


TodoSource = Callable[[TodoContext], list[Todo]]

_SOURCES: dict[Role, list[tuple[int, TodoSource]]] = {}


def register_todos(role: Role, position: int, source: TodoSource) -> TodoSource:
    """Add ``source`` to the list of ``role`` at ``position`` (lower first; idempotent); returns it unchanged."""
    sources = _SOURCES.setdefault(role, [])
    if all(known is not source for _, known in sources):
        sources.append((position, source))
        sources.sort(key=lambda pair: pair[0])
    return source


def plan_url(name: str, plan: Plan, *args: int) -> str:
    return reverse(name, args=[plan.pk, *args])


def _collect(role: Role, context: TodoContext) -> list[Todo]:
    return [todo for _, source in _SOURCES.get(role, []) for todo in source(context)]


def todos_for_user(user: Any, plans: list[Plan]) -> list[PlanTodos]:
    """The to-do list of every published plan the person works in (drafts have none)."""
    today = timezone.localdate()
    calendar = None
    result = []
    roles_of = {plan.pk: access.plan_roles(user, plan) for plan in plans if not plan.is_draft}
    page: dict[str, Any] = {}
    plans_of: dict[Role, list[Plan]] = {}
    for plan in plans:
        for role in roles_of.get(plan.pk, ()):
            plans_of.setdefault(role, []).append(plan)
    for plan in plans:
        if plan.is_draft:
            continue
        roles = roles_of[plan.pk]
        todos = PlanTodos(plan=plan)
        if Role.OFFICE in roles:
            context = TodoContext(plan=plan, user=user, today=today, plans=plans_of[Role.OFFICE], page=page)
            todos.items += _collect(Role.OFFICE, context)
        if Role.DESK in roles:
            context = TodoContext(plan=plan, user=user, today=today, desk_ids=desk_ids(user, plan))
            todos.items += _collect(Role.DESK, context)
        if Role.UNIT in roles:
            calendar = calendar or Calendar.from_database()
            for unit in own_units(user, plan):
                context = TodoContext(plan=plan, user=user, today=today, unit=unit, calendar=calendar)
                todos.items += _collect(Role.UNIT, context)
                todos.notes += [n for n in context.notes if n not in todos.notes]
        for role in (Role.FIELD_GROUP, Role.CASE_REVIEWER, Role.VIEWER):
            if role in roles:
                todos.items += _collect(role, TodoContext(plan=plan, user=user, today=today))
        if todos.items or todos.notes:
            result.append(todos)
    return result
