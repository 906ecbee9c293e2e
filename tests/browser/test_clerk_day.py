"""In Chromium, the clerk's day (issue 13): grading by keyboard never changes a grade on an arrow key, keys set
grades, focus stays, the counter follows, several cells get one grade; a refused upload's message stays on the
page; withdrawing a file asks first in a dialog.

End-to-end: uses the demo plan.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PDF, login, shot, wugang_upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("demo_day")]

EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


def _grades(page) -> list[str]:
    values: list[str] = page.evaluate("Array.from(document.querySelectorAll('select[name=grade]')).map(s => s.value)")
    return values


def _focused_cell(page) -> str:
    cell: str = page.evaluate("(document.activeElement.closest('form.kaohe-cell') || {}).id || ''")
    return cell


def test_grading_by_keyboard(page, live_server, demo_plan):
    from kaohe.scoring.models import Evaluation

    # the demo's own evaluations (kaohe/results/demo.py) are left out of the counts below
    demo_ids = list(Evaluation.objects.values_list("pk", flat=True))

    def graded():
        return Evaluation.objects.exclude(pk__in=demo_ids)

    login(page, live_server, "desk_yfxz")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evaluate/")
    page.wait_for_selector("[data-testid=grid-row]")
    before = _grades(page)
    done = int(page.inner_text("[data-grid-progress] [data-done]"))

    first = page.locator("[data-testid=grid-row] form.kaohe-cell[data-selectable] select[name=grade]").first
    first.focus()
    start = _focused_cell(page)
    start_row = page.evaluate("document.activeElement.closest('tr').rowIndex")
    # Arrow keys only move: no grade changes, nothing is saved.
    for key in ("ArrowDown", "ArrowDown", "ArrowDown", "ArrowUp"):
        page.keyboard.press(key)
    page.wait_for_timeout(800)  # a save, if any, would have gone out by now
    assert page.evaluate("document.activeElement.closest('tr').rowIndex") == start_row + 2
    assert _grades(page) == before
    assert graded().count() == 0

    # "1" grades 优, the save keeps the focus on the cell, and the counter follows.
    cell = _focused_cell(page)
    assert cell and cell != start
    page.keyboard.press("1")
    page.wait_for_selector(f"#{cell} .kaohe-cell-ok")
    assert _focused_cell(page) == cell
    assert page.inner_text("[data-grid-progress] [data-done]") == str(done + 1)
    assert graded().get().grade == "excellent"

    # ArrowDown after a save still only moves; "z" (中) opens the reason field, Enter saves with it.
    page.keyboard.press("ArrowDown")
    below = _focused_cell(page)
    assert below != cell and graded().count() == 1
    page.keyboard.press("z")
    reason = page.locator(f"#{below} input[name=reason]")
    reason.wait_for(state="visible")
    assert page.evaluate("document.activeElement.name") == "reason"
    assert graded().count() == 1  # not saved without the reason
    page.keyboard.type("资料不全")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{below} .kaohe-cell-ok")
    assert page.inner_text("[data-grid-progress] [data-done]") == str(done + 2)
    saved = Evaluation.objects.filter(plan=demo_plan).get(unit_id=int(below.split("-")[1]), task_id=int(below.split("-")[2]))
    assert (saved.grade, saved.reason) == ("fair", "资料不全")
    shot(page, "clerk-01-keyboard-grading")

    # Ctrl+click two more cells, one grade for both (below 优: one reason for all).
    free = page.evaluate(
        "Array.from(document.querySelectorAll('form.kaohe-cell[data-selectable]:not([data-evaluated])')).slice(0, 2).map(f => f.id)"
    )
    for cell_id in free:
        page.click(f"#{cell_id}", modifiers=["Control"])
    assert page.inner_text("[data-bulk-count]") == "已选 2 格"
    page.select_option("[data-bulk-grade]", "good")
    page.fill("[data-bulk-reason]", "未附证明材料")
    with page.expect_navigation():
        page.click("[data-testid=bulk-apply]")
    assert graded().filter(grade="good", reason="未附证明材料").count() == 2
    assert "已将 2 格统一评为“良”" in page.content()
    shot(page, "clerk-02-bulk-grade")
    assert page.console_errors == []


def test_a_refused_file_keeps_its_message_and_withdraw_asks_first(page, live_server, demo_plan, tmp_path):
    from kaohe.submissions.models import EvidenceFile

    unit, task = wugang_upload(demo_plan)
    report = tmp_path / "工作总结.pdf"
    report.write_bytes(PDF)
    program = tmp_path / "伪装的报告.pdf"
    program.write_bytes(EXE)

    login(page, live_server, "unit_wugang")
    page.goto(f"{live_server.url}/plans/{demo_plan.pk}/evidence/{unit.pk}/tasks/{task.pk}/")
    page.evaluate("window.__stayed = true")
    page.set_input_files("#id_files", [str(report), str(program)])
    page.click("[data-upload-submit]")
    page.wait_for_selector("text=✓ 已上传（v1）")
    page.wait_for_selector("text=✗")
    page.wait_for_selector("[data-testid=file-row]")  # the list refreshes in place
    page.wait_for_timeout(3000)  # the old page reloaded after 1.2 s and the refusal vanished
    assert page.evaluate("window.__stayed === true")
    refused = page.locator("[data-testid=upload-verdict][data-accepted=false]")
    assert refused.count() == 1
    assert "伪装的报告.pdf" in refused.inner_text() and "可执行" in refused.inner_text()
    shot(page, "clerk-03-refused-file-stays")
    refused.locator("[data-testid=upload-dismiss]").click()
    assert page.locator("[data-testid=upload-verdict][data-accepted=false]").count() == 0
    assert page.locator("[data-testid=upload-verdict][data-accepted=true]").count() == 1

    # The same file again: accepted as v2, with a warning that it is identical.
    page.set_input_files("#id_files", [str(report)])
    page.click("[data-upload-submit]")
    page.wait_for_selector("text=✓ 已上传（v2）")
    assert "完全相同" in page.inner_text("[data-upload-list]")
    page.locator("[data-testid=file-row]").nth(1).wait_for()
    assert page.locator("[data-testid=file-row][data-current]").count() == 1
    assert page.locator("[data-testid=file-row]").last.locator("[data-testid=file-current]").count() == 1  # v2

    # 撤回 asks in a dialog: 取消 keeps the file, 撤回 withdraws it.
    page.locator("[data-testid=file-row] button:has-text('撤回')").last.click()
    dialog = page.locator("[data-testid=confirm-dialog]")
    dialog.wait_for(state="visible")
    assert "不能恢复" in dialog.inner_text()
    page.click("[data-testid=confirm-cancel]")
    assert EvidenceFile.objects.filter(submission__unit=unit, submission__task=task, withdrawn_at__isnull=True).count() == 2
    page.locator("[data-testid=file-row] button:has-text('撤回')").last.click()
    with page.expect_navigation():
        page.click("[data-testid=confirm-ok]")
    assert EvidenceFile.objects.filter(submission__unit=unit, submission__task=task, withdrawn_at__isnull=False).count() == 1
    # the refused file's answer is a 400, which Chromium logs; nothing else may be
    assert [e for e in page.console_errors if "status of 400" not in e] == []
