"""Zip archives beyond KAOHE_JOB_ARCHIVE_MIN_BYTES: a page offering to pack them in the background, the job
with its progress, the file for its requester only, and the same access rules as the immediate archive."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.core.models_job import Job, JobStatus
from kaohe.submissions.models import EvidenceFile
from kaohe.submissions.tests.conftest import pdf

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def big(settings: Any) -> Any:
    settings.KAOHE_JOB_ARCHIVE_MIN_BYTES = 1
    settings.TASKS = IMMEDIATE
    return settings


def _upload(personas: Any, plan: Any, unit: Any, task: Any, *files: Any) -> None:
    response = personas.client(personas.unit).post(
        reverse("submissions:upload", args=[plan.pk, unit.pk, task.pk]), {"files": list(files)}
    )
    assert response.status_code == 302


def test_a_large_unit_archive_is_packed_in_the_background(
    personas: Any,
    plan: Any,
    wugang: Any,
    task: Any,
    other_desk_task: Any,
    in_window: Any,
    big: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _upload(personas, plan, wugang, task, pdf("本科室.pdf"))
    _upload(personas, plan, wugang, other_desk_task, pdf("发改委.pdf"))
    url = reverse("submissions:unit_archive", args=[plan.pk, wugang.pk])
    desk = personas.client(personas.desk)
    offer = desk.get(url)
    assert offer.status_code == 200 and "共 1 个文件" in offer.content.decode()  # the desk's own task only
    with django_capture_on_commit_callbacks(execute=True):
        started = desk.post(url)
    job = Job.objects.get(kind="evidence.archive")
    assert started["Location"] == reverse("core:job", args=[job.pk])
    assert (job.status, job.done, job.total, job.requested_by) == (JobStatus.DONE, 1, 1, personas.desk)
    response = desk.get(reverse("core:job_download", args=[job.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert any("本科室.pdf" in n for n in names) and not any("发改委.pdf" in n for n in names) and "清单.txt" in names
    assert AuditEvent.objects.filter(action="evidence.archive", object_id=str(job.pk), actor_id=personas.desk.pk).exists()
    # The unit itself, the other desk and the other unit: the desk's job is not theirs (404, nothing leaks).
    for user in (personas.unit, personas.desk2, personas.unit2, personas.other_office):
        for name in ("core:job", "core:job_download"):
            assert personas.client(user).get(reverse(name, args=[job.pk])).status_code == 404
    # The plan's office sees the plan's jobs.
    assert personas.client(personas.office).get(reverse("core:job", args=[job.pk])).status_code == 200
    # Someone who may not download the archive cannot start one either.
    assert personas.client(personas.unit2).post(url).status_code == 404
    assert Job.objects.count() == 1


def test_files_withdrawn_before_the_job_runs_fail_it_in_chinese(
    personas: Any, plan: Any, wugang: Any, task: Any, in_window: Any, big: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(personas, plan, wugang, task, pdf("甲.pdf"))
    url = reverse("submissions:task_archive", args=[plan.pk, wugang.pk, task.pk])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        personas.client(personas.unit).post(url)
    EvidenceFile.objects.update(withdrawn_at="2020-12-21T10:00:00+08:00")
    for callback in queued:
        callback()
    job = Job.objects.get(kind="evidence.archive")
    assert job.status == JobStatus.FAILED and "没有可下载的文件" in job.error


def test_small_archives_still_download_at_once(personas: Any, plan: Any, wugang: Any, task: Any, in_window: Any) -> None:
    _upload(personas, plan, wugang, task, pdf("甲.pdf"))
    response = personas.client(personas.unit).get(reverse("submissions:task_archive", args=[plan.pk, wugang.pk, task.pk]))
    assert response["Content-Type"] == "application/zip"
    assert not Job.objects.exists()
