"""Reads of 案卷集中评查, and the per-object access checks of this area.

Who reaches what: a unit's members read and change their own list (another unit's list is 404); the office
(casefile:manage) reads every list, sample and review; a reviewer (casefile:review) reaches only the files
assigned to them (any other file is 404); the plan's other insiders get 403, outsiders 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q

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
from kaohe.plans.models import Plan, PlanUnit

# ------------------------------------------------------------------------------ access


# ------------------------------------------------------------------------------ pages


def checklist(plan: Plan, kind: str) -> list[ChecklistItem]:
    """The checklist of one kind of file (行政执法, 行政复议, 规范性文件, 重大行政决策)."""
    return list(ChecklistItem.objects.filter(plan=plan, kind=kind))


def checklist_sizes(plan: Plan) -> dict[str, int]:
    """How many items each kind's checklist has (every kind present, 0 when empty)."""
    sizes = dict.fromkeys(CaseFileKind.values, 0)
    for row in ChecklistItem.objects.filter(plan=plan).values("kind").annotate(n=Count("pk")):
        sizes[row["kind"]] = row["n"]
    return sizes


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
    def kind_counts(self) -> list[int]:
        """The listed files of each kind, in CaseFileKind's order (the office table's columns)."""
        return [self.counts.get(kind, 0) for kind in CaseFileKind.values]

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


def case_review_rows(plan: Plan, sampled: SampledFile) -> list[ItemRow]:
    by_item = {d.item_id: d for d in ItemDeduction.objects.filter(sampled_file=sampled)}
    return [ItemRow(item, by_item.get(item.pk)) for item in checklist(plan, sampled.case_file.kind)]
