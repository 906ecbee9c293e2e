"""The plan's own settings (方案设置): title, 文号, period, timeline, the office's contact, member units and copy
recipients.

``plan_settings_update`` is the only write. A draft changes freely; a published plan (考核进行中) changes only
with a written reason, which is audited with the before → after of every field and sent, as a notification, to
the units and desks the change touches (a deadline for evidence touches both; the 日常考核 scoring deadline
touches the desks; member units and copy recipients touch nobody's work). Once the results are published the
settings are frozen with them.

The 实地考核 window belongs to the field-work page (inspections.fieldwork.services.window_set), which checks the
scheduled visits against it; this page shows it and links there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.dates import check_date_in_bounds
from kaohe.core.notifications import notify_organisations
from kaohe.organisations.models import Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.models import AssessorDesk, Plan, PlanUnit

REASON_MAX = 500

#: Scalar fields of Plan this service changes, in the order of the page.
SCALAR_FIELDS: tuple[str, ...] = (
    "title",
    "doc_number",
    "period_start",
    "period_end",
    "submission_deadline",
    "case_files_deadline",
    "daily_scores_deadline",
    "feedback_deadline",
    "consultation_days",
    "office_contact_name",
    "office_contact_phone",
    "office_contact_address",
)
#: The office's contact (PDS 七(五)): free text, stripped; shown to units and desks on the plan's page.
CONTACT_FIELDS = ("office_contact_name", "office_contact_phone", "office_contact_address")
PHONE_PATTERN = re.compile(r"^[0-9０-９+\-－()（）、，, /转]*$")
DATE_FIELDS = (
    "period_start",
    "period_end",
    "submission_deadline",
    "case_files_deadline",
    "daily_scores_deadline",
    "feedback_deadline",
)
LIST_FIELDS = ("member_organisations", "copy_organisations")
LABELS = {name: str(getattr(Plan._meta.get_field(name), "verbose_name", name)) for name in (*SCALAR_FIELDS, *LIST_FIELDS)}
#: Who a changed field concerns once the plan is published: units (考核对象) and/or desks (考核主体).
TOUCHES: dict[str, tuple[Role, ...]] = {
    "title": (Role.UNIT, Role.DESK),
    "doc_number": (Role.UNIT, Role.DESK),
    "period_start": (Role.UNIT, Role.DESK),
    "period_end": (Role.UNIT, Role.DESK),
    "submission_deadline": (Role.UNIT, Role.DESK),
    "case_files_deadline": (Role.UNIT,),
    "daily_scores_deadline": (Role.DESK,),
    "feedback_deadline": (),  # the office's own deadline
    "consultation_days": (),
    "office_contact_name": (),
    "office_contact_phone": (),
    "office_contact_address": (),
    "member_organisations": (),
    "copy_organisations": (),
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any


def default_timeline(year: int) -> dict[str, dt.date]:
    """Suggested dates of a new plan of ``year``, after the Pingdingshan and Jiaozuo 2020 plans.

    Evidence by 31 Dec; case files in mid-January; the 日常考核 scores by 20 January (Jiaozuo: "于2021年1月20日之前
    提交"). The office changes any of them; they are only what the empty fields of the settings page propose.
    """
    return {
        "submission_deadline": dt.date(year, 12, 31),
        "case_files_deadline": dt.date(year + 1, 1, 13),
        "daily_scores_deadline": dt.date(year + 1, 1, 20),
    }


def region_organisations(plan: Plan) -> Any:
    """Organisations a plan may name as member units or copy recipients: the organiser's region (as 抄送 of the
    results, results.services.copy_add), the organiser itself excepted."""
    return (
        Organisation.objects.filter(region_id=plan.organiser.region_id).exclude(pk=plan.organiser_id).order_by("sort_key", "name")
    )


def _display(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def _check_dates(plan: Plan, values: dict[str, Any]) -> None:
    for name in DATE_FIELDS:
        if values.get(name) is not None:
            check_date_in_bounds(values[name], plan=plan, field_label=LABELS[name])
    start, end = values["period_start"], values["period_end"]
    if end < start:
        raise ValidationError("考核期间止不能早于考核期间起")
    submission, daily = values.get("submission_deadline"), values.get("daily_scores_deadline")
    if submission and daily and daily < submission:
        raise ValidationError("日常考核评分截止不能早于资料报送截止：考核主体须在资料报送截止后完成评分")
    feedback = values.get("feedback_deadline")
    if feedback and feedback < start:
        raise ValidationError("问题反馈截止不能早于考核期间起")
    days = values["consultation_days"]
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise ValidationError("征求意见期须为1至60天")


def plan_settings_update(
    *,
    actor: User,
    plan: Plan,
    values: dict[str, Any],
    member_organisations: Iterable[Organisation],
    copy_organisations: Iterable[Organisation],
    reason: str = "",
) -> list[Change]:
    """Change the plan's settings; returns the changes made (empty: nothing changed, nothing recorded)."""
    access.require(actor, "plan:settings", plan)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError(f"修改理由不能超过{REASON_MAX}字")
    members = {o.pk for o in member_organisations}
    copies = {o.pk for o in copy_organisations}
    allowed = set(region_organisations(plan).values_list("pk", flat=True))
    if not (members | copies) <= allowed:
        raise ValidationError("成员单位和抄送单位只能是本区划的单位（组织单位本身除外）")
    units = set(PlanUnit.objects.filter(plan=plan, organisation_id__in=copies).values_list("organisation__name", flat=True))
    if units:
        raise ValidationError(f"{'、'.join(sorted(units))}是考核对象，公布时已书面送达，无须抄送")
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if locked.status in (Plan.Status.RESULTS_PUBLISHED, Plan.Status.ARCHIVED):
            raise ValidationError("考核结果已公布，方案设置已随之冻结，只能查看")
        merged = {name: values.get(name, getattr(locked, name)) for name in SCALAR_FIELDS}
        for name in ("title", "doc_number", *CONTACT_FIELDS):
            merged[name] = (merged[name] or "").strip()
        if not merged["title"]:
            raise ValidationError("请填写方案名称")
        if not PHONE_PATTERN.match(merged["office_contact_phone"]):
            raise ValidationError("考核办联系电话只能含数字、“-”、括号和“转”，多个号码用顿号分隔")
        _check_dates(locked, merged)
        changes = [
            Change(name, LABELS[name], _display(getattr(locked, name)), _display(merged[name]))
            for name in SCALAR_FIELDS
            if getattr(locked, name) != merged[name]
        ]
        old_members = set(locked.member_organisations.values_list("pk", flat=True))
        old_copies = set(locked.copy_organisations.values_list("pk", flat=True))
        names = dict(Organisation.objects.filter(pk__in=old_members | members | old_copies | copies).values_list("pk", "name"))
        for field, old, new in (("member_organisations", old_members, members), ("copy_organisations", old_copies, copies)):
            if old != new:
                changes.append(Change(field, LABELS[field], sorted(names[i] for i in old), sorted(names[i] for i in new)))
        if not changes:
            return []
        if not locked.is_draft and not reason:
            raise ValidationError("方案已发布，修改方案设置须填写修改理由（将通知受影响的考核对象和考核主体）")
        if (
            Plan.objects.filter(organiser_id=locked.organiser_id, year=locked.year, title=merged["title"])
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ValidationError(f"本年度已有名为“{merged['title']}”的考核方案")
        for name in SCALAR_FIELDS:
            setattr(locked, name, merged[name])
        locked.full_clean(validate_unique=False)
        locked.save()
        locked.member_organisations.set(members)
        locked.copy_organisations.set(copies)
        audit.record(
            actor=actor,
            action="plan.settings",
            obj=locked,
            plan_id=locked.pk,
            organisation=locked.organiser,
            before={c.field: c.before for c in changes},
            after={**{c.field: c.after for c in changes}, **({"reason": reason} if reason else {})},
        )
        if not locked.is_draft:
            _notify(locked, changes, reason)
    for name in SCALAR_FIELDS:
        setattr(plan, name, merged[name])
    return changes


def _notify(plan: Plan, changes: list[Change], reason: str) -> None:
    """Tell the units and desks a published plan's change concerns what changed and why."""
    lines = "；".join(f"{c.label}：{c.before or '未设置'} → {c.after or '未设置'}" for c in changes if c.field not in LIST_FIELDS)
    if not lines:
        return
    title = f"考核方案有调整：{'、'.join(c.label for c in changes if c.field not in LIST_FIELDS)}"
    body = f"{lines}。修改理由：{reason}"
    url = reverse("plans:detail", args=[plan.pk])
    roles = {role for c in changes for role in TOUCHES[c.field]}
    if Role.UNIT in roles:
        unit_orgs = PlanUnit.objects.filter(plan=plan).values_list("organisation_id", flat=True)
        notify_organisations(organisation_ids=unit_orgs, role=Role.UNIT, plan_id=plan.pk, title=title, body=body, url=url)
    if Role.DESK in roles:
        desk_orgs = AssessorDesk.objects.filter(plan=plan).values_list("organisation_id", flat=True)
        notify_organisations(organisation_ids=desk_orgs, role=Role.DESK, plan_id=plan.pk, title=title, body=body, url=url)
