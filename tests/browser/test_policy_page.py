"""In Chromium: the office enters the Jiaozuo scoring rules on the 评分规则 page, previews them, saves them.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_enters_the_jiaozuo_rules(page, live_server, demo_plan):
    from kaohe.plans.models import ScoringPolicy

    plan = demo_plan
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.click("text=评分规则")
    page.wait_for_selector("[data-testid=policy-form]")
    shot(page, "policy-01-rules")
    page.fill("#id_platform_weight", "80")
    page.fill("#id_field_weight", "15")
    page.fill("#id_case_review_weight", "5")
    page.fill("#id_bands-0-quota_pct", "40")
    page.fill("#id_bands-1-min", "0")
    for row in (2, 3):
        page.fill(f"#id_bands-{row}-name", "")
    page.fill("#id_reason", "焦作2020：平台和日常80，实地15，评查5；优秀限40%，其余良好")
    page.click("button[value=preview]")
    page.wait_for_selector("[data-testid=policy-preview]")
    assert "还没有计算过考核结果，无法预览" in page.inner_text("[data-testid=policy-preview]")
    shot(page, "policy-02-preview")
    page.click("button[value=save]")
    page.wait_for_selector("text=评分规则已保存")
    shot(page, "policy-03-saved")
    policy = ScoringPolicy.objects.get(plan=plan)
    assert (policy.platform_weight, policy.field_weight, policy.case_review_weight) == (Decimal(80), Decimal(15), Decimal(5))
    assert [b["name"] for b in policy.grade_bands] == ["优秀", "良好"]
    # Three county units graded and a computation under these rules; then the 良好 band is raised to 96 in a draft.
    from kaohe.accounts.models import User
    from kaohe.results import services
    from kaohe.results.tests.conftest import grade, unit_named

    office = User.objects.get(username="office")
    grade(plan, unit_named(plan, "舞钢市人民政府"), office, scores={"5.2.2": Decimal("0.00")})
    grade(plan, unit_named(plan, "宝丰县人民政府"), office, scores={"3.1.1": Decimal("0.00")})
    grade(plan, unit_named(plan, "郏县人民政府"), office)
    services.results_compute(actor=office, plan=plan, missing_policy="report")
    page.fill("#id_platform_weight", "")
    page.fill("#id_field_weight", "")
    page.fill("#id_case_review_weight", "")
    page.click("button[value=preview]")
    page.wait_for_selector("[data-testid=policy-preview] table")
    table = page.inner_text("[data-testid=policy-preview]")
    assert "舞钢市人民政府" in table and "+3.99" in table  # 95 → 98.99 without the weights (99 points count: 明年考核)
    shot(page, "policy-04-preview-changes")
    assert page.console_errors == []
