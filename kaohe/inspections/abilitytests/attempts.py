"""Sittings, one-time codes, the testee's attempt, scoring and 计入考核得分 (services, continued from services.py).

**One attempt per code.** A code starts the attempt the first time it is used (the server records the start
and the deadline = start + time limit). Using the code again while the attempt is in progress — in the same or
another browser — continues the SAME attempt (same deadline, the answers saved so far); this lets a testee
whose browser crashed go on, and both windows write into one answer sheet (the last save wins per question).
Once the attempt is submitted, or its time is over, the code is refused. Answers arriving after the deadline
plus :data:`GRACE` are refused; the attempt is then closed with the answers saved before the deadline.
When the office ends the sitting, attempts in progress are closed with their saved answers and testees who
never started are 缺考 (every answer 0).

Codes: 8 characters from an alphabet without look-alikes (31 symbols, about 39.6 bits), shown once to the office and
stored only as an HMAC-SHA256 keyed with the server secret. The testee's services take no ``actor``: the code
is the credential. Wrong codes are limited to 10 per IP address per 10 minutes (Django's cache), and every
unknown, closed or other plan's code gets the same message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe import access
from kaohe.access.abilitytests import may_score_test
from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.inspections.abilitytests import draws
from kaohe.inspections.abilitytests.models import AbilityTest, Answer, Draw, Paper, Question, Testee
from kaohe.inspections.abilitytests.services import ensure_not_in_sitting, require_running
from kaohe.organisations import conflicts
from kaohe.plans.models import Plan
from kaohe.plans.services import ensure_scoring_open
from kaohe.scoring.models import Evaluation, EvaluationChange
from kaohe.scoring.services import evaluation_record_derived, parse_score

GRACE = dt.timedelta(seconds=30)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read aloud and type
CODE_LENGTH = 8
CODE_FAILURE_LIMIT = 10
CODE_FAILURE_WINDOW = 600  # seconds
CODE_INVALID = "测试码无效或已失效，请核对后重新输入"
CODE_USED = "该测试码已交卷，不能再次使用"
CODE_TIME_OVER = "该测试码的答题时间已结束，不能再次使用"
CODE_TOO_MANY = "测试码输入错误次数过多，请10分钟后再试"
MAX_SHORT_ANSWER = 5000


class CodeRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AttemptOver(Exception):
    """The testee's attempt is over (submitted or out of time); ``message`` tells them which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------------------------------------ sittings and codes


def normalise_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:32]


def code_digest(code: str) -> str:
    """HMAC-SHA256 of the normalised code with the server's secret: the stored form (codes are never kept)."""
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, normalise_code(code).encode("utf-8"), hashlib.sha256).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _issue_code(testee: Testee, now: dt.datetime) -> str:
    while True:
        code = new_code()
        digest = code_digest(code)
        if not Testee.objects.filter(code_hash=digest).exists():
            testee.code_hash = digest
            testee.code_issued_at = now
            return code


def sitting_open(*, actor: User, test: AbilityTest, time_limit_minutes: int) -> list[tuple[Testee, str]]:
    """Open the online test: one new code per testee, returned ONCE (only their hashes are stored)."""
    access.require(actor, "abilitytest:manage", test.plan)
    require_running(test.plan)
    if not test.is_online:
        raise ValidationError("现场提问方式无需开考")
    if not 1 <= time_limit_minutes <= 240:
        raise ValidationError("答题时限应在 1 到 240 分钟之间")
    now = timezone.now()
    with transaction.atomic():
        test = AbilityTest.objects.select_for_update().select_related("unit__organisation").get(pk=test.pk)
        ensure_not_in_sitting(test)
        if test.sitting_opened_at is not None:
            raise ValidationError("该测试已开考；如有人遗失测试码，可为其重新生成")
        if not Draw.objects.filter(test=test).exists():
            raise ValidationError("请先抽取测试人员")
        if not Paper.objects.filter(test=test).exists():
            raise ValidationError("请先组卷")
        testees = list(Testee.objects.select_for_update().filter(test=test).order_by("seq"))
        issued: list[tuple[Testee, str]] = []
        for testee in testees:
            code = _issue_code(testee, now)
            testee.layout_seed = draws.new_seed()
            testee.save(update_fields=["code_hash", "code_issued_at", "layout_seed", "updated_at"])
            issued.append((testee, code))
        test.time_limit_minutes = time_limit_minutes
        test.sitting_opened_at = now
        test.save(update_fields=["time_limit_minutes", "sitting_opened_at", "updated_at"])
        audit.record(
            actor=actor,
            action="abilitytest.open",
            obj=test,
            plan_id=test.plan_id,
            organisation=test.unit.organisation,
            after={"time_limit_minutes": time_limit_minutes, "codes_issued": len(issued)},
        )
    return issued


def code_reissue(*, actor: User, test: AbilityTest, testee: Testee) -> str:
    """A new code for a testee who lost theirs (only before they start); the old code stops working."""
    access.require(actor, "abilitytest:manage", test.plan)
    with transaction.atomic():
        testee = Testee.objects.select_for_update().select_related("test__unit__organisation").get(pk=testee.pk, test=test)
        if not testee.test.sitting_is_open:
            raise ValidationError("测试未在进行中")
        if testee.started_at is not None:
            raise ValidationError(f"{testee.name}已开始答题，不能更换测试码")
        code = _issue_code(testee, timezone.now())
        testee.save(update_fields=["code_hash", "code_issued_at", "updated_at"])
        audit.record(
            actor=actor,
            action="abilitytest.code_reissue",
            obj=testee,
            plan_id=test.plan_id,
            organisation=test.unit.organisation,
            after={"testee": testee.seq},
        )
    return code


def sitting_close(*, actor: User, test: AbilityTest) -> None:
    """End the sitting: attempts in progress are closed with their saved answers, those never started are 缺考."""
    access.require(actor, "abilitytest:manage", test.plan)
    now = timezone.now()
    with transaction.atomic():
        test = AbilityTest.objects.select_for_update().select_related("unit__organisation").get(pk=test.pk)
        ensure_not_in_sitting(test)
        if not test.sitting_is_open:
            raise ValidationError("测试未在进行中")
        counts = {"timeout": 0, "absent": 0}
        for testee in Testee.objects.select_for_update().filter(test=test, finished_at__isnull=True):
            finish = Testee.Finish.TIMEOUT if testee.started_at else Testee.Finish.ABSENT
            _finalise(testee, finish, now)
            counts[str(finish)] += 1
        test.sitting_closed_at = now
        test.save(update_fields=["sitting_closed_at", "updated_at"])
        audit.record(
            actor=actor,
            action="abilitytest.close",
            obj=test,
            plan_id=test.plan_id,
            organisation=test.unit.organisation,
            after=counts,
        )


# ------------------------------------------------------------------------------------------------ the testee's attempt


def _failure_key(ip: str) -> str:
    return f"abilitytests:code-failures:{hashlib.sha256(ip.encode('utf-8')).hexdigest()[:32]}"


def _note_failure(ip: str) -> None:
    key = _failure_key(ip)
    cache.add(key, 0, timeout=CODE_FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=CODE_FAILURE_WINDOW)


def testee_enter(*, code: str, ip: str) -> Testee:
    """The testee behind a code, starting the attempt on first use; CodeRefused (one message for every
    unknown, closed or foreign code, so nothing tells whether a code exists) — at most 10 wrong codes per IP
    per 10 minutes."""
    if int(cache.get(_failure_key(ip), 0)) >= CODE_FAILURE_LIMIT:
        raise CodeRefused(CODE_TOO_MANY)
    normalised = normalise_code(code)
    testee = None
    if len(normalised) == CODE_LENGTH:
        testee = (
            Testee.objects.select_related("test__plan", "test__unit__organisation")
            .filter(code_hash=code_digest(normalised))
            .first()
        )
    if testee is None or not testee.test.sitting_is_open or testee.test.plan.status != Plan.Status.PUBLISHED:
        _note_failure(ip)
        raise CodeRefused(CODE_INVALID)
    now = timezone.now()
    timed_out = False
    with transaction.atomic():
        testee = Testee.objects.select_for_update().select_related("test__plan", "test__unit__organisation").get(pk=testee.pk)
        if testee.finished_at is not None:
            raise CodeRefused(CODE_TIME_OVER if testee.finish == Testee.Finish.TIMEOUT else CODE_USED)
        if testee.deadline_at is not None and now > testee.deadline_at + GRACE:
            _finalise(testee, Testee.Finish.TIMEOUT, testee.deadline_at)
            timed_out = True
        elif testee.started_at is None:
            testee.started_at = now
            testee.deadline_at = now + dt.timedelta(minutes=testee.test.time_limit_minutes)
            testee.save(update_fields=["started_at", "deadline_at", "updated_at"])
            audit.record(
                actor=None,
                action="abilitytest.start",
                obj=testee,
                plan_id=testee.test.plan_id,
                organisation=testee.test.unit.organisation,
                after={"testee": testee.seq, "deadline": testee.deadline_at, "ip": ip},
            )
    if timed_out:  # the closing is committed; only then refuse
        raise CodeRefused(CODE_TIME_OVER)
    return testee


def paper_questions(paper: Paper) -> dict[int, Question]:
    return {q.pk: q for q in Question.objects.filter(pk__in=paper.question_ids)}


def testee_layout(testee: Testee, paper: Paper, questions: Mapping[int, Question]) -> list[tuple[Question, list[int]]]:
    counts = {
        qid: len(q.options) if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) else 0 for qid, q in questions.items()
    }
    return [(questions[qid], order) for qid, order in draws.layout(paper.question_ids, counts, testee.layout_seed)]


def _clean_response(question: Question, values: Sequence[str]) -> str:
    if question.kind == Question.Kind.SHORT:
        return (values[0] if values else "").strip()[:MAX_SHORT_ANSWER]
    if question.kind == Question.Kind.JUDGE:
        value = values[0] if values else ""
        return value if value in ("T", "F") else ""
    available = draws.LETTERS[: len(question.options)]
    letters = draws.normalise_letters("".join(values))
    letters = "".join(ch for ch in letters if ch in available)
    if question.kind == Question.Kind.SINGLE:
        return letters if len(letters) == 1 else ""
    return letters


def testee_save(*, testee: Testee, responses: Mapping[int, Sequence[str]], submit: bool) -> Testee:
    """Save the answers of an attempt in progress (and, with ``submit``, hand the paper in).

    AttemptOver when the attempt is already submitted, or when the deadline plus GRACE has passed — the
    answers in this request are then NOT recorded and the attempt is closed with those saved before.
    """
    now = timezone.now()
    timed_out = False
    with transaction.atomic():
        testee = Testee.objects.select_for_update().select_related("test__plan", "test__unit__organisation").get(pk=testee.pk)
        if testee.finished_at is not None or testee.started_at is None or testee.deadline_at is None:
            raise AttemptOver(CODE_USED)
        if now > testee.deadline_at + GRACE:
            _finalise(testee, Testee.Finish.TIMEOUT, testee.deadline_at)
            timed_out = True
        else:
            _store_answers(testee, responses)
            if submit:
                _finalise(testee, Testee.Finish.SUBMITTED, now)
    if timed_out:  # the closing is committed; the answers of this request are not
        raise AttemptOver("已超过答题时间，本次提交未被接受；以截止前保存的答案计分")
    return testee


def _store_answers(testee: Testee, responses: Mapping[int, Sequence[str]]) -> None:
    """Upsert the answers of the paper's questions present in ``responses`` (inside the caller's transaction)."""
    paper = Paper.objects.get(test_id=testee.test_id)
    questions = paper_questions(paper)
    existing = {a.question_id: a for a in Answer.objects.filter(testee=testee)}
    for qid in paper.question_ids:
        if qid not in responses:
            continue
        response = _clean_response(questions[qid], responses[qid])
        answer = existing.get(qid)
        if answer is None:
            Answer.objects.create(testee=testee, question_id=qid, response=response)
        elif answer.response != response:
            answer.response = response
            answer.save(update_fields=["response"])


def _finalise(testee: Testee, finish: str, when: dt.datetime) -> None:
    """Close an attempt (inside the caller's transaction): mark objective answers, score unanswered as 0."""
    test = testee.test
    paper = Paper.objects.filter(test=test).first()
    if paper is not None:
        questions = paper_questions(paper)
        existing = {a.question_id: a for a in Answer.objects.filter(testee=testee)}
        for qid in paper.question_ids:
            question = questions[qid]
            answer = existing.get(qid) or Answer(testee=testee, question=question, response="")
            if question.kind == Question.Kind.SHORT:
                if not answer.response:
                    answer.score = Decimal(0)  # nothing written: nothing to mark
            else:
                answer.score = draws.mark_objective(question.kind, question.answer, answer.response, question.points)
            answer.save()
    testee.finished_at = max(when, testee.started_at) if testee.started_at else when
    testee.finish = finish
    testee.save(update_fields=["finished_at", "finish", "updated_at"])
    audit.record(
        actor=None,
        action="abilitytest.submit",
        obj=testee,
        plan_id=test.plan_id,
        organisation=test.unit.organisation,
        after={"testee": testee.seq, "finish": finish},
    )


# ------------------------------------------------------------------------------------------------ scoring


def scorer_conflict(actor: User, test: AbilityTest) -> str:
    """回避 of a scorer for the test's unit ("" when there is none): any membership they hold now, or the
    organisation they were drawn into a 实地考察组 from, on the unit's organisation line. The organiser's own
    organisation is not counted: the office runs the whole assessment (desks follow the plan's setting)."""
    from kaohe.inspections.fieldwork.models import FieldGroupMember

    drawn_from = [
        m.organisation
        for m in FieldGroupMember.objects.filter(group__plan_id=test.plan_id, user_id=actor.pk).select_related(
            "organisation__parent"
        )
    ]
    return conflicts.person_conflict(actor, test.unit.organisation, also=drawn_from, ignore=[test.plan.organiser_id])


def _ensure_no_conflict(actor: User, test: AbilityTest) -> None:
    reason = scorer_conflict(actor, test)
    if reason:
        raise ValidationError(reason)


def oral_scores_save(*, actor: User, test: AbilityTest, scores: Mapping[int, str]) -> int:
    """Record the on-the-spot scores (testee id → text, 0..oral_max_score); blank leaves a score unchanged."""
    access.require(actor, "abilitytest:score", test.plan)
    if not may_score_test(actor, test):
        raise PermissionDenied  # a 实地考察组 member scores only the units their group visits
    ensure_scoring_open(test.plan)
    _ensure_no_conflict(actor, test)
    if test.is_online:
        raise ValidationError("在线测试的成绩由答题和阅卷产生")
    changed = 0
    errors: list[str] = []
    with transaction.atomic():
        testees = {t.pk: t for t in Testee.objects.select_for_update().filter(test=test)}
        updates: list[tuple[Testee, Decimal]] = []
        for testee_id, raw in scores.items():
            testee = testees.get(testee_id)
            if testee is None or not (raw or "").strip():
                continue
            try:
                value = parse_score(raw, test.oral_max_score)
            except ValidationError as exc:
                errors.append(f"{testee.name}：{exc.messages[0]}")
                continue
            if testee.oral_score != value:
                updates.append((testee, value))
        if errors:
            raise ValidationError(errors)
        for testee, value in updates:
            before = testee.oral_score
            testee.oral_score = value
            testee.oral_by = actor
            testee.save(update_fields=["oral_score", "oral_by", "updated_at"])
            audit.record(
                actor=actor,
                action="abilitytest.oral_score",
                obj=testee,
                plan_id=test.plan_id,
                organisation=test.unit.organisation,
                before={"score": before},
                after={"score": value, "testee": testee.seq},
            )
            changed += 1
    return changed


def short_marks_save(*, actor: User, test: AbilityTest, marks: Mapping[int, str]) -> int:
    """Mark short answers (answer id → score text, 0..the question's points) of finished attempts."""
    access.require(actor, "abilitytest:score", test.plan)
    if not may_score_test(actor, test):
        raise PermissionDenied  # a 实地考察组 member scores only the units their group visits
    ensure_scoring_open(test.plan)
    _ensure_no_conflict(actor, test)
    changed = 0
    errors: list[str] = []
    now = timezone.now()
    with transaction.atomic():
        answers = {
            a.pk: a
            for a in Answer.objects.select_for_update()
            .select_related("question", "testee")
            .filter(testee__test=test, question__kind=Question.Kind.SHORT, testee__finished_at__isnull=False)
        }
        updates: list[tuple[Answer, Decimal]] = []
        for answer_id, raw in marks.items():
            answer = answers.get(answer_id)
            if answer is None or not (raw or "").strip():
                continue
            try:
                value = parse_score(raw, answer.question.points)
            except ValidationError as exc:
                errors.append(f"{answer.testee.name}：{exc.messages[0]}")
                continue
            if answer.score != value:
                updates.append((answer, value))
        if errors:
            raise ValidationError(errors)
        for answer, value in updates:
            before = answer.score
            answer.score = value
            answer.marked_by = actor
            answer.marked_at = now
            answer.save(update_fields=["score", "marked_by", "marked_at"])
            audit.record(
                actor=actor,
                action="abilitytest.mark",
                obj=answer.testee,
                plan_id=test.plan_id,
                organisation=test.unit.organisation,
                before={"score": before},
                after={"score": value, "question": answer.question_id, "testee": answer.testee.seq},
            )
            changed += 1
    return changed


@dataclass(frozen=True)
class TesteeResult:
    testee: Testee
    earned: Decimal | None  # None while not (fully) marked
    possible: Decimal

    @property
    def percent(self) -> Decimal | None:
        if self.earned is None:
            return None
        return (draws.percentage(self.earned, self.possible) * 100).quantize(draws.CENT)


def results_of(test: AbilityTest) -> list[TesteeResult]:
    """Each testee's earned / possible; ``earned`` None while the testee is unscored or has unmarked answers."""
    testees = list(Testee.objects.filter(test=test).order_by("seq"))
    if not test.is_online:
        return [TesteeResult(t, t.oral_score, test.oral_max_score) for t in testees]
    paper = Paper.objects.filter(test=test).first()
    possible = paper.total_points if paper else Decimal(0)
    by_testee: dict[int, list[Answer]] = {}
    for answer in Answer.objects.filter(testee__test=test):
        by_testee.setdefault(answer.testee_id, []).append(answer)
    results = []
    for t in testees:
        answers = by_testee.get(t.pk, [])
        complete = t.finished_at is not None and all(a.score is not None for a in answers)
        earned = sum((a.score or Decimal(0) for a in answers), Decimal(0)) if complete else None
        results.append(TesteeResult(t, earned, possible))
    return results


def abilitytest_record(*, actor: User, test: AbilityTest) -> Evaluation:
    """计入考核得分: the unit's score on the task = points × mean score rate (draws.unit_score), as an evaluation."""
    access.require(actor, "abilitytest:manage", test.plan)
    ensure_scoring_open(test.plan)
    results = results_of(test)
    if not results:
        raise ValidationError("尚未抽取测试人员")
    if test.is_online and test.sitting_is_open:
        raise ValidationError("测试仍在进行中，请先结束测试")
    missing = [r.testee.name for r in results if r.earned is None]
    if missing:
        raise ValidationError(f"还有 {len(missing)} 人未评分或未阅卷完毕：{'、'.join(missing[:10])}")
    task = test.task
    if task.points is None:
        raise ValidationError("该任务未写分值，请考核办先确定分值")
    conversion = draws.unit_score(task.points, [draws.percentage(r.earned or Decimal(0), r.possible) for r in results])
    detail = {
        "ability_test": test.pk,
        "mode": test.mode,
        "testees": [r.testee.name for r in results],
        "scores": [f"{r.earned:.2f}/{r.possible:.2f}" for r in results],
        "mean_percent": conversion.mean_percent,
    }
    with transaction.atomic():
        evaluation = evaluation_record_derived(
            actor=actor,
            plan=test.plan,
            unit=test.unit,
            task=task,
            score=conversion.score,
            reason=conversion.reason,
            source=EvaluationChange.Source.ABILITY_TEST,
            expected_version=-1,
            detail=detail,
        )
        test.recorded_at = timezone.now()
        test.recorded_score = conversion.score
        test.save(update_fields=["recorded_at", "recorded_score", "updated_at"])
        audit.record(
            actor=actor,
            action="abilitytest.record",
            obj=test,
            plan_id=test.plan_id,
            organisation=test.unit.organisation,
            after={"score": conversion.score, "reason": conversion.reason},
        )
    return evaluation
