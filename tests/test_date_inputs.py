"""Every date a person can type, through its page, refuses 0001-01-01, 9999-12-31 and malformed text (finding 4).

Each input below is posted (or filtered) as its persona with a date that works, then with each bad value:
the good one must be saved (so the set-up is right and the bad cases can fail), every bad one refused with
a Chinese message and nothing saved. ``COVERED`` lists the form fields these cases exercise; the test that
walks every form of the code base (kaohe/core/tests/test_dates.py) makes sure no date field is unbounded,
and the last test here that each of those fields is covered by a case below.

The clock is fixed at 2020-12-20 10:00 Beijing time, inside the small city's 2020 cycle (tests/city.py), so its window is
2018-01-01..2022-12-31 (the plan's year ± 2).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from kaohe.accounts.models import User
from kaohe.api.models import ApiToken
from kaohe.core.dates import SITE_DATE_BOUNDS, Bounds, bounds_message
from kaohe.core.models_calendar import HolidayCalendarYear
from kaohe.insights.models_reports import AnnualReportSetting, AnnualReportVersion
from kaohe.inspections.casefiles.models import CaseFile, ListingExtension
from kaohe.inspections.fieldwork.models import FieldAssignment
from kaohe.organisations.models import Membership
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.results.models import ReleaseApproval, ReleaseStatus, ResultRelease, ResultSnapshot
from kaohe.reviews.models import (
    Feedback,
    FeedbackProblem,
    RectificationItem,
    RectificationSetting,
    Talk,
    UnitReportVersion,
)
from kaohe.submissions.models import Extension, Submission, SupplementRequest, TaskEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 12, 20, 10, 0, tzinfo=SHANGHAI)
PLAN_WINDOW: Bounds = (dt.date(2018, 1, 1), dt.date(2022, 12, 31))
CASE_WINDOW: Bounds = (dt.date(2019, 1, 1), dt.date(2020, 12, 31))
FAR = ("0001-01-01", "9999-12-31")
MALFORMED = ("2020-13-45", "abc")
BAD = (*FAR, *MALFORMED)


@pytest.fixture(autouse=True)
def _in_the_2020_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


# --------------------------------------------------------------------------------------------- set-ups


def _unit(plan: Plan, name: str = "舞钢市人民政府") -> PlanUnit:
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name=name)


def _task(plan: Plan) -> Indicator:
    """A 县区政府 报送资料 task graded by 市司法局依法行政指导科 (desk_yfxz), due 2020-12-31."""
    task = (
        Indicator.objects.filter(
            plan=plan,
            category__name="县区政府",
            level=Level.TASK,
            method=Method.SUBMISSION,
            assessor__organisation__name="市司法局依法行政指导科",
            deadline=dt.date(2020, 12, 31),
        )
        .order_by("order")
        .first()
    )
    assert task is not None
    return task


def _submitted(plan: Plan, personas: Any) -> dict[str, Any]:
    unit, task = _unit(plan), _task(plan)
    Submission.objects.create(plan=plan, unit=unit, task=task, status=Submission.Status.SUBMITTED, first_submitted_at=NOW)
    return {"unit": unit, "task": task}


def _rectification_item(plan: Plan, personas: Any) -> dict[str, Any]:
    unit = _unit(plan)
    feedback = Feedback.objects.create(plan=plan, unit=unit, released_by=personas.office, released_at=NOW)
    problem = FeedbackProblem.objects.create(
        feedback=feedback, text="行政规范性文件未按规定备案", added_by=personas.office, added_at=NOW
    )
    item = RectificationItem.objects.create(
        plan=plan, unit=unit, problem=problem, text=problem.text, due_date=dt.date(2021, 5, 31)
    )
    return {"item": item}


def _snapshot(plan: Plan, personas: Any) -> ResultSnapshot:
    """A complete snapshot of the plan's rows as they are (consultation and 审定 refuse a stale one)."""
    from kaohe.results.loader import digest_of, load_plan

    inputs = load_plan(plan, "report").inputs
    return ResultSnapshot.objects.create(
        plan=plan,
        seq=1,
        computed_by=personas.office,
        computed_at=NOW,
        missing_policy="report",
        complete=True,
        inputs_digest=digest_of(inputs),
        inputs=inputs,
    )


def _release(plan: Plan, personas: Any, status: str = ReleaseStatus.CONSULTING) -> dict[str, Any]:
    release = ResultRelease.objects.create(
        plan=plan,
        seq=1,
        snapshot=_snapshot(plan, personas),
        status=status,
        created_by=personas.office,
        created_at=NOW,
        consult_until=dt.date(2020, 12, 25),
    )
    return {"release": release}


def _field_group(plan: Plan, personas: Any) -> dict[str, Any]:
    """A group and no 实地考核 window, so only the date bounds stand between a far date and the schedule."""
    from kaohe.inspections.fieldwork import services

    Plan.objects.filter(pk=plan.pk).update(field_start=None, field_end=None)
    group = services.group_save(actor=personas.office, plan=plan, name="第一组", leader_id=personas.field.pk, member_ids=[])
    return {"group": group, "unit": _unit(plan)}


def _case_file(plan: Plan, personas: Any) -> dict[str, Any]:
    unit = _unit(plan)
    case_file = CaseFile.objects.create(
        plan=plan,
        unit=unit,
        number="舞罚决字〔2020〕88号",
        kind="enforcement",
        decided_on=dt.date(2020, 6, 30),
        handler="工作人员08",
        listed_by=personas.unit,
    )
    return {"unit": unit, "case_file": case_file}


def _auditor(plan: Plan, personas: Any) -> dict[str, Any]:
    user = User.objects.create_user(username="auditor_dates", password="x", display_name="审计管理员")
    Membership.objects.create(user=user, organisation=plan.organiser, role=Role.AUDIT_ADMIN)
    return {"user": user}


def _case_list_xlsx(value: str) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["案号", "案卷类型", "决定日期", "承办人", "备注"])
    sheet.append(["舞罚决字〔2020〕77号", "行政执法", value, "工作人员07", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("案卷目录.xlsx", buffer.getvalue())


# --------------------------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class DateInput:
    """One date input: where it is, who uses it, what it saves, and what it says when refusing."""

    id: str
    persona: str  # an attribute of Personas, or "user" from the set-up
    url: Callable[[Plan, dict[str, Any]], str]
    data: Callable[[Plan, dict[str, Any], str], dict[str, Any]]
    saved: Callable[[Plan, dict[str, Any]], Any]  # changes when the write happens
    good: str
    label: str  # the field's label in the refusal ({value}: the date as typed)
    window: Bounds = PLAN_WINDOW
    invalid: str = ""  # the refusal of malformed text (default: the label's "不是有效的日期")
    covers: tuple[str, ...] = ()  # "module.Form.field" of the form fields this input reaches
    setup: Callable[[Plan, Any], dict[str, Any]] = field(default=lambda plan, personas: {})
    method: str = "post"

    def far_refusal(self, value: str) -> str:
        return bounds_message(self.window, field_label=self.label.format(value=value))

    def malformed_refusal(self) -> str:
        return self.invalid or f"{self.label}不是有效的日期"


def _event_task(plan: Plan, personas: Any) -> dict[str, Any]:
    """舞钢 and the desk's task, made event-driven (事件触发报送: 出庭应诉)."""
    task = _task(plan)
    Indicator.objects.filter(pk=task.pk).update(event_label="出庭应诉")
    return {"unit": _unit(plan), "task": task}


def _url(name: str, *args: Any) -> Callable[[Plan, dict[str, Any]], str]:
    return lambda plan, ctx: reverse(name, args=[plan.pk, *(ctx[a].pk if isinstance(a, str) else a for a in args)])


INPUTS = [
    DateInput(
        id="plans.create.period_start",
        persona="office",
        url=lambda plan, ctx: reverse("plans:create"),
        data=lambda plan, ctx, v: {
            "organiser": plan.organiser_id,
            "year": 2020,
            "title": "日期测试方案",
            "period_start": v,
            "period_end": "2020-12-31",
        },
        saved=lambda plan, ctx: Plan.objects.filter(title="日期测试方案").exists(),
        good="2020-01-01",
        label="考核期间起",
        covers=("kaohe.plans.forms.PlanCreateForm.period_start",),
    ),
    DateInput(
        id="plans.create.period_end",
        persona="office",
        url=lambda plan, ctx: reverse("plans:create"),
        data=lambda plan, ctx, v: {
            "organiser": plan.organiser_id,
            "year": 2020,
            "title": "日期测试方案",
            "period_start": "2020-01-01",
            "period_end": v,
        },
        saved=lambda plan, ctx: Plan.objects.filter(title="日期测试方案").exists(),
        good="2020-12-31",
        label="考核期间止",
        covers=("kaohe.plans.forms.PlanCreateForm.period_end",),
    ),
    DateInput(
        id="submissions.return.due_date",
        persona="desk",
        setup=_submitted,
        url=_url("submissions:return", "unit", "task"),
        data=lambda plan, ctx, v: {"reason": "缺少《证明事项清理意见表》", "due_date": v},
        saved=lambda plan, ctx: SupplementRequest.objects.filter(submission__task=ctx["task"]).count(),
        good="2021-01-08",
        label="补充截止日期",
        covers=("kaohe.submissions.forms.ReturnForm.due_date",),
    ),
    DateInput(
        id="submissions.event_record.occurred_on",
        persona="unit",
        setup=_event_task,
        url=_url("submissions:event_record", "unit", "task"),
        data=lambda plan, ctx, v: {"occurred_on": v, "description": "（2020）豫0481行初12号"},
        saved=lambda plan, ctx: TaskEvent.objects.filter(task=ctx["task"]).count(),
        good="2020-12-10",
        label="事件日期",
        covers=("kaohe.submissions.forms.TaskEventForm.occurred_on",),
    ),
    DateInput(
        id="submissions.extensions.new_deadline",
        persona="office",
        setup=lambda plan, personas: {"unit": _unit(plan), "task": _task(plan)},
        url=_url("submissions:extensions"),
        data=lambda plan, ctx, v: {"task": ctx["task"].pk, "unit": ctx["unit"].pk, "new_deadline": v, "reason": "因疫情延期"},
        saved=lambda plan, ctx: Extension.objects.filter(plan=plan).count(),
        good="2021-01-15",
        label="延至",
        covers=("kaohe.submissions.forms.ExtensionForm.new_deadline",),
    ),
    DateInput(
        id="reviews.rectification_due.due_date",
        persona="office",
        setup=_rectification_item,
        url=_url("reviews:rectification_due", "item"),
        data=lambda plan, ctx, v: {"due_date": v, "reason": "整改任务较重，延长期限"},
        saved=lambda plan, ctx: RectificationItem.objects.get(pk=ctx["item"].pk).due_date,
        good="2021-06-30",
        label="整改期限",
        invalid="整改期限不是有效的日期",
        covers=("kaohe.reviews.forms.RectificationDueForm.due_date",),
    ),
    DateInput(
        id="reviews.rectification_setting.due_date",
        persona="office",
        url=_url("reviews:rectification_setting"),
        data=lambda plan, ctx, v: {"due_date": v},
        saved=lambda plan, ctx: RectificationSetting.objects.filter(plan=plan).exists(),
        good="2021-05-31",
        label="整改期限",
        invalid="整改期限不是有效的日期",
        covers=("kaohe.reviews.forms.RectificationSettingForm.due_date",),
    ),
    DateInput(
        id="reviews.unit_report_submit.doc_date",
        persona="unit",
        setup=lambda plan, personas: {"unit": _unit(plan)},
        url=_url("reviews:unit_report_submit", "unit"),
        data=lambda plan, ctx, v: {
            "file": SimpleUploadedFile("整改情况报告.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
            "doc_number": "舞政〔2021〕12号",
            "doc_date": v,
            "signer_name": "张三",
            "signer_post": "市长",
            "leader_reviewed": "on",
        },
        saved=lambda plan, ctx: UnitReportVersion.objects.filter(report__plan=plan).count(),
        good="2020-12-18",
        label="成文日期",
        invalid="成文日期不是有效的日期",
        covers=("kaohe.reviews.forms_unit_report.UnitReportForm.doc_date",),
    ),
    DateInput(
        id="reviews.talk_create.held_on",
        persona="office",
        setup=lambda plan, personas: {"unit": _talks_open(plan)},
        url=_url("reviews:talk_create"),
        data=lambda plan, ctx, v: {"unit": ctx["unit"].pk, "held_on": v, "held_by": "考核办主任", "subject_name": "张三"},
        saved=lambda plan, ctx: Talk.objects.filter(plan=plan).count(),
        good="2020-12-18",
        label="约谈日期",
        invalid="约谈日期不是有效的日期",
        covers=("kaohe.reviews.forms_talks.TalkForm.held_on",),
    ),
    DateInput(
        id="results.release_start.consult_until",
        persona="office",
        setup=lambda plan, personas: {"snapshot": _snapshot(plan, personas)},
        url=_url("results:release_start"),
        data=lambda plan, ctx, v: {"snapshot": ctx["snapshot"].pk, "consult_until": v},
        saved=lambda plan, ctx: ResultRelease.objects.filter(plan=plan).count(),
        good="2020-12-28",
        label="征求意见截止日期",
        invalid="征求意见截止日期格式不正确",
        covers=("kaohe.results.forms.ReleaseStartForm.consult_until",),
    ),
    DateInput(
        id="results.approve.approved_on",
        persona="office",
        setup=lambda plan, personas: _release(plan, personas, ReleaseStatus.CLOSED),
        url=_url("results:approve"),
        data=lambda plan, ctx, v: {"approved_by": "市法治政府建设领导小组第3次会议审定", "approved_on": v},
        saved=lambda plan, ctx: ReleaseApproval.objects.filter(release=ctx["release"]).count(),
        good="2020-12-20",
        label="审定日期",
        invalid="审定日期格式不正确",
        covers=("kaohe.results.forms.ApprovalForm.approved_on",),
    ),
    DateInput(
        id="results.bulletin_edit.bulletin_date",
        persona="office",
        setup=_release,
        url=_url("results:bulletin_edit"),
        data=lambda plan, ctx, v: {"bulletin_date": v},
        saved=lambda plan, ctx: ResultRelease.objects.get(pk=ctx["release"].pk).bulletin_date,
        good="2020-12-25",
        label="成文日期",
        covers=("kaohe.results.forms.BulletinForm.bulletin_date",),
    ),
    DateInput(
        id="results.bulletin_edit.bulletin_imprint_date",
        persona="office",
        setup=_release,
        url=_url("results:bulletin_edit"),
        data=lambda plan, ctx, v: {"bulletin_imprint_date": v},
        saved=lambda plan, ctx: ResultRelease.objects.get(pk=ctx["release"].pk).bulletin_imprint_date,
        good="2020-12-26",
        label="印发日期",
        covers=("kaohe.results.forms.BulletinForm.bulletin_imprint_date",),
    ),
    DateInput(
        id="fieldwork.assign.visit_date",
        persona="office",
        setup=_field_group,
        url=_url("fieldwork:assign"),
        data=lambda plan, ctx, v: {"group": ctx["group"].pk, "unit": ctx["unit"].pk, "visit_date": v},
        saved=lambda plan, ctx: FieldAssignment.objects.filter(plan=plan).count(),
        good="2021-01-21",
        label="考察日期",
        invalid="日期格式应为 2021-01-20",
        covers=("kaohe.inspections.fieldwork.forms.AssignForm.visit_date",),
    ),
    DateInput(
        id="fieldwork.window.field_start",
        persona="office",
        setup=_field_group,
        url=_url("fieldwork:window"),
        data=lambda plan, ctx, v: {"field_start": v, "field_end": "2021-01-29"},
        saved=lambda plan, ctx: Plan.objects.get(pk=plan.pk).field_start,
        good="2021-01-20",
        label="实地考核开始日期",
        invalid="日期格式应为 2021-01-20",
        covers=("kaohe.inspections.fieldwork.forms.WindowForm.field_start",),
    ),
    DateInput(
        id="fieldwork.window.field_end",
        persona="office",
        setup=_field_group,
        url=_url("fieldwork:window"),
        data=lambda plan, ctx, v: {"field_start": "2021-01-20", "field_end": v},
        saved=lambda plan, ctx: Plan.objects.get(pk=plan.pk).field_end,
        good="2021-01-29",
        label="实地考核结束日期",
        invalid="日期格式应为 2021-01-20",
        covers=("kaohe.inspections.fieldwork.forms.WindowForm.field_end",),
    ),
    DateInput(
        id="casefiles.file_add.decided_on",
        persona="unit",
        setup=lambda plan, personas: {"unit": _unit(plan)},
        url=_url("casefiles:file_add", "unit"),
        data=lambda plan, ctx, v: {
            "number": "舞罚决字〔2020〕99号",
            "kind": "enforcement",
            "decided_on": v,
            "handler": "工作人员09",
        },
        saved=lambda plan, ctx: CaseFile.objects.filter(unit=ctx["unit"], number="舞罚决字〔2020〕99号").exists(),
        good="2020-11-02",
        label="决定日期",
        window=CASE_WINDOW,
        covers=("kaohe.inspections.casefiles.forms.CaseFileForm.decided_on",),
    ),
    DateInput(
        id="casefiles.file_edit.decided_on",
        persona="unit",
        setup=_case_file,
        url=_url("casefiles:file_edit", "case_file"),
        data=lambda plan, ctx, v: {
            "number": "舞罚决字〔2020〕88号",
            "kind": "enforcement",
            "decided_on": v,
            "handler": "工作人员08",
        },
        saved=lambda plan, ctx: CaseFile.objects.get(pk=ctx["case_file"].pk).decided_on,
        good="2019-03-01",
        label="决定日期",
        window=CASE_WINDOW,
        covers=("kaohe.inspections.casefiles.forms.CaseFileForm.decided_on",),
    ),
    DateInput(
        id="casefiles.file_import.decided_on",
        persona="unit",
        setup=lambda plan, personas: {"unit": _unit(plan)},
        url=_url("casefiles:file_import", "unit"),
        data=lambda plan, ctx, v: {"file": _case_list_xlsx(v)},
        saved=lambda plan, ctx: CaseFile.objects.filter(unit=ctx["unit"], number="舞罚决字〔2020〕77号").exists(),
        good="2020-07-08",
        label="第2行：决定日期（{value}）",
        window=CASE_WINDOW,
        invalid="不是有效日期（例如 2020-06-30）",
    ),
    DateInput(
        id="casefiles.extend.new_deadline",
        persona="office",
        setup=lambda plan, personas: {"unit": _unit(plan)},
        url=_url("casefiles:extend", "unit"),
        data=lambda plan, ctx, v: {"new_deadline": v, "reason": "案卷较多，延期报送"},
        saved=lambda plan, ctx: ListingExtension.objects.filter(unit=ctx["unit"]).exists(),
        good="2021-02-01",
        label="延至",
        invalid="延期日期不是有效的日期",
        covers=("kaohe.inspections.casefiles.forms.ExtensionForm.new_deadline",),
    ),
    DateInput(
        id="core.calendar.rows",
        persona="sysadmin",
        url=lambda plan, ctx: reverse("core:calendar"),
        data=lambda plan, ctx, v: {"import-year": 2030, "import-rows": f"{v} 放假 元旦"},
        saved=lambda plan, ctx: HolidayCalendarYear.objects.filter(year=2030).exists(),
        good="2030-01-01",
        label="日期",
        window=SITE_DATE_BOUNDS,
        invalid="第 1 行的日期无法识别",
    ),
    DateInput(
        id="security.audit_log.start",
        persona="user",
        setup=_auditor,
        method="get",
        url=lambda plan, ctx: reverse("security:audit_log"),
        data=lambda plan, ctx, v: {"start": v},
        saved=lambda plan, ctx: None,
        good="2020-12-01",
        label="起始日期",
        window=SITE_DATE_BOUNDS,
        covers=("kaohe.core.views_security.AuditFilterForm.start",),
    ),
    DateInput(
        id="security.audit_log.end",
        persona="user",
        setup=_auditor,
        method="get",
        url=lambda plan, ctx: reverse("security:audit_log"),
        data=lambda plan, ctx, v: {"end": v},
        saved=lambda plan, ctx: None,
        good="2020-12-20",
        label="截止日期",
        window=SITE_DATE_BOUNDS,
        covers=("kaohe.core.views_security.AuditFilterForm.end",),
    ),
]


def _county_task(plan: Plan, personas: Any) -> dict[str, Any]:
    """A 报送资料 task of the county table, its category and its parent 二级 (for the tree editor's 时间要求)."""
    from kaohe.plans.constants import Level, Method
    from kaohe.plans.models import Indicator

    task = (
        Indicator.objects.filter(plan=plan, category__name="县区政府", level=Level.TASK, method=Method.SUBMISSION)
        .order_by("order")
        .first()
    )
    assert task is not None
    return {"task": task, "category": task.category, "parent": task.parent}


def _task_fields(ctx: dict[str, Any], deadline: str) -> dict[str, Any]:
    task = ctx["task"]
    return {
        "name": task.name,
        "points": str(task.points),
        "method": task.method,
        "materials": task.materials,
        "requirement": task.requirement,
        "assessor": task.assessor_id or "",
        "adjustment": task.adjustment,
        "deadline": deadline,
        "reason": "按市小组办要求调整报送时限",
    }


INPUTS += [
    DateInput(
        id="plans.indicator_edit.deadline",
        persona="office",
        setup=_county_task,
        url=lambda plan, ctx: reverse("plans:indicator_edit", args=[plan.pk, ctx["category"].pk, ctx["task"].pk]),
        data=lambda plan, ctx, v: _task_fields(ctx, v),
        saved=lambda plan, ctx: type(ctx["task"]).objects.get(pk=ctx["task"].pk).deadline,
        good="2020-11-30",
        label="时间要求",
        covers=("kaohe.plans.forms_tree.IndicatorForm.deadline",),
    ),
    DateInput(
        id="plans.indicator_add.deadline",
        persona="office",
        setup=_county_task,
        url=lambda plan, ctx: reverse("plans:indicator_add", args=[plan.pk, ctx["category"].pk]),
        data=lambda plan, ctx, v: {
            **_task_fields(ctx, v),
            "name": "新增任务：行政规范性文件备案审查情况",
            "level": 3,
            "parent": ctx["parent"].pk,
        },
        saved=lambda plan, ctx: type(ctx["task"]).objects.filter(plan=plan, name__startswith="新增任务").count(),
        good="2020-11-30",
        label="时间要求",
        covers=("kaohe.plans.forms_tree.AddIndicatorForm.deadline",),
    ),
]


SETTINGS_DATES = (
    "period_start",
    "period_end",
    "submission_deadline",
    "case_files_deadline",
    "daily_scores_deadline",
    "feedback_deadline",
)


def _settings_fields(plan: Plan, name: str, value: str) -> dict[str, Any]:
    """The 方案设置 form of the (published) plan as it stands, with one date typed and a reason."""
    current = Plan.objects.get(pk=plan.pk)
    data: dict[str, Any] = {
        "title": current.title,
        "doc_number": current.doc_number,
        "consultation_days": current.consultation_days,
        "reason": "按市小组办通知调整时间安排",
    }
    for other in SETTINGS_DATES:
        day = getattr(current, other)
        data[other] = day.isoformat() if day else ""
    data[name] = value
    return data


def _settings_input(name: str, label: str, good: str) -> DateInput:
    return DateInput(
        id=f"plans.settings.{name}",
        persona="office",
        url=lambda plan, ctx: reverse("plans:settings", args=[plan.pk]),
        data=lambda plan, ctx, v: _settings_fields(plan, name, v),
        saved=lambda plan, ctx: getattr(Plan.objects.get(pk=plan.pk), name),
        good=good,
        label=label,
        covers=(f"kaohe.plans.forms.PlanSettingsForm.{name}",),
    )


INPUTS += [
    _settings_input("period_start", "考核期间起", "2020-01-02"),
    _settings_input("period_end", "考核期间止", "2020-12-30"),
    _settings_input("submission_deadline", "资料报送截止", "2020-12-30"),
    _settings_input("case_files_deadline", "集中评查材料截止", "2021-01-15"),
    _settings_input("daily_scores_deadline", "日常考核评分截止", "2021-01-20"),
    _settings_input("feedback_deadline", "问题反馈截止", "2021-05-08"),
]


def _report_docx() -> SimpleUploadedFile:
    """A one-paragraph 法治政府建设年度报告 (a real .docx: the filing reads its text)."""
    import docx

    document = docx.Document()
    document.add_paragraph("舞钢市人民政府2020年度法治政府建设情况报告")
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(
        "年度报告.docx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def _report_setting(plan: Plan) -> Any:
    return AnnualReportSetting.objects.filter(plan=plan).values_list("report_due", "publish_due").first()


INPUTS += [
    DateInput(
        id="insights.report_settings.report_due",
        persona="office",
        url=lambda plan, ctx: reverse("insights:report_settings", args=[plan.pk]),
        data=lambda plan, ctx, v: {"report_due": v, "publish_due": "2021-03-31"},
        saved=lambda plan, ctx: _report_setting(plan),
        good="2021-03-15",
        label="报送期限",
        covers=("kaohe.insights.forms_reports.ReportSettingsForm.report_due",),
    ),
    DateInput(
        id="insights.report_settings.publish_due",
        persona="office",
        url=lambda plan, ctx: reverse("insights:report_settings", args=[plan.pk]),
        data=lambda plan, ctx, v: {"report_due": "2021-03-15", "publish_due": v},
        saved=lambda plan, ctx: _report_setting(plan),
        good="2021-04-10",
        label="公开期限",
        covers=("kaohe.insights.forms_reports.ReportSettingsForm.publish_due",),
    ),
    DateInput(
        id="insights.report_submit.published_on",
        persona="unit",
        setup=lambda plan, personas: {"unit": _unit(plan)},
        url=_url("insights:report_submit", "unit"),
        data=lambda plan, ctx, v: {
            "file": _report_docx(),
            "publication_url": "http://www.example.gov.cn/fzzf/2020.html",
            "published_on": v,
        },
        saved=lambda plan, ctx: AnnualReportVersion.objects.filter(report__plan=plan).count(),
        good="2020-12-18",
        label="公开日期",
        covers=("kaohe.insights.forms_reports.ReportSubmitForm.published_on",),
    ),
    DateInput(
        id="api.token_create.expires_on",
        persona="office",
        url=lambda plan, ctx: reverse("api:token_create"),
        data=lambda plan, ctx, v: {"name": "省级平台", "scopes": ["plans:read"], "expires_on": v},
        saved=lambda plan, ctx: ApiToken.objects.count(),
        good="2021-06-30",
        label="有效期至",
        window=SITE_DATE_BOUNDS,
        covers=("kaohe.api.forms.TokenForm.expires_on",),
    ),
]


COVERED = {name for case in INPUTS for name in case.covers}


def _send(case: DateInput, plan: Plan, personas: Any, ctx: dict[str, Any], value: str) -> tuple[int, str]:
    """Status and everything the user reads: the page (unless a redirect) and the messages queued for them."""
    user = ctx["user"] if case.persona == "user" else getattr(personas, case.persona)
    client = personas.client(user)
    url, data = case.url(plan, ctx), case.data(plan, ctx, value)
    response = client.get(url, data) if case.method == "get" else client.post(url, data)
    text = "" if response.status_code in (301, 302) else response.content.decode()
    text += "\n".join(str(m) for m in get_messages(response.wsgi_request))
    return response.status_code, text


@pytest.mark.parametrize("case", INPUTS, ids=[c.id for c in INPUTS])
def test_a_date_that_makes_sense_is_accepted(case: DateInput, personas: Any, plan: Plan) -> None:
    ctx = case.setup(plan, personas)
    before = case.saved(plan, ctx)
    status, text = _send(case, plan, personas, ctx, case.good)
    assert status in (200, 302), text[:2000]
    assert case.far_refusal(case.good) not in text and case.malformed_refusal() not in text
    if before is not None:
        assert case.saved(plan, ctx) != before, text[:2000]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("case", INPUTS, ids=[c.id for c in INPUTS])
def test_far_and_malformed_dates_are_refused_in_chinese_and_nothing_is_saved(
    case: DateInput, value: str, personas: Any, plan: Plan
) -> None:
    ctx = case.setup(plan, personas)
    before = case.saved(plan, ctx)
    status, text = _send(case, plan, personas, ctx, value)
    assert status in (200, 302, 400), status
    refusal = case.far_refusal(value) if value in FAR else case.malformed_refusal()
    assert refusal in text, text[:3000]
    assert case.saved(plan, ctx) == before


def test_the_plan_window_is_the_one_the_refusal_names(plan: Plan) -> None:
    from kaohe.core.dates import case_date_bounds, plan_date_bounds

    assert plan_date_bounds(plan) == PLAN_WINDOW
    assert case_date_bounds(plan) == CASE_WINDOW
    assert bounds_message(PLAN_WINDOW, field_label="补充截止日期") == "补充截止日期须在2018年1月1日至2022年12月31日之间"


def test_every_bounded_form_field_is_fed_bad_dates_here() -> None:
    """A new date field (they must be BoundedDateFields, see kaohe/core/tests/test_dates.py) needs a case above."""
    from kaohe.core.tests.test_dates import bounded_date_fields

    assert set(bounded_date_fields()) <= COVERED, "add a DateInput case for each new date field"


def _upload_indicators(client: Any, plan: Plan, data: bytes) -> Any:
    upload = SimpleUploadedFile("指标体系.xlsx", data)
    response = client.post(
        reverse("plans:import", args=[plan.pk]), {"kind": "indicators", "file": upload, "category_name": "县区政府"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_an_import_of_task_deadlines_refuses_a_date_outside_the_plan(personas: Any, plan: Plan, other_plan: Plan) -> None:
    """The indicator table's 时间要求: a year the parser reads (2000–2100) but outside the plan's window.

    The table is the small city's 县区政府 table as its office exports it (报送资料 tasks due 2020-12-31), imported
    into the other city's draft plan, which has desks of the same names.
    """
    from kaohe.plans.models import Category, PlanImport
    from tests import factories as f

    county = Category.objects.get(plan=plan, name="县区政府")
    exported = personas.client(personas.office).get(reverse("plans:export", args=[plan.pk, county.pk]))
    assert exported.status_code == 200
    table = b"".join(exported.streaming_content) if exported.streaming else exported.content
    for name in ("市司法局依法行政指导科", "市司法局行政执法协调监督科", "市财政局", "市发改委"):  # the table's 考核主体
        organisation = f.OrganisationFactory(name=name, region=other_plan.organiser.region)
        f.DeskFactory(plan=other_plan, organisation=organisation)
    client = personas.client(personas.other_office)

    preview = client.get(_upload_indicators(client, other_plan, _with_first_deadline(table, dt.date(2090, 6, 30))).url)
    assert "时间要求（2090-06-30）须在2018年1月1日至2022年12月31日之间" in preview.content.decode()
    record = PlanImport.objects.filter(plan=other_plan, kind=PlanImport.Kind.INDICATORS).latest("pk")
    applied = client.post(reverse("plans:import_apply", args=[other_plan.pk, record.pk]), {"accept_warnings": "on"})
    assert "未导入任何内容" in " ".join(str(m) for m in get_messages(applied.wsgi_request))
    assert not Indicator.objects.filter(plan=other_plan).exists()

    # The same table with its own 2020 dates goes in.
    _upload_indicators(client, other_plan, table)
    record = PlanImport.objects.filter(plan=other_plan, kind=PlanImport.Kind.INDICATORS).latest("pk")
    client.post(reverse("plans:import_apply", args=[other_plan.pk, record.pk]), {"accept_warnings": "on"})
    assert Indicator.objects.filter(plan=other_plan, deadline=dt.date(2020, 12, 31)).exists()


def _with_first_deadline(data: bytes, day: dt.date) -> bytes:
    """The 县区政府 table with the first task's 时间要求 (a 2020 date cell) changed to ``day``."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    for row in workbook.worksheets[0].iter_rows():
        for cell in row:
            if isinstance(cell.value, dt.datetime) and cell.value.year == 2020:
                cell.value = cell.value.replace(year=day.year, month=day.month, day=day.day)
                buffer = io.BytesIO()
                workbook.save(buffer)
                return buffer.getvalue()
    raise AssertionError("the table has no dated task")


# --- services refuse them too (defence in depth: commands, scripts and future pages call them directly) --------

Act = Callable[[dt.date], object]


def _return(plan: Plan, personas: Any) -> Act:
    from kaohe.submissions import services

    ctx = _submitted(plan, personas)
    submission = Submission.objects.get(unit=ctx["unit"], task=ctx["task"])
    return lambda day: services.submission_return(
        actor=personas.desk, plan=plan, submission=submission, reason="请补充", due_date=day
    )


def _extension(plan: Plan, personas: Any) -> Act:
    from kaohe.submissions import services

    task, unit = _task(plan), _unit(plan)
    return lambda day: services.extension_grant(
        actor=personas.office, plan=plan, task=task, unit=unit, new_deadline=day, reason="延期"
    )


def _rectification_due(plan: Plan, personas: Any) -> Act:
    from kaohe.reviews import services_rectification

    item = _rectification_item(plan, personas)["item"]
    return lambda day: services_rectification.rectification_due_change(
        actor=personas.office, plan=plan, item=item, due_date=day, reason="延长"
    )


def _rectification_setting(plan: Plan, personas: Any) -> Act:
    from kaohe.reviews import services_rectification

    return lambda day: services_rectification.rectification_setting_set(actor=personas.office, plan=plan, due_date=day)


def _talks_open(plan: Plan) -> PlanUnit:
    """约谈 follow the published results: the plan's status only (the publication itself is not needed here)."""
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RESULTS_PUBLISHED)
    plan.status = Plan.Status.RESULTS_PUBLISHED
    return _unit(plan)


def _talk(plan: Plan, personas: Any) -> Act:
    from kaohe.reviews import services_talks

    unit = _talks_open(plan)
    return lambda day: services_talks.talk_record(
        actor=personas.office, plan=plan, unit=unit, held_on=day, held_by="考核办主任", subject_name="张三"
    )


def _unit_report(plan: Plan, personas: Any) -> Act:
    from kaohe.reviews import services_unit_report

    unit = _unit(plan)
    return lambda day: services_unit_report.unit_report_submit(
        actor=personas.unit,
        plan=plan,
        unit=unit,
        upload=SimpleUploadedFile("整改情况报告.pdf", b"%PDF-1.4\n%%EOF\n"),
        doc_number="舞政〔2021〕12号",
        doc_date=day,
        signer_name="张三",
        signer_post="市长",
        leader_reviewed=True,
    )


def _release_start(plan: Plan, personas: Any) -> Act:
    from kaohe.results import services

    snapshot = _snapshot(plan, personas)
    return lambda day: services.release_start(actor=personas.office, plan=plan, snapshot=snapshot, consult_until=day)


def _approve(plan: Plan, personas: Any) -> Act:
    from kaohe.results import services

    release = _release(plan, personas, ReleaseStatus.CLOSED)["release"]
    return lambda day: services.release_approve(
        actor=personas.office, plan=plan, release=release, approved_by="领导小组审定", approved_on=day
    )


def _bulletin(plan: Plan, personas: Any) -> Act:
    from kaohe.results import services

    release = _release(plan, personas)["release"]
    return lambda day: services.release_bulletin_edit(
        actor=personas.office, plan=plan, release=release, values={"bulletin_date": day}
    )


def _assign(plan: Plan, personas: Any) -> Act:
    from kaohe.inspections.fieldwork import services

    ctx = _field_group(plan, personas)
    plan.refresh_from_db()
    return lambda day: services.assignment_set(
        actor=personas.office, plan=plan, group=ctx["group"], unit=ctx["unit"], visit_date=day
    )


def _window(plan: Plan, personas: Any) -> Act:
    from kaohe.inspections.fieldwork import services

    return lambda day: services.window_set(actor=personas.office, plan=plan, start=dt.date(2021, 1, 20), end=day)


def _case_file_add(plan: Plan, personas: Any) -> Act:
    from kaohe.inspections.casefiles import services

    unit = _unit(plan)
    return lambda day: services.case_file_add(
        actor=personas.unit, plan=plan, unit=unit, number="舞罚决字〔2020〕66号", kind="enforcement", decided_on=day, handler="甲"
    )


def _case_file_edit(plan: Plan, personas: Any) -> Act:
    from kaohe.inspections.casefiles import services

    case_file = _case_file(plan, personas)["case_file"]
    return lambda day: services.case_file_edit(
        actor=personas.unit,
        plan=plan,
        case_file=case_file,
        number=case_file.number,
        kind="enforcement",
        decided_on=day,
        handler="甲",
    )


def _listing_extend(plan: Plan, personas: Any) -> Act:
    from kaohe.inspections.casefiles import services

    unit = _unit(plan)
    return lambda day: services.listing_extend(actor=personas.office, plan=plan, unit=unit, new_deadline=day, reason="延期")


def _plan_create(plan: Plan, personas: Any) -> Act:
    from kaohe.plans import services

    return lambda day: services.plan_create(
        actor=personas.office,
        organiser=plan.organiser,
        year=2020,
        title="日期测试方案",
        period_start=day,
        period_end=dt.date(2020, 12, 31),
    )


SERVICES: dict[str, tuple[Callable[[Plan, Any], Act], str, Callable[[Plan], object]]] = {
    "submission_return": (_return, "补充截止日期", lambda p: SupplementRequest.objects.filter(submission__plan=p).count()),
    "extension_grant": (_extension, "延期后的日期", lambda p: Extension.objects.filter(plan=p).count()),
    "rectification_due_change": (
        _rectification_due,
        "整改期限",
        lambda p: list(RectificationItem.objects.filter(plan=p).values_list("due_date", flat=True)),
    ),
    "rectification_setting_set": (_rectification_setting, "整改期限", lambda p: RectificationSetting.objects.count()),
    "unit_report_submit": (_unit_report, "成文日期", lambda p: UnitReportVersion.objects.filter(report__plan=p).count()),
    "talk_record": (_talk, "约谈日期", lambda p: Talk.objects.filter(plan=p).count()),
    "release_start": (_release_start, "征求意见截止日期", lambda p: ResultRelease.objects.filter(plan=p).count()),
    "release_approve": (_approve, "审定日期", lambda p: ReleaseApproval.objects.count()),
    "release_bulletin_edit": (
        _bulletin,
        "成文日期",
        lambda p: list(ResultRelease.objects.filter(plan=p).values_list("bulletin_date", flat=True)),
    ),
    "assignment_set": (_assign, "考察日期", lambda p: FieldAssignment.objects.filter(plan=p).count()),
    "window_set": (_window, "实地考核结束日期", lambda p: Plan.objects.get(pk=p.pk).field_end),
    "case_file_add": (_case_file_add, "决定日期", lambda p: CaseFile.objects.filter(plan=p).count()),
    "case_file_edit": (
        _case_file_edit,
        "决定日期",
        lambda p: list(CaseFile.objects.filter(plan=p).values_list("decided_on", flat=True)),
    ),
    "listing_extend": (_listing_extend, "延期日期", lambda p: ListingExtension.objects.count()),
    "plan_create": (_plan_create, "考核期间起", lambda p: Plan.objects.filter(title="日期测试方案").count()),
}


@pytest.mark.parametrize("day", [dt.date.min, dt.date.max], ids=["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("service", list(SERVICES))
def test_services_refuse_far_dates_too(service: str, day: dt.date, personas: Any, plan: Plan) -> None:
    setup, label, saved = SERVICES[service]
    act = setup(plan, personas)
    before = saved(plan)
    with pytest.raises(ValidationError) as refused:
        act(day)
    window = CASE_WINDOW if service.startswith("case_file") else PLAN_WINDOW
    assert refused.value.messages == [bounds_message(window, field_label=label)]
    assert saved(plan) == before


# ------------------------------------------------------------------- default dates render as ISO (issue 13.4)

DATE_INPUT = re.compile(r'<input type="date"[^>]*>')
ISO_VALUE = re.compile(r'value="(\d{4}-\d{2}-\d{2})"')


def _date_values(html: str, name: str) -> list[str]:
    """The value="…" of each <input type="date" name=name> of a page ("" for an input without a value)."""
    found = []
    for tag in DATE_INPUT.findall(html):
        if f'name="{name}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            found.append(value.group(1) if value else "")
    return found


def test_every_bounded_date_field_renders_an_iso_value_in_the_chinese_locale() -> None:
    """<input type="date"> shows nothing for "2026/12/08" (the zh-hans input format): every field renders ISO."""
    from django import forms as django_forms
    from django.utils import translation

    from kaohe.core.forms import BoundedDateField
    from kaohe.core.tests.test_dates import _date_fields

    day = dt.date(2026, 12, 8)
    with translation.override("zh-hans"):
        for name, _, date_field in _date_fields():
            html = date_field.widget.render("d", day)
            assert 'type="date"' in html and 'value="2026-12-08"' in html, f"{name}: {html}"
        # a form passing its own widget without a format is rendered ISO all the same
        own = BoundedDateField(label="某日期", window=None, widget=django_forms.DateInput())
        assert 'value="2026-12-08"' in own.widget.render("d", day)


@pytest.mark.parametrize("with_release", [False, True])
def test_the_pages_default_dates_show_in_their_date_inputs(with_release: bool, personas: Any, plan: Plan) -> None:
    """补充截止日期, 征求意见截止日期, 审定日期 and 整改期限 come with a default: each must be an ISO value."""
    if with_release:
        _release(plan, personas, ReleaseStatus.CLOSED)
    else:
        _snapshot(plan, personas)
    page = personas.client(personas.office).get(reverse("results:release", args=[plan.pk])).content.decode()
    field = "approved_on" if with_release else "consult_until"
    # 征求意见截止 defaults to today + the plan's 征求意见期 (方案设置); 审定日期 to today
    expected = NOW.date() if with_release else NOW.date() + dt.timedelta(days=plan.consultation_days)
    assert _date_values(page, field) == [expected.isoformat()], page[:2000]

    ctx = _submitted(plan, personas)
    url = reverse("submissions:task", args=[plan.pk, ctx["unit"].pk, ctx["task"].pk])
    page = personas.client(personas.desk).get(url).content.decode()
    (due,) = _date_values(page, "due_date")
    assert ISO_VALUE.fullmatch(f'value="{due}"'), page[:2000]

    page = personas.client(personas.office).get(reverse("reviews:rectification_office", args=[plan.pk])).content.decode()
    assert all(ISO_VALUE.fullmatch(f'value="{v}"') for v in _date_values(page, "due_date")), page[:2000]
