"""Ability-test fixtures: demo rosters and bank for 部门1, its two test tasks, a 部门1 unit's member, a scorer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

CODE_RE = re.compile(r'data-testid="code">([A-Z0-9 ]{9})<')


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """The wrong-code counter lives in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ability(demo_plan: Any) -> Any:
    """Demo rosters (three 部门1 units) and the demo bank, loaded through the services."""
    from kaohe.inspections.abilitytests.demo import load_demo_data

    load_demo_data(demo_plan)
    return demo_plan


@pytest.fixture
def dept1_units(ability: Any) -> list[Any]:
    from kaohe.plans.models import PlanUnit

    return list(
        PlanUnit.objects.filter(plan=ability, category__name="部门1").select_related("organisation", "category").order_by("pk")
    )


@pytest.fixture
def leaders_task(demo_plan: Any) -> Any:
    from kaohe.plans.models import Indicator

    return Indicator.objects.get(plan=demo_plan, category__name="部门1", code="2.1.1")


@pytest.fixture
def staff_task(demo_plan: Any) -> Any:
    from kaohe.plans.models import Indicator

    return Indicator.objects.get(plan=demo_plan, category__name="部门1", code="2.2.1")


@pytest.fixture
def dept1_member(dept1_units: list[Any]) -> Any:
    """A 考核对象 account of the first 部门1 unit (市委网信办)."""
    from kaohe.accounts.models import User
    from kaohe.organisations.models import Membership
    from kaohe.organisations.roles import Role

    user = User.objects.create_user(username="unit_wxb", password="x", display_name="网信办演示用户")
    Membership.objects.create(user=user, organisation=dept1_units[0].organisation, role=Role.UNIT)
    return user


@pytest.fixture
def scorer(personas: Any, demo_plan: Any) -> Any:
    """personas.field, put into one of the plan's 实地考察组 (which gives abilitytest:score)."""
    import datetime as dt

    from kaohe.inspections.fieldwork.models import FieldAssignment, FieldGroup, FieldGroupMember
    from kaohe.organisations.models import Organisation
    from kaohe.plans.models import PlanUnit

    group = FieldGroup.objects.create(plan=demo_plan, name="第一组")
    FieldGroupMember.objects.create(
        group=group, user=personas.field, organisation=Organisation.objects.get(name="市司法局", region__name="平顶山市")
    )
    # the group visits the 部门1 units (a member scores the tests of the units their group visits only)
    for unit in PlanUnit.objects.filter(plan=demo_plan, category__name="部门1"):
        FieldAssignment.objects.create(plan=demo_plan, group=group, unit=unit, visit_date=dt.date(2021, 1, 21))
    return personas.field


def make_test(
    personas: Any, plan: Any, unit: Any, task: Any, *, mode: str, rules: list[tuple[str, int, int]], **paper: int
) -> Any:
    from decimal import Decimal

    from kaohe.inspections.abilitytests import services
    from kaohe.inspections.abilitytests.draws import Rule

    return services.abilitytest_create(
        actor=personas.office,
        plan=plan,
        unit=unit,
        task=task,
        mode=mode,
        rules=[Rule(g, lo, hi) for g, lo, hi in rules],
        paper_rules={"single": 0, "multiple": 0, "judge": 0, "short": 0, "category": "", "difficulty": "", **paper},
        time_limit_minutes=20,
        oral_max_score=Decimal(100),
    )


def codes_in(html: str) -> list[str]:
    return [c.replace(" ", "") for c in CODE_RE.findall(html)]
