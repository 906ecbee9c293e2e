"""Closing the cycle as recorded (issue 12, item 7): the office's decision on missing evaluations holds to
publication; consultation and 审定 refuse a stale snapshot at once, saying what changed; apps add blockers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from kaohe.plans.models import Plan, PlanUnit
from kaohe.results import blockers, services
from kaohe.results.models import ReleaseApproval, ReleaseStatus, ResultPublication, ResultRelease
from kaohe.results.tests import test_release
from kaohe.results.tests.conftest import tasks_of, unit_named
from kaohe.scoring import services_adjustments
from kaohe.scoring.models import Evaluation, NotApplicable

APPROVER = test_release.APPROVER
all_graded = test_release.all_graded  # the fixture: every unit graded, no ties
NOTE = "考核办2021年1月25日主任办公会议决定：逾期未评价的任务按0分计（会议纪要第3号）"


def _url(name: str, plan: Plan) -> str:
    return reverse(f"results:{name}", args=[plan.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _start(plan, office, snapshot):
    return services.release_start(
        actor=office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=5)
    )


def test_the_recorded_zero_decision_carries_to_publication(personas, plan, graded_dept1):
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note=NOTE)
    assert snapshot.complete and snapshot.missing_count
    client = personas.client(personas.office)
    start = {"snapshot": snapshot.pk, "consult_until": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}
    assert client.post(_url("release_start", plan), start).status_code == 302
    page = client.get(_url("release", plan)).content.decode()
    assert 'data-testid="release-decision"' in page and NOTE in page
    assert f"缺少的 {snapshot.missing_count} 项评价按0分计" in page
    release = ResultRelease.objects.get(plan=plan, is_current=True)
    services.consultation_close(actor=personas.office, plan=plan, release=release)
    services.release_approve(
        actor=personas.office, plan=plan, release=release, approved_by=APPROVER, approved_on=timezone.localdate()
    )
    assert services.publication_problems(plan, ResultRelease.objects.get(pk=release.pk)) == []
    assert client.post(_url("publish", plan)).status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.RESULTS_PUBLISHED
    assert ResultPublication.objects.get(plan=plan).snapshot_id == snapshot.pk


def test_without_the_decision_missing_evaluations_block_and_the_units_are_listed(personas, plan, graded_dept1):
    incomplete = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    assert not incomplete.complete
    with pytest.raises(ValidationError) as refused:
        _start(plan, personas.office, incomplete)
    message = refused.value.messages[0]
    assert message.startswith(f"第{incomplete.seq}次计算的评价未齐（")
    ungraded = PlanUnit.objects.filter(plan=plan).exclude(pk__in=[u.pk for u in graded_dept1])
    first = ungraded.order_by("category__order", "organisation__sort_key", "pk").first()
    assert first is not None
    assert f"{first.organisation.name} {len(incomplete.data['missing'][str(first.pk)])} 项" in message
    assert "市委网信办" not in message  # graded in full
    assert "记录决定将缺少的评价按0分计" in message
    assert not ResultRelease.objects.filter(plan=plan).exists()


def test_consultation_refuses_a_stale_snapshot_at_once_saying_what_changed(personas, all_graded):
    plan = all_graded
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    wugang = unit_named(plan, "舞钢市人民政府")
    tasks = tasks_of(wugang)
    Evaluation.objects.filter(unit=wugang, task__in=tasks[:3]).update(score=Decimal("0.50"), version=F("version") + 1)
    NotApplicable.objects.create(plan=plan, unit=wugang, task=tasks[5], reason="本地无此项工作", decided_by=personas.office)
    with pytest.raises(ValidationError) as refused:
        _start(plan, personas.office, snapshot)
    assert refused.value.messages == [
        f"第{snapshot.seq}次计算之后有 3 项评价被修改、不涉及认定有 1 项变化（输入摘要不一致），请重新计算后再发起征求意见"
    ]
    response = personas.client(personas.office).post(
        _url("release_start", plan),
        {"snapshot": snapshot.pk, "consult_until": (timezone.localdate() + dt.timedelta(days=5)).isoformat()},
    )
    assert refused.value.messages[0] in _messages(response)
    assert not ResultRelease.objects.filter(plan=plan).exists()
    # Recomputed, the new snapshot goes out.
    fresh = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    assert _start(plan, personas.office, fresh).status == ReleaseStatus.CONSULTING


def test_approval_refuses_a_stale_snapshot_at_once_saying_what_changed(personas, all_graded):
    plan = all_graded
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    release = _start(plan, personas.office, snapshot)
    services.consultation_close(actor=personas.office, plan=plan, release=release)
    wugang = unit_named(plan, "舞钢市人民政府")
    Evaluation.objects.filter(unit=wugang, task=tasks_of(wugang)[0]).update(score=Decimal("0.50"), version=F("version") + 1)
    services_adjustments.bonus_office_record(actor=personas.office, plan=plan, unit=wugang, kind="award", matter="省级表彰")
    with pytest.raises(ValidationError) as refused:
        services.release_approve(
            actor=personas.office, plan=plan, release=release, approved_by=APPROVER, approved_on=timezone.localdate()
        )
    expected = (
        f"第{snapshot.seq}次计算之后有 1 项评价被修改、已认定加分有 1 项变化（输入摘要不一致），"
        "请重新计算后重新发起征求意见，再记录审定"
    )
    assert refused.value.messages == [expected]
    response = personas.client(personas.office).post(
        reverse("results:approve", args=[plan.pk]), {"approved_by": APPROVER, "approved_on": timezone.localdate().isoformat()}
    )
    assert expected in _messages(response)
    assert not ReleaseApproval.objects.filter(release=release).exists()
    assert ResultRelease.objects.get(pk=release.pk).status == ReleaseStatus.CLOSED


def test_apps_register_publication_blockers(personas, all_graded):
    plan = all_graded
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    release = _start(plan, personas.office, snapshot)
    services.consultation_close(actor=personas.office, plan=plan, release=release)
    services.release_approve(
        actor=personas.office, plan=plan, release=release, approved_by=APPROVER, approved_on=timezone.localdate()
    )

    def open_rounds(p: Plan) -> list[str]:
        return [f"尚有 1 轮问题反馈未确认：{p.title}"]

    blockers.register_publication_blocker(open_rounds)
    blockers.register_publication_blocker(open_rounds)  # once only
    try:
        release = ResultRelease.objects.get(pk=release.pk)
        assert services.publication_problems(plan, release) == [f"尚有 1 轮问题反馈未确认：{plan.title}"]
        with pytest.raises(ValidationError):
            services.release_publish(actor=personas.office, plan=plan, release=release)
    finally:
        blockers._BLOCKERS.remove(open_rounds)
    assert services.publication_problems(plan, release) == []


def test_an_open_feedback_round_blocks_publication_until_its_review_window_has_ended(personas, all_graded):
    """A unit's 复核 right runs 5 working days from receipt: publishing inside that window would take it away."""
    from kaohe.reviews import services as reviews
    from kaohe.reviews.models import Feedback

    plan = all_graded
    wugang = unit_named(plan, "舞钢市人民政府")
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    release = _start(plan, personas.office, snapshot)
    services.consultation_close(actor=personas.office, plan=plan, release=release)
    services.release_approve(
        actor=personas.office, plan=plan, release=release, approved_by=APPROVER, approved_on=timezone.localdate()
    )
    release = ResultRelease.objects.get(pk=release.pk)
    assert services.publication_problems(plan, release) == []

    (feedback,) = reviews.feedback_release(actor=personas.office, plan=plan, units=[wugang])
    (reason,) = services.publication_problems(plan, release)
    assert reason.startswith("尚有 1 轮问题反馈未结束") and "舞钢市人民政府（第1轮，待签收）" in reason
    with pytest.raises(ValidationError):
        services.release_publish(actor=personas.office, plan=plan, release=release)

    reviews.feedback_acknowledge(actor=personas.unit, plan=plan, feedback=feedback)
    (still,) = services.publication_problems(plan, release)
    assert "舞钢市人民政府（第1轮，复核期内，复核期至" in still
    # Received a month ago: the window is over, nothing is open, publication goes through.
    Feedback.objects.filter(pk=feedback.pk).update(acknowledged_at=timezone.now() - dt.timedelta(days=30))
    assert services.publication_problems(plan, release) == []
    services.release_publish(actor=personas.office, plan=plan, release=release)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.RESULTS_PUBLISHED
