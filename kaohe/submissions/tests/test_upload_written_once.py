"""Evidence uploads are written once: staged in the media store as they arrive, then moved into place."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.core.storage import STAGING_DIR
from kaohe.submissions.models import EvidenceFile
from kaohe.submissions.tests.conftest import PDF

MB = 1024 * 1024


def upload_url(plan, unit, task):
    return reverse("submissions:upload", args=[plan.pk, unit.pk, task.pk])


def staged_files() -> list[str]:
    folder = os.path.join(django_settings.MEDIA_ROOT, STAGING_DIR)
    return os.listdir(folder) if os.path.isdir(folder) else []


@pytest.fixture
def spool(tmp_path, settings):
    """Django's temporary upload files go here: with staging, nothing may appear."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def test_the_stored_version_is_the_file_that_arrived(personas, plan, wugang, task, in_window, spool, monkeypatch):
    body = PDF + hashlib.shake_256(b"evidence").digest(5 * MB)

    def no_copy(*args, **kwargs):
        raise AssertionError("the upload must not be copied into storage a second time")

    monkeypatch.setattr(FileSystemStorage, "save", no_copy)
    response = personas.client(personas.unit).post(
        upload_url(plan, wugang, task),
        {"files": [SimpleUploadedFile("执法案卷.pdf", body, content_type="application/pdf")]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    evidence = EvidenceFile.objects.get(pk=response.json()["files"][0]["file_id"])
    digest = hashlib.sha256()
    with default_storage.open(evidence.storage_name, "rb") as fh:
        while chunk := fh.read(MB):
            digest.update(chunk)
    assert evidence.sha256 == digest.hexdigest() == hashlib.sha256(body).hexdigest()
    assert evidence.size == len(body) == default_storage.size(evidence.storage_name)
    assert staged_files() == []
    assert os.listdir(spool) == []  # no temporary copy


@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [
        ("报告.pdf", b"MZ\x90\x00\x03" + b"\x00" * 300_000, "可执行"),
        ("名单.csv", b"name,unit\n" * 60_000 + b"<script>alert(1)</script>\n", "网页或脚本"),
    ],
)
def test_refused_after_staging_leaves_no_file(personas, plan, wugang, task, in_window, spool, name, body, reason):
    response = personas.client(personas.unit).post(
        upload_url(plan, wugang, task), {"files": [SimpleUploadedFile(name, body)]}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert reason in response.json()["files"][0]["message"]
    assert not EvidenceFile.objects.exists()
    assert staged_files() == []
    assert os.listdir(spool) == []


def test_oversize_and_crowded_requests_leave_no_staged_file(personas, plan, wugang, task, in_window, settings):
    settings.KAOHE_EVIDENCE_MAX_BYTES = 64 * 1024
    client = personas.client(personas.unit)
    response = client.post(
        upload_url(plan, wugang, task),
        {"files": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF + bytes(MB))]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400 and "超过" in response.json()["error"]
    settings.KAOHE_EVIDENCE_MAX_FILES_PER_REQUEST = 2
    files = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(3)]
    response = client.post(upload_url(plan, wugang, task), {"files": files}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "一次最多上传 2 个文件" in response.json()["error"]
    assert not EvidenceFile.objects.exists()
    assert staged_files() == []
