"""Copy a plan into the next year (复制方案至下一年度).

The new plan is a draft of ``year + 1`` with the same organiser, a title with the year replaced (editable),
and a copy of the set-up: categories, the whole indicator tree of each category (codes, points, methods,
requirements, materials, deadlines, desks; a 明年考核 task becomes a normal task), assessor desks, units (the same organisations, so the same sort
keys), the scoring policy and the member organisations. Every date moves one year later (29 February becomes
28 February). Nothing that happened in the old plan is copied: no submissions, evaluations, adjustments,
feedback, reviews or results.

What the apps above plans carry over is theirs to say: an app registers a copy hook in its
``AppConfig.ready()`` (``register_copy_hook``), called inside the same transaction once the new plan's set-up
exists; what a hook returns is added to the audit event. The reviews app carries open rectification items this
way (``kaohe/reviews/plan_copy.py``).

Everything happens in one transaction with a bounded number of queries (``bulk_create`` level by level), and
is audited as ``plan.copy``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.plans.constants import Level
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit, ScoringPolicy
from kaohe.plans.services_problems import DEFAULT_PROBLEM_KINDS, problem_kinds_seed

# Plan fields copied as they are (dates among them move one year); every other field is set or left new.
PLAN_FIELDS_COPIED = (
    "organiser",
    "period_start",
    "period_end",
    "submission_deadline",
    "case_files_deadline",
    "daily_scores_deadline",
    "feedback_deadline",
    "field_start",
    "field_end",
    "consultation_days",
    "office_contact_name",
    "office_contact_phone",
    "office_contact_address",
)
# A unit's request for a collective feedback meeting belongs to its year.
UNIT_FIELDS_NEW = ("collective_feedback_note", "collective_feedback_requested_at")
PLAN_FIELDS_NEW = ("id", "created_at", "updated_at", "year", "title", "doc_number", "status", "published_at")


def shift_year(day: dt.date) -> dt.date:
    """The same day one year later; 29 February becomes 28 February.

    A date in the last representable year (stored before dates were bounded, see core/dates.py) stays as it is.
    """
    if day.year >= dt.MAXYEAR:
        return day
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def next_title(plan: Plan) -> str:
    """The title with the plan's year replaced by the next (平顶山市2020年度… → 平顶山市2021年度…)."""
    return plan.title.replace(str(plan.year), str(plan.year + 1))


def next_doc_number(plan: Plan) -> str:
    return plan.doc_number.replace(str(plan.year), str(plan.year + 1)) if plan.doc_number else ""


@dataclass(frozen=True)
class PlanCopy:
    """What a copy hook is given: the plan copied, its new draft and the new categories by name."""

    old: Plan
    new: Plan
    categories: dict[str, Category]


# A hook returns the figures it wants in the ``plan.copy`` audit event (``{}`` for none).
CopyHook = Callable[[PlanCopy], dict[str, Any]]

_COPY_HOOKS: list[CopyHook] = []


def register_copy_hook(hook: CopyHook) -> CopyHook:
    """Call ``hook`` in every copy into next year (idempotent: a hook is kept once); returns it unchanged."""
    if hook not in _COPY_HOOKS:
        _COPY_HOOKS.append(hook)
    return hook


def _copy_fields(obj: models.Model, *, skip: Iterable[str], **overrides: Any) -> dict[str, Any]:
    """Concrete field values of ``obj`` (by attname), DateFields one year later, minus ``skip``, plus ``overrides``."""
    skipped = {"id", *skip}
    values: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in skipped or f.name in overrides or f.attname in overrides:
            continue
        value = getattr(obj, f.attname)
        if value is not None and isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            value = shift_year(value)
        values[f.attname] = value
    values.update(overrides)
    return values


def plan_copy(*, actor: User, plan: Plan, title: str, doc_number: str = "") -> Plan:
    """A new draft plan for ``plan.year + 1`` with this plan's set-up, then what each registered copy hook adds."""
    access.require(actor, "plan:copy", plan)
    title = (title or "").strip()
    if not title:
        raise ValidationError("请填写新方案的名称")
    year = plan.year + 1
    if year > 2100:
        raise ValidationError("考核年度不能超过 2100 年")
    duplicate = f"{year} 年度已有名为“{title}”的考核方案，不能重复复制；如需另建，请修改方案名称"
    if Plan.objects.filter(organiser_id=plan.organiser_id, year=year, title=title).exists():
        raise ValidationError(duplicate)
    try:
        with transaction.atomic():
            new = Plan(
                **_copy_fields(plan, skip=PLAN_FIELDS_NEW),
                year=year,
                title=title,
                doc_number=(doc_number or "").strip(),
                status=Plan.Status.DRAFT,
            )
            new.full_clean()
            new.save()
            policy = ScoringPolicy.objects.filter(plan=plan).first()
            ScoringPolicy.objects.create(**(_copy_fields(policy, skip=["plan"], plan_id=new.pk) if policy else {"plan": new}))
            new.member_organisations.set(plan.member_organisations.all())
            new.copy_organisations.set(plan.copy_organisations.all())
            problem_kinds_seed(new, [k.name for k in plan.problem_kinds.all() if k.active] or DEFAULT_PROBLEM_KINDS)
            categories = _copy_rows(Category, Category.objects.filter(plan=plan).order_by("order", "pk"), plan_id=new.pk)
            desks = _copy_rows(AssessorDesk, AssessorDesk.objects.filter(plan=plan).order_by("pk"), plan_id=new.pk)
            units = PlanUnit.objects.filter(plan=plan).order_by("pk")
            PlanUnit.objects.bulk_create(
                [
                    PlanUnit(**_copy_fields(u, skip=UNIT_FIELDS_NEW, plan_id=new.pk, category_id=categories[u.category_id].pk))
                    for u in units
                ]
            )
            indicators = _copy_tree(plan, new, categories, desks)
            copied = PlanCopy(old=plan, new=new, categories={c.name: c for c in categories.values()})
            carried: dict[str, Any] = {}
            for hook in list(_COPY_HOOKS):
                carried.update(hook(copied))
            audit.record(
                actor=actor,
                action="plan.copy",
                obj=new,
                plan_id=new.pk,
                organisation=plan.organiser,
                before={"plan": plan.pk, "year": plan.year, "title": plan.title},
                after={
                    "year": year,
                    "title": title,
                    "categories": len(categories),
                    "indicators": indicators,
                    "desks": len(desks),
                    "units": len(units),
                    **carried,
                },
            )
    except IntegrityError as exc:  # a concurrent copy won the race
        raise ValidationError(duplicate) from exc
    access.forget(actor)
    return new


def _copy_rows(model: type[Any], rows: Iterable[Any], **overrides: Any) -> dict[int, Any]:
    """Bulk-create a copy of each row (with ``overrides``); old primary key → new row."""
    old = list(rows)
    new = model.objects.bulk_create([model(**_copy_fields(r, skip=[], **overrides)) for r in old])
    return {o.pk: n for o, n in zip(old, new, strict=True)}


class TreeRow(Protocol):
    """What ``copy_tree`` reads of a node: an Indicator or a TemplateItem."""

    pk: Any
    level: int
    parent_id: int | None


R = TypeVar("R", bound=TreeRow)
M = TypeVar("M", bound=models.Model)


def copy_tree(nodes: Iterable[R], build: Callable[[R, int | None], M], model: type[M]) -> dict[int, M]:
    """Bulk-create a copy of a tree, level by level (each level's parents exist before their children).

    ``build(node, new_parent_id)`` makes the unsaved copy of ``node``; returns old primary key → saved copy.
    The one tree copier: next year's plan (Indicator → Indicator), a template's snapshot (Indicator →
    TemplateItem) and an adoption (TemplateItem → Indicator) all go through it.
    """
    rows = list(nodes)
    copies: dict[int, M] = {}
    for level in (Level.LEVEL1, Level.LEVEL2, Level.TASK):
        batch = [n for n in rows if n.level == level]
        made = [build(n, copies[n.parent_id].pk if n.parent_id else None) for n in batch]
        model._default_manager.bulk_create(made)
        copies.update({o.pk: c for o, c in zip(batch, made, strict=True)})
    return copies


def _copy_tree(plan: Plan, new: Plan, categories: dict[int, Category], desks: dict[int, AssessorDesk]) -> int:
    """Copy every indicator of the plan (keeping each node's link to its template row); returns the count."""
    nodes = Indicator.objects.filter(plan=plan).order_by("level", "category_id", "order")

    def build(n: Indicator, parent_id: int | None) -> Indicator:
        return Indicator(
            **_copy_fields(
                n,
                skip=[],
                plan_id=new.pk,
                category_id=categories[n.category_id].pk,
                parent_id=parent_id,
                assessor_id=desks[n.assessor_id].pk if n.assessor_id else None,
                counts_next_year=False,  # 明年考核: next year is now; the task counts as a normal task
            )
        )

    return len(copy_tree(nodes, build, Indicator))
