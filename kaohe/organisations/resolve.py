"""Finding the organisation an import names, anywhere in the region tree below a plan's office (issue 17).

A plan may assess units (and use desks) anywhere below its office: a province plan names county governments and
city departments. ``OrganisationResolver(root)`` looks a name up in ``root``'s whole subtree:

- exactly one organisation of that name → it;
- several → a problem listing the candidates with their region paths and asking for a path; never a silent pick;
- none → where to create it: the region its name starts with (舞钢市司法局 → 舞钢市, 舞钢市人民政府 → 舞钢市), or the
  office's region; a government of a region not yet known (新城区人民政府) creates that region too, its level
  inferred from its name (``regions.infer_level``). Nothing is ever found or created above or outside ``root``:
  a name or path pointing there (许昌市司法局 in 平顶山市's plan) is a problem.

A name may carry a region path: "平顶山市/舞钢市/舞钢市人民政府", "平顶山市／市司法局", or with spaces
"平顶山市 舞钢市人民政府"; or the path comes separately (a 所属区划 column). The path narrows the search to that
region's subtree; it may start anywhere below the office, at the office's region, or above it with the office's
own ancestors (河南省/平顶山市/…). Missing regions at the end of a path are created (typed by name).

The resolver loads the region table once (a province holds a few thousand rows) and the organisations of each
name once; ``find`` writes nothing, ``resolve`` creates what ``find`` planned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction

from kaohe.organisations.models import Organisation, Region
from kaohe.organisations.regions import infer_level

PATH_SEPARATORS = re.compile(r"[/／\\>＞]+")
GOVERNMENT_SUFFIX = "人民政府"
REGION_SUFFIXES = ("省", "市", "区", "县", "旗", "盟", "州", "乡", "镇", "街道")
PATH_HINT = "请在名称前写上区划路径（如“{example}”），或填写“所属区划”列"


@dataclass(frozen=True)
class _RegionRow:
    pk: int
    name: str
    parent_id: int | None
    level: str


@dataclass
class Resolution:
    """What a name resolves to: an organisation, a problem (Chinese), or what to create."""

    organisation: Organisation | None = None
    problem: str = ""
    code: str = ""  # "ambiguous" | "outside" when ``problem``
    candidates: list[Organisation] = field(default_factory=list)
    # Creation (no organisation found): the name, the existing region below which it goes, the regions to create
    # there first (names, top down), the kind and the parent department (a section).
    name: str = ""
    region_id: int | None = None
    new_regions: list[str] = field(default_factory=list)
    new_levels: list[str] = field(default_factory=list)  # each new region's level, read from its name
    kind: str = ""
    parent: Organisation | None = None

    @property
    def creates(self) -> bool:
        return self.organisation is None and not self.problem


class Unresolved(Exception):
    """``resolve`` met an ambiguous name or one outside the office's regions; ``message`` says which (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def split_path(text: str) -> tuple[list[str], bool]:
    """The segments of a name with a path, and whether they were separated by spaces only."""
    text = (text or "").replace("\u3000", " ").strip()
    parts = [p for p in (re.sub(r"\s+", "", s) for s in PATH_SEPARATORS.split(text)) if p]
    if len(parts) > 1:
        return parts, False
    words = text.split()
    if len(words) > 1:
        return words, True
    return ["".join(words)] if words else [], False


class OrganisationResolver:
    """Organisations by name in the subtree of ``root`` (a plan's office region); see the module's docstring."""

    def __init__(self, root: Region) -> None:
        self.root_id = root.pk
        self._regions: dict[int, _RegionRow] = {
            pk: _RegionRow(pk, name, parent_id, level)
            for pk, name, parent_id, level in Region.objects.values_list("pk", "name", "parent_id", "level")
        }
        self._children: dict[int | None, list[int]] = {}
        for row in self._regions.values():
            self._children.setdefault(row.parent_id, []).append(row.pk)
        self._subtrees: dict[int, set[int]] = {}
        self.region_ids = self.subtree(self.root_id)
        self._ancestors = self._chain(self.root_id)[:-1]  # top down, without the root
        self._orgs: dict[str, list[Organisation]] = {}

    # ------------------------------------------------------------------ regions

    def subtree(self, region_id: int) -> set[int]:
        """``region_id`` and every region below it."""
        if region_id not in self._subtrees:
            found, frontier = {region_id}, [region_id]
            while frontier:
                frontier = [c for pk in frontier for c in self._children.get(pk, [])]
                found.update(frontier)
            self._subtrees[region_id] = found
        return self._subtrees[region_id]

    def _chain(self, region_id: int) -> list[int]:
        chain: list[int] = []
        current: int | None = region_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self._regions[current].parent_id
        return chain[::-1]

    def contains(self, organisation: Organisation) -> bool:
        """Whether the organisation lies in the office's region or below it."""
        return organisation.region_id in self.region_ids

    def region_path(self, region_id: int) -> str:
        """The region's names from just below the office's region down ("平顶山市/舞钢市"); the office's own region
        by its name. Written before a name, it finds the organisation again."""
        chain = self._chain(region_id)
        if self.root_id in chain and chain[-1] != self.root_id:
            chain = chain[chain.index(self.root_id) + 1 :]
        return "/".join(self._regions[pk].name for pk in chain)

    def organisation_path(self, organisation: Organisation) -> str:
        return f"{self.region_path(organisation.region_id)}/{organisation.name}"

    def _named_below(self, name: str, region_id: int, *, inclusive: bool) -> list[int]:
        ids = self.subtree(region_id) if inclusive else self.subtree(region_id) - {region_id}
        return sorted(pk for pk in ids if self._regions[pk].name == name)

    def _outside_region(self, name: str) -> _RegionRow | None:
        """A region called ``name`` that lies outside the office's subtree (another city, the province above)."""
        for row in self._regions.values():
            if row.name == name and row.pk not in self.region_ids:
                return row
        return None

    def _outside_message(self, subject: str, region: _RegionRow) -> str:
        root = self._regions[self.root_id].name
        return (
            f"{subject}属于“{region.name}”，不在本方案组织单位所辖区划（{root}及其下级）内；"
            f"方案只能考核本级及下级的单位，请核对名称；如确为所辖区划内另设的同名区划，请从“{root}”写起区划路径"
        )

    # ------------------------------------------------------------------ organisations

    def preload(self, names: list[str]) -> None:
        """Load the organisations of many names in one query (optional; ``find`` loads what it lacks)."""
        wanted = {n for n in names if n and n not in self._orgs}
        for n in wanted:
            self._orgs[n] = []
        if wanted:
            for org in Organisation.objects.filter(name__in=wanted).order_by("pk"):
                self._orgs[org.name].append(org)

    def _organisations(self, name: str, region_id: int) -> list[Organisation]:
        if name not in self._orgs:
            self._orgs[name] = list(Organisation.objects.filter(name=name).order_by("pk"))
        ids = self.subtree(region_id)
        return [o for o in self._orgs[name] if o.region_id in ids]

    # ------------------------------------------------------------------ find

    def find(self, text: str, region_path: str = "") -> Resolution:
        """What ``text`` (a name, perhaps with a path) names below the office; writes nothing."""
        segments, spaced = split_path(text)
        if not segments:
            return Resolution(problem="缺少单位名称", code="empty")
        path, _ = split_path(region_path)
        if spaced and not path:
            # "平顶山市 舞钢市人民政府": a path only if the words do not name an organisation as they stand
            # (a line break inside a long name is not a path).
            whole = self._find_in("".join(segments), self.root_id, [])
            if not whole.creates or not self._is_region_name(segments[0]):
                return whole
        elif spaced:
            segments = ["".join(segments)]
        if not path and not spaced and len(segments) > 1 and not self._looks_like_region(segments[0]):
            segments = ["/".join(segments)]  # a name that itself holds a slash ("宣传部/网信办"), not a path
        path += segments[:-1]
        name = segments[-1]
        if not path:
            return self._find_in(name, self.root_id, [])
        walked = self._walk(path)
        if isinstance(walked, Resolution):
            return walked
        region_id, missing = walked
        return self._find_in(name, region_id, missing, exact=True)

    def _looks_like_region(self, name: str) -> bool:
        return self._is_region_name(name) or name.endswith(REGION_SUFFIXES)

    def _is_region_name(self, name: str) -> bool:
        return any(r.name == name for r in self._regions.values())

    def _walk(self, path: list[str]) -> tuple[int, list[str]] | Resolution:
        """The region a path names below the office (and the names at its end that do not exist yet)."""
        ancestors = [self._regions[pk].name for pk in self._ancestors]
        if path[0] in ancestors:  # the office's own ancestors written first (河南省/平顶山市/…): skipped
            ancestors = ancestors[ancestors.index(path[0]) :]
            while path and ancestors and path[0] == ancestors[0]:
                path, ancestors = path[1:], ancestors[1:]
        if not path:
            return Resolution(problem="区划路径停在本方案组织单位的上级，请从本级或下级区划写起", code="outside")
        first = self._named_below(path[0], self.root_id, inclusive=True)
        if not first:
            outside = self._outside_region(path[0])
            if outside is not None:
                return Resolution(problem=self._outside_message(f"区划“{path[0]}”", outside), code="outside")
            return self.root_id, list(path)
        if len(first) > 1:
            listed = "、".join(self.region_path(pk) for pk in first)
            example = self.region_path(first[0])
            message = f"区划“{path[0]}”有 {len(first)} 个：{listed}。请写出上级区划，如“{example}”"
            return Resolution(problem=message, code="ambiguous")
        current = first[0]
        for i, segment in enumerate(path[1:], start=1):
            child = [pk for pk in self._children.get(current, []) if self._regions[pk].name == segment]
            if not child:
                return current, list(path[i:])
            current = child[0]
        return current, []

    def _find_in(self, name: str, region_id: int, missing: list[str], *, exact: bool = False) -> Resolution:
        """``name`` in the subtree of ``region_id``; with ``exact`` (a path named that region) one organisation
        right in the region wins over same-named ones further down ("平顶山市/市司法局" vs 舞钢市's)."""
        if missing:  # below a region still to be created nothing exists yet
            return self._plan_creation(name, region_id, missing)
        found = self._organisations(name, region_id)
        if exact and len(found) > 1:
            here = [o for o in found if o.region_id == region_id]
            found = here if len(here) == 1 else found
        if len(found) == 1:
            return Resolution(organisation=found[0])
        if found:
            listed = "、".join(self.organisation_path(o) for o in found)
            message = f"单位“{name}”在本方案所辖区划内有 {len(found)} 个：{listed}。不会自动选择其中之一，" + PATH_HINT.format(
                example=self.organisation_path(found[0])
            )
            return Resolution(problem=message, code="ambiguous", candidates=found)
        return self._plan_creation(name, region_id, [])

    def _plan_creation(self, name: str, region_id: int, missing: list[str]) -> Resolution:
        """Where a new organisation called ``name`` goes below ``region_id`` (+ ``missing`` regions to create)."""
        rest = name
        if not missing:
            placed = self._place(name, region_id)
            if isinstance(placed, Resolution):
                return placed
            region_id, rest = placed
        kind = Organisation.Kind.DEPARTMENT
        new_regions = list(missing)
        region_name = self._regions[region_id].name if not new_regions else new_regions[-1]
        if name.endswith(GOVERNMENT_SUFFIX):
            kind = Organisation.Kind.GOVERNMENT
            own = rest.removesuffix(GOVERNMENT_SUFFIX)
            if own and own != region_name:
                new_regions.append(own)
        elif name.endswith("管委会"):
            kind = Organisation.Kind.GOVERNMENT
        parent = None
        if kind == Organisation.Kind.DEPARTMENT and not new_regions:
            parent = self._department_of(name, region_id)
            if parent is not None:
                kind = Organisation.Kind.SECTION
        levels: list[str] = []
        level: str | None = self._regions[region_id].level
        for region in new_regions:
            try:
                level = str(infer_level(region, level))
            except ValueError:  # a name that says no level (regions.UnknownRegionLevel)
                message = f"无法从名称判断新区划“{region}”的层级（应以省、市、区、县、乡、镇、街道等结尾），请核对名称或区划路径"
                return Resolution(problem=message, code="region_level")
            levels.append(level)
        return Resolution(name=name, region_id=region_id, new_regions=new_regions, new_levels=levels, kind=kind, parent=parent)

    def _place(self, name: str, region_id: int) -> tuple[int, str] | Resolution:
        """The deepest region below ``region_id`` whose names begin ``name`` (舞钢市司法局 → 舞钢市), and the rest."""
        rest = name
        top = self._regions[region_id].name
        if rest.startswith(top) and len(rest) > len(top):
            rest = rest[len(top) :]
        current = region_id
        while True:
            below = self.subtree(current) - {current}
            prefixes = [pk for pk in below if rest.startswith(self._regions[pk].name) and len(rest) > len(self._regions[pk].name)]
            if not prefixes:
                break
            longest = max(len(self._regions[pk].name) for pk in prefixes)
            matches = sorted(pk for pk in prefixes if len(self._regions[pk].name) == longest)
            if len(matches) > 1:
                listed = "、".join(self.region_path(pk) for pk in matches)
                message = f"新单位“{name}”所在的区划“{self._regions[matches[0]].name}”有 {len(matches)} 个：{listed}。" + (
                    PATH_HINT.format(example=f"{self.region_path(matches[0])}/{name}")
                )
                return Resolution(problem=message, code="ambiguous")
            current = matches[0]
            rest = rest[longest:]
        if current == region_id:
            outside = self._outside_prefix(name)
            if outside is not None:
                return Resolution(problem=self._outside_message(f"单位“{name}”", outside), code="outside")
        return current, rest

    def _outside_prefix(self, name: str) -> _RegionRow | None:
        """A region outside the office's subtree whose name begins ``name`` (许昌市司法局 in 平顶山市's plan)."""
        inside = {self._regions[pk].name for pk in self.region_ids}
        best: _RegionRow | None = None
        for row in self._regions.values():
            if row.pk in self.region_ids or row.name in inside or len(row.name) < 2:
                continue
            if name.startswith(row.name) and len(name) > len(row.name) and (best is None or len(row.name) > len(best.name)):
                best = row
        return best

    def _department_of(self, name: str, region_id: int) -> Organisation | None:
        """A section of a department ("市司法局依法行政指导科") hangs under the longest department its name begins with."""
        departments = Organisation.objects.filter(region_id=region_id, kind=Organisation.Kind.DEPARTMENT, parent__isnull=True)
        for org in sorted(departments, key=lambda o: -len(o.name)):
            if name.startswith(org.name) and len(name) > len(org.name):
                return org
        return None

    def describe(self, resolution: Resolution) -> str:
        """Where a planned creation goes, for the import preview: "平顶山市/新城区（新建区划）/新城区人民政府"."""
        base = self.region_path(resolution.region_id) if resolution.region_id else ""
        parts = [base] if base else []
        parts += [f"{n}（新建区划）" for n in resolution.new_regions]
        return "/".join([*parts, resolution.name])

    # ------------------------------------------------------------------ resolve (writes)

    def resolve(self, text: str, region_path: str = "") -> Organisation:
        """The organisation ``text`` names, created (with missing regions) when there is none; raises ``Unresolved``
        on an ambiguous name or one outside the office's regions. Call inside the import's transaction."""
        resolution = self.find(text, region_path)
        if resolution.organisation is not None:
            return resolution.organisation
        if resolution.problem:
            raise Unresolved(resolution.problem)
        return self.create(resolution)

    def create(self, resolution: Resolution) -> Organisation:
        assert resolution.region_id is not None  # noqa: S101  (a planned creation always names its region)
        with transaction.atomic():
            region_id = resolution.region_id
            for name, level in zip(resolution.new_regions, resolution.new_levels, strict=True):
                region_id = self._create_region(name, region_id, level)
            org = Organisation(name=resolution.name, kind=resolution.kind, region_id=region_id, parent=resolution.parent)
            org.full_clean()
            org.save()
        self._orgs.setdefault(org.name, []).append(org)
        return org

    def _create_region(self, name: str, parent_id: int, level: str) -> int:
        existing = [pk for pk in self._children.get(parent_id, []) if self._regions[pk].name == name]
        if existing:
            return existing[0]
        region = Region(name=name, parent_id=parent_id, level=level)
        region.full_clean()
        region.save()
        self._regions[region.pk] = _RegionRow(region.pk, region.name, parent_id, region.level)
        self._children.setdefault(parent_id, []).append(region.pk)
        self._subtrees.clear()
        self.region_ids = self.subtree(self.root_id)
        return region.pk


class ExistingFinder:
    """Find only, for lists that never create organisations (the people list): a name, perhaps with a region path,
    among the organisations of ``region_ids`` (an administrator's regions, each with all below it). The region
    table is read once per finder, whatever the number of rows."""

    def __init__(self, region_ids: set[int]) -> None:
        self.region_ids = region_ids
        self._resolvers: list[OrganisationResolver] | None = None

    @property
    def resolvers(self) -> list[OrganisationResolver]:
        if self._resolvers is None:
            parents = dict(Region.objects.filter(pk__in=self.region_ids).values_list("pk", "parent_id"))
            tops = [pk for pk, parent in parents.items() if parent not in self.region_ids]
            self._resolvers = [OrganisationResolver(root) for root in Region.objects.filter(pk__in=tops).order_by("pk")]
        return self._resolvers

    def find(self, text: str) -> Resolution:
        """The organisation; or an ambiguity problem naming the candidates' paths; or an empty Resolution."""
        found: list[tuple[OrganisationResolver, Organisation]] = []
        for resolver in self.resolvers if self.region_ids else []:
            resolution = resolver.find(text)
            if resolution.code == "ambiguous":
                return resolution
            if resolution.organisation is not None:
                found.append((resolver, resolution.organisation))
        if len(found) == 1:
            return Resolution(organisation=found[0][1])
        if found:
            listed = "、".join(resolver.organisation_path(org) for resolver, org in found)
            message = f"单位“{text}”有 {len(found)} 个：{listed}。不会自动选择其中之一，" + PATH_HINT.format(
                example=found[0][0].organisation_path(found[0][1])
            )
            return Resolution(problem=message, code="ambiguous", candidates=[org for _, org in found])
        return Resolution()
