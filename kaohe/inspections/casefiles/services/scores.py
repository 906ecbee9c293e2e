"""评查 scores: a reviewer's deductions on a file, the office's return, and the derived task scores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.inspections.casefiles import sampling
from kaohe.inspections.casefiles.models import ChecklistItem, ItemDeduction, Sample, SampledFile
from kaohe.inspections.casefiles.services.common import _ensure_open, _fail, case_review_tasks, setting_of
from kaohe.inspections.casefiles.services.panel import case_review_conflict
from kaohe.plans.models import Plan, PlanUnit
from kaohe.scoring.models import EvaluationChange, NotApplicable
from kaohe.scoring.services import evaluation_record_derived

CENT = Decimal("0.01")


def parse_deduction(raw: str, maximum: Decimal) -> Decimal:
    text = (raw or "").strip().replace("，", ".").replace("。", ".")
    if not text:
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(f"扣分须为数字：“{raw}”") from exc
    if not value.is_finite():
        raise ValidationError(f"扣分须为数字：“{raw}”")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError("扣分最多保留两位小数")
    if value < 0 or value > maximum:
        raise ValidationError(f"扣分须在 0 到 {maximum.normalize():f} 分之间")
    return value.quantize(CENT)


def case_review_save(
    *,
    actor: User,
    plan: Plan,
    sampled: SampledFile,
    values: Mapping[int, tuple[str, str]],
    overall_comment: str,
    submit: bool,
) -> SampledFile:
    """Save (or submit) the reviewer's deductions: ``values`` maps checklist item id → (deduction, comment).

    Only the file's own reviewer scores it, and not after submitting (until the office returns it). Every
    deduction above 0 needs a comment; submitting needs an overall comment. All errors are reported together.
    """
    access.require(actor, "casefile:review", plan)
    _ensure_open(plan)
    if sampled.reviewer is None or sampled.reviewer.user_id != actor.pk:
        raise PermissionDenied
    # 回避 at every save, not only at assignment: a membership gained since then counts.
    if message := case_review_conflict(plan, sampled):
        raise _fail(message)
    kind = sampled.case_file.kind
    items = list(ChecklistItem.objects.filter(plan=plan, kind=kind))
    if not items:
        raise _fail(f"考核办尚未确定{sampled.case_file.get_kind_display()}评查表")
    errors: list[str] = []
    parsed: list[tuple[ChecklistItem, Decimal, str]] = []
    for item in items:
        raw, comment = values.get(item.pk, ("", ""))
        comment = (comment or "").strip()
        try:
            deduction = parse_deduction(raw, item.max_deduction)
        except ValidationError as exc:
            errors.append(f"{item.name}：{exc.messages[0]}")
            continue
        if deduction > 0 and not comment:
            errors.append(f"{item.name}：扣分须写明扣分理由")
        if len(comment) > 2000:
            errors.append(f"{item.name}：扣分理由不能超过 2000 字")
        parsed.append((item, deduction, comment))
    overall_comment = (overall_comment or "").strip()
    if submit and not overall_comment:
        errors.append("提交前请填写总体评查意见")
    if len(overall_comment) > 4000:
        errors.append("总体评查意见不能超过 4000 字")
    if errors:
        raise _fail(errors)
    full_mark = setting_of(plan).full_mark
    with transaction.atomic():
        locked = SampledFile.objects.select_for_update().get(pk=sampled.pk)
        if locked.status == SampledFile.Status.SUBMITTED:
            raise _fail("该案卷的评查结果已提交，不能再修改（如需修改请联系考核办退回）")
        if locked.reviewer_id != sampled.reviewer_id:
            raise PermissionDenied
        before = {"status": locked.status, "score": locked.score}
        for item, deduction, comment in parsed:
            ItemDeduction.objects.update_or_create(
                sampled_file=locked, item=item, defaults={"deduction": deduction, "comment": comment}
            )
        locked.score = sampling.file_score(full_mark, [d for _, d, _ in parsed])
        locked.overall_comment = overall_comment
        locked.status = SampledFile.Status.SUBMITTED if submit else SampledFile.Status.DRAFT
        locked.submitted_at = timezone.now() if submit else None
        locked.save(update_fields=["score", "overall_comment", "status", "submitted_at"])
        after = {
            "file": sampled.case_file.number,
            "score": locked.score,
            "deductions": {item.name: deduction for item, deduction, _ in parsed if deduction},
        }
        if submit:
            audit.record(
                actor=actor,
                action="casefile.review_submit",
                obj=locked,
                plan_id=plan.pk,
                organisation=sampled.case_file.unit.organisation,
                before=before,
                after=after,
            )
        else:
            audit.record(
                actor=actor,
                action="casefile.review_save",
                obj=locked,
                plan_id=plan.pk,
                organisation=sampled.case_file.unit.organisation,
                before=before,
                after=after,
            )
    return locked


def case_review_return(*, actor: User, plan: Plan, sampled: SampledFile, reason: str) -> SampledFile:
    """The office sends a submitted review back to its reviewer (editable again)."""
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    reason = reason.strip()
    if not reason:
        raise _fail("退回须写明理由")
    with transaction.atomic():
        locked = SampledFile.objects.select_for_update().get(pk=sampled.pk)
        if locked.status != SampledFile.Status.SUBMITTED:
            raise _fail("只能退回已提交的评查结果")
        locked.status, locked.return_reason, locked.submitted_at = SampledFile.Status.RETURNED, reason[:500], None
        locked.save(update_fields=["status", "return_reason", "submitted_at"])
        audit.record(
            actor=actor,
            action="casefile.review_return",
            obj=locked,
            plan_id=plan.pk,
            organisation=sampled.case_file.unit.organisation,
            after={"file": sampled.case_file.number, "reason": reason},
        )
    return locked


# --- derivation into the task score (计入考核得分) ------------------------------------------------------


@dataclass
class DeriveOutcome:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def derive_scores(*, actor: User, plan: Plan) -> DeriveOutcome:
    """Write each fully reviewed unit's 集中评查 task score: points × mean(file scores) / full mark.

    Units whose sampled files are not all submitted, without a sample, or whose task is 不涉及 are
    reported and left as they are. Each unit's score is written through scoring's history (replacing any
    earlier derived value); the files and their scores go into the audit detail.
    """
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    outcome = DeriveOutcome()
    tasks = case_review_tasks(plan)
    full_mark = setting_of(plan).full_mark
    not_applicable = set(NotApplicable.objects.filter(plan=plan).values_list("unit_id", "task_id"))
    samples = (
        Sample.objects.filter(plan=plan)
        .select_related("unit__organisation", "unit__category")
        .prefetch_related("files__case_file")
        .order_by("unit__category__order", "unit__organisation__sort_key")
    )
    sampled_units: set[int] = set()
    for sample in samples:
        unit = sample.unit
        sampled_units.add(unit.pk)
        files = list(sample.files.all())
        waiting = [f for f in files if f.status != SampledFile.Status.SUBMITTED or f.score is None]
        if not files or waiting:
            outcome.skipped.append(f"{unit}：{len(waiting)} 卷尚未评查完毕")
            continue
        unit_tasks = tasks.get(unit.category_id, [])
        if not unit_tasks:
            outcome.skipped.append(f"{unit}：所在类别没有集中评查任务")
            continue
        scores = [f.score for f in files if f.score is not None]
        mean_100 = sampling.mean_score([s * 100 / full_mark for s in scores])
        detail = {
            "case_review": {
                "files": [{"number": f.case_file.number, "score": f.score} for f in files],
                "mean": mean_100,
                "full_mark": full_mark,
                "rule": "任务分值 × 案卷平均得分 / 案卷满分，保留两位小数（四舍五入）",
            }
        }
        for task in unit_tasks:
            if (unit.pk, task.pk) in not_applicable or task.points is None:
                outcome.skipped.append(f"{unit} {task.code}：已认定不涉及或未设分值")
                continue
            score = sampling.task_score(task.points, scores, full_mark)
            reason = f"案卷评查{len(files)}卷平均得分{mean_100:.2f}分"
            try:
                evaluation_record_derived(
                    actor=actor,
                    plan=plan,
                    unit=unit,
                    task=task,
                    score=score,
                    reason=reason,
                    source=EvaluationChange.Source.CASE_REVIEW,
                    expected_version=-1,
                    detail=detail,
                )
            except ValidationError as exc:
                outcome.skipped.append(f"{unit} {task.code}：{'；'.join(exc.messages)}")
                continue
            outcome.written.append(f"{unit} {task.code}：{score:.2f} 分")
    in_scope = PlanUnit.objects.filter(plan=plan, category_id__in=list(tasks)).exclude(pk__in=sampled_units)
    missing = in_scope.count()
    if missing:
        outcome.skipped.append(f"另有 {missing} 个考核对象尚未抽取案卷")
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="casefile.derive",
            obj=plan,
            plan_id=plan.pk,
            after={"written": outcome.written, "skipped": outcome.skipped},
        )
    return outcome
