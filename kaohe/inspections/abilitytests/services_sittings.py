"""统一考试场次 (a city-wide sitting): candidates of many units, one paper, one opening and closing, results per unit.

The least new machinery over one unit's online test: a :class:`Sitting` groups one :class:`AbilityTest` per
unit taking part (the unit's task is the sitting's task of the unit's category). The candidates come from one
roster sheet with a unit column and become the testees of their unit's test (no draw). The paper is drawn once
and the same draw is stored as every unit's ``Paper``; each candidate gets their own ``layout_seed`` at the
opening, so question order and option order differ per person and are replayed from the stored seed
(``draws.layout``). The testee's pages, marking of short answers and 计入考核得分 are those of any online test:
each unit's score = task points × the mean score rate of its candidates (``draws.unit_score``), written
through ``scoring.services.evaluation_record_derived``.

Every service here works in bulk (a constant number of queries for 1,100 candidates, not one per person).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.inspections.abilitytests import attempts, draws, sheets
from kaohe.inspections.abilitytests.draws import DrawRefused
from kaohe.inspections.abilitytests.models import AbilityTest, Answer, Paper, Question, Sitting, Testee
from kaohe.inspections.abilitytests.services import _pools, paper_counts, require_running
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.plans.services import ensure_scoring_open

MANAGE = "abilitytest:manage"


def sitting_units(sitting: Sitting) -> list[PlanUnit]:
    """The units taking part: every unit of the categories of the sitting's tasks."""
    categories = list(sitting.tasks.values_list("category_id", flat=True))
    return list(
        PlanUnit.objects.filter(plan_id=sitting.plan_id, category_id__in=categories)
        .select_related("organisation", "category")
        .order_by("category__order", "organisation__sort_key")
    )


def _check_tasks(plan: Plan, tasks: Sequence[Indicator]) -> None:
    if not tasks:
        raise ValidationError("请至少选择一项计分的工作任务")
    categories: set[int] = set()
    for task in tasks:
        if task.plan_id != plan.pk or task.level != Level.TASK:
            raise ValidationError("所选工作任务不属于本方案")
        if task.method == Method.SUBMISSION:
            raise ValidationError(f"{task.code} 按报送资料评价等次，不能由能力测试计分")
        if task.category_id in categories:
            raise ValidationError(f"每个考核对象类别只能选择一项工作任务（{task.category.name}选择了多项）")
        categories.add(task.category_id)


def sitting_create(
    *,
    actor: User,
    plan: Plan,
    title: str,
    tasks: Sequence[Indicator],
    paper_rules: Mapping[str, Any],
    time_limit_minutes: int,
) -> Sitting:
    """A new sitting for the units of the tasks' categories (one task per category)."""
    access.require(actor, MANAGE, plan)
    require_running(plan)
    title = (title or "").strip()
    if not title:
        raise ValidationError("请填写场次名称")
    _check_tasks(plan, tasks)
    if sum(int(paper_rules.get(k, 0) or 0) for k in draws.KINDS) == 0:
        raise ValidationError("请设置组卷题量")
    if not 1 <= time_limit_minutes <= 240:
        raise ValidationError("答题时限应在 1 到 240 分钟之间")
    with transaction.atomic():
        sitting = Sitting(
            plan=plan, title=title[:100], paper_rules=dict(paper_rules), time_limit_minutes=time_limit_minutes, created_by=actor
        )
        sitting.full_clean()
        sitting.save()
        sitting.tasks.set(tasks)
        audit.record(
            actor=actor,
            action="abilitytest.sitting_create",
            obj=sitting,
            plan_id=plan.pk,
            after={"title": sitting.title, "tasks": [t.code for t in tasks], "paper_rules": sitting.paper_rules},
        )
    return sitting


def _ensure_not_opened(sitting: Sitting) -> None:
    if sitting.opened_at is not None:
        raise ValidationError("场次已开考，考生名单和试卷不能再改变")


def _lock(sitting: Sitting) -> Sitting:
    return Sitting.objects.select_for_update().select_related("plan").get(pk=sitting.pk)


def sitting_roster_import(*, actor: User, sitting: Sitting, data: bytes, original_name: str) -> dict[int, int]:
    """Replace the sitting's candidates by the rows of an .xlsx sheet (单位, 姓名, 职务, 分组, 处室); all or
    nothing. Returns candidates per unit id. A unit without candidates takes no part (its test is removed)."""
    access.require(actor, MANAGE, sitting.plan)
    require_running(sitting.plan)
    units = sitting_units(sitting)
    by_name = {u.organisation.name: u.pk for u in units}
    table = sheets.parse_sitting_roster(data, by_name)
    if table.errors:
        raise ValidationError([p.message for p in table.errors])
    tasks = {t.category_id: t for t in sitting.tasks.all()}
    unit_by_id = {u.pk: u for u in units}
    with transaction.atomic():
        sitting = _lock(sitting)
        _ensure_not_opened(sitting)
        counts: dict[int, int] = {}
        for candidate in table.candidates:
            counts[candidate.unit_id] = counts.get(candidate.unit_id, 0) + 1
        existing = {t.unit_id: t for t in AbilityTest.objects.filter(sitting=sitting)}
        AbilityTest.objects.filter(sitting=sitting).exclude(unit_id__in=list(counts)).delete()
        Testee.objects.filter(test__sitting=sitting).delete()
        paper = Paper.objects.filter(test__sitting=sitting).first()
        created = [
            AbilityTest(
                plan_id=sitting.plan_id,
                unit=unit_by_id[unit_id],
                task=tasks[unit_by_id[unit_id].category_id],
                mode=AbilityTest.Mode.ONLINE,
                rules=[],
                paper_rules=dict(sitting.paper_rules),
                time_limit_minutes=sitting.time_limit_minutes,
                created_by=actor,
                sitting=sitting,
            )
            for unit_id in counts
            if unit_id not in existing
        ]
        AbilityTest.objects.bulk_create(created)
        tests = {t.unit_id: t for t in AbilityTest.objects.filter(sitting=sitting)}
        if paper is not None and created:
            _copy_paper(paper, [tests[t.unit_id] for t in created])
        seqs: dict[int, int] = {}
        testees = []
        for candidate in table.candidates:
            seqs[candidate.unit_id] = seqs.get(candidate.unit_id, 0) + 1
            person = candidate.person
            testees.append(
                Testee(
                    test=tests[candidate.unit_id],
                    seq=seqs[candidate.unit_id],
                    name=person.name,
                    post=person.post,
                    group=person.group,
                    section=person.section,
                )
            )
        Testee.objects.bulk_create(testees, batch_size=500)
        sitting.roster_note = f"导入 {original_name}"[:300]
        sitting.save(update_fields=["roster_note", "updated_at"])
        audit.record(
            actor=actor,
            action="abilitytest.sitting_roster",
            obj=sitting,
            plan_id=sitting.plan_id,
            after={"file": original_name[:255], "candidates": len(testees), "units": len(counts)},
        )
    return counts


def _copy_paper(paper: Paper, tests: Sequence[AbilityTest]) -> None:
    Paper.objects.bulk_create(
        [
            Paper(
                test=test,
                seed=paper.seed,
                rules=paper.rules,
                bank_max_id=paper.bank_max_id,
                pool_digest=paper.pool_digest,
                question_ids=paper.question_ids,
                total_points=paper.total_points,
                drawn_by_id=paper.drawn_by_id,
                drawn_at=paper.drawn_at,
            )
            for test in tests
        ]
    )


def sitting_paper_make(*, actor: User, sitting: Sitting) -> Paper:
    """Draw the sitting's one paper from the bank by its rules and store it for every unit's test."""
    access.require(actor, MANAGE, sitting.plan)
    require_running(sitting.plan)
    with transaction.atomic():
        sitting = _lock(sitting)
        _ensure_not_opened(sitting)
        if Paper.objects.filter(test__sitting=sitting).exists():
            raise ValidationError("该场次已组卷，不能重新组卷")
        tests = list(AbilityTest.objects.filter(sitting=sitting))
        if not tests:
            raise ValidationError("请先导入考生名单")
        max_id = Question.objects.filter(plan=sitting.plan_id).order_by("-pk").values_list("pk", flat=True).first() or 0
        pools = _pools(sitting.plan, sitting.paper_rules, max_id)
        seed = draws.new_seed()
        try:
            ids = draws.draw_paper(pools, paper_counts(sitting.paper_rules), seed)
        except DrawRefused as exc:
            raise ValidationError([*exc.messages, "未组卷。请补充题库或调整组卷规则。"]) from exc
        points = {q.id: q.points for pool in pools.values() for q in pool}
        paper = Paper(
            test=tests[0],
            seed=seed,
            rules=dict(sitting.paper_rules),
            bank_max_id=max_id,
            pool_digest=draws.pool_digest(pools),
            question_ids=ids,
            total_points=sum((points[i] for i in ids), Decimal(0)),
            drawn_by=actor,
            drawn_at=timezone.now(),
        )
        paper.save()
        _copy_paper(paper, tests[1:])
        audit.record(
            actor=actor,
            action="abilitytest.sitting_paper",
            obj=sitting,
            plan_id=sitting.plan_id,
            after={"seed": seed, "bank_max_id": max_id, "pool_digest": paper.pool_digest, "questions": ids},
        )
    return paper


@dataclass(frozen=True)
class IssuedCode:
    unit: PlanUnit
    testee: Testee
    code: str


def _new_codes(count: int) -> list[tuple[str, str]]:
    """``count`` fresh (code, digest) pairs, unique among themselves and against every stored code."""
    pairs: dict[str, str] = {}
    while len(pairs) < count:
        batch: dict[str, str] = {}
        while len(batch) < count - len(pairs):
            code = attempts.new_code()
            batch[attempts.code_digest(code)] = code
        taken = set(Testee.objects.filter(code_hash__in=list(batch)).values_list("code_hash", flat=True))
        for digest, code in batch.items():
            if digest not in taken and digest not in pairs:
                pairs[digest] = code
    return [(code, digest) for digest, code in pairs.items()]


def sitting_open(*, actor: User, sitting: Sitting, time_limit_minutes: int) -> list[IssuedCode]:
    """Open the sitting: every candidate gets a one-time code (returned ONCE, only its HMAC is kept) and their
    own layout seed (question and option order); every unit's test opens at the same moment."""
    access.require(actor, MANAGE, sitting.plan)
    require_running(sitting.plan)
    if not 1 <= time_limit_minutes <= 240:
        raise ValidationError("答题时限应在 1 到 240 分钟之间")
    now = timezone.now()
    with transaction.atomic():
        sitting = _lock(sitting)
        if sitting.opened_at is not None:
            raise ValidationError("该场次已开考；如有考生遗失测试码，可在其单位的测试页重新生成")
        tests = {
            t.pk: t for t in AbilityTest.objects.filter(sitting=sitting).select_related("unit__organisation", "unit__category")
        }
        if not tests:
            raise ValidationError("请先导入考生名单")
        if Paper.objects.filter(test__sitting=sitting).count() != len(tests):
            raise ValidationError("请先组卷")
        testees = list(Testee.objects.select_for_update().filter(test__sitting=sitting).order_by("test_id", "seq"))
        codes = _new_codes(len(testees))
        issued: list[IssuedCode] = []
        for testee, (code, digest) in zip(testees, codes, strict=True):
            testee.code_hash, testee.code_issued_at, testee.layout_seed = digest, now, draws.new_seed()
            issued.append(IssuedCode(tests[testee.test_id].unit, testee, code))
        Testee.objects.bulk_update(testees, ["code_hash", "code_issued_at", "layout_seed"], batch_size=500)
        AbilityTest.objects.filter(sitting=sitting).update(
            time_limit_minutes=time_limit_minutes, sitting_opened_at=now, sitting_closed_at=None, updated_at=now
        )
        sitting.time_limit_minutes, sitting.opened_at = time_limit_minutes, now
        sitting.save(update_fields=["time_limit_minutes", "opened_at", "updated_at"])
        audit.record(
            actor=actor,
            action="abilitytest.sitting_open",
            obj=sitting,
            plan_id=sitting.plan_id,
            after={"time_limit_minutes": time_limit_minutes, "codes_issued": len(issued), "units": len(tests)},
        )
    issued.sort(key=lambda i: (i.unit.category.order, i.unit.organisation.sort_key, i.testee.seq))
    return issued


def _close_all(sitting: Sitting, now: dt.datetime) -> dict[str, int]:
    """Close every unfinished attempt in bulk: objective answers marked, unanswered questions 0, those never
    started 缺考 (the rule of ``attempts._finalise``, for all candidates at once)."""
    paper = Paper.objects.filter(test__sitting=sitting).first()
    questions = attempts.paper_questions(paper) if paper else {}
    open_testees = list(Testee.objects.select_for_update().filter(test__sitting=sitting, finished_at__isnull=True))
    answers: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(testee__in=open_testees):
        answers.setdefault(answer.testee_id, {})[answer.question_id] = answer
    to_create: list[Answer] = []
    to_update: list[Answer] = []
    counts = {"timeout": 0, "absent": 0}
    for testee in open_testees:
        mine = answers.get(testee.pk, {})
        for qid in paper.question_ids if paper else []:
            question = questions[qid]
            stored = mine.get(qid)
            is_new = stored is None
            answer = stored if stored is not None else Answer(testee=testee, question=question, response="")
            if question.kind == Question.Kind.SHORT:
                if not answer.response:
                    answer.score = Decimal(0)
            else:
                answer.score = draws.mark_objective(question.kind, question.answer, answer.response, question.points)
            (to_create if is_new else to_update).append(answer)
        testee.finish = Testee.Finish.TIMEOUT if testee.started_at else Testee.Finish.ABSENT
        testee.finished_at = max(now, testee.started_at) if testee.started_at else now
        counts[str(testee.finish)] += 1
    Answer.objects.bulk_create(to_create, batch_size=1000)
    Answer.objects.bulk_update(to_update, ["score"], batch_size=1000)
    Testee.objects.bulk_update(open_testees, ["finish", "finished_at"], batch_size=500)
    return counts


def sitting_close(*, actor: User, sitting: Sitting) -> dict[str, int]:
    """End the sitting for everyone: attempts in progress are closed with their saved answers, candidates who
    never started are 缺考 (every answer 0)."""
    access.require(actor, MANAGE, sitting.plan)
    now = timezone.now()
    with transaction.atomic():
        sitting = _lock(sitting)
        if not sitting.is_open:
            raise ValidationError("场次未在进行中")
        counts = _close_all(sitting, now)
        AbilityTest.objects.filter(sitting=sitting).update(sitting_closed_at=now, updated_at=now)
        sitting.closed_at = now
        sitting.save(update_fields=["closed_at", "updated_at"])
        audit.record(actor=actor, action="abilitytest.sitting_close", obj=sitting, plan_id=sitting.plan_id, after=counts)
    return counts


@dataclass
class RecordOutcome:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def sitting_record(*, actor: User, sitting: Sitting) -> RecordOutcome:
    """计入考核得分 for every unit of the sitting, by the rule of one unit's test (``abilitytest_record``);
    units not ready (short answers unmarked, task without points, results published) are named and skipped."""
    access.require(actor, MANAGE, sitting.plan)
    if sitting.opened_at is None or sitting.is_open:
        raise ValidationError("场次尚未结束，请先结束考试")
    try:
        ensure_scoring_open(sitting.plan)
    except PermissionDenied as exc:  # results published: say so once, not once per unit
        raise ValidationError(str(exc)) from exc
    outcome = RecordOutcome()
    tests = AbilityTest.objects.filter(sitting=sitting).select_related("plan", "unit__organisation", "unit__category", "task")
    for test in tests.order_by("unit__category__order", "unit__organisation__sort_key"):
        try:
            evaluation = attempts.abilitytest_record(actor=actor, test=test)
        except ValidationError as exc:
            outcome.skipped.append(f"{test.unit.organisation.name}：{'；'.join(exc.messages)}")
        else:
            outcome.written.append(f"{test.unit.organisation.name} {test.task.code}：{evaluation.score:.2f} 分")
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="abilitytest.sitting_record",
            obj=sitting,
            plan_id=sitting.plan_id,
            after={"written": len(outcome.written), "skipped": outcome.skipped[:50]},
        )
    return outcome
