"""实地考核 tests: two groups formed by the office — 第一组 (field_a) holds 舞钢, 第二组 (field_b) holds 宝丰."""

from __future__ import annotations

import datetime as dt

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def unit_named(plan, name: str):
    from kaohe.plans.models import PlanUnit

    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name=name)


@pytest.fixture
def wugang(demo_plan):
    return unit_named(demo_plan, "舞钢市人民政府")


@pytest.fixture
def baofeng(demo_plan):
    return unit_named(demo_plan, "宝丰县人民政府")


@pytest.fixture
def field_tasks(demo_plan, wugang):
    """The 县区政府 实地考核 tasks (8 in the demo table), in table order."""
    from kaohe.inspections.fieldwork.selectors import field_tasks

    return list(field_tasks(demo_plan, wugang.category_id))


@pytest.fixture
def window(demo_plan):
    from kaohe.inspections.fieldwork.demo import load_demo_data

    load_demo_data(demo_plan)
    demo_plan.refresh_from_db()
    return demo_plan


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
