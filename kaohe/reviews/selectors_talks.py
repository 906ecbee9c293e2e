"""Reads of 约谈 and 重点单位 for the office's page and its 整改 list (a constant number of queries)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kaohe.plans.models import Plan, PlanUnit
from kaohe.reviews import hooks
from kaohe.reviews.models import FocusUnit, Talk


@dataclass
class TalkCandidate:
    """A unit of the published results' bottom N (约谈名单), with what the office has done about it so far."""

    category: str
    bottom_n: int
    unit: PlanUnit
    talked: bool
    focus: bool


@dataclass
class TalksPage:
    talks: list[Talk]
    focus: list[FocusUnit]
    units: list[PlanUnit]  # every unit of the plan, by category and sort key, for the forms
    candidates: list[TalkCandidate] = field(default_factory=list)


def talk_candidates(plan: Plan, page: TalksPage) -> list[TalkCandidate]:
    """The bottom-N units of each category of the published results (results answers through reviews/hooks.py)."""
    by_id = {u.pk: u for u in page.units}
    talked = {t.unit_id for t in page.talks}
    focus = {f.unit_id for f in page.focus}
    return [
        TalkCandidate(category, bottom_n, by_id[unit_id], unit_id in talked, unit_id in focus)
        for category, bottom_n, unit_ids in hooks.bottom_units(plan)
        for unit_id in unit_ids
        if unit_id in by_id
    ]


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
    page = TalksPage(talks, focus, units)
    page.candidates = talk_candidates(plan, page)
    return page


def focus_organisation_ids(plan: Plan) -> set[int]:
    """The organisations of the plan's 重点单位 (one query): 整改 items carried from earlier years belong to the
    earlier plan's unit row, so the 整改 list matches them by organisation."""
    return set(FocusUnit.objects.filter(plan=plan).values_list("unit__organisation_id", flat=True))
