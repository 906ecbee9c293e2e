"""Annual reports through the URLs: the unit files its report and publication, the office sees every unit's state,
the desk of the report task reads it, other units never; the coverage table on the report's page."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.insights.models_reports import AnnualReport, AnnualReportSetting, AnnualReportState, AnnualReportVersion
from kaohe.insights.tests import report_texts as texts
from kaohe.insights.tests.conftest import beijing, docx_of, set_now
from kaohe.plans.models import PlanUnit
from kaohe.submissions.tests.conftest import PDF, PNG

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _url(name: str, plan, *args) -> str:
    return reverse(f"insights:{name}", args=[plan.pk, *args])


def _docx(text: str = texts.FULL, name: str = "舞钢市2020年度法治政府建设工作报告.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_of(text), content_type=DOCX)


def _submit(personas, plan, unit, user=None, **data):
    data = {k: v for k, v in data.items() if v is not None}
    return personas.client(user or personas.unit).post(_url("report_submit", plan, unit.pk), data, follow=True)


def _stored_files() -> list[str]:
    root = os.path.join(django_settings.MEDIA_ROOT, "annual-reports")
    return sorted(os.path.join(d, f) for d, _, files in os.walk(root) for f in files)


@pytest.fixture
def march_2021(monkeypatch):
    set_now(monkeypatch, beijing(2021, 3, 10))


def test_unit_files_its_report_then_adds_the_publication_keeping_every_version(personas, plan, wugang, march_2021):
    response = _submit(personas, plan, wugang, file=_docx())
    assert "已报送年度报告（第1版）" in _messages(response)
    first = AnnualReportVersion.objects.get(report__unit=wugang)
    assert (first.number, first.late, first.text_method, first.publication_url) == (1, False, "docx", "")
    assert "第一责任人" in first.text
    page = personas.client(personas.unit).get(_url("report_unit", plan, wugang.pk))
    assert page.context["page"].row.state == AnnualReportState.SUBMITTED
    assert page.context["page"].covered == len(page.context["page"].coverage)  # FULL covers every part
    html = page.content.decode()
    assert "已覆盖" in html and "未覆盖" not in html and "县长作为第一责任人" in html

    response = _submit(
        personas, plan, wugang, publication_url="https://www.example.gov.cn/fzzf/2021/report.html", published_on="2021-03-12"
    )
    assert "公开日期（2021-03-12）不能晚于今天" in _messages(response)
    response = _submit(
        personas, plan, wugang, publication_url="https://www.example.gov.cn/fzzf/2021/report.html", published_on="2021-03-09"
    )
    assert "已报送年度报告（第2版）" in _messages(response)
    second = AnnualReportVersion.objects.get(report__unit=wugang, number=2)
    assert (second.file_storage_name, second.file_sha256, second.text) == (first.file_storage_name, first.file_sha256, first.text)
    assert second.published_on == dt.date(2021, 3, 9)
    page = personas.client(personas.unit).get(_url("report_unit", plan, wugang.pk))
    assert page.context["page"].row.state == AnnualReportState.PUBLISHED
    assert len(page.context["page"].row.versions) == 2
    events = AuditEvent.objects.filter(action="annual_report.submit").order_by("id")
    assert [e.after["version"] for e in events] == [1, 2] and events[1].after["new_file"] is False

    # The same again changes nothing and is refused.
    response = _submit(
        personas, plan, wugang, publication_url="https://www.example.gov.cn/fzzf/2021/report.html", published_on="2021-03-09"
    )
    assert "没有新的文件" in _messages(response)
    assert AnnualReportVersion.objects.filter(report__unit=wugang).count() == 2


def test_a_report_missing_its_problems_shows_them_uncovered(personas, plan, wugang, march_2021):
    _submit(personas, plan, wugang, file=_docx(texts.NO_PROBLEMS))
    page = personas.client(personas.office).get(_url("report_unit", plan, wugang.pk))
    rows = {r.part.label: r for r in page.context["page"].coverage}
    assert not rows["存在问题"].covered and rows["下步打算"].covered
    assert page.content.decode().count('data-testid="missing-badge"') >= 1


def test_the_report_task_requirement_adds_its_phrases(personas, plan, wugang, march_2021):
    from kaohe.plans.models import AssessorDesk, Category
    from tests import factories as f

    county = Category.objects.get(plan=plan, name="县区政府")
    desk = AssessorDesk.objects.get(plan=plan, organisation__name="市司法局依法行政指导科")
    f.task(county, "5.1.2", 5, name="推行服务型行政执法", assessor=desk, requirement=texts.SERVICE_REQUIREMENT)
    _submit(personas, plan, wugang, file=_docx(texts.SERVICE_ENFORCEMENT))
    page = personas.client(personas.desk).get(_url("report_unit", plan, wugang.pk))
    task_rows = {r.part.label: r.covered for r in page.context["page"].coverage if r.part.source == "任务要求"}
    assert task_rows == {"规范化建设": True, "执法能力": True, "法律风险防控": False, "行政指导": True, "行政调解": False}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择年度报告文件"),
        ({"file": SimpleUploadedFile("报告.png", PNG, content_type="image/png")}, "年度报告请上传 .docx 或 .pdf 文件"),
        ({"file": SimpleUploadedFile("报告.docx", b"PK\x03\x04 not really a zip", content_type=DOCX)}, "可能已损坏"),
        (
            {"file": "x", "publication_url": "ftp://example.gov.cn/r.pdf", "published_on": "2021-03-01"},
            "公开网址须是以 http:// 或 https:// 开头",
        ),
        (
            {"file": "x", "publication_url": "javascript:alert(1)", "published_on": "2021-03-01"},
            "公开网址须是以 http:// 或 https:// 开头",
        ),
        ({"file": "x", "publication_url": "https://www.example.gov.cn/r.html"}, "请同时填写公开日期"),
        ({"file": "x", "published_on": "2021-03-01"}, "请同时填写公开网址"),
        ({"file": "x", "publication_url": "https://www.example.gov.cn/r.html", "published_on": "2019-12-31"}, "不能早于2020年"),
    ],
)
def test_bad_filings_are_refused_and_nothing_is_kept(personas, plan, wugang, march_2021, data, message):
    if data.get("file") == "x":
        data["file"] = _docx()
    before = _stored_files()
    response = _submit(personas, plan, wugang, **data)
    assert message in _messages(response)
    assert not AnnualReportVersion.objects.exists() and not AnnualReport.objects.exists()
    assert _stored_files() == before


@override_settings(KAOHE_EVIDENCE_MAX_BYTES=2048)
def test_an_oversize_file_is_refused(personas, plan, wugang, march_2021):
    before = _stored_files()
    response = _submit(personas, plan, wugang, file=_docx())
    assert "年度报告未报送" in _messages(response) or "年度报告文件未保存" in _messages(response)
    assert not AnnualReportVersion.objects.exists() and _stored_files() == before


def test_a_pdf_without_text_is_kept_with_a_note(personas, plan, wugang, march_2021):
    _submit(personas, plan, wugang, file=SimpleUploadedFile("扫描件.pdf", PDF, content_type="application/pdf"))
    version = AnnualReportVersion.objects.get()
    assert version.text == "" and version.text_method in ("pdf", "none") and version.text_note
    page = personas.client(personas.unit).get(_url("report_unit", plan, wugang.pk))
    assert 'data-testid="no-text"' in page.content.decode()


def test_after_the_due_date_a_filing_is_late_and_missing_units_are_overdue(personas, plan, wugang, monkeypatch):
    set_now(monkeypatch, beijing(2021, 4, 6))
    response = _submit(personas, plan, wugang, file=_docx())
    assert "记为逾期报送" in _messages(response)
    assert AnnualReportVersion.objects.get().late is True
    page = personas.client(personas.office).get(_url("reports", plan)).context["page"]
    units = PlanUnit.objects.filter(plan=plan).count()
    # 舞钢 filed but did not publish by 03-31: 逾期 too; every other unit never filed.
    assert page.counts == {"missing": 0, "submitted": 0, "published": 0, "overdue": units}
    overdue = personas.client(personas.office).get(_url("reports", plan), {"state": "overdue"}).context["page"]
    assert len(overdue.rows) == units


def test_office_sets_due_dates_and_the_states_follow(personas, plan, wugang, march_2021):
    office = personas.client(personas.office)
    response = office.post(_url("report_settings", plan), {"report_due": "2021-03-01", "publish_due": "2021-02-01"}, follow=True)
    assert "公开期限不能早于报送期限" in _messages(response)
    assert not AnnualReportSetting.objects.exists()
    response = office.post(_url("report_settings", plan), {"report_due": "2021-03-01", "publish_due": "2021-04-30"}, follow=True)
    assert "已保存" in _messages(response)
    setting = AnnualReportSetting.objects.get(plan=plan)
    assert (setting.report_due, setting.publish_due) == (dt.date(2021, 3, 1), dt.date(2021, 4, 30))
    assert AuditEvent.objects.filter(action="annual_report.settings").count() == 1
    _submit(personas, plan, wugang, file=_docx())  # 03-10: after the report date
    assert AnnualReportVersion.objects.get().late is True
    page = office.get(_url("reports", plan)).context["page"]
    assert page.counts["submitted"] == 1  # not yet due for publication
    assert page.counts["overdue"] == PlanUnit.objects.filter(plan=plan).count() - 1
    # Only the office sets the dates.
    assert personas.client(personas.unit).post(_url("report_settings", plan), {}).status_code == 403


def test_who_reads_a_report_and_who_files_it(personas, plan, wugang, march_2021):
    _submit(personas, plan, wugang, file=_docx())
    version = AnnualReportVersion.objects.get()
    page, file = _url("report_unit", plan, wugang.pk), _url("report_file", plan, version.pk)
    expected = {
        "office": (200, 200),
        "desk": (200, 200),  # 市司法局依法行政指导科 grades 2.1.2 报送年度法治政府建设报告 of 县区政府
        "desk2": (403, 404),  # 市财政局 grades no report task
        "unit": (200, 200),
        "unit2": (404, 404),  # another unit of the same city: never
        "viewer": (403, 404),
        "sysadmin": (404, 404),
        "other_office": (404, 404),
    }
    got = {}
    for persona in expected:
        client = personas.client(getattr(personas, persona))
        got[persona] = (client.get(page).status_code, client.get(file).status_code)
    assert got == expected
    # The file comes as an attachment, and its reading is audited.
    response = personas.client(personas.desk).get(file)
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="annual_report.file_download").count() >= 3
    # Only the unit files, and only its own report.
    assert personas.client(personas.office).post(_url("report_submit", plan, wugang.pk), {}).status_code == 403
    assert personas.client(personas.desk).post(_url("report_submit", plan, wugang.pk), {}).status_code == 403
    assert personas.client(personas.unit2).post(_url("report_submit", plan, wugang.pk), {"file": _docx()}).status_code == 404
    assert AnnualReportVersion.objects.count() == 1
    # The list: the office's whole, a desk's the categories where it grades a report task, nobody else's.
    assert personas.client(personas.unit).get(_url("reports", plan)).status_code == 403
    assert personas.client(personas.viewer).get(_url("reports", plan)).status_code == 403
    office_rows = personas.client(personas.office).get(_url("reports", plan)).context["page"].rows
    desk_rows = personas.client(personas.desk).get(_url("reports", plan)).context["page"].rows
    assert {r.unit.category.name for r in office_rows} == {"县区政府", "部门1", "部门2"}
    assert {r.unit.category.name for r in desk_rows} == {"县区政府", "部门2"}  # 2.1.2 is in both tables
    assert personas.client(personas.desk2).get(_url("reports", plan)).context["page"].rows == []
    # The unit's entry leads to its own page.
    response = personas.client(personas.unit).get(_url("report_mine", plan))
    assert response.status_code == 302 and response["Location"] == page
    assert personas.client(personas.other_office).get(_url("reports", plan)).status_code == 404
    # The unit's page has the filing form, the desk's and the office's do not.
    assert personas.client(personas.unit).get(page).context["form"] is not None
    assert personas.client(personas.desk).get(page).context["form"] is None


def test_office_list_query_count_does_not_grow_with_reports(personas, plan, march_2021, django_assert_max_num_queries):
    from kaohe.access.plans import own_units
    from kaohe.insights import services_reports

    unit = own_units(personas.unit, plan)[0]
    services_reports.annual_report_submit(actor=personas.unit, plan=plan, unit=unit, upload=_docx())
    services_reports.annual_report_submit(
        actor=personas.unit,
        plan=plan,
        unit=unit,
        publication_url="https://www.example.gov.cn/a.html",
        published_on=dt.date(2021, 3, 1),
    )
    office = personas.client(personas.office)
    office.get(_url("reports", plan))  # warm the caches of the session and the roles
    with django_assert_max_num_queries(14):
        response = office.get(_url("reports", plan))
    assert response.status_code == 200
    assert response.context["page"].counts["published"] == 1


def test_demo_reports_are_filed_once_and_show_their_coverage(personas, plan, wugang):
    from kaohe.insights import demo_reports

    assert demo_reports.load_demo_data(plan) == 2  # 舞钢 (unit_wugang) and 市司法局 (unit_sfj) have demo accounts
    assert demo_reports.load_demo_data(plan) == 0
    version = AnnualReportVersion.objects.get(report__unit=wugang)
    assert version.text_method == "docx" and version.is_published and not version.late
    page = personas.client(personas.office).get(_url("report_unit", plan, wugang.pk)).context["page"]
    assert page.covered == len(page.coverage)
    sfj = AnnualReportVersion.objects.get(report__unit__organisation__name="市司法局")
    rows = {
        r.part.label: r.covered
        for r in personas.client(personas.office).get(_url("report_unit", plan, sfj.report.unit_id)).context["page"].coverage
    }
    assert rows["存在问题"] is False and rows["下步打算"] is True


def test_report_page_query_count_does_not_grow_with_versions(personas, plan, wugang, march_2021, django_assert_max_num_queries):
    from kaohe.insights import services_reports

    services_reports.annual_report_submit(actor=personas.unit, plan=plan, unit=wugang, upload=_docx())
    for day in (1, 2, 3):
        services_reports.annual_report_submit(
            actor=personas.unit,
            plan=plan,
            unit=wugang,
            publication_url=f"https://www.example.gov.cn/{day}.html",
            published_on=dt.date(2021, 3, day),
        )
    client = personas.client(personas.desk)
    client.get(_url("report_unit", plan, wugang.pk))
    with django_assert_max_num_queries(16):
        response = client.get(_url("report_unit", plan, wugang.pk))
    assert len(response.context["page"].row.versions) == 4
