"""A unit uploads evidence for its tasks before the deadline; every version is kept and traceable."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.submissions.models import EvidenceFile, Submission
from kaohe.submissions.tests.conftest import PDF, SHANGHAI, docx_bytes, pdf, set_now


def upload_url(plan, unit, task):
    return reverse("submissions:upload", args=[plan.pk, unit.pk, task.pk])


def test_unit_uploads_files_and_every_version_is_kept(personas, plan, wugang, task, in_window):
    client = personas.client(personas.unit)
    response = client.post(upload_url(plan, wugang, task), {"files": [pdf(), pdf()]}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [f["accepted"] for f in body["files"]] == [True, True]
    files = list(EvidenceFile.objects.filter(submission__unit=wugang, submission__task=task))
    assert len(files) == 2  # same name twice: two versions, nothing overwritten
    assert {f.sha256 for f in files} == {hashlib.sha256(PDF).hexdigest()}
    assert all(f.kind == "pdf" and f.size == len(PDF) for f in files)
    assert files[0].storage_name != files[1].storage_name
    assert "总结报告" not in files[0].storage_name  # the display name is never the path
    with default_storage.open(files[0].storage_name, "rb") as fh:
        assert fh.read() == PDF
    submission = Submission.objects.get(unit=wugang, task=task)
    assert submission.status == Submission.Status.SUBMITTED
    assert AuditEvent.objects.filter(action="evidence.upload", plan_id=plan.pk).count() == 2


def test_withdraw_is_a_logged_soft_delete(personas, plan, wugang, task, in_window):
    client = personas.client(personas.unit)
    client.post(upload_url(plan, wugang, task), {"files": [pdf()]})
    evidence = EvidenceFile.objects.get(submission__unit=wugang, submission__task=task)
    response = client.post(reverse("submissions:withdraw", args=[plan.pk, evidence.pk]))
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is not None and evidence.withdrawn_by == personas.unit
    assert default_storage.exists(evidence.storage_name)  # kept for the record
    assert Submission.objects.get(pk=evidence.submission_id).status == Submission.Status.EMPTY
    assert AuditEvent.objects.filter(action="evidence.withdraw", object_id=str(evidence.pk)).exists()
    page = client.get(reverse("submissions:task", args=[plan.pk, wugang.pk, task.pk])).content.decode()
    assert "已撤回" in page


def test_after_the_deadline_nothing_can_be_added_or_withdrawn(personas, plan, wugang, task, monkeypatch):
    set_now(monkeypatch, dt.datetime(2020, 12, 31, 23, 59, tzinfo=SHANGHAI))
    client = personas.client(personas.unit)
    assert client.post(upload_url(plan, wugang, task), {"files": [pdf()]}).status_code == 302
    evidence = EvidenceFile.objects.get(submission__unit=wugang, submission__task=task)
    set_now(monkeypatch, dt.datetime(2021, 1, 1, 0, 0, tzinfo=SHANGHAI))  # the first minute after the deadline day
    response = client.post(upload_url(plan, wugang, task), {"files": [pdf("迟交.pdf")]}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert "2020-12-31 截止" in response.json()["error"]
    client.post(reverse("submissions:withdraw", args=[plan.pk, evidence.pk]))
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None
    assert EvidenceFile.objects.filter(submission__unit=wugang, submission__task=task).count() == 1
    page = client.get(reverse("submissions:task", args=[plan.pk, wugang.pk, task.pk])).content.decode()
    assert 'data-testid="locked"' in page


def test_extension_for_one_unit_reopens_only_that_unit(personas, plan, wugang, task, monkeypatch):
    from kaohe.plans.models import PlanUnit

    set_now(monkeypatch, dt.datetime(2021, 1, 3, 9, 0, tzinfo=SHANGHAI))
    office = personas.client(personas.office)
    response = office.post(
        reverse("submissions:extensions", args=[plan.pk]),
        {"task": task.pk, "unit": wugang.pk, "new_deadline": "2021-01-08", "reason": "系统故障，补报"},
    )
    assert response.status_code == 302
    assert personas.client(personas.unit).post(upload_url(plan, wugang, task), {"files": [pdf()]}).status_code == 302
    assert EvidenceFile.objects.filter(submission__unit=wugang).count() == 1
    assert AuditEvent.objects.filter(action="evidence.extend").exists()
    # Another county is still closed.
    other = PlanUnit.objects.filter(plan=plan, category=wugang.category).exclude(pk=wugang.pk).first()
    from kaohe.submissions.services import deadline_for

    assert deadline_for(plan, other, task) == dt.date(2020, 12, 31)
    assert deadline_for(plan, wugang, task) == dt.date(2021, 1, 8)


def test_extension_needs_a_later_date_and_a_reason(personas, plan, task):
    office = personas.client(personas.office)
    url = reverse("submissions:extensions", args=[plan.pk])
    response = office.post(url, {"task": task.pk, "unit": "", "new_deadline": "2020-12-30", "reason": "x"})
    assert response.status_code == 400
    assert "须晚于原截止日期" in response.content.decode()
    assert (
        personas.client(personas.unit).post(url, {"task": task.pk, "new_deadline": "2021-02-01", "reason": "x"}).status_code
        == 403
    )
    assert personas.client(personas.desk).get(url).status_code == 403


def test_note_and_links_are_saved_and_bad_links_refused(personas, plan, wugang, task, in_window):
    client = personas.client(personas.unit)
    url = reverse("submissions:details", args=[plan.pk, wugang.pk, task.pk])
    client.post(url, {"note": "见政府网站公开专栏", "links": "https://www.example.gov.cn/qzqd\njavascript:alert(1)"})
    assert not Submission.objects.filter(unit=wugang, task=task, links__isnull=False).exclude(links=[]).exists()
    client.post(url, {"note": "见政府网站公开专栏", "links": "https://www.example.gov.cn/qzqd"})
    submission = Submission.objects.get(unit=wugang, task=task)
    assert submission.links == [{"url": "https://www.example.gov.cn/qzqd"}]
    assert submission.status == Submission.Status.SUBMITTED


def test_wrong_unit_wrong_role_and_wrong_category_cannot_upload(personas, plan, wugang, sfj, task, in_window):
    url = upload_url(plan, wugang, task)
    for user in (personas.unit2, personas.desk, personas.office, personas.viewer, personas.other_office):
        assert personas.client(user).post(url, {"files": [pdf()]}).status_code == 404, user
    # 市司法局 is in 部门2: a 县区政府 task does not exist for it, even for its own member.
    assert personas.client(personas.unit2).post(upload_url(plan, sfj, task), {"files": [pdf()]}).status_code == 404
    assert personas.client(None).post(url, {"files": [pdf()]}).status_code == 302
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [
        ("报告.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "可执行"),
        ("报告.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
        ("空.pdf", b"", "空"),
    ],
)
def test_disguised_and_empty_files_are_refused(personas, plan, wugang, task, in_window, name, body, reason):
    client = personas.client(personas.unit)
    response = client.post(
        upload_url(plan, wugang, task), {"files": [SimpleUploadedFile(name, body)]}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    payload = response.json()
    message = payload["error"] or payload["files"][0]["message"]
    assert reason in message or reason.lower() in message.lower(), message
    assert not EvidenceFile.objects.exists()
    assert not Submission.objects.filter(unit=wugang, task=task).exclude(status=Submission.Status.EMPTY).exists()


def test_oversize_file_is_refused_and_nothing_stored(personas, plan, wugang, task, in_window, settings):
    settings.KAOHE_EVIDENCE_MAX_BYTES = 1024
    response = personas.client(personas.unit).post(
        upload_url(plan, wugang, task), {"files": [pdf(body=PDF + b"0" * 4096)]}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "MB" in response.content.decode() or "过大" in response.content.decode() or "超过" in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_dangerous_names_are_sanitised_for_display_and_never_used_as_paths(personas, plan, wugang, task, in_window):
    client = personas.client(personas.unit)
    client.post(upload_url(plan, wugang, task), {"files": [pdf("../../etc/passwd\u202e.pdf")]})
    evidence = EvidenceFile.objects.get()
    assert "/" not in evidence.display_name and ".." not in evidence.display_name and "\u202e" not in evidence.display_name
    assert evidence.storage_name.startswith(f"evidence/plan-{plan.pk}/unit-{wugang.pk}/task-{task.pk}/")


def test_too_many_files_in_one_request_are_refused(personas, plan, wugang, task, in_window):
    files = [pdf(f"{i}.pdf") for i in range(500)]
    response = personas.client(personas.unit).post(
        upload_url(plan, wugang, task), {"files": files}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert not EvidenceFile.objects.exists()


def test_storage_failure_leaves_no_record(personas, plan, wugang, task, in_window, monkeypatch):

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "link", broken_save)  # moving the staged file into place fails,
    monkeypatch.setattr(default_storage, "save", broken_save)  # and so does the copy it falls back to
    response = personas.client(personas.unit).post(
        upload_url(plan, wugang, task), {"files": [pdf()]}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert not EvidenceFile.objects.exists()
    assert "失败" in response.json()["files"][0]["message"]


def test_database_failure_after_storing_deletes_the_file(personas, plan, wugang, task, in_window, monkeypatch):
    from kaohe.core import audit, storage

    client = personas.client(personas.unit)
    client.raise_request_exception = False

    def broken_record(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(audit, "record", broken_record)
    saved: list[str] = []
    real_key = storage.storage_key

    def tracking_key(**kwargs):
        saved.append(real_key(**kwargs))
        return saved[-1]

    monkeypatch.setattr(storage, "storage_key", tracking_key)
    response = client.post(upload_url(plan, wugang, task), {"files": [pdf()]})
    assert response.status_code == 500
    assert not EvidenceFile.objects.exists()
    assert saved and not default_storage.exists(saved[0])
    assert os.listdir(os.path.join(django_settings.MEDIA_ROOT, storage.STAGING_DIR)) == []


def test_office_documents_are_accepted_and_typed_by_content(personas, plan, wugang, task, in_window):
    client = personas.client(personas.unit)
    response = client.post(
        upload_url(plan, wugang, task),
        {"files": [SimpleUploadedFile("工作报告.docx", docx_bytes())]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    assert EvidenceFile.objects.get().kind == "word"
