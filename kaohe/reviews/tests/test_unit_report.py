"""整改情况报告 through the URLs: the unit's formal report, its versions, the office's list and decisions."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.plans.models import PlanUnit
from kaohe.reviews.models import RectificationSetting, UnitReport, UnitReportVersion
from kaohe.reviews.tests.conftest import beijing, set_now
from kaohe.submissions.tests.conftest import PDF, PNG, docx_bytes

Status = UnitReport.Status
Outcome = UnitReportVersion.Outcome


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _url(name: str, plan, *args) -> str:
    return reverse(f"reviews:{name}", args=[plan.pk, *args])


def _pdf(name: str = "舞钢市人民政府关于整改情况的报告.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _data(**overrides):
    data = {
        "file": _pdf(),
        "doc_number": "舞政〔2021〕12号",
        "doc_date": "2021-05-20",
        "signer_name": "张三",
        "signer_post": "市长",
        "leader_reviewed": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _submit(personas, plan, unit, user=None, **overrides):
    return personas.client(user or personas.unit).post(_url("unit_report_submit", plan, unit.pk), _data(**overrides), follow=True)


def _decide(personas, plan, report, decision, reason=""):
    return personas.client(personas.office).post(
        _url("unit_report_decide", plan, report.pk), {"decision": decision, "reason": reason}, follow=True
    )


def _stored_files() -> list[str]:
    root = os.path.join(django_settings.MEDIA_ROOT, "unit-reports")
    return sorted(os.path.join(d, f) for d, _, files in os.walk(root) for f in files)


@pytest.fixture
def may_2021(monkeypatch):
    set_now(monkeypatch, beijing(2021, 5, 25))


def test_submit_return_resubmit_accept_keeps_every_version(personas, plan, wugang, may_2021, monkeypatch):
    response = _submit(personas, plan, wugang)
    assert "已提交整改情况报告（第1版）" in _messages(response)
    report = UnitReport.objects.get(plan=plan, unit=wugang)
    first = report.versions.get()
    assert report.status == Status.SUBMITTED and first.outcome == Outcome.PENDING and not first.late
    assert (first.doc_number, first.doc_date, first.signer_name, first.signer_post, first.leader_reviewed) == (
        "舞政〔2021〕12号",
        dt.date(2021, 5, 20),
        "张三",
        "市长",
        True,
    )
    assert first.due_date == dt.date(2021, 5, 31) and first.file_name.endswith(".pdf")
    event = AuditEvent.objects.get(action="unit_report.submit")
    assert event.after["doc_number"] == "舞政〔2021〕12号" and event.after["version"] == 1
    assert Notification.objects.filter(user=personas.office, title__contains="整改情况报告").exists()
    assert "待验收的整改情况报告" in personas.client(personas.office).get("/").content.decode()

    # The office sees it waiting, and can download the file (audited).
    office = personas.client(personas.office)
    page = office.get(_url("unit_reports", plan)).content.decode()
    assert "舞政〔2021〕12号" in page and 'data-testid="unit-report-decide"' in page
    download = office.get(_url("unit_report_file", plan, first.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="unit_report.file_download").exists()

    # A return needs a written reason.
    assert "退回整改情况报告须写明理由" in _messages(_decide(personas, plan, report, "return"))
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    _decide(personas, plan, report, "return", "未逐项说明整改措施")
    report.refresh_from_db()
    assert report.status == Status.RETURNED
    assert Notification.objects.filter(user=personas.unit, title__contains="被退回", body="未逐项说明整改措施").exists()
    unit_page = personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    assert "未逐项说明整改措施" in unit_page and "重新提交" in unit_page
    assert "被退回的整改情况报告" in personas.client(personas.unit).get("/").content.decode()

    # Resubmitted: version 2; version 1 is kept with its outcome.
    _submit(personas, plan, wugang, doc_number="舞政〔2021〕15号", file=_pdf("整改情况报告（修改稿）.pdf"))
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert list(report.versions.values_list("number", "outcome", "doc_number")) == [
        (1, Outcome.RETURNED, "舞政〔2021〕12号"),
        (2, Outcome.PENDING, "舞政〔2021〕15号"),
    ]

    _decide(personas, plan, report, "accept")
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED and report.decided_by == personas.office
    assert Notification.objects.filter(user=personas.unit, title__contains="已通过验收").exists()
    assert AuditEvent.objects.filter(action="unit_report.accept").exists()

    # Accepted is final.
    response = _submit(personas, plan, wugang)
    assert "已通过验收，不能再报送" in _messages(response)
    assert report.versions.count() == 2
    assert "整改情况报告已通过验收" in personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()


def test_a_new_version_replaces_one_awaiting_the_office(personas, plan, wugang, may_2021):
    _submit(personas, plan, wugang)
    _submit(personas, plan, wugang, doc_number="舞政〔2021〕13号")
    report = UnitReport.objects.get(plan=plan, unit=wugang)
    assert list(report.versions.values_list("number", "outcome")) == [(1, Outcome.SUPERSEDED), (2, Outcome.PENDING)]


def test_another_unit_can_neither_see_nor_submit(personas, plan, wugang, may_2021):
    _submit(personas, plan, wugang)
    version = UnitReportVersion.objects.get()
    other = personas.client(personas.unit2)  # 市司法局, another unit of the plan
    assert other.post(_url("unit_report_submit", plan, wugang.pk), _data()).status_code == 404
    assert other.get(_url("unit_report_file", plan, version.pk)).status_code == 404
    page = other.get(_url("rectification_unit", plan)).content.decode()
    assert "舞政〔2021〕12号" not in page and "未报送" in page
    assert other.get(_url("unit_reports", plan)).status_code == 403
    # It submits for its own unit only.
    sfj = PlanUnit.objects.get(plan=plan, organisation__name="市司法局")
    assert "第1版" in _messages(_submit(personas, plan, sfj, user=personas.unit2, doc_number="司发〔2021〕3号"))
    assert UnitReportVersion.objects.filter(report__unit=wugang).count() == 1
    # The other city's office: none of it exists.
    outsider = personas.client(personas.other_office)
    assert outsider.get(_url("unit_reports", plan)).status_code == 404
    assert outsider.get(_url("unit_report_file", plan, version.pk)).status_code == 404


def test_desks_viewers_and_the_office_cannot_submit_units_cannot_decide(personas, plan, wugang, may_2021):
    _submit(personas, plan, wugang)
    report = UnitReport.objects.get()
    for user in (personas.desk, personas.viewer, personas.office):
        assert personas.client(user).post(_url("unit_report_submit", plan, wugang.pk), _data()).status_code == 403
    for user in (personas.desk, personas.viewer, personas.unit):
        client = personas.client(user)
        assert client.get(_url("unit_reports", plan)).status_code == 403
        assert client.post(_url("unit_report_decide", plan, report.pk), {"decision": "accept"}).status_code == 403
    assert personas.client(personas.desk).get(_url("unit_report_file", plan, report.versions.get().pk)).status_code == 404
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.versions.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"file": None}, "请选择整改情况报告文件"),
        ({"file": SimpleUploadedFile("整改情况报告.docx", docx_bytes())}, "请上传 PDF 或 OFD 版式文件"),
        ({"file": SimpleUploadedFile("扫描件.png", PNG)}, "请上传 PDF 或 OFD 版式文件"),
        ({"file": SimpleUploadedFile("报告.pdf", b"MZ\x90\x00" + b"\x00" * 200)}, "整改情况报告未提交"),
        ({"file": SimpleUploadedFile("空.pdf", b"")}, "所选文件是空的"),
        ({"doc_number": ""}, "请填写文号"),
        ({"doc_number": "   "}, "请填写文号"),
        ({"doc_date": ""}, "请填写成文日期"),
        ({"doc_date": "2030-01-01"}, "成文日期须在2018年1月1日至"),
        ({"doc_date": "2021-05-26"}, "成文日期（2021-05-26）不能晚于今天"),
        ({"doc_date": "2021/13/01"}, "成文日期不是有效的日期"),
        ({"signer_name": ""}, "请填写主要负责人姓名"),
        ({"signer_post": ""}, "请填写主要负责人职务"),
        ({"leader_reviewed": None}, "请确认整改情况报告已经本单位主要负责人审阅"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_kept(personas, plan, wugang, may_2021, overrides, message):
    before = _stored_files()
    response = _submit(personas, plan, wugang, **overrides)
    assert message in _messages(response), _messages(response)
    assert not UnitReport.objects.exists() and not UnitReportVersion.objects.exists()
    assert _stored_files() == before
    assert not AuditEvent.objects.filter(action="unit_report.submit").exists()


def test_an_oversize_file_is_stopped_before_it_is_read(personas, plan, wugang, may_2021, settings):
    settings.KAOHE_EVIDENCE_MAX_BYTES = 1024
    before = _stored_files()
    response = _submit(personas, plan, wugang, file=_pdf("大.pdf", PDF + b"0" * 4096))
    assert "超过" in _messages(response) and "整改情况报告未提交" in _messages(response)
    assert not UnitReportVersion.objects.exists() and _stored_files() == before


def test_after_the_due_date_a_report_is_taken_and_marked_late(personas, plan, wugang, monkeypatch):
    """The due date is the plan's 整改期限; after it the report is still taken (next year's assessment weighs it),
    marked 逾期报送, and units without one are listed as 已逾期."""
    RectificationSetting.objects.create(plan=plan, due_date=dt.date(2021, 4, 30))
    set_now(monkeypatch, beijing(2021, 5, 25))
    office = personas.client(personas.office)
    page = office.get(_url("unit_reports", plan), {"state": "overdue"}).content.decode()
    units = PlanUnit.objects.filter(plan=plan).count()
    assert page.count('data-testid="unit-report-row"') == units and "2021-04-30" in page

    response = _submit(personas, plan, wugang)
    assert "已过报送期限 2021-04-30，记为逾期报送" in _messages(response)
    version = UnitReportVersion.objects.get()
    assert version.late and version.due_date == dt.date(2021, 4, 30)
    assert Notification.objects.filter(user=personas.office, title__contains="（逾期）").exists()
    page = office.get(_url("unit_reports", plan), {"state": "overdue"}).content.decode()
    assert page.count('data-testid="unit-report-row"') == units - 1 and "舞钢市人民政府" not in page
    page = office.get(_url("unit_reports", plan), {"state": "submitted"}).content.decode()
    assert page.count('data-testid="unit-report-row"') == 1 and 'data-testid="late"' in page

    # Returned after the due date: overdue again until resubmitted.
    _decide(personas, plan, version.report, "return", "请附主要负责人签批页")
    page = office.get(_url("unit_reports", plan), {"state": "overdue"}).content.decode()
    assert "舞钢市人民政府" in page
    unit_page = personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    assert 'data-testid="unit-report-overdue"' in unit_page


def test_office_list_counts_filters_and_a_bad_filter(personas, plan, wugang, may_2021):
    _submit(personas, plan, wugang)
    office = personas.client(personas.office)
    page = office.get(_url("unit_reports", plan)).content.decode()
    units = PlanUnit.objects.filter(plan=plan).count()
    assert f"未报送 {units - 1}" in page and "待验收 1" in page and "已逾期 0" in page
    missing = office.get(_url("unit_reports", plan), {"state": "missing"}).content.decode()
    assert missing.count('data-testid="unit-report-row"') == units - 1 and "舞钢市人民政府" not in missing
    bad = office.get(_url("unit_reports", plan), {"state": "nonsense"})
    assert bad.status_code == 400 and "筛选条件无效" in bad.content.decode()


def test_office_list_query_count_does_not_grow_with_reports(personas, plan, wugang, may_2021):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _submit(personas, plan, wugang)
    office = personas.client(personas.office)
    office.get(_url("unit_reports", plan))
    with CaptureQueriesContext(connection) as one:
        office.get(_url("unit_reports", plan))
    sfj = PlanUnit.objects.get(plan=plan, organisation__name="市司法局")
    _submit(personas, plan, sfj, user=personas.unit2)
    _submit(personas, plan, sfj, user=personas.unit2)
    with CaptureQueriesContext(connection) as three:
        office.get(_url("unit_reports", plan))
    assert len(three.captured_queries) == len(one.captured_queries) <= 30


def test_the_report_is_never_due_before_the_units_items(personas, plan, wugang, monkeypatch):
    """Feedback of the 2020 plan released in December 2026: the item gets LATE_ITEM_DAYS from today, and so does
    the unit's report (it covers the item); other units keep the plan's long-past 2021-05-31 and are 已逾期."""
    set_now(monkeypatch, beijing(2026, 12, 3))
    office = personas.client(personas.office)
    assert office.post(_url("problem_add", plan), {"unit": wugang.pk, "text": "政务公开不及时"}).status_code == 302
    assert office.post(_url("release", plan), {"unit": wugang.pk}).status_code == 302
    office.get(_url("unit_reports", plan))  # shows (and clears) the flash messages naming 舞钢
    page = personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    assert 'data-testid="unit-report-due">2027-02-01<' in page and 'data-testid="unit-report-overdue"' not in page
    listing = office.get(_url("unit_reports", plan), {"state": "overdue"}).content.decode()
    assert "舞钢市人民政府" not in listing and "市司法局" in listing
    assert "期限 2027-02-01" in office.get(_url("unit_reports", plan)).content.decode()
    _submit(personas, plan, wugang, doc_date="2026-12-01")
    version = UnitReportVersion.objects.get()
    assert version.due_date == dt.date(2027, 2, 1) and not version.late


def test_the_audit_log_names_every_field_in_chinese(may_2021, personas, plan, wugang):
    from kaohe.core.views_security import field_changes

    _submit(personas, plan, wugang)
    changes = field_changes(AuditEvent.objects.get(action="unit_report.submit"))
    assert all(change.named for change in changes), [c.label for c in changes if not c.named]
    labels = {change.label: change.after for change in changes}
    assert labels["文号"] == "舞政〔2021〕12号" and labels["经主要负责人审阅"] == "是" and labels["状态"] == "待验收"
