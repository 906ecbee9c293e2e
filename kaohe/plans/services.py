"""Writes to plans. Each service checks permission, validates, runs in a transaction and audits."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from kaohe import access
from kaohe.access.plans import may_edit_unit_leader
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.dates import bounds_message, check_date_in_bounds, plan_date_bounds, year_date_bounds
from kaohe.organisations.models import Organisation, pinyin_sort_key
from kaohe.organisations.resolve import OrganisationResolver, Resolution, Unresolved
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.excel.checks import check_sums
from kaohe.plans.excel.headers import COLUMN_ROLES
from kaohe.plans.excel.parse import (
    IndicatorOptions,
    parse_desk_workbook,
    parse_indicator_workbook,
    parse_unit_workbook,
)
from kaohe.plans.excel.rules import describe as describe_rule
from kaohe.plans.excel.types import DeskTable, IndicatorTable, Problem, UnitTable
from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanImport, PlanUnit, ScoringPolicy
from kaohe.plans.selectors import category_warnings, tables_for_categories
from kaohe.plans.services_problems import problem_kinds_seed


class ImportRejected(Exception):
    """The import cannot be applied; ``problems`` says why (all of them)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text or "").replace("\u3000", "")


# --------------------------------------------------------------------------------------------- plans


def plan_create(
    *,
    actor: User,
    organiser: Organisation,
    year: int,
    title: str,
    doc_number: str = "",
    period_start: Any,
    period_end: Any,
) -> Plan:
    if organiser.pk not in access.org_ids_with_role(actor, Role.OFFICE):
        raise PermissionError("只有组织单位的考核办可以新建考核方案")
    bounds = year_date_bounds(year)
    check_date_in_bounds(period_start, bounds=bounds, field_label="考核期间起")
    check_date_in_bounds(period_end, bounds=bounds, field_label="考核期间止")
    with transaction.atomic():
        plan = Plan(
            organiser=organiser,
            year=year,
            title=title,
            doc_number=doc_number,
            period_start=period_start,
            period_end=period_end,
        )
        plan.full_clean()
        plan.save()
        ScoringPolicy.objects.create(plan=plan)
        problem_kinds_seed(plan)
        audit.record(
            actor=actor,
            action="plan.create",
            obj=plan,
            plan_id=plan.pk,
            organisation=organiser,
            after={"year": year, "title": title, "doc_number": doc_number},
        )
    access.forget(actor)
    return plan


def plan_publish_problems(plan: Plan) -> tuple[list[str], list[Problem]]:
    """Errors that block publication, and warnings the office must accept."""
    errors: list[str] = []
    categories = list(plan.categories.all())
    if not categories:
        errors.append("方案还没有考核对象类别和指标体系")
    tables = tables_for_categories(categories)
    warnings: list[Problem] = []
    for category in categories:
        table = tables[category.pk]
        if not any(True for _ in table.tasks()):
            errors.append(f"类别“{category.name}”还没有导入指标体系")
            continue
        if not category.units.exists():
            warnings.append(Problem("warning", "no_units", f"类别“{category.name}”还没有考核对象"))
        for problem in category_warnings(category, table):
            warnings.append(Problem(problem.severity, problem.code, f"【{category.name}】{problem.message}", row=problem.row))
        missing_desk = sum(1 for _, _, t in table.tasks() if t.method in (Method.SUBMISSION, Method.DAILY) and not t.assessor)
        if missing_desk:
            warnings.append(
                Problem("warning", "assessor_missing", f"【{category.name}】{missing_desk} 项报送资料/日常掌握任务未指定责任主体")
            )
    return errors, warnings


FROZEN_MESSAGE = "考核结果已公布，分数已冻结；如需修改，须由考核办说明理由撤回公布后进行"


class ScoringClosed(PermissionDenied):
    """Scores cannot change now (results published, or the plan not in progress); the message says why."""


def ensure_scoring_open(plan: Plan) -> None:
    """Refuse any change of scores unless the plan is in progress; published results are frozen.

    Scores change only while the plan is 已发布 (in progress). After the results are published (结果已公布)
    every evaluation, 不涉及, adjustment and derived score is frozen until the office reopens the results
    with a written reason (results app), which puts the plan back to 已发布.
    """
    if plan.status == Plan.Status.RESULTS_PUBLISHED:
        raise ScoringClosed(FROZEN_MESSAGE)
    if plan.status != Plan.Status.PUBLISHED:
        raise ScoringClosed(f"方案当前状态为“{plan.get_status_display()}”，不在考核进行中")


def ensure_daily_scoring_open(plan: Plan, task: Any, *, today: Any = None) -> None:
    """Refuse a desk's grade of a 日常掌握 task after the plan's 日常考核评分截止 (the end of that day, local time).

    The office moves the deadline on the settings page (with a reason once published); 复核 changes and scores
    derived from field work, tests or case review are not desk grades and are not held by it.
    """
    deadline = plan.daily_scores_deadline
    if deadline is None or getattr(task, "method", None) != Method.DAILY:
        return
    if (today or timezone.localdate()) > deadline:
        raise ScoringClosed(
            f"日常考核评分已于 {deadline:%Y-%m-%d} 截止，不能再录入或修改“日常掌握”任务的评分；如确需延后，请联系考核办修改方案设置"
        )


def lock_scoring_open(plan: Plan) -> None:
    """Inside the caller's transaction: re-check :func:`ensure_scoring_open` under a share lock on the plan row.

    Publication of the results locks the plan row FOR UPDATE; a score change holding FOR SHARE either
    commits before the publication reads the scores or waits and then sees 结果已公布. Score changes do
    not block each other (SQLite serialises writers anyway, so the plain re-read is enough there).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT status FROM {Plan._meta.db_table} WHERE id = %s FOR SHARE", [plan.pk])  # noqa: S608
            row = cursor.fetchone()
        status = row[0] if row else None
    else:
        status = Plan.objects.filter(pk=plan.pk).values_list("status", flat=True).first()
    if status is not None and status != plan.status:
        plan.status = status
    ensure_scoring_open(plan)


def plan_publish(*, actor: User, plan: Plan, accept_warnings: bool) -> Plan:
    access.require(actor, "plan:publish", plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != Plan.Status.DRAFT:
            raise ValidationError("只有草稿状态的方案可以发布")
        errors, warnings = plan_publish_problems(plan)
        if errors:
            raise ValidationError(errors)
        if warnings and not accept_warnings:
            raise ValidationError("请逐条核对警告并勾选“接受以上问题”后再发布")
        before = {"status": plan.status}
        plan.status = Plan.Status.PUBLISHED
        plan.published_at = timezone.now()
        plan.full_clean()
        plan.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(
            actor=actor,
            action="plan.publish",
            obj=plan,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
            after={"status": plan.status, "accepted_warnings": [w.message for w in warnings]},
        )
    return plan


def organisation_set_sort_key(*, actor: User, plan: Plan, unit: PlanUnit, sort_key: str) -> Organisation:
    access.require(actor, "unit:edit", plan)
    if unit.plan_id != plan.pk:
        raise PermissionError("该考核对象不属于本方案")
    org = unit.organisation
    new_key = sort_key.strip()[:200] or pinyin_sort_key(org.name)
    with transaction.atomic():
        before = {"sort_key": org.sort_key}
        org.sort_key = new_key
        org.full_clean()
        org.save(update_fields=["sort_key", "updated_at"])
        audit.record(
            actor=actor, action="organisation.sort_key", obj=org, plan_id=plan.pk, before=before, after={"sort_key": new_key}
        )
    return org


def unit_leader_update(*, actor: User, plan: Plan, unit: PlanUnit, name: str, post: str) -> PlanUnit:
    """The unit's 主要负责人 (name and post) in this plan's year: the office for any unit, a unit for its own."""
    if unit.plan_id != plan.pk:
        raise PermissionError("该考核对象不属于本方案")
    if not may_edit_unit_leader(actor, plan, unit):
        raise PermissionDenied("无权修改该考核对象的主要负责人")
    name, post = name.strip(), post.strip()
    if post and not name:
        raise ValidationError("请填写主要负责人姓名")
    with transaction.atomic():
        before = {"leader_name": unit.leader_name, "leader_post": unit.leader_post}
        unit.leader_name, unit.leader_post = name, post
        unit.full_clean()
        unit.save(update_fields=["leader_name", "leader_post"])
        audit.record(
            actor=actor,
            action="unit.leader",
            obj=unit,
            plan_id=plan.pk,
            before=before,
            after={"leader_name": name, "leader_post": post},
        )
    return unit


def scoring_policy_set_own_department(*, actor: User, plan: Plan, value: str, reason: str = "") -> ScoringPolicy:
    """回避 setting: may a desk grade its own department (the unit, its parent or a sibling section)?

    ``refuse`` (the default) or ``flag`` (allowed, each such evaluation flagged on the results). The office
    sets it while scores may change; evaluations already given keep the flag they were given with.
    """
    access.require(actor, "plan:import", plan)
    if plan.status == Plan.Status.RESULTS_PUBLISHED:
        raise ValidationError(FROZEN_MESSAGE)
    if value not in ScoringPolicy.OwnDepartment.values:
        raise ValidationError("请选择考核主体评价本单位时的处理方式")
    with transaction.atomic():
        policy = ScoringPolicy.objects.select_for_update().filter(plan=plan).first() or ScoringPolicy(plan=plan)
        before = {"own_department": policy.own_department} if policy.pk else None
        if policy.pk and policy.own_department == value:
            return policy
        policy.own_department = value
        policy.full_clean()
        if policy.pk:
            policy.save(update_fields=["own_department"])
        else:
            policy.save()
        audit.record(
            actor=actor,
            action="plan.policy_own_department",
            obj=policy,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
            after={"own_department": value, "reason": reason.strip()[:500]},
        )
    return policy


# ------------------------------------------------------------------------------------------ imports


def _problem_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    """Errors first, then warnings; each group in sheet order (row, then column)."""
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.row or 0, len(p.column), p.column))
    return [{**asdict(p), "location": p.location} for p in ordered]


def _desk_lookup(plan: Plan) -> dict[str, list[AssessorDesk]]:
    """The plan's desks by every name they go by (name, short name, aliases); a name may fit several desks."""
    lookup: dict[str, list[AssessorDesk]] = {}
    for desk in AssessorDesk.objects.filter(plan=plan).select_related("organisation").order_by("pk"):
        for name in {desk.organisation.name, desk.organisation.short_name, *desk.alias_list()}:
            known = lookup.setdefault(_norm(name), []) if name else None
            if known is not None and desk not in known:
                known.append(desk)
    return lookup


class _DeskFinder:
    """The desk an indicator table's 责任主体 cell names: by name or alias, or by region path
    ("平顶山市/市司法局"); a name two desks share is a problem listing both, never a silent pick."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.desks = _desk_lookup(plan)
        self._resolver: OrganisationResolver | None = None

    @property
    def resolver(self) -> OrganisationResolver:
        if self._resolver is None:
            self._resolver = OrganisationResolver(self.plan.organiser.region)
        return self._resolver

    def find(self, text: str) -> tuple[AssessorDesk | None, str]:
        found = self.desks.get(_norm(text), [])
        if len(found) == 1:
            return found[0], ""
        if found:
            listed = "、".join(self.resolver.organisation_path(d.organisation) for d in found)
            example = self.resolver.organisation_path(found[0].organisation)
            return None, f"考核主体“{text}”有 {len(found)} 个：{listed}。不会自动选择其中之一，请写出区划路径，如“{example}”"
        if "/" in text:
            resolution = self.resolver.find(text)
            if resolution.problem:
                return None, resolution.problem
            if resolution.organisation is not None:
                for desks in self.desks.values():
                    for desk in desks:
                        if desk.organisation_id == resolution.organisation.pk:
                            return desk, ""
        return None, ""


def analyse_indicators(
    plan: Plan, data: bytes, full_score: Decimal, options: IndicatorOptions | None = None
) -> tuple[IndicatorTable, list[Problem], dict[str, Any]]:
    """Parse an indicator table and check it against the plan (责任主体, deadlines, sums); writes nothing."""
    table = parse_indicator_workbook(data, max_bytes=settings.KAOHE_IMPORT_MAX_BYTES, options=options)
    problems = list(table.problems)
    reading = {"columns": table.column_reading, "sheets": table.sheet_choices, "undistributed": table.undistributed}
    if not table.level1:
        return table, problems, reading if table.column_reading else {}
    problems += check_sums(table, full_score=full_score)
    desks = _DeskFinder(plan)
    column = table.columns.get("assessor", "")
    unknown_hint = (
        "（请先导入考核主体联系表，或在考核主体中添加别名）"
        if desks.desks
        else "（本方案还没有考核主体，请先导入考核主体联系表）"
    )
    for _, _, task in table.tasks():
        if not task.assessor:
            continue
        desk, problem = desks.find(task.assessor)
        if problem:
            problems.append(Problem("error", "assessor_ambiguous", problem, table.sheet, task.row, column))
        elif desk is None:
            message = f"未知的考核主体“{task.assessor}”{unknown_hint}"
            problems.append(Problem("error", "assessor_unknown", message, table.sheet, task.row, column))
    bounds, deadline_column = plan_date_bounds(plan), table.columns.get("deadline", "")
    for _, _, task in table.tasks():
        if task.deadline is not None and not bounds[0] <= task.deadline <= bounds[1]:
            message = bounds_message(bounds, field_label=f"时间要求（{task.deadline.isoformat()}）")
            problems.append(Problem("error", "deadline_out_of_bounds", message, table.sheet, task.row, deadline_column))
    tasks = [t for _, _, t in table.tasks()]
    by_method: dict[str, int] = {}
    for t in tasks:
        by_method[Method(t.method).label] = by_method.get(Method(t.method).label, 0) + 1
    summary = {
        "sheet": table.sheet,
        "level1": len(table.level1),
        "level2": sum(1 for l1 in table.level1 for l2 in l1.children if not l2.implicit),
        "tasks": len(tasks),
        "points_total": str(sum((t.points or Decimal(0) for t in tasks if not t.adjustment), Decimal(0))),
        "stated_total": str(sum((l1.points or Decimal(0) for l1 in table.level1), Decimal(0))),
        "adjustment_tasks": sum(1 for t in tasks if t.adjustment),
        "by_method": by_method,
        "full_score": str(full_score),
        "adjustment_sections": [l1.name for l1 in table.level1 if l1.adjustment or _all_adjustment(l1)],
        "rules_tasks": sum(1 for t in tasks if t.rules),
        "rules": [
            {"row": t.row, "task": t.name[:60], "standard": t.requirement[:200], "read": [describe_rule(r) for r in t.rules]}
            for t in tasks
            if t.rules
        ][:RULES_SHOWN],
        "distributed_tasks": sum(1 for t in tasks if t.distributed),
        **reading,
    }
    return table, problems, summary


RULES_SHOWN = 300  # deduction rules listed on the preview (the count covers all)


def _all_adjustment(level1: Any) -> bool:
    tasks = [t for l2 in level1.children for t in l2.tasks]
    return bool(tasks) and all(t.adjustment for t in tasks)


# A row naming an organisation: (name as written, 所属区划 column, Excel row).
NamedRow = tuple[str, str, int | None]


def _resolve_rows(
    resolver: OrganisationResolver, rows: list[NamedRow], sheet: str, noun: str
) -> tuple[dict[int, Resolution], list[Problem], list[str]]:
    """Each row's resolution along the region tree below the office (by row index), the problems (ambiguous,
    outside the office's regions, two rows naming one organisation) and what the import would create."""
    resolver.preload([part for name, _, _ in rows for part in (name, name.replace(" ", ""), name.rsplit("/", 1)[-1])])
    resolutions: dict[int, Resolution] = {}
    problems: list[Problem] = []
    created: list[str] = []
    seen: dict[Any, int | None] = {}
    for i, (name, region_path, row) in enumerate(rows):
        resolution = resolver.find(name, region_path)
        resolutions[i] = resolution
        if resolution.problem:
            problems.append(Problem("error", f"organisation_{resolution.code or 'unresolved'}", resolution.problem, sheet, row))
            continue
        if resolution.organisation is not None:
            key: Any = resolution.organisation.pk
            where = resolver.organisation_path(resolution.organisation)
        else:
            key = (resolution.region_id, tuple(resolution.new_regions), resolution.name)
            where = resolver.describe(resolution)
            created.append(where)
        if key in seen:
            message = f"{noun}“{name}”与第{seen[key]}行是同一单位（{where}）"
            problems.append(Problem("error", "organisation_twice", message, sheet, row))
        seen.setdefault(key, row)
    return resolutions, problems, created


def _created_summary(created: list[str]) -> dict[str, Any]:
    return {"new_organisations": created[:NEW_SHOWN], "new_organisation_count": len(created)} if created else {}


NEW_SHOWN = 200  # organisations to be created, listed on the preview (the count covers all)


def _analyse_units(plan: Plan, data: bytes) -> tuple[UnitTable, list[Problem], dict[str, Any]]:
    table = parse_unit_workbook(data, max_bytes=settings.KAOHE_IMPORT_MAX_BYTES)
    problems = list(table.problems)
    resolver = OrganisationResolver(plan.organiser.region)
    named = _named_rows(table)
    resolutions, found_problems, created = _resolve_rows(resolver, named, table.sheet, "单位")
    problems += found_problems
    existing = {u.organisation_id: u.category.name for u in PlanUnit.objects.filter(plan=plan).select_related("category")}
    by_category: dict[str, int] = {}
    for i, row in enumerate(table.units):
        by_category[row.category] = by_category.get(row.category, 0) + 1
        org = resolutions[i].organisation
        old = existing.get(org.pk) if org is not None else None
        if old and old != row.category:
            problems.append(
                Problem("warning", "unit_moved", f"“{row.name}”原属类别“{old}”，导入后改为“{row.category}”", table.sheet, row.row)
            )
    summary = {"sheet": table.sheet, "units": len(table.units), "by_category": by_category, **_created_summary(created)}
    accounts = _account_summary(plan, _account_rows(table), resolutions, Role.UNIT, table.sheet)
    return table, problems, {**summary, **accounts}


def _analyse_desks(plan: Plan, data: bytes) -> tuple[DeskTable, list[Problem], dict[str, Any]]:
    table = parse_desk_workbook(data, max_bytes=settings.KAOHE_IMPORT_MAX_BYTES)
    resolver = OrganisationResolver(plan.organiser.region)
    named = _named_rows(table)
    resolutions, found_problems, created = _resolve_rows(resolver, named, table.sheet, "考核主体")
    summary = {"sheet": table.sheet, "assessors": len(table.desks), **_created_summary(created)}
    accounts = _account_summary(plan, _account_rows(table), resolutions, Role.DESK, table.sheet)
    return table, [*table.problems, *found_problems], {**summary, **accounts}


# A row that names a 督导平台登录账号: (index of the row in its table, organisation name, display name, 登录账号,
# Excel row).
AccountRow = tuple[int, str, str, str, int | None]


def _account_rows(table: UnitTable | DeskTable) -> list[AccountRow]:
    if isinstance(table, UnitTable):
        return [(i, u.name, u.contact or u.name, u.account, u.row) for i, u in enumerate(table.units) if u.account]
    return [(i, a.name, a.contact or a.name, a.account, a.row) for i, a in enumerate(table.desks) if a.account]


def _named_rows(table: UnitTable | DeskTable) -> list[NamedRow]:
    rows = table.units if isinstance(table, UnitTable) else table.desks
    return [(r.written or r.name, r.region_path, r.row) for r in rows]


def _account_summary(
    plan: Plan, rows: list[AccountRow], resolutions: dict[int, Resolution], role: Role, sheet: str
) -> dict[str, Any]:
    """What creating the login accounts of the table would do, checked now (nothing written): the number of
    rows with a 登录账号 and every problem, shown on the preview next to the choice to create them."""
    from kaohe.accounts import bulk

    if not rows:
        return {}
    requests = []
    for index, name, display, username, row in rows:
        resolution = resolutions[index]
        # An organisation the import will create has no account yet: a new, unsaved one stands in for it.
        org = resolution.organisation or Organisation(name=resolution.name or name, region=plan.organiser.region)
        requests.append(bulk.AccountRequest(row, username, display, org, role, sheet=sheet))
    check = bulk.check_requests(requests)
    return {
        "account_rows": len(rows),
        "account_new": len(check.new),
        "account_problems": _problem_dicts(check.problems),
    }


def _account_requests(plan: Plan, table: UnitTable | DeskTable, role: Role) -> list[Any]:
    from kaohe.accounts import bulk

    sheet = table.sheet
    resolver = OrganisationResolver(plan.organiser.region)
    named = _named_rows(table)
    return [
        bulk.AccountRequest(row, username, display, _resolve_organisation(resolver, *named[index][:2]), role, sheet=sheet)
        for index, _, display, username, row in _account_rows(table)
    ]


def _analyse(
    plan: Plan, kind: str, data: bytes, full_score: Decimal | None, options: dict[str, Any] | None = None
) -> tuple[Any, list[Problem], dict[str, Any]]:
    if kind == PlanImport.Kind.INDICATORS:
        return analyse_indicators(plan, data, full_score or Decimal(100), IndicatorOptions.from_json(options or {}))
    if kind == PlanImport.Kind.UNITS:
        return _analyse_units(plan, data)
    return _analyse_desks(plan, data)


def _require_draft(plan: Plan) -> None:
    if plan.status != Plan.Status.DRAFT:
        raise ImportRejected("方案已发布，指标体系和名单已冻结，不能再导入。")


def plan_import_upload(
    *,
    actor: User,
    plan: Plan,
    kind: str,
    data: bytes,
    original_name: str,
    category_name: str = "",
    full_score: Decimal | None = None,
    options: dict[str, Any] | None = None,
) -> PlanImport:
    """Store the uploaded table and its analysis for review. Writes nothing to the plan itself."""
    access.require(actor, "plan:import", plan)
    _require_draft(plan)
    if kind == PlanImport.Kind.INDICATORS and not category_name.strip():
        raise ImportRejected("请填写该指标表对应的考核对象类别名称")
    if kind == PlanImport.Kind.INDICATORS:
        _refuse_adopted_category(plan, category_name.strip())
    options = IndicatorOptions.from_json(options or {}).to_json() if kind == PlanImport.Kind.INDICATORS else {}
    _, problems, summary = _analyse(plan, kind, data, full_score, options)
    with transaction.atomic():
        record = PlanImport(
            options=options,
            plan=plan,
            kind=kind,
            category_name=category_name.strip(),
            full_score=full_score if kind == PlanImport.Kind.INDICATORS else None,
            original_name=original_name[:255],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            problems=_problem_dicts(problems),
            summary=summary,
            created_by=actor,
        )
        record.file.save("upload.xlsx", ContentFile(data), save=False)
        try:
            record.full_clean()
            record.save()
            audit.record(
                actor=actor,
                action="plan.import_upload",
                obj=record,
                plan_id=plan.pk,
                organisation=plan.organiser,
                after={
                    "kind": kind,
                    "file": record.original_name,
                    "sha256": record.sha256,
                    "size": record.size,
                    "errors": record.error_count,
                    "warnings": record.warning_count,
                },
            )
        except Exception:
            record.file.delete(save=False)
            raise
    return record


def plan_import_set_options(
    *,
    actor: User,
    plan_import: PlanImport,
    sheets: list[str] | None = None,
    columns: dict[str, dict[str, str]] | None = None,
    distribute: bool = False,
) -> PlanImport:
    """The office's reading of an indicator table (sheets, column roles, even shares): stored, then read again.

    Nothing is written to the plan; the preview shows the new reading and the office confirms as usual.
    """
    access.require(actor, "plan:import", plan_import.plan)
    for roles in (columns or {}).values():
        for letter, role in roles.items():
            if role and role not in COLUMN_ROLES:
                raise ImportRejected(f"列“{letter}”的读法无法识别")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan_import.plan_id)
        _require_draft(plan)
        record = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        if record.status != PlanImport.Status.PREVIEW:
            raise ImportRejected("该导入已处理，不能再修改读法")
        if record.kind != PlanImport.Kind.INDICATORS:
            raise ImportRejected("只有指标表可以指定各列的读法")
        with record.file.open("rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != record.sha256:
            raise ImportRejected("存储的文件与上传时的校验值不符，请重新上传")
        before = dict(record.options)
        options = IndicatorOptions(sheets=sheets or None, columns=columns or {}, distribute=distribute)
        record.options = options.to_json()
        _, problems, summary = _analyse(plan, record.kind, data, record.full_score, record.options)
        record.problems = _problem_dicts(problems)
        record.summary = summary
        record.save(update_fields=["options", "problems", "summary", "updated_at"])
        audit.record(
            actor=actor,
            action="plan.import_options",
            obj=record,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
            after={**record.options, "errors": record.error_count, "warnings": record.warning_count},
        )
    return record


def plan_import_discard(*, actor: User, plan_import: PlanImport) -> None:
    access.require(actor, "plan:import", plan_import.plan)
    with transaction.atomic():
        record = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        if record.status != PlanImport.Status.PREVIEW:
            raise ImportRejected("该导入已处理，不能放弃")
        record.status = PlanImport.Status.DISCARDED
        record.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="plan.import_discard", obj=record, plan_id=record.plan_id)


def plan_import_apply(
    *, actor: User, plan_import: PlanImport, accept_warnings: bool, create_accounts: bool = False
) -> PlanImport:
    """Write a previewed import into the plan, all or nothing, after re-checking it against today's plan.

    With ``create_accounts`` (考核主体联系表 / 考核对象名单 only), each row's 督导平台登录账号 becomes a login account
    of that desk (考核主体) or unit (考核对象) with a one-time initial password (``accounts.bulk``), in the same
    transaction: any problem of the accounts rolls the whole import back. The new accounts and their passwords
    are left on ``record.issued_accounts`` for the password sheet, never stored.
    """
    plan = plan_import.plan
    access.require(actor, "plan:import", plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        _require_draft(plan)
        record = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        if record.status != PlanImport.Status.PREVIEW:
            raise ImportRejected("该导入已处理过，请重新上传")
        with record.file.open("rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != record.sha256:
            raise ImportRejected("存储的文件与上传时的校验值不符，请重新上传")
        parsed, problems, summary = _analyse(plan, record.kind, data, record.full_score, record.options)
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity == "warning"]
        if errors:
            record.problems = _problem_dicts(problems)
            record.save(update_fields=["problems", "updated_at"])
            raise ImportRejected(f"文件有 {len(errors)} 处错误，未导入任何内容。请修改后重新上传。", errors)
        if warnings and not accept_warnings:
            raise ImportRejected(f"有 {len(warnings)} 条警告，请核对后勾选“接受以上警告”再导入。", warnings)
        if len(warnings) > record.warning_count:
            record.problems = _problem_dicts(problems)
            record.save(update_fields=["problems", "updated_at"])
            raise ImportRejected("自预览以来方案已有变化，出现了新的警告，请重新核对。", warnings)
        if record.kind == PlanImport.Kind.INDICATORS:
            _refuse_adopted_category(plan, record.category_name)
            before = _write_indicators(plan, record, parsed)
        elif record.kind == PlanImport.Kind.UNITS:
            before = _write_units(plan, parsed)
        else:
            before = _write_desks(plan, parsed)
        issued: list[Any] = []
        if create_accounts and record.kind in (PlanImport.Kind.UNITS, PlanImport.Kind.DESKS):
            from kaohe.accounts import bulk
            from kaohe.plans.import_accounts import plan_accounts_create

            role = Role.UNIT if record.kind == PlanImport.Kind.UNITS else Role.DESK
            try:
                check, issued = plan_accounts_create(actor=actor, plan=plan, requests=_account_requests(plan, parsed, role))
            except bulk.BulkRejected as exc:
                raise ImportRejected(exc.message, exc.problems) from exc
            summary = {**summary, "accounts_created": len(check.new), "accounts_kept": len(check.kept)}
        record.status = PlanImport.Status.APPLIED
        record.applied_at = timezone.now()
        record.accepted_warnings = len(warnings)
        record.summary = summary
        record.save(update_fields=["status", "applied_at", "accepted_warnings", "summary", "updated_at"])
        audit.record(
            actor=actor,
            action="plan.import_apply",
            obj=record,
            plan_id=plan.pk,
            organisation=plan.organiser,
            before=before,
            after={**summary, "accepted_warnings": [p.message for p in warnings]},
        )
    record.issued_accounts = issued
    return record


def _refuse_adopted_category(plan: Plan, category_name: str) -> None:
    """An import rewrites the whole table of its category: never one holding tasks adopted from a higher office's
    template (their links and constraints would be lost; ``services_templates``)."""
    adopted = Indicator.objects.filter(plan=plan, category__name=category_name, template_item__isnull=False)
    if adopted.exists():
        raise ImportRejected(
            f"类别“{category_name}”的指标采用了上级下发的模板，不能用导入覆盖；请在“编辑指标”中增加本地任务或调整分值"
        )


def _write_indicators(plan: Plan, record: PlanImport, table: IndicatorTable) -> dict[str, Any]:
    category, created = Category.objects.get_or_create(
        plan=plan,
        name=record.category_name,
        defaults={"full_score": record.full_score or Decimal(100), "order": plan.categories.count() + 1},
    )
    if not created and record.full_score is not None and category.full_score != record.full_score:
        category.full_score = record.full_score
        category.save(update_fields=["full_score"])
    old_tasks = category.indicators.filter(level=Level.TASK).count()
    category.indicators.all().delete()
    desks = _DeskFinder(plan)
    # Depth-first numbering, so that ordering by ``order`` lists each node right after its parent.
    order = 0

    def next_order() -> int:
        nonlocal order
        order += 1
        return order

    common = {"plan": plan, "category": category}
    level1_nodes: list[Indicator] = []
    level2_nodes: list[Indicator] = []
    task_nodes: list[Indicator] = []
    for i, l1 in enumerate(table.level1, start=1):
        l1_node = Indicator(
            **common, level=Level.LEVEL1, code=str(i), order=next_order(), name=l1.name, points=l1.points, source_row=l1.row
        )
        level1_nodes.append(l1_node)
        for j, l2 in enumerate(l1.children, start=1):
            l2_node = Indicator(
                **common,
                level=Level.LEVEL2,
                parent=l1_node,
                code=f"{i}.{j}",
                order=next_order(),
                name=l2.name,
                points=l2.points,
                source_row=l2.row,
            )
            level2_nodes.append(l2_node)
            for k, task in enumerate(l2.tasks, start=1):
                task_nodes.append(
                    Indicator(
                        **common,
                        level=Level.TASK,
                        parent=l2_node,
                        code=f"{i}.{j}.{k}",
                        order=next_order(),
                        name=task.name,
                        points=task.points,
                        method=task.method,
                        materials=task.materials,
                        deadline=task.deadline,
                        requirement=task.requirement,
                        assessor=desks.find(task.assessor)[0] if task.assessor else None,
                        adjustment=task.adjustment,
                        counts_next_year=task.counts_next_year,
                        source_row=task.row,
                        deduction_rules=task.rules,
                        event_label=task.event_label,
                    )
                )
    for n in (*level1_nodes, *level2_nodes, *task_nodes):
        n.full_clean(exclude=["plan", "category", "parent", "assessor"], validate_unique=False, validate_constraints=False)
    # Level by level: bulk_create fills each parent's primary key before its children are inserted.
    Indicator.objects.bulk_create(level1_nodes)
    Indicator.objects.bulk_create(level2_nodes)
    Indicator.objects.bulk_create(task_nodes)
    return {"category": category.name, "replaced_tasks": old_tasks}


def _resolve_organisation(resolver: OrganisationResolver, name: str, region_path: str = "") -> Organisation:
    """The organisation a row names below the office, created when there is none (the preview checked it)."""
    try:
        org = resolver.resolve(name, region_path)
    except Unresolved as exc:
        raise ImportRejected(f"“{name}”：{exc.message}") from exc
    if not resolver.contains(org):  # never: the resolver looks only below the office
        raise ImportRejected(f"单位“{org.name}”不在本方案组织单位所辖区划内，不能作为考核对象或考核主体")
    return org


def _write_units(plan: Plan, table: UnitTable) -> dict[str, Any]:
    before = {"units": plan.units.count()}
    categories = {c.name: c for c in plan.categories.all()}
    resolver = OrganisationResolver(plan.organiser.region)
    for row in table.units:
        category = categories.get(row.category)
        if category is None:
            category = Category.objects.create(plan=plan, name=row.category, order=len(categories) + 1)
            categories[row.category] = category
        org = _resolve_organisation(resolver, row.written or row.name, row.region_path)
        if row.sort_key and org.sort_key != row.sort_key:
            org.sort_key = row.sort_key
            org.save(update_fields=["sort_key", "updated_at"])
        PlanUnit.objects.update_or_create(plan=plan, organisation=org, defaults={"category": category})
    return before


def _write_desks(plan: Plan, table: DeskTable) -> dict[str, Any]:
    before = {"desks": plan.desks.count()}
    resolver = OrganisationResolver(plan.organiser.region)
    for row in table.desks:
        org = _resolve_organisation(resolver, row.written or row.name, row.region_path)
        AssessorDesk.objects.update_or_create(
            plan=plan,
            organisation=org,
            defaults={
                "seq": row.seq,
                "contact": row.contact,
                "phone": row.phone,
                "address": row.address,
                "platform_account": row.account,
            },
        )
    return before
