"""案卷目录: a unit lists its case files (by hand or from an .xlsx) until its deadline; the office extends it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.dates import bounds_message, case_date_bounds, check_date_in_bounds
from kaohe.inspections.casefiles.imports import parse_case_files
from kaohe.inspections.casefiles.models import CaseFile, ListingExtension, Sample
from kaohe.inspections.casefiles.services.common import _ensure_open, _fail
from kaohe.plans.models import Plan, PlanUnit
from kaohe.submissions.deadlines import is_open


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


def _ensure_listing(actor: User, plan: Plan, unit: PlanUnit) -> None:
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
    *, actor: User, plan: Plan, unit: PlanUnit, number: str, kind: str, decided_on: dt.date, handler: str, note: str = ""
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
    *, actor: User, plan: Plan, case_file: CaseFile, number: str, kind: str, decided_on: dt.date, handler: str, note: str = ""
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


def case_file_delete(*, actor: User, plan: Plan, case_file: CaseFile) -> None:
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


def case_files_import(*, actor: User, plan: Plan, unit: PlanUnit, data: bytes) -> list[CaseFile]:
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


def listing_extend(*, actor: User, plan: Plan, unit: PlanUnit, new_deadline: dt.date, reason: str) -> ListingExtension:
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
