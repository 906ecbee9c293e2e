"""Reads of 加减分: a unit's applications and deductions, the office's worklist and per-unit totals.

Totals come from the pure engine (``rules.compute_category``) over the adjustments alone: it applies "the
same matter counts once" (``normalise_matter``; linked duplicates are given their original's wording) and
the plan's bonus cap. Query counts are constant whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, Plan, PlanUnit, ScoringPolicy
from kaohe.plans.selectors import policy_of
from kaohe.scoring import rules
from kaohe.scoring.models import BonusApplication, Deduction, VetoFlag
from kaohe.scoring.services_adjustments import flag_label, same_matter

Status = BonusApplication.Status


def engine_policy(policy: ScoringPolicy) -> rules.Policy:
    """The engine's policy for adjustments: the plan's bonus cap and deduction range."""
    return rules.Policy(bonus_cap=policy.bonus_cap, deduction_min=policy.deduction_min, deduction_max=policy.deduction_max)


def counted_wording(item: BonusApplication | Deduction, by_id: Mapping[int, BonusApplication | Deduction]) -> str:
    """The wording an item counts under: that of the item it is linked to as the same matter (its root)."""
    seen = {item.pk}
    while item.duplicate_of_id is not None and item.duplicate_of_id not in seen:
        linked = by_id.get(item.duplicate_of_id)
        if linked is None:  # not among the rows given: the link itself is loaded with select_related
            return item.duplicate_of.matter if item.duplicate_of is not None else item.matter
        item = linked
        seen.add(item.pk)
    return item.matter


def _engine_task(task: Indicator) -> rules.Task:
    level2 = task.parent
    level1_id = level2.parent_id if level2 is not None and level2.parent_id is not None else task.pk
    return rules.Task(id=task.pk, level1_id=level1_id, level2_id=task.parent_id or task.pk, points=task.points)


def adjustment_result(
    unit_id: int, approved: Sequence[BonusApplication], deductions: Sequence[Deduction], policy: rules.Policy
) -> rules.UnitResult:
    """The engine's bonus and deduction totals of one unit (approved applications, active deductions)."""
    bonus_by_id = {a.pk: a for a in approved}
    deduction_by_id = {d.pk: d for d in deductions}
    active = [d for d in deductions if d.withdrawn_at is None]
    tasks = {d.task.pk: _engine_task(d.task) for d in active if d.task is not None}
    unit = rules.UnitInput(
        unit_id,
        bonuses=[rules.Bonus(counted_wording(a, bonus_by_id), a.points) for a in approved],
        deductions=[rules.Deduction(counted_wording(d, deduction_by_id), d.points, d.task_id) for d in active],
    )
    result = rules.compute_category(rules.CategoryInput(0, Decimal(100), tasks.values()), [unit], policy)
    return result.units[0]


@dataclass
class FlagRow:
    record: VetoFlag
    label: str


def flag_rows(flags: Iterable[VetoFlag], policy: ScoringPolicy | None = None) -> list[FlagRow]:
    """Each recorded flag with its wording (the plan's veto conditions first, from ``policy``)."""
    labels = {str(v["key"]): str(v.get("label") or v["key"]) for v in (policy.vetoes if policy else []) or [] if v.get("key")}
    return [FlagRow(f, flag_label(f.flag, labels)) for f in flags]


@dataclass
class UnitAdjustments:
    """One unit's adjustments with the engine's totals."""

    unit: PlanUnit
    approved: list[BonusApplication]
    deductions: list[Deduction]  # withdrawn ones included, for the record
    flags: list[FlagRow]
    result: rules.UnitResult
    cap: Decimal | None

    @property
    def bonus_total(self) -> Decimal:
        return self.result.bonus_total

    @property
    def bonus_uncapped(self) -> Decimal:
        return self.result.bonus_matters

    @property
    def capped(self) -> bool:
        return self.result.bonus_matters > self.result.bonus_total

    @property
    def deduction_total(self) -> Decimal:
        return self.result.matter_deductions

    @property
    def counted_bonuses(self) -> tuple[rules.CountedMatter, ...]:
        return self.result.bonuses

    @property
    def counted_deductions(self) -> tuple[rules.CountedMatter, ...]:
        return self.result.deductions

    @property
    def active_deductions(self) -> list[Deduction]:
        return [d for d in self.deductions if d.withdrawn_at is None]


def summarise(
    unit: PlanUnit,
    approved: Sequence[BonusApplication],
    deductions: Sequence[Deduction],
    flags: Sequence[VetoFlag],
    policy: ScoringPolicy,
) -> UnitAdjustments:
    engine = engine_policy(policy)
    return UnitAdjustments(
        unit=unit,
        approved=list(approved),
        deductions=list(deductions),
        flags=flag_rows(flags, policy),
        result=adjustment_result(unit.pk, approved, deductions, engine),
        cap=engine.bonus_cap,
    )


# --- querysets -----------------------------------------------------------------------------------------


def applications(plan: Plan, *, unit_id: int | None = None) -> QuerySet[BonusApplication]:
    query = BonusApplication.objects.filter(plan=plan).select_related(
        "unit__organisation", "unit__category", "applied_by", "decided_by", "duplicate_of"
    )
    if unit_id is not None:
        query = query.filter(unit_id=unit_id)
    return query.order_by("unit__category__order", "unit__organisation__sort_key", "created_at", "pk")


def deductions(plan: Plan, *, unit_id: int | None = None) -> QuerySet[Deduction]:
    query = Deduction.objects.filter(plan=plan).select_related(
        "unit__organisation", "unit__category", "task__parent", "recorded_by", "duplicate_of"
    )
    if unit_id is not None:
        query = query.filter(unit_id=unit_id)
    return query.order_by("unit__category__order", "unit__organisation__sort_key", "created_at", "pk")


def veto_flags(plan: Plan, *, unit_id: int | None = None) -> QuerySet[VetoFlag]:
    query = VetoFlag.objects.filter(plan=plan).select_related("unit__organisation", "unit__category", "recorded_by")
    if unit_id is not None:
        query = query.filter(unit_id=unit_id)
    return query.order_by("unit__category__order", "unit__organisation__sort_key", "flag")


def plan_units(plan: Plan) -> list[PlanUnit]:
    """The plan's units in the plan's order (for the office's forms)."""
    return list(
        PlanUnit.objects.filter(plan=plan)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key", "pk")
    )


def deduction_tasks(plan: Plan, *, category_id: int | None = None) -> list[Indicator]:
    """Tasks a deduction may name, grouped by category in table order."""
    query = Indicator.objects.filter(plan=plan, level=Level.TASK).select_related("category").order_by("category__order", "order")
    if category_id is not None:
        query = query.filter(category_id=category_id)
    return list(query)


def approved_applications(plan: Plan, unit_id: int) -> list[BonusApplication]:
    """A unit's approved applications: what a pending one may be linked to as the same matter."""
    return list(applications(plan, unit_id=unit_id).filter(status=Status.APPROVED))


def all_approved_applications(plan: Plan) -> list[BonusApplication]:
    """Every approved bonus of the plan (applications and the office's own): what a new one may be linked to."""
    return list(applications(plan).filter(status=Status.APPROVED))


def active_deductions(plan: Plan, *, unit_id: int | None = None) -> list[Deduction]:
    return list(deductions(plan, unit_id=unit_id).filter(withdrawn_at__isnull=True))


# --- pages ---------------------------------------------------------------------------------------------


@dataclass
class UnitPage:
    """What a unit sees: all its applications (with the office's reasons), its deductions, its totals."""

    applications: list[BonusApplication]
    summary: UnitAdjustments


def unit_page(plan: Plan, unit: PlanUnit) -> UnitPage:
    apps = list(applications(plan, unit_id=unit.pk))
    approved = [a for a in apps if a.status == Status.APPROVED]
    summary = summarise(unit, approved, list(deductions(plan, unit_id=unit.pk)), [], policy_of(plan))
    return UnitPage(applications=list(reversed(apps)), summary=summary)


@dataclass
class PendingRow:
    application: BonusApplication
    candidates: list[BonusApplication]  # the unit's approved applications it may be linked to
    same_as: BonusApplication | None  # an approved or pending application of the unit with the same matter


@dataclass
class DeductionRow:
    deduction: Deduction
    candidates: list[Deduction]  # the unit's other active deductions it may be linked to


@dataclass
class OfficePage:
    pending: list[PendingRow]
    rejected: list[BonusApplication]
    summaries: list[UnitAdjustments]
    deductions: list[DeductionRow]
    flags: list[FlagRow]
    cap: Decimal
    counts: dict[str, int] = field(default_factory=dict)


def office_page(plan: Plan, *, unit_id: int | None = None) -> OfficePage:
    """The office's worklist and per-unit totals (five queries whatever the number of rows)."""
    policy = policy_of(plan)
    apps = list(applications(plan, unit_id=unit_id))
    all_deductions = list(deductions(plan, unit_id=unit_id))
    flags = list(veto_flags(plan, unit_id=unit_id))
    approved: dict[int, list[BonusApplication]] = defaultdict(list)
    pending: dict[int, list[BonusApplication]] = defaultdict(list)
    units: dict[int, PlanUnit] = {}
    for a in apps:
        units[a.unit_id] = a.unit
        if a.status == Status.APPROVED:
            approved[a.unit_id].append(a)
        elif a.status == Status.PENDING:
            pending[a.unit_id].append(a)
    by_unit_deductions: dict[int, list[Deduction]] = defaultdict(list)
    for d in all_deductions:
        units[d.unit_id] = d.unit
        by_unit_deductions[d.unit_id].append(d)
    by_unit_flags: dict[int, list[VetoFlag]] = defaultdict(list)
    for f in flags:
        units[f.unit_id] = f.unit
        by_unit_flags[f.unit_id].append(f)

    rows = []
    for a in apps:
        if a.status != Status.PENDING:
            continue
        peers = [*approved[a.unit_id], *(p for p in pending[a.unit_id] if p.pk != a.pk)]
        same = next((p for p in peers if same_matter(p.matter, a.matter)), None)
        rows.append(PendingRow(application=a, candidates=approved[a.unit_id], same_as=same))

    summaries = [
        summarise(unit, approved[uid], by_unit_deductions[uid], by_unit_flags[uid], policy)
        for uid, unit in units.items()
        if approved[uid] or by_unit_deductions[uid] or by_unit_flags[uid]
    ]
    summaries.sort(key=lambda s: (s.unit.category.order, s.unit.organisation.sort_key, s.unit.pk))
    return OfficePage(
        pending=rows,
        rejected=[a for a in apps if a.status == Status.REJECTED],
        summaries=summaries,
        deductions=[
            DeductionRow(
                d,
                [o for o in by_unit_deductions[d.unit_id] if o.pk != d.pk and o.withdrawn_at is None]
                if d.withdrawn_at is None and d.duplicate_of_id is None
                else [],
            )
            for d in all_deductions
        ],
        flags=flag_rows(flags, policy),
        cap=policy.bonus_cap,
        counts={
            "pending": len(rows),
            "approved": sum(len(v) for v in approved.values()),
            "deductions": sum(1 for d in all_deductions if d.withdrawn_at is None),
            "flags": len(flags),
        },
    )
