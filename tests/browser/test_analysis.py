"""In Chromium: the office opens 考核分析 and every chart is drawn, with no CSP or script error in the console.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

REASONS = ("制度不健全", "材料不全", "未按时报送", "学法记录不全")


@pytest.fixture
def analysed(demo_plan):
    """The demo plan with every task of every unit graded (varied, deterministic scores), computed once, and a
    previous-year plan of the same office with a snapshot, so that every section of the page has figures."""
    from kaohe.accounts.models import User
    from kaohe.plans import services as plan_services
    from kaohe.plans.constants import Adjustment, Level
    from kaohe.plans.models import Category, Indicator, PlanUnit
    from kaohe.results import services
    from kaohe.results.models import ResultSnapshot
    from kaohe.scoring.models import Evaluation

    plan = demo_plan
    office = User.objects.get(username="office")
    tasks = list(Indicator.objects.filter(plan=plan, level=Level.TASK, points__gt=0, adjustment=Adjustment.NONE))
    rows = []
    for unit in PlanUnit.objects.filter(plan=plan):
        for task in (t for t in tasks if t.category_id == unit.category_id):
            share = (Decimal(100), Decimal(80), Decimal(60), Decimal(100), Decimal(90), Decimal(0))[(unit.pk * 7 + task.pk) % 6]
            points = task.points or Decimal(0)
            score = (points * share / 100).quantize(Decimal("0.01"))
            reason = "" if score == points else REASONS[(unit.pk + task.pk) % len(REASONS)]
            rows.append(
                Evaluation(
                    plan=plan,
                    unit=unit,
                    task=task,
                    score=score,
                    reason=reason,
                    desk=task.assessor,
                    evaluated_by=office,
                    evaluated_at=dt.datetime(2020, 12, 20, tzinfo=dt.UTC),
                )
            )
    Evaluation.objects.bulk_create(rows)
    snapshot = services.results_compute(actor=office, plan=plan, missing_policy="zero", decision_note="考核办会议决定")
    previous = plan_services.plan_create(
        actor=office,
        organiser=plan.organiser,
        year=2019,
        title="平顶山市2019年度依法行政考核",
        period_start=dt.date(2019, 1, 1),
        period_end=dt.date(2019, 12, 31),
    )
    category = Category.objects.create(plan=previous, name="县区政府", full_score=Decimal(100))
    level1 = {}
    for index, source in enumerate(Indicator.objects.filter(plan=plan, category__name="县区政府", level=Level.LEVEL1)):
        copy = Indicator.objects.create(
            plan=previous, category=category, level=Level.LEVEL1, code=source.code, order=index, name=source.name
        )
        points = source.points or Decimal(0)
        level1[str(copy.pk)] = [f"{points * (60 + 10 * (index % 4)) / 100:.2f}", f"{points:.2f}", None]
    data = ResultSnapshot.objects.get(pk=snapshot.pk).data
    units = {}
    for key, unit in next(c for c in data["categories"].values() if c["meta"]["name"] == "县区政府")["units"].items():
        raw = Decimal(unit["raw"]) - 3 + unit["unit_id"] % 7
        units[key] = {**unit, "raw": f"{raw:.2f}", "final": f"{raw:.2f}"}
    ResultSnapshot.objects.create(
        plan=previous,
        seq=1,
        computed_by=office,
        computed_at=dt.datetime(2020, 1, 10, tzinfo=dt.UTC),
        missing_policy="report",
        inputs_digest="0" * 64,
        data={
            "order": ["c1"],
            "categories": {
                "c1": {
                    "meta": {"name": "县区政府", "level1": level1, "ranked": [u["unit_id"] for u in units.values()]},
                    "units": units,
                }
            },
        },
    )
    return plan


def test_office_sees_the_charts_drawn(page, live_server, analysed):
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{analysed.pk}/analysis/")
    charts = page.locator(".kaohe-chart")
    page.wait_for_selector("[data-chart='chart-year-units'][data-drawn=true]")
    assert charts.count() == page.locator(".kaohe-chart[data-drawn=true]").count() > 10
    assert page.locator("[data-chart='chart-level1'] canvas").count() == 1
    assert "第1次计算" in page.inner_text("[data-testid=source-line]")
    shot(page, "60-analysis")
    assert page.console_errors == []
