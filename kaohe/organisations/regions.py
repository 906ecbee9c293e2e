"""Region levels and the region tree: what kind a new region is, and which regions sit below or on top.

``infer_level`` is the one place that reads a region's level from its name (and its parent's level); every path
that creates regions (``setup_installation``, importers, services) asks it, or gives the level itself. A name it
cannot read is an error, never a silent "county".
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from kaohe.organisations.models import Organisation, Region

Level = Region.Level

# Development zones and the like end in 区 too, so they are tested before the plain 区 of a district.
_ZONE_SUFFIXES = ("管委会", "管理委员会", "开发区", "高新区", "示范区", "集聚区", "园区", "新城", "综合试验区")
_SUBDISTRICT_SUFFIXES = ("街道办事处", "街道")
_TOWN_SUFFIXES = ("乡", "镇")
_COUNTY_SUFFIXES = ("县", "旗")  # 自治县 ends in 县; 旗 is the county of Inner Mongolia
_PREFECTURE_SUFFIXES = ("州", "盟", "地区")  # prefecture-level, typed as cities
_PROVINCE_SUFFIXES = ("省", "自治区", "特别行政区")
# Levels under which a 市 is a county-level city (县级市), and under which a 区 is a district (市辖区).
_ABOVE_COUNTY = frozenset({Level.CITY})


class UnknownRegionLevel(ValueError):
    """The level of a region cannot be read from its name: the caller must give it."""


def infer_level(name: str, parent_level: str | None) -> Region.Level:
    """The level of a region named ``name`` under a region of ``parent_level`` (None: a top region).

    …省 / …自治区 → 省; a top …市 → 市 (a city's own installation); under a province …市 / …州 / …盟 / …地区 → 市;
    under a city …市 → 县级市, …区 → 区 (市辖区); …县 / …旗 → 县; …乡 / …镇 → 乡镇; …街道 → 街道; …开发区 /
    …高新区 / …管委会 (and the like) → 开发区/管委会. Anything else raises ``UnknownRegionLevel``.
    """
    name = name.strip()
    parent = Level(parent_level) if parent_level else None
    if parent is None:
        if name.endswith(_PROVINCE_SUFFIXES):
            return Level.PROVINCE
        if name.endswith("市"):
            return Level.CITY
        raise UnknownRegionLevel(f"无法从名称判断“{name}”的区划层级（省或市）")
    if name.endswith(_ZONE_SUFFIXES):
        return Level.ZONE
    if name.endswith(_SUBDISTRICT_SUFFIXES):
        return Level.SUBDISTRICT
    if name.endswith(_COUNTY_SUFFIXES):
        return Level.COUNTY
    if name.endswith("市"):
        return Level.CITY if parent == Level.PROVINCE else Level.COUNTY_CITY
    if name.endswith(_PREFECTURE_SUFFIXES) and parent == Level.PROVINCE:
        return Level.CITY
    if name.endswith("区") and parent in _ABOVE_COUNTY:
        return Level.DISTRICT
    if name.endswith(_TOWN_SUFFIXES):
        return Level.TOWN
    raise UnknownRegionLevel(f"无法从名称判断“{name}”的区划层级")


def region_get_or_create(*, name: str, parent: Region | None, level: str | None = None) -> tuple[Region, bool]:
    """The region ``name`` under ``parent``, created when missing with ``level`` (else ``infer_level``).

    Raises ``UnknownRegionLevel`` when a new region's level is neither given nor readable from its name.
    """
    name = name.strip()
    found = Region.objects.filter(parent=parent, name=name).first()
    if found is not None:
        return found, False
    region = Region(name=name, parent=parent, level=level or infer_level(name, parent.level if parent else None))
    region.full_clean()
    region.save()
    return region, True


def region_ids_below(region_ids: Iterable[int]) -> set[int]:
    """The given regions and every region below them (a city's counties, their towns)."""
    found = set(region_ids)
    frontier = set(found)
    while frontier:
        frontier = set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def top_region_ids() -> set[int]:
    """The installation's top regions: each region with no parent (the province).

    An installation set up for one city (``setup_installation --city``) has a province above it only as a
    container: while no organisation sits in a region above, the highest regions that hold organisations are
    the top (the city). So the top is where the installation's own administrators are. One query.
    """
    rows = Region.objects.annotate(held=Exists(Organisation.objects.filter(region=OuterRef("pk")))).values_list(
        "pk", "parent_id", "held"
    )
    parents: dict[int, int | None] = {}
    with_orgs: set[int] = set()
    for pk, parent_id, held in rows:
        parents[pk] = parent_id
        if held:
            with_orgs.add(pk)

    def ancestors(pk: int) -> Iterable[int]:
        seen: set[int] = set()
        up = parents.get(pk)
        while up is not None and up not in seen:
            seen.add(up)
            yield up
            up = parents.get(up)

    return {pk for pk, parent in parents.items() if parent is None or not any(a in with_orgs for a in ancestors(pk))}
