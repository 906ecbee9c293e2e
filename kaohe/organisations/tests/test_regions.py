"""Region levels: read from a new region's name (never a silent "county"), and the installation's top regions."""

from __future__ import annotations

import importlib

import pytest

from kaohe.organisations.models import Region
from kaohe.organisations.regions import UnknownRegionLevel, infer_level, region_get_or_create, top_region_ids
from tests import factories as f

L = Region.Level


@pytest.mark.parametrize(
    ("name", "parent", "level"),
    [
        ("河南省", None, L.PROVINCE),
        ("广西壮族自治区", None, L.PROVINCE),
        ("平顶山市", None, L.CITY),
        ("平顶山市", L.PROVINCE, L.CITY),
        ("恩施土家族苗族自治州", L.PROVINCE, L.CITY),
        ("舞钢市", L.CITY, L.COUNTY_CITY),
        ("汝州市", L.CITY, L.COUNTY_CITY),
        ("宝丰县", L.CITY, L.COUNTY),
        ("新华区", L.CITY, L.DISTRICT),
        ("石龙区", L.CITY, L.DISTRICT),
        ("平顶山高新技术产业开发区", L.CITY, L.ZONE),
        ("城乡一体化示范区", L.CITY, L.ZONE),
        ("平顶山高新区管委会", L.CITY, L.ZONE),
        ("赵庄镇", L.COUNTY, L.TOWN),
        ("马街乡", L.COUNTY, L.TOWN),
        ("矿工路街道", L.DISTRICT, L.SUBDISTRICT),
        ("光明路街道办事处", L.DISTRICT, L.SUBDISTRICT),
        ("郏县", L.CITY, L.COUNTY),
    ],
)
def test_level_from_the_name(name: str, parent: Region.Level | None, level: Region.Level) -> None:
    assert infer_level(name, parent) == level


@pytest.mark.parametrize(
    ("name", "parent"),
    [("示范", None), ("某某单位", L.CITY), ("新华区", None), ("城关", L.COUNTY)],
)
def test_an_unreadable_name_is_an_error_never_a_county(name: str, parent: Region.Level | None) -> None:
    with pytest.raises(UnknownRegionLevel, match="无法从名称判断"):
        infer_level(name, parent)


@pytest.mark.django_db
def test_region_get_or_create_types_new_regions_and_keeps_existing_ones() -> None:
    province = f.RegionFactory.create(name="测试省", level=L.PROVINCE, parent=None)
    city, created = region_get_or_create(name="测试市", parent=province)
    assert created and city.level == L.CITY
    district, _ = region_get_or_create(name="甲区", parent=city)
    county_city, _ = region_get_or_create(name="乙市", parent=city)
    zone, _ = region_get_or_create(name="丙管委会", parent=city, level=L.ZONE)
    assert (district.level, county_city.level, zone.level) == (L.DISTRICT, L.COUNTY_CITY, L.ZONE)
    again, created = region_get_or_create(name="甲区", parent=city)
    assert again == district and not created
    with pytest.raises(UnknownRegionLevel):
        region_get_or_create(name="某某", parent=city)
    assert not Region.objects.filter(name="某某").exists()


@pytest.mark.django_db
def test_top_regions_are_the_highest_holding_organisations() -> None:
    province = f.RegionFactory.create(name="测试省", level=L.PROVINCE, parent=None)
    city = f.RegionFactory.create(name="测试市", level=L.CITY, parent=province)
    county = f.RegionFactory.create(name="测试县", level=L.COUNTY, parent=city)
    f.OrganisationFactory.create(name="测试市司法局", region=city)
    # The province holds no organisation yet: it is a container, the city is the installation's top.
    top = top_region_ids()
    assert {province.pk, city.pk} <= top and county.pk not in top
    f.OrganisationFactory.create(name="测试省司法厅", region=province)
    top = top_region_ids()
    assert province.pk in top and city.pk not in top and county.pk not in top


@pytest.mark.parametrize(
    ("name", "parent", "level"),
    [
        ("舞钢市", "city", "county_city"),
        ("新华区", "city", "district"),
        ("宝丰县", "city", "county"),
        ("高新区管委会", "city", "zone"),
        ("赵庄镇", "county", "town"),
        ("矿工路街道", "district", "subdistrict"),
        ("城关", "city", "county"),  # says nothing: stays what it was
    ],
)
def test_the_data_migration_retypes_stored_counties_by_name(name: str, parent: str, level: str) -> None:
    migration = importlib.import_module("kaohe.organisations.migrations.0004_retype_regions")
    assert migration._level(name, parent) == level
