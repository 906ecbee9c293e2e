"""Reads of the insights: hint counts for the desk's grid (one query), a submission's texts, facts, duplicates and
hints as its desk may see them, and a text search over the files a user may read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from kaohe.insights.coverage import PartCoverage, cover, looks_like_annual_report, parts_for
from kaohe.insights.models import DuplicatePair, FileText, Hint
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions.models import EvidenceFile, Submission

SEARCH_LIMIT = 50
SNIPPET = 60


def hint_counts(plan: Plan, unit_ids: Iterable[int], task_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """Open hints on active files per (unit id, task id), in one query — the grid's marker."""
    rows = (
        Hint.objects.filter(
            submission__plan=plan,
            submission__unit_id__in=list(unit_ids),
            submission__task_id__in=list(task_ids),
            dismissed_at__isnull=True,
            version__withdrawn_at__isnull=True,
        )
        .values_list("submission__unit_id", "submission__task_id")
        .annotate(n=Count("id"))
    )
    return {(unit_id, task_id): n for unit_id, task_id, n in rows}


@dataclass(frozen=True)
class OtherSide:
    """The other file of a duplicate pair, as the viewer may see it (``visible`` False: nothing named)."""

    visible: bool
    unit_name: str = ""
    task_code: str = ""
    year: int | None = None
    file_name: str = ""
    passage: str = ""
    plan_id: int | None = None
    unit_id: int | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class HintRow:
    hint: Hint
    text: str  # the message as this viewer may read it
    own_passage: str = ""
    other: OtherSide | None = None


@dataclass
class VersionRow:
    version: EvidenceFile
    text: FileText | None
    hints: list[HintRow] = field(default_factory=list)
    coverage: list[PartCoverage] = field(default_factory=list)  # 年度报告要素, for texts that read as an annual report


@dataclass(frozen=True)
class SubmissionInsights:
    submission: Submission | None
    versions: list[VersionRow]
    dismissed: list[HintRow]

    @property
    def open_count(self) -> int:
        return sum(1 for row in self.versions for h in row.hints if h.hint.is_open)


def _percent(value: Decimal) -> int:
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def _hint_row(hint: Hint, version: EvidenceFile, may_read: Callable[[EvidenceFile], bool]) -> HintRow:
    pair = hint.pair
    if pair is None:
        return HintRow(hint=hint, text=hint.message)
    other_file = pair.right if pair.left_id == version.pk else pair.left
    own_passage = pair.left_passage if pair.left_id == version.pk else pair.right_passage
    other_passage = pair.right_passage if pair.left_id == version.pk else pair.left_passage
    what = "完全相同" if pair.identical else f"文字 {_percent(pair.similarity)}% 相同"
    if not may_read(other_file):
        # another office's unit, or a task this desk does not grade: say that a similar file exists, no more
        return HintRow(hint=hint, text=f"与一份您无权查看的材料{what}", other=OtherSide(visible=False))
    submission = other_file.submission
    year = submission.plan.year
    other = OtherSide(
        visible=True,
        unit_name=submission.unit.organisation.name,
        task_code=submission.task.code,
        year=year,
        file_name=other_file.display_name,
        passage=other_passage,
        plan_id=submission.plan_id,
        unit_id=submission.unit_id,
        task_id=submission.task_id,
    )
    when = "" if submission.plan_id == version.submission.plan_id else f"{year}年度"
    text = f"与{other.unit_name}{when} {other.task_code} 的材料“{other.file_name}”{what}"
    return HintRow(hint=hint, text=text, own_passage=own_passage, other=other)


def submission_insights(
    plan: Plan, unit: PlanUnit, task: Indicator, may_read: Callable[[EvidenceFile], bool]
) -> SubmissionInsights:
    """Every version of the submission with its text and hints; the other side of a pair only if ``may_read``."""
    submission = Submission.objects.filter(plan=plan, unit=unit, task=task).first()
    if submission is None:
        return SubmissionInsights(None, [], [])
    versions = list(submission.files.select_related("uploaded_by").order_by("-uploaded_at", "-id"))
    texts = {t.version_id: t for t in FileText.objects.filter(version__in=versions)}
    rows = {v.pk: VersionRow(version=v, text=texts.get(v.pk)) for v in versions}
    for version_row in rows.values():
        if version_row.text is not None and looks_like_annual_report(version_row.text.text):
            version_row.coverage = cover(version_row.text.text, parts_for([task.requirement]))
    pair_side = "pair__left__submission", "pair__right__submission"
    hints = Hint.objects.filter(submission=submission).select_related(
        "version__submission",
        "dismissed_by",
        *(f"{side}__{rel}" for side in pair_side for rel in ("unit__organisation", "task", "plan")),
    )
    dismissed: list[HintRow] = []
    for hint in hints:
        row = rows.get(hint.version_id)
        if row is None:
            continue
        hint_row = _hint_row(hint, row.version, may_read)
        if hint.is_open:
            row.hints.append(hint_row)
        else:
            dismissed.append(hint_row)
    return SubmissionInsights(submission, list(rows.values()), dismissed)


@dataclass(frozen=True)
class SearchHit:
    version: EvidenceFile
    snippet: str


def search_texts(files: Q, query: str) -> list[SearchHit]:
    """Active file versions among ``files`` whose text contains ``query`` (case-insensitive), with a snippet."""
    query = query.strip()
    if not query:
        return []
    texts = (
        FileText.objects.filter(text__icontains=query, version__withdrawn_at__isnull=True)
        .filter(version__in=EvidenceFile.objects.filter(files))
        .select_related("version__submission__unit__organisation", "version__submission__task")
        .order_by("-version__uploaded_at")[:SEARCH_LIMIT]
    )
    hits: list[SearchHit] = []
    for text in texts:
        at = text.text.lower().find(query.lower())
        start = max(at - SNIPPET, 0)
        hits.append(SearchHit(version=text.version, snippet=text.text[start : at + len(query) + SNIPPET].replace("\n", " ")))
    return hits


def pair_count(plan: Plan) -> int:
    """Duplicate pairs touching the plan's files (for the office's overview)."""
    return DuplicatePair.objects.filter(Q(left__submission__plan=plan) | Q(right__submission__plan=plan)).count()
