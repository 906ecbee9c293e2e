"""In Chromium: the office opens an online ability test; two testees, each in their own browser, take it.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def drawn_test(demo_abilitytests):
    """The demo plan with its ability-test demo data, and an online test of 市委网信办 (2 staff), drawn and paper made."""
    from kaohe.accounts.models import User
    from kaohe.inspections.abilitytests import services
    from kaohe.inspections.abilitytests.draws import Rule
    from kaohe.plans.models import Indicator, PlanUnit

    plan = demo_abilitytests
    office = User.objects.get(username="office")
    unit = PlanUnit.objects.get(plan=plan, organisation__name="市委网信办")
    task = Indicator.objects.get(plan=plan, category__name="部门1", code="2.2.1")
    test = services.abilitytest_create(
        actor=office,
        plan=plan,
        unit=unit,
        task=task,
        mode="online",
        rules=[Rule("staff", 2, 2)],
        paper_rules={"single": 3, "multiple": 2, "judge": 2, "short": 1, "category": "", "difficulty": ""},
        time_limit_minutes=20,
        oral_max_score=Decimal(100),
    )
    services.draw_make(actor=office, test=test)
    services.paper_make(actor=office, test=test)
    return test


def _answer_everything(page) -> None:
    for card in page.locator("[data-testid=question]").all():
        choice = card.locator("input.form-check-input")
        if choice.count():
            choice.first.check()
        else:
            card.locator("textarea").fill("公众参与、专家论证、风险评估、合法性审查、集体讨论决定")


def test_two_testees_take_a_short_online_test(page, new_page, live_server, drawn_test):
    from kaohe.inspections.abilitytests.models import Answer, Testee

    test = drawn_test
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/plans/{test.plan_id}/ability-tests/tests/{test.pk}/")
    page.fill("#time-limit", "15")
    page.click("[data-testid=open]")
    page.wait_for_selector("[data-testid=codes]")
    shot(page, "ability-01-codes")
    codes = [c.strip() for c in page.locator("[data-testid=code]").all_inner_texts()]
    assert len(codes) == 2

    testees = [new_page(viewport={"width": 1100, "height": 900}) for _ in codes]
    for tab, code in zip(testees, codes, strict=True):
        tab.on("dialog", lambda dialog: dialog.accept())
        tab.goto(f"{live_server.url}/test/")
        tab.fill("input[name=code]", code)
        tab.click("button[type=submit]")
        tab.wait_for_selector("[data-testid=question]")
        assert re.fullmatch(r"1[45]:\d\d", tab.inner_text("[data-testid=countdown]"))
    first, second = testees
    _answer_everything(first)
    first.click("[data-testid=save]")
    first.wait_for_selector(".alert-success")
    shot(first, "ability-02-paper")
    first.click("[data-testid=submit]")
    first.wait_for_selector("[data-testid=done]")
    _answer_everything(second)
    # the second testee never clicks 保存答案: the page saves the answers in the background
    second.wait_for_selector("[data-testid=autosave]:has-text('已自动保存')")
    assert Answer.objects.filter(testee__test=test, testee__seq=2).exclude(response="").count() == len(
        second.locator("[data-testid=question]").all()
    )
    second.click("[data-testid=submit]")
    second.wait_for_selector("[data-testid=done]")
    shot(second, "ability-03-done")
    assert [tab.console_errors for tab in testees] == [[], []]
    # the code cannot be used again (the refusal is a 400 response, which the console reports), even in a fresh browser
    first.goto(f"{live_server.url}/test/")
    first.fill("input[name=code]", codes[0])
    first.click("button[type=submit]")
    first.wait_for_selector("[data-testid=code-error]")
    assert "已交卷" in first.inner_text("[data-testid=code-error]")

    finished = list(Testee.objects.filter(test=test).order_by("seq"))
    assert [t.finish for t in finished] == ["submitted", "submitted"]
    assert Answer.objects.filter(testee__test=test).count() == 16
    assert page.console_errors == []
    page.goto(f"{live_server.url}/plans/{test.plan_id}/ability-tests/tests/{test.pk}/")
    assert page.locator("[data-testid=testee-row]").count() == 2
    shot(page, "ability-04-test-page")
