"""Issue 17 (reaching down): a plan's imports find organisations anywhere below its office, never duplicate one,
ask about an ambiguous name (with the candidates' region paths), accept region paths, create new ones in the right
region with the right level, and refuse organisations outside the office's regions.

The province: 河南省 with 平顶山市 (the small city: 舞钢市, 宝丰县, 郏县, 市司法局 …) and 许昌市 (made here: 市司法局,
禹州市); 洛阳市 (conftest's outsider) has 洛阳市司法局. The province's office runs a draft plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kaohe import access
from kaohe.access.plans import plans_visible_to
from kaohe.accounts.models import User
from kaohe.organisations.models import Organisation, Region
from kaohe.organisations.regions import infer_level
from kaohe.organisations.roles import Role
from kaohe.plans import services
from kaohe.plans.models import AssessorDesk, Plan, PlanImport, PlanUnit
from kaohe.plans.tests.excel_factories import sheet, task_row, wide_table
from tests import factories as f

UNIT_HEADER = ["单位名称", "类别"]
UNIT_REGION_HEADER = ["单位名称", "所属区划", "类别"]
DESK_HEADER = ["序号", "单位", "联系人", "联系电话"]


@dataclass
class Province:
    office: User
    plan: Plan
    henan: Region
    pingdingshan: Region
    xuchang: Region
    sfj_pds: Organisation  # 平顶山市 市司法局
    sfj_xc: Organisation  # 许昌市 市司法局


@pytest.fixture
def province(db: Any) -> Province:
    henan = Region.objects.get(name="河南省", parent=None)
    pingdingshan = Region.objects.get(name="平顶山市", parent=henan)
    xuchang = f.RegionFactory.create(name="许昌市", parent=henan, level=Region.Level.CITY)
    yuzhou = f.RegionFactory.create(name="禹州市", parent=xuchang, level=Region.Level.COUNTY)
    f.OrganisationFactory.create(name="禹州市人民政府", region=yuzhou, kind=Organisation.Kind.GOVERNMENT)
    sfj_xc = f.OrganisationFactory.create(name="市司法局", region=xuchang)
    office_org = f.OrganisationFactory.create(name="河南省依法行政考核办公室", region=henan, kind=Organisation.Kind.OFFICE)
    office = f.UserFactory.create(username="province_office", memberships=[(office_org, Role.OFFICE)])
    plan = f.PlanFactory.create(organiser=office_org, year=2021, title="河南省2021年度依法行政考核")
    return Province(
        office=office,
        plan=plan,
        henan=henan,
        pingdingshan=pingdingshan,
        xuchang=xuchang,
        sfj_pds=Organisation.objects.get(name="市司法局", region=pingdingshan),
        sfj_xc=sfj_xc,
    )


def _upload(actor: User, plan: Plan, kind: str, *rows: list[Any]) -> PlanImport:
    return services.plan_import_upload(actor=actor, plan=plan, kind=kind, data=sheet(*rows), original_name="名单.xlsx")


def _apply(actor: User, record: PlanImport) -> PlanImport:
    return services.plan_import_apply(actor=actor, plan_import=record, accept_warnings=True)


def _errors(record: PlanImport) -> list[dict[str, Any]]:
    return [p for p in record.problems if p["severity"] == "error"]


def test_a_province_plan_naming_a_county_government_finds_it_and_its_accounts_see_the_plan(province, personas):
    wugang = Organisation.objects.get(name="舞钢市人民政府")
    record = _upload(
        province.office, province.plan, "units", UNIT_HEADER, ["舞钢市人民政府", "县级政府"], ["禹州市人民政府", "县级政府"]
    )
    assert _errors(record) == []
    assert "new_organisations" not in record.summary
    _apply(province.office, record)

    assert (
        PlanUnit.objects.get(plan=province.plan, category__name="县级政府", organisation__name="舞钢市人民政府").organisation
        == wugang
    )
    assert Organisation.objects.filter(name="舞钢市人民政府").count() == 1
    assert Region.objects.filter(name="舞钢市").count() == 1  # no second 舞钢市 under the province
    Plan.objects.filter(pk=province.plan.pk).update(status=Plan.Status.PUBLISHED)
    assert province.plan.pk in set(plans_visible_to(personas.unit).values_list("pk", flat=True))
    assert Role.UNIT in access.plan_roles(personas.unit, Plan.objects.get(pk=province.plan.pk))
    page = personas.client(personas.unit).get(reverse("plans:detail", args=[province.plan.pk]))
    assert page.status_code == 200 and "河南省2021年度依法行政考核" in page.content.decode()


def test_a_bare_name_two_cities_share_is_asked_about_never_matched(province):
    record = _upload(province.office, province.plan, "units", UNIT_HEADER, ["市司法局", "部门"])
    [error] = _errors(record)
    assert error["code"] == "organisation_ambiguous" and error["row"] == 2
    assert "平顶山市/市司法局" in error["message"] and "许昌市/市司法局" in error["message"]
    assert "区划路径" in error["message"]
    client = Client()
    client.force_login(province.office)
    page = client.get(reverse("plans:import_preview", args=[province.plan.pk, record.pk])).content.decode()
    assert "平顶山市/市司法局" in page and "许昌市/市司法局" in page
    with pytest.raises(services.ImportRejected):
        _apply(province.office, record)
    assert not PlanUnit.objects.filter(plan=province.plan).exists()
    assert Organisation.objects.filter(name="市司法局").count() == 2


def test_a_region_path_in_the_name_or_its_own_column_resolves_it(province):
    record = _upload(
        province.office,
        province.plan,
        "units",
        UNIT_REGION_HEADER,
        ["许昌市/市司法局", "", "部门"],
        ["平顶山市 市司法局", "", "部门"],  # a path with a space
        ["宝丰县人民政府", "河南省/平顶山市", "县级政府"],  # the 所属区划 column, from the office's own region
        ["河南省/平顶山市/郏县/郏县人民政府", "", "县级政府"],
    )
    assert _errors(record) == []
    _apply(province.office, record)
    units = {u.organisation_id for u in PlanUnit.objects.filter(plan=province.plan)}
    expected = {
        province.sfj_xc.pk,
        province.sfj_pds.pk,
        Organisation.objects.get(name="宝丰县人民政府").pk,
        Organisation.objects.get(name="郏县人民政府").pk,
    }
    assert units == expected
    assert Organisation.objects.filter(name="市司法局").count() == 2


def test_two_rows_naming_one_organisation_are_an_error(province):
    record = _upload(
        province.office,
        province.plan,
        "units",
        UNIT_HEADER,
        ["舞钢市人民政府", "县级政府"],
        ["平顶山市/舞钢市/舞钢市人民政府", "县级政府"],
    )
    [error] = _errors(record)
    assert error["code"] == "organisation_twice" and "第2行" in error["message"]


def test_new_names_are_created_in_the_right_region_with_the_right_level(province):
    regions_before = set(Region.objects.values_list("pk", flat=True))
    record = _upload(
        province.office,
        province.plan,
        "units",
        UNIT_HEADER,
        ["平顶山市/新城区/新城区人民政府", "县级政府"],
        ["许昌市建安区人民政府", "县级政府"],
        ["舞钢市司法局", "部门"],
        ["平顶山市/宝丰县/杨庄镇/杨庄镇人民政府", "乡镇"],
        ["许昌市/长葛市人民政府", "县级政府"],
    )
    assert _errors(record) == []
    assert record.summary["new_organisation_count"] == 5
    assert "平顶山市/新城区（新建区划）/新城区人民政府" in record.summary["new_organisations"]
    client = Client()
    client.force_login(province.office)
    page = client.get(reverse("plans:import_preview", args=[province.plan.pk, record.pk])).content.decode()
    assert 'data-testid="import-new-organisations"' in page and "平顶山市/新城区（新建区划）/新城区人民政府" in page
    _apply(province.office, record)

    xinchengqu = Organisation.objects.get(name="新城区人民政府")
    assert xinchengqu.kind == Organisation.Kind.GOVERNMENT
    assert (xinchengqu.region.name, xinchengqu.region.parent) == ("新城区", province.pingdingshan)
    assert xinchengqu.region.level == infer_level("新城区", Region.Level.CITY)
    jianan = Organisation.objects.get(name="许昌市建安区人民政府")
    assert (jianan.region.name, jianan.region.parent) == ("建安区", province.xuchang)
    sfj = Organisation.objects.get(name="舞钢市司法局")
    assert (sfj.region.name, sfj.kind) == ("舞钢市", Organisation.Kind.DEPARTMENT)
    town = Organisation.objects.get(name="杨庄镇人民政府").region
    assert (town.name, town.parent.name, town.level) == ("杨庄镇", "宝丰县", infer_level("杨庄镇", Region.Level.COUNTY))
    assert town.level == Region.Level.TOWN  # not county
    changge = Organisation.objects.get(name="长葛市人民政府").region
    assert (changge.parent, changge.level) == (province.xuchang, infer_level("长葛市", Region.Level.CITY))
    new_regions = Region.objects.exclude(pk__in=regions_before)
    assert not new_regions.filter(parent=province.henan).exists()  # nothing created at the province's level
    assert sorted(new_regions.values_list("name", flat=True)) == sorted(["新城区", "建安区", "杨庄镇", "长葛市"])


def test_a_city_plan_refuses_organisations_outside_its_region(personas, plan):
    draft = services.plan_create(
        actor=personas.office,
        organiser=plan.organiser,
        year=2021,
        title="2021年度依法行政考核",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2021, 12, 31),
    )
    record = _upload(
        personas.office,
        draft,
        "units",
        UNIT_HEADER,
        ["洛阳市司法局", "部门"],
        ["洛阳市/洛阳市司法局", "部门"],
        ["河南省人民政府", "部门"],
    )
    errors = _errors(record)
    assert [(e["code"], e["row"]) for e in errors] == [
        ("organisation_outside", 2),
        ("organisation_outside", 3),
        ("organisation_outside", 4),
    ]
    assert "不在本方案组织单位所辖区划" in errors[0]["message"] and "洛阳市" in errors[0]["message"]
    with pytest.raises(services.ImportRejected):
        _apply(personas.office, record)
    assert Organisation.objects.filter(name="洛阳市司法局").count() == 1
    assert not PlanUnit.objects.filter(plan=draft).exists()


def test_desks_resolve_along_the_tree_and_an_indicator_table_names_them_by_path(province):
    record = _upload(
        province.office,
        province.plan,
        PlanImport.Kind.DESKS,
        DESK_HEADER,
        [1, "平顶山市/市司法局", "甲", "0375-1"],
        [2, "许昌市/市司法局", "乙", "0374-1"],
    )
    assert _errors(record) == []
    _apply(province.office, record)
    desks = {d.organisation_id for d in AssessorDesk.objects.filter(plan=province.plan)}
    assert desks == {province.sfj_pds.pk, province.sfj_xc.pk}

    table = wide_table(task_row(assessor="市司法局"), task_row(task="行政复议", assessor="许昌市/市司法局"))
    _, problems, _ = services.analyse_indicators(province.plan, table, Decimal(100))
    ambiguous = [p for p in problems if p.code == "assessor_ambiguous"]
    assert len(ambiguous) == 1 and "平顶山市/市司法局" in ambiguous[0].message
    assert not [p for p in problems if p.code == "assessor_unknown"]
