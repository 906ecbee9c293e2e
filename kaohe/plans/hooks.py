"""What plans asks of the apps above it, through functions they register in their ``AppConfig.ready()``.

Plans sits below submissions, scoring and results (docs/architecture.md, "Layers"), yet some of its pages and
writes need a fact those apps hold: whether units' records hang on a task, which units hold an evaluation of a
task, the veto flags recorded and whether a grade was given, the latest results for the rules page's preview,
the deadlines on the plan's overview. Plans names the question here; the app that holds the answer registers it.
Registration is idempotent (a function is kept once). Other hooks live beside their caller:
``copy.register_copy_hook``, ``todos.register_todos``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kaohe.plans.models import Indicator, Plan, ScoringPolicy

# (task ids) -> what hangs on them, in words ("3份报送资料"), or "" for nothing: a node with any is not deleted.
TaskRecords = Callable[[list[int]], str]
# (plan, task) -> the units with an evaluation of the task: flagged when the task's points change.
EvaluatedUnits = Callable[["Plan", "Indicator"], list[int]]
# (plan) -> (veto flags recorded per key, whether any evaluation was given as a grade).
RecordedFacts = Callable[["Plan"], tuple[dict[str, int], bool]]
# (user, plan) -> context for the plan's overview page.
OverviewSection = Callable[[Any, "Plan"], dict[str, Any]]


@dataclass(frozen=True)
class PolicyPreview:
    """The rules page's preview: the latest results snapshot, and the draft policy applied to its inputs."""

    latest_snapshot: Callable[[Plan], Any]
    preview: Callable[[Plan, ScoringPolicy], Any]


_TASK_RECORDS: list[TaskRecords] = []
_EVALUATED_UNITS: list[EvaluatedUnits] = []
_RECORDED_FACTS: list[RecordedFacts] = []
_OVERVIEW_SECTIONS: list[OverviewSection] = []
_POLICY_PREVIEW: list[PolicyPreview] = []


def _add(registry: list[Any], item: Any) -> None:
    if item not in registry:
        registry.append(item)


def register_task_records(records: TaskRecords) -> None:
    _add(_TASK_RECORDS, records)


def register_evaluated_units(units: EvaluatedUnits) -> None:
    _add(_EVALUATED_UNITS, units)


def register_recorded_facts(facts: RecordedFacts) -> None:
    _add(_RECORDED_FACTS, facts)


def register_overview_section(section: OverviewSection) -> None:
    _add(_OVERVIEW_SECTIONS, section)


def register_policy_preview(preview: PolicyPreview) -> None:
    """The one preview of the rules page (a later registration replaces it)."""
    _POLICY_PREVIEW[:] = [preview]


def task_records(task_ids: list[int]) -> list[str]:
    """What hangs on these tasks, one phrase per app that has something (in registration order)."""
    return [words for records in list(_TASK_RECORDS) if (words := records(task_ids))]


def evaluated_units(plan: Plan, task: Indicator) -> list[int]:
    return [unit_id for units in list(_EVALUATED_UNITS) for unit_id in units(plan, task)]


def recorded_facts(plan: Plan) -> tuple[dict[str, int], bool]:
    flags: dict[str, int] = {}
    graded = False
    for facts in list(_RECORDED_FACTS):
        more, any_grade = facts(plan)
        flags.update(more)
        graded = graded or any_grade
    return flags, graded


def overview_context(user: Any, plan: Plan) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for section in list(_OVERVIEW_SECTIONS):
        context.update(section(user, plan))
    return context


def latest_snapshot(plan: Plan) -> Any:
    return _POLICY_PREVIEW[0].latest_snapshot(plan) if _POLICY_PREVIEW else None


def policy_preview(plan: Plan, draft: ScoringPolicy) -> Any:
    return _POLICY_PREVIEW[0].preview(plan, draft) if _POLICY_PREVIEW else None
