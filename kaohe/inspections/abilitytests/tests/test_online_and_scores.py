"""The question bank import, papers, the online test with one-time codes, marking, oral scores and 计入考核得分."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kaohe.core.models import AuditEvent
from kaohe.inspections.abilitytests import attempts, sheets
from kaohe.inspections.abilitytests.models import Answer, Paper, Question, QuestionImport, Testee
from kaohe.inspections.abilitytests.tests.conftest import codes_in, make_test
from kaohe.scoring.models import Evaluation, EvaluationChange

ENTER = reverse("testee:enter")
PAPER = reverse("testee:paper")
SUBMIT = reverse("testee:submit")


def _xlsx(rows):
    return SimpleUploadedFile("题库.xlsx", sheets.bank_workbook(rows), content_type="application/octet-stream")


def test_bank_import_previews_every_problem_then_confirms(personas, plan):
    client = personas.client(personas.office)
    bank_before = Question.objects.filter(plan=plan).count()
    rows = [
        ["单选", "题一", "甲", "乙", "", "", "", "", "", "法治", "易", ""],  # no answer key
        ["单选", "题二", "甲", "乙", "", "", "", "", "C", "法治", "易", ""],  # answer not among options
        ["判断", "题三", "", "", "", "", "", "", "对", "法治", "易", ""],
    ]
    response = client.post(reverse("abilitytests:bank_import", args=[plan.pk]), {"file": _xlsx(rows)})
    record = QuestionImport.objects.filter(plan=plan).order_by("-pk")[0]
    assert response.url == reverse("abilitytests:bank_import_preview", args=[plan.pk, record.pk])
    html = client.get(response.url).content.decode()
    assert "第2行：单选题缺少答案" in html
    assert "第3行：答案“C”不在选项中（本题选项为 A–B）" in html
    assert "确认导入" not in html
    # confirming anyway is refused, nothing enters the bank
    client.post(reverse("abilitytests:bank_import_apply", args=[plan.pk, record.pk]))
    assert Question.objects.filter(plan=plan).count() == bank_before
    # a corrected file imports; re-importing it skips what is already there
    rows[0][8], rows[1][8] = "A", "B"
    for expected in (3, 0):
        response = client.post(reverse("abilitytests:bank_import", args=[plan.pk]), {"file": _xlsx(rows)})
        record = QuestionImport.objects.filter(plan=plan).order_by("-pk")[0]
        client.post(reverse("abilitytests:bank_import_apply", args=[plan.pk, record.pk]), {"accept_warnings": "1"})
        record.refresh_from_db()
        assert record.status == QuestionImport.Status.APPLIED
        assert record.summary["questions"] == expected
    assert Question.objects.filter(plan=plan).count() == bank_before + 3
    assert personas.client(personas.unit).get(reverse("abilitytests:bank", args=[plan.pk])).status_code == 403


def test_paper_needs_enough_questions(personas, ability, dept1_units, staff_task):
    test = make_test(personas, ability, dept1_units[0], staff_task, mode="online", rules=[("staff", 2, 2)], single=20)
    html = personas.client(personas.office).post(reverse("abilitytests:paper", args=[ability.pk, test.pk]), follow=True)
    assert "题库中符合条件的单选题只有 16 道，组卷规则要求 20 道" in html.content.decode()
    assert not Paper.objects.filter(test=test).exists()


@pytest.fixture
def sitting(personas, ability, dept1_units, staff_task):
    """An online test of 市委网信办 on 2.2.1: 2 staff, 3 单选 + 2 多选 + 1 判断 + 1 简答, codes issued."""
    test = make_test(
        personas,
        ability,
        dept1_units[0],
        staff_task,
        mode="online",
        rules=[("staff", 2, 2)],
        single=3,
        multiple=2,
        judge=1,
        short=1,
    )
    office = personas.client(personas.office)
    office.post(reverse("abilitytests:draw", args=[ability.pk, test.pk]))
    office.post(reverse("abilitytests:paper", args=[ability.pk, test.pk]))
    response = office.post(reverse("abilitytests:open", args=[ability.pk, test.pk]), {"time_limit_minutes": 20})
    assert response.status_code == 200
    codes = codes_in(response.content.decode())
    assert len(codes) == 2 and all(len(c) == 8 for c in codes)
    assert not set("01IOL") & set("".join(codes))
    return test, codes


def _stems(html: str) -> list[str]:
    return re.findall(r'data-testid="stem">([^<]+)<', html)


def _answers(test, testee, *, correct: bool):
    paper = Paper.objects.get(test=test)
    data: dict[str, object] = {"action": "submit"}
    for question in Question.objects.filter(pk__in=paper.question_ids):
        key = f"q{question.pk}"
        if question.kind == Question.Kind.MULTIPLE:
            data[key] = list(question.answer) if correct else ["A"]
        elif question.kind == Question.Kind.SHORT:
            data[key] = "公众参与、专家论证……"
        else:
            data[key] = question.answer if correct else "Z"
    return data


def test_codes_are_stored_hashed_and_shown_once(personas, ability, sitting):
    test, codes = sitting
    stored = list(Testee.objects.filter(test=test).values_list("code_hash", flat=True))
    assert all(len(h) == 64 for h in stored) and not any(c in h for c in codes for h in stored)
    assert not AuditEvent.objects.filter(after__icontains=codes[0]).exists()
    html = personas.client(personas.office).get(reverse("abilitytests:test", args=[ability.pk, test.pk])).content.decode()
    assert codes[0] not in html and f"{codes[0][:4]} {codes[0][4:]}" not in html


def test_two_testees_take_the_test_and_the_score_is_recorded(personas, ability, sitting, scorer, staff_task):
    test, codes = sitting
    first, second = personas.client(None), personas.client(None)
    response = first.post(ENTER, {"code": codes[0].lower()[:4] + "-" + codes[0].lower()[4:]})  # case and dashes forgiven
    assert response.status_code == 302 and response.url == PAPER
    html = first.get(PAPER).content.decode()
    assert html.count('data-testid="question"') == 7 and "剩余时间" in html
    testee_one = Testee.objects.get(test=test, seq=1)
    assert testee_one.started_at is not None and testee_one.deadline_at == testee_one.started_at + dt.timedelta(minutes=20)
    # per-person order (questions and options) comes from each testee's stored seed: stable on reload, different per person
    second.post(ENTER, {"code": codes[1]})
    assert _stems(html) == _stems(first.get(PAPER).content.decode())
    paper = Paper.objects.get(test=test)
    questions = attempts.paper_questions(paper)
    layouts = [
        [(q.pk, order) for q, order in attempts.testee_layout(t, paper, questions)]
        for t in Testee.objects.filter(test=test).order_by("seq")
    ]
    assert layouts[0] != layouts[1]
    shown = list(dict.fromkeys(int(i) for i in re.findall(r'name="q(\d+)"', html)))
    assert shown == [q for q, _ in layouts[0]]
    assert first.post(SUBMIT, _answers(test, testee_one, correct=True)).status_code == 200
    testee_two = Testee.objects.get(test=test, seq=2)
    done = second.post(SUBMIT, _answers(test, testee_two, correct=False)).content.decode()
    assert "已交卷" in done
    # objective items are marked; short answers wait for a scorer
    one = {a.question.kind: a for a in Answer.objects.filter(testee=testee_one).select_related("question")}
    assert one[Question.Kind.SHORT].score is None
    assert sum(a.score for a in Answer.objects.filter(testee=testee_two) if a.score is not None) == Decimal(0)
    # recording is refused while the sitting is open, then while short answers are unmarked
    office = personas.client(personas.office)
    record = reverse("abilitytests:record", args=[ability.pk, test.pk])
    assert "请先结束测试" in office.post(record, follow=True).content.decode()
    office.post(reverse("abilitytests:close", args=[ability.pk, test.pk]))
    assert "未评分或未阅卷完毕" in office.post(record, follow=True).content.decode()
    # the field group member marks the short answers
    scorer_client = personas.client(scorer)
    page = scorer_client.get(reverse("abilitytests:marking", args=[ability.pk, test.pk])).content.decode()
    assert "公众参与、专家论证" in page
    marks = {f"mark-{a.pk}": "5" for a in Answer.objects.filter(testee__test=test, question__kind="short")}
    bad = scorer_client.post(
        reverse("abilitytests:marking_save", args=[ability.pk, test.pk]),
        {**marks, **{k: "11" for k in list(marks)[:1]}},
        follow=True,
    )
    assert "得分须在 0 到 10 分之间" in bad.content.decode()
    scorer_client.post(reverse("abilitytests:marking_save", args=[ability.pk, test.pk]), marks)
    assert scorer_client.post(record).status_code == 403  # scorers mark; the office records
    office.post(record)
    evaluation = Evaluation.objects.get(unit=test.unit, task=staff_task)
    paper = Paper.objects.get(test=test)
    # testee 1: all objective right (3×5 + 2×5 + 1×5 = 30) + 5 of 10 short = 35/40; testee 2: 0 + 0 objective (a
    # blank short answer would be 0) + 5 = 5/40 → mean 50% → 2 points × 0.5 = 1.00
    assert paper.total_points == Decimal(40)
    assert evaluation.score == Decimal("1.00")
    assert evaluation.reason == "能力测试平均得分率 50.00%（2人）"
    change = EvaluationChange.objects.filter(evaluation=evaluation).order_by("-pk").first()
    assert change.source == EvaluationChange.Source.ABILITY_TEST


def test_one_attempt_per_code(personas, ability, sitting):
    test, codes = sitting
    browser_a, browser_b = personas.client(None), personas.client(None)
    browser_a.post(ENTER, {"code": codes[0]})
    started = Testee.objects.get(test=test, seq=1)
    paper = Paper.objects.get(test=test)
    judge = Question.objects.get(pk__in=paper.question_ids, kind="judge")
    browser_a.post(SUBMIT, {"action": "save", f"q{judge.pk}": judge.answer})
    # opening the test again in another browser while in progress continues the SAME attempt
    assert browser_b.post(ENTER, {"code": codes[0]}).status_code == 302
    again = Testee.objects.get(pk=started.pk)
    assert (again.started_at, again.deadline_at) == (started.started_at, started.deadline_at)
    assert f'value="{judge.answer}" checked' in browser_b.get(PAPER).content.decode()
    browser_b.post(SUBMIT, {"action": "submit"})
    # after submission the code is refused everywhere, and the first browser's session is over too
    browser_c = personas.client(None)
    response = browser_c.post(ENTER, {"code": codes[0]})
    assert response.status_code == 400 and "该测试码已交卷，不能再次使用" in response.content.decode()
    late = browser_a.post(SUBMIT, {"action": "submit", f"q{judge.pk}": "X"})
    assert "该测试码已交卷" in late.content.decode()
    assert Testee.objects.get(pk=started.pk).finish == Testee.Finish.SUBMITTED


def test_answers_after_the_time_limit_are_refused(personas, ability, sitting, monkeypatch):
    test, codes = sitting
    browser = personas.client(None)
    browser.post(ENTER, {"code": codes[0]})
    testee = Testee.objects.get(test=test, seq=1)
    paper = Paper.objects.get(test=test)
    judge = Question.objects.get(pk__in=paper.question_ids, kind="judge")
    browser.post(SUBMIT, {"action": "save", f"q{judge.pk}": judge.answer})
    assert testee.deadline_at is not None
    late = testee.deadline_at + attempts.GRACE + dt.timedelta(seconds=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    wrong = "F" if judge.answer == "T" else "T"
    response = browser.post(SUBMIT, {"action": "submit", f"q{judge.pk}": wrong})
    assert "已超过答题时间，本次提交未被接受" in response.content.decode()
    testee.refresh_from_db()
    assert testee.finish == Testee.Finish.TIMEOUT and testee.finished_at == testee.deadline_at
    saved = Answer.objects.get(testee=testee, question=judge)
    assert saved.response == judge.answer and saved.score == judge.points  # the answer saved in time counts
    refused = personas.client(None).post(ENTER, {"code": codes[0]})
    assert "答题时间已结束" in refused.content.decode()


def test_wrong_codes_are_rate_limited_and_say_nothing(personas, ability, sitting, other_plan):
    test, codes = sitting
    browser = personas.client(None)
    for attempt in range(10):
        response = browser.post(ENTER, {"code": f"ZZZZZZ{attempt:02d}"})
        assert response.status_code == 400
        assert "测试码无效或已失效" in response.content.decode()
    response = browser.post(ENTER, {"code": codes[0]})  # even a right code waits now
    assert response.status_code == 429 and "请10分钟后再试" in response.content.decode()
    assert Testee.objects.get(test=test, seq=1).started_at is None
    # a closed sitting's code gets the same message as a code that never existed
    personas.client(personas.office).post(reverse("abilitytests:close", args=[ability.pk, test.pk]))
    from django.core.cache import cache

    cache.clear()
    closed = personas.client(None).post(ENTER, {"code": codes[1]}).content.decode()
    unknown = personas.client(None).post(ENTER, {"code": "ABCDEFGH"}).content.decode()
    assert "测试码无效或已失效" in closed and "测试码无效或已失效" in unknown
    assert personas.client(None).get(PAPER).status_code == 302


def test_oral_scores_and_conversion(personas, ability, dept1_units, leaders_task, scorer):
    test = make_test(personas, ability, dept1_units[1], leaders_task, mode="oral", rules=[("leader", 1, 1), ("member", 2, 2)])
    office = personas.client(personas.office)
    office.post(reverse("abilitytests:draw", args=[ability.pk, test.pk]))
    testees = list(Testee.objects.filter(test=test).order_by("seq"))
    save = reverse("abilitytests:oral_save", args=[ability.pk, test.pk])
    scorer_client = personas.client(scorer)
    html = scorer_client.post(save, {f"score-{testees[0].pk}": "120"}, follow=True).content.decode()
    assert "得分须在 0 到 100 分之间" in html
    scorer_client.post(save, {f"score-{testees[0].pk}": "90", f"score-{testees[1].pk}": "85"})
    record = reverse("abilitytests:record", args=[ability.pk, test.pk])
    assert "还有 1 人未评分" in office.post(record, follow=True).content.decode()
    assert not Evaluation.objects.filter(unit=test.unit, task=leaders_task).exists()
    scorer_client.post(save, {f"score-{testees[2].pk}": "80.5"})
    office.post(record)
    evaluation = Evaluation.objects.get(unit=test.unit, task=leaders_task)
    assert evaluation.score == Decimal("4.26")  # 5 × (0.9 + 0.85 + 0.805) / 3 = 4.2583… → 4.26
    assert evaluation.reason == "能力测试平均得分率 85.17%（3人）"
    event = AuditEvent.objects.filter(action="evaluation.derive").order_by("-seq").first()
    assert event is not None
    assert personas.client(personas.desk).get(reverse("abilitytests:oral", args=[ability.pk, test.pk])).status_code == 403
    assert personas.client(personas.other_office).post(save).status_code == 404


def test_creating_a_test_checks_the_task(personas, ability, dept1_units, leaders_task, staff_task):
    from kaohe.plans.models import Indicator

    county_task = Indicator.objects.filter(plan=ability, category__name="县区政府", level=3).exclude(method="submission").first()
    office = personas.client(personas.office)
    response = office.post(
        reverse("abilitytests:test_new", args=[ability.pk]),
        {
            "unit": dept1_units[0].pk,
            "task": county_task.pk,
            "mode": "oral",
            "leader_min": 1,
            "time_limit_minutes": 20,
            "oral_max_score": 100,
        },
    )
    assert response.status_code == 400 and "与考核对象的类别“部门1”不符" in response.content.decode()
    task = leaders_task
    prefilled = office.get(reverse("abilitytests:test_new", args=[ability.pk]) + f"?task={task.pk}").content.decode()
    assert 'name="leader_min" value="1"' in prefilled and 'name="member_max" value="2"' in prefilled
    staff = staff_task
    prefilled = office.get(reverse("abilitytests:test_new", args=[ability.pk]) + f"?task={staff.pk}").content.decode()
    assert 'name="staff_min" value="10"' in prefilled and 'name="staff_max" value="15"' in prefilled
    assert timezone.now()


def test_background_saves_answer_quietly_and_stop_after_the_time_limit(personas, ability, sitting, monkeypatch):
    """paper.js saves the answers in the background: JSON, no page message; once time is up, 409 and nothing kept."""
    test, codes = sitting
    browser = personas.client(None)
    browser.post(ENTER, {"code": codes[0]})
    testee = Testee.objects.get(test=test, seq=1)
    judge = Question.objects.get(pk__in=Paper.objects.get(test=test).question_ids, kind="judge")
    response = browser.post(SUBMIT, {"action": "save", f"q{judge.pk}": judge.answer}, headers={"X-Kaohe-Autosave": "1"})
    assert response.status_code == 200 and response.json()["saved"] is True
    assert Answer.objects.get(testee=testee, question=judge).response == judge.answer
    assert "答案已保存" not in browser.get(PAPER).content.decode()  # no flash message queued by a background save

    testee.refresh_from_db()
    assert testee.deadline_at is not None
    late = testee.deadline_at + attempts.GRACE + dt.timedelta(seconds=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    wrong = "F" if judge.answer == "T" else "T"
    response = browser.post(SUBMIT, {"action": "save", f"q{judge.pk}": wrong}, headers={"X-Kaohe-Autosave": "1"})
    assert response.status_code == 409
    assert response.json()["saved"] is False and "已超过答题时间" in response.json()["message"]
    assert Answer.objects.get(testee=testee, question=judge).response == judge.answer
