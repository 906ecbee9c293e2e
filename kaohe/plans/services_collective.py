"""集中反馈 on request (PDS 五(四) "除考核对象特别要求外,不再进行集中反馈"): a 考核对象 asks the office, with a note,
for a collective feedback meeting, or withdraws its request; the office sees the requests on its feedback page
(reviews:office). Only while the plan is under way (published, results not yet published)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe.access.base import is_own_unit
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.plans.models import Plan, PlanUnit

NOTE_MAX = 500


def collective_feedback_request(*, actor: User, plan: Plan, unit: PlanUnit, note: str) -> PlanUnit:
    """Record (``note`` given) or withdraw (``note`` empty) the unit's request for a collective feedback meeting."""
    if unit.plan_id != plan.pk or not is_own_unit(actor, unit, plan):
        raise PermissionDenied("只有考核对象本单位可以提出集中反馈要求")
    if plan.status != Plan.Status.PUBLISHED:
        raise ValidationError("考核进行中（方案已发布、结果未公布）才能提出或撤回集中反馈要求")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(f"集中反馈要求不能超过{NOTE_MAX}字")
    with transaction.atomic():
        locked = PlanUnit.objects.select_for_update().get(pk=unit.pk)
        if not note and locked.collective_feedback_requested_at is None:
            raise ValidationError("请填写集中反馈的要求（如希望反馈的时间、参加人员）")
        before = {"note": locked.collective_feedback_note}
        locked.collective_feedback_note = note
        locked.collective_feedback_requested_at = timezone.now() if note else None
        locked.full_clean()
        locked.save(update_fields=["collective_feedback_note", "collective_feedback_requested_at"])
        audit.record(
            actor=actor,
            action="unit.collective_feedback_request" if note else "unit.collective_feedback_withdraw",
            obj=locked,
            plan_id=plan.pk,
            before=before,
            after={"note": note},
        )
    unit.collective_feedback_note = locked.collective_feedback_note
    unit.collective_feedback_requested_at = locked.collective_feedback_requested_at
    return unit
