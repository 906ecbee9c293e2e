"""评查表: one checklist per kind of file, and the file's full mark.

A kind's checklist is frozen once any file of that kind has been scored; the full mark (shared by all kinds)
once any file at all has been scored.
"""

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
from kaohe.inspections.casefiles.models import CaseFileKind, ChecklistItem, ItemDeduction, ReviewSetting
from kaohe.inspections.casefiles.services.common import _ensure_open, _fail, setting_of
from kaohe.plans.models import Plan

Row = tuple[str, Decimal, str]

# The default checklists (评查表) per kind: a file starts at 100 and loses at most these points per item.
DEFAULT_CHECKLIST: tuple[Row, ...] = (
    ("主体合法", Decimal(10), "执法主体、执法人员资格合法，在法定职权范围内作出决定"),
    ("事实清楚", Decimal(15), "案件事实清楚，当事人基本情况、违法事实或申请事项表述准确"),
    ("证据确凿", Decimal(20), "证据充分、合法、有效，证据之间能够相互印证"),
    ("程序合法", Decimal(20), "立案、调查、告知、听证、审批、送达等程序完备，符合法定时限"),
    ("适用法律正确", Decimal(15), "适用法律、法规、规章准确，自由裁量适当"),
    ("文书规范", Decimal(10), "文书格式规范、要素齐全、表述准确，签名盖章完整"),
    ("归档完整", Decimal(10), "案卷材料齐全，排列有序，按规定立卷归档"),
)
DEFAULT_CHECKLISTS: dict[str, tuple[Row, ...]] = {
    CaseFileKind.ENFORCEMENT: DEFAULT_CHECKLIST,
    CaseFileKind.RECONSIDERATION: (
        ("受理审查", Decimal(15), "复议申请的受理、补正、不予受理符合法定条件和期限"),
        ("事实认定", Decimal(20), "查明被申请行政行为的事实，认定事实清楚"),
        ("证据审查", Decimal(15), "对被申请人提交的证据依据进行全面审查，证据采信得当"),
        ("程序合法", Decimal(20), "听取意见、调查取证、中止终止、延期等程序符合规定，在法定期限内作出决定"),
        ("适用法律正确", Decimal(15), "复议决定适用法律、法规、规章准确，决定类型恰当"),
        ("文书规范", Decimal(10), "复议决定书格式规范、说理充分，依法送达"),
        ("归档完整", Decimal(5), "案卷材料齐全，排列有序，按规定立卷归档"),
    ),
    CaseFileKind.NORMATIVE: (
        ("制定主体合法", Decimal(15), "制定机关具有法定权限，未超越职权制定规范性文件"),
        ("内容合法", Decimal(20), "未违法设定行政许可、行政处罚、行政强制等事项，未违法减损公民、法人和其他组织权利或增加其义务"),
        ("公开征求意见", Decimal(15), "起草过程中依法公开征求意见，对意见采纳情况作出说明"),
        ("合法性审核", Decimal(20), "提交审议前经司法行政部门或法制机构合法性审核，出具审核意见"),
        ("集体讨论决定", Decimal(10), "经制定机关常务会议、办公会议等集体讨论决定"),
        ("按时报备", Decimal(10), "自公布之日起 30 日内按规定报送备案"),
        ("公开发布", Decimal(10), "通过政府公报、政府网站等统一公开发布，未经公布的不得作为行政管理依据"),
    ),
    CaseFileKind.MAJOR_DECISION: (
        ("决策事项合规", Decimal(10), "决策事项列入年度重大行政决策事项目录，决策机关具有法定权限"),
        ("公众参与", Decimal(15), "通过座谈会、听证会、公开征求意见等方式听取公众意见，反馈意见采纳情况"),
        ("专家论证", Decimal(15), "专业性、技术性较强的事项组织专家或专业机构论证"),
        ("风险评估", Decimal(15), "对社会稳定、公共安全、生态环境等方面的风险进行评估，提出防范措施"),
        ("合法性审查", Decimal(20), "提交讨论前经合法性审查，未经审查或审查不合法的不得提交讨论"),
        ("集体讨论决定", Decimal(15), "经常务会议或全体会议讨论，由行政首长在集体讨论基础上作出决定"),
        ("决策后评估", Decimal(10), "决策执行中组织决策后评估，决策过程材料及时归档"),
    ),
}
KIND_LABELS = dict(CaseFileKind.choices)


def checklist_frozen(plan: Plan, kind: str | None = None) -> bool:
    """A kind's checklist is frozen once a file of that kind has been scored (a deduction saved); with no
    kind, whether any file at all has been (which freezes the full mark)."""
    scored = ItemDeduction.objects.filter(sampled_file__plan=plan)
    if kind is not None:
        scored = scored.filter(item__kind=kind)
    return scored.exists()


FROZEN_MESSAGE = "已有案卷开始评分，评查表和案卷满分已冻结，不能再修改"


def frozen_message(kind: str) -> str:
    return f"已有{KIND_LABELS.get(kind, kind)}案卷开始评分，该类型的评查表已冻结，不能再修改"


def _ensure_checklist_editable(actor: User, plan: Plan, kind: str) -> None:
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    if kind not in KIND_LABELS:
        raise _fail("案卷类型不正确")
    if checklist_frozen(plan, kind):
        raise _fail(frozen_message(kind))


def _item_state(item: ChecklistItem) -> dict[str, Any]:
    return {"kind": item.kind, "name": item.name, "max_deduction": item.max_deduction, "description": item.description}


def checklist_item_add(
    *, actor: User, plan: Plan, name: str, max_deduction: Decimal, description: str = "", kind: str = CaseFileKind.ENFORCEMENT
) -> ChecklistItem:
    _ensure_checklist_editable(actor, plan, kind)
    name = name.strip()
    with transaction.atomic():
        if ChecklistItem.objects.filter(plan=plan, kind=kind, name=name).exists():
            raise _fail(f"{KIND_LABELS[kind]}评查表中已有“{name}”")
        last = ChecklistItem.objects.filter(plan=plan, kind=kind).order_by("-order").first()
        item = ChecklistItem(
            plan=plan,
            kind=kind,
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
    _ensure_checklist_editable(actor, plan, item.kind)
    name = name.strip()
    with transaction.atomic():
        if ChecklistItem.objects.filter(plan=plan, kind=item.kind, name=name).exclude(pk=item.pk).exists():
            raise _fail(f"{item.get_kind_display()}评查表中已有“{name}”")
        before = _item_state(item)
        item.name, item.max_deduction, item.description = name, max_deduction, description.strip()
        item.full_clean()
        item.save(update_fields=["name", "max_deduction", "description"])
        audit.record(
            actor=actor, action="casefile.checklist_edit", obj=item, plan_id=plan.pk, before=before, after=_item_state(item)
        )
    return item


def checklist_item_delete(*, actor: User, plan: Plan, item: ChecklistItem) -> None:
    _ensure_checklist_editable(actor, plan, item.kind)
    with transaction.atomic():
        audit.record(actor=actor, action="casefile.checklist_delete", obj=item, plan_id=plan.pk, before=_item_state(item))
        item.delete()


def _replace_checklist(plan: Plan, kind: str, rows: Sequence[Row]) -> list[ChecklistItem]:
    ChecklistItem.objects.filter(plan=plan, kind=kind).delete()
    items = [
        ChecklistItem(plan=plan, kind=kind, order=i, name=n, max_deduction=m, description=d)
        for i, (n, m, d) in enumerate(rows, 1)
    ]
    for item in items:
        item.full_clean(validate_unique=False, validate_constraints=False)
    return ChecklistItem.objects.bulk_create(items)


def checklist_use_default(*, actor: User, plan: Plan, kind: str = CaseFileKind.ENFORCEMENT) -> list[ChecklistItem]:
    """Replace the kind's checklist with its default items (100 points in all, see DEFAULT_CHECKLISTS)."""
    _ensure_checklist_editable(actor, plan, kind)
    with transaction.atomic():
        before = [_item_state(i) for i in ChecklistItem.objects.filter(plan=plan, kind=kind)]
        items = _replace_checklist(plan, kind, DEFAULT_CHECKLISTS[kind])
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


def checklist_import(*, actor: User, plan: Plan, data: bytes, kind: str = CaseFileKind.ENFORCEMENT) -> list[ChecklistItem]:
    """Replace the kind's checklist with the rows of an .xlsx table (评查项目, 最高扣分, 评查标准), or change nothing."""
    _ensure_checklist_editable(actor, plan, kind)
    parsed = parse_checklist(data, max_bytes=settings.KAOHE_IMPORT_MAX_BYTES)
    if parsed.errors:
        raise _fail(parsed.errors)
    with transaction.atomic():
        before = [_item_state(i) for i in ChecklistItem.objects.filter(plan=plan, kind=kind)]
        items = _replace_checklist(plan, kind, [(r.name, r.max_deduction, r.description) for r in parsed.rows])
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
