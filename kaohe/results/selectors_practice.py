"""典型经验 (good practice shared), reads: the page's groups by area, and what the office may mark."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

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
    evidence_file: EvidenceFile | None = None
    bonus: BonusApplication | None = None


def candidates(plan: Plan) -> list[Candidate]:
    """What the office may mark: current files of tasks graded 优, and approved bonus matters, not yet marked."""
    excellent = Evaluation.objects.filter(
        plan=plan, unit=OuterRef("submission__unit"), task=OuterRef("submission__task"), grade=GradeChoice.EXCELLENT
    )
    marked = GoodPractice.objects.filter(plan=plan)
    files = (
        EvidenceFile.objects.filter(submission__plan=plan, withdrawn_at__isnull=True)
        .filter(Exists(excellent))
        .exclude(pk__in=marked.filter(evidence_file__isnull=False).values("evidence_file"))
        .select_related("submission__unit__organisation", "submission__task__parent__parent")
        .order_by("submission__unit__organisation__sort_key", "submission__task__order", "pk")
    )
    bonuses = (
        BonusApplication.objects.filter(plan=plan, status=BonusApplication.Status.APPROVED)
        .exclude(pk__in=marked.filter(bonus__isnull=False).values("bonus"))
        .select_related("unit__organisation")
        .order_by("unit__organisation__sort_key", "pk")
    )
    found = [
        Candidate(
            f"file:{f.pk}",
            f"报送资料 · {f.submission.unit.organisation.name} · {f.submission.task.code} · {f.display_name}",
            evidence_file=f,
        )
        for f in files
    ]
    found += [Candidate(f"bonus:{b.pk}", f"加分事项 · {b.unit.organisation.name} · {b.matter}", bonus=b) for b in bonuses]
    return found
