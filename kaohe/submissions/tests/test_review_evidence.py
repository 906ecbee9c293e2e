"""Desks open the submissions of the tasks they own; downloads, previews, archives; returns for supplement."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.core.models_notification import Notification
from kaohe.submissions.models import EvidenceFile, Submission, SupplementRequest
from kaohe.submissions.tests.conftest import PDF, SHANGHAI, pdf, set_now


def _upload(personas, plan, unit, task, *files):
    response = personas.client(personas.unit).post(
        reverse("submissions:upload", args=[plan.pk, unit.pk, task.pk]), {"files": list(files) or [pdf()]}
    )
    assert response.status_code == 302
    return EvidenceFile.objects.filter(submission__unit=unit, submission__task=task).order_by("-pk").first()


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_download_by_role_and_guessed_ids(personas, plan, wugang, task, other_desk_task, in_window):
    evidence = _upload(personas, plan, wugang, task)
    url = reverse("submissions:download", args=[plan.pk, evidence.pk])
    for user in (personas.unit, personas.desk, personas.office):
        response = personas.client(user).get(url)
        assert response.status_code == 200, user
        assert _body(response) == PDF
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
    # The other desk does not own this task; the other unit guesses the id; outsiders and viewers.
    for user in (personas.desk2, personas.unit2, personas.viewer, personas.other_office):
        response = personas.client(user).get(url)
        assert response.status_code == 404, user
        assert PDF not in _body(response)
    assert AuditEvent.objects.filter(action="evidence.download", object_id=str(evidence.pk)).count() == 3
    # The id of a file in this plan, asked through another plan's URL.
    from kaohe.plans.models import Plan

    other = Plan.objects.get(title="洛阳市2020年度依法行政考核")
    assert (
        personas.client(personas.other_office).get(reverse("submissions:download", args=[other.pk, evidence.pk])).status_code
        == 404
    )


def test_preview_is_inline_for_pdf_only(personas, plan, wugang, task, in_window):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kaohe.submissions.tests.conftest import docx_bytes

    evidence = _upload(personas, plan, wugang, task)
    response = personas.client(personas.desk).get(reverse("submissions:preview", args=[plan.pk, evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    word = _upload(personas, plan, wugang, task, SimpleUploadedFile("报告.docx", docx_bytes()))
    assert personas.client(personas.desk).get(reverse("submissions:preview", args=[plan.pk, word.pk])).status_code == 404


def test_task_archive_has_every_file_and_a_manifest(personas, plan, wugang, task, in_window):
    _upload(personas, plan, wugang, task, pdf("甲.pdf"), pdf("甲.pdf", PDF + b"%v2"))
    response = personas.client(personas.desk).get(reverse("submissions:task_archive", args=[plan.pk, wugang.pk, task.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    names = archive.namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == 2  # same display name, both kept
    manifest = archive.read("清单.txt").decode("utf-8")
    assert hashlib.sha256(PDF).hexdigest() in manifest
    assert hashlib.sha256(PDF + b"%v2").hexdigest() in manifest


def test_unit_archive_for_a_desk_holds_only_its_tasks(personas, plan, wugang, task, other_desk_task, in_window):
    _upload(personas, plan, wugang, task, pdf("本科室.pdf"))
    _upload(personas, plan, wugang, other_desk_task, pdf("发改委.pdf"))
    response = personas.client(personas.desk).get(reverse("submissions:unit_archive", args=[plan.pk, wugang.pk]))
    names = zipfile.ZipFile(io.BytesIO(_body(response))).namelist()
    assert any("本科室.pdf" in n for n in names)
    assert not any("发改委.pdf" in n for n in names)
    office_names = zipfile.ZipFile(
        io.BytesIO(_body(personas.client(personas.office).get(reverse("submissions:unit_archive", args=[plan.pk, wugang.pk]))))
    ).namelist()
    assert any("发改委.pdf" in n for n in office_names)
    assert personas.client(personas.unit2).get(reverse("submissions:unit_archive", args=[plan.pk, wugang.pk])).status_code == 404


def test_owning_desk_returns_for_supplement_and_unit_resubmits(personas, plan, wugang, task, in_window, monkeypatch):
    _upload(personas, plan, wugang, task)
    return_url = reverse("submissions:return", args=[plan.pk, wugang.pk, task.pk])
    # The other desk does not own the task; units and the office cannot return.
    assert personas.client(personas.desk2).post(return_url, {"reason": "x", "due_date": "2020-12-25"}).status_code == 404
    assert personas.client(personas.unit).post(return_url, {"reason": "x", "due_date": "2020-12-25"}).status_code == 403
    response = personas.client(personas.desk).post(return_url, {"reason": "缺少《证明事项清理意见表》", "due_date": "2021-01-08"})
    assert response.status_code == 302
    submission = Submission.objects.get(unit=wugang, task=task)
    assert submission.status == Submission.Status.RETURNED
    assert Notification.objects.filter(user=personas.unit, title__startswith="退回补充").exists()
    # After the task's own deadline, the return's date keeps it open for this unit.
    set_now(monkeypatch, dt.datetime(2021, 1, 5, 9, 0, tzinfo=SHANGHAI))
    _upload(personas, plan, wugang, task, pdf("意见表.pdf"))
    page = personas.client(personas.unit).get(reverse("submissions:task", args=[plan.pk, wugang.pk, task.pk])).content.decode()
    assert "缺少《证明事项清理意见表》" in page
    personas.client(personas.unit).post(reverse("submissions:resubmit", args=[plan.pk, wugang.pk, task.pk]))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert SupplementRequest.objects.get(submission=submission).resolved_at is not None
    # Resolved: the task is closed again.
    response = personas.client(personas.unit).post(
        reverse("submissions:upload", args=[plan.pk, wugang.pk, task.pk]), {"files": [pdf()]}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403


def test_an_empty_task_cannot_be_returned(personas, plan, wugang, task, in_window):
    response = personas.client(personas.desk).post(
        reverse("submissions:return", args=[plan.pk, wugang.pk, task.pk]), {"reason": "请报送", "due_date": "2021-01-08"}
    )
    assert response.status_code == 302
    assert not SupplementRequest.objects.exists()


def test_without_the_return_form_the_desk_is_told_why(personas, plan, wugang, task, in_window):
    """Empty, then graded: no 退回补充 form, and a sentence saying why (the form used to vanish without a word)."""
    from kaohe.scoring import services as scoring

    url = reverse("submissions:task", args=[plan.pk, wugang.pk, task.pk])
    desk = personas.client(personas.desk)
    page = desk.get(url).content.decode()
    assert 'data-testid="return-blocked"' in page and "尚未报送资料" in page
    _upload(personas, plan, wugang, task)
    page = desk.get(url).content.decode()
    assert 'data-testid="return-blocked"' not in page and f"/{task.pk}/return" in page  # the form itself
    scoring.evaluation_record(
        actor=personas.desk, plan=plan, unit=wugang, task=task, grade="good", reason="材料不全", expected_version=None
    )
    page = desk.get(url).content.decode()
    assert "已评价，不能再退回补充" in page and f"/{task.pk}/return" not in page
    unit_page = personas.client(personas.unit).get(url).content.decode()
    assert 'data-testid="return-blocked"' not in unit_page  # the unit is not told about the desk's form


def test_queue_shows_only_the_desks_tasks_with_counts(personas, plan, wugang, task, other_desk_task, in_window):
    _upload(personas, plan, wugang, task)
    client = personas.client(personas.desk)
    page = client.get(reverse("submissions:queue", args=[plan.pk])).content.decode()
    assert task.name[:20] in page
    assert other_desk_task.name[:20] not in page
    filtered = client.get(reverse("submissions:queue", args=[plan.pk]), {"status": "submitted"}).content.decode()
    assert filtered.count('data-testid="queue-row"') == 1
    assert personas.client(personas.unit).get(reverse("submissions:queue", args=[plan.pk])).status_code == 403
    assert personas.client(personas.other_office).get(reverse("submissions:queue", args=[plan.pk])).status_code == 404
    bad = client.get(reverse("submissions:queue", args=[plan.pk]), {"unit": "abc", "status": "nonsense"})
    assert bad.status_code == 200


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queue_and_overview_run_a_constant_number_of_queries(personas, plan, wugang, task, other_desk_task, in_window):
    office = personas.client(personas.office)
    queue_url = reverse("submissions:queue", args=[plan.pk])
    overview_url = reverse("submissions:overview", args=[plan.pk])
    before = (_queries(office, queue_url), _queries(office, overview_url), _queries(personas.client(personas.desk), queue_url))
    _upload(personas, plan, wugang, task, pdf("1.pdf"), pdf("2.pdf"))
    _upload(personas, plan, wugang, other_desk_task, pdf("3.pdf"))
    personas.client(personas.desk).post(
        reverse("submissions:return", args=[plan.pk, wugang.pk, task.pk]), {"reason": "补充", "due_date": "2021-01-08"}
    )
    after = (_queries(office, queue_url), _queries(office, overview_url), _queries(personas.client(personas.desk), queue_url))
    assert before == after
    assert max(after) <= 20
    # the overview reads statuses, not the queue's rows (13 before, with the calendar); 2 more: the overdue events
    assert after[1] <= 14


def test_overview_and_reminders(personas, plan, wugang, task, in_window):
    _upload(personas, plan, wugang, task)
    client = personas.client(personas.office)
    page = client.get(reverse("submissions:overview", args=[plan.pk])).content.decode()
    # 3 county governments + 4 部门2 units; 部门1's table is all 实地考核, nothing to upload.
    assert page.count('data-testid="matrix-row"') == 7
    for user in (personas.desk, personas.unit, personas.viewer):
        assert personas.client(user).get(reverse("submissions:overview", args=[plan.pk])).status_code == 403
    response = client.post(reverse("submissions:remind", args=[plan.pk]))
    assert response.status_code == 302
    note = Notification.objects.get(user=personas.unit, title__startswith="催报")
    assert "未报送" in note.body
    assert personas.client(personas.unit).post(reverse("submissions:remind", args=[plan.pk])).status_code == 403


def test_workspace_shows_own_tasks_and_progress(personas, plan, wugang, task, in_window):
    _upload(personas, plan, wugang, task)
    page = personas.client(personas.unit).get(reverse("submissions:workspace", args=[plan.pk])).content.decode()
    assert "舞钢市人民政府" in page
    assert "已报送 1 /" in page
    assert "剩" in page and "个工作日" in page
    # The office may look at any unit; a desk is sent to its queue; an outsider gets 404.
    assert (
        personas.client(personas.office).get(reverse("submissions:workspace", args=[plan.pk]), {"unit": wugang.pk}).status_code
        == 200
    )
    assert personas.client(personas.desk).get(reverse("submissions:workspace", args=[plan.pk])).status_code == 302
    assert personas.client(personas.viewer).get(reverse("submissions:workspace", args=[plan.pk])).status_code == 403
    assert personas.client(personas.other_office).get(reverse("submissions:workspace", args=[plan.pk])).status_code == 404


def test_a_desk_cannot_open_a_task_it_does_not_own(personas, plan, wugang, task, other_desk_task, in_window):
    _upload(personas, plan, wugang, other_desk_task, pdf("发改委材料.pdf"))
    url = reverse("submissions:task", args=[plan.pk, wugang.pk, other_desk_task.pk])
    response = personas.client(personas.desk).get(url)
    assert response.status_code == 404
    assert "发改委材料" not in response.content.decode()
    assert personas.client(personas.desk).get(reverse("submissions:task", args=[plan.pk, wugang.pk, task.pk])).status_code == 200
    archive = reverse("submissions:task_archive", args=[plan.pk, wugang.pk, other_desk_task.pk])
    assert personas.client(personas.desk).get(archive).status_code == 404
