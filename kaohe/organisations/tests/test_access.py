"""Plan roles are resolved from memberships; outsiders and drafts are invisible; capabilities gate acts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kaohe import access
from kaohe.access.plans import get_plan_for_user, plans_visible_to, visible_categories
from kaohe.organisations.roles import Role


def test_roles_in_the_citys_plan(personas, plan):
    assert access.plan_roles(personas.office, plan) == {Role.OFFICE}
    assert access.plan_roles(personas.desk, plan) == {Role.DESK}
    assert access.plan_roles(personas.unit, plan) == {Role.UNIT}
    assert access.plan_roles(personas.viewer, plan) == {Role.VIEWER}
    assert access.plan_roles(personas.sysadmin, plan) == set()
    assert access.plan_roles(personas.other_office, plan) == set()


def test_outsider_gets_404_and_insider_without_capability_gets_403(personas, plan, other_plan):
    with pytest.raises(Http404):
        get_plan_for_user(personas.other_office, plan.pk)
    with pytest.raises(Http404):
        get_plan_for_user(personas.office, other_plan.pk)
    with pytest.raises(PermissionDenied):
        get_plan_for_user(personas.unit, plan.pk, capability="plan:import")
    assert get_plan_for_user(personas.office, plan.pk, capability="plan:import") == plan


def test_draft_plan_is_visible_to_its_office_only(personas, other_plan):
    assert other_plan.is_draft
    assert access.plan_roles(personas.other_office, other_plan) == {Role.OFFICE}
    assert list(plans_visible_to(personas.other_office)) == [other_plan]
    assert other_plan not in plans_visible_to(personas.other_unit)


def test_unit_sees_only_its_own_category(personas, plan):
    names = set(visible_categories(personas.unit, plan).values_list("name", flat=True))
    assert names == {"县区政府"}
    names2 = set(visible_categories(personas.unit2, plan).values_list("name", flat=True))
    assert names2 == {"部门2"}
    assert visible_categories(personas.desk, plan).count() == 3


def test_admin_powers_are_separate_and_carry_no_plan_capability(personas, plan):
    assert access.can(personas.sysadmin, "accounts:manage")
    assert not access.can(personas.sysadmin, "audit:read")
    assert not access.can(personas.sysadmin, "plan:view", plan)
    assert not access.can(personas.office, "accounts:manage")


def test_plan_capability_needs_a_plan(personas):
    with pytest.raises(ValueError, match="needs a plan"):
        access.can(personas.office, "plan:import")
