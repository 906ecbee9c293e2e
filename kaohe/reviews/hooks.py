"""What reviews asks of the app above it (results), through a function results registers in ``ready()``.

A unit's feedback page says why a task counts 0; that is the office's decision on missing evaluations, recorded
on the latest results snapshot, which reviews (below results) cannot read itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaohe.plans.models import Plan

# (plan) -> (missing evaluations count 0? None: not computed yet, the decision's note)
MissingDecision = Callable[["Plan"], tuple[bool | None, str]]

_MISSING_DECISION: list[MissingDecision] = []


def register_missing_decision(decision: MissingDecision) -> None:
    """The one source of the decision (a later registration replaces it)."""
    _MISSING_DECISION[:] = [decision]


def missing_decision(plan: Plan) -> tuple[bool | None, str]:
    return _MISSING_DECISION[0](plan) if _MISSING_DECISION else (None, "")


# (plan) -> the published results' bottom-N per category: [(category name, N, [unit ids, lowest rank last])]
BottomUnits = Callable[["Plan"], list[tuple[str, int, list[int]]]]

_BOTTOM_UNITS: list[BottomUnits] = []


def register_bottom_units(source: BottomUnits) -> None:
    """The one source of the 约谈 candidates (a later registration replaces it)."""
    _BOTTOM_UNITS[:] = [source]


def bottom_units(plan: Plan) -> list[tuple[str, int, list[int]]]:
    """The bottom-N units of the plan's results in force, per category; [] before publication."""
    return _BOTTOM_UNITS[0](plan) if _BOTTOM_UNITS else []
