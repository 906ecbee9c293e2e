"""Computing a plan's results: load the rows (loader.py), call the pure engine per category, store a snapshot.

``results_calculate`` is the read-only part (load + compute + serialise); ``results_compute`` checks the
actor, runs it and writes the immutable ``ResultSnapshot`` with an audit event. Every call writes a new
snapshot, even when its inputs digest equals the previous one's: each computation is an act of the office
(who, when, under which missing-evaluation decision), and the list page marks "输入与第N次相同".

Shape of ``ResultSnapshot.data`` (Decimals as strings; keys ``c<id>``/``u<id>`` so JSON paths can select one
category or one unit)::

    {"format": 1, "complete": true, "order": ["c1", "c2"],
     "grades_by_organisation": {"7": "优秀", …},            # read by next year's computation
     "categories": {"c1": {
         "meta": {"category_id", "name", "full_score", "status", "bottom": [unit ids], "excellent_two_years":
                  [unit ids] | null, "not_assessed": [unit ids] (absent before issue 13),
                  "level1": {"<indicator id>": [earned, possible, rate]}, "level2": {…},
                  "warnings": [...], "ranked": [unit ids, by rank, unscored last], "unit_count", "scored_count",
                  "missing_count"},
         "units": {"u12": {"unit_id", "organisation_id", "name", "scored", "raw", "applicable_max", "converted",
                           "bonus_total", "deduction_total", "final", "rank", "proposed_grade", "grade",
                           "vetoes_applied", "zero_filled", "missing", "warnings"}},      # the ranked table
         "details": {"u12": {"components", "bonus_matters", "adjustment_bonus", "matter_deductions",
                             "adjustment_deduction", "bonuses", "deductions", "not_applicable_task_ids",
                             "zeroed_task_ids", "missing_task_ids", "level1", "level2", "warnings"}}}},
     "missing": {"<unit id>": [task ids]}}                  # every missing evaluation, either policy
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import JSONField, Max, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.plans.models import Plan
from kaohe.results.loader import LoadedPlan, canonical_json, ckey, dec, load_plan, ukey
from kaohe.results.models import MissingPolicyChoice, ResultSnapshot
from kaohe.scoring import rules

DATA_FORMAT = 1
NOTE_MAX = 2000


@dataclass
class Computation:
    """What one computation produced, before it is stored."""

    inputs: dict[str, Any]
    inputs_json: str  # canonical_json(inputs): what the digest is the SHA-256 of
    digest: str
    data: dict[str, Any]
    summary: list[dict[str, Any]]
    complete: bool
    unit_count: int
    scored_count: int
    missing_count: int
    timings: dict[str, float] = field(default_factory=dict)


def _subtotals(values: Mapping[int, rules.Subtotal]) -> dict[str, list[str | None]]:
    return {str(k): [str(s.earned), str(s.possible), dec(s.rate)] for k, s in values.items()}


def _matters(matters: tuple[rules.CountedMatter, ...]) -> list[dict[str, Any]]:
    return [{"matter": m.matter, "points": str(m.points), "task_ids": list(m.task_ids)} for m in matters]


def _serialise(loaded: LoadedPlan, results: list[tuple[Any, rules.CategoryResult]]) -> Computation:
    categories: dict[str, Any] = {}
    summary: list[dict[str, Any]] = []
    grades_by_org: dict[str, str] = {}
    missing_all: dict[str, list[int]] = {}
    for category, result in results:
        units: dict[str, Any] = {}
        details: dict[str, Any] = {}
        scored = missing = 0
        for r in result.units:
            ref = loaded.units[r.unit_id]
            scored += r.scored
            missing += len(r.missing_task_ids)
            if r.missing_task_ids:
                missing_all[str(r.unit_id)] = list(r.missing_task_ids)
            if r.grade is not None:
                grades_by_org[str(ref.organisation_id)] = r.grade
            units[ukey(r.unit_id)] = {
                "unit_id": r.unit_id,
                "organisation_id": ref.organisation_id,
                "name": ref.name,
                "scored": r.scored,
                "raw": dec(r.raw),
                "applicable_max": str(r.applicable_max),
                "converted": dec(r.converted),
                "bonus_total": str(r.bonus_total),
                "deduction_total": str(r.deduction_total),
                "final": dec(r.final),
                "rank": r.rank,
                "proposed_grade": r.proposed_grade,
                "grade": r.grade,
                "vetoes_applied": list(r.vetoes_applied),
                "zero_filled": r.zero_filled,
                "missing": len(r.missing_task_ids),
                "warnings": len(r.warnings),
            }
            details[ukey(r.unit_id)] = {
                "components": {
                    c.value: {
                        "earned": str(s.earned),
                        "possible": str(s.possible),
                        "weight": str(s.weight),
                        "effective_weight": str(s.effective_weight),
                        "score": str(s.score),
                    }
                    for c, s in r.components.items()
                },
                "bonus_matters": str(r.bonus_matters),
                "adjustment_bonus": str(r.adjustment_bonus),
                "matter_deductions": str(r.matter_deductions),
                "adjustment_deduction": str(r.adjustment_deduction),
                "bonuses": _matters(r.bonuses),
                "deductions": _matters(r.deductions),
                "not_applicable_task_ids": list(r.not_applicable_task_ids),
                "zeroed_task_ids": list(r.zeroed_task_ids),
                "missing_task_ids": list(r.missing_task_ids),
                "level1": _subtotals(r.level1),
                "level2": _subtotals(r.level2),
                "warnings": [loaded.name_tasks(w) for w in r.warnings],
            }
        meta = {
            "category_id": category.id,
            "name": category.name,
            "full_score": str(category.full_score),
            "status": result.status.value,
            "bottom": list(result.bottom),
            "not_assessed": list(result.not_assessed),
            "excellent_two_years": None if result.excellent_two_years is None else list(result.excellent_two_years),
            "level1": _subtotals(result.level1),
            "level2": _subtotals(result.level2),
            "warnings": category.warnings + [loaded.name_tasks(w) for w in result.warnings],
            "ranked": [r.unit_id for r in result.units],
            "unit_count": len(result.units),
            "scored_count": scored,
            "missing_count": missing,
        }
        categories[ckey(category.id)] = {"meta": meta, "units": units, "details": details}
        summary.append(
            {
                "id": category.id,
                "name": category.name,
                "status": result.status.value,
                "units": len(result.units),
                "scored": scored,
                "missing": missing,
            }
        )
    complete = all(s["status"] == rules.Status.COMPLETE for s in summary)
    data = {
        "format": DATA_FORMAT,
        "complete": complete,
        "order": [ckey(c.id) for c, _ in results],
        "grades_by_organisation": grades_by_org,
        "categories": categories,
        "missing": missing_all,
    }
    return Computation(
        inputs=loaded.inputs,
        inputs_json="",
        digest="",
        data=data,
        summary=summary,
        complete=complete,
        unit_count=sum(s["units"] for s in summary),
        scored_count=sum(s["scored"] for s in summary),
        missing_count=sum(s["missing"] for s in summary),
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while hundreds of thousands of small values are built.

    None of them form reference cycles, but their sheer number triggers full collections again and again
    (a province: 2.2 s instead of 0.8 s to load). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def results_calculate(*, plan: Plan, missing_policy: MissingPolicyChoice | str) -> Computation:
    """Load, compute every category and serialise; writes nothing. ValidationError on unusable settings."""
    with _gc_paused():
        return _calculate(plan, missing_policy)


def _calculate(plan: Plan, missing_policy: MissingPolicyChoice | str) -> Computation:
    started = time.perf_counter()
    loaded = load_plan(plan, missing_policy)
    loaded_at = time.perf_counter()
    results: list[tuple[Any, rules.CategoryResult]] = []
    for category in loaded.categories:
        try:
            result = rules.compute_category(category.input, category.units, loaded.policy, loaded.previous_grades)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"类别“{category.name}”无法计算：{loaded.name_tasks(str(exc))}") from exc
        results.append((category, result))
    computed_at = time.perf_counter()
    computation = _serialise(loaded, results)
    serialised_at = time.perf_counter()
    computation.inputs_json = canonical_json(loaded.inputs)
    computation.digest = hashlib.sha256(computation.inputs_json.encode("utf-8")).hexdigest()
    computation.timings = {
        "load": loaded_at - started,
        "compute": computed_at - loaded_at,
        "serialise": serialised_at - computed_at,
        "digest": time.perf_counter() - serialised_at,
    }
    return computation


def _serialised(text: str) -> Cast:
    """A JSON value already serialised (the canonical text that was hashed), so a province's inputs are not
    serialised a second time on save."""
    return Cast(Value(text, output_field=TextField()), output_field=JSONField())


def _clean_choice(missing_policy: str, decision_note: str) -> tuple[MissingPolicyChoice, str]:
    if missing_policy not in MissingPolicyChoice.values:
        raise ValidationError("请选择缺少评价时的处理方式")
    choice = MissingPolicyChoice(missing_policy)
    note = (decision_note or "").strip()
    if choice == MissingPolicyChoice.ZERO and not note:
        raise ValidationError("缺少的评价按0分计时，须记录考核办的决定（如会议、文件或批准人）")
    if len(note) > NOTE_MAX:
        raise ValidationError(f"决定说明不能超过 {NOTE_MAX} 字")
    return choice, note


def _consistent_calculate(plan: Plan, missing_policy: MissingPolicyChoice) -> Computation:
    """``results_calculate`` inside one read-only transaction: on PostgreSQL, REPEATABLE READ, so all ten queries
    of the loader see the same moment even while desks keep grading. (Inside a caller's transaction, that one.)

    The snapshot is written afterwards in its own short transaction: a long REPEATABLE READ transaction that
    then locked the audit chain head would fail whenever anyone else had written an audit event meanwhile.
    """
    if transaction.get_connection().in_atomic_block or connection.vendor != "postgresql":
        with transaction.atomic():
            return results_calculate(plan=plan, missing_policy=missing_policy)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return results_calculate(plan=plan, missing_policy=missing_policy)


def _lock_snapshots(plan: Plan) -> None:
    """One snapshot write at a time, so sequence numbers never collide (inside the write's transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # blocks other writers only; reading snapshots is unaffected
            cursor.execute("LOCK TABLE results_resultsnapshot IN SHARE ROW EXCLUSIVE MODE")
    else:
        Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True).first()


def results_compute(*, actor: User, plan: Plan, missing_policy: str, decision_note: str = "") -> ResultSnapshot:
    """Compute every category of the plan now and store the result as a new, immutable snapshot (audited)."""
    access.require(actor, "results:compute", plan)
    if plan.is_draft:
        raise ValidationError("方案尚未发布，不能计算结果")
    choice, note = _clean_choice(missing_policy, decision_note)
    computation = _consistent_calculate(plan, choice)
    with transaction.atomic():
        _lock_snapshots(plan)
        last = ResultSnapshot.objects.filter(plan=plan).aggregate(seq=Max("seq"))["seq"] or 0
        previous = ResultSnapshot.objects.filter(plan=plan, seq=last).values_list("pk", "inputs_digest").first()
        snapshot = ResultSnapshot(
            plan=plan,
            seq=last + 1,
            computed_by=actor,
            computed_at=timezone.now(),
            missing_policy=choice,
            decision_note=note,
            complete=computation.complete,
            unit_count=computation.unit_count,
            scored_count=computation.scored_count,
            missing_count=computation.missing_count,
            inputs_digest=computation.digest,
            inputs=_serialised(computation.inputs_json),
            summary=computation.summary,
            data=computation.data,
        )
        snapshot.full_clean(exclude=["inputs", "data"])  # the big JSON values are built here, not typed in
        snapshot.save(force_insert=True)
        snapshot.inputs = computation.inputs
        audit.record(
            actor=actor,
            action="results.compute",
            obj=snapshot,
            plan_id=plan.pk,
            organisation=plan.organiser,
            after={
                "seq": snapshot.seq,
                "inputs_digest": snapshot.inputs_digest,
                "missing_policy": choice.value,
                "decision_note": note,
                "complete": snapshot.complete,
                "units": snapshot.unit_count,
                "scored": snapshot.scored_count,
                "missing_evaluations": snapshot.missing_count,
                "same_inputs_as": previous[0] if previous is not None and previous[1] == computation.digest else None,
            },
        )
    return snapshot
