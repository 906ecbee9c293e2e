"""Submissions' answers to plans' questions (``kaohe/plans/hooks.py``), registered in ``SubmissionsConfig.ready()``."""

from __future__ import annotations

from typing import Any

from kaohe.access.plans import own_units
from kaohe.plans.models import Plan
from kaohe.submissions.models import Submission
from kaohe.submissions.selectors import deadline_summary


def task_records(task_ids: list[int]) -> str:
    submissions = Submission.objects.filter(task_id__in=task_ids).count()
    return f"{submissions}份报送资料" if submissions else ""


def overview_section(user: Any, plan: Plan) -> dict[str, Any]:
    """The deadline in force on the plan's overview: for a unit, its own; for everybody else, the plan's."""
    own = own_units(user, plan)
    return {"deadlines": deadline_summary(plan, own or None)}
