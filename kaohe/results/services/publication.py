"""Publication (结果公布): what still blocks it, the act itself (scores frozen, the bulletin frozen, a receipt
per organisation), reopening with a reason, and units' receipts.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.access.results import receiving_organisation_ids
from kaohe.accounts.models import User
from kaohe.core import audit, notifications
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan
from kaohe.results import selectors
from kaohe.results.blockers import publication_blockers
from kaohe.results.loader import digest_of, load_plan
from kaohe.results.models import ReceiptKind, ReleaseStatus, ResultPublication, ResultReceipt, ResultRelease
from kaohe.results.services.release import REASON_MAX, _lock_release, _missing_units
from kaohe.results.staleness import stale_reason
from kaohe.scoring.models import BonusApplication


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


def release_publish(*, actor: User, plan: Plan, release: ResultRelease, today: dt.date | None = None) -> ResultPublication:
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


def release_reopen(*, actor: User, plan: Plan, release: ResultRelease, reason: str) -> ResultPublication:
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


def receipt_mark_read(*, actor: User, plan: Plan, publication: ResultPublication) -> list[ResultReceipt]:
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
