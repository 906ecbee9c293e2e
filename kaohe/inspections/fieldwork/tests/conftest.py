"""实地考核 tests on the small city: two groups formed by the office — 第一组 (field_a) holds 舞钢, 第二组 (field_b)
holds 宝丰; the plan's 实地考核 time is 20–29 January 2021 (as in the Pingdingshan 2020 plan)."""

from __future__ import annotations

import datetime as dt

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def unit_named(plan, name: str):
    from kaohe.plans.models import PlanUnit

    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name=name)


@pytest.fixture
def wugang(plan):
    return unit_named(plan, "舞钢市人民政府")


@pytest.fixture
def baofeng(plan):
    return unit_named(plan, "宝丰县人民政府")


@pytest.fixture
def more_counties(plan):
    """Two more 县区政府 units (鲁山县, 叶县) for the tests that count per unit."""
    from kaohe.organisations.models import Organisation, Region
    from kaohe.plans.models import Category
    from tests import factories as f

    county = Category.objects.get(plan=plan, name="县区政府")
    units = []
    for name in ("鲁山县人民政府", "叶县人民政府"):
        region = f.RegionFactory(name=name.removesuffix("人民政府"), level=Region.Level.COUNTY, parent=plan.organiser.region)
        organisation = f.OrganisationFactory(name=name, region=region, kind=Organisation.Kind.GOVERNMENT)
        units.append(f.UnitFactory(plan=plan, category=county, organisation=organisation))
    return units


@pytest.fixture
def field_tasks(plan, wugang):
    """The 县区政府 实地考核 tasks in table order: the city's 3.1.1 (20 points) and 3.1.2, which this fixture adds
    (2 points, with the requirement and materials a member reads on the spot): the tests score ``field_tasks[1]``."""
    from kaohe.inspections.fieldwork.selectors import field_tasks
    from kaohe.plans.constants import Method
    from tests import factories as f

    f.task(
        wugang.category,
        "3.1.2",
        2,
        name="实地查看征地补偿工作",
        method=Method.FIELD,
        requirement="征地补偿依法依规，档案完整规范",
        materials="征地补偿档案、会议纪要",
    )
    return list(field_tasks(plan, wugang.category_id))


@pytest.fixture
def window(plan):
    """The plan's 实地考核 time: 2021-01-20 to 2021-01-29."""
    plan.field_start, plan.field_end = dt.date(2021, 1, 20), dt.date(2021, 1, 29)
    plan.save(update_fields=["field_start", "field_end", "updated_at"])
    plan.refresh_from_db()
    return plan


@pytest.fixture
def groups(personas, window, wugang, baofeng):
    """第一组 (组长 field_a) visits 舞钢 on 2021-01-21; 第二组 (组长 field_b) visits 宝丰 on 2021-01-22."""
    from kaohe.inspections.fieldwork import services

    plan = window
    first = services.group_save(actor=personas.office, plan=plan, name="第一组", leader_id=personas.field.pk, member_ids=[])
    second = services.group_save(actor=personas.office, plan=plan, name="第二组", leader_id=personas.field2.pk, member_ids=[])
    services.assignment_set(actor=personas.office, plan=plan, group=first, unit=wugang, visit_date=dt.date(2021, 1, 21))
    services.assignment_set(actor=personas.office, plan=plan, group=second, unit=baofeng, visit_date=dt.date(2021, 1, 22))
    return first, second
