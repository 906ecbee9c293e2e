"""In Chromium: a desk grades in its grid (htmx saves each cell on change; arrow keys move between cells).

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_desk_grades_in_the_grid(page, live_server, demo_plan):
    from kaohe.scoring.models import Evaluation

    demo_count = Evaluation.objects.count()  # the demo's own evaluations (kaohe/results/demo.py)
    login(page, live_server, "desk_yfxz")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evaluate/")
    page.wait_for_selector("[data-testid=grid-row]")
    first_select = page.locator("[data-testid=grid-row] select[name=grade]").first
    first_select.select_option("excellent")
    page.wait_for_selector(".kaohe-cell-ok")
    assert Evaluation.objects.count() == demo_count + 1
    # A score below full without a reason is refused in the cell, nothing saved.
    score = page.locator("[data-testid=grid-row] input[name=score]").first
    score.fill("0.1")
    score.press("Tab")
    page.wait_for_selector(".kaohe-cell-error")
    assert "扣分理由" in page.inner_text(".kaohe-cell-error")
    assert Evaluation.objects.count() == demo_count + 1
    shot(page, "20-desk-grid")
    # Arrow down moves to the same task of the next unit.
    page.locator("[data-testid=grid-row] input[name=score]").first.focus()
    page.keyboard.press("ArrowDown")
    focused_row = page.evaluate("document.activeElement.closest('tr').rowIndex")
    assert focused_row == 2
    assert page.console_errors == []
