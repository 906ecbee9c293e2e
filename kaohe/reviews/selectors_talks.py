"""Reads of 约谈 and 重点单位 for the office's page and its 整改 list (a constant number of queries)."""

from __future__ import annotations

from dataclasses import dataclass

from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews.models import FocusUnit, Talk


@dataclass
class TalksPage:
    talks: list[Talk]
    focus: list[FocusUnit]
    units: list[PlanUnit]  # every unit of the plan, by category and sort key, for the forms


def talks_page(plan: Plan) -> TalksPage:
    talks = list(Talk.objects.filter(plan=plan).select_related("unit__organisation", "recorded_by"))
    focus = list(
        FocusUnit.objects.filter(plan=plan)
        .select_related("unit__organisation", "marked_by")
        .order_by("unit__category__order", "unit__organisation__sort_key")
    )
    units = list(
        PlanUnit.objects.filter(plan=plan)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key", "pk")
    )
    return TalksPage(talks, focus, units)


def focus_organisation_ids(plan: Plan) -> set[int]:
    """The organisations of the plan's 重点单位 (one query): 整改 items carried from earlier years belong to the
    earlier plan's unit row, so the 整改 list matches them by organisation."""
    return set(FocusUnit.objects.filter(plan=plan).values_list("unit__organisation_id", flat=True))
