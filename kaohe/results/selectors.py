"""Reads of result snapshots for the pages and the export. Each runs a fixed number of queries.

A snapshot's ``data``/``inputs`` can be large (a province: megabytes), so pages select only the JSON path they
show (one category's ranked table, one unit's result and inputs) with key transforms, never the whole value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTransform

from kaohe.organisations.models import Organisation
from kaohe.plans.constants import Adjustment, Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit, ScoringPolicy
from kaohe.results.loader import ckey, ukey
from kaohe.results.models import (
    ConsultationComment,
    CopyRecipient,
    MissingPolicyChoice,
    ReleaseApproval,
    ResultPublication,
    ResultReceipt,
    ResultRelease,
    ResultSnapshot,
)
from kaohe.reviews.models import ReviewRequest
from kaohe.scoring.models import BonusApplication, Deduction, Evaluation, EvaluationChange, GradeChoice
from kaohe.scoring.rules import Component
from kaohe.scoring.services_adjustments import flag_label, recorded_labels

HUNDRED = Decimal(100)


def json_path(field_name: str, *keys: str) -> KeyTransform:
    """``data -> 'categories' -> 'c3' -> …`` as one expression (keys must not look like integers)."""
    expression = KeyTransform(keys[0], field_name)
    for key in keys[1:]:
        expression = KeyTransform(key, expression)
    return expression


def num(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def percent(rate: str | None) -> str:
    """A stored 4-place rate as a percentage with 2 places ("0.9175" → "91.75%")."""
    return "—" if rate is None else f"{Decimal(rate) * HUNDRED:.2f}%"


# --- the list ------------------------------------------------------------------------------------------


@dataclass
class SnapshotRow:
    snapshot: ResultSnapshot
    same_as_seq: int | None  # the previous computation had the same inputs digest


def snapshots_of(plan: Plan) -> QuerySet[ResultSnapshot]:
    return ResultSnapshot.objects.filter(plan=plan).defer("inputs", "data").select_related("computed_by").order_by("-seq")


def snapshot_rows(plan: Plan) -> list[SnapshotRow]:
    """Every snapshot of the plan, newest first, marking those whose inputs equal the previous one's (one query)."""
    snapshots = list(snapshots_of(plan))
    rows = []
    for index, snapshot in enumerate(snapshots):
        older = snapshots[index + 1] if index + 1 < len(snapshots) else None
        same = older.seq if older is not None and older.inputs_digest == snapshot.inputs_digest else None
        rows.append(SnapshotRow(snapshot, same))
    return rows


@dataclass
class MissingLine:
    unit_id: int
    unit_name: str
    category_name: str
    tasks: list[tuple[str, str, str]]  # (code, name, the desk that grades it)


def missing_lines(plan: Plan, snapshot: ResultSnapshot) -> list[MissingLine]:
    """Per unit, the tasks without an evaluation at the time of the snapshot (three queries)."""
    missing: dict[str, list[int]] = (
        ResultSnapshot.objects.filter(pk=snapshot.pk).values_list(json_path("data", "missing"), flat=True).first() or {}
    )
    if not missing:
        return []
    tasks = {
        pk: (code, name, desk or "")
        for pk, code, name, desk in Indicator.objects.filter(plan=plan, level=Level.TASK).values_list(
            "pk", "code", "name", "assessor__organisation__name"
        )
    }
    units = (
        PlanUnit.objects.filter(plan=plan)
        .order_by("category__order", "organisation__sort_key", "pk")
        .values_list("pk", "organisation__name", "category__name")
    )
    return [
        MissingLine(pk, name, category, [tasks.get(t, (str(t), "", "")) for t in missing[str(pk)]])
        for pk, name, category in units
        if str(pk) in missing
    ]


# --- one category's ranked table -----------------------------------------------------------------------


@dataclass
class RankedRow:
    unit_id: int
    name: str
    scored: bool
    raw: str | None
    applicable_max: str
    converted: str | None
    bonus_total: str
    deduction_total: str
    final: str | None
    rank: int | None
    proposed_grade: str | None
    grade: str | None
    vetoes_applied: list[str]
    zero_filled: bool
    missing: int
    warnings: int
    in_bottom: bool = False
    excellent_two_years: bool = False
    not_assessed: bool = False  # counted at 0 without any evaluation: left out of the bottom list


@dataclass
class CategoryTable:
    id: int
    name: str
    full_score: str
    status: str
    rows: list[RankedRow]
    bottom: list[str]
    excellent_two_years: list[str] | None
    warnings: list[str]
    unit_count: int
    scored_count: int
    missing_count: int
    bottom_n: int = 5

    @property
    def complete(self) -> bool:
        return self.status == "complete"


def _ranked(
    meta: Mapping[str, Any], units: Mapping[str, Any], bottom_n: int, labels: Mapping[str, str] | None = None
) -> CategoryTable:
    bottom = set(meta["bottom"])
    not_assessed = set(meta.get("not_assessed") or ())
    excellent = set(meta["excellent_two_years"] or [])
    rows: list[RankedRow] = []
    for unit_id in meta["ranked"]:
        u = units[ukey(unit_id)]
        rows.append(
            RankedRow(
                unit_id=unit_id,
                name=u["name"],
                scored=u["scored"],
                raw=u["raw"],
                applicable_max=u["applicable_max"],
                converted=u["converted"],
                bonus_total=u["bonus_total"],
                deduction_total=u["deduction_total"],
                final=u["final"],
                rank=u["rank"],
                proposed_grade=u["proposed_grade"],
                grade=u["grade"],
                vetoes_applied=[flag_label(f, labels) for f in u["vetoes_applied"]],
                zero_filled=u["zero_filled"],
                missing=u["missing"],
                warnings=u["warnings"],
                in_bottom=unit_id in bottom,
                excellent_two_years=unit_id in excellent,
                not_assessed=unit_id in not_assessed,
            )
        )
    names = {r.unit_id: r.name for r in rows}
    return CategoryTable(
        id=meta["category_id"],
        name=meta["name"],
        full_score=meta["full_score"],
        status=meta["status"],
        rows=rows,
        bottom=[names[u] for u in meta["bottom"]],
        excellent_two_years=None if meta["excellent_two_years"] is None else [names[u] for u in meta["excellent_two_years"]],
        warnings=meta["warnings"],
        unit_count=meta["unit_count"],
        scored_count=meta["scored_count"],
        missing_count=meta["missing_count"],
        bottom_n=bottom_n,
    )


def category_table(snapshot: ResultSnapshot, category_id: int) -> CategoryTable | None:
    """The ranked table of one category of the snapshot (one query, selecting that category's table only)."""
    row = (
        ResultSnapshot.objects.filter(pk=snapshot.pk)
        .values_list(
            json_path("data", "categories", ckey(category_id), "meta"),
            json_path("data", "categories", ckey(category_id), "units"),
            json_path("inputs", "policy", "bottom_n"),
            json_path("inputs", "policy", "vetoes"),
        )
        .first()
    )
    if row is None or row[0] is None:
        return None
    return _ranked(row[0], row[1], int(row[2]), recorded_labels(row[3]))


def all_category_tables(data: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[CategoryTable]:
    """Every ranked table of a fully loaded ``data`` (the export)."""
    bottom_n = int(inputs["policy"]["bottom_n"])
    labels = recorded_labels(inputs["policy"].get("vetoes"))
    return [_ranked(data["categories"][key]["meta"], data["categories"][key]["units"], bottom_n, labels) for key in data["order"]]


# --- one unit's breakdown ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """Who gave an evaluation's snapshot version, when, and why points were lost."""

    who: str
    desk: str
    at: dt.datetime | None
    reason: str
    source: str = ""  # the label of the EvaluationChange source: 考核主体评价, 实地考核, 复核调整 …
    conflict: str = ""  # 回避: the desk graded its own department (the plan allowed it and flags it)


@dataclass
class CurrentEvaluation:
    pk: int
    version: int
    score: Decimal
    grade: str
    given: Given


@dataclass
class TaskLine:
    id: int
    code: str
    name: str
    points: Decimal | None
    method: str
    adjustment: str
    state: str  # scored, missing, zero_filled, not_applicable, zeroed, no_points
    grade: str = ""
    score: Decimal | None = None
    given: Given | None = None
    note: str = ""
    evaluation_id: int | None = None
    version: int | None = None

    @property
    def lost_points(self) -> bool:
        return self.score is not None and self.points is not None and self.score < self.points


@dataclass
class Level2Block:
    code: str
    name: str
    points: Decimal | None
    subtotal: list[str | None] | None
    lines: list[TaskLine] = field(default_factory=list)

    @property
    def rate(self) -> str:
        return percent(self.subtotal[2]) if self.subtotal else "—"


@dataclass
class Level1Block:
    code: str
    name: str
    points: Decimal | None
    subtotal: list[str | None] | None
    blocks: list[Level2Block] = field(default_factory=list)

    @property
    def rate(self) -> str:
        return percent(self.subtotal[2]) if self.subtotal else "—"


@dataclass
class Tree:
    """One category's indicators in table order (from one query)."""

    level1: list[Indicator]
    level2: dict[int, list[Indicator]]
    tasks: dict[int, list[Indicator]]
    by_id: dict[int, Indicator]


def category_trees(plan: Plan, category_ids: Iterable[int] | None = None) -> dict[int, Tree]:
    query = Indicator.objects.filter(plan=plan).select_related("assessor__organisation").order_by("order", "pk")
    if category_ids is not None:
        query = query.filter(category_id__in=list(category_ids))
    trees: dict[int, Tree] = {}
    for indicator in query:
        tree = trees.setdefault(indicator.category_id, Tree([], defaultdict(list), defaultdict(list), {}))
        tree.by_id[indicator.pk] = indicator
        if indicator.level == Level.LEVEL1:
            tree.level1.append(indicator)
        elif indicator.level == Level.LEVEL2 and indicator.parent_id is not None:
            tree.level2[indicator.parent_id].append(indicator)
        elif indicator.parent_id is not None:
            tree.tasks[indicator.parent_id].append(indicator)
    return trees


_SOURCE_LABELS = dict(EvaluationChange.Source.choices)


def source_label(source: str | None) -> str:
    return str(_SOURCE_LABELS.get(source or "", ""))


def current_evaluations(plan: Plan, unit_ids: Iterable[int] | None = None) -> dict[int, CurrentEvaluation]:
    """The evaluations as they are now, with who gave them and the source of the latest change (one query)."""
    latest_source = Subquery(
        EvaluationChange.objects.filter(evaluation_id=OuterRef("pk")).order_by("-changed_at", "-pk").values("source")[:1]
    )
    query = Evaluation.objects.filter(plan=plan).annotate(latest_source=latest_source)
    if unit_ids is not None:
        query = query.filter(unit_id__in=list(unit_ids))
    return {
        pk: CurrentEvaluation(
            pk, version, score, grade, Given(display or username, desk or "", at, reason, source_label(source), conflict)
        )
        for pk, version, score, grade, display, username, desk, at, reason, source, conflict in query.values_list(
            "pk",
            "version",
            "score",
            "grade",
            "evaluated_by__display_name",
            "evaluated_by__username",
            "desk__organisation__name",
            "evaluated_at",
            "reason",
            "latest_source",
            "conflict_note",
        )
    }


def versions_given(wanted: Mapping[int, int]) -> dict[int, Given]:
    """For evaluations changed since a snapshot: who gave the version the snapshot used (one query, or none).

    Every save of an evaluation appends one EvaluationChange, so version n is the n-th change.
    """
    if not wanted:
        return {}
    changes: dict[int, list[tuple[str, dt.datetime, str, str, str]]] = defaultdict(list)
    for evaluation_id, display, username, at, reason, source, conflict in (
        EvaluationChange.objects.filter(evaluation_id__in=list(wanted))
        .order_by("evaluation_id", "changed_at", "pk")
        .values_list(
            "evaluation_id", "changed_by__display_name", "changed_by__username", "changed_at", "reason", "source", "conflict_note"
        )
    ):
        changes[evaluation_id].append((display or username, at, reason, source_label(source), conflict))
    found: dict[int, Given] = {}
    for evaluation_id, version in wanted.items():
        history = changes.get(evaluation_id, [])
        if 0 < version <= len(history):
            who, at, reason, source, conflict = history[version - 1]
            found[evaluation_id] = Given(who, "", at, reason, source, conflict)
    return found


_GRADE_LABELS = dict(GradeChoice.choices)
_METHOD_LABELS = dict(Method.choices)
_ADJUSTMENT_LABELS = {Adjustment.BONUS.value: "加分项", Adjustment.DEDUCTION.value: "扣分项"}


def unit_lines(
    tree: Tree,
    record: Mapping[str, Any],
    detail: Mapping[str, Any] | None,
    missing_policy: str,
    current: Mapping[int, CurrentEvaluation],
    earlier: Mapping[int, Given],
) -> list[Level1Block]:
    """Every task of one unit's table with its snapshot value and where it came from, grouped by 一级/二级."""
    evaluations = {row[0]: row for row in record["evaluations"]}
    not_applicable = {row[0]: row[2] for row in record["not_applicable"]}
    zeroed_by = {}
    for _pk, _root, _points, task_id, matter in record["deductions"]:
        if task_id is not None:
            zeroed_by[task_id] = matter
    missing = set(detail["missing_task_ids"]) if detail else set()
    level1_totals = detail["level1"] if detail else {}
    level2_totals = detail["level2"] if detail else {}
    blocks: list[Level1Block] = []
    for l1 in tree.level1:
        block1 = Level1Block(l1.code, l1.name, l1.points, level1_totals.get(str(l1.pk)))
        for l2 in tree.level2.get(l1.pk, []):
            block2 = Level2Block(l2.code, l2.name, l2.points, level2_totals.get(str(l2.pk)))
            for task in tree.tasks.get(l2.pk, []):
                block2.lines.append(
                    _line(task, evaluations, not_applicable, zeroed_by, missing, missing_policy, current, earlier)
                )
            block1.blocks.append(block2)
        blocks.append(block1)
    return blocks


def _line(
    task: Indicator,
    evaluations: Mapping[int, Sequence[Any]],
    not_applicable: Mapping[int, str],
    zeroed_by: Mapping[int, str],
    missing: set[int],
    missing_policy: str,
    current: Mapping[int, CurrentEvaluation],
    earlier: Mapping[int, Given],
) -> TaskLine:
    desk = task.assessor.organisation.name if task.assessor is not None else ""
    line = TaskLine(
        id=task.pk,
        code=task.code,
        name=task.name,
        points=task.points,
        method=_METHOD_LABELS.get(task.method, ""),
        adjustment=_ADJUSTMENT_LABELS.get(task.adjustment, ""),
        state="scored",
    )
    evaluation = evaluations.get(task.pk)
    if evaluation is not None:
        _task_id, pk, version, score, grade = evaluation
        line.evaluation_id, line.version = pk, version
        line.score, line.grade = Decimal(score), _GRADE_LABELS.get(grade, "")
        now = current.get(pk)
        if now is not None and now.version == version:
            line.given = Given(
                now.given.who, now.given.desk or desk, now.given.at, now.given.reason, now.given.source, now.given.conflict
            )
        else:
            given = earlier.get(pk)
            line.given = (
                Given(given.who, desk, given.at, given.reason, given.source, given.conflict)
                if given
                else Given("—", desk, None, "")
            )
            if now is None:
                line.note = "该评价此后已删除"
            else:
                label = f"（{_GRADE_LABELS[now.grade]}）" if now.grade in _GRADE_LABELS else ""
                line.note = f"快照之后已改为 {now.score} 分{label}（第{now.version}版），重新计算后生效"
    if task.pk in zeroed_by:
        line.state = "zeroed"
        original = f"，原评价 {line.score} 分" if line.score is not None else ""
        line.note = f"减分事项“{zeroed_by[task.pk]}”：该项按0分计{original}" + (f"；{line.note}" if line.note else "")
        line.score = Decimal("0.00")
    elif task.pk in not_applicable:
        line.state = "not_applicable"
        line.note = not_applicable[task.pk]
    elif task.pk in missing:
        line.state = "zero_filled" if missing_policy == MissingPolicyChoice.ZERO else "missing"
        if line.state == "zero_filled":
            line.score = Decimal("0.00")
    elif evaluation is None and not task.points:
        line.state = "no_points"
    return line


@dataclass
class Formula:
    lines: list[str]
    final_line: str


def formula(result: Mapping[str, Any], detail: Mapping[str, Any], full_score: str, policy: Mapping[str, Any]) -> Formula:
    """Where the unit's numbers come from, in the words of the documents (values as stored, 2 places)."""
    if not result["scored"]:
        return Formula([f"尚有 {result['missing']} 项任务未评价，暂不计算总分和排名"], "")
    raw, maximum, converted = result["raw"], result["applicable_max"], result["converted"]
    full = Decimal(full_score)
    full_text = f"{full.normalize():f}"
    lines: list[str] = []
    if detail["components"]:
        for component, c in detail["components"].items():
            label = Component(component).label
            if Decimal(c["possible"]) > 0:
                lines.append(
                    f"{label}：得分 {c['earned']} ÷ 适用满分 {c['possible']} × 权重 {c['effective_weight']} = {c['score']}"
                )
            else:
                lines.append(f"{label}：没有适用任务，其权重 {c['weight']} 按比例分配给其他部分")
        lines.append(f"内部考核得分 = {' + '.join(c['score'] for c in detail['components'].values())} = {converted}")
    elif Decimal(maximum) == 0:
        lines.append("没有适用的考核任务（适用满分为0），内部考核得分按0分计")
    elif policy.get("convert_to_full") and Decimal(maximum) < full:
        lines.append(f"原始得分 {raw} ÷ 适用满分 {maximum} × {full_text} = {converted}")
    elif Decimal(maximum) > full:
        lines.append(f"原始得分 {raw}（适用满分 {maximum} 超过类别满分 {full_text}，未换算）= 内部考核得分 {converted}")
    else:
        lines.append(f"原始得分 {raw}（适用满分 {maximum}，不换算）= 内部考核得分 {converted}")
    cap = policy.get("bonus_cap")
    bonus = f"加分事项 {detail['bonus_matters']} + 加分项 {detail['adjustment_bonus']}"
    lines.append(f"加分 = {bonus}" + (f"，上限 {cap}" if cap is not None else "") + f" → {result['bonus_total']}")
    lines.append(
        f"减分 = 减分事项 {detail['matter_deductions']} + 扣分项 {detail['adjustment_deduction']} = {result['deduction_total']}"
    )
    final_line = f"最终得分 = 内部考核得分 {converted} + 加分 {result['bonus_total']} − 减分 {result['deduction_total']} = {result['final']}"
    return Formula(lines, final_line)


@dataclass
class Breakdown:
    unit: PlanUnit
    category_name: str
    full_score: str
    status: str
    result: dict[str, Any]
    detail: dict[str, Any]
    blocks: list[Level1Block]
    formula: Formula
    bonuses: list[BonusApplication]
    deductions: list[Deduction]
    counted_bonuses: list[dict[str, Any]]
    counted_deductions: list[dict[str, Any]]
    flags: list[str]  # wordings of the unit's recorded veto flags
    vetoes_applied: list[str]  # wordings of the flags that changed its grade
    changed: int  # evaluations changed since the snapshot


def unit_breakdown(plan: Plan, snapshot: ResultSnapshot, unit: PlanUnit) -> Breakdown | None:
    """One unit's result in the snapshot, down to each task (six queries; seven when something changed since)."""
    c, u = ckey(unit.category_id), ukey(unit.pk)
    row = (
        ResultSnapshot.objects.filter(pk=snapshot.pk)
        .values_list(
            json_path("inputs", "units", u),
            json_path("data", "categories", c, "units", u),
            json_path("data", "categories", c, "details", u),
            json_path("data", "categories", c, "meta", "name"),
            json_path("data", "categories", c, "meta", "full_score"),
            json_path("data", "categories", c, "meta", "status"),
            json_path("inputs", "policy"),
        )
        .first()
    )
    if row is None or row[0] is None or row[1] is None:
        return None
    record, result, detail, category_name, full_score, status, policy = row
    tree = category_trees(plan, [unit.category_id]).get(unit.category_id, Tree([], {}, {}, {}))
    current = current_evaluations(plan, [unit.pk])
    wanted = {row[1]: row[2] for row in record["evaluations"] if row[1] not in current or current[row[1]].version != row[2]}
    earlier = versions_given(wanted)
    bonus_ids = [row[0] for row in record["bonuses"]]
    deduction_ids = [row[0] for row in record["deductions"]]
    return Breakdown(
        unit=unit,
        category_name=category_name,
        full_score=full_score,
        status=status,
        result=result,
        detail=detail,
        blocks=unit_lines(tree, record, detail, snapshot.missing_policy, current, earlier),
        formula=formula(result, detail, full_score, policy),
        bonuses=list(BonusApplication.objects.filter(plan=plan, pk__in=bonus_ids).order_by("pk")),
        deductions=list(Deduction.objects.filter(plan=plan, pk__in=deduction_ids).select_related("task").order_by("pk")),
        counted_bonuses=detail["bonuses"],
        counted_deductions=[
            {**d, "codes": [tree.by_id[t].code if t in tree.by_id else str(t) for t in d["task_ids"]]}
            for d in detail["deductions"]
        ],
        flags=[flag_label(f, recorded_labels(policy.get("vetoes"))) for f in record["flags"]],
        vetoes_applied=[flag_label(f, recorded_labels(policy.get("vetoes"))) for f in result["vetoes_applied"]],
        changed=len(wanted),
    )


# --- release: consultation, approval, publication (结果审定与公布) -----------------------------------------


def current_release(plan: Plan) -> ResultRelease | None:
    """The plan's current release with its snapshot's header (one query)."""
    return (
        ResultRelease.objects.filter(plan=plan, is_current=True)
        .select_related("snapshot", "created_by", "consult_closed_by", "bulletin_edited_by")
        .defer("snapshot__inputs", "snapshot__data")
        .first()
    )


def releases_of(plan: Plan) -> list[ResultRelease]:
    """Every release of the plan, newest first (one query)."""
    return list(
        ResultRelease.objects.filter(plan=plan)
        .select_related("snapshot", "created_by", "superseded_by")
        .defer("snapshot__inputs", "snapshot__data")
        .order_by("-seq")
    )


def publication_in_force(plan: Plan) -> ResultPublication | None:
    return (
        ResultPublication.objects.filter(plan=plan, withdrawn_at__isnull=True)
        .select_related("release", "snapshot", "approval", "published_by")
        .defer("snapshot__inputs", "snapshot__data")
        .first()
    )


def publications_of(plan: Plan) -> list[ResultPublication]:
    return list(
        ResultPublication.objects.filter(plan=plan)
        .select_related("release", "snapshot", "approval", "published_by", "withdrawn_by")
        .defer("snapshot__inputs", "snapshot__data")
        .order_by("-published_at", "-pk")
    )


def approvals_of(release: ResultRelease) -> list[ReleaseApproval]:
    return list(release.approvals.select_related("recorded_by", "voided_by").order_by("recorded_at", "pk"))


def valid_approval(release: ResultRelease) -> ReleaseApproval | None:
    return release.approvals.filter(voided_at__isnull=True).select_related("recorded_by").first()


def comments_of(release: ResultRelease, organisation_ids: Iterable[int] | None = None) -> list[ConsultationComment]:
    """The release's consultation comments, oldest first (optionally those of some organisations only)."""
    query = release.comments.select_related("organisation", "author")
    if organisation_ids is not None:
        query = query.filter(organisation_id__in=list(organisation_ids))
    return list(query.order_by("created_at", "pk"))


def complete_snapshots(plan: Plan) -> QuerySet[ResultSnapshot]:
    """Snapshots that may become the 征求意见稿: every unit scored (missing ones only if the office counted them as 0)."""
    return snapshots_of(plan).filter(complete=True)


def open_review_requests(plan: Plan) -> list[ReviewRequest]:
    return list(
        ReviewRequest.objects.filter(unit__plan=plan, status=ReviewRequest.Status.OPEN)
        .select_related("unit__organisation", "task")
        .order_by("filed_at", "pk")
    )


def copy_recipients_of(release: ResultRelease) -> list[CopyRecipient]:
    return list(release.copy_recipients.select_related("organisation").order_by("organisation__sort_key", "pk"))


@dataclass
class Candidate:
    organisation: Organisation
    can_read: bool  # a member organisation (or the organiser): its viewers read the results in the platform


def copy_candidates(plan: Plan, release: ResultRelease) -> list[Candidate]:
    """Organisations of the organiser's region the office may copy the results to (not units, not chosen yet)."""
    unit_orgs = PlanUnit.objects.filter(plan=plan).values("organisation_id")
    chosen = release.copy_recipients.values("organisation_id")
    members = set(plan.member_organisations.values_list("pk", flat=True)) | {plan.organiser_id}
    organisations = (
        Organisation.objects.filter(region_id=plan.organiser.region_id)
        .exclude(pk__in=unit_orgs)
        .exclude(pk__in=chosen)
        .exclude(kind=Organisation.Kind.SECTION)
        .order_by("sort_key", "name")
    )
    return [Candidate(o, o.pk in members) for o in organisations]


def receipts_of(publication: ResultPublication) -> list[ResultReceipt]:
    return list(
        publication.receipts.select_related("organisation", "unit__category", "read_by").order_by(
            "kind", "unit__category__order", "organisation__sort_key", "pk"
        )
    )


# --- grade lists of a snapshot: 优秀, two years running, bottom N ------------------------------------------


@dataclass
class CategoryLists:
    id: int
    name: str
    top_grade: str
    excellent: list[tuple[int, str]]  # (organisation id, name) graded in the top band, in rank order
    bottom: list[str]
    bottom_n: int


def category_lists(snapshot: ResultSnapshot) -> list[CategoryLists]:
    """Per category of the snapshot: who got the top grade and the bottom-N list (one query, tables only)."""
    keys = [ckey(int(c["id"])) for c in snapshot.summary]
    if not keys:
        return []
    paths: list[Any] = [json_path("inputs", "policy", "bands"), json_path("inputs", "policy", "bottom_n")]
    for key in keys:
        paths += [json_path("data", "categories", key, "meta"), json_path("data", "categories", key, "units")]
    row = ResultSnapshot.objects.filter(pk=snapshot.pk).values_list(*paths).first()
    if row is None:
        return []
    bands, bottom_n = row[0] or [], int(row[1] or 0)
    top = bands[0]["name"] if bands else ""
    lists: list[CategoryLists] = []
    for index in range(len(keys)):
        meta, units = row[2 + 2 * index], row[3 + 2 * index]
        if meta is None:
            continue
        excellent = [
            (units[ukey(u)]["organisation_id"], units[ukey(u)]["name"])
            for u in meta["ranked"]
            if units[ukey(u)]["scored"] and top and units[ukey(u)]["grade"] == top
        ]
        bottom = [units[ukey(u)]["name"] for u in meta["bottom"]]
        lists.append(CategoryLists(meta["category_id"], meta["name"], top, excellent, bottom, bottom_n))
    return lists


@dataclass
class TwoYears:
    """Units graded top (优秀) in this release and in the organiser's published results of the year before."""

    available: bool
    note: str
    previous: str  # the previous year's plan title, when there is one
    rows: list[tuple[str, list[str]]]  # (category name, unit names in rank order)

    def as_json(self) -> dict[str, Any]:
        return {"available": self.available, "note": self.note, "previous": self.previous, "rows": self.rows}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> TwoYears:
        rows = [(str(name), [str(n) for n in names]) for name, names in value.get("rows", [])]
        return cls(bool(value.get("available")), str(value.get("note", "")), str(value.get("previous", "")), rows)

    @property
    def count(self) -> int:
        return sum(len(names) for _, names in self.rows)


NO_TWO_YEARS_RULE = "本方案的评分规则未规定对连续两年优秀的考核对象提出表彰建议。"
NO_PREVIOUS_YEAR = "没有上一年度公布的考核结果，本年度不评定连续两年优秀的单位。"


def excellent_two_years(plan: Plan, lists: Sequence[CategoryLists]) -> TwoYears:
    """Matched by organisation against the published results (in force) of the organiser's plan of year − 1 (one query)."""
    if ScoringPolicy.objects.filter(plan=plan, excellent_two_years=False).exists():
        return TwoYears(False, NO_TWO_YEARS_RULE, "", [])
    previous = (
        ResultPublication.objects.filter(
            plan__organiser_id=plan.organiser_id, plan__year=plan.year - 1, withdrawn_at__isnull=True
        )
        .order_by("-published_at", "-pk")
        .values_list(
            "plan__title", json_path("snapshot__data", "grades_by_organisation"), json_path("snapshot__inputs", "policy", "bands")
        )
        .first()
    )
    if previous is None:
        return TwoYears(False, NO_PREVIOUS_YEAR, "", [])
    title, grades, bands = previous
    top = bands[0]["name"] if bands else ""
    earlier = {int(org) for org, grade in (grades or {}).items() if top and grade == top}
    rows = [(c.name, [name for org, name in c.excellent if org in earlier]) for c in lists]
    note = f"与{plan.year - 1}年度公布的考核结果（{title}）比对，按单位匹配。"
    return TwoYears(True, note, title, rows)


def missing_rule_of(plan: Plan) -> str | None:
    """The plan's stored default for missing evaluations (None when it has no policy row)."""
    return ScoringPolicy.objects.filter(plan=plan).values_list("missing_evaluations", flat=True).first()
