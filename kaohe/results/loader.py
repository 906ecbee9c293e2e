"""Load a plan's rows for the rule engine in a constant number of queries, and record them as canonical inputs.

``load_plan`` runs ten queries whatever the number of units, tasks and evaluations (policy, categories,
indicators, units, evaluations, 不涉及, bonus applications, deductions, veto flags, the previous year's
snapshot) and builds the plain ``rules`` inputs of every category. The same pass writes ``inputs``: a
JSON-ready record of everything the engine is given, with the version of every evaluation. The snapshot's
``inputs_digest`` is the SHA-256 of ``canonical_json(inputs)``, so anyone can check a stored snapshot
against its own inputs, and two computations from the same rows have the same digest.

Shape of ``inputs`` (keys ``c<id>``/``u<id>`` are prefixed so JSON path lookups never read them as indexes)::

    {"format": 1, "plan": 1, "missing_policy": "report",
     "policy": {"grade_percentages": {...}, "bonus_cap": "5.00", "convert_to_full": true, "weights": null,
                "bottom_n": 5, "deduction_min": "1.00", "deduction_max": "3.00",
                "bands": [{"name": "优秀", "min": "90", "quota_pct": "30"}, …], "bands_source": "default",
                "vetoes": [{"flag": "two_lost_lawsuits", "denied_grade": "优秀", "reason": "…"}]},
     "categories": {"c1": {"full_score": "100.00",
                           "tasks": [[task_id, level1_id, level2_id, points|null, component, adjustment], …]}},
     "units": {"u12": {"category": 1, "organisation": 7,
                       "evaluations": [[task_id, evaluation_id, version, score, grade], …],
                       "not_applicable": [[task_id, id, reason], …],
                       "bonuses": [[application_id, same_matter_root_id, points, matter], …],
                       "deductions": [[deduction_id, same_matter_root_id, points, task_id|null, matter], …],
                       "flags": ["two_lost_lawsuits", …]}},
     "previous": null | {"snapshot": 3, "plan": 2, "digest": "…"}}
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, Q
from django.db.models.fields.json import KeyTransform

from kaohe.plans.constants import DEFAULT_BANDS, Level, VetoEffect
from kaohe.plans.models import Category, Indicator, Plan, PlanUnit, ScoringPolicy
from kaohe.results.models import MissingPolicyChoice, ResultPublication, ResultSnapshot
from kaohe.scoring import rules
from kaohe.scoring.models import BonusApplication, Deduction, Evaluation, NotApplicable, VetoFlag

INPUTS_FORMAT = 1

#: Vetoes are the plan's data (``ScoringPolicy.vetoes``, edited on the scoring rules page): each condition's
#: effect becomes the engine's denied band ("not_best": the best band; "lowest": the band above the lowest, so
#: the unit holds the lowest). With fewer than two bands a veto changes nothing and is left out (the snapshot's
#: inputs list the vetoes that applied).

_TASK_ID = re.compile(r"任务(\d+)")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text: the form that is hashed."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest_of(inputs: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(inputs).encode("utf-8")).hexdigest()


def ckey(category_id: int) -> str:
    return f"c{category_id}"


def ukey(unit_id: int) -> str:
    return f"u{unit_id}"


def dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class TaskRef:
    """What the pages need to name a task in messages: its code (from the same indicator query)."""

    id: int
    category_id: int
    code: str


@dataclass(frozen=True)
class UnitRef:
    id: int
    category_id: int
    organisation_id: int
    name: str


@dataclass
class LoadedCategory:
    id: int
    name: str
    full_score: Decimal
    input: rules.CategoryInput
    units: list[rules.UnitInput] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class LoadedPlan:
    plan: Plan
    policy: rules.Policy
    categories: list[LoadedCategory]
    units: dict[int, UnitRef]
    tasks: dict[int, TaskRef]
    previous_grades: dict[int, str] | None
    inputs: dict[str, Any]

    def task_code(self, task_id: int) -> str:
        ref = self.tasks.get(task_id)
        return ref.code if ref is not None else str(task_id)

    def name_tasks(self, message: str) -> str:
        """Engine warnings name tasks by id ("任务123"); the office knows them by code ("任务1.2.3")."""
        return _TASK_ID.sub(lambda m: f"任务{self.task_code(int(m.group(1)))}", message)


# --- policy --------------------------------------------------------------------------------------------


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValidationError(f"等次划分中{what}须为数字")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationError(f"等次划分中{what}须为数字：“{value}”") from exc
    if not number.is_finite():
        raise ValidationError(f"等次划分中{what}须为数字：“{value}”")
    return number


def parse_bands(raw: object) -> tuple[tuple[rules.GradeBand, ...], list[dict[str, str]], str]:
    """The plan's ``grade_bands`` JSON, or the defaults when it is empty.

    Shape: a list, best band first, of ``{"name": "优秀", "min": "90", "quota_pct": "30"}`` (``quota_pct``
    optional; numbers may be strings or JSON numbers). The last band must have min 0 and no quota.
    Returns the engine's bands, their canonical JSON form and where they came from ("plan" or "default").
    """
    source = "plan"
    if raw in (None, "", [], {}):
        raw, source = list(DEFAULT_BANDS), "default"
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ValidationError("计分规则的等次划分格式不正确：应为列表，每项含 name、min，可含 quota_pct")
    bands: list[rules.GradeBand] = []
    canonical: list[dict[str, str]] = []
    for item in raw:
        name = str(item.get("name", "")).strip()
        if not name:
            raise ValidationError("等次划分中每个等次都要有名称")
        minimum = _decimal(item.get("min"), f"“{name}”的最低分")
        quota_raw = item.get("quota_pct")
        quota = None if quota_raw in (None, "") else _decimal(quota_raw, f"“{name}”的比例")
        try:
            bands.append(rules.GradeBand(name, minimum, quota))
        except ValueError as exc:
            raise ValidationError(f"等次划分不正确：{exc}") from exc
        entry = {"name": name, "min": str(minimum)}
        if quota is not None:
            entry["quota_pct"] = str(quota)
        canonical.append(entry)
    return tuple(bands), canonical, source


def usable_vetoes(raw: object, bands: Sequence[rules.GradeBand]) -> list[dict[str, str]]:
    """The plan's veto conditions as the engine's vetoes (flag, denied band, reason) for these bands."""
    names = [b.name for b in bands]
    if len(names) < 2 or not isinstance(raw, list):
        return []
    vetoes: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict) or not item.get("key"):
            continue
        denied = names[-2] if item.get("effect") == VetoEffect.LOWEST else names[0]
        vetoes.append({"flag": str(item["key"]), "denied_grade": denied, "reason": str(item.get("label", ""))})
    return vetoes


def build_policy(row: ScoringPolicy | None, missing: MissingPolicyChoice) -> tuple[rules.Policy, dict[str, Any]]:
    """The engine's policy from the plan's ScoringPolicy row (the engine's defaults when there is none)."""
    row = row or ScoringPolicy()
    percentages = {
        rules.Grade.EXCELLENT: row.grade_excellent_pct,
        rules.Grade.GOOD: row.grade_good_pct,
        rules.Grade.FAIR: row.grade_fair_pct,
        rules.Grade.POOR: row.grade_poor_pct,
    }
    raw_weights = {
        rules.Component.PLATFORM: row.platform_weight,
        rules.Component.FIELD: row.field_weight,
        rules.Component.CASE_REVIEW: row.case_review_weight,
    }
    weights: dict[rules.Component, Decimal] | None = None
    if any(w is not None for w in raw_weights.values()):  # a weight left empty beside others counts as 0
        weights = {c: (w if w is not None else Decimal(0)) for c, w in raw_weights.items()}
    try:
        policy = rules.Policy(
            grade_percentages=percentages,
            bonus_cap=row.bonus_cap,
            convert_to_full=row.convert_to_full_score,
            weights=weights,
            bottom_n=int(row.bottom_n),
            missing=rules.MissingPolicy(missing),
            deduction_min=row.deduction_min,
            deduction_max=row.deduction_max,
        )
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"计分规则不正确：{exc}") from exc
    bands, canonical_bands, source = parse_bands(row.grade_bands)
    recorded = {
        "grade_percentages": {g.value: dec(p) for g, p in percentages.items()},
        "bonus_cap": dec(row.bonus_cap),
        "convert_to_full": row.convert_to_full_score,
        "weights": None if weights is None else {c.value: dec(w) for c, w in weights.items()},
        "bottom_n": int(row.bottom_n),
        "deduction_min": dec(row.deduction_min),
        "deduction_max": dec(row.deduction_max),
        "bands": canonical_bands,
        "bands_source": source,
        "vetoes": usable_vetoes(row.vetoes, bands),
    }
    if not row.excellent_two_years:  # recorded only when off, so the inputs of earlier plans keep their digest
        recorded["excellent_two_years"] = False
    return policy, recorded


def engine_bands(recorded_policy: Mapping[str, Any]) -> tuple[tuple[rules.GradeBand, ...], tuple[rules.Veto, ...]]:
    bands, _, _ = parse_bands(recorded_policy["bands"])
    vetoes = tuple(rules.Veto(v["flag"], v["denied_grade"], v.get("reason", "")) for v in recorded_policy["vetoes"])
    return bands, vetoes


# --- the same matter -----------------------------------------------------------------------------------


def _roots(links: Mapping[int, int | None]) -> dict[int, int]:
    """The first row of each ``duplicate_of`` chain ("与之为同一事项"), for every row (cycles stop where they loop)."""
    roots: dict[int, int] = {}
    for start in links:
        seen = [start]
        current = start
        while (parent := links.get(current)) is not None and parent in links and parent not in seen:
            seen.append(parent)
            current = parent
        roots[start] = current
    return roots


# --- loading -------------------------------------------------------------------------------------------


def _component(method: str) -> rules.Component:
    # A task without a method (never after an import) is a platform task, like 其他.
    return rules.component_for_method(method) if method else rules.Component.PLATFORM


def _previous(plan: Plan) -> tuple[dict[int, str] | None, dict[str, Any] | None]:
    """Grades by organisation in the organiser's results of the year before (one query).

    The published results of that year when there are any (the publication in force), so recomputing last
    year's plan does not change this year's inputs; else its latest snapshot (a year never published).
    """
    published = ResultPublication.objects.filter(
        plan__organiser_id=plan.organiser_id, plan__year=plan.year - 1, withdrawn_at__isnull=True
    )
    earlier = ResultSnapshot.objects.filter(plan__organiser_id=plan.organiser_id, plan__year=plan.year - 1).filter(
        Q(pk__in=published.values("snapshot_id")) | ~Exists(published)
    )
    row = (
        earlier.order_by("-computed_at", "-pk")
        .values("pk", "plan_id", "inputs_digest")
        .annotate(grades=KeyTransform("grades_by_organisation", "data"))
        .first()
    )
    if row is None:
        return None, None
    grades = row["grades"] or {}
    return {int(org): str(grade) for org, grade in grades.items()}, {
        "snapshot": row["pk"],
        "plan": row["plan_id"],
        "digest": row["inputs_digest"],
    }


def load_plan(plan: Plan, missing: MissingPolicyChoice | str) -> LoadedPlan:
    """Every input of every category of the plan, in ten queries. Raises ValidationError on unusable settings."""
    missing = MissingPolicyChoice(missing)
    policy, recorded_policy = build_policy(ScoringPolicy.objects.filter(plan=plan).first(), missing)
    bands, vetoes = engine_bands(recorded_policy)

    categories = list(Category.objects.filter(plan=plan).order_by("order", "pk").values_list("pk", "name", "full_score"))
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .exclude(level=Level.TASK, counts_next_year=True)  # 明年考核: assessed next year, not in this year's scores
        .order_by("category_id", "order", "pk")
        .values_list("pk", "category_id", "parent_id", "level", "code", "points", "method", "adjustment")
    )
    parent_of = {row[0]: row[2] for row in indicators}
    level_of = {row[0]: row[3] for row in indicators}
    tasks: dict[int, TaskRef] = {}
    table: dict[int, list[rules.Task]] = defaultdict(list)
    recorded_tasks: dict[int, list[list[Any]]] = defaultdict(list)
    for pk, category_id, parent_id, level, code, points, method, adjustment in indicators:
        if level != Level.TASK:
            continue
        level2_id = parent_id if parent_id is not None else pk
        grand = parent_of.get(level2_id)
        level1_id = grand if grand is not None and level_of.get(level2_id) == Level.LEVEL2 else level2_id
        component = _component(method)
        task = rules.Task(pk, level1_id, level2_id, points, component, rules.Adjustment(adjustment or ""))
        table[category_id].append(task)
        tasks[pk] = TaskRef(pk, category_id, code)
        recorded_tasks[category_id].append([pk, level1_id, level2_id, dec(points), component.value, task.adjustment.value])

    units: dict[int, UnitRef] = {
        pk: UnitRef(pk, category_id, org_id, name)
        for pk, category_id, org_id, name in PlanUnit.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("pk", "category_id", "organisation_id", "organisation__name")
    }

    evaluations: dict[int, list[tuple[int, int, int, Decimal, str]]] = defaultdict(list)
    for unit_id, task_id, pk, version, score, grade in Evaluation.objects.filter(plan=plan).values_list(
        "unit_id", "task_id", "pk", "version", "score", "grade"
    ):
        if task_id in tasks:  # not the 明年考核 tasks left out above
            evaluations[unit_id].append((task_id, pk, version, score, grade))
    not_applicable: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, unit_id, task_id, reason in NotApplicable.objects.filter(plan=plan).values_list("pk", "unit_id", "task_id", "reason"):
        if task_id in tasks:
            not_applicable[unit_id].append((task_id, pk, reason))

    bonus_rows = list(
        BonusApplication.objects.filter(plan=plan).values_list("pk", "unit_id", "matter", "points", "status", "duplicate_of_id")
    )
    bonus_root = _roots({row[0]: row[5] for row in bonus_rows})
    bonus_matter = {row[0]: row[2] for row in bonus_rows}
    bonuses: dict[int, list[tuple[int, int, Decimal, str]]] = defaultdict(list)
    for pk, unit_id, _matter, points, status, _dup in bonus_rows:
        if status == BonusApplication.Status.APPROVED:
            root = bonus_root[pk]
            bonuses[unit_id].append((pk, root, points, bonus_matter[root]))

    deduction_rows = list(
        Deduction.objects.filter(plan=plan).values_list(
            "pk", "unit_id", "matter", "points", "task_id", "withdrawn_at", "duplicate_of_id"
        )
    )
    deduction_root = _roots({row[0]: row[6] for row in deduction_rows})
    deduction_matter = {row[0]: row[2] for row in deduction_rows}
    deductions: dict[int, list[tuple[int, int, Decimal, int | None, str]]] = defaultdict(list)
    for pk, unit_id, _matter, points, task_id, withdrawn_at, _dup in deduction_rows:
        if withdrawn_at is None:
            root = deduction_root[pk]
            deductions[unit_id].append((pk, root, points, task_id, deduction_matter[root]))

    flags: dict[int, set[str]] = defaultdict(set)
    for unit_id, flag in VetoFlag.objects.filter(plan=plan).values_list("unit_id", "flag"):
        flags[unit_id].add(flag)

    previous_grades_by_org, previous = _previous(plan)
    two_years = recorded_policy.get("excellent_two_years", True)
    if not two_years:  # the plan proposes no 连续两年优秀 commendation: nobody is listed, last year is not read
        previous_grades_by_org, previous = None, None

    loaded_categories: dict[int, LoadedCategory] = {}
    recorded_categories: dict[str, Any] = {}
    for pk, name, full_score in categories:
        try:
            category_input = rules.CategoryInput(pk, full_score, table.get(pk, []), bands, vetoes)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"类别“{name}”无法计算：{exc}") from exc
        loaded_categories[pk] = LoadedCategory(pk, name, full_score, category_input)
        recorded_categories[ckey(pk)] = {"full_score": dec(full_score), "tasks": recorded_tasks.get(pk, [])}

    recorded_units: dict[str, Any] = {}
    own_tasks: dict[int, frozenset[int]] = {pk: frozenset(t.id for t in table.get(pk, [])) for pk in loaded_categories}
    made: dict[tuple[int, Decimal], rules.TaskScore] = {}  # equal (task, score) pairs share one frozen value
    for unit in units.values():
        category = loaded_categories.get(unit.category_id)
        if category is None:  # cannot happen: PlanUnit.category belongs to the plan
            continue
        unit_input, record = _unit_input(
            unit,
            own_tasks[unit.category_id],
            tasks,
            made,
            category.warnings,
            evaluations.get(unit.id, []),
            not_applicable.get(unit.id, []),
            bonuses.get(unit.id, []),
            deductions.get(unit.id, []),
            flags.get(unit.id, set()),
        )
        category.units.append(unit_input)
        recorded_units[ukey(unit.id)] = record

    previous_grades = None
    if previous_grades_by_org is not None:
        previous_grades = {
            unit.id: previous_grades_by_org[unit.organisation_id]
            for unit in units.values()
            if unit.organisation_id in previous_grades_by_org
        }
    elif not two_years:
        previous_grades = {}
    inputs = {
        "format": INPUTS_FORMAT,
        "plan": plan.pk,
        "missing_policy": missing.value,
        "policy": recorded_policy,
        "categories": recorded_categories,
        "units": recorded_units,
        "previous": previous,
    }
    return LoadedPlan(plan, policy, list(loaded_categories.values()), units, tasks, previous_grades, inputs)


def _unit_input(
    unit: UnitRef,
    own: frozenset[int],
    tasks: Mapping[int, TaskRef],
    made: dict[tuple[int, Decimal], rules.TaskScore],
    warnings: list[str],
    evaluations: list[tuple[int, int, int, Decimal, str]],
    not_applicable: list[tuple[int, int, str]],
    bonuses: list[tuple[int, int, Decimal, str]],
    deductions: list[tuple[int, int, Decimal, int | None, str]],
    flags: set[str],
) -> tuple[rules.UnitInput, dict[str, Any]]:
    """One unit's engine input and its record; rows naming a task of another category are left out, with a warning.

    This runs once per evaluation of the plan (360,000 times for a province), hence the plain loops.
    """

    def code(task_id: int) -> str:
        ref = tasks.get(task_id)
        return ref.code if ref is not None else str(task_id)

    evaluation_inputs: list[rules.TaskScore] = []
    recorded_evaluations: list[list[Any]] = []
    evaluations.sort()
    for task_id, pk, version, score, grade in evaluations:
        if task_id not in own:
            warnings.append(f"{unit.name}：评价记录{pk}所评任务{code(task_id)}不属于本类别，未计入")
            continue
        value = made.get((task_id, score))
        if value is None:
            value = made[(task_id, score)] = rules.TaskScore(task_id, score)
        evaluation_inputs.append(value)
        recorded_evaluations.append([task_id, pk, version, str(score), grade])
    na_inputs: list[rules.NotApplicable] = []
    recorded_na: list[list[Any]] = []
    for task_id, pk, reason in sorted(not_applicable):
        if task_id not in own:
            warnings.append(f"{unit.name}：不涉及记录{pk}所指任务{code(task_id)}不属于本类别，未计入")
            continue
        na_inputs.append(rules.NotApplicable(task_id, reason))
        recorded_na.append([task_id, pk, reason])
    bonus_inputs = [rules.Bonus(matter, points) for _pk, _root, points, matter in sorted(bonuses)]
    recorded_bonuses = [[pk, root, dec(points), matter] for pk, root, points, matter in sorted(bonuses)]
    deduction_inputs: list[rules.Deduction] = []
    recorded_deductions: list[list[Any]] = []
    for pk, root, points, named_task, matter in sorted(deductions, key=lambda d: d[0]):
        counted_task = named_task
        if named_task is not None and named_task not in own:
            warnings.append(f"{unit.name}：减分事项“{matter}”所指任务{code(named_task)}不属于本类别，只扣分、不将该任务计0分")
            counted_task = None
        deduction_inputs.append(rules.Deduction(matter, points, counted_task))
        recorded_deductions.append([pk, root, dec(points), counted_task, matter])
    unit_input = rules.UnitInput(unit.id, evaluation_inputs, na_inputs, bonus_inputs, deduction_inputs, frozenset(flags))
    record = {
        "category": unit.category_id,
        "organisation": unit.organisation_id,
        "evaluations": recorded_evaluations,
        "not_applicable": recorded_na,
        "bonuses": recorded_bonuses,
        "deductions": recorded_deductions,
        "flags": sorted(flags),
    }
    return unit_input, record
