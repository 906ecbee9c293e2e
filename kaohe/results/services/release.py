"""Releasing a snapshot (结果审定): consultation (征求意见) and its comments, 审定, the bulletin's wording and
its copy recipients. Every act locks the plan row and re-reads the release under the lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.json import KeyTransform
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.access.results import consulting_organisations
from kaohe.accounts.models import User
from kaohe.core import audit, notifications
from kaohe.core.dates import check_date_in_bounds
from kaohe.organisations.models import Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan, PlanUnit
from kaohe.results.models import ConsultationComment, CopyRecipient, ReleaseApproval, ReleaseStatus, ResultRelease, ResultSnapshot
from kaohe.results.staleness import require_fresh

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


def release_start(*, actor: User, plan: Plan, snapshot: ResultSnapshot, consult_until: dt.date) -> ResultRelease:
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
        notifications.notify_organisations(organisation_ids=desks, role=Role.DESK, plan_id=plan.pk, title=title, url=url)
        notifications.notify_organisations(organisation_ids=members, role=Role.VIEWER, plan_id=plan.pk, title=title, url=url)
    return release


def consultation_comment_add(
    *, actor: User, plan: Plan, release: ResultRelease, organisation: Organisation, text: str
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


def consultation_close(*, actor: User, plan: Plan, release: ResultRelease) -> ResultRelease:
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


def release_approve(
    *, actor: User, plan: Plan, release: ResultRelease, approved_by: str, approved_on: dt.date
) -> ReleaseApproval:
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
    "bulletin_problem_counts",
)


def release_bulletin_edit(*, actor: User, plan: Plan, release: ResultRelease, values: Mapping[str, Any]) -> ResultRelease:
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


def copy_recipient_add(*, actor: User, plan: Plan, release: ResultRelease, organisation: Organisation) -> CopyRecipient:
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


def copy_recipient_remove(*, actor: User, plan: Plan, recipient: CopyRecipient) -> None:
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
