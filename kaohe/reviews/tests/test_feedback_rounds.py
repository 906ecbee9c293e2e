"""Feedback all year, in rounds: drafts, 第N轮 per unit, each acknowledged with its own 复核 window."""

from __future__ import annotations

import io

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.plans.models import PlanUnit
from kaohe.reviews.models import Feedback, ReviewRequest
from kaohe.reviews.selectors import RoundStatus, open_feedback_rounds
from kaohe.reviews.tests.conftest import beijing, set_now


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _problem(personas, plan, unit, text, task=None):
    data = {"unit": unit.pk, "text": text, **({"task": task.pk} if task else {})}
    response = personas.client(personas.office).post(reverse("reviews:problem_add", args=[plan.pk]), data)
    assert response.status_code == 302


def _release_round(personas, plan, *units, follow=False):
    return personas.client(personas.office).post(
        reverse("reviews:release", args=[plan.pk]), {"unit": [u.pk for u in units], "kind": "problems"}, follow=follow
    )


def _acknowledge(personas, plan, feedback, user=None, follow=False):
    data = {"round": feedback.pk} if feedback is not None else {}
    return personas.client(user or personas.unit).post(reverse("reviews:acknowledge", args=[plan.pk]), data, follow=follow)


def _file(personas, plan, task, feedback, reasons="材料已按时报送，请复核"):
    return personas.client(personas.unit).post(
        reverse("reviews:request", args=[plan.pk, task.pk]), {"reasons": reasons, "round": feedback.pk}, follow=True
    )


def _unit_page(personas, plan, user=None) -> str:
    page: str = personas.client(user or personas.unit).get(reverse("reviews:unit", args=[plan.pk])).content.decode()
    return page


def test_two_rounds_each_acknowledged_each_with_its_own_window(personas, plan, wugang, scored, monkeypatch):
    """Round 1 received 2021-04-29 → window ends 2021-05-10; round 2 received 2021-05-07 → 2021-05-13.

    On 2021-05-11 (day 6 of round 1, 劳动节 1–5 May and the worked Saturday 8 May counted) a request on
    round 1 is refused while round 2's window is still open.
    """
    first, second, _ = scored
    set_now(monkeypatch, beijing(2021, 4, 28))
    _problem(personas, plan, wugang, "规范性文件备案审查不及时", first)
    assert _release_round(personas, plan, wugang).status_code == 302
    round1 = Feedback.objects.get(unit=wugang, number=1)
    assert round1.kind == Feedback.Kind.PROBLEMS and round1.round_label == "第1轮问题反馈"
    assert [row["code"] for row in round1.scores] == [first.code]  # only the task the problem concerns
    assert round1.deductions == []
    assert Notification.objects.filter(user=personas.unit, title__contains="第1轮问题反馈").exists()
    assert AuditEvent.objects.filter(action="feedback.release", object_id=str(round1.pk)).exists()

    set_now(monkeypatch, beijing(2021, 4, 29, 15))
    assert _acknowledge(personas, plan, round1).status_code == 302
    round1.refresh_from_db()
    assert round1.acknowledged_by == personas.unit
    assert AuditEvent.objects.filter(action="feedback.acknowledge", object_id=str(round1.pk)).exists()

    # A problem found later is a draft for round 2 until released.
    set_now(monkeypatch, beijing(2021, 5, 6))
    _problem(personas, plan, wugang, "年度报告未按要求公开", second)
    assert "年度报告未按要求公开" not in _unit_page(personas, plan)
    assert _release_round(personas, plan, wugang).status_code == 302
    round2 = Feedback.objects.get(unit=wugang, number=2)
    assert [row["code"] for row in round2.scores] == [second.code]
    assert Notification.objects.filter(user=personas.unit, title__contains="第2轮问题反馈").exists()

    set_now(monkeypatch, beijing(2021, 5, 7))
    assert _acknowledge(personas, plan, round2).status_code == 302
    body = _unit_page(personas, plan)
    assert body.index("第2轮问题反馈") < body.index("第1轮问题反馈")  # newest first
    assert "复核申请截止：2021-05-10" in body and "复核申请截止：2021-05-13" in body
    assert body.count('data-testid="request-form"') == 2  # one deducted task in each round

    set_now(monkeypatch, beijing(2021, 5, 11, 9))  # day 6 of round 1, day 2 of round 2
    response = _file(personas, plan, first, round1)
    assert "第1轮问题反馈的复核申请期限已过" in _messages(response) and "2021-05-10" in _messages(response)
    assert not ReviewRequest.objects.filter(task=first).exists()
    # A task the round does not concern cannot be disputed in it.
    assert "第2轮问题反馈未涉及" in _messages(_file(personas, plan, first, round2))
    assert "已提交" in _messages(_file(personas, plan, second, round2))
    review = ReviewRequest.objects.get(task=second)
    assert review.feedback == round2

    body = _unit_page(personas, plan)
    assert body.count('data-testid="request-form"') == 0
    statuses = [s.split(">")[1].split("<")[0] for s in body.split('data-testid="round-status"')[1:]]
    assert statuses == [RoundStatus.IN_WINDOW, RoundStatus.CLOSED]  # round 2, round 1

    # The office sees both rounds of the unit with their status; nothing awaits acknowledgement.
    office_body = personas.client(personas.office).get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert office_body.count('data-testid="unit-round"') == 2
    assert 'data-testid="pending-row"' not in office_body


def test_drafts_are_invisible_and_acknowledgement_is_per_round(personas, plan, wugang, scored, monkeypatch):
    first, second, _ = scored
    _problem(personas, plan, wugang, "执法公示信息不全", first)
    body = _unit_page(personas, plan)
    assert "执法公示信息不全" not in body and "考核办尚未反馈" in body
    # Nothing released: nothing to acknowledge, and the letter does not exist.
    assert "考核办尚未反馈" in _messages(_acknowledge(personas, plan, None, follow=True))
    draft = Feedback.objects.get(unit=wugang)
    assert _acknowledge(personas, plan, draft).status_code == 404  # a draft is no round
    letter = reverse("reviews:letter", args=[plan.pk, wugang.pk])
    assert personas.client(personas.unit).get(f"{letter}?round={draft.pk}").status_code == 404

    _release_round(personas, plan, wugang)
    _problem(personas, plan, wugang, "复议决定未履行", second)
    _release_round(personas, plan, wugang)
    round1, round2 = Feedback.objects.filter(unit=wugang).order_by("number")
    office = personas.client(personas.office).get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert office.count('data-testid="pending-row"') == 2  # both rounds await acknowledgement

    # Two rounds await: an acknowledgement must say which.
    response = _acknowledge(personas, plan, None, follow=True)
    assert "请选择要确认收到的反馈轮次" in _messages(response)
    assert not Feedback.objects.filter(unit=wugang, acknowledged_at__isnull=False).exists()
    set_now(monkeypatch, beijing(2021, 4, 29))
    _acknowledge(personas, plan, round2)
    round1.refresh_from_db()
    round2.refresh_from_db()
    assert round1.acknowledged_at is None and round2.acknowledged_at is not None
    assert "已确认收到第2轮问题反馈" in _messages(_acknowledge(personas, plan, round2, follow=True))

    # The letter names its round; round 1's letter holds round 1's problem only.
    import docx

    response = personas.client(personas.unit).get(f"{letter}?round={round1.pk}")
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "第1轮问题反馈" in text and "执法公示信息不全" in text and "复议决定未履行" not in text


def test_other_units_rounds_do_not_exist_for_a_unit(personas, plan, wugang, scored):
    sfj = PlanUnit.objects.get(plan=plan, organisation__name="市司法局")
    _problem(personas, plan, sfj, "行政执法案卷不规范")
    _release_round(personas, plan, sfj)
    theirs = Feedback.objects.get(unit=sfj)
    _problem(personas, plan, wugang, "台账不完整", scored[0])
    _release_round(personas, plan, wugang)

    # 舞钢 cannot acknowledge, file on, or read 市司法局's round.
    assert _acknowledge(personas, plan, theirs).status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None
    url = reverse("reviews:request", args=[plan.pk, scored[0].pk])
    assert personas.client(personas.unit).post(url, {"reasons": "x", "round": theirs.pk}).status_code == 404
    letter = reverse("reviews:letter", args=[plan.pk, wugang.pk])
    assert personas.client(personas.unit).get(f"{letter}?round={theirs.pk}").status_code == 404
    assert personas.client(personas.unit).get(f"{letter}?round=abc").status_code == 404
    assert personas.client(personas.unit).get(letter).status_code == 200  # without a round: the newest
    assert "行政执法案卷不规范" not in _unit_page(personas, plan)
    # Desks, viewers and the other unit may neither record nor release.
    for user in (personas.desk, personas.viewer, personas.unit2):
        client = personas.client(user)
        add = client.post(reverse("reviews:problem_add", args=[plan.pk]), {"unit": wugang.pk, "text": "x"})
        release = client.post(reverse("reviews:release", args=[plan.pk]), {"unit": wugang.pk, "kind": "problems"})
        assert (add.status_code, release.status_code) == (403, 403), user
    assert Feedback.objects.filter(unit=wugang).count() == 1


def test_release_to_several_units_at_once_and_bad_input(personas, plan, wugang, scored):
    sfj = PlanUnit.objects.get(plan=plan, organisation__name="市司法局")
    others = list(PlanUnit.objects.filter(plan=plan).exclude(pk__in=[wugang.pk, sfj.pk])[:1])
    _problem(personas, plan, wugang, "台账不完整", scored[0])
    _problem(personas, plan, sfj, "行政执法案卷不规范")
    office = personas.client(personas.office)
    url = reverse("reviews:release", args=[plan.pk])

    # Bad input: an unknown kind, a unit of no plan of ours; nothing released.
    assert "请选择反馈类型" in _messages(office.post(url, {"unit": wugang.pk, "kind": "bogus"}, follow=True))
    assert "所选考核对象不属于本方案" in _messages(office.post(url, {"unit": 999999, "kind": "problems"}, follow=True))
    # A unit without recorded problems has no round to release.
    response = _release_round(personas, plan, *others, follow=True)
    assert "没有待反馈的问题" in _messages(response)
    assert not Feedback.objects.filter(released_at__isnull=False).exists()

    # Several at once: each unit with problems gets its round 1; the unit without is skipped.
    response = _release_round(personas, plan, wugang, sfj, *others, follow=True)
    assert "已向 2 个考核对象发布问题反馈" in _messages(response)
    assert set(Feedback.objects.filter(released_at__isnull=False).values_list("unit_id", "number")) == {
        (wugang.pk, 1),
        (sfj.pk, 1),
    }
    assert Notification.objects.filter(user=personas.unit2, title__contains="第1轮问题反馈").exists()

    # The final 考核情况反馈 after the rounds is round 2, with the whole snapshot, once.
    response = office.post(url, {"unit": wugang.pk, "kind": "final"}, follow=True)
    final = Feedback.objects.get(unit=wugang, kind=Feedback.Kind.FINAL)
    assert final.number == 2 and len(final.scores) > 1
    assert "均已反馈考核情况" in _messages(office.post(url, {"unit": wugang.pk, "kind": "final"}, follow=True))


def test_open_feedback_rounds_block_until_acknowledged_and_the_window_ends(personas, plan, wugang, scored, monkeypatch):
    first = scored[0]
    set_now(monkeypatch, beijing(2021, 4, 28))
    _problem(personas, plan, wugang, "台账不完整", first)
    assert open_feedback_rounds(plan) == []  # a draft is no round
    _release_round(personas, plan, wugang)
    round1 = Feedback.objects.get(unit=wugang, number=1)
    [state] = open_feedback_rounds(plan)
    assert state.feedback == round1 and state.status == RoundStatus.PENDING

    set_now(monkeypatch, beijing(2021, 4, 29, 15))
    _acknowledge(personas, plan, round1)
    set_now(monkeypatch, beijing(2021, 5, 10, 17))  # last day of the window
    [state] = open_feedback_rounds(plan)
    assert state.status == RoundStatus.IN_WINDOW
    assert "已提交" in _messages(_file(personas, plan, first, round1))
    set_now(monkeypatch, beijing(2021, 5, 11, 9))  # window over, but the request awaits its answer
    [state] = open_feedback_rounds(plan)
    assert state.status == RoundStatus.IN_WINDOW
    review = ReviewRequest.objects.get(task=first)
    office = personas.client(personas.office)
    office.post(reverse("reviews:decide", args=[plan.pk, review.pk]), {"decision": "upheld", "answer": "维持"})
    assert open_feedback_rounds(plan) == []

    # A round with no deducted task has nothing to review: closed once acknowledged.
    _problem(personas, plan, wugang, "宣传不到位")
    _release_round(personas, plan, wugang)
    round2 = Feedback.objects.get(unit=wugang, number=2)
    assert [s.feedback for s in open_feedback_rounds(plan)] == [round2]
    _acknowledge(personas, plan, round2)
    assert open_feedback_rounds(plan) == []


def test_data_migration_makes_the_single_release_round_one_final(personas, plan, wugang, scored):
    """0004 turns each unit's one release into its round 1, the final feedback; a draft stays a draft.

    (A full backwards/forwards run of 0003–0005 over a copy of the demo database was checked by hand; the
    test database is SQLite inside a transaction, where the executor cannot rebuild tables.)
    """
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module("kaohe.reviews.migrations.0004_feedback_release_becomes_round_one")
    sfj = PlanUnit.objects.get(plan=plan, organisation__name="市司法局")
    released = Feedback.objects.create(plan=plan, unit=wugang, released_by=personas.office, released_at=timezone.now())
    draft = Feedback.objects.create(plan=plan, unit=sfj)
    assert released.kind == Feedback.Kind.PROBLEMS  # the field's default, as 0003 adds it to old rows

    migration.number_released(apps, None)
    released.refresh_from_db()
    draft.refresh_from_db()
    assert (released.number, released.kind) == (1, Feedback.Kind.FINAL)
    assert released.round_label == "第1轮考核情况反馈"
    assert (draft.number, draft.released_at) == (None, None)


def test_unit_page_query_count_does_not_grow_with_rounds(personas, plan, wugang, scored, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_now(monkeypatch, beijing(2021, 4, 28))
    unit = personas.client(personas.unit)
    url = reverse("reviews:unit", args=[plan.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert unit.get(url).status_code == 200
        return len(ctx.captured_queries)

    _problem(personas, plan, wugang, "台账不完整", scored[0])
    _release_round(personas, plan, wugang)
    few = count()
    for text, task in (("公示不及时", scored[1]), ("培训记录缺失", scored[2])):
        _problem(personas, plan, wugang, text, task)
        _release_round(personas, plan, wugang)
    _acknowledge(personas, plan, Feedback.objects.get(unit=wugang, number=2))
    assert Feedback.objects.filter(unit=wugang, released_at__isnull=False).count() == 3
    assert count() == few


def test_office_records_an_unacknowledged_round_as_delivered_after_five_working_days(personas, plan, wugang, scored, monkeypatch):
    """视为送达: a unit that never acknowledges cannot hold publication forever; the office records the delivery with a
    reason once 5 working days have passed, the 复核 window starts then, and the unit is told."""
    import datetime as dt

    from kaohe.core.calendar import Calendar

    first = scored[0]
    set_now(monkeypatch, beijing(2021, 4, 28))
    _problem(personas, plan, wugang, "台账不完整", first)
    _release_round(personas, plan, wugang)
    round1 = Feedback.objects.get(unit=wugang, number=1)
    url = reverse("reviews:deem", args=[plan.pk, round1.pk])
    earliest = Calendar.from_database().add_working_days(dt.date(2021, 4, 28), 5)

    set_now(monkeypatch, beijing(earliest.year, earliest.month, earliest.day, 16))
    office = personas.client(personas.office)  # logged in at the moved clock (sessions expire when idle)
    response = office.post(url, {"reason": "已电话通知"}, follow=True)
    assert f"须等待考核对象签收至 {earliest:%Y-%m-%d}" in _messages(response)
    set_now(monkeypatch, beijing(earliest.year, earliest.month, earliest.day + 1, 9))
    office = personas.client(personas.office)
    assert "请写明视为送达的理由" in _messages(office.post(url, {"reason": "  "}, follow=True))
    round1.refresh_from_db()
    assert round1.acknowledged_at is None

    # Wrong people: a desk is refused, another city's office does not see the plan, an unknown round does not exist.
    assert personas.client(personas.desk).post(url, {"reason": "x"}).status_code == 403
    assert personas.client(personas.unit).post(url, {"reason": "x"}).status_code == 403
    assert personas.client(personas.other_office).post(url, {"reason": "x"}).status_code == 404
    assert office.post(reverse("reviews:deem", args=[plan.pk, 999999]), {"reason": "x"}).status_code == 404
    round1.refresh_from_db()
    assert round1.acknowledged_at is None

    response = office.post(url, {"reason": "5月6日已电话通知该单位联系人，逾期未签收"}, follow=True)
    assert "已视为送达" in _messages(response)
    round1.refresh_from_db()
    assert round1.acknowledged_at is not None and round1.acknowledged_by == personas.office
    assert round1.deemed_reason == "5月6日已电话通知该单位联系人，逾期未签收"
    event = AuditEvent.objects.get(action="feedback.deem_delivered")
    assert event.after["reason"] == round1.deemed_reason
    notice = Notification.objects.filter(user=personas.unit, title__contains="视为送达").get()
    assert "复核申请期限自即日起计算" in notice.body
    assert "考核办于" in _unit_page(personas, plan) and "视为送达" in _unit_page(personas, plan)
    # The round now has its 复核 window like an acknowledged one (it has a deducted task).
    [state] = open_feedback_rounds(plan)
    assert state.status == RoundStatus.IN_WINDOW
    # Once delivered, never twice.
    assert "已签收" in _messages(office.post(url, {"reason": "再记一次"}, follow=True))
    assert AuditEvent.objects.filter(action="feedback.deem_delivered").count() == 1
