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

import datetime as dt
import gc
import hashlib
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import JSONField, Max, TextField, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.access.results import consulting_organisations, receiving_organisation_ids
from kaohe.core import audit, notifications
from kaohe.core.dates import check_date_in_bounds
from kaohe.organisations.models import Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan, PlanUnit
from kaohe.results import selectors
from kaohe.results.blockers import publication_blockers
from kaohe.results.loader import LoadedPlan, canonical_json, ckey, dec, digest_of, load_plan, ukey
from kaohe.results.models import (
    ConsultationComment,
    CopyRecipient,
    MissingPolicyChoice,
    ReceiptKind,
    ReleaseApproval,
    ReleaseStatus,
    ResultPublication,
    ResultReceipt,
    ResultRelease,
    ResultSnapshot,
)
from kaohe.results.staleness import require_fresh, stale_reason
from kaohe.scoring import rules
from kaohe.scoring.models import BonusApplication

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


def results_compute(*, actor: Any, plan: Plan, missing_policy: str, decision_note: str = "") -> ResultSnapshot:
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


# --- release: consultation, approval, publication, reopening (结果审定与公布) --------------------------------

COMMENT_MAX = 4000
REASON_MAX = 2000
APPROVER_MAX = 300


def _release_url(plan: Plan) -> str:
    return reverse("results:release", args=[plan.pk])


def _lock_release(plan: Plan, release: ResultRelease) -> tuple[Plan, ResultRelease]:
    """Lock the plan row (one release act at a time per plan) and re-read the release under the lock."""
    locked_plan = Plan.objects.select_for_update().select_related("organiser").get(pk=plan.pk)
    locked = ResultRelease.objects.select_for_update().filter(pk=release.pk, plan=locked_plan).first()
    if locked is None:
        raise ValidationError("该发布记录不属于本方案")
    locked.snapshot = ResultSnapshot.objects.defer("inputs", "data").get(pk=locked.snapshot_id)
    return locked_plan, locked


def _require_current(release: ResultRelease) -> None:
    if not release.is_current:
        raise ValidationError("该征求意见稿已被新的征求意见稿取代")


def release_start(*, actor: Any, plan: Plan, snapshot: ResultSnapshot, consult_until: dt.date) -> ResultRelease:
    """Put a complete snapshot out as the 征求意见稿 and open consultation until ``consult_until``.

    The plan's current release (if any, and not published) becomes history; its copy recipients and bulletin
    edits carry over to the new one.
    """
    access.require(actor, "results:publish", plan)
    check_date_in_bounds(consult_until, plan=plan, field_label="征求意见截止日期")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != Plan.Status.PUBLISHED:
            raise ValidationError(f"方案当前状态为“{plan.get_status_display()}”，不能发起征求意见")
        if snapshot.plan_id != plan.pk:
            raise ValidationError("该计算结果不属于本方案")
        if not snapshot.complete:
            raise ValidationError(
                f"第{snapshot.seq}次计算的评价未齐（{_missing_units(snapshot)}），不能作为征求意见稿；"
                "请在评价齐全后重新计算，或由考核办记录决定将缺少的评价按0分计后重新计算"
            )
        if consult_until < timezone.localdate():
            raise ValidationError("征求意见截止日期不能早于今天")
        require_fresh(plan, snapshot, then="再发起征求意见")
        previous = ResultRelease.objects.select_for_update().filter(plan=plan, is_current=True).first()
        if previous is not None and previous.is_published:
            raise ValidationError("考核结果已公布；如需另行征求意见，须先撤回公布")
        now = timezone.now()
        if previous is not None:
            previous.is_current = False
            previous.superseded_by, previous.superseded_at = actor, now
            previous.save(update_fields=["is_current", "superseded_by", "superseded_at"])
        last = ResultRelease.objects.filter(plan=plan).aggregate(seq=Max("seq"))["seq"] or 0
        release = ResultRelease(
            plan=plan, seq=last + 1, snapshot=snapshot, created_by=actor, created_at=now, consult_until=consult_until
        )
        if previous is not None:
            for name in BULLETIN_FIELDS:
                setattr(release, name, getattr(previous, name))
        release.full_clean()
        release.save(force_insert=True)
        # 抄送: the previous release's list, or (first release) the copy recipients of the plan's settings.
        if previous is not None:
            copy_ids = list(previous.copy_recipients.values_list("organisation_id", flat=True))
        else:
            unit_orgs = PlanUnit.objects.filter(plan=plan).values("organisation_id")
            copy_ids = list(
                plan.copy_organisations.filter(region_id=plan.organiser.region_id)
                .exclude(pk__in=unit_orgs)
                .values_list("pk", flat=True)
            )
        CopyRecipient.objects.bulk_create(
            CopyRecipient(release=release, organisation_id=org_id, added_by=actor, added_at=now) for org_id in copy_ids
        )
        audit.record(
            actor=actor,
            action="results.consultation_open",
            obj=release,
            plan_id=plan.pk,
            organisation=plan.organiser,
            after={
                "release": release.seq,
                "snapshot": snapshot.seq,
                "inputs_digest": snapshot.inputs_digest,
                "consult_until": consult_until,
                "supersedes": previous.seq if previous is not None else None,
            },
        )
        title = f"{plan.title}：考核结果征求意见稿（截至{consult_until:%Y-%m-%d}）"
        url = reverse("results:consult", args=[plan.pk])
        members = [plan.organiser_id, *plan.member_organisations.values_list("pk", flat=True)]
        desks = list(plan.desks.values_list("organisation_id", flat=True))
        notifications.notify_organisations(organisation_ids=desks, role=Role.ASSESSOR, plan_id=plan.pk, title=title, url=url)
        notifications.notify_organisations(organisation_ids=members, role=Role.VIEWER, plan_id=plan.pk, title=title, url=url)
    return release


def consultation_comment_add(
    *, actor: Any, plan: Plan, release: ResultRelease, organisation: Organisation, text: str
) -> ConsultationComment:
    """A member unit's comment on the 征求意见稿, kept as written, on behalf of ``organisation``."""
    access.require(actor, "results:consult", plan)
    if organisation.pk not in {o.pk for o in consulting_organisations(actor, plan)}:
        raise PermissionDenied
    body = (text or "").strip()
    if not body:
        raise ValidationError("请填写意见")
    if len(body) > COMMENT_MAX:
        raise ValidationError(f"意见不能超过 {COMMENT_MAX} 字")
    with transaction.atomic():
        plan, release = _lock_release(plan, release)
        _require_current(release)
        if release.status != ReleaseStatus.CONSULTING:
            raise ValidationError("征求意见已结束，不能再提出意见")
        if timezone.localdate() > release.consult_until:
            raise ValidationError(f"征求意见已于 {release.consult_until:%Y-%m-%d} 截止")
        comment = ConsultationComment(
            release=release, organisation=organisation, author=actor, created_at=timezone.now(), text=body
        )
        comment.full_clean()
        comment.save(force_insert=True)
        audit.record(
            actor=actor,
            action="results.comment",
            obj=comment,
            plan_id=plan.pk,
            organisation=organisation,
            after={"release": release.seq, "text": body},
        )
    return comment


def consultation_close(*, actor: Any, plan: Plan, release: ResultRelease) -> ResultRelease:
    access.require(actor, "results:publish", plan)
    with transaction.atomic():
        plan, release = _lock_release(plan, release)
        _require_current(release)
        if release.status != ReleaseStatus.CONSULTING:
            raise ValidationError("征求意见已经结束")
        release.status = ReleaseStatus.CLOSED
        release.consult_closed_by, release.consult_closed_at = actor, timezone.now()
        release.full_clean()
        release.save(update_fields=["status", "consult_closed_by", "consult_closed_at"])
        audit.record(
            actor=actor,
            action="results.consultation_close",
            obj=release,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before={"status": ReleaseStatus.CONSULTING},
            after={"status": release.status, "comments": release.comments.count()},
        )
    return release


def release_approve(*, actor: Any, plan: Plan, release: ResultRelease, approved_by: str, approved_on: dt.date) -> ReleaseApproval:
    """Record 审定: who approved the results (e.g. “市法治政府建设领导小组第3次会议审定”) and on which day."""
    access.require(actor, "results:publish", plan)
    who = (approved_by or "").strip()
    if not who:
        raise ValidationError("请填写审定机构或会议（如“市法治政府建设领导小组第3次会议审定”）")
    if len(who) > APPROVER_MAX:
        raise ValidationError(f"审定机构或会议不能超过 {APPROVER_MAX} 字")
    check_date_in_bounds(approved_on, plan=plan, field_label="审定日期")
    if approved_on > timezone.localdate():
        raise ValidationError("审定日期不能晚于今天")
    with transaction.atomic():
        plan, release = _lock_release(plan, release)
        _require_current(release)
        if release.status == ReleaseStatus.CONSULTING:
            raise ValidationError("请先结束征求意见，再记录审定")
        if release.status not in (ReleaseStatus.CLOSED, ReleaseStatus.WITHDRAWN):
            raise ValidationError(f"当前状态为“{release.get_status_display()}”，不能记录审定")
        if approved_on < timezone.localtime(release.created_at).date():
            raise ValidationError("审定日期不能早于发起征求意见的日期")
        require_fresh(plan, release.snapshot, then="重新发起征求意见，再记录审定")
        approval = ReleaseApproval(
            release=release, approved_by=who, approved_on=approved_on, recorded_by=actor, recorded_at=timezone.now()
        )
        approval.full_clean()
        approval.save(force_insert=True)
        before = release.status
        release.status = ReleaseStatus.APPROVED
        release.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="results.approve",
            obj=release,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before={"status": before},
            after={"status": release.status, "approved_by": who, "approved_on": approved_on, "approval": approval.pk},
        )
    return approval


BULLETIN_FIELDS = (
    "bulletin_number",
    "bulletin_title",
    "bulletin_addressees",
    "bulletin_opening",
    "bulletin_requirements",
    "bulletin_signature",
    "bulletin_date",
    "bulletin_imprint",
    "bulletin_imprint_date",
    "bulletin_contact",
    "bulletin_analysis",
)


def release_bulletin_edit(*, actor: Any, plan: Plan, release: ResultRelease, values: Mapping[str, Any]) -> ResultRelease:
    """Store the office's edits of the bulletin (blank = the default text); frozen once published."""
    access.require(actor, "results:publish", plan)
    for name, label in (("bulletin_date", "成文日期"), ("bulletin_imprint_date", "印发日期")):
        if isinstance(day := values.get(name), dt.date):
            check_date_in_bounds(day, plan=plan, field_label=label)
    with transaction.atomic():
        plan, release = _lock_release(plan, release)
        if not release.is_editable:
            raise ValidationError("考核结果已公布，通报以公布时的内容为准，不能再修改")
        before = {name: getattr(release, name) for name in BULLETIN_FIELDS}
        for name in BULLETIN_FIELDS:
            value = values.get(name)
            setattr(release, name, value.strip() if isinstance(value, str) else value)
        after = {name: getattr(release, name) for name in BULLETIN_FIELDS}
        if after == before:
            return release
        release.bulletin_edited_by, release.bulletin_edited_at = actor, timezone.now()
        release.full_clean()
        release.save(update_fields=[*BULLETIN_FIELDS, "bulletin_edited_by", "bulletin_edited_at"])
        changed = [name for name in BULLETIN_FIELDS if before[name] != after[name]]
        audit.record(
            actor=actor,
            action="results.bulletin_edit",
            obj=release,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return release


def copy_recipient_add(*, actor: Any, plan: Plan, release: ResultRelease, organisation: Organisation) -> CopyRecipient:
    """Copy the results to an organisation of the organiser's region (抄送), before publication."""
    access.require(actor, "results:publish", plan)
    with transaction.atomic():
        plan, release = _lock_release(plan, release)
        if not release.is_editable:
            raise ValidationError("考核结果已公布，不能再修改抄送单位")
        if organisation.region_id != plan.organiser.region_id:
            raise ValidationError("只能抄送本区划的单位")
        if plan.units.filter(organisation=organisation).exists():
            raise ValidationError(f"{organisation.name}是考核对象，公布时已书面送达，无须抄送")
        if release.copy_recipients.filter(organisation=organisation).exists():
            raise ValidationError(f"{organisation.name}已在抄送单位中")
        recipient = CopyRecipient(release=release, organisation=organisation, added_by=actor, added_at=timezone.now())
        recipient.full_clean()
        recipient.save(force_insert=True)
        audit.record(
            actor=actor,
            action="results.copy_add",
            obj=recipient,
            plan_id=plan.pk,
            organisation=organisation,
            after={"release": release.seq, "organisation": organisation.name},
        )
    return recipient


def copy_recipient_remove(*, actor: Any, plan: Plan, recipient: CopyRecipient) -> None:
    access.require(actor, "results:publish", plan)
    with transaction.atomic():
        plan, release = _lock_release(plan, recipient.release)
        if not release.is_editable:
            raise ValidationError("考核结果已公布，不能再修改抄送单位")
        name = recipient.organisation.name
        audit.record(
            actor=actor,
            action="results.copy_remove",
            obj=recipient,
            plan_id=plan.pk,
            organisation=recipient.organisation,
            before={"release": release.seq, "organisation": name},
        )
        CopyRecipient.objects.filter(pk=recipient.pk).delete()


def current_digest(plan: Plan, missing_policy: str) -> str:
    """The inputs digest the plan's rows would have now (loader only, no computation; ten queries)."""
    return digest_of(load_plan(plan, missing_policy).inputs)


def bonus_pending_by_unit(plan: Plan) -> list[tuple[str, list[str]]]:
    """Undecided 加分申请 by unit (name, matters), in unit order: they block publication (one query)."""
    by_unit: dict[str, list[str]] = {}
    for name, matter in (
        BonusApplication.objects.filter(plan=plan, status=BonusApplication.Status.PENDING)
        .order_by("unit__organisation__sort_key", "created_at", "pk")
        .values_list("unit__organisation__name", "matter")
    ):
        by_unit.setdefault(name, []).append(matter)
    return list(by_unit.items())


def _missing_units(snapshot: ResultSnapshot, limit: int = 10) -> str:
    """The units a snapshot lacks evaluations of, by name with their counts, in the plan's order (two queries)."""
    missing = ResultSnapshot.objects.filter(pk=snapshot.pk).values_list(KeyTransform("missing", "data"), flat=True).get()
    counts = {int(unit_id): len(task_ids) for unit_id, task_ids in (missing or {}).items()}
    units = list(
        PlanUnit.objects.filter(pk__in=counts)
        .order_by("category__order", "organisation__sort_key", "pk")
        .values_list("pk", "organisation__name")
    )
    listed = "、".join(f"{name} {counts[pk]} 项" for pk, name in units[:limit])
    return listed + (f"等 {len(units)} 个" if len(units) > limit else "")


def publication_problems(plan: Plan, release: ResultRelease) -> list[str]:
    """Every reason the release cannot be published now, in words (empty: it can)."""
    problems: list[str] = []
    snapshot = release.snapshot
    if not release.is_current:
        problems.append("该征求意见稿已被新的征求意见稿取代")
    if release.is_published:
        problems.append("考核结果已经公布")
    elif plan.status != Plan.Status.PUBLISHED:
        problems.append(f"方案当前状态为“{plan.get_status_display()}”，不能公布考核结果")
    if not snapshot.complete:
        problems.append(
            f"第{snapshot.seq}次计算评价未齐：{snapshot.unscored_count} 个考核对象缺少 {snapshot.missing_count} 项评价"
            f"（{_missing_units(snapshot)}）；须补齐评价，或由考核办记录决定按0分计，并重新计算"
        )
    # A complete snapshot with missing evaluations carries the office's recorded decision (按0分计, with its note:
    # a database constraint), made at computation; it holds through consultation and 审定 to publication.
    problems.extend(publication_blockers(plan))
    try:
        stale = stale_reason(plan, snapshot)
    except ValidationError as exc:
        problems.append("无法核对当前得分：" + "；".join(exc.messages))
    else:
        if stale is not None:
            problems.append(f"{stale}，须重新计算并重新征求意见")
    if release.status == ReleaseStatus.CONSULTING:
        problems.append("征求意见尚未结束")
    if release.status != ReleaseStatus.PUBLISHED and not release.approvals.filter(voided_at__isnull=True).exists():
        problems.append("尚未记录审定（领导小组审定）")
    return problems


class PublicationRefused(ValidationError):
    """Publication refused; ``messages`` lists every reason."""


def release_publish(*, actor: Any, plan: Plan, release: ResultRelease, today: dt.date | None = None) -> ResultPublication:
    """Publish the release: the plan becomes 结果已公布 (scores frozen), the bulletin is frozen, the results are
    sent in writing to every unit of the plan and to the copy recipients (a receipt per organisation)."""
    from kaohe.results.bulletin import BulletinTexts, resolve_texts

    access.require(actor, "results:publish", plan)
    with transaction.atomic():
        plan, release = _lock_release(plan, release)
        problems = publication_problems(plan, release)
        if problems:
            raise PublicationRefused(problems)
        approval = release.approvals.get(voided_at__isnull=True)
        now = timezone.now()
        day = today or timezone.localdate()
        texts = resolve_texts(plan, BulletinTexts.of_release(release), day)
        lists = selectors.category_lists(release.snapshot)
        two_years = selectors.excellent_two_years(plan, lists)
        publication = ResultPublication(
            release=release,
            plan=plan,
            snapshot=release.snapshot,
            approval=approval,
            published_by=actor,
            published_at=now,
            bulletin=texts.as_json(),
            excellent_two_years=two_years.as_json(),
        )
        publication.full_clean()
        publication.save(force_insert=True)
        units = list(plan.units.values_list("pk", "organisation_id"))
        copies = list(release.copy_recipients.values_list("organisation_id", flat=True))
        ResultReceipt.objects.bulk_create(
            [ResultReceipt(publication=publication, organisation_id=org, kind=ReceiptKind.UNIT, unit_id=pk) for pk, org in units]
            + [ResultReceipt(publication=publication, organisation_id=org, kind=ReceiptKind.COPY) for org in copies]
        )
        release.status = ReleaseStatus.PUBLISHED
        release.save(update_fields=["status"])
        plan.status = Plan.Status.RESULTS_PUBLISHED
        plan.full_clean()
        plan.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action="results.publish",
            obj=publication,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before={"plan_status": Plan.Status.PUBLISHED},
            after={
                "plan_status": plan.status,
                "release": release.seq,
                "snapshot": release.snapshot.seq,
                "inputs_digest": release.snapshot.inputs_digest,
                "approval": {"approved_by": approval.approved_by, "approved_on": approval.approved_on},
                "units": len(units),
                "copies": len(copies),
                "bulletin": texts.as_json(),
                "excellent_two_years": two_years.as_json(),
            },
        )
        url = reverse("results:published", args=[plan.pk])
        title = f"{plan.title}：考核结果已公布"
        notifications.notify_organisations(
            organisation_ids=[org for _pk, org in units], role=Role.UNIT, plan_id=plan.pk, title=title, url=url
        )
        notifications.notify_organisations(organisation_ids=copies, role=Role.VIEWER, plan_id=plan.pk, title=title, url=url)
    return publication


def release_reopen(*, actor: Any, plan: Plan, release: ResultRelease, reason: str) -> ResultPublication:
    """撤回公布: the plan goes back to 已发布 (scores may change again), the approval is voided (a new publication
    needs a new 审定), the publication is marked withdrawn with the written reason."""
    access.require(actor, "results:publish", plan)
    why = (reason or "").strip()
    if not why:
        raise ValidationError("撤回公布须写明理由")
    if len(why) > REASON_MAX:
        raise ValidationError(f"理由不能超过 {REASON_MAX} 字")
    with transaction.atomic():
        plan, release = _lock_release(plan, release)
        if not release.is_published:
            raise ValidationError("考核结果尚未公布，无须撤回")
        publication = ResultPublication.objects.select_for_update().get(release=release, withdrawn_at__isnull=True)
        now = timezone.now()
        publication.withdrawn_by, publication.withdrawn_at, publication.withdraw_reason = actor, now, why
        publication.full_clean()
        publication.save(update_fields=["withdrawn_by", "withdrawn_at", "withdraw_reason"])
        approval = release.approvals.select_for_update().get(voided_at__isnull=True)
        approval.voided_by, approval.voided_at, approval.void_reason = actor, now, f"撤回公布：{why}"
        approval.full_clean()
        approval.save(update_fields=["voided_by", "voided_at", "void_reason"])
        release.status = ReleaseStatus.WITHDRAWN
        release.save(update_fields=["status"])
        plan.status = Plan.Status.PUBLISHED
        plan.full_clean()
        plan.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action="results.reopen",
            obj=publication,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before={"plan_status": Plan.Status.RESULTS_PUBLISHED, "approval": approval.approved_by},
            after={"plan_status": plan.status, "reason": why, "release": release.seq, "approval_voided": approval.pk},
        )
    return publication


def receipt_mark_read(*, actor: Any, plan: Plan, publication: ResultPublication) -> list[ResultReceipt]:
    """The actor opened the published results: mark the unread receipts of their receiving organisations (once)."""
    organisations = receiving_organisation_ids(actor, plan)
    if not organisations:
        return []
    with transaction.atomic():
        unread = list(
            ResultReceipt.objects.select_for_update()
            .select_related("organisation")
            .filter(publication=publication, organisation_id__in=organisations, read_at__isnull=True)
        )
        now = timezone.now()
        for receipt in unread:
            receipt.read_by, receipt.read_at = actor, now
            receipt.save(update_fields=["read_by", "read_at"])
            audit.record(
                actor=actor,
                action="results.receipt",
                obj=receipt,
                plan_id=plan.pk,
                organisation=receipt.organisation,
                after={"publication": publication.pk, "kind": receipt.kind, "read_at": now},
            )
    return unread
