"""Writes of the insights: analysing one file version (text, facts, duplicates → hints) in the background, and a
desk dismissing a hint with a reason. Nothing here touches an evaluation: hints never change a score."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kaohe.access.insights import may_dismiss
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.storage import open_for_download
from kaohe.core.text import clean_text
from kaohe.insights import similarity
from kaohe.insights.extract import Extraction, extract_text
from kaohe.insights.facts import other_organ, outside_period, read_facts
from kaohe.insights.models import DuplicatePair, FileText, Hint, TextBand
from kaohe.plans.models import Plan
from kaohe.submissions.models import EvidenceFile

logger = logging.getLogger(__name__)

LATE_GRACE_DAYS = 90  # after the period's end, documents dated within this many days are in time
MAX_CANDIDATES = 200  # near-identical candidates confirmed per version
MAX_REASON = 500
PASSAGE_HEAD = 300


@dataclass(frozen=True)
class Analysis:
    extracted: bool
    hints: int
    pairs: int


def _extraction_for(version: EvidenceFile) -> Extraction:
    """The text of a version: copied from an identical file's text when one was read already, else extracted."""
    twin = FileText.objects.filter(sha256=version.sha256).exclude(version=version).first()
    if twin is not None:
        return Extraction(twin.text, twin.pages, twin.method, twin.note)
    try:
        with open_for_download(version.storage_name) as stream:
            return extract_text(version.display_name, stream)  # type: ignore[arg-type]
    except OSError as exc:
        logger.warning("insights: the file of version %s could not be opened (%s)", version.pk, type(exc).__name__)
        return Extraction("", 0, FileText.Method.NONE, "文件读取失败，未提取文字")


def version_analyse(version_id: int, *, force: bool = False) -> Analysis:
    """Extract the text of one file version and record its facts' hints and its duplicates (idempotent)."""
    version = (
        EvidenceFile.objects.select_related("submission__plan", "submission__unit__organisation").filter(pk=version_id).first()
    )
    if version is None or version.withdrawn_at is not None:
        return Analysis(extracted=False, hints=0, pairs=0)
    existing = FileText.objects.filter(version=version).first()
    extracted = existing is None or force
    if existing is None or force:
        result = _extraction_for(version)
        facts = read_facts(result.text)
        with transaction.atomic():
            text, _ = FileText.objects.update_or_create(
                version=version,
                defaults={
                    "text": result.text,
                    "pages": result.pages,
                    "method": result.method,
                    "note": result.note[:300],
                    "extracted_at": timezone.now(),
                    "sha256": version.sha256,
                    "doc_number": facts.doc_number[:60],
                    "doc_date": facts.doc_date,
                    "organ": facts.organ[:60],
                },
            )
    else:
        text = existing
    hints = _fact_hints(version, text)
    pairs = _duplicates(version, text)
    return Analysis(extracted=extracted, hints=hints, pairs=pairs)


def _hint(version: EvidenceFile, kind: str, message: str, evidence: str = "", pair: DuplicatePair | None = None) -> bool:
    """Record a hint once (a dismissed hint stays dismissed when the version is analysed again)."""
    lookup = {"version": version, "kind": kind, "pair": pair}
    if Hint.objects.filter(**lookup).exists():
        return False
    try:
        with transaction.atomic():
            Hint.objects.create(
                **lookup,
                submission_id=version.submission_id,
                message=message[:300],
                evidence=evidence,
                created_at=timezone.now(),
            )
    except IntegrityError:  # recorded meanwhile by another worker
        return False
    return True


def _fact_hints(version: EvidenceFile, text: FileText) -> int:
    plan = version.submission.plan
    facts = read_facts(text.text)
    # annual reports and summaries are written after the year closes (法治政府建设年度报告: by the end of the first
    # quarter), so a date is "late" only past the submission deadline and past 90 days after the period
    latest = max(plan.submission_deadline or plan.period_end, plan.period_end + dt.timedelta(days=LATE_GRACE_DAYS))
    made = 0
    kept: list[str] = []
    if why := outside_period(facts, plan.period_start, plan.period_end, latest):
        made += _hint(version, Hint.Kind.OUTSIDE_YEAR, f"{version.display_name}：{why}", facts.doc_number)
        kept.append(Hint.Kind.OUTSIDE_YEAR)
    organisation = version.submission.unit.organisation
    if why := other_organ(facts, [organisation.name, organisation.short_name]):
        made += _hint(version, Hint.Kind.OTHER_ORGAN, f"{version.display_name}：{why}", facts.organ)
        kept.append(Hint.Kind.OTHER_ORGAN)
    # a re-analysis (new rules, --force) withdraws the open fact hints that no longer hold; dismissed ones stay
    Hint.objects.filter(version=version, pair__isnull=True, dismissed_at__isnull=True).exclude(kind__in=kept).delete()
    return made


def _family(version: EvidenceFile) -> int:
    """The plan family a version is compared within: the plans of the same organiser (all its years)."""
    return version.submission.plan.organiser_id


def _same_family_files(version: EvidenceFile) -> list[EvidenceFile]:
    return list(
        EvidenceFile.objects.filter(
            sha256=version.sha256, submission__plan__organiser_id=_family(version), withdrawn_at__isnull=True
        )
        .exclude(submission_id=version.submission_id)
        .order_by("pk")[:MAX_CANDIDATES]
    )


def _ratio(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _record_pair(a: EvidenceFile, b: EvidenceFile, *, identical: bool, ratio: Decimal, passages: similarity.Passages) -> int:
    left, right = (a, b) if a.pk < b.pk else (b, a)
    left_passage, right_passage = (passages.left, passages.right) if left is a else (passages.right, passages.left)
    pair, _ = DuplicatePair.objects.update_or_create(
        left=left,
        right=right,
        defaults={
            "identical": identical,
            "similarity": ratio,
            "left_passage": left_passage,
            "right_passage": right_passage,
            "found_at": timezone.now(),
        },
    )
    percent = int((ratio * 100).to_integral_value(rounding=ROUND_HALF_UP))
    message = "与另一份材料文件完全相同" if identical else f"与另一份材料文字 {percent}% 相同"
    _hint(left, Hint.Kind.DUPLICATE, message, pair=pair)
    _hint(right, Hint.Kind.DUPLICATE, message, pair=pair)
    return 1


def _duplicates(version: EvidenceFile, text: FileText) -> int:
    pairs = 0
    head = text.text[:PASSAGE_HEAD]
    identical_ids: set[int] = set()
    for other in _same_family_files(version):
        identical_ids.add(other.pk)
        pairs += _record_pair(version, other, identical=True, ratio=Decimal("1.0000"), passages=similarity.Passages(head, head))
    grams = similarity.shingles(text.text)
    TextBand.objects.filter(version=version).delete()
    if len(grams) < similarity.MIN_SHINGLES:
        return pairs
    keys = similarity.band_keys(similarity.signature(grams))
    family = _family(version)
    TextBand.objects.bulk_create([TextBand(version=version, organiser_id=family, key=key) for key in keys])
    candidates = set(
        TextBand.objects.filter(organiser_id=family, key__in=keys)
        .exclude(version=version)
        .values_list("version_id", flat=True)
        .distinct()[: MAX_CANDIDATES * 2]
    )
    candidates -= identical_ids
    others = (
        FileText.objects.filter(version_id__in=candidates, version__withdrawn_at__isnull=True)
        .exclude(version__submission_id=version.submission_id)
        .select_related("version")[:MAX_CANDIDATES]
    )
    for candidate in others:
        ratio = similarity.jaccard(grams, similarity.shingles(candidate.text))
        if ratio >= similarity.NEAR:
            passages = similarity.best_passages(text.text, candidate.text)
            pairs += _record_pair(version, candidate.version, identical=False, ratio=_ratio(ratio), passages=passages)
    return pairs


def hint_dismiss(*, actor: User, plan: Plan, hint: Hint, reason: str) -> Hint:
    """排除 a hint with a written reason (audited). The evaluation is not touched."""
    reason = clean_text(reason, "排除理由", MAX_REASON)
    if hint.submission.plan_id != plan.pk:
        raise ValidationError("该提示不属于本方案")
    if not may_dismiss(actor, plan, hint):
        raise PermissionDenied
    with transaction.atomic():
        locked = Hint.objects.select_for_update().get(pk=hint.pk)
        if locked.dismissed_at is not None:
            raise ValidationError("该提示已排除")
        locked.dismissed_by = actor
        locked.dismissed_at = timezone.now()
        locked.dismiss_reason = reason
        locked.full_clean()
        locked.save(update_fields=["dismissed_by", "dismissed_at", "dismiss_reason"])
        audit.record(
            actor=actor,
            action="insight.hint_dismiss",
            obj=locked,
            plan_id=plan.pk,
            organisation=hint.submission.unit.organisation,
            before={"kind": locked.kind, "message": locked.message},
            after={"reason": reason},
        )
    return locked


def backfill(*, organiser_id: int | None = None, force: bool = False) -> tuple[int, int]:
    """Analyse every active version without text (all with ``force``): (versions analysed, texts extracted)."""
    files = EvidenceFile.objects.filter(withdrawn_at__isnull=True)
    if organiser_id is not None:
        files = files.filter(submission__plan__organiser_id=organiser_id)
    if not force:
        files = files.filter(insight_text__isnull=True)
    done = extracted = 0
    for version_id in files.order_by("pk").values_list("pk", flat=True).iterator():
        try:
            outcome = version_analyse(version_id, force=force)
        except Exception:
            logger.exception("insights: version %s could not be analysed", version_id)
            continue
        done += 1
        extracted += outcome.extracted
    return done, extracted
