"""What the case-review services share: the open-plan check, the plan's settings, its 集中评查 tasks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from kaohe.inspections.casefiles.models import ReviewSetting
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan
from kaohe.plans.services import ensure_scoring_open


def _fail(message: str | list[str]) -> ValidationError:
    return ValidationError(message)


def _ensure_open(plan: Plan) -> None:
    """Writes happen only while the plan is in progress (已发布); published results freeze them."""
    try:
        ensure_scoring_open(plan)
    except PermissionDenied as exc:
        raise _fail(str(exc)) from exc


def setting_of(plan: Plan) -> ReviewSetting:
    setting, _ = ReviewSetting.objects.get_or_create(plan=plan)
    return setting


def case_review_tasks(plan: Plan) -> dict[int, list[Indicator]]:
    """The plan's 集中评查 tasks by category id (usually one per category, e.g. 5.2.2)."""
    tasks: dict[int, list[Indicator]] = {}
    for task in Indicator.objects.filter(plan=plan, level=Level.TASK, method=Method.CASE_REVIEW).order_by("order"):
        tasks.setdefault(task.category_id, []).append(task)
    return tasks
