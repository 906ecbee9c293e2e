"""The real objects the URL × persona matrix walks: one of each kind, in the small city's plan (tests/city.py), made
through the services.

``build_world()`` runs once per matrix module (inside a transaction that is rolled back afterwards) and plays a
short 2020 cycle for 舞钢市人民政府 (the unit of ``unit_wugang``): evidence uploaded in time, a 不涉及 record,
a bonus application, a deduction and a veto flag; 实地考察组 第一组 (leader ``field_a``) visiting 舞钢 with a
photo; a case-file sample of 舞钢 with a file assigned to ``reviewer_a``; an oral and an online ability test of
舞钢 with their testees and a pending bank import; feedback released with a problem (→ a rectification item and
its report) and a 复核 request, answered; every unit graded, results computed, consulted, approved and published
with a copy recipient; a holiday date of the working-day calendar and a login session of the office.

Each id the matrix puts into a URL comes from ``World.ids`` (URL parameter → object), or from ``World.per_url``
where a parameter name means different objects in different apps (``file_id``, ``item_id``, ``task_id``, ``test_id``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from kaohe.core.models_job import Job, JobStatus
from tests import factories as f
from tests.city import PLAN_TITLE
from tests.matrix_world_exchange import add_exchange
from tests.matrix_world_extra import add_to_world

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
WUGANG = "舞钢市人民政府"
DESK = "市司法局依法行政指导科"


@dataclass
class World:
    ids: dict[str, Model] = field(default_factory=dict)  # URL parameter → object, the same for every URL
    per_url: dict[str, dict[str, Model]] = field(default_factory=dict)  # URL name → {parameter → object}


@contextmanager
def beijing(y: int, m: int, d: int, hh: int = 10) -> Iterator[None]:
    """Play a step of the 2020 cycle on its day (the services read ``timezone.now()``)."""
    moment = dt.datetime(y, m, d, hh, 0, tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", lambda: moment):
        yield


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def applied_units_import(plan: Any, office: Any) -> Any:
    """An applied 考核对象名单 import record of the plan, with its stored table (the city is built without imports)."""
    import hashlib
    import io

    from django.core.files.base import ContentFile
    from openpyxl import Workbook

    from kaohe.plans.models import PlanImport

    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(["序号", "考核对象", "类别"])
    sheet.append([1, WUGANG, "县区政府"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = buffer.getvalue()
    record = PlanImport(
        plan=plan,
        kind=PlanImport.Kind.UNITS,
        original_name="考核对象名单.xlsx",
        size=len(table),
        sha256=hashlib.sha256(table).hexdigest(),
        status=PlanImport.Status.APPLIED,
        applied_at=plan.published_at,
        created_by=office,
    )
    record.file.save("考核对象名单.xlsx", ContentFile(table), save=False)
    record.save()
    return record


def build_world() -> World:
    from kaohe.accounts.models import User, UserSession
    from kaohe.core import services_calendar
    from kaohe.core.calendar import BUILTIN_YEARS
    from kaohe.inspections.abilitytests import services as abilitytests
    from kaohe.inspections.abilitytests.draws import Rule
    from kaohe.inspections.abilitytests.models import AbilityTest, RosterVersion, Testee
    from kaohe.inspections.abilitytests.sheets import bank_template, bank_workbook
    from kaohe.inspections.abilitytests.tests.conftest import bank_rows, roster_people
    from kaohe.inspections.casefiles import services as casefiles
    from kaohe.inspections.casefiles.models import CaseFile, CaseFileKind, ChecklistItem, ReviewSetting, SampledFile
    from kaohe.inspections.fieldwork import services as fieldwork
    from kaohe.inspections.fieldwork.selectors import field_tasks
    from kaohe.organisations.models import Membership, Organisation
    from kaohe.organisations.roles import Role
    from kaohe.plans.constants import Adjustment, Level, Method
    from kaohe.plans.models import Indicator, Plan, PlanUnit
    from kaohe.results import services as results
    from kaohe.reviews import services as reviews
    from kaohe.reviews import services_rectification, services_unit_report
    from kaohe.reviews.models import Feedback, RectificationItem, ReviewRequest
    from kaohe.scoring import services as scoring
    from kaohe.scoring import services_adjustments
    from kaohe.scoring.models import Evaluation, GradeChoice
    from kaohe.scoring.services_adjustments import VetoKind
    from kaohe.submissions import services as submissions
    from kaohe.submissions.models import EvidenceFile

    users = {u.username: u for u in User.objects.all()}
    office, desk, unit, field_user, reviewer = (users[n] for n in ("office", "desk_yfxz", "unit_wugang", "field_a", "reviewer_a"))
    plan = Plan.objects.get(title=PLAN_TITLE)
    wugang = PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name=WUGANG)
    county = wugang.category
    world = World()
    world.ids.update(plan_id=plan, category_id=county, unit_id=wugang)
    world.ids["import_id"] = applied_units_import(plan, office)
    # Two more 实地考核 tasks of the county table, for 舞钢's oral and online ability tests (before anything is graded).
    f.task(county, "3.1.2", 5, name="领导干部依法行政能力测试", method=Method.FIELD)
    f.task(county, "3.1.3", 5, name="机关人员依法行政能力测试", method=Method.FIELD)

    def county_tasks(method: str, **extra: Any) -> list[Indicator]:
        return list(
            Indicator.objects.filter(plan=plan, category=county, level=Level.TASK, method=method, **extra).order_by("order")
        )

    desk_tasks = county_tasks(Method.SUBMISSION, assessor__organisation__name=DESK)
    task = desk_tasks[0]  # the 报送资料 task of 舞钢 graded by desk_yfxz
    world.ids["task_id"] = task
    world.ids["indicator_id"] = task  # the tree editor's node: the same task of the county table

    # 报送资料: 舞钢 uploads its evidence for the task in time.
    with beijing(2020, 12, 20):
        (uploaded,) = submissions.evidence_upload(actor=unit, plan=plan, unit=wugang, task=task, files=[pdf("总结报告.pdf")])
    assert uploaded.accepted and uploaded.file_id, uploaded.message
    evidence = EvidenceFile.objects.get(pk=uploaded.file_id)
    for name in ("submissions:download", "submissions:preview", "submissions:withdraw"):
        world.per_url[name] = {"file_id": evidence}

    # 评价: every unit graded in full (bulk, as the results tests do); 舞钢's task graded 良 by its desk (a deduction).
    rows = []
    for planunit in PlanUnit.objects.filter(plan=plan).select_related("category"):
        for t in Indicator.objects.filter(plan=plan, category=planunit.category_id, level=Level.TASK, points__isnull=False):
            if planunit.pk == wugang.pk and t.pk == task.pk:
                continue
            score = Decimal("0.00") if t.adjustment == Adjustment.BONUS else t.points
            rows.append(
                Evaluation(
                    plan=plan,
                    unit=planunit,
                    task=t,
                    grade=GradeChoice.EXCELLENT if t.method == Method.SUBMISSION else "",
                    score=score,
                    desk=t.assessor,
                    evaluated_by=office,
                    evaluated_at=dt.datetime(2021, 1, 18, 10, tzinfo=SHANGHAI),
                )
            )
    Evaluation.objects.bulk_create(rows)
    scoring.evaluation_record(
        actor=desk, plan=plan, unit=wugang, task=task, grade="good", reason="制度文件未按时报送", expected_version=None
    )

    # 不涉及 and 加减分 of 舞钢.
    not_applicable = scoring.not_applicable_set(
        actor=office, plan=plan, unit=wugang, task=desk_tasks[1], reason="本年度未发生该类事项"
    )
    world.ids["na_id"] = not_applicable
    application = services_adjustments.bonus_application_submit(
        actor=unit, plan=plan, unit=wugang, kind="award", matter="获评省级法治政府建设示范县", evidence=pdf("表彰决定.pdf")
    )
    world.ids["application_id"] = application
    deduction = services_adjustments.deduction_record(
        actor=office,
        plan=plan,
        unit=wugang,
        kind="illegal_decision",
        matter="超越法定权限作出重大行政决策",
        points=Decimal(1),
        task=None,
        reason="经查，该决策未经合法性审查",
    )
    world.ids["deduction_id"] = deduction
    flag = services_adjustments.veto_flag_set(
        actor=office, plan=plan, unit=wugang, flag=VetoKind.TWO_LOST_LAWSUITS, note="（2020）豫04行终12号、13号"
    )
    world.ids["flag_id"] = flag

    # 实地考核: 第一组 (leader field_a) visits 舞钢; field_a takes a photo for a 实地考核 task.
    plan.field_start, plan.field_end = dt.date(2021, 1, 20), dt.date(2021, 1, 29)  # the 2020 plan's 实地考核 time
    plan.save(update_fields=["field_start", "field_end", "updated_at"])
    plan.refresh_from_db()
    group = fieldwork.group_save(actor=office, plan=plan, name="第一组", leader_id=field_user.pk, member_ids=[])
    assignment, _ = fieldwork.assignment_set(actor=office, plan=plan, group=group, unit=wugang, visit_date=dt.date(2021, 1, 21))
    on_site = list(field_tasks(plan, county.pk))
    photo = fieldwork.photo_add(
        actor=field_user,
        plan=plan,
        unit_id=wugang.pk,
        task_id=on_site[0].pk,
        upload=SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
    )
    world.ids.update(group_id=group, assignment_id=assignment, photo_id=photo)
    for name in ("fieldwork:score", "fieldwork:photo_upload"):
        world.per_url[name] = {"task_id": on_site[0]}

    # 案卷集中评查: the default checklist and 舞钢's list (5 行政执法 and 2 行政复议 files, listed in time);
    # reviewer_a on the panel; 舞钢's files sampled, the first assigned to reviewer_a.
    ReviewSetting.objects.get_or_create(plan=plan)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(plan=plan, order=i, name=name, max_deduction=points, description=text)
        for i, (name, points, text) in enumerate(casefiles.DEFAULT_CHECKLIST, 1)
    )
    kinds = [CaseFileKind.ENFORCEMENT] * 5 + [CaseFileKind.RECONSIDERATION] * 2
    CaseFile.objects.bulk_create(
        CaseFile(
            plan=plan,
            unit=wugang,
            number=f"舞{'罚' if kind == CaseFileKind.ENFORCEMENT else '复'}决字〔2020〕{n}号",
            kind=kind,
            decided_on=dt.date(2020, 1 + n, 5),
            handler=f"工作人员{n:02d}",
            listed_by=unit,
        )
        for n, kind in enumerate(kinds, 1)
    )
    membership = Membership.objects.get(user=reviewer, role=Role.CASE_REVIEWER)
    panel_member = casefiles.reviewer_add(actor=office, plan=plan, membership=membership)
    casefiles.sample_draw(actor=office, plan=plan, units=[wugang], requested=2, stratified=False, take_all_if_fewer=True)
    sampled = SampledFile.objects.filter(sample__unit=wugang).select_related("sample").order_by("pk").first()
    assert sampled is not None
    casefiles.file_assign(actor=office, plan=plan, sampled=sampled, reviewer=panel_member)
    world.ids.update(sample_id=sampled.sample, sampled_id=sampled, reviewer_id=panel_member)
    listed = CaseFile.objects.filter(unit=wugang).exclude(pk=sampled.case_file_id).order_by("pk").first()
    assert listed is not None
    checklist_item = ChecklistItem.objects.filter(plan=plan).order_by("order").first()
    assert checklist_item is not None
    for name in ("casefiles:file_edit", "casefiles:file_delete"):
        world.per_url[name] = {"file_id": listed}
    for name in ("casefiles:checklist_edit", "casefiles:checklist_delete"):
        world.per_url[name] = {"item_id": checklist_item}

    # 依法行政能力测试 of 舞钢: its roster, the bank, an oral test and an online test (drawn, paper made), a pending
    # bank import.
    bank = abilitytests.bank_import_upload(actor=office, plan=plan, data=bank_workbook(bank_rows()), original_name="题库.xlsx")
    abilitytests.bank_import_apply(actor=office, record=bank, accept_warnings=True)
    abilitytests.roster_save(
        actor=office,
        plan=plan,
        unit=wugang,
        people=roster_people(),
        source=RosterVersion.Source.IMPORT,
        note="名册",
        expected_number=0,
    )
    rules = [Rule("leader", 1, 1), Rule("staff", 2, 2)]
    no_paper = {"single": 0, "multiple": 0, "judge": 0, "short": 0, "category": "", "difficulty": ""}
    oral = abilitytests.abilitytest_create(
        actor=office,
        plan=plan,
        unit=wugang,
        task=on_site[1],
        mode=AbilityTest.Mode.ORAL,
        rules=rules,
        paper_rules=no_paper,
        time_limit_minutes=20,
        oral_max_score=Decimal(100),
    )
    online = abilitytests.abilitytest_create(
        actor=office,
        plan=plan,
        unit=wugang,
        task=on_site[2],
        mode=AbilityTest.Mode.ONLINE,
        rules=rules,
        paper_rules={**no_paper, "single": 2, "judge": 2},
        time_limit_minutes=20,
        oral_max_score=Decimal(100),
    )
    abilitytests.draw_make(actor=office, test=oral)
    abilitytests.draw_make(actor=office, test=online)
    abilitytests.paper_make(actor=office, test=online)
    world.ids["test_id"] = online
    for name in ("abilitytests:oral", "abilitytests:oral_save"):
        world.per_url[name] = {"test_id": oral}
    testee = Testee.objects.filter(test=online).order_by("pk").first()
    assert testee is not None
    world.ids["testee_id"] = testee
    bank_import = abilitytests.bank_import_upload(actor=office, plan=plan, data=bank_template(), original_name="题库模板.xlsx")
    world.ids["bank_import_id"] = bank_import

    # 问题反馈 and 复核: a problem, feedback released, received, a review of the deducted task filed and answered.
    with beijing(2021, 4, 28):
        reviews.feedback_problem_add(actor=office, plan=plan, unit=wugang, task=task, text="行政规范性文件备案不及时")
        reviews.feedback_release(actor=office, plan=plan, units=[wugang])
        feedback = Feedback.objects.get(plan=plan, unit=wugang)
        reviews.feedback_acknowledge(actor=unit, plan=plan, feedback=feedback)
    with beijing(2021, 4, 30):
        review = reviews.review_request_file(
            actor=unit,
            plan=plan,
            feedback=feedback,
            task=task,
            reasons="制度文件已按时报送，附报送回执",
            attachment=pdf("回执.pdf"),
        )
    with beijing(2021, 5, 6):
        reviews.review_decide(
            actor=office, plan=plan, review=review, decision=ReviewRequest.Status.UPHELD, answer="经核查，维持原评价"
        )
    world.ids["request_id"] = review
    world.per_url["reviews:request"] = {"task_id": task}
    world.per_url["reviews:deem"] = {"feedback_id": feedback}

    # 整改: the problem became 舞钢's rectification item; 舞钢 reports on it.
    item = RectificationItem.objects.get(plan=plan, unit=wugang)
    with beijing(2021, 5, 20):
        report = services_rectification.rectification_report(
            actor=unit, plan=plan, item=item, text="已建立备案台账，按月报送", attachment=pdf("整改报告.pdf")
        )
    for name in ("reviews:rectification_report", "reviews:rectification_decide", "reviews:rectification_due"):
        world.per_url[name] = {"item_id": item}
    world.ids["report_id"] = report
    # 整改情况报告: 舞钢's formal report, awaiting the office.
    with beijing(2021, 5, 25):
        unit_report = services_unit_report.unit_report_submit(
            actor=unit,
            plan=plan,
            unit=wugang,
            upload=pdf("舞钢市人民政府整改情况报告.pdf"),
            doc_number="舞政〔2021〕12号",
            doc_date=dt.date(2021, 5, 24),
            signer_name="张三",
            signer_post="市长",
            leader_reviewed=True,
        )
    world.per_url["reviews:unit_report_decide"] = {"report_id": unit_report.report}
    world.ids["version_id"] = unit_report
    # 年度报告: 舞钢's 法治政府建设年度报告, filed in the first quarter.
    from kaohe.insights import services_reports

    with beijing(2021, 3, 10):
        annual = services_reports.annual_report_submit(
            actor=unit, plan=plan, unit=wugang, upload=pdf("舞钢市2020年度法治政府建设工作报告.pdf")
        )
    world.per_url["insights:report_file"] = {"version_id": annual}

    # 结果: computed (complete), consulted with a copy recipient, approved and published.
    # An undecided 加分申请 blocks publication (finding 8 of the penetration test): the office decides it first.
    services_adjustments.bonus_application_decide(actor=office, plan=plan, application=application, approve=True)
    snapshot = results.results_compute(actor=office, plan=plan, missing_policy="report")
    assert snapshot.complete, "every unit must be graded for the release"
    world.ids["snapshot_id"] = snapshot
    # A finished background job of the office's (the snapshot's .xlsx), with its file: the office's only.
    world.ids["job_id"] = Job.objects.create(
        kind="results.export",
        plan_id=plan.pk,
        requested_by=office,
        title="第1次计算 导出考核结果（Excel）",
        status=JobStatus.DONE,
        result_name=default_storage.save("jobs/matrix/result.xlsx", ContentFile(b"PK")),
        result_filename="考核结果.xlsx",
    )
    release = results.release_start(
        actor=office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=5)
    )
    recipient_org, _ = Organisation.objects.get_or_create(
        region=plan.organiser.region, name="市纪委监委", defaults={"kind": Organisation.Kind.DEPARTMENT}
    )
    recipient = results.copy_recipient_add(actor=office, plan=plan, release=release, organisation=recipient_org)
    world.ids["recipient_id"] = recipient
    results.consultation_close(actor=office, plan=plan, release=release)
    results.release_approve(
        actor=office, plan=plan, release=release, approved_by="市法治政府建设领导小组会议审定", approved_on=timezone.localdate()
    )
    results.release_publish(actor=office, plan=plan, release=release)

    # The working-day calendar (installation-wide) and a login session of the office.
    year = services_calendar.holiday_year_copy_builtin(actor=office, year=max(BUILTIN_YEARS))
    world.ids["date_id"] = year.dates.order_by("date")[0]
    Client().force_login(office)
    world.ids["session_id"] = UserSession.objects.filter(user=office).order_by("-pk")[0]

    # 账号管理 (三员分立): 舞钢's account and its membership; a pending proposal of an admin power by the
    # system administrator for a new account, which only the security administrator may decide.
    from kaohe.organisations import services as organisation_services
    from kaohe.organisations.models import Membership
    from kaohe.organisations.roles import Role

    unit_user = User.objects.get(username="unit_wugang")
    world.ids["account_id"] = unit_user
    world.ids["membership_id"] = Membership.objects.get(user=unit_user, role=Role.UNIT)
    newcomer = User.objects.create(username="matrix_newcomer", display_name="新账号（测试）")
    sysadmin = User.objects.get(username="sysadmin")
    world.ids["proposal_id"] = organisation_services.membership_grant(
        actor=sysadmin, user=newcomer, organisation=plan.organiser, role=Role.AUDIT_ADMIN
    )
    add_to_world(world, plan, office)  # 结果运用, 典型经验 (tests/matrix_world_extra.py)
    add_exchange(world, plan, office)  # 数据交换 (tests/matrix_world_exchange.py)
    return world
