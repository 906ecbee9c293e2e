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
