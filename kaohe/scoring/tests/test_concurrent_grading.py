"""Two people (two connections, as two app processes would have) grading the same cell at once lose no update."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.scoring import services
from kaohe.scoring.models import Evaluation, EvaluationChange

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_first_saves_one_wins_the_other_is_told(transactional_db):
    from kaohe.accounts.models import User
    from kaohe.organisations.models import Membership
    from kaohe.organisations.roles import Role
    from tests.city import build_city

    plan = build_city().plan  # a transactional test: the session's city may have been flushed by an earlier one
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    task = Indicator.objects.filter(
        plan=plan,
        category=unit.category,
        level=Level.TASK,
        method=Method.DAILY,
        assessor__organisation__name="市司法局依法行政指导科",
    ).first()
    first = User.objects.get(username="desk_yfxz")
    second = User.objects.create_user("desk_yfxz_b", password="x")
    Membership.objects.create(user=second, organisation=task.assessor.organisation, role=Role.DESK)

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def grade(user, score):
        try:
            barrier.wait()
            services.evaluation_record(
                actor=user, plan=plan, unit=unit, task=task, score=score, reason="理由" + score, expected_version=0
            )
            outcomes[user.username] = "saved"
        except services.StaleEvaluation:
            outcomes[user.username] = "stale"
        finally:
            connection.close()

    threads = [threading.Thread(target=grade, args=(first, "0.2")), threading.Thread(target=grade, args=(second, "0.4"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["saved", "stale"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    evaluation = Evaluation.objects.get(unit=unit, task=task)
    assert evaluation.evaluated_by.username == winner
    assert evaluation.version == 1
    assert EvaluationChange.objects.filter(evaluation=evaluation).count() == 1


def test_a_grade_racing_the_publication_of_results_is_refused(transactional_db):
    """The publication locks the plan row; a grade saved at that moment waits for it, then sees 结果已公布.

    (On SQLite writers are serialised by the database; on PostgreSQL the grade holds FOR SHARE on the plan.)
    """
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from kaohe.accounts.models import User
    from kaohe.plans.models import Plan
    from tests.city import build_city

    plan = build_city().plan
    unit = PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府")
    task = Indicator.objects.filter(
        plan=plan,
        category=unit.category,
        level=Level.TASK,
        method=Method.DAILY,
        assessor__organisation__name="市司法局依法行政指导科",
    ).first()
    desk = User.objects.get(username="desk_yfxz")
    stale_plan = Plan.objects.get(pk=plan.pk)  # loaded before the publication, as a request would have
    locked = threading.Event()
    outcome: dict[str, str] = {}

    def publish() -> None:
        try:
            with transaction.atomic():
                Plan.objects.select_for_update().filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
                locked.set()
                threading.Event().wait(0.5)  # the grade arrives while the publication holds the row
        finally:
            connection.close()

    def grade() -> None:
        locked.wait()
        try:
            services.evaluation_record(
                actor=desk, plan=stale_plan, unit=unit, task=task, score="0.1", reason="迟到的评分", expected_version=0
            )
            outcome["grade"] = "saved"
        except PermissionDenied as exc:
            outcome["grade"] = str(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish), threading.Thread(target=grade)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "考核结果已公布" in outcome["grade"]
    assert not Evaluation.objects.filter(unit=unit, task=task).exists()
