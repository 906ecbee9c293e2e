"""In Chromium: the office's 问题类型 list, a desk tagging a deduction reason in the grid, and the analysis counts.

End-to-end: uses the demo plan (created through plan_create, so it starts with the suggested kinds).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_desk_tags_a_reason_and_the_office_sees_the_counts(page, live_server, demo_plan):
    from kaohe.accounts.models import User
    from kaohe.plans.models import ProblemKind
    from kaohe.results import services
    from kaohe.scoring.models import Evaluation

    login(page, live_server, "desk_yfxz")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evaluate/")
    page.wait_for_selector("[data-testid=grid-row]")
    page.locator("[data-testid=grid-row] select[name=grade]").first.select_option("good")
    reason = page.locator("[data-testid=grid-row] input[name=reason]:visible").first
    reason.fill("规范性文件超期报备2件")
    reason.press("Enter")
    page.wait_for_selector("[data-testid=cell-problem-kind]")
    page.locator("[data-testid=cell-problem-kind]").first.select_option(label="规范性文件超期报备")
    page.wait_for_selector("form.kaohe-cell[data-cell$='-2'] .kaohe-cell-ok")  # the second save (version 2), not the first
    evaluation = Evaluation.objects.filter(plan=demo_plan).get()
    assert evaluation.problem_kind == ProblemKind.objects.get(plan=demo_plan, name="规范性文件超期报备")
    shot(page, "problem-kinds-grid")
    assert page.console_errors == []

    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/settings/")
    page.fill("[data-testid=problem-kind-add] input[name=name]", "行政复议纠错")
    with page.expect_navigation():
        page.click("[data-testid=problem-kind-add] button[type=submit]")
    assert "已新增问题类型“行政复议纠错”" in page.inner_text("body")
    page.locator("#problem-kinds").scroll_into_view_if_needed()
    shot(page, "problem-kinds-settings")

    office = User.objects.get(username="office")
    snapshot = services.results_compute(actor=office, plan=demo_plan, missing_policy="zero", decision_note="考核办会议决定")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/analysis/")
    section = page.locator("[data-testid=problem-kinds]")
    assert "规范性文件超期报备" in section.inner_text() and evaluation.unit.organisation.name in section.inner_text()
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(shot(page, "problem-kinds-analysis")).replace(".png", "-section.png"))
    assert page.console_errors == []

    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/feedback/office/")
    assert "问题类型（可不选）" in page.inner_text("body")
    shot(page, "problem-kinds-feedback-office")
    services.release_start(
        actor=office, plan=demo_plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=5)
    )
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/results/release/")
    box = page.locator("input[name=bulletin_problem_counts]")
    assert not box.is_checked()  # default off
    box.scroll_into_view_if_needed()
    shot(page, "problem-kinds-release-bulletin")
    assert page.console_errors == []
