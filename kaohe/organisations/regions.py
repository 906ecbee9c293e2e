"""Region levels read from names: the one place that types a region created from a name (imports, services).

``infer_level`` maps a name's suffix (…区, …县, …市, …乡/…镇, …街道) and its parent's level to a ``Region.Level``.
It names the real kinds it wants (市辖区, 县级市, 乡镇, 街道) and falls back to the values the model has today, so
it keeps working, and types more precisely, once ``Region.Level`` gains those kinds: adjust ``_WANTED`` to the
member names then chosen.
"""

from __future__ import annotations

from kaohe.organisations.models import Region

# The kind a suffix names → Region.Level member names, most precise first; the first that exists is used.
_WANTED: dict[str, tuple[str, ...]] = {
    "province": ("PROVINCE",),
    "city": ("CITY",),
    "district": ("DISTRICT", "COUNTY"),  # 市辖区
    "county": ("COUNTY",),
    "county_city": ("COUNTY_CITY", "COUNTY_LEVEL_CITY", "COUNTY"),  # 县级市
    "township": ("TOWNSHIP", "TOWN"),  # 乡 / 镇
    "subdistrict": ("SUBDISTRICT", "STREET", "TOWN"),  # 街道
}

# A level below which a new region sits by default, when its name says nothing (province → city → county → town).
_BELOW = {"province": "city", "city": "county", "county": "township"}


def _level(kind: str) -> str:
    for member in _WANTED[kind]:
        level = getattr(Region.Level, member, None)
        if level is not None:
            return str(level)
    return str(Region.Level.TOWN)


def _kind_of(level: str | None) -> str | None:
    """The kind a stored level stands for (reverse of ``_level``), to know what sits below it."""
    if level is None:
        return None
    for kind in ("province", "city", "county_city", "district", "county", "subdistrict", "township"):
        if _level(kind) == level:
            return kind
    return None


def infer_level(name: str, parent_level: str | None) -> str:
    """The level of a new region called ``name`` directly below a region of ``parent_level`` (None: top)."""
    parent = _kind_of(parent_level)
    if parent is None and name.endswith(("省", "自治区")):
        return _level("province")
    if name.endswith("街道") or name.endswith("街道办事处"):
        return _level("subdistrict")
    if name.endswith(("乡", "镇")):
        return _level("township")
    if name.endswith(("自治州", "地区", "盟")) and parent in (None, "province"):
        return _level("city")
    if name.endswith("区"):
        return _level("district")
    if name.endswith(("县", "旗")):
        return _level("county")
    if name.endswith("市"):
        return _level("city") if parent in (None, "province") else _level("county_city")
    if parent is None:
        return _level("province")
    below = _BELOW.get(parent, "township")
    return _level("county" if below == "county" else below)
