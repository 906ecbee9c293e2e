"""整改 through the URLs: items from released feedback, the unit's reports, the office's acceptance and due dates."""

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
from kaohe.reviews.models import Feedback, FeedbackProblem, RectificationItem, RectificationReport
from kaohe.reviews.tests.conftest import beijing, set_now
from kaohe.submissions.tests.conftest import PDF

Status = RectificationItem.Status


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _url(name: str, plan, *args) -> str:
    return reverse(f"reviews:{name}", args=[plan.pk, *args])


def _problem(personas, plan, unit, text, task=None):
    data = {"unit": unit.pk, "text": text}
    if task is not None:
        data["task"] = task.pk
    assert personas.client(personas.office).post(_url("problem_add", plan), data).status_code == 302


def _release(personas, plan, unit):
    assert personas.client(personas.office).post(_url("release", plan), {"unit": unit.pk}).status_code == 302


def _report(personas, plan, item, text="已修订制度并报送备案", user=None, **files):
    return personas.client(user or personas.unit).post(
        _url("rectification_report", plan, item.pk), {"text": text, **files}, follow=True
    )


def _decide(personas, plan, item, decision, reason=""):
    return personas.client(personas.office).post(
        _url("rectification_decide", plan, item.pk), {"decision": decision, "reason": reason}, follow=True
    )


def _stored_files() -> list[str]:
    root = os.path.join(django_settings.MEDIA_ROOT, "rectification")
    return sorted(os.path.join(d, f) for d, _, files in os.walk(root) for f in files)


@pytest.fixture
def items(personas, plan, wugang, desk_tasks, monkeypatch):
    """舞钢: two problems (one on a task, one general), released in April 2021: two items."""
    set_now(monkeypatch, beijing(2021, 4, 28))
    _problem(personas, plan, wugang, "规范性文件备案审查不及时", desk_tasks[0])
    _problem(personas, plan, wugang, "法治政府建设年度报告未按时公开")
    _release(personas, plan, wugang)
    return list(RectificationItem.objects.filter(unit=wugang).order_by("pk"))


def test_release_turns_each_problem_into_an_item_once(personas, plan, wugang, desk_tasks, items):
    first, second = items
    assert [i.text for i in items] == ["规范性文件备案审查不及时", "法治政府建设年度报告未按时公开"]
    assert first.task == desk_tasks[0] and second.task is None
    assert {i.status for i in items} == {Status.OPEN}
    assert {i.due_date for i in items} == {dt.date(2021, 5, 31)}  # default: 05-31 of the following year
    assert AuditEvent.objects.filter(action="rectification.create", plan_id=plan.pk).count() == 1

    # The office's "create from released feedback" adds nothing when every problem already has its item.
    response = personas.client(personas.office).post(_url("rectification_create", plan), follow=True)
    assert "没有新增" in _messages(response)
    assert RectificationItem.objects.filter(unit=wugang).count() == 2


def test_office_creates_items_for_feedback_released_earlier_once(personas, plan, wugang, desk_tasks):
    """Feedback released before 整改 existed (no items): one action lists them; a second adds none."""
    _problem(personas, plan, wugang, "行政执法案卷不规范", desk_tasks[1])
    _release(personas, plan, wugang)
    RectificationItem.objects.all().delete()  # as if released before items existed
    office = personas.client(personas.office)
    page = office.get(_url("rectification_office", plan)).content.decode()
    assert 'data-testid="pending">1<' in page
    response = office.post(_url("rectification_create", plan), follow=True)
    assert "列出 1 项整改事项" in _messages(response)
    assert RectificationItem.objects.get(unit=wugang).text == "行政执法案卷不规范"
    assert Notification.objects.filter(user=personas.unit, title__contains="整改事项").exists()
    office.post(_url("rectification_create", plan))
    assert RectificationItem.objects.filter(unit=wugang).count() == 1


def test_full_flow_report_return_report_again_accept(personas, plan, wugang, items, monkeypatch):
    first, _ = items
    unit = personas.client(personas.unit)
    page = unit.get(_url("rectification_unit", plan)).content.decode()
    assert page.count('data-testid="item-row"') == 2
    assert "规范性文件备案审查不及时" in page and "2021-05-31" in page and "待整改" in page

    # Empty report: refused, nothing saved.
    response = _report(personas, plan, first, text="   ")
    assert "请填写整改落实情况" in _messages(response)
    assert not RectificationReport.objects.exists()

    # Report with an attachment.
    response = _report(personas, plan, first, attachment=SimpleUploadedFile("整改报告.pdf", PDF, content_type="application/pdf"))
    assert "已报送整改情况" in _messages(response)
    first.refresh_from_db()
    assert first.status == Status.REPORTED
    report = first.reports.get()
    assert report.attachment_name == "整改报告.pdf" and report.reported_by == personas.unit
    assert Notification.objects.filter(user=personas.office, title__contains="报送了整改情况").exists()
    download_url = _url("rectification_attachment", plan, report.pk)
    for user in (personas.unit, personas.office):
        download = personas.client(user).get(download_url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Disposition"].startswith("attachment;")
    for user in (personas.unit2, personas.desk, personas.viewer, personas.other_office):
        assert personas.client(user).get(download_url).status_code == 404, user

    # Sending back needs a reason.
    response = _decide(personas, plan, first, "return")
    assert "退回整改报告须写明理由" in _messages(response)
    first.refresh_from_db()
    assert first.status == Status.REPORTED
    response = _decide(personas, plan, first, "return", "未附备案回执")
    assert "已退回" in _messages(response)
    first.refresh_from_db()
    assert first.status == Status.RETURNED
    assert Notification.objects.filter(user=personas.unit, title__contains="被退回", body="未附备案回执").exists()
    page = unit.get(_url("rectification_unit", plan)).content.decode()
    assert "已退回" in page and "未附备案回执" in page and "重新报送" in page

    # Reported again, then accepted: final.
    _report(personas, plan, first, text="已补充备案回执")
    first.refresh_from_db()
    assert first.status == Status.REPORTED
    response = _decide(personas, plan, first, "accept")
    assert "已通过" in _messages(response)
    first.refresh_from_db()
    assert first.status == Status.ACCEPTED and first.decided_by == personas.office
    assert [r.outcome for r in first.reports.order_by("pk")] == ["returned", "accepted"]

    # A report on an accepted item is refused; deciding it again too.
    response = _report(personas, plan, first, text="再补充一点")
    assert "已通过验收，不能再报送" in _messages(response)
    assert first.reports.count() == 2
    response = _decide(personas, plan, first, "return", "重新看")
    assert "没有待验收的整改报告" in _messages(response)
    page = unit.get(_url("rectification_unit", plan)).content.decode()
    assert page.count('data-testid="report-form"') == 1  # only the other, open item

    actions = list(
        AuditEvent.objects.filter(object_type="reviews.RectificationItem", object_id=str(first.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "rectification.report",
        "rectification.attachment_download",
        "rectification.attachment_download",
        "rectification.return",
        "rectification.report",
        "rectification.accept",
    ]


def test_a_new_report_replaces_one_awaiting_acceptance(personas, plan, items):
    first, _ = items
    _report(personas, plan, first, text="第一稿")
    _report(personas, plan, first, text="第二稿")
    assert [(r.text, r.outcome) for r in first.reports.order_by("pk")] == [("第一稿", "superseded"), ("第二稿", "")]
    _decide(personas, plan, first, "accept", "整改到位")
    assert first.reports.get(outcome="accepted").text == "第二稿"


def test_another_units_item_does_not_exist_for_it(personas, plan, items):
    first, _ = items
    _report(personas, plan, first)
    # 市司法局 is a unit of the plan too, but not the item's.
    response = personas.client(personas.unit2).post(_url("rectification_report", plan, first.pk), {"text": "x"})
    assert response.status_code == 404
    page = personas.client(personas.unit2).get(_url("rectification_unit", plan)).content.decode()
    assert "规范性文件备案审查不及时" not in page and 'data-testid="no-items"' in page
    # Another city's office: the plan does not exist for it.
    for name in ("rectification_decide", "rectification_due"):
        assert personas.client(personas.other_office).post(_url(name, plan, first.pk)).status_code == 404
    assert personas.client(personas.other_unit).post(_url("rectification_report", plan, first.pk)).status_code == 404
    assert first.reports.count() == 1


def test_wrong_roles_are_refused(personas, plan, items):
    first, _ = items
    _report(personas, plan, first)
    for user in (personas.desk, personas.viewer):
        client = personas.client(user)
        assert client.get(_url("rectification_unit", plan)).status_code == 403
        assert client.get(_url("rectification_office", plan)).status_code == 403
        assert client.post(_url("rectification_report", plan, first.pk), {"text": "x"}).status_code == 403
        assert client.post(_url("rectification_decide", plan, first.pk), {"decision": "accept"}).status_code == 403
        assert client.post(_url("rectification_create", plan)).status_code == 403
    unit = personas.client(personas.unit)
    assert unit.get(_url("rectification_office", plan)).status_code == 403
    assert unit.post(_url("rectification_decide", plan, first.pk), {"decision": "accept"}).status_code == 403
    due = {"due_date": "2021-12-31", "reason": "自己延期"}
    assert unit.post(_url("rectification_due", plan, first.pk), due).status_code == 403
    assert personas.client(personas.office).post(_url("rectification_report", plan, first.pk), {"text": "x"}).status_code == 403
    # The office opening the unit's page lands on its own.
    response = personas.client(personas.office).get(_url("rectification_unit", plan))
    assert response.status_code == 302 and response["Location"] == _url("rectification_office", plan)
    first.refresh_from_db()
    assert first.status == Status.REPORTED and first.due_date == dt.date(2021, 5, 31)


def test_due_date_change_needs_a_reason_and_overdue_is_shown(personas, plan, items, monkeypatch):
    first, second = items
    office = personas.client(personas.office)
    response = office.post(_url("rectification_due", plan, first.pk), {"due_date": "2021-06-30", "reason": ""}, follow=True)
    assert "调整整改期限须写明理由" in _messages(response)
    response = office.post(
        _url("rectification_due", plan, first.pk),
        {"due_date": "2021-06-30", "reason": "涉及机构改革，延期一个月"},
        follow=True,
    )
    assert "已调整为 2021-06-30" in _messages(response)
    first.refresh_from_db()
    assert first.due_date == dt.date(2021, 6, 30)
    event = AuditEvent.objects.get(action="rectification.due_change", object_id=str(first.pk))
    assert event.before == {"due_date": "2021-05-31"} and event.after["reason"] == "涉及机构改革，延期一个月"
    assert Notification.objects.filter(user=personas.unit, title__contains="2021-06-30").exists()

    # On 2021-06-01 the second item (due 05-31) is overdue, the first (due 06-30) not; a pending report is not overdue.
    set_now(monkeypatch, beijing(2021, 6, 1))
    body = personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    assert body.count('data-testid="overdue"') == 1
    office = personas.client(personas.office)  # a fresh login: a month later the earlier session has timed out
    page = office.get(_url("rectification_office", plan))
    assert page.context["page"].overdue == 1
    filtered = office.get(_url("rectification_office", plan), {"status": "overdue"})
    assert [r.item.pk for r in filtered.context["page"].rows] == [second.pk]
    _report(personas, plan, second)
    assert office.get(_url("rectification_office", plan)).context["page"].overdue == 0


def test_office_list_counts_and_filters(personas, plan, wugang, items):
    first, _ = items
    sfj = PlanUnit.objects.get(plan=plan, organisation__name="市司法局")
    _problem(personas, plan, sfj, "行政复议应诉工作不规范")
    _release(personas, plan, sfj)
    _report(personas, plan, first)
    office = personas.client(personas.office)
    response = office.get(_url("rectification_office", plan))
    page = response.context["page"]
    assert page.total == 3 and page.counts["open"] == 2 and page.counts["reported"] == 1
    assert {(u.name, u.open) for u in page.units} == {("舞钢市人民政府", 2), ("市司法局", 1)}
    reported = office.get(_url("rectification_office", plan), {"status": "reported"}).context["page"]
    assert [r.item.pk for r in reported.rows] == [first.pk]
    by_unit = office.get(_url("rectification_office", plan), {"unit": sfj.organisation_id}).context["page"]
    assert [r.item.text for r in by_unit.rows] == ["行政复议应诉工作不规范"]
    bad = office.get(_url("rectification_office", plan), {"status": "nonsense"})
    assert bad.status_code == 400 and len(bad.context["page"].rows) == 3  # invalid filter: everything, said so


def test_office_page_query_count_does_not_grow_with_items(personas, plan, wugang, items, django_assert_max_num_queries):
    office = personas.client(personas.office)
    url = _url("rectification_office", plan)
    _report(personas, plan, items[0])
    with django_assert_max_num_queries(15):  # 15: the 重点单位 report interval
        assert office.get(url).status_code == 200
    sfj = PlanUnit.objects.get(plan=plan, organisation__name="市司法局")
    for n in range(5):
        _problem(personas, plan, sfj, f"问题{n}")
    _release(personas, plan, sfj)
    _report(personas, plan, items[1])
    with django_assert_max_num_queries(15):  # 15: the 重点单位 report interval
        assert office.get(url).status_code == 200


def test_bad_attachments_are_refused_and_nothing_is_kept(personas, plan, items, settings):
    first, _ = items
    before = _stored_files()
    response = _report(
        personas,
        plan,
        first,
        attachment=SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"),
    )
    assert "整改报告未提交" in _messages(response)
    settings.KAOHE_EVIDENCE_MAX_BYTES = 1024
    response = _report(
        personas, plan, first, attachment=SimpleUploadedFile("大.pdf", PDF + b"0" * 4096, content_type="application/pdf")
    )
    assert "超过" in _messages(response) and "整改报告未提交" in _messages(response)
    first.refresh_from_db()
    assert first.status == Status.OPEN and not first.reports.exists()
    assert _stored_files() == before
    assert not AuditEvent.objects.filter(action="rectification.report").exists()


def test_setting_gives_new_items_their_due_date(personas, plan, wugang, monkeypatch):
    set_now(monkeypatch, beijing(2021, 3, 1))
    office = personas.client(personas.office)
    response = office.post(_url("rectification_setting", plan), {"due_date": "2020-06-30"}, follow=True)
    assert "不能早于考核期间止" in _messages(response)
    response = office.post(_url("rectification_setting", plan), {"due_date": "2021-04-30"}, follow=True)
    assert "2021-04-30" in _messages(response)
    _problem(personas, plan, wugang, "政务公开不及时")
    _release(personas, plan, wugang)
    assert RectificationItem.objects.get(unit=wugang).due_date == dt.date(2021, 4, 30)
    assert AuditEvent.objects.filter(action="rectification.setting").count() == 1


def test_items_are_not_created_for_unreleased_feedback(personas, plan, wugang):
    _problem(personas, plan, wugang, "尚未反馈的问题")
    assert FeedbackProblem.objects.filter(feedback__unit=wugang).exists()
    assert not Feedback.objects.get(unit=wugang).is_released
    personas.client(personas.office).post(_url("rectification_create", plan))
    assert not RectificationItem.objects.exists()
    body = personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    assert "尚未反馈的问题" not in body


def test_an_item_created_after_the_due_date_is_not_born_overdue(personas, plan, wugang, monkeypatch):
    """Feedback of the 2020 plan released in December 2026 (an office working late): the item gets
    LATE_ITEM_DAYS from today, not the long-past 2021-05-31, and the unit does not see it 已逾期."""
    from kaohe.reviews.services_rectification import LATE_ITEM_DAYS

    set_now(monkeypatch, beijing(2026, 12, 3))
    _problem(personas, plan, wugang, "政务公开不及时")
    _release(personas, plan, wugang)
    item = RectificationItem.objects.get(unit=wugang)
    assert item.due_date == dt.date(2026, 12, 3) + dt.timedelta(days=LATE_ITEM_DAYS)
    page = personas.client(personas.unit).get(_url("rectification_unit", plan)).content.decode()
    assert "已逾期" not in page and "2027-02-01" in page
