"""Ranking, the bottom list and grade bands with quotas and vetoes (part of the rule engine, see ``rules.py``).

All functions take the rounded finals of the ranked units of one category, keyed by unit id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

from .rules_types import HUNDRED, GradeBand, UnitId, Veto

#: Arithmetic context of the engine: 60 significant digits, every exceptional condition trapped.
CONTEXT = Context(prec=60, traps=[InvalidOperation, DivisionByZero, Overflow])


def rank_competition(finals: Mapping[UnitId, Decimal]) -> dict[UnitId, int]:
    """Rank by final, highest first; equal finals share a rank and the next rank skips (1, 2, 2, 4)."""
    ranks: dict[UnitId, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (unit_id, final) in enumerate(sorted(finals.items(), key=lambda kv: (-kv[1], kv[0])), start=1):
        if final != previous:
            rank, previous = position, final
        ranks[unit_id] = rank
    return ranks


def bottom_units(finals: Mapping[UnitId, Decimal], n: int) -> tuple[UnitId, ...]:
    """The ``n`` lowest finals, lowest first (then by unit id); every unit tied with the n-th lowest is included.

    With 5 wanted and the 5th and 6th lowest equal, 6 units are listed. With fewer than ``n`` units, all are.
    """
    if n <= 0 or not finals:
        return ()
    ordered = sorted(finals.items(), key=lambda kv: (kv[1], kv[0]))
    boundary = ordered[min(n, len(ordered)) - 1][1]
    return tuple(unit_id for unit_id, final in ordered if final <= boundary)


def quota_limit(ranked_units: int, quota_pct: Decimal) -> int:
    """floor(n × quota_pct / 100): 30 % of 11 units is 3 units."""
    with localcontext(CONTEXT):
        return int((Decimal(ranked_units) * quota_pct / HUNDRED).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class GradeAssignment:
    proposed: dict[UnitId, str]  # thresholds and quotas only
    final: dict[UnitId, str]  # with vetoes
    vetoes_applied: dict[UnitId, tuple[str, ...]]  # flags of the vetoes that deny the proposed grade


def _allocate(
    ordered: Sequence[tuple[UnitId, Decimal]], bands: Sequence[GradeBand], best_allowed: Mapping[UnitId, int]
) -> dict[UnitId, int]:
    """Band index per unit. Bands are filled best first, each from the units still without a band, in rank order.

    A unit is a candidate for band i when its final reaches the band's minimum (the lowest band takes every
    remaining unit) and no veto bars it (``best_allowed[unit] <= i``). Under a quota, candidates are taken by
    groups of equal finals while the whole group fits; the first group that does not fit, and every group after
    it, is left for the lower bands.
    """
    total = len(ordered)
    remaining = list(ordered)
    assigned: dict[UnitId, int] = {}
    for index, band in enumerate(bands):
        lowest = index == len(bands) - 1
        candidates = [
            (unit_id, final)
            for unit_id, final in remaining
            if (lowest or final >= band.min_score) and best_allowed.get(unit_id, 0) <= index
        ]
        if band.quota_pct is not None:
            limit = quota_limit(total, band.quota_pct)
            taken: list[tuple[UnitId, Decimal]] = []
            position = 0
            while position < len(candidates):
                end = position
                while end < len(candidates) and candidates[end][1] == candidates[position][1]:
                    end += 1
                if len(taken) + end - position > limit:
                    break
                taken.extend(candidates[position:end])
                position = end
            candidates = taken
        chosen = {unit_id for unit_id, _ in candidates}
        assigned.update(dict.fromkeys(chosen, index))
        remaining = [(unit_id, final) for unit_id, final in remaining if unit_id not in chosen]
    return assigned


def assign_grades(
    finals: Mapping[UnitId, Decimal],
    bands: Sequence[GradeBand],
    vetoes: Sequence[Veto],
    flags: Mapping[UnitId, frozenset[str]],
) -> GradeAssignment:
    """Proposed grades (thresholds and quotas), then grades with the vetoes as bars on the allocation.

    The proposal ignores vetoes. The final allocation is run again with each flagged unit barred from its
    vetoes' denied bands and everything better, so a quota place a vetoed unit would have taken goes to the
    next unit in rank order (递补) and an unflagged unit may end a band higher than proposed.
    """
    if not bands:
        return GradeAssignment({}, {}, {})
    ordered = sorted(finals.items(), key=lambda kv: (-kv[1], kv[0]))
    index_of = {band.name: i for i, band in enumerate(bands)}
    best_allowed: dict[UnitId, int] = {}
    carried: dict[UnitId, list[Veto]] = {}
    for unit_id, _ in ordered:
        unit_vetoes = [v for v in vetoes if v.flag in flags.get(unit_id, frozenset())]
        if unit_vetoes:
            carried[unit_id] = unit_vetoes
            best_allowed[unit_id] = max(index_of[v.denied_grade] + 1 for v in unit_vetoes)
    proposed = _allocate(ordered, bands, {})
    final = _allocate(ordered, bands, best_allowed)
    applied = {
        unit_id: tuple(sorted({v.flag for v in unit_vetoes if proposed[unit_id] <= index_of[v.denied_grade]}))
        for unit_id, unit_vetoes in carried.items()
    }
    return GradeAssignment(
        proposed={unit_id: bands[i].name for unit_id, i in proposed.items()},
        final={unit_id: bands[i].name for unit_id, i in final.items()},
        vetoes_applied={unit_id: flags_ for unit_id, flags_ in applied.items() if flags_},
    )
