"""下级考核汇总: which lower offices' plans an office sees, read-only.

An office (a 考核办 membership, capability ``rollup:view``) sees the plans organised in every region strictly
below the regions of its office organisations, at any depth (a province office: its cities, their counties and
towns; a city office: its counties). Never a plan of its own region, of a region above, nor of a sibling's
region; never a draft (drafts are their own office's only). Progress figures of these plans are shown; scores only
once the lower office has published them (``kaohe.results.selectors_rollup``).

Everyone without an office membership gets 403; an office asking for a plan it does not oversee gets 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kaohe.access.base import memberships, require
from kaohe.organisations.models import Region
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan

CAPABILITY = "rollup:view"


def region_tree() -> dict[int, Region]:
    """Every region by id (one query): the roll-up walks the tree in memory, whatever its depth."""
    return {r.pk: r for r in Region.objects.only("pk", "name", "level", "parent_id")}


def regions_below(tree: dict[int, Region], roots: set[int]) -> set[int]:
    """The regions strictly below ``roots`` (any depth), from the tree in memory."""
    children: dict[int | None, list[int]] = {}
    for region in tree.values():
        children.setdefault(region.parent_id, []).append(region.pk)
    found: set[int] = set()
    frontier = [child for root in roots for child in children.get(root, [])]
    while frontier:
        pk = frontier.pop()
        if pk not in found and pk not in roots:
            found.add(pk)
            frontier.extend(children.get(pk, []))
    return found


def office_region_ids(user: Any) -> set[int]:
    """The regions of the organisations in which the user is 考核办."""
    return {m.organisation.region_id for m in memberships(user) if m.role == Role.OFFICE}


def lower_region_ids(user: Any, tree: dict[int, Region]) -> set[int]:
    """The regions whose offices' plans the user oversees (403 without ``rollup:view``)."""
    require(user, CAPABILITY)
    return regions_below(tree, office_region_ids(user))


def lower_plans(user: Any, tree: dict[int, Region]) -> QuerySet[Plan]:
    """Every plan (not a draft) organised in a region below the user's office regions: read-only for them."""
    return (
        Plan.objects.filter(organiser__region_id__in=lower_region_ids(user, tree))
        .exclude(status=Plan.Status.DRAFT)
        .select_related("organiser")
    )


def get_lower_plan_for_user(user: Any, plan_id: int) -> Plan:
    """A lower office's plan the user oversees; 403 without ``rollup:view``, 404 for any other plan (the user's
    own, a parent's, a sibling's, a draft)."""
    require(user, CAPABILITY)
    plan = lower_plans(user, region_tree()).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("考核方案不存在")
    return plan
