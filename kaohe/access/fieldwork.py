"""实地考核: field groups, their assignments and members' photos (kaohe.inspections.fieldwork)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from kaohe.access.base import can, require
from kaohe.inspections.fieldwork.models import FieldAssignment, FieldGroup, FieldPhoto
from kaohe.plans.models import Plan

# ------------------------------------------------------------------------------ 实地考核


def get_field_group_for_office(user: Any, plan: Plan, group_id: int) -> FieldGroup:
    """A field group of the plan, for the office (``fieldwork:manage``); 404 if not of this plan."""
    require(user, "fieldwork:manage", plan)
    group = FieldGroup.objects.filter(plan=plan, pk=group_id).first()
    if group is None:
        raise Http404("考察组不存在")
    return group


def get_field_assignment_for_office(user: Any, plan: Plan, assignment_id: int) -> FieldAssignment:
    """A unit's assignment to a group, for the office (``fieldwork:manage``); 404 if not of this plan."""
    require(user, "fieldwork:manage", plan)
    assignment = FieldAssignment.objects.select_related("group", "unit__organisation").filter(plan=plan, pk=assignment_id).first()
    if assignment is None:
        raise Http404("安排不存在")
    return assignment


def get_assignment_for_member(user: Any, plan: Plan, unit_id: int) -> FieldAssignment:
    """The assignment of ``unit_id`` to one of the user's groups; 404 otherwise (another group's unit too)."""
    require(user, "fieldwork:score", plan)
    assignment = (
        FieldAssignment.objects.filter(plan=plan, unit_id=unit_id, group__members__user=user)
        .select_related("group", "unit__organisation", "unit__category", "plan")
        .first()
    )
    if assignment is None:
        raise Http404("该考核对象不在本组的考察范围内")
    return assignment


def get_photo_for_user(user: Any, plan: Plan, photo_id: int) -> FieldPhoto:
    """A photo the user may see: the office's, or one of a unit their group holds; 404 otherwise."""
    photo = FieldPhoto.objects.select_related("unit", "task", "group", "uploaded_by").filter(plan=plan, pk=photo_id).first()
    if photo is None:
        raise Http404("照片不存在")
    if can(user, "fieldwork:manage", plan):
        return photo
    if (
        can(user, "fieldwork:score", plan)
        and FieldAssignment.objects.filter(plan=plan, unit_id=photo.unit_id, group__members__user=user).exists()
    ):
        return photo
    raise Http404("照片不存在")


ABILITY_MANAGE, ABILITY_SCORE, ABILITY_ROSTER = "abilitytest:manage", "abilitytest:score", "abilitytest:roster"
