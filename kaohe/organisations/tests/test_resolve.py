"""The resolver's pieces: region levels read from names, paths split from names, names that merely hold a slash."""

from __future__ import annotations

from typing import Any

import pytest

from kaohe.organisations.models import Organisation, Region
from kaohe.organisations.regions import infer_level
from kaohe.organisations.resolve import OrganisationResolver, split_path
from tests import factories as f

L = Region.Level


@pytest.mark.parametrize(
    ("name", "parent", "level"),
    [
        ("河南省", None, L.PROVINCE),
        ("平顶山市", L.PROVINCE, L.CITY),
        ("新华区", L.CITY, getattr(L, "DISTRICT", L.COUNTY)),
        ("宝丰县", L.CITY, L.COUNTY),
        ("舞钢市", L.CITY, getattr(L, "COUNTY_CITY", L.COUNTY)),  # 县级市 under a city
        ("杨庄镇", L.COUNTY, getattr(L, "TOWNSHIP", L.TOWN)),
        ("大营乡", L.COUNTY, getattr(L, "TOWNSHIP", L.TOWN)),
        ("光明路街道", L.CITY, getattr(L, "SUBDISTRICT", L.TOWN)),
    ],
)
def test_levels_read_from_names(name: str, parent: str | None, level: str) -> None:
    assert infer_level(name, parent) == level


@pytest.mark.parametrize(
    ("text", "parts", "spaced"),
    [
        ("市司法局", ["市司法局"], False),
        ("平顶山市/舞钢市/舞钢市人民政府", ["平顶山市", "舞钢市", "舞钢市人民政府"], False),
        ("平顶山市／ 市司法局", ["平顶山市", "市司法局"], False),
        ("平顶山市 舞钢市人民政府", ["平顶山市", "舞钢市人民政府"], True),
        ("平顶山市\u3000市司法局", ["平顶山市", "市司法局"], True),
        ("", [], False),
    ],
)
def test_paths_split_from_names(text: str, parts: list[str], spaced: bool) -> None:
    assert split_path(text) == (parts, spaced)


def test_a_name_with_a_slash_or_a_line_break_is_still_a_name(db: Any) -> None:
    city = Region.objects.get(name="平顶山市")
    org = f.OrganisationFactory.create(name="市委宣传部/网信办", region=city)
    resolver = OrganisationResolver(city)
    assert resolver.find("市委宣传部/网信办").organisation == org
    assert resolver.find("市司法局").organisation == Organisation.objects.get(name="市司法局", region=city)
    assert resolver.find("平顶山市 市司法局").organisation == Organisation.objects.get(name="市司法局", region=city)
    found = resolver.find("平顶山市法治政府建设领导小组 办公室")  # a line break inside a long name
    assert found.organisation is not None and found.organisation.kind == Organisation.Kind.OFFICE


def test_a_county_office_sees_only_its_county(db: Any) -> None:
    county = Region.objects.get(name="舞钢市")
    resolver = OrganisationResolver(county)
    assert resolver.find("舞钢市人民政府").organisation is not None
    outside = resolver.find("宝丰县人民政府")
    assert outside.code == "outside" and "宝丰县" in outside.problem
    assert resolver.find("平顶山市/市司法局").code == "outside"
    assert resolver.find("市司法局").creates  # 平顶山市's is not below 舞钢市: a new one, in 舞钢市
    assert resolver.find("市司法局").region_id == county.pk


def test_a_new_region_whose_level_cannot_be_read_is_a_problem_not_a_guess(db: Any, monkeypatch: Any) -> None:
    def unreadable(name: str, parent_level: str | None) -> str:
        raise ValueError(name)

    monkeypatch.setattr("kaohe.organisations.resolve.infer_level", unreadable)
    found = OrganisationResolver(Region.objects.get(name="平顶山市")).find("平顶山市/某某片区/某某单位")
    assert found.code == "region_level" and "某某片区" in found.problem and not found.creates
