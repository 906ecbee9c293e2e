"""Writes of 依法行政能力测试: rosters, the question bank, tests, draws and papers (and their replays).

Every service checks permission itself, validates, runs in one transaction and writes an audit event. The
algorithms (draws, papers, layouts, marking, conversion) are pure functions in ``draws.py``; sittings, codes,
the testee's attempt and scoring are in ``attempts.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.inspections.abilitytests import draws, sheets
from kaohe.inspections.abilitytests.draws import BankQuestion, DrawRefused, Person, Rule
from kaohe.inspections.abilitytests.models import AbilityTest, Draw, Paper, Question, QuestionImport, RosterVersion, Testee
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit


class ImportRefused(Exception):
    def __init__(self, message: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def require_running(plan: Plan) -> None:
    if plan.status != Plan.Status.PUBLISHED:
        raise ValidationError(f"方案当前状态为“{plan.get_status_display()}”，不在考核进行中")


SITTING_MANAGED = "该测试属于统一考试场次，考生名单、组卷、开考和结束考试请在场次页面办理"


def ensure_not_in_sitting(test: AbilityTest) -> None:
    """A unit's test inside a city-wide sitting is drawn, papered, opened and closed by the sitting."""
    if test.sitting_id is not None:
        raise ValidationError(SITTING_MANAGED)


def may_edit_roster(actor: User, plan: Plan, unit: PlanUnit) -> bool:
    """The office edits any unit's roster; a unit's members (abilitytest:roster) their own."""
    if access.can(actor, "abilitytest:manage", plan):
        return True
    return access.can(actor, "abilitytest:roster", plan) and access.is_own_unit(actor, unit, plan)


# ------------------------------------------------------------------------------------------------ rosters


def latest_roster(unit: PlanUnit) -> RosterVersion | None:
    return RosterVersion.objects.filter(unit=unit).order_by("-number").first()


def roster_people(version: RosterVersion | None) -> list[Person]:
    return [Person.from_dict(p) for p in (version.people if version else [])]


def roster_save(
    *, actor: User, plan: Plan, unit: PlanUnit, people: Sequence[Person], source: str, note: str, expected_number: int | None
) -> RosterVersion:
    """A new version of the unit's roster. ``expected_number`` is the version the change was based on."""
    if unit.plan_id != plan.pk or not may_edit_roster(actor, plan, unit):
        raise PermissionDenied
    problems = sheets.check_people(list(people))
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            latest = RosterVersion.objects.select_for_update().filter(unit=unit).order_by("-number").first()
            current = latest.number if latest else 0
            if expected_number is not None and expected_number != current:
                raise ValidationError("名册已被他人修改，请刷新页面后重试")
            digest = draws.roster_digest(people)
            if latest is not None and latest.digest == digest:
                raise ValidationError("名册没有变化")
            version = RosterVersion(
                plan=plan,
                unit=unit,
                number=current + 1,
                people=[p.as_dict() for p in people],
                digest=digest,
                source=source,
                note=note[:300],
                created_by=actor,
            )
            version.full_clean()
            version.save()
            audit.record(
                actor=actor,
                action="abilitytest.roster_save",
                obj=version,
                plan_id=plan.pk,
                organisation=unit.organisation,
                before={"version": current, "people": len(latest.people) if latest else 0},
                after={"version": version.number, "people": len(version.people), "digest": digest, "note": version.note},
            )
    except IntegrityError as exc:
        raise ValidationError("名册已被他人修改，请刷新页面后重试") from exc
    return version


def roster_add_person(*, actor: User, plan: Plan, unit: PlanUnit, person: Person, expected_number: int) -> RosterVersion:
    people = [*roster_people(latest_roster(unit)), person]
    return roster_save(
        actor=actor,
        plan=plan,
        unit=unit,
        people=people,
        source=RosterVersion.Source.MANUAL,
        note=f"新增 {person.name}",
        expected_number=expected_number,
    )


def roster_remove_person(*, actor: User, plan: Plan, unit: PlanUnit, index: int, expected_number: int) -> RosterVersion:
    people = roster_people(latest_roster(unit))
    if not 0 <= index < len(people):
        raise ValidationError("名册已被他人修改，请刷新页面后重试")
    removed = people.pop(index)
    return roster_save(
        actor=actor,
        plan=plan,
        unit=unit,
        people=people,
        source=RosterVersion.Source.MANUAL,
        note=f"删除 {removed.name}",
        expected_number=expected_number,
    )


def roster_import(*, actor: User, plan: Plan, unit: PlanUnit, data: bytes, original_name: str) -> RosterVersion:
    """Replace the roster by the people of an .xlsx table (a new version); refused whole on any problem."""
    if unit.plan_id != plan.pk or not may_edit_roster(actor, plan, unit):
        raise PermissionDenied
    table = sheets.parse_roster(data)
    if table.errors:
        raise ValidationError([f"{p.message}" for p in table.errors])
    return roster_save(
        actor=actor,
        plan=plan,
        unit=unit,
        people=table.people,
        source=RosterVersion.Source.IMPORT,
        note=f"导入 {original_name}"[:300],
        expected_number=None,
    )


# ------------------------------------------------------------------------------------------------ question bank


def _problem_dicts(problems: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"severity": p.severity, "row": p.row, "message": p.message} for p in problems]


def _analyse_bank(plan: Plan, data: bytes) -> tuple[sheets.BankTable, list[dict[str, Any]], dict[str, Any]]:
    table = sheets.parse_bank(data)
    existing = set(Question.objects.filter(plan=plan).values_list("kind", "stem"))
    problems = list(table.problems)
    new = []
    for question in table.questions:
        if (question.kind, question.stem) in existing:
            problems.append(sheets.duplicate_warning(question.row))
        else:
            new.append(question)
    by_kind = {label: sum(1 for q in new if q.kind == kind) for kind, label in draws.KIND_LABELS.items()}
    summary = {"questions": len(new), "skipped": len(table.questions) - len(new), "by_kind": by_kind}
    table.questions = new
    problems.sort(key=lambda p: (p.row or 0, p.severity))
    return table, _problem_dicts(problems), summary


def bank_import_upload(*, actor: User, plan: Plan, data: bytes, original_name: str) -> QuestionImport:
    """Store the uploaded table and its analysis for review; nothing enters the bank yet."""
    access.require(actor, "abilitytest:manage", plan)
    _, problems, summary = _analyse_bank(plan, data)
    with transaction.atomic():
        record = QuestionImport(
            plan=plan,
            original_name=original_name[:255],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            problems=problems,
            summary=summary,
            created_by=actor,
        )
        record.file.save("bank.xlsx", ContentFile(data), save=False)
        try:
            record.full_clean()
            record.save()
            audit.record(
                actor=actor,
                action="abilitytest.bank_upload",
                obj=record,
                plan_id=plan.pk,
                organisation=plan.organiser,
                after={"file": record.original_name, "sha256": record.sha256, "errors": record.error_count, **summary},
            )
        except Exception:
            record.file.delete(save=False)
            raise
    return record


def bank_import_apply(*, actor: User, record: QuestionImport, accept_warnings: bool) -> QuestionImport:
    """Add the previewed questions to the bank, all or nothing, after re-reading and re-checking the file."""
    plan = record.plan
    access.require(actor, "abilitytest:manage", plan)
    with transaction.atomic():
        record = QuestionImport.objects.select_for_update().get(pk=record.pk)
        if record.status != QuestionImport.Status.PREVIEW:
            raise ImportRefused("该导入已处理过，请重新上传")
        with record.file.open("rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != record.sha256:
            raise ImportRefused("存储的文件与上传时的校验值不符，请重新上传")
        table, problems, summary = _analyse_bank(plan, data)
        errors = [p for p in problems if p["severity"] == "error"]
        warnings = [p for p in problems if p["severity"] == "warning"]
        if errors:
            record.problems = problems
            record.save(update_fields=["problems", "updated_at"])
            raise ImportRefused(f"文件有 {len(errors)} 处错误，未导入任何试题。请修改后重新上传。", errors)
        if warnings and not accept_warnings:
            raise ImportRefused(f"有 {len(warnings)} 条提示，请核对后勾选“已核对以上提示”再导入。", warnings)
        Question.objects.bulk_create(
            [
                Question(
                    plan=plan,
                    source=record,
                    source_row=q.row,
                    kind=q.kind,
                    stem=q.stem,
                    options=list(q.options),
                    answer=q.answer,
                    category=q.category,
                    difficulty=q.difficulty,
                    points=q.points,
                )
                for q in table.questions
            ]
        )
        record.status = QuestionImport.Status.APPLIED
        record.applied_at = timezone.now()
        record.summary = summary
        record.problems = problems
        record.save(update_fields=["status", "applied_at", "summary", "problems", "updated_at"])
        audit.record(
            actor=actor,
            action="abilitytest.bank_apply",
            obj=record,
            plan_id=plan.pk,
            organisation=plan.organiser,
            after=summary,
        )
    return record


def bank_import_discard(*, actor: User, record: QuestionImport) -> None:
    access.require(actor, "abilitytest:manage", record.plan)
    with transaction.atomic():
        record = QuestionImport.objects.select_for_update().get(pk=record.pk)
        if record.status != QuestionImport.Status.PREVIEW:
            raise ImportRefused("该导入已处理，不能放弃")
        record.status = QuestionImport.Status.DISCARDED
        record.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="abilitytest.bank_discard", obj=record, plan_id=record.plan_id)


# ------------------------------------------------------------------------------------------------ tests


def abilitytest_create(
    *,
    actor: User,
    plan: Plan,
    unit: PlanUnit,
    task: Indicator,
    mode: str,
    rules: Sequence[Rule],
    paper_rules: Mapping[str, Any],
    time_limit_minutes: int,
    oral_max_score: Decimal,
) -> AbilityTest:
    access.require(actor, "abilitytest:manage", plan)
    require_running(plan)
    if unit.plan_id != plan.pk or task.plan_id != plan.pk or task.level != Level.TASK or task.category_id != unit.category_id:
        raise ValidationError("该考核对象没有这项工作任务")
    if task.method == Method.SUBMISSION:
        raise ValidationError("该任务按报送资料评价等次，不能由能力测试计分")
    if not rules or sum(r.maximum for r in rules) == 0:
        raise ValidationError("请至少设置一项抽取人数")
    groups = [r.group for r in rules]
    if len(set(groups)) != len(groups) or any(g not in draws.GROUPS for g in groups):
        raise ValidationError("每个分组只能设置一条抽取规则")
    if any(r.minimum < 0 or r.maximum < r.minimum for r in rules):
        raise ValidationError("抽取人数的下限不能大于上限")
    if mode == AbilityTest.Mode.ONLINE and sum(int(paper_rules.get(k, 0)) for k in draws.KINDS) == 0:
        raise ValidationError("在线测试请设置组卷题量")
    with transaction.atomic():
        test = AbilityTest(
            plan=plan,
            unit=unit,
            task=task,
            mode=mode,
            rules=[r.as_dict() for r in rules if r.maximum > 0],
            paper_rules=dict(paper_rules) if mode == AbilityTest.Mode.ONLINE else {},
            time_limit_minutes=time_limit_minutes,
            oral_max_score=oral_max_score,
            created_by=actor,
        )
        test.full_clean()
        test.save()
        audit.record(
            actor=actor,
            action="abilitytest.create",
            obj=test,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after={"task": task.code, "mode": mode, "rules": test.rules, "paper_rules": test.paper_rules},
        )
    return test


def rules_of(test: AbilityTest) -> list[Rule]:
    return [Rule.from_dict(r) for r in test.rules]


def draw_make(*, actor: User, test: AbilityTest) -> Draw:
    """Draw the test's testees from the unit's current roster; nothing is stored when the rule cannot be met."""
    access.require(actor, "abilitytest:manage", test.plan)
    require_running(test.plan)
    with transaction.atomic():
        test = AbilityTest.objects.select_for_update().select_related("plan", "unit__organisation", "task").get(pk=test.pk)
        ensure_not_in_sitting(test)
        if Draw.objects.filter(test=test).exists():
            raise ValidationError("该测试已抽取测试人员，不能重新抽取")
        roster = latest_roster(test.unit)
        if roster is None or not roster.people:
            raise ValidationError(f"{test.unit}尚未报送测试人员名册，无法抽取")
        seed = draws.new_seed()
        rules = rules_of(test)
        try:
            chosen = draws.draw_people(roster_people(roster), rules, seed)
        except DrawRefused as exc:
            raise ValidationError([*exc.messages, "未进行抽取。请补充名册或调整抽取规则。"]) from exc
        draw = Draw.objects.create(
            test=test,
            roster=roster,
            roster_digest=roster.digest,
            seed=seed,
            rules=[r.as_dict() for r in rules],
            result=[p.as_dict() for p in chosen],
            drawn_by=actor,
            drawn_at=timezone.now(),
        )
        Testee.objects.bulk_create(
            [
                Testee(test=test, seq=i, name=p.name, post=p.post, group=p.group, section=p.section)
                for i, p in enumerate(chosen, start=1)
            ]
        )
        audit.record(
            actor=actor,
            action="abilitytest.draw",
            obj=draw,
            plan_id=test.plan_id,
            organisation=test.unit.organisation,
            after={
                "seed": seed,
                "roster_version": roster.number,
                "roster_digest": roster.digest,
                "rules": draw.rules,
                "result": [p.name for p in chosen],
            },
        )
    return draw


@dataclass(frozen=True)
class Replay:
    same: bool
    data_intact: bool  # the stored roster version / bank pools still have the stored digest
    stored: list[str]
    replayed: list[str]
    note: str = ""


def draw_replay(draw: Draw) -> Replay:
    """Recompute the draw from its stored seed and roster version; compare with the stored result."""
    roster = draw.roster
    people = roster_people(roster)
    intact = draws.roster_digest(people) == draw.roster_digest == roster.digest
    stored = [Person.from_dict(p) for p in draw.result]
    try:
        again = draws.draw_people(people, [Rule.from_dict(r) for r in draw.rules], draw.seed)
    except DrawRefused as exc:
        return Replay(False, intact, [p.name for p in stored], [], "；".join(exc.messages))
    return Replay(intact and again == stored, intact, [p.name for p in stored], [p.name for p in again])


def replay_record(*, actor: User, test: AbilityTest, what: str, outcome: Replay) -> None:
    """Note in the audit log that someone replayed a draw or a paper, and what they saw."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="abilitytest.replay",
            obj=test,
            plan_id=test.plan_id,
            organisation=test.unit.organisation,
            after={"what": what, "same": outcome.same, "data_intact": outcome.data_intact},
        )


def _bank_question(q: Question) -> BankQuestion:
    return BankQuestion(id=q.pk, kind=q.kind, stem=q.stem, options=tuple(q.options), answer=q.answer, points=q.points)


def _pools(plan: Plan, rules: Mapping[str, Any], max_id: int) -> dict[str, list[BankQuestion]]:
    questions = Question.objects.filter(plan=plan, pk__lte=max_id).order_by("pk")
    if rules.get("category"):
        questions = questions.filter(category=rules["category"])
    if rules.get("difficulty"):
        questions = questions.filter(difficulty=rules["difficulty"])
    pools: dict[str, list[BankQuestion]] = {k: [] for k in draws.KINDS}
    for q in questions:
        pools[q.kind].append(_bank_question(q))
    return pools


def paper_counts(rules: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(rules.get(k, 0) or 0) for k in draws.KINDS}


def paper_make(*, actor: User, test: AbilityTest) -> Paper:
    """Draw the paper from the bank by the test's rules; refused (nothing stored) when a type is short."""
    access.require(actor, "abilitytest:manage", test.plan)
    require_running(test.plan)
    if not test.is_online:
        raise ValidationError("现场提问方式无需组卷")
    with transaction.atomic():
        test = AbilityTest.objects.select_for_update().select_related("unit__organisation").get(pk=test.pk)
        ensure_not_in_sitting(test)
        if Paper.objects.filter(test=test).exists():
            raise ValidationError("该测试已组卷，不能重新组卷")
        max_id = Question.objects.filter(plan=test.plan_id).order_by("-pk").values_list("pk", flat=True).first() or 0
        pools = _pools(test.plan, test.paper_rules, max_id)
        seed = draws.new_seed()
        try:
            ids = draws.draw_paper(pools, paper_counts(test.paper_rules), seed)
        except DrawRefused as exc:
            raise ValidationError([*exc.messages, "未组卷。请补充题库或调整组卷规则。"]) from exc
        points = {q.id: q.points for pool in pools.values() for q in pool}
        paper = Paper.objects.create(
            test=test,
            seed=seed,
            rules=dict(test.paper_rules),
            bank_max_id=max_id,
            pool_digest=draws.pool_digest(pools),
            question_ids=ids,
            total_points=sum((points[i] for i in ids), Decimal(0)),
            drawn_by=actor,
            drawn_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="abilitytest.paper",
            obj=paper,
            plan_id=test.plan_id,
            organisation=test.unit.organisation,
            after={"seed": seed, "bank_max_id": max_id, "pool_digest": paper.pool_digest, "questions": ids},
        )
    return paper


def paper_replay(paper: Paper) -> Replay:
    pools = _pools(paper.test.plan, paper.rules, paper.bank_max_id)
    intact = draws.pool_digest(pools) == paper.pool_digest
    stored = [str(i) for i in paper.question_ids]
    try:
        again = draws.draw_paper(pools, paper_counts(paper.rules), paper.seed)
    except DrawRefused as exc:
        return Replay(False, intact, stored, [], "；".join(exc.messages))
    replayed = [str(i) for i in again]
    return Replay(intact and replayed == stored, intact, stored, replayed)
