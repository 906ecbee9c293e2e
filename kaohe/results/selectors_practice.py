"""典型经验 (good practice shared), reads: the page's groups by area, and what the office may mark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Value

from kaohe.plans.models import Plan
from kaohe.results.models_practice import GoodPractice, PracticeStatus
from kaohe.scoring.models import BonusApplication, Evaluation, GradeChoice
from kaohe.submissions.models import EvidenceFile

BONUS_AREA = "加分事项"


@dataclass
class PracticeGroup:
    category: str
    area: str
    items: list[GoodPractice] = field(default_factory=list)


def practices(plan: Plan, *, published_only: bool) -> QuerySet[GoodPractice]:
    found = GoodPractice.objects.filter(plan=plan).select_related(
        "unit__organisation", "unit__category", "area", "evidence_file", "bonus", "created_by", "withdrawn_by"
    )
    if published_only:
        found = found.filter(status=PracticeStatus.PUBLISHED)
    return found.order_by("created_at", "pk")


def grouped(items: list[GoodPractice]) -> list[PracticeGroup]:
    """Groups by 类别 → 一级指标 in the tree's order; bonus matters last in their 类别, under 加分事项."""

    def key(p: GoodPractice) -> tuple[int, int, bool, int]:
        return (p.unit.category.order, p.unit.category_id, p.area is None, p.area.order if p.area is not None else 0)

    groups: dict[tuple[int, int | None], PracticeGroup] = {}
    for item in sorted(items, key=key):
        slot = (item.unit.category_id, item.area_id)
        if slot not in groups:
            area = f"{item.area.code} {item.area.name}" if item.area is not None else BONUS_AREA
            groups[slot] = PracticeGroup(item.unit.category.name, area)
        groups[slot].items.append(item)
    return list(groups.values())


@dataclass(frozen=True)
class Candidate:
    value: str  # "file:<id>" or "bonus:<id>"
    label: str
    unit_id: int
    evidence_file: EvidenceFile | None = None
    bonus: BonusApplication | None = None


@dataclass(frozen=True)
class CandidateUnit:
    """A unit with something the office may mark: the chooser's line."""

    unit_id: int
    name: str
    files: int
    bonuses: int

    @property
    def label(self) -> str:
        counts = []
        if self.files:
            counts.append(f"报送资料 {self.files} 份")
        if self.bonuses:
            counts.append(f"加分事项 {self.bonuses} 项")
        return f"{self.name}（{'，'.join(counts)}）"


def _candidate_files(plan: Plan) -> QuerySet[EvidenceFile]:
    """Current files of tasks graded 优, not yet marked."""
    excellent = Evaluation.objects.filter(
        plan=plan, unit=OuterRef("submission__unit"), task=OuterRef("submission__task"), grade=GradeChoice.EXCELLENT
    )
    marked = GoodPractice.objects.filter(plan=plan, evidence_file__isnull=False).values("evidence_file")
    return (
        EvidenceFile.objects.filter(submission__plan=plan, withdrawn_at__isnull=True)
        .filter(Exists(excellent))
        .exclude(pk__in=marked)
    )


def _candidate_bonuses(plan: Plan) -> QuerySet[BonusApplication]:
    """Approved bonus matters, not yet marked."""
    marked = GoodPractice.objects.filter(plan=plan, bonus__isnull=False).values("bonus")
    return BonusApplication.objects.filter(plan=plan, status=BonusApplication.Status.APPROVED).exclude(pk__in=marked)


def candidate_units(plan: Plan) -> list[CandidateUnit]:
    """The units with candidates, by the units' sort order, with how many of each (two grouped queries).

    The page lists one unit's candidates at a time: a plan's 优 files run to thousands, too many for one list."""
    rows = [
        *_candidate_files(plan)
        .values(
            unit=F("submission__unit"),
            name=F("submission__unit__organisation__name"),
            key=F("submission__unit__organisation__sort_key"),
        )
        .annotate(files=Count("pk"), bonuses=Value(0)),
        *_candidate_bonuses(plan)
        .values("unit", name=F("unit__organisation__name"), key=F("unit__organisation__sort_key"))
        .annotate(files=Value(0), bonuses=Count("pk")),
    ]
    merged: dict[int, dict[str, Any]] = {}
    for row in rows:
        into = merged.setdefault(row["unit"], {**row, "files": 0, "bonuses": 0})
        into["files"] += row["files"]
        into["bonuses"] += row["bonuses"]
    units = [(r["key"], r["unit"], CandidateUnit(r["unit"], r["name"], r["files"], r["bonuses"])) for r in merged.values()]
    return [unit for _, _, unit in sorted(units)]


def _from_file(f: EvidenceFile) -> Candidate:
    label = f"报送资料 · {f.submission.unit.organisation.name} · {f.submission.task.code} · {f.display_name}"
    return Candidate(f"file:{f.pk}", label, f.submission.unit_id, evidence_file=f)


def _from_bonus(b: BonusApplication) -> Candidate:
    return Candidate(f"bonus:{b.pk}", f"加分事项 · {b.unit.organisation.name} · {b.matter}", b.unit_id, bonus=b)


def candidates(plan: Plan, *, unit_id: int | None = None) -> list[Candidate]:
    """What the office may mark (of one unit when ``unit_id`` is given): current files of tasks graded 优, and
    approved bonus matters, not yet marked."""
    files = _candidate_files(plan).select_related("submission__unit__organisation", "submission__task")
    bonuses = _candidate_bonuses(plan).select_related("unit__organisation")
    if unit_id is not None:
        files, bonuses = files.filter(submission__unit_id=unit_id), bonuses.filter(unit_id=unit_id)
    found = [_from_file(f) for f in files.order_by("submission__unit__organisation__sort_key", "submission__task__order", "pk")]
    return found + [_from_bonus(b) for b in bonuses.order_by("unit__organisation__sort_key", "pk")]


def candidate(plan: Plan, value: str) -> Candidate | None:
    """The one candidate ``value`` names ("file:<id>" / "bonus:<id>"), if the office may mark it (one query)."""
    kind, _, number = value.partition(":")
    if not number.isascii() or not number.isdigit():
        return None
    if kind == "file":
        files = _candidate_files(plan).select_related("submission__unit__organisation", "submission__task")
        f = files.filter(pk=int(number)).first()
        return None if f is None else _from_file(f)
    if kind == "bonus":
        b = _candidate_bonuses(plan).select_related("unit__organisation").filter(pk=int(number)).first()
        return None if b is None else _from_bonus(b)
    return None
