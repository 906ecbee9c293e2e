"""Reproducible sampling of case files and the score rules of 案卷集中评查 — pure functions, no ORM.

Sampling rule (documented for the office and tested in tests/test_sampling.py):

1. The unit's list is frozen as a *snapshot*: ``[{"id", "number", "kind"}, …]`` ordered by id; its digest is
   the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8).
2. Each file gets a key ``SHA-256("<seed>:<id>")`` (hex); the seed is 32 hex characters from ``secrets``.
   Within a group, files are taken in ascending key order — a fixed permutation given the seed, independent
   of Python's ``random`` module and of the order rows come back from the database.
3. Stratified (按类型分层): ``n`` files are shared among the kinds (行政执法, 行政复议, 规范性文件, 重大行政决策)
   in proportion to how many of each the unit listed, by the largest-remainder method: each kind first gets
   ⌊n × Nₖ / N⌋, the seats left go one each to the kinds with the largest fractional remainder; **ties** go to
   the kind with more listed files, then in the order above (行政执法 first). Not stratified: the ``n`` smallest
   keys over the whole list. Per kind (按类型指定数量): the office names how many files of each kind; each kind
   gives its ``nₖ`` smallest keys (a kind not named gives none).
4. The result lists the chosen ids in the order of the kinds above, each kind in key order.

A replay recomputes the draw from the stored seed and the stored snapshot; it matches when the snapshot's
digest is the stored digest and the recomputed ids equal the stored result.

Derived score (计入考核得分): unit task score = task points × mean(file scores) / 100 — computed exactly, then
rounded once to 2 places half-up. A file's score is full mark − Σ deductions, never below 0; the mean of file
scores is normalised to a 100-point scale when the plan's full mark is not 100 (mean × 100 / full mark).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

# the tie rule's last resort and the order of the result (CaseFileKind's order; pure module, so spelt out)
KIND_ORDER = ("enforcement", "reconsideration", "normative", "major_decision")
CENT = Decimal("0.01")


class SampleTooLarge(ValueError):
    """The rule asks for more files than the unit listed."""

    def __init__(self, requested: int, listed: int) -> None:
        self.requested = requested
        self.listed = listed
        super().__init__(f"requested {requested}, listed {listed}")


@dataclass(frozen=True)
class ListedFile:
    id: int
    number: str
    kind: str


def snapshot_of(files: Iterable[ListedFile]) -> list[dict[str, Any]]:
    return [{"id": f.id, "number": f.number, "kind": f.kind} for f in sorted(files, key=lambda f: f.id)]


def digest_of(snapshot: Sequence[Mapping[str, Any]]) -> str:
    canonical = json.dumps(list(snapshot), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_key(seed: str, file_id: int) -> str:
    return hashlib.sha256(f"{seed}:{file_id}".encode()).hexdigest()


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def allocate(counts: Mapping[str, int], n: int) -> dict[str, int]:
    """Largest-remainder shares of ``n`` among the types (ties: more listed, then 行政执法 first)."""
    total = sum(counts.values())
    if n > total:
        raise SampleTooLarge(n, total)
    if n == 0 or total == 0:
        return {kind: 0 for kind in counts}
    exact = {kind: Fraction(n * count, total) for kind, count in counts.items()}
    shares = {kind: int(value) for kind, value in exact.items()}  # floor (values are non-negative)
    left = n - sum(shares.values())
    order = sorted(counts, key=lambda k: (-(exact[k] - shares[k]), -counts[k], _kind_rank(k), k))
    for kind in order[:left]:
        shares[kind] += 1
    return shares


def draw(
    snapshot: Sequence[Mapping[str, Any]],
    n: int,
    *,
    seed: str,
    stratified: bool,
    per_kind: Mapping[str, int] | None = None,
) -> list[int]:
    """The ids chosen from ``snapshot`` (see the module docstring); SampleTooLarge if n > len(snapshot), or
    with ``per_kind`` if a kind is asked for more files than listed."""
    keyed = sorted((file_key(seed, int(f["id"])), int(f["id"]), str(f["kind"])) for f in snapshot)
    if per_kind is not None:
        chosen = []
        for kind, share in per_kind.items():
            of_kind = [row for row in keyed if row[2] == kind]
            if share > len(of_kind):
                raise SampleTooLarge(share, len(of_kind))
            chosen += of_kind[:share]
        chosen.sort(key=lambda row: (_kind_rank(row[2]), row[0]))
        return [file_id for _, file_id, _ in chosen]
    if n > len(snapshot):
        raise SampleTooLarge(n, len(snapshot))
    if not stratified:
        chosen = keyed[:n]
    else:
        counts: dict[str, int] = {}
        for _, _, kind in keyed:
            counts[kind] = counts.get(kind, 0) + 1
        shares = allocate(counts, n)
        chosen = []
        for kind, share in shares.items():
            chosen += [row for row in keyed if row[2] == kind][:share]
    chosen.sort(key=lambda row: (_kind_rank(row[2]), row[0]))
    return [file_id for _, file_id, _ in chosen]


@dataclass(frozen=True)
class Replay:
    digest_ok: bool
    result_ok: bool
    recomputed: list[int]

    @property
    def matches(self) -> bool:
        return self.digest_ok and self.result_ok


def replay(
    *,
    snapshot: Sequence[Mapping[str, Any]],
    digest: str,
    seed: str,
    n: int,
    stratified: bool,
    result: Sequence[int],
    per_kind: Mapping[str, int] | None = None,
) -> Replay:
    """Recompute a stored draw from its seed and snapshot and compare it with the stored digest and result."""
    try:
        recomputed = draw(snapshot, n, seed=seed, stratified=stratified, per_kind=per_kind)
    except SampleTooLarge:
        recomputed = []
    return Replay(digest_of(snapshot) == digest, recomputed == [int(i) for i in result], recomputed)


# --- scores -------------------------------------------------------------------------------------------


def file_score(full_mark: Decimal, deductions: Iterable[Decimal]) -> Decimal:
    """Full mark − Σ deductions, not below 0 (2 places)."""
    return max(Decimal(0), full_mark - sum(deductions, Decimal(0))).quantize(CENT, rounding=ROUND_HALF_UP)


def mean_score(scores: Sequence[Decimal]) -> Decimal:
    """The exact mean is kept for the task score; this is the 2-place figure shown in the reason."""
    return (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)


def task_score(points: Decimal, scores: Sequence[Decimal], full_mark: Decimal = Decimal(100)) -> Decimal:
    """Task points × mean(file scores) / full mark, rounded once to 2 places half-up."""
    if not scores:
        raise ValueError("no scores")
    exact = Fraction(points) * Fraction(sum(scores, Decimal(0))) / (len(scores) * Fraction(full_mark))
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return min(points, value.quantize(CENT, rounding=ROUND_HALF_UP))
