"""评查表: the checklist items and the file's full mark, frozen once any file has been scored."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.inspections.casefiles.imports import parse_checklist
from kaohe.inspections.casefiles.models import ChecklistItem, ItemDeduction, ReviewSetting
from kaohe.inspections.casefiles.services.common import _ensure_open, _fail, setting_of
from kaohe.plans.models import Plan

# The default checklist (评查表): a file starts at 100 and loses at most these points per item.
DEFAULT_CHECKLIST: tuple[tuple[str, Decimal, str], ...] = (
    ("主体合法", Decimal(10), "执法主体、执法人员资格合法，在法定职权范围内作出决定"),
    ("事实清楚", Decimal(15), "案件事实清楚，当事人基本情况、违法事实或申请事项表述准确"),
    ("证据确凿", Decimal(20), "证据充分、合法、有效，证据之间能够相互印证"),
    ("程序合法", Decimal(20), "立案、调查、告知、听证、审批、送达等程序完备，符合法定时限"),
    ("适用法律正确", Decimal(15), "适用法律、法规、规章准确，自由裁量适当"),
    ("文书规范", Decimal(10), "文书格式规范、要素齐全、表述准确，签名盖章完整"),
    ("归档完整", Decimal(10), "案卷材料齐全，排列有序，按规定立卷归档"),
)


def checklist_frozen(plan: Plan) -> bool:
    """The checklist and full mark are frozen once any file has been scored (a deduction saved)."""
    return ItemDeduction.objects.filter(sampled_file__plan=plan).exists()


FROZEN_MESSAGE = "已有案卷开始评分，评查表和案卷满分已冻结，不能再修改"


def _ensure_checklist_editable(actor: User, plan: Plan) -> None:
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    if checklist_frozen(plan):
        raise _fail(FROZEN_MESSAGE)


def _item_state(item: ChecklistItem) -> dict[str, Any]:
    return {"name": item.name, "max_deduction": item.max_deduction, "description": item.description}


def checklist_item_add(*, actor: User, plan: Plan, name: str, max_deduction: Decimal, description: str = "") -> ChecklistItem:
    _ensure_checklist_editable(actor, plan)
    name = name.strip()
    with transaction.atomic():
        if ChecklistItem.objects.filter(plan=plan, name=name).exists():
            raise _fail(f"评查表中已有“{name}”")
        last = ChecklistItem.objects.filter(plan=plan).order_by("-order").first()
        item = ChecklistItem(
            plan=plan,
            order=(last.order + 1) if last else 1,
            name=name,
            max_deduction=max_deduction,
            description=description.strip(),
        )
        item.full_clean()
        item.save()
        audit.record(actor=actor, action="casefile.checklist_add", obj=item, plan_id=plan.pk, after=_item_state(item))
    return item


def checklist_item_edit(
    *, actor: User, plan: Plan, item: ChecklistItem, name: str, max_deduction: Decimal, description: str = ""
) -> ChecklistItem:
    _ensure_checklist_editable(actor, plan)
    name = name.strip()
    with transaction.atomic():
        if ChecklistItem.objects.filter(plan=plan, name=name).exclude(pk=item.pk).exists():
            raise _fail(f"评查表中已有“{name}”")
        before = _item_state(item)
        item.name, item.max_deduction, item.description = name, max_deduction, description.strip()
        item.full_clean()
        item.save(update_fields=["name", "max_deduction", "description"])
        audit.record(
            actor=actor, action="casefile.checklist_edit", obj=item, plan_id=plan.pk, before=before, after=_item_state(item)
        )
    return item


def checklist_item_delete(*, actor: User, plan: Plan, item: ChecklistItem) -> None:
    _ensure_checklist_editable(actor, plan)
    with transaction.atomic():
        audit.record(actor=actor, action="casefile.checklist_delete", obj=item, plan_id=plan.pk, before=_item_state(item))
        item.delete()


def _replace_checklist(plan: Plan, rows: Sequence[tuple[str, Decimal, str]]) -> list[ChecklistItem]:
    ChecklistItem.objects.filter(plan=plan).delete()
    items = [ChecklistItem(plan=plan, order=i, name=n, max_deduction=m, description=d) for i, (n, m, d) in enumerate(rows, 1)]
    for item in items:
        item.full_clean(validate_unique=False, validate_constraints=False)
    return ChecklistItem.objects.bulk_create(items)


def checklist_use_default(*, actor: User, plan: Plan) -> list[ChecklistItem]:
    """Replace the checklist with the default items (主体合法 … 归档完整, 100 points in all)."""
    _ensure_checklist_editable(actor, plan)
    with transaction.atomic():
        before = [_item_state(i) for i in ChecklistItem.objects.filter(plan=plan)]
        items = _replace_checklist(plan, DEFAULT_CHECKLIST)
        setting_of(plan)
        audit.record(
            actor=actor,
            action="casefile.checklist_default",
            obj=plan,
            plan_id=plan.pk,
            before=before or None,
            after=[_item_state(i) for i in items],
        )
    return items


def checklist_import(*, actor: User, plan: Plan, data: bytes) -> list[ChecklistItem]:
    """Replace the checklist with the rows of an .xlsx table (评查项目, 最高扣分, 评查标准), or change nothing."""
    _ensure_checklist_editable(actor, plan)
    parsed = parse_checklist(data, max_bytes=settings.KAOHE_IMPORT_MAX_BYTES)
    if parsed.errors:
        raise _fail(parsed.errors)
    with transaction.atomic():
        before = [_item_state(i) for i in ChecklistItem.objects.filter(plan=plan)]
        items = _replace_checklist(plan, [(r.name, r.max_deduction, r.description) for r in parsed.rows])
        audit.record(
            actor=actor,
            action="casefile.checklist_import",
            obj=plan,
            plan_id=plan.pk,
            before=before or None,
            after=[_item_state(i) for i in items],
        )
    return items


def case_review_setting_save(*, actor: User, plan: Plan, full_mark: Decimal, blind: bool) -> ReviewSetting:
    """The file's full mark (frozen with the checklist) and blind review (may change at any time)."""
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    with transaction.atomic():
        setting = setting_of(plan)
        if full_mark != setting.full_mark and checklist_frozen(plan):
            raise _fail(FROZEN_MESSAGE)
        before = {"full_mark": setting.full_mark, "blind": setting.blind}
        setting.full_mark, setting.blind = full_mark, blind
        setting.full_clean()
        setting.save()
        audit.record(
            actor=actor,
            action="casefile.setting",
            obj=setting,
            plan_id=plan.pk,
            before=before,
            after={"full_mark": full_mark, "blind": blind},
        )
    return setting
