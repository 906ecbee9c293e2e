"""The unit's 反馈与复核 page shows the total, which tasks count 0 and why, and offers 复核 on every task that
lost points, including those not evaluated (counted 0 by the office's decision)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.urls import reverse

from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator
from kaohe.reviews.models import Feedback, ReviewRequest
from kaohe.reviews.services import review_decide
from kaohe.reviews.tests.conftest import beijing, set_now
from kaohe.scoring.models import Evaluation, EvaluationChange
from kaohe.scoring.services import not_applicable_set


def _final_round(personas, plan, unit, monkeypatch):
    office = personas.client(personas.office)
    assert office.post(reverse("reviews:release", args=[plan.pk]), {"unit": unit.pk}).status_code == 302
    set_now(monkeypatch, beijing(2021, 4, 29))
    unit_client = personas.client(personas.unit)
    assert unit_client.post(reverse("reviews:acknowledge", args=[plan.pk])).status_code == 302
    return Feedback.objects.get(unit=unit)


def _row_of(page: str, code: str) -> str:
    rows: list[str] = re.findall(r'<tr data-testid="score-row">.*?</tr>', page, re.S)
    return next(r for r in rows if f'<span class="text-secondary">{code}</span>' in r)


def test_total_zeros_and_review_of_unevaluated_tasks(personas, plan, wugang, scored, monkeypatch):
    third = scored[2]
    tasks = list(Indicator.objects.filter(plan=plan, category=wugang.category, level=Level.TASK).order_by("order"))
    excluded = next(t for t in tasks if t not in scored and t.points)
    not_applicable_set(actor=personas.office, plan=plan, unit=wugang, task=excluded, reason="本年度未发生该类事项")
    feedback = _final_round(personas, plan, wugang, monkeypatch)
    set_now(monkeypatch, beijing(2021, 4, 30))
    page = personas.client(personas.unit).get(reverse("reviews:unit", args=[plan.pk])).content.decode()

    # The total over the round's tasks, the count of unevaluated ones, and the 不涉及 task with its reason.
    counted = [r for r in feedback.scores if r["points"] is not None]
    possible = sum(Decimal(r["points"]) for r in counted)
    earned = sum(Decimal(r["score"]) for r in counted if r["score"] is not None)
    unevaluated = sum(1 for r in counted if r["score"] is None and Decimal(r["points"]))
    total = re.search(r'<tr data-testid="score-total">.*?</tr>', page, re.S).group(0)
    assert f"未评价 {unevaluated} 项" in total and "考核办决定按0分计时计0分" in total
    plain = re.sub(r"<[^>]+>", " ", total)
    assert f"{possible.normalize():f}" in plain.split() and f"{earned.normalize():f}" in plain.split()
    assert 'data-testid="not-applicable"' in page and "本年度未发生该类事项" in page
    assert excluded.code not in [r["code"] for r in feedback.scores]

    # An unevaluated task says why it counts 0 and may be reviewed; a task at full marks may not. (A 报送资料 task:
    # the office's 调整 below gives it a grade.)
    missing = next(t for t in tasks if t not in scored and t != excluded and t.points and t.method == Method.SUBMISSION)
    row = _row_of(page, missing.code)
    assert "未评价" in row and 'data-testid="request-form"' in row
    assert 'data-testid="request-form"' not in _row_of(page, third.code)

    response = personas.client(personas.unit).post(
        reverse("reviews:request", args=[plan.pk, missing.pk]), {"reasons": "该项资料已报送，请评价", "round": feedback.pk}
    )
    assert response.status_code == 302
    review = ReviewRequest.objects.get(task=missing)
    assert review.filed_score == 0 and review.filed_grade == "" and "未评价" in review.filed_reason

    # 调整 gives the task its first evaluation, through the history.
    set_now(monkeypatch, beijing(2021, 5, 6))
    review_decide(actor=personas.office, plan=plan, review=review, decision="changed", answer="经核实，评为良", grade="good")
    evaluation = Evaluation.objects.get(unit=wugang, task=missing)
    assert evaluation.grade == "good" and evaluation.version == 1
    change = EvaluationChange.objects.get(evaluation=evaluation)
    assert change.old_score is None and change.source == EvaluationChange.Source.REVIEW


def test_another_unit_cannot_review_this_units_unevaluated_task(personas, plan, wugang, scored, monkeypatch):
    feedback = _final_round(personas, plan, wugang, monkeypatch)
    set_now(monkeypatch, beijing(2021, 4, 30))
    missing = next(
        t
        for t in Indicator.objects.filter(plan=plan, category=wugang.category, level=Level.TASK).order_by("order")
        if t not in scored and t.points
    )
    url = reverse("reviews:request", args=[plan.pk, missing.pk])
    assert personas.client(personas.unit2).post(url, {"reasons": "x", "round": feedback.pk}).status_code == 404
    assert personas.client(personas.desk).post(url, {"reasons": "x", "round": feedback.pk}).status_code == 403
    assert not ReviewRequest.objects.exists()


def test_score_row_says_why_a_task_counts_zero() -> None:
    from kaohe.reviews.selectors import ScoreRow

    unevaluated = {"points": "2.00", "score": None, "deducted": False}
    assert ScoreRow(unevaluated, missing_zero=True).counted == 0
    assert "按0分计" in ScoreRow(unevaluated, missing_zero=True).note
    assert ScoreRow(unevaluated, missing_zero=False).counted is None
    assert "暂不计分" in ScoreRow(unevaluated, missing_zero=False).note
    assert ScoreRow(unevaluated).lost_points and "未评价" in ScoreRow(unevaluated).note
    zero = {"points": "2.00", "score": "0.00", "deducted": True}
    assert ScoreRow(zero).note == "计0分" and ScoreRow(zero).lost_points
    full = {"points": "2.00", "score": "2.00", "deducted": False}
    assert not ScoreRow(full).lost_points and ScoreRow(full).note == ""
    no_points = {"points": None, "score": None, "deducted": False}
    assert not ScoreRow(no_points).lost_points
