"""The annual cycle in Chromium on a fresh installation, as the roles would run it (issue 7).

An installation holds only what the system administrator sets up before a plan exists: the office's
organisation and the people's accounts. From there everything happens in the browser: the office creates
the plan and imports its tables from .xlsx and publishes it; a unit uploads evidence; two desks grade; the
office approves a bonus and records a deduction; feedback is released; the unit files a 复核 request and
the office decides it; results are computed, approved and published; the bulletin is downloaded and read
back, with the category's score sheet; the analysis draws its charts; the unit reports on the problem
released to it (整改), the office sends it back, and the plan is copied into next year with that open item
carried in as a task. Every step leaves a screenshot in var/screenshots/ (full-cycle-NN-*.png), kept as a CI artefact.

Time is frozen at Monday 2026-11-23 10:00 (Asia/Shanghai) so the working-day windows are those of the
2026 holiday calendar whatever day CI runs.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest
from docx.shared import RGBColor

from tests.browser.conftest import PDF, login, shot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Kaohe#2026cycle"
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TITLE = "示范市2026年度依法行政考核"
OFFICE_ORG = "示范市法治政府建设领导小组办公室"
DESK_A = "市司法局依法行政指导科"
DESK_B = "市财政局"
UNIT_A = "东城区人民政府"
UNIT_B = "西城区人民政府"


def _sheet(rows: list[tuple[Any, ...]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _tables(folder: Path) -> dict[str, Path]:
    """The three tables of the plan, in the layout of the documents' 附件1/2/5."""
    deadline = dt.date(2026, 12, 31)  # Excel stores it as a date cell
    files = {
        "units": _sheet(
            [
                ("附件1",),
                ("示范市2026年度依法行政考核对象单位名单",),
                ("序号", "考核对象类别", "单位名称"),
                (1, "县区政府", UNIT_A),
                (2, "县区政府", UNIT_B),
            ]
        ),
        "assessors": _sheet(
            [
                ("附件2",),
                ("示范市2026年度依法行政考核主体联系表",),
                ("序号", "单位", "联系人", "联系电话", "联系地址", "督导平台登录账号"),
                ("01", DESK_A, "联系人01", None, "行政综合楼101房间", "sfj"),
                ("02", DESK_B, "联系人02", None, "行政综合楼202房间", "czj"),
            ]
        ),
        "indicators": _sheet(
            [
                ("附件3",),
                ("示范市2026年度依法行政考核内容",),
                ("一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体"),
                (
                    "一、依法全面履行政府职能60分",
                    "规范行政权力运行60分",
                    "证明事项清理情况",
                    "报送资料:证明事项清理报告 30分",
                    deadline,
                    "清理无依据的证明事项",
                    DESK_A,
                ),
                (
                    "一、依法全面履行政府职能60分",
                    "规范行政权力运行60分",
                    "预算信息公开情况",
                    "报送资料:预算公开材料 30分",
                    deadline,
                    "按规定公开预算",
                    DESK_B,
                ),
                (
                    "二、严格规范公正文明执法40分",
                    "落实执法责任制40分",
                    "行政执法三项制度落实情况",
                    "报送资料:三项制度落实报告 40分",
                    deadline,
                    "全面落实三项制度",
                    DESK_A,
                ),
            ]
        ),
    }
    paths = {}
    for name, data in files.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(data)
        paths[name] = path
    return paths


@pytest.fixture
def installation(transactional_db, monkeypatch):
    """What the system administrator sets up: the office's organisation and the accounts (placeholders)."""
    from kaohe.accounts.models import User
    from kaohe.organisations.models import Membership, Organisation, Region
    from kaohe.organisations.roles import Role

    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    province = Region.objects.create(name="示范省", level=Region.Level.PROVINCE)
    city = Region.objects.create(name="示范市", level=Region.Level.CITY, parent=province)
    office_org = Organisation.objects.create(name=OFFICE_ORG, kind=Organisation.Kind.OFFICE, region=city)
    judicial = Organisation.objects.create(name="市司法局", kind=Organisation.Kind.DEPARTMENT, region=city)
    desk_a = Organisation.objects.create(name=DESK_A, kind=Organisation.Kind.SECTION, region=city, parent=judicial)
    desk_b = Organisation.objects.create(name=DESK_B, kind=Organisation.Kind.DEPARTMENT, region=city)
    unit_a = Organisation.objects.create(name=UNIT_A, kind=Organisation.Kind.GOVERNMENT, region=city)
    unit_b = Organisation.objects.create(name=UNIT_B, kind=Organisation.Kind.GOVERNMENT, region=city)
    people = {
        "cycle_office": (office_org, Role.OFFICE),
        "cycle_desk_a": (desk_a, Role.DESK),
        "cycle_desk_b": (desk_b, Role.DESK),
        "cycle_unit_a": (unit_a, Role.UNIT),
        "cycle_unit_b": (unit_b, Role.UNIT),
    }
    for username, (org, role) in people.items():
        user = User.objects.create_user(username=username, password=PASSWORD, display_name=f"{org.name}（演示）")
        user.must_change_password = False
        user.password_changed_at = NOW
        user.save()
        Membership.objects.create(user=user, organisation=org, role=role)
    return people


class Actor:
    """One person in their own browser context."""

    def __init__(self, new_page: Any, live_server: Any, username: str) -> None:
        self.server = live_server.url
        self.page = new_page(accept_downloads=True)
        self.errors: list[str] = self.page.console_errors
        login(self.page, live_server, username, PASSWORD)

    def go(self, path: str) -> Any:
        response = self.page.goto(f"{self.server}{path}")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return self.page

    def submit(self, button: str) -> None:
        with self.page.expect_navigation():
            self.page.click(button)


def _import(office: Actor, plan_id: int, kind: str, path: Path, step: str, category: str = "") -> None:
    page = office.go(f"/plans/{plan_id}/import/")
    page.select_option("#id_kind", kind)
    if category:
        page.fill("#id_category_name", category)
    page.set_input_files("#id_file", str(path))
    office.submit("button[type=submit] >> text=上传并检查")
    assert page.inner_text("[data-testid=problem-table]") if page.locator("[data-testid=problem-error]").count() else True
    assert page.locator("[data-testid=problem-error]").count() == 0, page.inner_text("body")
    shot(page, f"full-cycle-{step}-import-{kind}-preview")
    if page.locator("#id_accept_warnings").count():
        page.check("#id_accept_warnings")
    office.submit("button[type=submit] >> text=确认导入")


def assert_official_layout(document: Any) -> None:
    """A4 with a red 版头 (the first paragraph) and the text inside GB/T 9704's margins; tables no wider than the text."""
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    red = RGBColor(0xC0, 0, 0)
    head = next(p for p in document.paragraphs if p.text.strip())  # the 版头: the issuing authority in red
    assert any(r.font.color is not None and r.font.color.rgb == red for r in head.runs), head.text
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in document.tables:
        widths = [cell.width for cell in table.rows[0].cells if cell.width is not None]
        assert sum(widths) <= text_width + 1000, (sum(widths), text_width)  # EMU: 1000 ≈ 0.03 mm of rounding


def test_the_annual_cycle(new_page, live_server, installation, tmp_path, monkeypatch):
    from kaohe.plans.models import Indicator, Plan, PlanUnit
    from kaohe.results.models import ResultReceipt, ResultSnapshot
    from kaohe.reviews.models import ReviewRequest
    from kaohe.scoring.models import BonusApplication, Deduction, Evaluation, EvaluationChange
    from kaohe.submissions.models import EvidenceFile

    tables = _tables(tmp_path)

    # 1. The office creates the plan, imports desks, units and the indicator table, and publishes it.
    office = Actor(new_page, live_server, "cycle_office")
    page = office.go("/plans/new/")
    page.fill("#id_year", "2026")
    page.fill("#id_title", TITLE)
    page.fill("#id_doc_number", "示法政办〔2026〕1号")
    page.fill("#id_period_start", "2026-01-01")
    page.fill("#id_period_end", "2026-12-31")
    shot(page, "full-cycle-01-office-creates-plan")
    office.submit("button[type=submit] >> text=创建")
    plan = Plan.objects.get(title=TITLE)
    _import(office, plan.pk, "assessors", tables["assessors"], "02")
    _import(office, plan.pk, "units", tables["units"], "03")
    _import(office, plan.pk, "indicators", tables["indicators"], "04", category="县区政府")
    page = office.go(f"/plans/{plan.pk}/publish/")
    shot(page, "full-cycle-05-office-publish")
    if page.locator("#id_accept_warnings").count():
        page.check("#id_accept_warnings")
    office.submit("button[type=submit] >> text=发布考核方案")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED
    tasks = list(Indicator.objects.filter(plan=plan, level=3).order_by("order"))
    assert [t.points for t in tasks] == [30, 30, 40]
    unit_a = PlanUnit.objects.get(plan=plan, organisation__name=UNIT_A)
    unit_b = PlanUnit.objects.get(plan=plan, organisation__name=UNIT_B)
    shot(office.page, "full-cycle-06-plan-published")

    # 2. A unit uploads its evidence for the first task.
    report = tmp_path / "证明事项清理报告.pdf"
    report.write_bytes(PDF)
    unit = Actor(new_page, live_server, "cycle_unit_a")
    page = unit.go(f"/plans/{plan.pk}/evidence/{unit_a.pk}/tasks/{tasks[0].pk}/")
    page.set_input_files("#id_files", str(report))
    page.click("[data-upload-submit]")
    page.wait_for_selector("text=✓ 已上传")
    page.wait_for_selector("[data-testid=file-row]")
    shot(page, "full-cycle-07-unit-uploaded")
    assert EvidenceFile.objects.filter(submission__unit=unit_a, submission__task=tasks[0]).count() == 1

    # 3. Two desks grade: desk A its two tasks for both units (one below 优, with a reason), desk B its task.
    def grade(actor: Actor, unit_pk: int, task_pk: int, value: str, reason: str = "") -> None:
        cell = f"#cell-{unit_pk}-{task_pk}"
        actor.page.select_option(f"{cell} select[name=grade]", value)
        if reason:  # below 优 the reason field opens (focused) and the save waits for it
            actor.page.fill(f"{cell} input[name=reason]", reason)
            actor.page.press(f"{cell} input[name=reason]", "Enter")
        actor.page.wait_for_selector(f"{cell} .kaohe-cell-ok")

    desk_a = Actor(new_page, live_server, "cycle_desk_a")
    desk_a.go(f"/plans/{plan.pk}/evaluate/")
    grade(desk_a, unit_a.pk, tasks[0].pk, "excellent")
    grade(desk_a, unit_b.pk, tasks[0].pk, "excellent")
    grade(desk_a, unit_a.pk, tasks[2].pk, "good", "重大执法决定法制审核目录未及时更新")
    grade(desk_a, unit_b.pk, tasks[2].pk, "excellent")
    shot(desk_a.page, "full-cycle-08-desk-a-grid")
    desk_b = Actor(new_page, live_server, "cycle_desk_b")
    desk_b.go(f"/plans/{plan.pk}/evaluate/")
    grade(desk_b, unit_a.pk, tasks[1].pk, "excellent")
    grade(desk_b, unit_b.pk, tasks[1].pk, "fair", "预算公开不完整")
    shot(desk_b.page, "full-cycle-09-desk-b-grid")
    assert Evaluation.objects.filter(plan=plan).count() == 6

    # 4. The unit applies for a bonus; the office approves it and records a deduction for the other unit.
    page = unit.go(f"/plans/{plan.pk}/adjustments/")
    page.select_option("#id_kind", "award")
    page.fill("#id_matter", "法治政府建设示范项目获省级命名")
    page.fill("#id_description", "省法治政府建设领导小组命名文件")
    unit.submit("button[type=submit] >> text=提交申请")
    shot(page, "full-cycle-10-unit-bonus-application")
    page = office.go(f"/plans/{plan.pk}/adjustments/office/")
    office.submit("[data-testid=pending-row] button[value=approve]")
    form = "form[action$='/adjustments/deductions/record']"
    page.select_option(f"{form} [name=unit]", str(unit_b.pk))
    page.select_option(f"{form} [name=kind]", "judgment_ignored")
    page.fill(f"{form} [name=matter]", "未履行生效行政判决")
    page.fill(f"{form} [name=points]", "1")
    page.fill(f"{form} [name=reason]", "法院执行通知书")
    office.submit("button[type=submit] >> text=记录减分")
    shot(page, "full-cycle-11-office-adjustments")
    assert BonusApplication.objects.get(unit=unit_a).status == BonusApplication.Status.APPROVED
    assert Deduction.objects.filter(unit=unit_b, withdrawn_at__isnull=True).count() == 1

    # 5. The office records a problem found, releases feedback to all units (the problem becomes a 整改 item);
    #    the unit acknowledges and asks for a 复核 of its deduction.
    page = office.go(f"/plans/{plan.pk}/feedback/office/")
    problem = "form[action$='/feedback/problems/add']"
    page.select_option(f"{problem} [name=unit]", str(unit_a.pk))
    page.select_option(f"{problem} [name=task]", str(tasks[1].pk))
    page.fill(f"{problem} [name=text]", "预算信息未在规定时间内公开")
    office.submit(f"{problem} button[type=submit]")
    page.check("#id_all_units")
    page.check("[data-testid=release-form] input[name=kind][value=final]")  # the final 考核情况反馈, with the scores
    page.click("[data-testid=release-form] button[type=submit]")
    assert "不能再修改" in page.inner_text("[data-testid=confirm-dialog]")  # 发布反馈 is confirmed in a dialog
    office.submit("[data-testid=confirm-ok]")
    shot(page, "full-cycle-12-office-feedback-released")
    page = unit.go(f"/plans/{plan.pk}/feedback/")
    with page.expect_download() as info:  # the 反馈通知 as an official document (GB/T 9704 on A4)
        page.click("[data-testid=letter] >> nth=0")
    letter_path = tmp_path / "letter.docx"
    info.value.save_as(str(letter_path))
    assert_official_layout(docx.Document(str(letter_path)))
    unit.submit("button[type=submit] >> text=确认收到反馈")
    assert "2026-11-30" in page.inner_text("[data-testid=window-end]")  # 5 working days after Monday 11-23
    page.fill("[data-testid=request-form] textarea[name=reasons]", "目录已于10月更新，见附件")
    unit.submit("[data-testid=request-form] button[type=submit]")
    shot(page, "full-cycle-13-unit-review-request")
    request = ReviewRequest.objects.get(unit=unit_a, task=tasks[2])

    # 6. The office decides the request within its window: changed from 良 to 优, with a written answer.
    page = office.go(f"/plans/{plan.pk}/feedback/office/")
    page.fill("[data-testid=open-row] textarea[name=answer]", "经核实，目录已按期更新，调整为优")
    page.select_option("[data-testid=open-row] select[name=grade]", "excellent")
    office.submit("[data-testid=open-row] button[value=changed]")
    shot(page, "full-cycle-14-office-review-decided")
    request.refresh_from_db()
    assert Evaluation.objects.get(unit=unit_a, task=tasks[2]).score == 40
    assert EvaluationChange.objects.filter(evaluation__unit=unit_a, evaluation__task=tasks[2], source="review").count() == 1

    # 7. The office computes the results: every evaluation is in, so the snapshot is complete.
    page = office.go(f"/plans/{plan.pk}/results/")
    office.submit("button[type=submit] >> text=计算结果")
    shot(page, "full-cycle-15-office-results")
    snapshot = ResultSnapshot.objects.get(plan=plan)
    assert snapshot.complete

    # 8. The office puts the snapshot out for consultation; a member unit (desk A) comments in the platform.
    page = office.go(f"/plans/{plan.pk}/results/release/")
    page.fill("[data-testid=start-form] [name=consult_until]", "2026-11-27")
    office.submit("[data-testid=start-form] button[type=submit]")
    page = desk_a.go(f"/plans/{plan.pk}/results/consultation/")
    page.fill("[data-testid=comment-form] [name=text]", "无异议。")
    desk_a.submit("[data-testid=comment-form] button[type=submit]")
    shot(page, "full-cycle-16-desk-consultation-comment")

    # 9. The office closes the consultation, records the leadership's approval (审定), edits the bulletin and publishes.
    page = office.go(f"/plans/{plan.pk}/results/release/")
    assert "无异议" in page.inner_text("[data-testid=comments]")
    office.submit("[data-testid=close]")
    page.fill("[data-testid=approval-form] [name=approved_by]", "市法治政府建设领导小组第1次会议审定")
    page.fill("[data-testid=approval-form] [name=approved_on]", "2026-11-23")
    office.submit("[data-testid=approval-form] button[type=submit]")
    page.fill("[data-testid=bulletin-form] [name=bulletin_number]", "示法政办〔2026〕9号")
    office.submit("[data-testid=bulletin-form] button[type=submit]")
    shot(page, "full-cycle-17-office-approved")
    # Publication waits until every feedback round is over: 西城区 acknowledges its feedback, and both units'
    # 复核 windows (5 working days from Monday 11-23, to 2026-11-30) run out before the office publishes.
    assert "尚有 2 轮问题反馈未结束" in page.inner_text("[data-testid=checks]")
    unit_b_reader = Actor(new_page, live_server, "cycle_unit_b")
    unit_b_reader.go(f"/plans/{plan.pk}/feedback/")
    unit_b_reader.submit("button[type=submit] >> text=确认收到反馈")
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW + dt.timedelta(days=8))  # Tuesday 2026-12-01
    office, unit, desk_a = (Actor(new_page, live_server, name) for name in ("cycle_office", "cycle_unit_a", "cycle_desk_a"))
    page = office.go(f"/plans/{plan.pk}/results/release/")
    assert page.locator("[data-testid=ready]").count() == 1, page.inner_text("[data-testid=checks]")
    office.submit("[data-testid=publish]")
    shot(page, "full-cycle-18-office-published")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.RESULTS_PUBLISHED

    # 10. Scores are frozen: the desk's grid says so and its cells are read-only.
    page = desk_a.go(f"/plans/{plan.pk}/evaluate/")
    assert "分数已冻结" in page.inner_text("[data-testid=scores-frozen]")
    assert page.locator(f"#cell-{unit_b.pk}-{tasks[2].pk} select[name=grade][disabled]").count() == 1
    shot(page, "full-cycle-19-desk-grid-frozen")

    # 11. The unit reads its own published result (a read receipt is recorded) and nothing of the other unit's.
    page = unit.go(f"/plans/{plan.pk}/results/published/")
    assert UNIT_A in page.inner_text("body")
    shot(page, "full-cycle-20-unit-reads-published-result")
    assert ResultReceipt.objects.filter(organisation__name=UNIT_A, read_at__isnull=False).count() == 1

    # 12. The office downloads the bulletin; it carries the edited number, the title and the grade lists.
    page = office.go(f"/plans/{plan.pk}/results/release/")
    with page.expect_download() as info:
        page.click("[data-testid=release-bulletin]")
    path = tmp_path / "bulletin.docx"
    info.value.save_as(str(path))
    bulletin = docx.Document(str(path))
    assert_official_layout(bulletin)
    text = "\n".join(p.text for p in bulletin.paragraphs)
    assert "示法政办〔2026〕9号" in text
    assert "关于示范市2026年度依法行政考核" in text or TITLE in text
    assert UNIT_A in text and UNIT_B in text
    shot(page, "full-cycle-21-office-bulletin")

    # 13. The score sheet of the category (.xlsx): every unit with its tasks and the reasons for deductions.
    with page.expect_download() as info:
        page.click("[data-testid=score-sheets] a >> text=县区政府评分表")
    path = tmp_path / "score-sheet.xlsx"
    info.value.save_as(str(path))
    sheets = openpyxl.load_workbook(path).worksheets
    cells = {str(c.value) for ws in sheets for row in ws.iter_rows() for c in row if c.value}
    assert {UNIT_A, UNIT_B, "预算公开不完整"} <= cells
    for ws in (ws for ws in sheets if ws.title != "说明"):  # as offices print them: A4 landscape, one page wide,
        # the header row on every page (the 说明 sheet is a few lines of notes)
        assert (ws.page_setup.orientation, str(ws.page_setup.paperSize)) == ("landscape", "9"), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows, ws.title

    # 14. The analysis page draws its charts from the published snapshot.
    page = office.go(f"/plans/{plan.pk}/analysis/")
    page.wait_for_selector("[data-chart='chart-level1'][data-drawn=true]")
    assert page.locator("[data-chart='chart-level1'] canvas").count() == 1
    shot(page, "full-cycle-22-office-analysis")

    # 15. 整改: the unit reports on its item; the office sends the report back, so the item stays open.
    page = unit.go(f"/plans/{plan.pk}/rectification/")
    assert "预算信息未在规定时间内公开" in page.inner_text("[data-testid=item-table]")
    page.fill("[data-testid=report-form] textarea[name=text]", "已在门户网站公开预算信息")
    unit.submit("[data-testid=report-form] button[type=submit]")
    shot(page, "full-cycle-23-unit-rectification-report")
    page = office.go(f"/plans/{plan.pk}/rectification/office/")
    page.fill("[data-testid=decide-form] textarea[name=reason]", "请补充公开网页截图")
    office.submit("[data-testid=decide-form] button[value=return]")
    shot(page, "full-cycle-24-office-rectification-returned")

    # 16. Next year: the plan is copied into 2027 and the open item is carried in as a task.
    page = office.go(f"/plans/{plan.pk}/copy/")
    page.fill("#id_title", "示范市2027年度依法行政考核")
    office.submit("button[type=submit] >> text=复制为")
    shot(page, "full-cycle-25-plan-copied")
    copied = Plan.objects.get(title="示范市2027年度依法行政考核")
    assert copied.is_draft and copied.year == 2027
    carried = Indicator.objects.get(plan=copied, level=3, name="上年度考核发现问题整改落实情况")
    assert UNIT_A in carried.requirement and "预算信息未在规定时间内公开" in carried.requirement
    for actor in (office, unit, desk_a, desk_b):
        assert actor.errors == [], actor.errors
