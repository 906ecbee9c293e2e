"""Ability-test fixtures: rosters and a bank for the city's 部门1, its two test tasks, a 部门1 unit's member, a scorer."""

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


SECTIONS = ["办公室", "法规科", "业务一科", "业务二科"]


def roster_people() -> list[Any]:
    """1 负责同志, 4 成员 and 16 工作人员 in four sections: placeholder names only."""
    from kaohe.inspections.abilitytests.draws import Person

    people = [Person("负责同志01", "主要负责人", "leader", "单位领导")]
    people += [Person(f"成员{i:02d}", "领导小组成员", "member", "单位领导") for i in range(1, 5)]
    people += [Person(f"工作人员{i:02d}", "科员", "staff", SECTIONS[(i - 1) % len(SECTIONS)]) for i in range(1, 17)]
    return people


def bank_rows() -> list[list[Any]]:
    """A placeholder bank: 16 单选, 8 多选, 10 判断 and 2 简答 (5 points each, 简答 10)."""
    rows: list[list[Any]] = []
    rows += [
        ["单选", f"单选题{i:02d}（ ）。", "甲", "乙", "丙", "丁", "", "", "ABCD"[i % 4], "法治基础", "易", ""]
        for i in range(1, 17)
    ]
    rows += [
        ["多选", f"多选题{i:02d}（ ）。", "甲", "乙", "丙", "丁", "", "", "AB" if i % 2 else "BCD", "行政执法", "中", ""]
        for i in range(1, 9)
    ]
    rows += [
        ["判断", f"判断题{i:02d}。", "", "", "", "", "", "", "对" if i % 2 else "错", "法治基础", "易", ""] for i in range(1, 11)
    ]
    rows += [
        [
            "简答",
            f"简答题{i:02d}：重大行政决策的法定程序有哪些？",
            "",
            "",
            "",
            "",
            "",
            "",
            "公众参与、专家论证……",
            "重大行政决策",
            "难",
            10,
        ]
        for i in range(1, 3)
    ]
    return rows


@pytest.fixture
def ability(personas: Any, plan: Any) -> Any:
    """Rosters of the three 部门1 units (21 people each) and a 36-question bank, entered through the services."""
    from kaohe.inspections.abilitytests import services, sheets
    from kaohe.inspections.abilitytests.models import RosterVersion
    from kaohe.plans.models import PlanUnit

    units = PlanUnit.objects.filter(plan=plan, category__name="部门1").select_related("organisation").order_by("pk")
    for unit in units:
        services.roster_save(
            actor=personas.office,
            plan=plan,
            unit=unit,
            people=roster_people(),
            source=RosterVersion.Source.IMPORT,
            note="测试名册",
            expected_number=0,
        )
    data = sheets.bank_workbook(bank_rows())
    record = services.bank_import_upload(actor=personas.office, plan=plan, data=data, original_name="题库.xlsx")
    assert not record.error_count, record.problems[:3]
    services.bank_import_apply(actor=personas.office, record=record, accept_warnings=True)
    return plan


@pytest.fixture
def dept1_units(ability: Any) -> list[Any]:
    from kaohe.plans.models import PlanUnit

    return list(
        PlanUnit.objects.filter(plan=ability, category__name="部门1").select_related("organisation", "category").order_by("pk")
    )


@pytest.fixture
def leaders_task(plan: Any) -> Any:
    """部门1 2.2.1 (5 points, 实地考核), worded as in the real 2020 table: its rule defaults come from the wording."""
    from kaohe.plans.constants import Method
    from kaohe.plans.models import Category
    from tests import factories as f

    dept1 = Category.objects.get(plan=plan, name="部门1")
    name = "现场抽取领导小组1名负责同志和2名成员,现场随机提问"
    return f.task(dept1, "2.2.1", 5, name=name, method=Method.FIELD)


@pytest.fixture
def staff_task(plan: Any) -> Any:
    """部门1 2.2.2 (2 points, 实地考核): 10 to 15 staff, as in the real 2020 table."""
    from kaohe.plans.constants import Method
    from kaohe.plans.models import Category
    from tests import factories as f

    dept1 = Category.objects.get(plan=plan, name="部门1")
    return f.task(dept1, "2.2.2", 2, name="现场抽取10至15名有关处室工作人员进行测试", method=Method.FIELD)


@pytest.fixture
def dept1_member(dept1_units: list[Any]) -> Any:
    """A 考核对象 account of the first 部门1 unit (市委网信办)."""
    from kaohe.accounts.models import User
    from kaohe.organisations.models import Membership
    from kaohe.organisations.roles import Role

    user = User.objects.create_user(username="unit_wxb", password="x", display_name="网信办测试用户")
    Membership.objects.create(user=user, organisation=dept1_units[0].organisation, role=Role.UNIT)
    return user


@pytest.fixture
def scorer(personas: Any, plan: Any) -> Any:
    """personas.field, put into one of the plan's 实地考察组 (which gives abilitytest:score)."""
    import datetime as dt

    from kaohe.inspections.fieldwork.models import FieldAssignment, FieldGroup, FieldGroupMember
    from kaohe.organisations.models import Organisation
    from kaohe.plans.models import PlanUnit

    group = FieldGroup.objects.create(plan=plan, name="第一组")
    FieldGroupMember.objects.create(
        group=group, user=personas.field, organisation=Organisation.objects.get(name="市司法局", region__name="平顶山市")
    )
    # the group visits the 部门1 units (a member scores the tests of the units their group visits only)
    for unit in PlanUnit.objects.filter(plan=plan, category__name="部门1"):
        FieldAssignment.objects.create(plan=plan, group=group, unit=unit, visit_date=dt.date(2021, 1, 21))
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
