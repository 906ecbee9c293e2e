"""In Chromium: the office reviews the release page (comments, 审定, checks, lists) and publishes; a unit then
opens its own published result.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_publishes_and_a_unit_reads_its_result(page, new_page, live_server, demo_plan):
    from django.utils import timezone

    from kaohe.accounts.models import User
    from kaohe.organisations.models import Organisation
    from kaohe.plans.models import Plan, PlanUnit
    from kaohe.results import services
    from kaohe.results.models import ResultReceipt
    from kaohe.results.tests.conftest import grade, tasks_of

    office, desk = User.objects.get(username="office"), User.objects.get(username="desk_yfxz")
    position: dict[int, int] = {}
    for unit in PlanUnit.objects.filter(plan=demo_plan).select_related("category").order_by("pk"):
        k = position[unit.category_id] = position.get(unit.category_id, -1) + 1
        biggest = max(tasks_of(unit), key=lambda t: t.points or 0)
        grade(demo_plan, unit, office, scores={biggest.code: (biggest.points or Decimal(0)) - Decimal(k) * Decimal("0.05")})
    snapshot = services.results_compute(actor=office, plan=demo_plan, missing_policy="report")
    release = services.release_start(
        actor=office, plan=demo_plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=7)
    )
    desk_org = Organisation.objects.get(name="市司法局依法行政指导科")
    services.consultation_comment_add(
        actor=desk, plan=demo_plan, release=release, organisation=desk_org, text="建议对部门2排名后五名的单位逐一通报扣分原因。"
    )
    services.consultation_close(actor=office, plan=demo_plan, release=release)
    services.release_approve(
        actor=office,
        plan=demo_plan,
        release=release,
        approved_by="市法治政府建设领导小组第3次会议审定",
        approved_on=timezone.localdate(),
    )

    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/results/release/")
    page.wait_for_selector("[data-testid=ready]")
    assert "建议对部门2排名后五名" in page.inner_text("[data-testid=comments]")
    shot(page, "60-results-release-before-publication")
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=publication]")
    assert Plan.objects.get(pk=demo_plan.pk).status == Plan.Status.RESULTS_PUBLISHED
    shot(page, "61-results-release-published")
    assert page.console_errors == []

    unit_page = new_page()
    login(unit_page, live_server, "unit_wugang")
    unit_page.goto(f"{live_server.url}/plans/{demo_plan.pk}/results/published/")
    unit_page.wait_for_selector("[data-testid=unit-summary]")
    assert "舞钢市人民政府" in unit_page.inner_text("[data-testid=unit-summary]")
    shot(unit_page, "62-results-unit-published")
    assert ResultReceipt.objects.get(organisation__name="舞钢市人民政府").read_at is not None
