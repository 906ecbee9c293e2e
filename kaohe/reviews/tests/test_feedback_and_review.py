"""问题反馈 and 复核 through the URLs: release, acknowledgement, the 5-working-day window, decisions."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.plans.models import PlanUnit
from kaohe.reviews.models import Feedback, FeedbackProblem, ReviewRequest
from kaohe.reviews.tests.conftest import beijing, set_now
from kaohe.scoring.models import Evaluation, EvaluationChange
from kaohe.scoring.services import evaluation_record


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _release(personas, plan, unit, **extra):
    return personas.client(personas.office).post(reverse("reviews:release", args=[plan.pk]), {"unit": unit.pk, **extra})


def _released_and_acknowledged(personas, plan, unit, monkeypatch, when):
    assert _release(personas, plan, unit).status_code == 302
    set_now(monkeypatch, when)
    assert personas.client(personas.unit).post(reverse("reviews:acknowledge", args=[plan.pk])).status_code == 302
    return Feedback.objects.get(unit=unit)


def _file(personas, plan, task, reasons="自评材料已于 12 月报送，请复核", user=None):
    return personas.client(user or personas.unit).post(
        reverse("reviews:request", args=[plan.pk, task.pk]), {"reasons": reasons}, follow=True
    )


def test_units_never_see_unreleased_scores_then_see_the_snapshot(personas, plan, wugang, scored):
    first = scored[0]
    office = personas.client(personas.office)
    response = office.post(
        reverse("reviews:problem_add", args=[plan.pk]),
        {"unit": wugang.pk, "task": first.pk, "text": "规范性文件备案审查不及时"},
    )
    assert response.status_code == 302
    assert FeedbackProblem.objects.filter(feedback__unit=wugang).count() == 1

    unit_page = personas.client(personas.unit).get(reverse("reviews:unit", args=[plan.pk]))
    assert unit_page.status_code == 200
    body = unit_page.content.decode()
    assert "考核办尚未反馈" in body
    assert "制度文件未按时报送" not in body and "规范性文件备案审查不及时" not in body

    assert _release(personas, plan, wugang, note="请于收到后确认").status_code == 302
    feedback = Feedback.objects.get(unit=wugang)
    assert feedback.released_by == personas.office and feedback.scores
    assert AuditEvent.objects.filter(action="feedback.release", object_id=str(feedback.pk)).exists()
    assert Notification.objects.filter(user=personas.unit, url=reverse("reviews:unit", args=[plan.pk])).exists()

    # The snapshot is what the unit sees, even if the desk changes the score afterwards.
    evaluation = Evaluation.objects.get(unit=wugang, task=first)
    evaluation_record(
        actor=personas.desk,
        plan=plan,
        unit=wugang,
        task=first,
        grade="fair",
        reason="后改的理由",
        expected_version=evaluation.version,
    )
    body = personas.client(personas.unit).get(reverse("reviews:unit", args=[plan.pk])).content.decode()
    assert "制度文件未按时报送" in body and "规范性文件备案审查不及时" in body and "请于收到后确认" in body
    assert "后改的理由" not in body
    assert "确认收到反馈" in body  # the acknowledge button
    assert 'data-testid="request-form"' not in body  # no requests before acknowledging

    # The final feedback is released once: a second final release of the same unit is refused. A problem
    # recorded afterwards is a draft for the next round, which the unit does not see.
    response = office.post(reverse("reviews:release", args=[plan.pk]), {"unit": wugang.pk}, follow=True)
    assert "均已反馈" in _messages(response)
    office.post(reverse("reviews:problem_add", args=[plan.pk]), {"unit": wugang.pk, "text": "又一个问题"})
    assert FeedbackProblem.objects.filter(feedback__unit=wugang, feedback__released_at__isnull=False).count() == 1
    assert "又一个问题" not in personas.client(personas.unit).get(reverse("reviews:unit", args=[plan.pk])).content.decode()


def test_release_to_all_units(personas, plan, scored):
    response = personas.client(personas.office).post(reverse("reviews:release", args=[plan.pk]), {"all_units": "on"})
    assert response.status_code == 302
    assert Feedback.objects.filter(plan=plan, released_at__isnull=False).count() == PlanUnit.objects.filter(plan=plan).count()
    assert Notification.objects.filter(user=personas.unit2, title__contains="已反馈").exists()
    # Neither a unit nor all: refused with a message, nothing else happens.
    response = personas.client(personas.office).post(reverse("reviews:release", args=[plan.pk]), {}, follow=True)
    assert "请选择考核对象" in _messages(response)


def test_window_is_five_working_days_after_receipt(personas, plan, wugang, scored, monkeypatch):
    """Received 2021-04-29 → 5 working days (劳动节 1–5 May, Saturday 8 May worked) → 2021-05-10."""
    first, second, _ = scored
    feedback = _released_and_acknowledged(personas, plan, wugang, monkeypatch, beijing(2021, 4, 29, 15))
    assert feedback.acknowledged_by == personas.unit
    body = personas.client(personas.unit).get(reverse("reviews:unit", args=[plan.pk])).content.decode()
    assert "复核申请截止：2021-05-10" in body
    # The two deducted tasks and every task not evaluated (it loses its points too), not the full-marks one.
    feedback = Feedback.objects.get(unit=wugang)
    unevaluated = sum(1 for r in feedback.scores if r["score"] is None and r["points"] and float(r["points"]) > 0)
    assert body.count('data-testid="request-form"') == 2 + unevaluated

    set_now(monkeypatch, beijing(2021, 5, 10, 17, 30))  # day 5: allowed
    response = _file(personas, plan, first)
    assert "已提交" in _messages(response)
    review = ReviewRequest.objects.get(unit=wugang, task=first)
    assert review.status == ReviewRequest.Status.OPEN
    assert review.filed_grade == "good" and review.filed_reason == "制度文件未按时报送"
    assert Notification.objects.filter(user=personas.office, title__contains=first.code).exists()
    assert Notification.objects.filter(user=personas.desk, title__contains=first.code).exists()  # the desk concerned

    set_now(monkeypatch, beijing(2021, 5, 11, 9))  # day 6: refused
    response = _file(personas, plan, second)
    assert "复核申请期限已过" in _messages(response) and "2021-05-10" in _messages(response)
    assert not ReviewRequest.objects.filter(task=second).exists()
    body = personas.client(personas.unit).get(reverse("reviews:unit", args=[plan.pk])).content.decode()
    assert 'data-testid="request-form"' not in body
    assert "复核申请期限已过" in body


def test_bad_requests_are_refused(personas, plan, wugang, scored, monkeypatch):
    first, _, full_marks = scored
    # Before any feedback: nothing to review.
    assert "尚未反馈" in _messages(_file(personas, plan, first))
    _released_and_acknowledged(personas, plan, wugang, monkeypatch, beijing(2021, 4, 29))
    set_now(monkeypatch, beijing(2021, 4, 30))
    # An item that was not deducted.
    assert "未扣分" in _messages(_file(personas, plan, full_marks))
    # No written reasons.
    assert "请写明申请复核的理由" in _messages(_file(personas, plan, first, reasons="  "))
    # One open request per task.
    assert "已提交" in _messages(_file(personas, plan, first))
    assert "已有待答复的复核申请" in _messages(_file(personas, plan, first))
    assert ReviewRequest.objects.filter(task=first).count() == 1
    # Another unit (another category: the task is not theirs), an outsider, a desk, the office.
    url = reverse("reviews:request", args=[plan.pk, first.pk])
    assert personas.client(personas.unit2).post(url, {"reasons": "x"}).status_code == 404
    assert personas.client(personas.other_unit).post(url, {"reasons": "x"}).status_code == 404
    assert personas.client(personas.desk).post(url, {"reasons": "x"}).status_code == 403
    assert personas.client(personas.office).post(url, {"reasons": "x"}).status_code == 403
    assert ReviewRequest.objects.filter(task=first).count() == 1


def test_a_year_without_calendar_data_is_refused(personas, plan, wugang, scored, monkeypatch):
    from kaohe.accounts.models import User

    User.objects.filter(pk=personas.unit.pk).update(password_changed_at=beijing(2031, 1, 1))  # not expired in 2031
    personas.unit.refresh_from_db()
    _released_and_acknowledged(personas, plan, wugang, monkeypatch, beijing(2031, 1, 6))
    set_now(monkeypatch, beijing(2031, 1, 7))
    response = _file(personas, plan, scored[0])
    assert "尚无 2031 年的节假日安排" in _messages(response)
    assert not ReviewRequest.objects.exists()
    body = personas.client(personas.unit).get(reverse("reviews:unit", args=[plan.pk])).content.decode()
    assert "尚无 2031 年的节假日安排" in body


def test_decisions(personas, plan, wugang, scored, monkeypatch):
    first, second, _ = scored
    _released_and_acknowledged(personas, plan, wugang, monkeypatch, beijing(2021, 4, 29))
    set_now(monkeypatch, beijing(2021, 4, 30))
    _file(personas, plan, first)
    _file(personas, plan, second)
    upheld, changed = ReviewRequest.objects.order_by("pk")
    office = personas.client(personas.office)

    # Who may decide: the unit reads but may not decide (403); a desk and outsiders get 404.
    url = reverse("reviews:decide", args=[plan.pk, upheld.pk])
    data = {"decision": "upheld", "answer": "材料确未按时报送，维持原评价"}
    assert personas.client(personas.unit).post(url, data).status_code == 403
    for user in (personas.desk, personas.unit2, personas.viewer, personas.other_office):
        assert personas.client(user).post(url, data).status_code == 404, user

    # Without a written answer: refused, still open.
    response = office.post(url, {"decision": "upheld", "answer": " "}, follow=True)
    assert "请写明复核答复意见" in _messages(response)
    upheld.refresh_from_db()
    assert upheld.status == ReviewRequest.Status.OPEN

    # The office page lists both with their answer deadline (2021-04-30 + 5 working days = 2021-05-11).
    set_now(monkeypatch, beijing(2021, 5, 11, 17))  # the last day: due, not overdue
    office = personas.client(personas.office)  # a fresh login: the idle timeout counts in the patched clock too
    body = office.get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert "2021-05-11" in body and "已逾期" not in body
    set_now(monkeypatch, beijing(2021, 5, 12, 9))
    office = personas.client(personas.office)
    body = office.get(reverse("reviews:office", args=[plan.pk])).content.decode()
    assert body.count('data-testid="open-row"') == 2
    assert "2021-05-11" in body and "已逾期" in body

    assert office.post(url, data).status_code == 302
    upheld.refresh_from_db()
    assert upheld.status == ReviewRequest.Status.UPHELD and upheld.decided_by == personas.office
    assert Evaluation.objects.get(unit=wugang, task=first).grade == "good"
    assert "该复核申请已答复" in _messages(office.post(url, data, follow=True))

    # 调整: through the evaluation history, source "review".
    url = reverse("reviews:decide", args=[plan.pk, changed.pk])
    response = office.post(url, {"decision": "changed", "answer": "补充材料齐全，调整为优"}, follow=True)
    assert "请选择等次" in _messages(response)  # a change needs the new grade
    before = EvaluationChange.objects.filter(evaluation__unit=wugang, evaluation__task=second).count()
    assert office.post(url, {"decision": "changed", "answer": "补充材料齐全，调整为优", "grade": "excellent"}).status_code == 302
    changed.refresh_from_db()
    evaluation = Evaluation.objects.get(unit=wugang, task=second)
    assert changed.status == ReviewRequest.Status.CHANGED and changed.new_score == evaluation.score == second.points
    history = EvaluationChange.objects.filter(evaluation=evaluation).order_by("pk")
    assert history.count() == before + 1
    last = history.last()
    assert last.source == EvaluationChange.Source.REVIEW and last.changed_by == personas.office
    assert last.old_grade == "fair" and last.new_grade == "excellent"
    assert AuditEvent.objects.filter(action="evaluation.review_adjust").exists()
    assert AuditEvent.objects.filter(action="review.decide").count() == 2
    assert Notification.objects.filter(user=personas.unit, title__contains="复核申请已答复").count() == 2

    body = personas.client(personas.unit).get(reverse("reviews:unit", args=[plan.pk])).content.decode()
    assert "补充材料齐全，调整为优" in body and "材料确未按时报送" in body


def test_office_page_query_count_is_pinned(personas, plan, wugang, scored, monkeypatch):
    office = personas.client(personas.office)
    url = reverse("reviews:office", args=[plan.pk])
    office.get(url)  # warm caches (sessions, memberships)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert office.get(url).status_code == 200
        return len(ctx.captured_queries)

    _released_and_acknowledged(personas, plan, wugang, monkeypatch, beijing(2021, 4, 29))
    set_now(monkeypatch, beijing(2021, 4, 30))
    _file(personas, plan, scored[0])
    few = count()
    _file(personas, plan, scored[1])
    office.post(reverse("reviews:release", args=[plan.pk]), {"all_units": "on"})
    office.post(reverse("reviews:problem_add", args=[plan.pk]), {"unit": wugang.pk, "text": "问题"})
    assert count() == few
    assert few == 15  # the plan's units once (the page and the forms share them); the 问题类型 for the problem form


def _assert_official_layout(document, plan) -> None:
    """A4 in the GB/T 9704 layout: red 版头, 文号 over a red rule, a fixed-layout table as wide as the text at most."""
    from docx.oxml.ns import qn
    from docx.shared import Length

    from kaohe.core.officialdoc import TEXT_WIDTH_MM

    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    text_width = Length(section.page_width - section.left_margin - section.right_margin)
    assert round(text_width.mm) == TEXT_WIDTH_MM
    texts = [p.text for p in document.paragraphs]
    head = document.paragraphs[texts.index(f"{plan.organiser.name}文件")]
    assert all(str(r.font.color.rgb) == "C00000" for r in head.runs)
    number = next(p for p in document.paragraphs if "〕" in p.text and p.text.endswith("号"))
    assert number.text.startswith("平法政办〔") and number.text.endswith("〕  号")  # the office fills the number in
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "C00000"
    table = document.tables[0]
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    widths = [column.width for column in table.columns]
    assert sum(widths) <= text_width
    assert widths[1] == max(widths)  # the task name is the widest column
    assert all(widths[k] < widths[1] / 3 for k in (2, 3, 4))  # points, score, grade narrow
    for row in table.rows:
        assert [cell.width for cell in row.cells] == widths
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header repeated on each page
    assert [c.text for c in table.rows[0].cells] == ["编号", "工作任务", "分值", "得分", "等次", "扣分理由"]
    assert document.paragraphs[-1].text.endswith("印发")


def test_feedback_letter_docx(personas, plan, wugang, scored):
    import io

    import docx

    url = reverse("reviews:letter", args=[plan.pk, wugang.pk])
    personas.client(personas.office).post(
        reverse("reviews:problem_add", args=[plan.pk]), {"unit": wugang.pk, "task": scored[0].pk, "text": "台账不完整"}
    )
    assert personas.client(personas.unit).get(url).status_code == 404  # not released yet
    assert personas.client(personas.office).get(url).status_code == 404
    _release(personas, plan, wugang)
    for user in (personas.unit, personas.office):
        response = personas.client(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Disposition"].startswith("attachment;")
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
        tables = docx.Document(io.BytesIO(response.content)).tables
        assert "舞钢市人民政府" in text and "台账不完整" in text and "5个工作日内" in text
        assert "制度文件未按时报送" in [c.text for row in tables[0].rows for c in row.cells]
    _assert_official_layout(docx.Document(io.BytesIO(response.content)), plan)
    for user in (personas.unit2, personas.desk, personas.viewer, personas.other_office, personas.other_unit):
        assert personas.client(user).get(url).status_code == 404, user
    assert AuditEvent.objects.filter(action="feedback.letter").count() == 2


def test_request_with_attachment(personas, plan, wugang, scored, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kaohe.submissions.tests.conftest import PDF

    first, second, _ = scored
    _released_and_acknowledged(personas, plan, wugang, monkeypatch, beijing(2021, 4, 29))
    set_now(monkeypatch, beijing(2021, 4, 30))
    unit = personas.client(personas.unit)
    response = unit.post(
        reverse("reviews:request", args=[plan.pk, first.pk]),
        {"reasons": "见附件", "attachment": SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")},
        follow=True,
    )
    assert "已提交" in _messages(response)
    review = ReviewRequest.objects.get(task=first)
    assert review.attachment_name == "说明.pdf" and review.attachment_storage_name
    url = reverse("reviews:attachment", args=[plan.pk, review.pk])
    for user in (personas.unit, personas.office):
        download = personas.client(user).get(url)
        assert download.status_code == 200, user
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Disposition"].startswith("attachment;")
    for user in (personas.unit2, personas.desk, personas.viewer, personas.other_office):
        assert personas.client(user).get(url).status_code == 404, user
    assert AuditEvent.objects.filter(action="review.attachment_download").count() == 2
    # A refused file (empty) keeps the request from being filed, with the reason.
    response = personas.client(personas.unit).post(
        reverse("reviews:request", args=[plan.pk, second.pk]),
        {"reasons": "见附件", "attachment": SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")},
        follow=True,
    )
    assert not ReviewRequest.objects.filter(task=second).exists()
    assert "空文件" in _messages(response)


def test_unit_page_query_count_does_not_grow_with_requests(personas, plan, wugang, scored, monkeypatch):
    _released_and_acknowledged(personas, plan, wugang, monkeypatch, beijing(2021, 4, 29))
    set_now(monkeypatch, beijing(2021, 4, 30))
    unit = personas.client(personas.unit)
    url = reverse("reviews:unit", args=[plan.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert unit.get(url).status_code == 200
        return len(ctx.captured_queries)

    _file(personas, plan, scored[0])
    few = count()
    _file(personas, plan, scored[1])
    assert count() == few
