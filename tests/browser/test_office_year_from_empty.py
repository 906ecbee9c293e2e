"""In Chromium, from an empty installation: the office runs its own year (issue 12's "Done when").

The database is emptied first (migrated, no demo). `setup_installation` makes the region, the office and the
first system administrator; everything after is done in pages: the system administrator creates the office's
account; the office creates the 2021 plan, fills its settings, imports its units and desks with their accounts
(the password sheet shows once), imports its indicator table, edits the tree (adds a task, moves it, marks one
明年考核), enters the Jiaozuo 2020 rules (督导平台考核和日常考核 80, 实地考察 15, 案卷集中评查 5; 优秀 with a quota,
良好 for the rest) and publishes. A desk and a unit log in with their initial passwords and must change them.
The desks grade; the office computes; the results equal the hand computation written below.

Screenshots land in var/screenshots/year-*.png; docs/guide-office.md shows them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

OFFICE = "焦作市法治政府建设领导小组办公室"
NEW_PASSWORD = "Jiaozuo#2021-year"
COUNTIES = ("修武县人民政府", "博爱县人民政府")
DESK_A, DESK_B = "焦作市司法局", "焦作市政务服务和大数据管理局"


def _xlsx(rows: list[list[Any]], merges: tuple[str, ...] = ()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def units_table() -> bytes:
    """附件1 with the 督导平台登录账号 column: two counties."""
    return _xlsx(
        [
            ["附件1"],
            ["焦作市2021年度依法行政考核对象单位"],
            ["序号", "考核对象类别", "单位名称", "督导平台登录账号"],
            [1, "县区政府", COUNTIES[0], "jz_xiuwu"],
            [2, "县区政府", COUNTIES[1], "jz_boai"],
        ]
    )


def desks_table() -> bytes:
    """附件2: two 考核主体 with placeholder contacts and their 督导平台登录账号."""
    return _xlsx(
        [
            ["附件2"],
            ["焦作市2021年度依法行政考核主体联系表"],
            ["序号", "单位", "联系人", "联系电话", "联系地址", "督导平台登录账号"],
            ["01", DESK_A, "联系人01", "", "行政综合楼101房间", "jz_sfj"],
            ["02", DESK_B, "联系人02", "", "行政综合楼202房间", "jz_dsj"],
        ]
    )


def indicator_table() -> bytes:
    """附件3 layout, points inside the 考核方式 text. Imported tasks: 40 + 5 + 30 + 15 + 5 = 95 (warnings accepted);
    the office adds 政务公开 (日常掌握, 10) and marks 行政执法三项制度 (5) 明年考核: this year's tasks sum to 100."""
    header = ["一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体"]
    return _xlsx(
        [
            ["附件3"],
            ["焦作市2021年度依法行政考核内容"],
            header,
            [
                "一、依法行政制度建设80分",
                "（一）制度建设45分",
                "规范性文件备案审查情况",
                "报送资料:备案审查报告 40分",
                "2021-12-31",
                "按时报送备案",
                DESK_A,
            ],
            [None, None, "行政执法三项制度落实情况", "报送资料:制度文件 5分", "2021-12-31", "全面落实", DESK_A],
            [
                None,
                "（二）决策与公开35分",
                "重大行政决策程序执行情况",
                "报送资料:决策事项目录 30分",
                "2021-12-31",
                "履行法定程序",
                DESK_A,
            ],
            ["二、实地考察15分", "（三）实地考察15分", "实地考察依法行政工作", "实地考核 15分", None, "现场查看", DESK_A],
            ["三、案卷评查5分", "（四）案卷集中评查5分", "行政执法案卷评查", "集中评查 5分", None, "案卷规范", DESK_A],
        ],
        merges=("A4:A6", "B4:B5"),  # as published: the 一级 and 二级 cells merged down over their tasks
    )


def first_login(page, url, username, password, name):
    """Log in with a one-time password: the platform insists on a new one before anything else."""
    login(page, url, username, password, new_password=NEW_PASSWORD, shot_name=f"year-{name}-must-change-password")


def _upload(page, url, plan_id, kind, name, data, category=""):
    page.goto(f"{url}/plans/{plan_id}/import/")
    page.select_option("#id_kind", kind)
    if category:
        page.fill("#id_category_name", category)
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])
    page.click("form:has(#id_file) button[type=submit]")
    page.wait_for_selector("[data-testid=import-summary]")


def _apply(page, *, accounts: bool):
    box = page.locator("#id_create_accounts")
    if accounts:
        box.check()
    if page.locator("#id_accept_warnings").count():
        page.check("#id_accept_warnings")
    page.click("form button:has-text('确认导入')")
    page.wait_for_load_state()


def _sheet(page) -> dict[str, str]:
    """The once-only password sheet: {登录账号: 初始密码}."""
    page.wait_for_selector("[data-testid=password-sheet]")
    rows = page.locator("[data-testid=password-sheet] tbody tr")
    found = {}
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        found[cells.nth(2).inner_text().strip()] = cells.nth(3).inner_text().strip()
    return found


def test_the_office_runs_its_year_from_an_empty_installation(page, live_server):
    from kaohe.accounts.models import User
    from kaohe.organisations.models import Organisation
    from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit, ScoringPolicy
    from kaohe.results.models import ResultSnapshot
    from kaohe.scoring import services as scoring

    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    call_command("flush", interactive=False, verbosity=0)
    assert not User.objects.exists() and not Plan.objects.exists()
    url = live_server.url

    # --- installation: one command -------------------------------------------------------------------------------
    out = io.StringIO()
    call_command(
        "setup_installation", "--province", "河南省", "--city", "焦作市", "--office", OFFICE, "--sysadmin", "jz_sysadmin",
        stdout=out,
    )  # fmt: skip
    sysadmin_password = re.search(r"账号 jz_sysadmin  一次性初始密码：(\S+)", out.getvalue()).group(1)

    # --- the system administrator creates the office's account --------------------------------------------------
    first_login(page, url, "jz_sysadmin", sysadmin_password, "sysadmin")
    page.goto(f"{url}/accounts/users/new")
    page.fill("#id_username", "jz_office")
    page.fill("#id_display_name", "考核办工作人员（演示）")
    page.click("form:has(#id_display_name) button[type=submit]")
    office_password = page.inner_text("[data-testid=initial-password]").strip()
    shot(page, "year-01-sysadmin-creates-office-account")
    page.click("text=前往账号页，授予角色")
    office_org = Organisation.objects.get(name=OFFICE)
    page.select_option("#id_organisation", str(office_org.pk))
    page.select_option("#id_role", "office")
    page.click("form:has(#id_role) button[type=submit]")
    page.wait_for_selector("[data-testid=membership-table]")
    assert "考核办" in page.inner_text("[data-testid=membership-table]")
    shot(page, "year-02-office-role-granted")

    # --- the office: a new plan and its settings ------------------------------------------------------------------
    first_login(page, url, "jz_office", office_password, "office")
    page.goto(f"{url}/plans/new/")
    page.fill("#id_year", "2021")
    page.fill("#id_title", "焦作市2021年度依法行政考核")
    page.fill("#id_doc_number", "焦法政办〔2021〕1号")
    page.fill("#id_period_start", "2021-01-01")
    page.fill("#id_period_end", "2021-12-31")
    shot(page, "year-03-new-plan")
    page.click("[data-testid=create-form] button[type=submit]")
    page.wait_for_selector("[data-testid=category-table]")
    plan = Plan.objects.get(title="焦作市2021年度依法行政考核")
    page.get_by_role("link", name="方案设置", exact=True).click()
    page.wait_for_selector("[data-testid=settings-form]")
    assert page.input_value("#id_daily_scores_deadline") == "2022-01-20"  # proposed, as Jiaozuo's "1月20日之前"
    page.fill("#id_submission_deadline", "2021-12-31")
    # The 2021 plan is graded today (the test runs in real time): the enforced scoring deadline lies ahead.
    page.fill("#id_daily_scores_deadline", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.fill("#id_consultation_days", "5")
    shot(page, "year-04-settings")
    page.click("[data-testid=settings-save]")
    page.wait_for_selector("text=方案设置已保存")
    plan.refresh_from_db()
    assert plan.daily_scores_deadline is not None and plan.consultation_days == 5

    # --- units and desks, with their accounts and the password sheet --------------------------------------------
    _upload(page, url, plan.pk, "units", "附件1.xlsx", units_table())
    shot(page, "year-05-units-preview")
    _apply(page, accounts=True)
    unit_passwords = _sheet(page)
    assert set(unit_passwords) == {"jz_xiuwu", "jz_boai"}
    shot(page, "year-06-password-sheet-units")
    _upload(page, url, plan.pk, "assessors", "附件2.xlsx", desks_table())
    _apply(page, accounts=True)
    desk_passwords = _sheet(page)
    assert set(desk_passwords) == {"jz_sfj", "jz_dsj"}
    shot(page, "year-07-password-sheet-desks")
    page.reload()  # shown once only
    assert page.locator("[data-testid=password-sheet]").count() == 0
    assert not any(p in page.content() for p in (*unit_passwords.values(), *desk_passwords.values()))

    # --- the indicator table, then the tree in pages ----------------------------------------------------------------
    _upload(page, url, plan.pk, "indicators", "附件3.xlsx", indicator_table(), category="县区政府")
    shot(page, "year-08-indicators-preview")
    _apply(page, accounts=False)
    category = Category.objects.get(plan=plan, name="县区政府")
    tasks = {t.name: t for t in Indicator.objects.filter(category=category, level=3)}
    assert [tasks[n].points for n in ("规范性文件备案审查情况", "重大行政决策程序执行情况")] == [Decimal(40), Decimal(30)]

    three = tasks["行政执法三项制度落实情况"]
    page.goto(f"{url}/plans/{plan.pk}/categories/{category.pk}/edit/{three.pk}/")
    page.check("#id_counts_next_year")
    page.click("[data-testid=indicator-form] button[type=submit]")
    page.wait_for_selector("[data-testid=tree-editor]")

    decisions = tasks["重大行政决策程序执行情况"].parent
    page.goto(f"{url}/plans/{plan.pk}/categories/{category.pk}/edit/add?level=3&parent={decisions.pk}")
    page.fill("#id_name", "政务公开工作情况")
    page.fill("#id_points", "10")
    page.select_option("#id_method", "daily")
    desk_b = AssessorDesk.objects.get(plan=plan, organisation__name=DESK_B)
    page.select_option("#id_assessor", str(desk_b.pk))
    page.click("[data-testid=indicator-form] button[type=submit]")
    page.wait_for_selector("[data-testid=tree-editor]")
    added = Indicator.objects.get(category=category, name="政务公开工作情况")
    page.locator(f"[data-testid=edit-row][data-code='{added.code}']").get_by_role("button", name=f"上移 {added.code}").click()
    page.wait_for_selector("[data-testid=tree-editor]")
    added.refresh_from_db()
    assert added.code.endswith(".1")  # moved above 重大行政决策
    assert "100" in page.inner_text("[data-testid=task-total]")
    shot(page, "year-09-tree-edited")

    # --- the Jiaozuo rules ----------------------------------------------------------------------------------------
    page.goto(f"{url}/plans/{plan.pk}/policy/")
    page.fill("#id_platform_weight", "80")
    page.fill("#id_field_weight", "15")
    page.fill("#id_case_review_weight", "5")
    page.fill("#id_bands-0-name", "优秀")
    page.fill("#id_bands-0-min", "90")
    page.fill("#id_bands-0-quota_pct", "50")
    page.fill("#id_bands-1-name", "良好")
    page.fill("#id_bands-1-min", "0")
    page.fill("#id_bands-1-quota_pct", "")
    for row in (2, 3):
        if page.locator(f"#id_bands-{row}-name").count():
            page.fill(f"#id_bands-{row}-name", "")
    page.click("button[value=save]")
    page.wait_for_selector("text=评分规则已保存")
    shot(page, "year-10-jiaozuo-rules")
    policy = ScoringPolicy.objects.get(plan=plan)
    assert [b["name"] for b in policy.grade_bands] == ["优秀", "良好"]

    # --- publication ----------------------------------------------------------------------------------------------
    page.goto(f"{url}/plans/{plan.pk}/publish/")
    if page.locator("#id_accept_warnings").count():
        page.check("#id_accept_warnings")
    shot(page, "year-11-publish")
    page.click("form button:has-text('发布考核方案')")
    page.wait_for_selector("text=考核方案已发布")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED

    # --- a unit and a desk: initial passwords, changed at once ------------------------------------------------------
    first_login(page, url, "jz_xiuwu", unit_passwords["jz_xiuwu"], "unit")
    page.goto(f"{url}/plans/{plan.pk}/")
    assert "焦作市2021年度依法行政考核" in page.inner_text("body")
    shot(page, "year-12-unit-home")
    first_login(page, url, "jz_sfj", desk_passwords["jz_sfj"], "desk")
    page.goto(f"{url}/plans/{plan.pk}/evaluate/")
    shot(page, "year-13-desk-grid")

    # --- grading (the desks' services; the grid itself is driven in test_grading.py) -----------------------------
    desk_a_user = User.objects.get(username="jz_sfj")
    desk_b_user = User.objects.get(username="jz_dsj")
    filing, decision = tasks["规范性文件备案审查情况"], tasks["重大行政决策程序执行情况"]
    field, cases = tasks["实地考察依法行政工作"], tasks["行政执法案卷评查"]
    grades = {
        # unit: (备案审查 grade, 决策 grade, 政务公开 score, 实地 score, 评查 score)
        COUNTIES[0]: ("excellent", "good", "10", "14", "5"),
        COUNTIES[1]: ("good", "excellent", "10", "15", "5"),
    }
    for name, (g1, g2, open_score, field_score, case_score) in grades.items():
        unit = PlanUnit.objects.get(plan=plan, organisation__name=name)
        for task, kind, value, who in (
            (filing, "grade", g1, desk_a_user),
            (decision, "grade", g2, desk_a_user),
            (added, "score", open_score, desk_b_user),
            (field, "score", field_score, desk_a_user),
            (cases, "score", case_score, desk_a_user),
        ):
            kwargs = {kind: value, "reason": "" if value in ("excellent", "15", "5", "10") else "部分材料不全"}
            scoring.evaluation_record(actor=who, plan=plan, unit=unit, task=task, expected_version=None, **kwargs)

    # --- the office computes --------------------------------------------------------------------------------------
    login(page, url, "jz_office", NEW_PASSWORD)
    page.goto(f"{url}/plans/{plan.pk}/results/")
    page.click("form button:has-text('计算结果')")
    page.wait_for_selector("text=已完成第1次计算")
    shot(page, "year-14-results")
    snapshot = ResultSnapshot.objects.filter(plan=plan).latest("seq")
    assert snapshot.complete
    units = next(iter(snapshot.data["categories"].values()))["units"]
    computed = {u["name"]: (Decimal(u["final"]), u["rank"], u["grade"]) for u in units.values()}

    # The hand computation (docs/scoring.md §2, weights): each group earns weight × earned / possible.
    #   修武: 督导平台+日常 40 (优) + 24 (良 = 80 % of 30) + 10 = 74 of 80 → 74; 实地 14 of 15 → 14; 评查 5 of 5 → 5: 93.00
    #   博爱: 32 (良 of 40) + 30 (优) + 10 = 72 of 80 → 72; 实地 15 → 15; 评查 5 → 5: 92.00
    #   行政执法三项制度 (明年考核) counts for neither. 优秀 needs 90 and is limited to 50 % of 2 units = 1:
    #   修武 优秀 (rank 1); 博爱 92 ≥ 90 but over the quota → 良好 (rank 2).
    hand = {
        COUNTIES[0]: (
            Decimal(80) * (Decimal(40) + Decimal(24) + Decimal(10)) / Decimal(80) + Decimal(14) + Decimal(5),
            1,
            "优秀",
        ),
        COUNTIES[1]: (
            Decimal(80) * (Decimal(32) + Decimal(30) + Decimal(10)) / Decimal(80) + Decimal(15) + Decimal(5),
            2,
            "良好",
        ),
    }
    assert computed == {name: (score.quantize(Decimal("0.01")), rank, grade) for name, (score, rank, grade) in hand.items()}
    assert computed[COUNTIES[0]][0] == Decimal("93.00") and computed[COUNTIES[1]][0] == Decimal("92.00")
    assert missing == []
    assert page.console_errors == []
