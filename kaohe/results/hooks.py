"""Results' answers to the questions of the apps below it (``plans/hooks.py``, ``reviews/hooks.py``).

Registered in ``ResultsConfig.ready()``.
"""

from __future__ import annotations

from kaohe.plans.models import Plan
from kaohe.results.models import MissingPolicyChoice, ResultSnapshot


def missing_decision(plan: Plan) -> tuple[bool | None, str]:
    """The office's recorded decision on missing evaluations, from its latest computation (None: not computed)."""
    latest = ResultSnapshot.objects.filter(plan=plan).order_by("-seq").only("missing_policy", "decision_note").first()
    if latest is None:
        return None, ""
    return latest.missing_policy == MissingPolicyChoice.ZERO, latest.decision_note
