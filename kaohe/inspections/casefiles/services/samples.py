"""抽取: reproducible draws of each unit's listed files, their cancellation and their replay."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.inspections.casefiles import sampling
from kaohe.inspections.casefiles.models import CaseFile, ListingExtension, Sample, SampledFile
from kaohe.inspections.casefiles.services.checklist import KIND_LABELS
from kaohe.inspections.casefiles.services.common import _ensure_open, _fail
from kaohe.inspections.casefiles.services.listing import deadline_with
from kaohe.plans.models import Plan, PlanUnit
from kaohe.submissions.deadlines import is_open


@dataclass
class SampleOutcome:
    samples: list[Sample] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _listed(unit: PlanUnit) -> list[sampling.ListedFile]:
    return [sampling.ListedFile(f.pk, f.number, f.kind) for f in CaseFile.objects.filter(unit=unit).only("pk", "number", "kind")]


def _blind_codes(plan: Plan, count: int) -> list[int]:
    """``count`` unused random codes of the plan (1…max(99, 2 × files)), so codes reveal no order."""
    used = set(SampledFile.objects.filter(plan=plan).values_list("blind_code", flat=True))
    top = max(99, 2 * (len(used) + count))
    free = [c for c in range(1, top + 1) if c not in used]
    chosen: list[int] = []
    for _ in range(count):
        code = free.pop(secrets.randbelow(len(free)))
        chosen.append(code)
    return chosen


def _fit(snapshot: list[dict[str, Any]], per_kind: Mapping[str, int], take_all: bool) -> tuple[dict[str, int], list[str]]:
    """The per-kind counts this unit can give (all of a kind's files when fewer and ``take_all``), and the shortfalls."""
    listed: dict[str, int] = {}
    for row in snapshot:
        listed[row["kind"]] = listed.get(row["kind"], 0) + 1
    fitted: dict[str, int] = {}
    short: list[str] = []
    for kind, wanted in per_kind.items():
        have = listed.get(kind, 0)
        if have < wanted and not take_all:
            short.append(f"{KIND_LABELS.get(kind, kind)}仅 {have} 卷")
        fitted[kind] = min(wanted, have)
    return fitted, short


def sample_draw(
    *,
    actor: User,
    plan: Plan,
    units: Sequence[PlanUnit],
    requested: int,
    stratified: bool,
    take_all_if_fewer: bool,
    per_kind: Mapping[str, int] | None = None,
) -> SampleOutcome:
    """Sample ``requested`` files of each unit — or, with ``per_kind``, so many files of each kind named
    (按类型指定数量; ``requested`` is then their sum) — see sampling.py for the rule.

    Units already sampled, still listing (deadline not passed) or without any listed file are skipped and
    reported. If a unit listed fewer files than asked (of a kind), nothing at all is stored and the units are
    named — unless ``take_all_if_fewer``, which takes all of their files (of that kind) instead.
    """
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    if per_kind is not None:
        per_kind = {kind: n for kind, n in per_kind.items() if n}
        if any(kind not in KIND_LABELS for kind in per_kind) or any(n < 0 or n > 50 for n in per_kind.values()):
            raise _fail("每类案卷抽取的卷数须在 0 到 50 之间")
        if not per_kind:
            raise _fail("按类型指定数量时，至少一类案卷的抽取卷数须大于 0")
        requested = sum(per_kind.values())
    if requested < 1 or requested > 50:
        raise _fail("每个考核对象抽取的案卷数须在 1 到 50 之间")
    outcome = SampleOutcome()
    now = timezone.now()
    with transaction.atomic():
        sampled = set(Sample.objects.filter(plan=plan).values_list("unit_id", flat=True))
        extensions = {e.unit_id: e for e in ListingExtension.objects.filter(plan=plan)}
        work: list[tuple[PlanUnit, list[dict[str, Any]], int, dict[str, int] | None]] = []
        short: list[str] = []
        for unit in units:
            if unit.pk in sampled:
                outcome.skipped.append(f"{unit}：已抽取")
                continue
            deadline = deadline_with(plan, extensions.get(unit.pk))
            if deadline is None or is_open(deadline, now):
                outcome.skipped.append(f"{unit}：案卷目录报送尚未截止" if deadline else f"{unit}：未设置案卷目录截止日期")
                continue
            snapshot = sampling.snapshot_of(_listed(unit))
            if not snapshot:
                outcome.skipped.append(f"{unit}：未报送案卷目录")
                continue
            if per_kind is not None:
                counts, shortfalls = _fit(snapshot, per_kind, take_all_if_fewer)
                if shortfalls:
                    short.append(f"{unit}（{'，'.join(shortfalls)}）")
                    continue
                if not sum(counts.values()):
                    outcome.skipped.append(f"{unit}：未报送所指定类型的案卷")
                    continue
                work.append((unit, snapshot, sum(counts.values()), counts))
                continue
            n = requested
            if len(snapshot) < requested:
                if not take_all_if_fewer:
                    short.append(f"{unit}（仅报送 {len(snapshot)} 卷）")
                    continue
                n = len(snapshot)
            work.append((unit, snapshot, n, None))
        if short:
            asked = "所指定的卷数" if per_kind is not None else f"每单位 {requested} 卷"
            raise _fail(
                f"以下考核对象报送的案卷少于{asked}，未抽取任何案卷：{'、'.join(short)}。可减少抽取数量，或勾选“不足时全部抽取”。"
            )
        codes = _blind_codes(plan, sum(n for _, _, n, _ in work))
        files_by_id = {f.pk: f for f in CaseFile.objects.filter(unit__in=[u for u, _, _, _ in work])}
        for unit, snapshot, n, fitted in work:
            seed = secrets.token_hex(16)
            result = sampling.draw(snapshot, n, seed=seed, stratified=stratified, per_kind=fitted)
            sample = Sample(
                plan=plan,
                unit=unit,
                requested=requested,
                per_kind=fitted,
                stratified=stratified,
                take_all_if_fewer=take_all_if_fewer,
                seed=seed,
                snapshot=snapshot,
                digest=sampling.digest_of(snapshot),
                result=result,
                sampled_by=actor,
                sampled_at=now,
            )
            sample.full_clean()
            sample.save()
            SampledFile.objects.bulk_create(
                SampledFile(plan=plan, sample=sample, case_file=files_by_id[file_id], position=i, blind_code=codes.pop())
                for i, file_id in enumerate(result, 1)
            )
            audit.record(
                actor=actor,
                action="casefile.sample",
                obj=sample,
                plan_id=plan.pk,
                organisation=unit.organisation,
                after={
                    "requested": requested,
                    "drawn": len(result),
                    "stratified": stratified,
                    "per_kind": fitted,
                    "take_all_if_fewer": take_all_if_fewer,
                    "seed": seed,
                    "digest": sample.digest,
                    "listed": len(snapshot),
                    "result": [files_by_id[i].number for i in result],
                },
            )
            outcome.samples.append(sample)
    return outcome


def sample_cancel(*, actor: User, plan: Plan, sample: Sample) -> None:
    """Undo a draw while none of its files has been given to a reviewer (the audit log keeps it)."""
    access.require(actor, "casefile:manage", plan)
    _ensure_open(plan)
    with transaction.atomic():
        if SampledFile.objects.filter(sample=sample, reviewer__isnull=False).exists():
            raise _fail(f"{sample.unit} 的抽取案卷已分配评查员，不能撤销抽取")
        audit.record(
            actor=actor,
            action="casefile.sample_cancel",
            obj=sample,
            plan_id=plan.pk,
            organisation=sample.unit.organisation,
            before={"seed": sample.seed, "digest": sample.digest, "result": sample.result},
        )
        sample.delete()


@dataclass(frozen=True)
class ReplayReport:
    replay: sampling.Replay
    list_changed: bool  # the unit's current list differs from the snapshot (informational)

    @property
    def matches(self) -> bool:
        return self.replay.matches


def sample_replay(*, actor: User, plan: Plan, sample: Sample) -> ReplayReport:
    """Recompute the draw from the stored seed and list snapshot; record the check in the audit log."""
    access.require(actor, "casefile:manage", plan)
    result = sampling.replay(
        snapshot=sample.snapshot,
        digest=sample.digest,
        seed=sample.seed,
        n=len(sample.result),
        stratified=sample.stratified,
        result=sample.result,
        per_kind=sample.per_kind,
    )
    stored_files = list(SampledFile.objects.filter(sample=sample).order_by("position").values_list("case_file_id", flat=True))
    replay = sampling.Replay(result.digest_ok, result.result_ok and stored_files == result.recomputed, result.recomputed)
    current = sampling.digest_of(sampling.snapshot_of(_listed(sample.unit)))
    report = ReplayReport(replay, current != sample.digest)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="casefile.sample_replay",
            obj=sample,
            plan_id=plan.pk,
            organisation=sample.unit.organisation,
            after={"matches": report.matches, "digest_ok": replay.digest_ok, "result_ok": replay.result_ok},
        )
    return report
