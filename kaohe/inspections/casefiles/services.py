"""Writes of 案卷集中评查: listing, checklist, sampling, panel and assignment, scoring, derivation.

Each service checks the actor's capability (object getters in selectors.py have already scoped the object),
validates, writes in one transaction and appends an audit event. Refusals are ValidationErrors with
Chinese messages (nothing is half-saved).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kaohe import access
from kaohe.core import audit
from kaohe.core.dates import bounds_message, case_date_bounds, check_date_in_bounds
from kaohe.inspections.casefiles import sampling
from kaohe.inspections.casefiles.imports import parse_case_files, parse_checklist
from kaohe.inspections.casefiles.models import (
    CaseFile,
    CaseReviewer,
    ChecklistItem,
    ItemDeduction,
    ListingExtension,
    ReviewSetting,
    Sample,
    SampledFile,
)
from kaohe.organisations import conflicts
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.plans.services import ensure_scoring_open
from kaohe.scoring.models import EvaluationChange, NotApplicable
from kaohe.scoring.services import evaluation_record_derived
from kaohe.submissions.deadlines import is_open

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
CENT = Decimal("0.01")


def _fail(message: str | list[str]) -> ValidationError:
    return ValidationError(message)


def _ensure_open(plan: Plan) -> None:
    """Writes happen only while the plan is in progress (已发布); published results freeze them."""
    try:
        ensure_scoring_open(plan)
    except PermissionDenied as exc:
        raise _fail(str(exc)) from exc


def setting_of(plan: Plan) -> ReviewSetting:
    setting, _ = ReviewSetting.objects.get_or_create(plan=plan)
    return setting


def case_review_tasks(plan: Plan) -> dict[int, list[Indicator]]:
    """The plan's 集中评查 tasks by category id (usually one per category, e.g. 5.2.2)."""
    tasks: dict[int, list[Indicator]] = {}
    for task in Indicator.objects.filter(plan=plan, level=Level.TASK, method=Method.CASE_REVIEW).order_by("order"):
        tasks.setdefault(task.category_id, []).append(task)
    return tasks


# --- listing (案卷目录) ---------------------------------------------------------------------------------


def deadline_with(plan: Plan, extension: ListingExtension | None) -> dt.date | None:
    """The listing deadline given the unit's extension (if any): the later of it and 集中评查材料截止."""
    candidates = [d for d in (plan.case_files_deadline, extension.new_deadline if extension else None) if d is not None]
    return max(candidates) if candidates else None


def listing_deadline(plan: Plan, unit: PlanUnit) -> dt.date | None:
    """The unit's listing deadline: the plan's 集中评查材料截止, or the office's later extension for the unit."""
    return deadline_with(plan, ListingExtension.objects.filter(unit=unit).first())


def listing_refusal(plan: Plan, unit: PlanUnit, now: dt.datetime | None = None) -> str:
    """Why the unit cannot change its list now ("" when it can)."""
    if Sample.objects.filter(unit=unit).exists():
        return "考核办已抽取本单位案卷，案卷目录已锁定"
    deadline = listing_deadline(plan, unit)
    if deadline is not None and not is_open(deadline, now or timezone.now()):
        return f"案卷目录报送已于 {deadline:%Y-%m-%d} 截止，如需补报请联系考核办延期"
    return ""


def _ensure_listing(actor: Any, plan: Plan, unit: PlanUnit) -> None:
    if not access.is_own_unit(actor, unit, plan):
        raise PermissionDenied
    access.require(actor, "casefile:list", plan)
    _ensure_open(plan)
    if refusal := listing_refusal(plan, unit):
        raise _fail(refusal)


def _file_state(case_file: CaseFile) -> dict[str, Any]:
    return {
        "number": case_file.number,
        "kind": case_file.kind,
        "decided_on": case_file.decided_on,
        "handler": case_file.handler,
        "note": case_file.note,
    }


def _duplicate_message(number: str) -> str:
    return f"案号“{number}”已在本单位案卷目录中，不能重复登记"


def case_file_add(
    *, actor: Any, plan: Plan, unit: PlanUnit, number: str, kind: str, decided_on: dt.date, handler: str, note: str = ""
) -> CaseFile:
    _ensure_listing(actor, plan, unit)
    check_date_in_bounds(decided_on, bounds=case_date_bounds(plan), field_label="决定日期")
    number = number.strip()
    with transaction.atomic():
        if CaseFile.objects.filter(unit=unit, number=number).exists():
            raise _fail(_duplicate_message(number))
        case_file = CaseFile(
            plan=plan,
            unit=unit,
            number=number,
            kind=kind,
            decided_on=decided_on,
            handler=handler.strip(),
            note=note.strip(),
            listed_by=actor,
        )
        case_file.full_clean()
        case_file.save()
        audit.record(
            actor=actor,
            action="casefile.list_add",
            obj=case_file,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after=_file_state(case_file),
        )
    return case_file


def case_file_edit(
    *, actor: Any, plan: Plan, case_file: CaseFile, number: str, kind: str, decided_on: dt.date, handler: str, note: str = ""
) -> CaseFile:
    _ensure_listing(actor, plan, case_file.unit)
    check_date_in_bounds(decided_on, bounds=case_date_bounds(plan), field_label="决定日期")
    number = number.strip()
    with transaction.atomic():
        if CaseFile.objects.filter(unit=case_file.unit, number=number).exclude(pk=case_file.pk).exists():
            raise _fail(_duplicate_message(number))
        before = _file_state(case_file)
        case_file.number, case_file.kind, case_file.decided_on = number, kind, decided_on
        case_file.handler, case_file.note = handler.strip(), note.strip()
        case_file.full_clean()
        case_file.save(update_fields=["number", "kind", "decided_on", "handler", "note", "updated_at"])
        audit.record(
            actor=actor,
            action="casefile.list_edit",
            obj=case_file,
            plan_id=plan.pk,
            organisation=case_file.unit.organisation,
            before=before,
            after=_file_state(case_file),
        )
    return case_file


def case_file_delete(*, actor: Any, plan: Plan, case_file: CaseFile) -> None:
    _ensure_listing(actor, plan, case_file.unit)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="casefile.list_delete",
            obj=case_file,
            plan_id=plan.pk,
            organisation=case_file.unit.organisation,
            before=_file_state(case_file),
        )
        case_file.delete()


def case_files_import(*, actor: Any, plan: Plan, unit: PlanUnit, data: bytes) -> list[CaseFile]:
    """Add every row of the .xlsx list, or none: row-numbered errors, duplicates of 案号 refused."""
    _ensure_listing(actor, plan, unit)
    parsed = parse_case_files(data, max_bytes=settings.KAOHE_IMPORT_MAX_BYTES)
    errors = list(parsed.errors)
    existing = set(CaseFile.objects.filter(unit=unit).values_list("number", flat=True))
    bounds = case_date_bounds(plan)
    for row in parsed.rows:
        if row.number in existing:
            errors.append(f"第{row.row}行：{_duplicate_message(row.number)}")
        if not bounds[0] <= row.decided_on <= bounds[1]:
            errors.append(f"第{row.row}行：{bounds_message(bounds, field_label=f'决定日期（{row.decided_on.isoformat()}）')}")
    if errors:
        raise _fail(errors)
    with transaction.atomic():
        created = []
        for row in parsed.rows:
            case_file = CaseFile(
                plan=plan,
                unit=unit,
                number=row.number,
                kind=row.kind,
                decided_on=row.decided_on,
                handler=row.handler,
                note=row.note,
                listed_by=actor,
            )
            case_file.full_clean(validate_unique=False, validate_constraints=False)
            created.append(case_file)
        CaseFile.objects.bulk_create(created)
        audit.record(
            actor=actor,
            action="casefile.list_import",
            obj=unit,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after={"count": len(created), "numbers": [c.number for c in created][:200]},
        )
    return created


def listing_extend(*, actor: Any, plan: Plan, unit: PlanUnit, new_deadline: dt.date, reason: str) -> ListingExtension:
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    reason = reason.strip()
    if not reason:
        raise _fail("请写明延期理由")
    check_date_in_bounds(new_deadline, plan=plan, field_label="延期日期")
    if plan.case_files_deadline and new_deadline <= plan.case_files_deadline:
        raise _fail(f"延期日期须晚于原定截止日期 {plan.case_files_deadline:%Y-%m-%d}")
    if Sample.objects.filter(unit=unit).exists():
        raise _fail(f"{unit} 的案卷已抽取，不能再延期报送")
    with transaction.atomic():
        extension = ListingExtension.objects.filter(unit=unit).first()
        before = {"new_deadline": extension.new_deadline} if extension else None
        if extension is None:
            extension = ListingExtension(plan=plan, unit=unit, new_deadline=new_deadline, reason=reason, granted_by=actor)
        extension.new_deadline, extension.reason, extension.granted_by = new_deadline, reason, actor
        extension.full_clean()
        extension.save()
        audit.record(
            actor=actor,
            action="casefile.extend",
            obj=extension,
            plan_id=plan.pk,
            organisation=unit.organisation,
            before=before,
            after={"new_deadline": new_deadline, "reason": reason},
        )
    return extension


# --- checklist (评查表) ---------------------------------------------------------------------------------


def checklist_frozen(plan: Plan) -> bool:
    """The checklist and full mark are frozen once any file has been scored (a deduction saved)."""
    return ItemDeduction.objects.filter(sampled_file__plan=plan).exists()


FROZEN_MESSAGE = "已有案卷开始评分，评查表和案卷满分已冻结，不能再修改"


def _ensure_checklist_editable(actor: Any, plan: Plan) -> None:
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    if checklist_frozen(plan):
        raise _fail(FROZEN_MESSAGE)


def _item_state(item: ChecklistItem) -> dict[str, Any]:
    return {"name": item.name, "max_deduction": item.max_deduction, "description": item.description}


def checklist_item_add(*, actor: Any, plan: Plan, name: str, max_deduction: Decimal, description: str = "") -> ChecklistItem:
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
    *, actor: Any, plan: Plan, item: ChecklistItem, name: str, max_deduction: Decimal, description: str = ""
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


def checklist_item_delete(*, actor: Any, plan: Plan, item: ChecklistItem) -> None:
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


def checklist_use_default(*, actor: Any, plan: Plan) -> list[ChecklistItem]:
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


def checklist_import(*, actor: Any, plan: Plan, data: bytes) -> list[ChecklistItem]:
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


def review_setting_save(*, actor: Any, plan: Plan, full_mark: Decimal, blind: bool) -> ReviewSetting:
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


# --- sampling (抽取) ------------------------------------------------------------------------------------


@dataclass
class SampleOutcome:
    samples: list[Sample] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _listed(unit: PlanUnit) -> list[sampling.ListedFile]:
    return [sampling.ListedFile(f.pk, f.number, f.kind) for f in CaseFile.objects.filter(unit=unit).only("pk", "number", "kind")]


def _blind_codes(plan: Plan, count: int) -> list[int]:
    """``count`` unused random codes of the plan (1…max(99, 2 × files)), so codes reveal no order."""
    used = set(SampledFile.objects.filter(plan=plan).values_list("blind_code", flat=True))
    top = max(99, 2 * (len(used) + count))
    free = [c for c in range(1, top + 1) if c not in used]
    chosen: list[int] = []
    for _ in range(count):
        code = free.pop(secrets.randbelow(len(free)))
        chosen.append(code)
    return chosen


def sample_draw(
    *, actor: Any, plan: Plan, units: Sequence[PlanUnit], requested: int, stratified: bool, take_all_if_fewer: bool
) -> SampleOutcome:
    """Sample ``requested`` files of each unit (see sampling.py for the rule).

    Units already sampled, still listing (deadline not passed) or without any listed file are skipped and
    reported. If a unit listed fewer files than asked, nothing at all is stored and the units are named —
    unless ``take_all_if_fewer``, which takes all of their files instead.
    """
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    if requested < 1 or requested > 50:
        raise _fail("每个考核对象抽取的案卷数须在 1 到 50 之间")
    outcome = SampleOutcome()
    now = timezone.now()
    with transaction.atomic():
        sampled = set(Sample.objects.filter(plan=plan).values_list("unit_id", flat=True))
        extensions = {e.unit_id: e for e in ListingExtension.objects.filter(plan=plan)}
        work: list[tuple[PlanUnit, list[dict[str, Any]], int]] = []
        short: list[str] = []
        for unit in units:
            if unit.pk in sampled:
                outcome.skipped.append(f"{unit}：已抽取")
                continue
            deadline = deadline_with(plan, extensions.get(unit.pk))
            if deadline is None or is_open(deadline, now):
                outcome.skipped.append(f"{unit}：案卷目录报送尚未截止" if deadline else f"{unit}：未设置案卷目录截止日期")
                continue
            snapshot = sampling.snapshot_of(_listed(unit))
            if not snapshot:
                outcome.skipped.append(f"{unit}：未报送案卷目录")
                continue
            n = requested
            if len(snapshot) < requested:
                if not take_all_if_fewer:
                    short.append(f"{unit}（仅报送 {len(snapshot)} 卷）")
                    continue
                n = len(snapshot)
            work.append((unit, snapshot, n))
        if short:
            raise _fail(
                f"以下考核对象报送的案卷少于每单位 {requested} 卷，未抽取任何案卷：{'、'.join(short)}。"
                "可减少抽取数量，或勾选“不足时全部抽取”。"
            )
        codes = _blind_codes(plan, sum(n for _, _, n in work))
        files_by_id = {f.pk: f for f in CaseFile.objects.filter(unit__in=[u for u, _, _ in work])}
        for unit, snapshot, n in work:
            seed = secrets.token_hex(16)
            result = sampling.draw(snapshot, n, seed=seed, stratified=stratified)
            sample = Sample(
                plan=plan,
                unit=unit,
                requested=requested,
                stratified=stratified,
                take_all_if_fewer=take_all_if_fewer,
                seed=seed,
                snapshot=snapshot,
                digest=sampling.digest_of(snapshot),
                result=result,
                sampled_by=actor,
                sampled_at=now,
            )
            sample.full_clean()
            sample.save()
            SampledFile.objects.bulk_create(
                SampledFile(plan=plan, sample=sample, case_file=files_by_id[file_id], position=i, blind_code=codes.pop())
                for i, file_id in enumerate(result, 1)
            )
            audit.record(
                actor=actor,
                action="casefile.sample",
                obj=sample,
                plan_id=plan.pk,
                organisation=unit.organisation,
                after={
                    "requested": requested,
                    "drawn": len(result),
                    "stratified": stratified,
                    "take_all_if_fewer": take_all_if_fewer,
                    "seed": seed,
                    "digest": sample.digest,
                    "listed": len(snapshot),
                    "result": [files_by_id[i].number for i in result],
                },
            )
            outcome.samples.append(sample)
    return outcome


def sample_cancel(*, actor: Any, plan: Plan, sample: Sample) -> None:
    """Undo a draw while none of its files has been given to a reviewer (the audit log keeps it)."""
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    with transaction.atomic():
        if SampledFile.objects.filter(sample=sample, reviewer__isnull=False).exists():
            raise _fail(f"{sample.unit} 的抽取案卷已分配评查员，不能撤销抽取")
        audit.record(
            actor=actor,
            action="casefile.sample_cancel",
            obj=sample,
            plan_id=plan.pk,
            organisation=sample.unit.organisation,
            before={"seed": sample.seed, "digest": sample.digest, "result": sample.result},
        )
        sample.delete()


@dataclass(frozen=True)
class ReplayReport:
    replay: sampling.Replay
    list_changed: bool  # the unit's current list differs from the snapshot (informational)

    @property
    def matches(self) -> bool:
        return self.replay.matches


def sample_replay(*, actor: Any, plan: Plan, sample: Sample) -> ReplayReport:
    """Recompute the draw from the stored seed and list snapshot; record the check in the audit log."""
    access.require(actor, "casefile:manage", plan)
    result = sampling.replay(
        snapshot=sample.snapshot,
        digest=sample.digest,
        seed=sample.seed,
        n=len(sample.result),
        stratified=sample.stratified,
        result=sample.result,
    )
    stored_files = list(SampledFile.objects.filter(sample=sample).order_by("position").values_list("case_file_id", flat=True))
    replay = sampling.Replay(result.digest_ok, result.result_ok and stored_files == result.recomputed, result.recomputed)
    current = sampling.digest_of(sampling.snapshot_of(_listed(sample.unit)))
    report = ReplayReport(replay, current != sample.digest)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="casefile.sample_replay",
            obj=sample,
            plan_id=plan.pk,
            organisation=sample.unit.organisation,
            after={"matches": report.matches, "digest_ok": replay.digest_ok, "result_ok": replay.result_ok},
        )
    return report


# --- panel and assignment (评查员与分配) ----------------------------------------------------------------


def _region_ids(region: Region) -> set[int]:
    ids = {region.pk}
    frontier = [region.pk]
    while frontier:
        frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.update(frontier)
    return ids


def candidate_memberships(plan: Plan) -> list[Membership]:
    """评查员 memberships in organisations of the plan's region (and its subordinate regions)."""
    on_panel = set(CaseReviewer.objects.filter(plan=plan).values_list("user_id", flat=True))
    rows = (
        Membership.objects.filter(role=Role.CASE_REVIEWER, organisation__region_id__in=_region_ids(plan.organiser.region))
        .select_related("user", "organisation")
        .order_by("organisation__sort_key", "user__username")
    )
    return [m for m in rows if m.user_id not in on_panel and m.user.is_active]


def reviewer_add(*, actor: Any, plan: Plan, membership: Membership) -> CaseReviewer:
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    if membership.pk not in {m.pk for m in candidate_memberships(plan)}:
        raise _fail("只能选择本地区持有评查员角色且尚未加入的人员")
    with transaction.atomic():
        reviewer = CaseReviewer(plan=plan, user=membership.user, organisation=membership.organisation)
        reviewer.full_clean()
        reviewer.save()
        audit.record(
            actor=actor,
            action="casefile.reviewer_add",
            obj=reviewer,
            plan_id=plan.pk,
            organisation=membership.organisation,
            after={"user": membership.user.username, "organisation": membership.organisation.name},
        )
    access.forget(membership.user)
    return reviewer


def reviewer_remove(*, actor: Any, plan: Plan, reviewer: CaseReviewer) -> None:
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    with transaction.atomic():
        if SampledFile.objects.filter(reviewer=reviewer).exists():
            raise _fail(f"{reviewer.user} 还有分配的案卷，请先改派")
        audit.record(
            actor=actor,
            action="casefile.reviewer_remove",
            obj=reviewer,
            plan_id=plan.pk,
            organisation=reviewer.organisation,
            before={"user": reviewer.user.username, "organisation": reviewer.organisation.name},
        )
        reviewer.delete()


def conflict(reviewer: CaseReviewer, unit_org: Organisation, organisations: list[Organisation] | None = None) -> str:
    """Why ``reviewer`` may not review a file of ``unit_org`` ("" when they may): 回避 (organisations.conflicts).

    The organisation they were put on the panel from, or any membership they hold now, stands on the unit's
    organisation line: the unit itself, a section of it, its parent department or a sibling section.
    ``organisations``: the person's organisations when already loaded (bulk assignment).
    """
    return conflicts.person_conflict(
        reviewer.user, unit_org, also=[reviewer.organisation], organisations=organisations, act="评查本单位案卷"
    )


BLIND_CONFLICT = "回避：该案卷的考核对象与您所在单位为同一单位或上下级，不能评查本单位案卷；请联系考核办改派"


def review_conflict(plan: Plan, sampled: SampledFile) -> str:
    """The 回避 refusal its reviewer sees for a file ("" when there is none); under blind review the unit is
    not named."""
    if sampled.reviewer is None:
        return ""
    message = conflict(sampled.reviewer, sampled.case_file.unit.organisation)
    if not message:
        return ""
    return BLIND_CONFLICT if setting_of(plan).blind else f"{message}；请联系考核办改派"


def assignment_conflicts(plan: Plan, files: Sequence[SampledFile]) -> list[str]:
    """回避 warnings for the office: files given to a reviewer who now stands on the unit's organisation line
    (a membership gained after the assignment), not yet submitted. One query for the reviewers' memberships."""
    open_files = [f for f in files if f.reviewer is not None and f.status != SampledFile.Status.SUBMITTED]
    held: dict[int, list[Organisation]] = {}
    user_ids = {f.reviewer.user_id for f in open_files if f.reviewer is not None}
    for membership in Membership.objects.filter(user_id__in=user_ids).select_related("organisation__parent"):
        held.setdefault(membership.user_id, []).append(membership.organisation)
    found = []
    for f in open_files:
        if f.reviewer is None:
            continue
        message = conflict(f.reviewer, f.case_file.unit.organisation, held.get(f.reviewer.user_id, []))
        if message:
            found.append(f"{f.case_file.unit.organisation.name} {f.case_file.number}（{f.code}）：{message}")
    return found


def _assignable(sampled: SampledFile) -> None:
    if sampled.status != SampledFile.Status.PENDING:
        raise _fail(f"{sampled.case_file.number} 已开始评查，不能改派")


def file_assign(*, actor: Any, plan: Plan, sampled: SampledFile, reviewer: CaseReviewer | None) -> SampledFile:
    """Give a sampled file to a reviewer of the panel by hand (or take it back with None)."""
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    unit_org = sampled.case_file.unit.organisation
    with transaction.atomic():
        sampled = SampledFile.objects.select_for_update().select_related("case_file__unit__organisation").get(pk=sampled.pk)
        _assignable(sampled)
        if reviewer is not None:
            if reviewer.plan_id != plan.pk:
                raise _fail("评查员不在本方案的评查员名单中")
            if message := conflict(reviewer, unit_org):
                raise _fail(message)
        before = {"reviewer": str(sampled.reviewer.user) if sampled.reviewer else None}
        sampled.reviewer = reviewer
        sampled.assigned_at = timezone.now() if reviewer else None
        sampled.save(update_fields=["reviewer", "assigned_at"])
        audit.record(
            actor=actor,
            action="casefile.assign",
            obj=sampled,
            plan_id=plan.pk,
            organisation=unit_org,
            before=before,
            after={"file": sampled.case_file.number, "reviewer": str(reviewer.user) if reviewer else None},
        )
    return sampled


@dataclass
class AssignOutcome:
    assigned: int = 0
    unassignable: list[str] = field(default_factory=list)


def files_assign_auto(*, actor: Any, plan: Plan) -> AssignOutcome:
    """Balanced round robin: each unassigned file (by unit, then draw order) goes to the eligible reviewer
    with the fewest files; ties go to the one after the last reviewer given a file (panel order)."""
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    outcome = AssignOutcome()
    with transaction.atomic():
        reviewers = list(
            CaseReviewer.objects.filter(plan=plan)
            .select_related("user", "organisation")
            .annotate(load=Count("files"))
            .order_by("pk")
        )
        if not reviewers:
            raise _fail("评查员名单为空，请先增加评查员")
        loads = {r.pk: int(r.load) for r in reviewers}  # type: ignore[attr-defined]
        memberships: dict[int, list[Organisation]] = {}
        for membership in Membership.objects.filter(user_id__in=[r.user_id for r in reviewers]).select_related(
            "organisation__parent"
        ):
            memberships.setdefault(membership.user_id, []).append(membership.organisation)
        pending = list(
            SampledFile.objects.select_for_update()
            .filter(plan=plan, reviewer__isnull=True)
            .select_related("case_file__unit__organisation")
            .order_by("case_file__unit__organisation__sort_key", "sample_id", "position")
        )
        cursor = -1
        now = timezone.now()
        for sampled in pending:
            unit_org = sampled.case_file.unit.organisation
            eligible = [(i, r) for i, r in enumerate(reviewers) if not conflict(r, unit_org, memberships.get(r.user_id, []))]
            if not eligible:
                outcome.unassignable.append(f"{unit_org} {sampled.case_file.number}")
                continue
            n = len(reviewers)
            index, chosen = min(eligible, key=lambda pair: (loads[pair[1].pk], (pair[0] - cursor - 1) % n))
            cursor = index
            loads[chosen.pk] += 1
            sampled.reviewer, sampled.assigned_at = chosen, now
            sampled.save(update_fields=["reviewer", "assigned_at"])
            outcome.assigned += 1
        audit.record(
            actor=actor,
            action="casefile.assign_auto",
            obj=plan,
            plan_id=plan.pk,
            after={"assigned": outcome.assigned, "unassignable": outcome.unassignable, "loads": list(loads.values())},
        )
    return outcome


# --- scoring (评查) -------------------------------------------------------------------------------------


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


def review_save(
    *,
    actor: Any,
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
    if message := review_conflict(plan, sampled):
        raise _fail(message)
    items = list(ChecklistItem.objects.filter(plan=plan))
    if not items:
        raise _fail("考核办尚未确定评查表")
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


def review_return(*, actor: Any, plan: Plan, sampled: SampledFile, reason: str) -> SampledFile:
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


def derive_scores(*, actor: Any, plan: Plan) -> DeriveOutcome:
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
