"""Writes of 加减分: bonus applications and their decisions, deductions, veto flags.

PDS L45–51 (rules.md §A4): a unit applies for a bonus (+1 per matter, the same matter counts once, total
capped at 5) and the office decides; the office records deductions (the related task scores 0, and 1–3
points come off the total; the same matter counts once). "The same matter" is the engine's
``normalise_matter`` key, or an explicit link (``duplicate_of``) the office makes between two wordings.
Veto flags are facts recorded per unit that cap its grade (e.g. two lost lawsuits → not 优秀).

Every service checks permission itself, validates, runs in one transaction and writes an audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.access.grading import get_bonus_application_for_user
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.notifications import notify_organisations
from kaohe.core.storage import delete_quietly, open_for_download, store_attachment
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, Plan, PlanUnit, ScoringPolicy
from kaohe.plans.selectors import policy_of
from kaohe.plans.services import ensure_scoring_open, lock_scoring_open
from kaohe.scoring.models import BonusApplication, BonusKind, Deduction, DeductionKind, VetoFlag
from kaohe.scoring.rules import normalise_matter

Status = BonusApplication.Status
CENT = Decimal("0.01")


class VetoKind(models.TextChoices):
    """Recorded facts that cap a unit's grade (DESIGN §2.8); the values are the engine's ``Veto.flag``."""

    TWO_LOST_LAWSUITS = "two_lost_lawsuits", "年度内行政诉讼败诉两起以上"
    PRINCIPAL_ABSENT = "principal_absent", "行政机关主要负责人未按规定出庭应诉"


def veto_conditions(plan: Plan) -> list[tuple[str, str]]:
    """(key, wording) of the plan's veto conditions, as set on the scoring rules page."""
    return [(str(v["key"]), str(v.get("label") or v["key"])) for v in policy_of(plan).vetoes or [] if v.get("key")]


def flag_label(flag: str, labels: Mapping[str, str] | None = None) -> str:
    """The Chinese wording of a recorded flag: the plan's condition (``labels``), a default kind, else the key."""
    if labels and flag in labels:
        return labels[flag]
    return str(VetoKind(flag).label) if flag in VetoKind.values else flag


def recorded_labels(vetoes: object) -> dict[str, str]:
    """Flag → wording from a snapshot's recorded vetoes (``inputs.policy.vetoes``: flag, denied_grade, reason)."""
    if not isinstance(vetoes, list):
        return {}
    return {str(v["flag"]): str(v.get("reason") or v["flag"]) for v in vetoes if isinstance(v, dict) and v.get("flag")}


# --- shared checks -------------------------------------------------------------------------------------


def _require_open(plan: Plan) -> None:
    ensure_scoring_open(plan)


def _require_own_unit(actor: User, plan: Plan, unit: PlanUnit) -> None:
    if not (access.can(actor, "adjustment:apply", plan) and access.is_own_unit(actor, unit, plan)):
        raise PermissionDenied("只能为本单位申请加分")


def _clean_matter(matter: str, label: str) -> str:
    text = " ".join((matter or "").split())
    try:
        normalise_matter(text)
    except ValueError:
        raise ValidationError(f"请填写{label}") from None
    if len(text) > 300:
        raise ValidationError(f"{label}不能超过 300 字")
    return text


def same_matter(a: str, b: str) -> bool:
    """Whether two wordings are the same matter for the engine (typing differences forgiven)."""
    return normalise_matter(a) == normalise_matter(b)


def _unit_url(plan: Plan) -> str:
    return reverse("scoring:adjustments_unit", args=[plan.pk])


def _points(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- bonus applications --------------------------------------------------------------------------------


def bonus_application_submit(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    kind: str,
    matter: str,
    description: str = "",
    evidence: Any = None,
) -> BonusApplication:
    """A unit applies for a bonus for one matter, with an optional (recommended) evidence file.

    The file is streamed to storage first; if it is refused (empty, oversize, disallowed type) nothing is
    saved and ``ValidationError`` carries the reason. If the row cannot be saved, the stored file is removed.
    """
    _require_own_unit(actor, plan, unit)
    _require_open(plan)
    if kind not in BonusKind.values:
        raise ValidationError("请选择加分类型")
    matter = _clean_matter(matter, "加分事项")
    description = (description or "").strip()
    if len(description) > 4000:
        raise ValidationError("情况说明不能超过 4000 字")
    stored = store_attachment(evidence, prefix=f"bonus/plan-{plan.pk}/unit-{unit.pk}", what="佐证材料", form="申请")
    try:
        with transaction.atomic():
            lock_scoring_open(plan)
            application = BonusApplication(
                plan=plan,
                unit=unit,
                kind=kind,
                matter=matter,
                description=description,
                evidence_name=stored.display_name if stored else "",
                evidence_sha256=stored.sha256 if stored else "",
                evidence_storage_name=stored.name if stored else "",
                points=policy_of(plan).bonus_per_item,
                applied_by=actor,
            )
            application.full_clean()
            application.save()
            audit.record(
                actor=actor,
                action="bonus.apply",
                obj=application,
                plan_id=plan.pk,
                organisation=unit.organisation,
                after={
                    "kind": kind,
                    "matter": matter,
                    "description": description,
                    "evidence": stored.display_name if stored else "",
                    "sha256": stored.sha256 if stored else "",
                    "size": stored.size if stored else 0,
                },
            )
    except Exception:
        if stored is not None:
            delete_quietly(stored.name)  # no file without a record
        raise
    return application


def bonus_application_withdraw(*, actor: User, plan: Plan, application: BonusApplication) -> None:
    """The unit takes back an application the office has not decided yet (the audit log keeps it)."""
    _require_own_unit(actor, plan, application.unit)
    _require_open(plan)
    with transaction.atomic():
        lock_scoring_open(plan)
        locked = BonusApplication.objects.select_for_update().get(pk=application.pk, plan=plan)
        if locked.status != Status.PENDING:
            raise ValidationError(f"该申请已{locked.get_status_display()}，只有待审核的申请可以撤回")
        audit.record(
            actor=actor,
            action="bonus.withdraw",
            obj=locked,
            plan_id=plan.pk,
            organisation=application.unit.organisation,
            before={
                "kind": locked.kind,
                "matter": locked.matter,
                "description": locked.description,
                "evidence": locked.evidence_name,
                "sha256": locked.evidence_sha256,
                "status": locked.status,
            },
            after=None,
        )
        storage_name = locked.evidence_storage_name
        locked.delete()
        if storage_name:
            transaction.on_commit(lambda: delete_quietly(storage_name))


def _bonus_root(target: BonusApplication, application: BonusApplication) -> BonusApplication:
    """The approved application ``application`` is linked to as the same matter (the root of any chain)."""
    if target.pk == application.pk or target.plan_id != application.plan_id or target.unit_id != application.unit_id:
        raise ValidationError("只能关联本单位已认定的其他加分申请")
    seen = {application.pk}
    root = target
    while True:
        if root.status != Status.APPROVED:
            raise ValidationError("只能关联本单位已认定的其他加分申请")
        if root.duplicate_of_id is None:
            return root
        if root.duplicate_of_id in seen:
            raise ValidationError("关联关系形成循环")
        seen.add(root.pk)
        root = BonusApplication.objects.get(pk=root.duplicate_of_id)


def bonus_application_decide(
    *,
    actor: User,
    plan: Plan,
    application: BonusApplication,
    approve: bool,
    reason: str = "",
    duplicate_of: BonusApplication | None = None,
) -> BonusApplication:
    """The office approves (认定) or rejects (不予认定, with a written reason) a pending application.

    Approving a matter that is the same as one already approved for the unit needs an explicit link
    (``duplicate_of``): the pair then counts once. Without it the approval is refused with the reason.
    """
    access.require(actor, "adjustment:decide", plan)
    _require_open(plan)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError("不予认定须写明理由")
    if len(reason) > 2000:
        raise ValidationError("审核意见不能超过 2000 字")
    with transaction.atomic():
        lock_scoring_open(plan)
        locked = (
            BonusApplication.objects.select_for_update(of=("self",))
            .select_related("unit__organisation")
            .get(pk=application.pk, plan=plan)
        )
        if locked.status != Status.PENDING:
            raise ValidationError(f"该申请已{locked.get_status_display()}，不能再次审核")
        root: BonusApplication | None = None
        if approve:
            if duplicate_of is not None:
                root = _bonus_root(duplicate_of, locked)
            else:
                approved = BonusApplication.objects.filter(plan=plan, unit_id=locked.unit_id, status=Status.APPROVED)
                same = next((a for a in approved.order_by("decided_at", "pk") if same_matter(a.matter, locked.matter)), None)
                if same is not None:
                    raise ValidationError(
                        f"“{locked.matter}”与已认定的“{same.matter}”为同一事项，同一事项不重复加分。"
                        "如确属同一事项，请在“与之为同一事项”中选择该项后认定（只计一次）；否则请不予认定。"
                    )
            locked.points = policy_of(plan).bonus_per_item
        locked.status = Status.APPROVED if approve else Status.REJECTED
        locked.duplicate_of = root
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.full_clean()
        locked.save(
            update_fields=["status", "points", "duplicate_of", "decided_by", "decided_at", "decision_reason", "updated_at"]
        )
        audit.record(
            actor=actor,
            action="bonus.decide",
            obj=locked,
            plan_id=plan.pk,
            organisation=locked.unit.organisation,
            before={"status": Status.PENDING},
            after={
                "status": locked.status,
                "points": locked.points if approve else None,
                "reason": reason,
                "duplicate_of": root.pk if root else None,
            },
        )
        if approve:
            title = f"加分申请已认定：{locked.matter[:60]}"
            body = f"与“{root.matter}”为同一事项，只加一次分。{reason}" if root else (reason or f"加 {_points(locked.points)} 分")
        else:
            title = f"加分申请不予认定：{locked.matter[:60]}"
            body = reason
        notify_organisations(
            organisation_ids=[locked.unit.organisation_id],
            role=Role.UNIT,
            plan_id=plan.pk,
            title=title,
            body=body,
            url=_unit_url(plan),
        )
    return locked


OFFICE_BONUS_NOTE = "考核办依据日常掌握情况认定"


def _same_matter_root(plan: Plan, unit: PlanUnit, matter: str, duplicate_of: BonusApplication | None) -> BonusApplication | None:
    """The approved bonus of ``unit`` a new bonus is linked to (explicit link); a same matter unlinked is refused."""
    approved = BonusApplication.objects.filter(plan=plan, unit=unit, status=Status.APPROVED)
    if duplicate_of is not None:
        if duplicate_of.plan_id != plan.pk or duplicate_of.unit_id != unit.pk:
            raise ValidationError("只能关联本单位已认定的其他加分")
        root = duplicate_of
        seen: set[int] = set()
        while True:
            if root.status != Status.APPROVED:
                raise ValidationError("只能关联本单位已认定的其他加分")
            if root.duplicate_of_id is None:
                return root
            if root.pk in seen:
                raise ValidationError("关联关系形成循环")
            seen.add(root.pk)
            root = BonusApplication.objects.get(pk=root.duplicate_of_id)
    same = next((a for a in approved.order_by("decided_at", "pk") if same_matter(a.matter, matter)), None)
    if same is not None:
        raise ValidationError(
            f"{unit.organisation.name}已有同一事项的加分“{same.matter}”（{same.get_source_display()}），同一事项不重复加分。"
            "如确属同一事项，请在“与之为同一事项”中选择该项（只计一次）。"
        )
    return None


def bonus_office_record(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    kind: str,
    matter: str,
    note: str = "",
    evidence: Any = None,
    duplicate_of: BonusApplication | None = None,
) -> BonusApplication:
    """The office awards a bonus itself from its daily knowledge (“市小组办依据日常工作…进行加分”).

    Stored as an approved ``BonusApplication`` with source 考核办认定, so it counts exactly like an approved
    application: the plan's points per matter, the same cap, the same matter once (an explicit link
    ``duplicate_of`` makes two wordings one matter). The evidence file is optional.
    """
    access.require(actor, "adjustment:decide", plan)
    _require_open(plan)
    if unit.plan_id != plan.pk:
        raise ValidationError("考核对象不属于本方案")
    if kind not in BonusKind.values:
        raise ValidationError("请选择加分类型")
    matter = _clean_matter(matter, "加分事项")
    note = (note or "").strip() or OFFICE_BONUS_NOTE
    if len(note) > 2000:
        raise ValidationError("认定说明不能超过 2000 字")
    stored = store_attachment(evidence, prefix=f"bonus/plan-{plan.pk}/unit-{unit.pk}", what="佐证材料", form="认定")
    try:
        with transaction.atomic():
            lock_scoring_open(plan)
            root = _same_matter_root(plan, unit, matter, duplicate_of)
            now = timezone.now()
            bonus = BonusApplication(
                plan=plan,
                unit=unit,
                kind=kind,
                matter=matter,
                evidence_name=stored.display_name if stored else "",
                evidence_sha256=stored.sha256 if stored else "",
                evidence_storage_name=stored.name if stored else "",
                points=policy_of(plan).bonus_per_item,
                status=Status.APPROVED,
                source=BonusApplication.Source.OFFICE,
                duplicate_of=root,
                applied_by=actor,
                decided_by=actor,
                decided_at=now,
                decision_reason=note,
            )
            bonus.full_clean()
            bonus.save()
            audit.record(
                actor=actor,
                action="bonus.office_record",
                obj=bonus,
                plan_id=plan.pk,
                organisation=unit.organisation,
                after={
                    "source": bonus.source,
                    "kind": kind,
                    "matter": matter,
                    "points": bonus.points,
                    "note": note,
                    "duplicate_of": root.pk if root else None,
                    "evidence": stored.display_name if stored else "",
                    "sha256": stored.sha256 if stored else "",
                },
            )
            same = f"与“{root.matter}”为同一事项，只加一次分。" if root else f"加 {_points(bonus.points)} 分。"
            notify_organisations(
                organisation_ids=[unit.organisation_id],
                role=Role.UNIT,
                plan_id=plan.pk,
                title=f"考核办认定加分：{matter[:60]}",
                body=f"{BonusKind(kind).label}，{same}{note}",
                url=_unit_url(plan),
            )
    except Exception:
        if stored is not None:
            delete_quietly(stored.name)  # no file without a record
        raise
    return bonus


# --- deductions ----------------------------------------------------------------------------------------


def check_deduction_points(points: Decimal, policy: ScoringPolicy) -> Decimal:
    """Points of one deduction: between the plan's minimum and maximum (评分规则; Pingdingshan: 1 and 3), 2 places."""
    low, high = policy.deduction_min, policy.deduction_max
    try:
        value = Decimal(points)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError("减分须为数字") from None
    if not value.is_finite():
        raise ValidationError("减分须为数字")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError("减分最多保留两位小数")
    if not low <= value <= high:
        raise ValidationError(
            f"减分须在 {_points(low)} 至 {_points(high)} 分之间（“视情况在总分中再扣1至3分”），当前为 {_points(value)} 分"
        )
    return value.quantize(CENT)


def _deduction_root(target: Deduction, deduction_unit_id: int, *, exclude_pk: int | None = None) -> Deduction:
    """The active deduction a new or existing deduction is linked to as the same matter (root of a chain)."""
    if target.pk == exclude_pk or target.unit_id != deduction_unit_id:
        raise ValidationError("只能关联本单位其他有效的减分记录")
    seen = {exclude_pk} if exclude_pk else set()
    root = target
    while True:
        if root.withdrawn_at is not None:
            raise ValidationError("只能关联本单位其他有效的减分记录")
        if root.duplicate_of_id is None:
            return root
        if root.duplicate_of_id in seen:
            raise ValidationError("关联关系形成循环")
        seen.add(root.pk)
        root = Deduction.objects.get(pk=root.duplicate_of_id)


def _deduction_snapshot(deduction: Deduction) -> dict[str, Any]:
    return {
        "kind": deduction.kind,
        "matter": deduction.matter,
        "points": deduction.points,
        "task": deduction.task.code if deduction.task else None,
        "reason": deduction.reason,
        "duplicate_of": deduction.duplicate_of_id,
    }


def deduction_record(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    kind: str,
    matter: str,
    points: Decimal,
    task: Indicator | None,
    reason: str,
    duplicate_of: Deduction | None = None,
) -> Deduction:
    """The office records a deduction: ``points`` (1–3) off the total; the related task then scores 0.

    A matter the same as an active deduction of the unit is refused unless linked (``duplicate_of``):
    the pair counts once, and every related task scores 0.
    """
    access.require(actor, "adjustment:decide", plan)
    _require_open(plan)
    if unit.plan_id != plan.pk:
        raise ValidationError("考核对象不属于本方案")
    if kind not in DeductionKind.values:
        raise ValidationError("请选择减分类型")
    matter = _clean_matter(matter, "减分事项")
    value = check_deduction_points(points, policy_of(plan))
    if task is not None and (task.plan_id != plan.pk or task.level != Level.TASK or task.category_id != unit.category_id):
        raise ValidationError(
            f"工作任务 {task.code} 不在{unit.organisation.name}所属类别（{unit.category.name}）的指标体系中，请选择该类别的工作任务"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写情况说明（减分依据）")
    with transaction.atomic():
        lock_scoring_open(plan)
        root: Deduction | None = None
        if duplicate_of is not None:
            root = _deduction_root(duplicate_of, unit.pk)
        else:
            active = Deduction.objects.filter(plan=plan, unit=unit, withdrawn_at__isnull=True).order_by("created_at", "pk")
            same = next((d for d in active if same_matter(d.matter, matter)), None)
            if same is not None:
                raise ValidationError(
                    f"{unit.organisation.name}已有同一事项的减分“{same.matter}”，同一事项不重复扣分。"
                    "如确属同一事项（例如涉及另一项工作任务），请在“与之为同一事项”中选择该记录。"
                )
        deduction = Deduction(
            plan=plan,
            unit=unit,
            kind=kind,
            matter=matter,
            points=value,
            task=task,
            reason=reason,
            duplicate_of=root,
            recorded_by=actor,
        )
        deduction.full_clean()
        deduction.save()
        audit.record(
            actor=actor,
            action="deduction.record",
            obj=deduction,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after=_deduction_snapshot(deduction),
        )
        task_text = f"，相关工作任务 {task.code} 按零分计算" if task else ""
        notify_organisations(
            organisation_ids=[unit.organisation_id],
            role=Role.UNIT,
            plan_id=plan.pk,
            title=f"减分：{matter[:60]}",
            body=f"{DeductionKind(kind).label}，减 {_points(value)} 分{task_text}。{reason}",
            url=_unit_url(plan),
        )
    return deduction


def deduction_withdraw(*, actor: User, plan: Plan, deduction: Deduction, reason: str) -> Deduction:
    """The office withdraws (撤销) a deduction: it stays on record with the time, and no longer counts."""
    access.require(actor, "adjustment:decide", plan)
    _require_open(plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写撤销理由")
    with transaction.atomic():
        lock_scoring_open(plan)
        locked = (
            Deduction.objects.select_for_update(of=("self",))
            .select_related("unit__organisation", "task")
            .get(pk=deduction.pk, plan=plan)
        )
        if locked.withdrawn_at is not None:
            raise ValidationError("该减分已撤销")
        locked.withdrawn_at = timezone.now()
        locked.full_clean()
        locked.save(update_fields=["withdrawn_at", "updated_at"])
        audit.record(
            actor=actor,
            action="deduction.withdraw",
            obj=locked,
            plan_id=plan.pk,
            organisation=locked.unit.organisation,
            before={**_deduction_snapshot(locked), "withdrawn_at": None},
            after={"withdrawn_at": locked.withdrawn_at, "reason": reason},
        )
        notify_organisations(
            organisation_ids=[locked.unit.organisation_id],
            role=Role.UNIT,
            plan_id=plan.pk,
            title=f"减分已撤销：{locked.matter[:60]}",
            body=reason,
            url=_unit_url(plan),
        )
    return locked


def deduction_link_duplicate(*, actor: User, plan: Plan, deduction: Deduction, duplicate_of: Deduction) -> Deduction:
    """The office links two deductions of one unit as the same matter: they count once."""
    access.require(actor, "adjustment:decide", plan)
    _require_open(plan)
    with transaction.atomic():
        lock_scoring_open(plan)
        locked = (
            Deduction.objects.select_for_update(of=("self",)).select_related("unit__organisation").get(pk=deduction.pk, plan=plan)
        )
        if locked.withdrawn_at is not None:
            raise ValidationError("该减分已撤销")
        root = _deduction_root(duplicate_of, locked.unit_id, exclude_pk=locked.pk)
        before = locked.duplicate_of_id
        locked.duplicate_of = root
        locked.full_clean()
        locked.save(update_fields=["duplicate_of", "updated_at"])
        audit.record(
            actor=actor,
            action="deduction.link",
            obj=locked,
            plan_id=plan.pk,
            organisation=locked.unit.organisation,
            before={"duplicate_of": before},
            after={"duplicate_of": root.pk, "matter": root.matter},
        )
    return locked


# --- veto flags ----------------------------------------------------------------------------------------


def veto_flag_set(*, actor: User, plan: Plan, unit: PlanUnit, flag: str, note: str) -> VetoFlag:
    """The office records a fact that caps the unit's grade (e.g. two lost lawsuits → not 优秀)."""
    access.require(actor, "adjustment:decide", plan)
    _require_open(plan)
    if unit.plan_id != plan.pk:
        raise ValidationError("考核对象不属于本方案")
    labels = dict(veto_conditions(plan))
    if flag not in labels:
        raise ValidationError("请选择否决情形")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写说明（如案号、文书）")
    if len(note) > 2000:
        raise ValidationError("说明不能超过 2000 字")
    with transaction.atomic():
        lock_scoring_open(plan)
        if VetoFlag.objects.filter(unit=unit, flag=flag).exists():
            raise ValidationError(f"{unit.organisation.name}已记录“{labels[flag]}”")
        record = VetoFlag(plan=plan, unit=unit, flag=flag, note=note, recorded_by=actor)
        record.full_clean()
        record.save()
        audit.record(
            actor=actor,
            action="veto.set",
            obj=record,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after={"flag": flag, "note": note},
        )
    return record


def veto_flag_clear(*, actor: User, plan: Plan, flag: VetoFlag, reason: str) -> None:
    """The office removes a flag recorded in error; the audit log keeps what it was and why it went."""
    access.require(actor, "adjustment:decide", plan)
    _require_open(plan)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写取消理由")
    with transaction.atomic():
        lock_scoring_open(plan)
        locked = VetoFlag.objects.select_for_update(of=("self",)).select_related("unit__organisation").get(pk=flag.pk, plan=plan)
        audit.record(
            actor=actor,
            action="veto.clear",
            obj=locked,
            plan_id=plan.pk,
            organisation=locked.unit.organisation,
            before={"flag": locked.flag, "note": locked.note, "recorded_by": locked.recorded_by_id},
            after={"reason": reason},
        )
        locked.delete()


# --- evidence ------------------------------------------------------------------------------------------


def bonus_evidence_open(*, actor: User, plan: Plan, application: BonusApplication) -> File[bytes]:
    """Open an application's evidence file for download; every download is audited."""
    get_bonus_application_for_user(actor, plan, application.pk)
    if not application.evidence_storage_name:
        raise Http404("该申请没有佐证材料")
    handle = open_for_download(application.evidence_storage_name)
    audit.record(
        actor=actor,
        action="bonus.evidence_download",
        obj=application,
        plan_id=plan.pk,
        organisation=application.unit.organisation,
        after={"file": application.evidence_name, "sha256": application.evidence_sha256},
    )
    return handle
