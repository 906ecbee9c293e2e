"""Reads for the analysis pages (考核分析): the snapshot chosen, its JSON, the plan's indicators, the deduction
reasons of the evaluation versions the snapshot used, and the previous year's snapshot. Fixed query counts:
see ``load_report``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kaohe import access
from kaohe.plans.models import Indicator, Plan
from kaohe.results import analysis, selectors
from kaohe.results.analysis import Analysis, Table
from kaohe.results.analysis.problems import DEDUCTION, FEEDBACK, ProblemRow, problem_tables
from kaohe.results.models import ResultSnapshot
from kaohe.results.selectors import json_path
from kaohe.reviews.models import FeedbackProblem
from kaohe.scoring.models import Evaluation


def snapshots(plan: Plan) -> list[ResultSnapshot]:
    """Every snapshot of the plan, newest first, without their large JSON values (one query)."""
    return list(selectors.snapshots_of(plan))


def indicators(plan: Plan) -> dict[int, analysis.IndicatorInfo]:
    """Every indicator of the plan, with the desk that grades each task (one query)."""
    return {
        pk: analysis.IndicatorInfo(pk, level, code, name, order, desk or "")
        for pk, level, code, name, order, desk in Indicator.objects.filter(plan=plan).values_list(
            "pk", "level", "code", "name", "order", "assessor__organisation__name"
        )
    }


def reasons(plan: Plan, wanted: Mapping[int, int]) -> dict[int, str | None]:
    """For each evaluation id → version the snapshot used: the reason of that version (None: the row is gone).

    The snapshot records each evaluation's id and version, not its reason. The current row gives the reason
    when its version is still the snapshot's; otherwise the history row of that version does (every save
    appends one EvaluationChange, so version n is the n-th). One query, plus one when something changed since.
    """
    if not wanted:
        return {}
    found: dict[int, str | None] = {}
    changed: dict[int, int] = {}
    for pk, version, reason in Evaluation.objects.filter(plan=plan).values_list("pk", "version", "reason"):
        if pk in wanted:
            if version == wanted[pk]:
                found[pk] = reason
            else:
                changed[pk] = wanted[pk]
    earlier = selectors.versions_given(changed)
    for pk in changed:
        found[pk] = earlier[pk].reason if pk in earlier else None
    return found


def _previous(user: Any, plan: Plan) -> analysis.PreviousYear | None:
    """The latest snapshot of the organiser's plan of the year before, if the user may analyse that plan.

    Three queries when there is one (its header and its categories' order, the categories' meta and units,
    the 一级 names), plus the access check's for a member organisation's viewer.
    """
    row = (
        ResultSnapshot.objects.filter(plan__organiser_id=plan.organiser_id, plan__year=plan.year - 1)
        .select_related("plan__organiser")
        .defer("inputs", "data")
        .annotate(order=json_path("data", "order"))
        .order_by("-computed_at", "-pk")
        .first()
    )
    if row is None or not access.can(user, "analysis:view", row.plan):
        return None
    order: list[str] = row.order  # type: ignore[attr-defined]
    paths = []
    for key in order:
        paths += [json_path("data", "categories", key, "meta"), json_path("data", "categories", key, "units")]
    values = list(ResultSnapshot.objects.filter(pk=row.pk).values_list(*paths).first() or []) if paths else []
    categories = {
        key: {"meta": values[2 * index], "units": values[2 * index + 1]}
        for index, key in enumerate(order)
        if values and values[2 * index] is not None
    }
    names = dict(Indicator.objects.filter(plan=row.plan, level=1).values_list("pk", "name"))
    when = timezone.localtime(row.computed_at).strftime("%Y-%m-%d %H:%M")
    label = f"{row.plan.title} 第{row.seq}次计算（{when}）"
    return analysis.PreviousYear(label, {"order": list(categories), "categories": categories}, names)


def problem_rows(plan: Plan) -> list[ProblemRow]:
    """Deduction reasons (the current evaluations below full that carry a 问题类型) and feedback problems with one
    (recorded, released or not), as rows for ``analysis.problems``. Two queries."""
    evaluations = (
        Evaluation.objects.filter(plan=plan, problem_kind__isnull=False)
        .exclude(reason="")
        .values_list(
            "problem_kind__name",
            "problem_kind__position",
            "problem_kind_id",
            "unit__category__name",
            "unit__category__order",
            "unit__category_id",
            "unit__organisation__name",
        )
    )
    problems = FeedbackProblem.objects.filter(feedback__plan=plan, kind__isnull=False).values_list(
        "kind__name",
        "kind__position",
        "kind_id",
        "feedback__unit__category__name",
        "feedback__unit__category__order",
        "feedback__unit__category_id",
        "feedback__unit__organisation__name",
    )
    return [
        ProblemRow(kind, (kpos, kid), category, (cpos, cid), unit, source)
        for source, query in ((DEDUCTION, evaluations), (FEEDBACK, problems))
        for kind, kpos, kid, category, cpos, cid, unit in query
    ]


@dataclass
class Report:
    snapshot: ResultSnapshot
    analysis: Analysis
    tables: list[Table]


def load_report(user: Any, plan: Plan, snapshot: ResultSnapshot) -> Report:
    """The analysis of one snapshot: its JSON (one query), the indicators (one), the reasons (one; two when
    evaluations changed since), the previous year's snapshot (one when there is none, three when there is), the
    问题类型 counts (two)."""
    data_order, data_categories, input_categories, input_units = (
        ResultSnapshot.objects.filter(pk=snapshot.pk)
        .values_list(
            json_path("data", "order"),
            json_path("data", "categories"),
            json_path("inputs", "categories"),
            json_path("inputs", "units"),
        )
        .get()
    )
    data = {"order": data_order or [], "categories": data_categories or {}}
    inputs = {"categories": input_categories or {}, "units": input_units or {}}
    result = analysis.analyse(
        data,
        inputs,
        indicators(plan),
        reasons(plan, analysis.below_full(inputs)),
        _previous(user, plan),
    )
    return Report(snapshot, result, [*analysis.tables(result), *problem_tables(problem_rows(plan))])
