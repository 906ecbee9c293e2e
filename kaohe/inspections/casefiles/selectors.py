"""Reads of 案卷集中评查, and the per-object access checks of this area.

Who reaches what: a unit's members read and change their own list (another unit's list is 404); the office
(casefile:manage) reads every list, sample and review; a reviewer (casefile:review) reaches only the files
assigned to them (any other file is 404); the plan's other insiders get 403, outsiders 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from kaohe.inspections.casefiles.models import (
    CaseFile,
    CaseFileKind,
    CaseReviewer,
    ChecklistItem,
    ItemDeduction,
    ListingExtension,
    Sample,
    SampledFile,
)
from kaohe.inspections.casefiles.services import case_review_tasks, deadline_with
from kaohe.organisations import access
from kaohe.plans.models import Plan, PlanUnit

# ------------------------------------------------------------------------------ access


def get_listing_unit(user: Any, plan: Plan, unit_id: int, *, write: bool = False) -> PlanUnit:
    """A unit whose case-file list the user may read (its own members and the office) or, with ``write``,
    change (its own members only; the office gets 403). Another unit's list is 404 for a unit."""
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, pk=unit_id).first()
    own = unit is not None and any(u.pk == unit.pk for u in access.own_units(user, plan))
    if unit is not None and own and access.can(user, "casefile:list", plan):
        return unit
    if access.can(user, "casefile:manage", plan):
        if write:
            raise PermissionDenied
        if unit is None:
            raise Http404("考核对象不存在")
        return unit
    if access.can(user, "casefile:list", plan):
        raise Http404("考核对象不存在")
    raise PermissionDenied


def get_case_file_for_unit(user: Any, plan: Plan, file_id: int) -> CaseFile:
    """A listed file the user may change: a file of their own unit only (404 otherwise, 403 for other roles)."""
    if not access.can(user, "casefile:list", plan):
        raise PermissionDenied
    own = [u.pk for u in access.own_units(user, plan)]
    case_file = (
        CaseFile.objects.select_related("unit__organisation", "unit__category")
        .filter(plan=plan, pk=file_id, unit_id__in=own)
        .first()
    )
    if case_file is None:
        raise Http404("案卷不存在")
    return case_file


def get_sampled_for_user(user: Any, plan: Plan, sampled_id: int) -> SampledFile:
    """A sampled file: the office reaches every one; a reviewer only those assigned to them (else 404)."""
    manage = access.can(user, "casefile:manage", plan)
    review = access.can(user, "casefile:review", plan)
    if not (manage or review):
        raise PermissionDenied
    rows = SampledFile.objects.select_related(
        "case_file__unit__organisation", "case_file__unit__category", "reviewer__user", "reviewer__organisation"
    ).filter(plan=plan, pk=sampled_id)
    if not manage:
        rows = rows.filter(reviewer__user=user)
    sampled = rows.first()
    if sampled is None:
        raise Http404("案卷不存在")
    return sampled


def require_manage(user: Any, plan: Plan) -> None:
    access.require(user, "casefile:manage", plan)


def get_sample(user: Any, plan: Plan, sample_id: int) -> Sample:
    require_manage(user, plan)
    sample = Sample.objects.select_related("unit__organisation").filter(plan=plan, pk=sample_id).first()
    if sample is None:
        raise Http404("抽取记录不存在")
    return sample


def get_reviewer(user: Any, plan: Plan, reviewer_id: int) -> CaseReviewer:
    require_manage(user, plan)
    reviewer = CaseReviewer.objects.select_related("user", "organisation").filter(plan=plan, pk=reviewer_id).first()
    if reviewer is None:
        raise Http404("评查员不存在")
    return reviewer


def get_checklist_item(user: Any, plan: Plan, item_id: int) -> ChecklistItem:
    require_manage(user, plan)
    item = ChecklistItem.objects.filter(plan=plan, pk=item_id).first()
    if item is None:
        raise Http404("评查项目不存在")
    return item


# ------------------------------------------------------------------------------ pages


def checklist(plan: Plan) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(plan=plan))


def unit_files(unit: PlanUnit) -> list[CaseFile]:
    return list(CaseFile.objects.filter(unit=unit).select_related("sampled").order_by("kind", "decided_on", "pk"))


@dataclass
class OfficeRow:
    unit: PlanUnit
    counts: dict[str, int]
    deadline: dt.date | None
    extension: ListingExtension | None
    sample: Sample | None
    files: list[SampledFile] = field(default_factory=list)

    @property
    def listed(self) -> int:
        return sum(self.counts.values())

    @property
    def submitted(self) -> int:
        return sum(1 for f in self.files if f.status == SampledFile.Status.SUBMITTED)

    @property
    def assigned(self) -> int:
        return sum(1 for f in self.files if f.reviewer_id)


def units_in_scope(plan: Plan) -> list[PlanUnit]:
    """Units of the categories that have a 集中评查 task (in the demo: 县区政府 and 部门2)."""
    categories = list(case_review_tasks(plan))
    return list(
        PlanUnit.objects.filter(plan=plan, category_id__in=categories)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key")
    )


def office_rows(plan: Plan) -> list[OfficeRow]:
    """One row per unit in scope, in a constant number of queries."""
    units = units_in_scope(plan)
    ids = [u.pk for u in units]
    counts: dict[int, dict[str, int]] = {u: {k: 0 for k in CaseFileKind.values} for u in ids}
    for row in CaseFile.objects.filter(unit_id__in=ids).values("unit_id", "kind").annotate(n=Count("pk")):
        counts[row["unit_id"]][row["kind"]] = row["n"]
    extensions = {e.unit_id: e for e in ListingExtension.objects.filter(plan=plan)}
    files = SampledFile.objects.select_related("case_file", "reviewer__user").order_by("position")
    samples = {s.unit_id: s for s in Sample.objects.filter(plan=plan).prefetch_related(Prefetch("files", queryset=files))}
    rows = []
    for unit in units:
        sample = samples.get(unit.pk)
        rows.append(
            OfficeRow(
                unit=unit,
                counts=counts[unit.pk],
                deadline=deadline_with(plan, extensions.get(unit.pk)),
                extension=extensions.get(unit.pk),
                sample=sample,
                files=list(sample.files.all()) if sample else [],
            )
        )
    return rows


def panel(plan: Plan) -> list[CaseReviewer]:
    return list(
        CaseReviewer.objects.filter(plan=plan)
        .select_related("user", "organisation")
        .annotate(
            load=Count("files"),
            done=Count("files", filter=Q(files__status=SampledFile.Status.SUBMITTED)),
        )
        .order_by("pk")
    )


def sampled_files(plan: Plan) -> list[SampledFile]:
    return list(
        SampledFile.objects.filter(plan=plan)
        .select_related("case_file__unit__organisation", "case_file__unit__category", "reviewer__user", "reviewer__organisation")
        .order_by("case_file__unit__category__order", "case_file__unit__organisation__sort_key", "position")
    )


def assigned_to(user: Any, plan: Plan) -> list[SampledFile]:
    return list(
        SampledFile.objects.filter(plan=plan, reviewer__user=user)
        .select_related("case_file__unit__organisation", "case_file__unit__category")
        .order_by("status", "blind_code")
    )


@dataclass
class ItemRow:
    item: ChecklistItem
    deduction: ItemDeduction | None


def review_rows(plan: Plan, sampled: SampledFile) -> list[ItemRow]:
    by_item = {d.item_id: d for d in ItemDeduction.objects.filter(sampled_file=sampled)}
    return [ItemRow(item, by_item.get(item.pk)) for item in checklist(plan)]
