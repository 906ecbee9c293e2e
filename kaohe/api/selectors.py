"""Reads of the exchange: what an organisation's token may see, published results, roll-ups, tokens and imports.

Visibility of plans for an organisation (a token's or an office's): the plans it organises, and the plans
organised by offices in the regions below its own (a province's office sees its cities' and counties' plans).
Drafts are never visible. Results are read only from the publication in force (结果已公布): never an
unpublished snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from kaohe.api.models import ApiToken, ImportedResult, ResultImport, TrustedKey
from kaohe.organisations.models import Organisation, Region
from kaohe.organisations.regions import region_ids_below
from kaohe.plans.models import Category, Indicator, Plan, PlanUnit
from kaohe.results.models import ResultPublication, ResultSnapshot
from kaohe.results.selectors import all_category_tables

TWO = Decimal("0.01")


# --- plans an organisation may read ------------------------------------------------------------------------


def visible_plans(organisation: Organisation) -> QuerySet[Plan]:
    """Plans of ``organisation`` and of offices in regions below its own, drafts excluded, newest first."""
    below = region_ids_below({organisation.region_id}) - {organisation.region_id}
    return (
        Plan.objects.filter(Q(organiser=organisation) | Q(organiser__region_id__in=below))
        .exclude(status=Plan.Status.DRAFT)
        .select_related("organiser", "organiser__region")
        .order_by("-year", "-pk")
    )


def visible_plan(organisation: Organisation, plan_id: int) -> Plan | None:
    return visible_plans(organisation).filter(pk=plan_id).first()


def region_paths(region_ids: Iterable[int]) -> dict[int, str]:
    """Each region's path from the top, "河南省/平顶山市/舞钢市" (one query per level of the tree)."""
    known: dict[int, tuple[str, int | None]] = {}
    wanted = set(region_ids)
    while wanted - set(known):
        rows = Region.objects.filter(pk__in=wanted - set(known)).values_list("pk", "name", "parent_id")
        found = False
        for pk, name, parent_id in rows:
            found = True
            known[pk] = (name, parent_id)
            if parent_id is not None:
                wanted.add(parent_id)
        if not found:
            break
    paths: dict[int, str] = {}
    for region_id in region_ids:
        names: list[str] = []
        current: int | None = region_id
        while current is not None and current in known and len(names) < 20:
            name, current = known[current]
            names.append(name)
        paths[region_id] = "/".join(reversed(names))
    return paths


def publications_in_force(plans: Iterable[Plan]) -> dict[int, ResultPublication]:
    """The publication in force of each plan that has one (one query)."""
    rows = (
        ResultPublication.objects.filter(plan__in=[p.pk for p in plans], withdrawn_at__isnull=True)
        .select_related("snapshot")
        .defer("snapshot__inputs", "snapshot__data")
    )
    return {p.plan_id: p for p in rows}


# --- a plan's indicator tree -------------------------------------------------------------------------------


def plan_categories(plan: Plan) -> list[Category]:
    return list(Category.objects.filter(plan=plan).order_by("order", "pk"))


def plan_indicators(plan: Plan) -> list[Indicator]:
    """Every node of the plan's tables, in table order, with its desk (one query)."""
    return list(
        Indicator.objects.filter(plan=plan)
        .select_related("assessor__organisation")
        .order_by("category__order", "category_id", "order", "pk")
    )


# --- published results ------------------------------------------------------------------------------------


@dataclass
class UnitResult:
    name: str
    region_path: str
    final: str | None
    rank: int | None
    grade: str | None


@dataclass
class CategoryResults:
    name: str
    full_score: str
    units: list[UnitResult]


@dataclass
class PublishedResults:
    plan: Plan
    publication: ResultPublication
    snapshot_seq: int
    inputs_digest: str
    categories: list[CategoryResults] = field(default_factory=list)


def _money(value: Any) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP))


def published_results(plan: Plan) -> PublishedResults | None:
    """The plan's results as published (the snapshot of the publication in force), or None when not published."""
    publication = publications_in_force([plan]).get(plan.pk)
    if publication is None:
        return None
    seq, digest, data, inputs = (
        ResultSnapshot.objects.filter(pk=publication.snapshot_id).values_list("seq", "inputs_digest", "data", "inputs").get()
    )
    unit_regions = dict(PlanUnit.objects.filter(plan=plan).values_list("pk", "organisation__region_id"))
    paths = region_paths(set(unit_regions.values()))
    result = PublishedResults(plan, publication, seq, digest)
    for table in all_category_tables(data, inputs):
        result.categories.append(
            CategoryResults(
                name=table.name,
                full_score=_money(table.full_score) or "",
                units=[
                    UnitResult(
                        name=row.name,
                        region_path=paths.get(unit_regions.get(row.unit_id, 0), ""),
                        final=_money(row.final) if row.scored else None,
                        rank=row.rank if row.scored else None,
                        grade=(row.grade or None) if row.scored else None,
                    )
                    for row in table.rows
                ],
            )
        )
    return result


# --- roll-up of published plans ----------------------------------------------------------------------------


@dataclass
class Rollup:
    plan: Plan
    published_at: dt.datetime
    unit_count: int
    scored_count: int
    average: str | None
    grades: list[tuple[str, int]]


def rollup(plans: Iterable[Plan]) -> list[Rollup]:
    """Per plan with published results: units, units scored, average final score and the grade distribution.

    Computed from the published snapshot of each plan (one query for the publications, one per plan).
    """
    plans = list(plans)
    in_force = publications_in_force(plans)
    lines: list[Rollup] = []
    for plan in plans:
        publication = in_force.get(plan.pk)
        if publication is None:
            continue
        data, inputs = ResultSnapshot.objects.filter(pk=publication.snapshot_id).values_list("data", "inputs").get()
        finals: list[Decimal] = []
        grades: Counter[str] = Counter()
        count = 0
        for table in all_category_tables(data, inputs):
            for row in table.rows:
                count += 1
                if row.scored and row.final is not None:
                    finals.append(Decimal(str(row.final)))
                    grades[row.grade or "未定等次"] += 1
        average = _money(sum(finals, Decimal(0)) / len(finals)) if finals else None
        lines.append(Rollup(plan, publication.published_at, count, len(finals), average, sorted(grades.items())))
    return lines


# --- tokens, keys and imports of an office -----------------------------------------------------------------


def tokens_of(organisation: Organisation) -> list[ApiToken]:
    return list(ApiToken.objects.filter(organisation=organisation).select_related("created_by", "revoked_by"))


def token_by_hash(secret_hash: str) -> ApiToken | None:
    return ApiToken.objects.filter(secret_hash=secret_hash).select_related("organisation").first()


def trusted_keys_of(organisation: Organisation) -> list[TrustedKey]:
    return list(TrustedKey.objects.filter(organisation=organisation).select_related("added_by"))


def trusted_key_by_fingerprint(organisation: Organisation, fingerprint: str) -> TrustedKey | None:
    return TrustedKey.objects.filter(organisation=organisation, fingerprint=fingerprint).first()


def imports_of(organisation: Organisation) -> list[ResultImport]:
    return list(
        ResultImport.objects.filter(organisation=organisation)
        .select_related("key", "imported_by", "confirmed_by")
        .order_by("source_plan", "-version")
    )


def import_by_digest(organisation: Organisation, digest: str) -> ResultImport | None:
    return ResultImport.objects.filter(organisation=organisation, digest=digest).first()


def latest_version(organisation: Organisation, source_plan: str) -> int:
    last = ResultImport.objects.filter(organisation=organisation, source_plan=source_plan).order_by("-version").first()
    return last.version if last else 0


def results_of_import(result_import: ResultImport) -> list[ImportedResult]:
    return list(ImportedResult.objects.filter(result_import=result_import).order_by("position"))


def office_plans_with_results(organisation: Organisation) -> list[tuple[Plan, ResultPublication | None]]:
    """The office's own plans (not drafts) with their publication in force, for the export buttons."""
    plans = list(Plan.objects.filter(organiser=organisation).exclude(status=Plan.Status.DRAFT).order_by("-year", "-pk"))
    in_force = publications_in_force(plans)
    return [(p, in_force.get(p.pk)) for p in plans]
