"""Writes of evaluations and 不涉及. Every change is appended to the history and audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kaohe import access
from kaohe.access.grading import get_task_to_evaluate, require_derived_scorer
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.organisations import conflicts
from kaohe.organisations.models import Organisation
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit, PointsChangeFlag, ProblemKind, ScoringPolicy
from kaohe.plans.services import ensure_daily_scoring_open, ensure_scoring_open, lock_scoring_open
from kaohe.scoring import selectors
from kaohe.scoring.models import Evaluation, EvaluationChange, GradeChoice, NotApplicable
from kaohe.scoring.rules import Grade, grade_score
from kaohe.submissions.models import Submission

GRADED_METHODS = frozenset({Method.SUBMISSION})  # keep in step with selectors.Cell.graded


class StaleEvaluation(Exception):
    """Someone else saved this evaluation since the form was loaded; ``current`` is what they saved."""

    def __init__(self, current: Evaluation | None) -> None:
        self.current = current
        who = current.evaluated_by if current else "他人"
        self.message = f"该评价已被 {who} 修改，当前为 {current.score if current else '—'} 分。请核对后再保存。"
        super().__init__(self.message)


def is_graded(task: Indicator) -> bool:
    """报送资料 tasks take a grade 优/良/中/差; the others a score between 0 and the task's points."""
    return task.method in GRADED_METHODS


def grade_percentages(policy: ScoringPolicy) -> dict[Grade, Decimal]:
    return {
        Grade.EXCELLENT: policy.grade_excellent_pct,
        Grade.GOOD: policy.grade_good_pct,
        Grade.FAIR: policy.grade_fair_pct,
        Grade.POOR: policy.grade_poor_pct,
    }


def parse_score(raw: str, points: Decimal) -> Decimal:
    """A score typed by a desk: 0 ≤ score ≤ points, at most 2 decimal places (steps of 0.01)."""
    text = (raw or "").strip().replace("，", ".").replace("。", ".")
    if not text:
        raise ValidationError("请填写得分")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(f"得分须为数字：“{raw}”") from exc
    if not value.is_finite():
        raise ValidationError(f"得分须为数字：“{raw}”")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError("得分最多保留两位小数")
    if value < 0 or value > points:
        raise ValidationError(f"得分须在 0 到 {points.normalize():f} 分之间")
    return value.quantize(Decimal("0.01"))


def _checked_value(
    *, plan: Plan, unit: PlanUnit, task: Indicator, grade: str, score: str, reason: str
) -> tuple[str, Decimal, str]:
    """The checks every new evaluation value passes: (grade, score, reason), or ValidationError."""
    if unit.plan_id != plan.pk or task.plan_id != plan.pk or task.category_id != unit.category_id:
        raise ValidationError("该考核对象没有这项工作任务")
    if task.level != Level.TASK:
        raise ValidationError("只能评价工作任务")
    if task.counts_next_year:
        raise ValidationError("该任务为明年考核内容，不计入本年度，无需评价")
    if task.points is None:
        raise ValidationError("该任务未写分值，请考核办先确定分值")
    if NotApplicable.objects.filter(unit=unit, task=task).exists():
        raise ValidationError("该任务已认定为不涉及，无需评价")
    points = task.points
    if is_graded(task):
        if grade not in GradeChoice.values:
            raise ValidationError("请选择等次：优、良、中、差")
        value = grade_score(points, Grade(grade), grade_percentages(plan.policy)).quantize(Decimal("0.01"))
    else:
        grade = ""
        value = parse_score(score, points)
    reason = (reason or "").strip()
    if value < points and not reason:
        raise ValidationError("得分低于满分时，须写明扣分理由")
    if len(reason) > 2000:
        raise ValidationError("扣分理由不能超过 2000 字")
    return grade, value, reason


def institutional_conflict(plan: Plan, scorer: Organisation, unit: PlanUnit, *, policy: str | None = None) -> str:
    """回避 of an organisation that grades as an institution (a desk, the office): raise when the plan refuses
    it, return the note to flag the evaluation with when the plan allows it ("" when there is no conflict)."""
    found = conflicts.relation(scorer, unit.organisation)
    if not found:
        return ""
    if (policy or selectors.own_department_policy(plan)) != ScoringPolicy.OwnDepartment.FLAG:
        raise ValidationError(
            f"{conflicts.organisation_conflict(scorer, unit.organisation)}（本方案规定考核主体不得评价本单位，请联系考核办）"
        )
    return f"{conflicts.PREFIX}{found}"


def scorer_conflict(*, actor: User, plan: Plan, unit: PlanUnit, task: Indicator) -> str:
    """The 回避 check of a desk's grading: the grader's own memberships refuse outright; the desk's organisation
    follows the plan's setting (refused, or allowed and flagged). Returns the flag note ("" = none)."""
    desk = task.assessor.organisation if task.assessor is not None else None
    personal = conflicts.person_conflict(actor, unit.organisation, ignore=[desk.pk] if desk else [])
    if personal:
        raise ValidationError(personal)
    return institutional_conflict(plan, desk, unit) if desk is not None else ""


def evaluation_record(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    task: Indicator,
    grade: str = "",
    score: str = "",
    reason: str = "",
    problem_kind_id: int | None = None,
    expected_version: int | None,
    source: str = EvaluationChange.Source.DESK,
) -> Evaluation:
    """Record (or change) one evaluation; refuse silently overwriting someone else's newer value.

    回避: refused when the grader belongs to the unit's organisation line, and when the desk does unless the
    plan allows it — then the evaluation carries the note and the results breakdown shows it.
    """
    unit, task = get_task_to_evaluate(actor, plan, unit.pk, task.pk)
    ensure_scoring_open(plan)
    if source == EvaluationChange.Source.DESK:
        ensure_daily_scoring_open(plan, task)
    note = scorer_conflict(actor=actor, plan=plan, unit=unit, task=task)
    grade, value, reason = _checked_value(plan=plan, unit=unit, task=task, grade=grade, score=score, reason=reason)
    # 问题类型: None leaves it as it is (统一评定, callers without the select); 0 clears it; an id sets it
    kind = _problem_kind(plan, problem_kind_id) if reason and problem_kind_id else None
    return _save(
        actor=actor,
        plan=plan,
        unit=unit,
        task=task,
        grade=grade,
        value=value,
        reason=reason,
        expected_version=expected_version or 0,
        source=source,
        action="evaluation.record",
        detail={"conflict": note} if note else {},
        conflict_note=note,
        set_kind=problem_kind_id is not None,
        problem_kind=kind,
    )


def _problem_kind(plan: Plan, kind_id: int) -> ProblemKind:
    """The plan's 问题类型 chosen next to a deduction reason (optional; a retired one it already carried is kept)."""
    kind = ProblemKind.objects.filter(plan=plan, pk=kind_id).first()
    if kind is None:
        raise ValidationError("问题类型无效，请刷新页面后重新选择")
    return kind


BULK_MAX_CELLS = 400


def evaluation_record_bulk(
    *, actor: User, plan: Plan, cells: list[tuple[int, int, int]], grade: str, reason: str = ""
) -> list[Evaluation]:
    """One grade (and one reason) for several (unit, task, expected version) cells of the desk, all or nothing.

    Each cell goes through :func:`evaluation_record` — the same access, 回避, value and version checks, its
    own history row and audit event — inside one transaction: one refusal rolls every cell back, and the
    message names the cell. Only 报送资料 tasks take a grade; a cell the user may not grade is a 404/403.
    """
    if not cells:
        raise ValidationError("请先选择要评定的格子")
    if len(cells) > BULK_MAX_CELLS:
        raise ValidationError(f"一次最多评定 {BULK_MAX_CELLS} 格，请分批评定")
    if grade not in GradeChoice.values:
        raise ValidationError("请选择等次：优、良、中、差")
    if grade != GradeChoice.EXCELLENT and not (reason or "").strip():
        raise ValidationError("评为良、中、差须写明扣分理由（同一理由用于所有选中的格子）")
    saved: list[Evaluation] = []
    seen: set[tuple[int, int]] = set()
    with transaction.atomic():
        for unit_id, task_id, version in cells:
            if (unit_id, task_id) in seen:
                continue
            seen.add((unit_id, task_id))
            unit, task = get_task_to_evaluate(actor, plan, unit_id, task_id)
            where = f"{unit.organisation.name} {task.code}"
            if not is_graded(task):
                raise ValidationError(f"{where}：该任务按得分评价，不能统一评定等次")
            try:
                saved.append(
                    evaluation_record(
                        actor=actor, plan=plan, unit=unit, task=task, grade=grade, reason=reason, expected_version=version
                    )
                )
            except StaleEvaluation as exc:
                raise ValidationError(f"{where}：{exc.message}") from exc
            except ValidationError as exc:
                raise ValidationError(f"{where}：{' '.join(exc.messages)}") from exc
    return saved


DERIVED_SOURCES = frozenset(
    {EvaluationChange.Source.FIELD, EvaluationChange.Source.ABILITY_TEST, EvaluationChange.Source.CASE_REVIEW}
)


def _derivable(task: Indicator, source: str) -> bool:
    """Whether ``task``'s method takes scores of ``source``: 实地考核 and 集中评查 their own tasks; an ability test
    any task but 报送资料 (as a test's creation allows)."""
    if source == EvaluationChange.Source.FIELD:
        return task.method == Method.FIELD
    if source == EvaluationChange.Source.CASE_REVIEW:
        return task.method == Method.CASE_REVIEW
    return task.method != Method.SUBMISSION


def evaluation_record_derived(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    task: Indicator,
    score: Decimal | str,
    reason: str,
    source: str,
    expected_version: int | None = None,
    detail: dict[str, Any] | None = None,
) -> Evaluation:
    """A score that comes from outside the desk grid: 实地考核 groups, ability tests, case-file review.

    The actor must hold a capability that produces ``source`` scores in the plan (403,
    ``access.grading.require_derived_scorer``: 实地考核 a group member or the office, test and review results the
    office) and the task must be one of that kind (实地考核 / 集中评查 tasks; a test any task but 报送资料); the
    finer checks stay with the caller (its group holds the unit, 回避 with the organisation it was drawn from).
    The same value checks as a desk's save apply (0 ≤ score ≤ points, 0.01 steps, a reason below full marks,
    不涉及 refused, frozen after publication) and it writes through the same history path with ``source``. ``expected_version`` works as for desks
    (None = the evaluation must not exist yet); pass ``expected_version=-1`` to replace whatever is there
    (a recomputation from test or review results — the history keeps the old value). ``detail`` is added
    to the audit event (e.g. the draw, the files and the rule that produced the score).
    """
    if source not in DERIVED_SOURCES:
        raise ValueError(f"not a derived source: {source}")
    require_derived_scorer(actor, plan, source)
    if not _derivable(task, source):
        raise ValidationError(
            f"该任务的考核方式为“{task.get_method_display()}”，不能计入{EvaluationChange.Source(source).label}得分"
        )
    ensure_scoring_open(plan)
    if is_graded(task):
        raise ValidationError("该任务按等次（优/良/中/差）评价，不能由实地考核、测试或评查结果直接计分")
    text = f"{score:f}" if isinstance(score, Decimal) else str(score)
    grade, value, reason = _checked_value(plan=plan, unit=unit, task=task, grade="", score=text, reason=reason)
    return _save(
        actor=actor,
        plan=plan,
        unit=unit,
        task=task,
        grade=grade,
        value=value,
        reason=reason,
        expected_version=None if expected_version == -1 else (expected_version or 0),
        source=source,
        action="evaluation.derive",
        detail=detail or {},
    )


def _save(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    task: Indicator,
    grade: str,
    value: Decimal,
    reason: str,
    expected_version: int | None,
    source: str,
    action: str,
    detail: dict[str, Any],
    conflict_note: str = "",
    set_kind: bool = False,
    problem_kind: ProblemKind | None = None,
) -> Evaluation:
    """Write a checked value with a new version, a history row and an audit event (None = any version).

    The 问题类型 changes only when ``set_kind`` (the desk's cell); otherwise it stays while a reason does.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            lock_scoring_open(plan)
            current = Evaluation.objects.select_for_update().filter(unit=unit, task=task).first()
            if expected_version is not None and (current.version if current else 0) != expected_version:
                raise StaleEvaluation(current)
            before = {"grade": current.grade, "score": current.score, "reason": current.reason} if current else None
            if not set_kind:
                problem_kind = current.problem_kind if current is not None and reason else None
            kind_id = problem_kind.pk if problem_kind is not None else None
            # recording the cell again confirms it under the task's changed points (分值已变更，请确认)
            PointsChangeFlag.objects.filter(unit=unit, task=task, confirmed_at__isnull=True).update(
                confirmed_at=now, confirmed_by=actor
            )
            if current is not None and (
                current.grade,
                current.score,
                current.reason,
                current.conflict_note,
                current.problem_kind_id,
            ) == (grade, value, reason, conflict_note, kind_id):
                return current  # nothing changed: no new version, no history row
            if current is None:
                current = Evaluation(
                    plan=plan, unit=unit, task=task, version=1, evaluated_by=actor, evaluated_at=now, score=value
                )
            else:
                current.version += 1
            old_grade = current.grade if before else ""
            old_score = current.score if before else None
            current.grade = grade
            current.score = value
            current.reason = reason
            if before is not None and current.problem_kind_id != kind_id:
                before["problem_kind"] = current.problem_kind.name if current.problem_kind else ""
            current.problem_kind = problem_kind
            current.conflict_note = conflict_note
            current.desk_id = task.assessor_id
            current.evaluated_by = actor
            current.evaluated_at = now
            # Uniqueness is the database's job here: a concurrent first save surfaces as IntegrityError → Stale.
            current.full_clean(validate_unique=False, validate_constraints=False)
            current.save()
            EvaluationChange.objects.create(
                evaluation=current,
                changed_by=actor,
                changed_at=now,
                source=source,
                old_grade=old_grade or "",
                new_grade=grade,
                old_score=old_score,
                new_score=value,
                reason=reason,
                conflict_note=conflict_note,
            )
            Submission.objects.filter(unit=unit, task=task, status=Submission.Status.SUBMITTED).update(
                status=Submission.Status.EVALUATED
            )
            after = {"task": task.code, "grade": grade, "score": value, "reason": reason, "version": current.version}
            if (before is not None and "problem_kind" in before) or (before is None and problem_kind is not None):
                after["problem_kind"] = problem_kind.name if problem_kind else ""
            if source != EvaluationChange.Source.DESK:
                after["source"] = source
            audit.record(
                actor=actor,
                action=action,
                obj=current,
                plan_id=plan.pk,
                organisation=unit.organisation,
                before=before,
                after={**after, **detail},
            )
    except IntegrityError as exc:  # two first saves at once: the loser sees the winner's value
        raise StaleEvaluation(Evaluation.objects.filter(unit=unit, task=task).first()) from exc
    return current


def not_applicable_set(*, actor: User, plan: Plan, unit: PlanUnit, task: Indicator, reason: str) -> NotApplicable:
    access.require(actor, "applicability:decide", plan)
    ensure_scoring_open(plan)
    if unit.plan_id != plan.pk or task.plan_id != plan.pk or task.level != Level.TASK or task.category_id != unit.category_id:
        raise ValidationError("该考核对象没有这项工作任务")
    if not reason.strip():
        raise ValidationError("请写明不涉及的理由")
    with transaction.atomic():
        lock_scoring_open(plan)
        if NotApplicable.objects.filter(unit=unit, task=task).exists():
            raise ValidationError("该任务已认定为不涉及")
        record = NotApplicable(plan=plan, unit=unit, task=task, reason=reason.strip(), decided_by=actor)
        record.full_clean()
        record.save()
        audit.record(
            actor=actor,
            action="applicability.set",
            obj=record,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after={
                "task": task.code,
                "reason": record.reason,
                "evaluated_before": Evaluation.objects.filter(unit=unit, task=task).exists(),
            },
        )
    return record


def not_applicable_clear(*, actor: User, plan: Plan, record: NotApplicable, reason: str) -> None:
    access.require(actor, "applicability:decide", plan)
    ensure_scoring_open(plan)
    if record.plan_id != plan.pk:
        raise ValidationError("记录不属于本方案")
    if not reason.strip():
        raise ValidationError("请写明撤销理由")
    with transaction.atomic():
        lock_scoring_open(plan)
        audit.record(
            actor=actor,
            action="applicability.clear",
            obj=record,
            plan_id=plan.pk,
            organisation=record.unit.organisation,
            before={"task": record.task.code, "reason": record.reason},
            after={"reason": reason.strip()},
        )
        record.delete()


def evaluation_adjust_on_review(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    task: Indicator,
    grade: str = "",
    score: str = "",
    reason: str,
    review_request: Any,
) -> Evaluation:
    """复核调整: the office changes an evaluation when deciding a review request (history source REVIEW).

    Same checks and the same history path as :func:`evaluation_record`; the office (``review:decide``)
    may do it, desks may not. The value must actually change; a task not evaluated gets its first evaluation.
    """
    access.require(actor, "review:decide", plan)
    ensure_scoring_open(plan)
    if review_request.unit_id != unit.pk or review_request.task_id != task.pk:
        raise ValidationError("复核申请与调整的工作任务不一致")
    # 回避: the person deciding may not belong to the unit's line; the office's own organisation (often a section
    # of 市司法局) is judged like a desk, by the plan's setting.
    organiser = Organisation.objects.select_related("parent").get(pk=plan.organiser_id)
    personal = conflicts.person_conflict(actor, unit.organisation, ignore=[organiser.pk])
    if personal:
        raise ValidationError(personal)
    note = institutional_conflict(plan, organiser, unit)
    grade, value, reason = _checked_value(plan=plan, unit=unit, task=task, grade=grade, score=score, reason=reason)
    now = timezone.now()
    with transaction.atomic():
        lock_scoring_open(plan)
        current = Evaluation.objects.select_for_update().filter(unit=unit, task=task).first()
        if current is None:  # a request on a task not evaluated (counted 0): the answer gives its first score
            current = Evaluation(
                plan=plan,
                unit=unit,
                task=task,
                grade="",
                score=Decimal(0),
                desk=task.assessor,
                version=0,
                evaluated_by=actor,
                evaluated_at=now,
            )
            old_grade, old_score = "", None
        elif (current.grade, current.score) == (grade, value):
            raise ValidationError("调整后的得分与原得分相同；如不调整，请选择“维持”")
        else:
            old_grade, old_score = current.grade, current.score
        before = {"grade": old_grade, "score": old_score, "reason": current.reason}
        current.version += 1
        current.grade = grade
        current.score = value
        current.reason = reason
        current.evaluated_by = actor
        current.evaluated_at = now
        # The desk's flag stays (its grading still underlies the task) unless the adjustment brings its own.
        current.conflict_note = note or current.conflict_note
        current.full_clean(validate_unique=False)
        if current.pk is None:
            current.save()
        else:
            current.save(update_fields=["version", "grade", "score", "reason", "conflict_note", "evaluated_by", "evaluated_at"])
        EvaluationChange.objects.create(
            evaluation=current,
            changed_by=actor,
            changed_at=now,
            source=EvaluationChange.Source.REVIEW,
            old_grade=old_grade or "",
            new_grade=grade,
            old_score=old_score,
            new_score=value,
            reason=reason,
            conflict_note=note,
        )
        audit.record(
            actor=actor,
            action="evaluation.review_adjust",
            obj=current,
            plan_id=plan.pk,
            organisation=unit.organisation,
            before=before,
            after={
                "task": task.code,
                "grade": grade,
                "score": value,
                "reason": reason,
                "version": current.version,
                "review_request": review_request.pk,
                **({"conflict": note} if note else {}),
            },
        )
    return current
