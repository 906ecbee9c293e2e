"""典型经验 (good practice shared), writes: mark, publish, withdraw — the office only, each audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, Plan
from kaohe.results.models_practice import GoodPractice, PracticeStatus
from kaohe.scoring.models import BonusApplication
from kaohe.submissions.models import EvidenceFile

CAPABILITY = "results:publish"
TITLE_MAX = 100
NOTE_MAX = 1000


def _level1(task: Indicator) -> Indicator | None:
    node: Indicator | None = task
    while node is not None and node.level != Level.LEVEL1:
        node = node.parent
    return node


def good_practice_mark(
    *,
    actor: User,
    plan: Plan,
    title: str,
    note: str = "",
    evidence_file: EvidenceFile | None = None,
    bonus: BonusApplication | None = None,
) -> GoodPractice:
    """Mark an evidence file or an approved bonus matter of the plan as a good practice (a draft)."""
    access.require(actor, CAPABILITY, plan)
    title, note = title.strip(), note.strip()
    errors = []
    if not title:
        errors.append("请填写典型经验的标题")
    elif len(title) > TITLE_MAX:
        errors.append(f"标题不超过 {TITLE_MAX} 个字")
    if len(note) > NOTE_MAX:
        errors.append(f"简要说明不超过 {NOTE_MAX} 个字")
    if (evidence_file is None) == (bonus is None):
        errors.append("请选择一份报送资料或一项已认定的加分事项")
    if evidence_file is not None and (evidence_file.submission.plan_id != plan.pk or evidence_file.withdrawn_at is not None):
        errors.append("该报送资料不存在或已撤回")
    if bonus is not None and (bonus.plan_id != plan.pk or bonus.status != BonusApplication.Status.APPROVED):
        errors.append("只有已认定的加分事项可以标为典型经验")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        taken = GoodPractice.objects.filter(plan=plan)
        if evidence_file is not None and taken.filter(evidence_file=evidence_file).exists():
            raise ValidationError("该报送资料已标为典型经验")
        if bonus is not None and taken.filter(bonus=bonus).exists():
            raise ValidationError("该加分事项已标为典型经验")
        if evidence_file is not None:
            unit, area = evidence_file.submission.unit, _level1(evidence_file.submission.task)
        elif bonus is not None:
            unit, area = bonus.unit, None
        practice = GoodPractice(
            plan=plan,
            unit=unit,
            area=area,
            evidence_file=evidence_file,
            bonus=bonus,
            title=title,
            note=note,
            created_by=actor,
            created_at=timezone.now(),
        )
        practice.full_clean()
        practice.save(force_insert=True)
        audit.record(
            actor=actor,
            action="practice.mark",
            obj=practice,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after={
                "title": title,
                "unit": unit.organisation.name,
                "evidence_file": evidence_file.display_name if evidence_file is not None else None,
                "bonus": bonus.matter if bonus is not None else None,
            },
        )
    return practice


def _set_status(*, actor: User, plan: Plan, practice: GoodPractice, status: PracticeStatus, action: str) -> GoodPractice:
    access.require(actor, CAPABILITY, plan)
    with transaction.atomic():
        locked = GoodPractice.objects.select_for_update().get(pk=practice.pk, plan=plan)
        before = locked.status
        now = timezone.now()
        if status == PracticeStatus.PUBLISHED:
            if locked.status == PracticeStatus.PUBLISHED:
                raise ValidationError("该典型经验已发布")
            locked.status, locked.published_at, locked.withdrawn_by, locked.withdrawn_at = status, now, None, None
        else:
            if locked.status != PracticeStatus.PUBLISHED:
                raise ValidationError("只有已发布的典型经验可以撤回")
            locked.status, locked.withdrawn_by, locked.withdrawn_at = status, actor, now
        locked.full_clean()
        locked.save(update_fields=["status", "published_at", "withdrawn_by", "withdrawn_at"])
        audit.record(
            actor=actor,
            action=action,
            obj=locked,
            plan_id=plan.pk,
            before={"status": before},
            after={"status": locked.status, "title": locked.title},
        )
    return locked


def good_practice_publish(*, actor: User, plan: Plan, practice: GoodPractice) -> GoodPractice:
    """Publish a good practice: everyone in the plan reads it on the 典型经验 page."""
    return _set_status(actor=actor, plan=plan, practice=practice, status=PracticeStatus.PUBLISHED, action="practice.publish")


def good_practice_withdraw(*, actor: User, plan: Plan, practice: GoodPractice) -> GoodPractice:
    """Withdraw a published good practice: units no longer see it (the office still does)."""
    return _set_status(actor=actor, plan=plan, practice=practice, status=PracticeStatus.WITHDRAWN, action="practice.withdraw")
