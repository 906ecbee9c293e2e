"""Background jobs (kaohe.core.jobs): run in-process, fail in Chinese, keep their file for the requester only,
and the progress fragment polls until the job has finished."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kaohe.core import jobs, tasks
from kaohe.core.models import AuditEvent
from kaohe.core.models_job import Job, JobStatus

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
KIND = "test.fake"


class Fake:
    """What the fake kind does when it runs, and whom it lets see the job."""

    def __init__(self) -> None:
        self.outcome: Any = None
        self.allowed: set[int] = set()

    def run(self, job: Job) -> jobs.JobResult:
        for n in range(1, 4):
            jobs.report_progress(job, n, 3, "正在处理")
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome  # type: ignore[no-any-return]

    def permitted(self, user: Any, job: Job) -> bool:
        return user.pk in self.allowed


@pytest.fixture
def fake(settings: Any) -> Iterator[Fake]:
    settings.TASKS = IMMEDIATE
    kind = Fake()
    jobs.register_kind(KIND, jobs.JobKind("测试任务", kind.run, kind.permitted, download_action="test.download"))
    yield kind
    jobs._KINDS.pop(KIND, None)


def _start(user: Any, capture: Any) -> Job:
    with capture(execute=True):
        job = tasks.job_start(actor=user, kind=KIND, title="测试：生成文件")
    job.refresh_from_db()
    return job


def test_a_job_that_raises_fails_with_a_chinese_message_and_logs_the_traceback(
    personas: Any, fake: Fake, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    fake.allowed = {personas.office.pk}
    fake.outcome = RuntimeError("boom in /srv/kaohe/secret.py")
    with caplog.at_level(logging.ERROR, logger="kaohe.core.jobs"):
        job = _start(personas.office, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.error == jobs.UNEXPECTED.format(id=job.pk)
    assert job.finished_at is not None
    assert "boom in /srv/kaohe/secret.py" in caplog.text  # the traceback is in the log ...
    html = personas.client(personas.office).get(reverse("core:job", args=[job.pk])).content.decode()
    assert "任务执行出错" in html and "失败" in html
    assert "boom" not in html and "Traceback" not in html  # ... never on the page


def test_a_validation_error_is_the_job_error(personas: Any, fake: Fake, django_capture_on_commit_callbacks: Any) -> None:
    fake.allowed = {personas.office.pk}
    fake.outcome = ValidationError("该次计算结果已不存在")
    job = _start(personas.office, django_capture_on_commit_callbacks)
    assert (job.status, job.error) == (JobStatus.FAILED, "该次计算结果已不存在")


def test_a_requester_who_lost_the_permission_gets_a_failed_job_and_nothing_runs(
    personas: Any, fake: Fake, django_capture_on_commit_callbacks: Any
) -> None:
    fake.allowed = set()
    fake.outcome = jobs.JobFile(b"secret", "x.txt", "txt")
    job = _start(personas.office, django_capture_on_commit_callbacks)
    assert (job.status, job.error, job.result_name, job.done) == (JobStatus.FAILED, jobs.LOST_PERMISSION, "", 0)


def test_the_file_is_the_requesters_only_and_its_download_is_audited(
    personas: Any, fake: Fake, django_capture_on_commit_callbacks: Any
) -> None:
    fake.allowed = {personas.office.pk, personas.desk.pk}
    fake.outcome = jobs.JobFile(b"PK-archive-bytes", "舞钢市-报送资料.zip", "zip")
    job = _start(personas.office, django_capture_on_commit_callbacks)
    assert (job.status, job.done, job.total, job.percent) == (JobStatus.DONE, 3, 3, 100)
    assert job.result_name.startswith(f"jobs/{job.pk}/") and job.result_size == len(b"PK-archive-bytes")
    download = reverse("core:job_download", args=[job.pk])
    response = personas.client(personas.office).get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK-archive-bytes"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="test.download", object_id=str(job.pk)).count() == 1
    # Another person — even one the kind would permit, and the plan's office of a job without a plan — sees nothing.
    for user in (personas.desk, personas.unit, personas.other_office, personas.sysadmin):
        for name in ("core:job", "core:job_progress", "core:job_download"):
            assert personas.client(user).get(reverse(name, args=[job.pk])).status_code == 404, (user, name)
    assert personas.client(None).get(download).status_code == 302
    # The requester who lost the page's permission no longer sees the job or its file.
    fake.allowed = set()
    assert personas.client(personas.office).get(download).status_code == 404
    assert "舞钢市" not in personas.client(personas.office).get(reverse("core:jobs")).content.decode()


def test_the_progress_fragment_polls_until_the_job_has_finished(personas: Any, fake: Fake) -> None:
    fake.allowed = {personas.office.pk}
    job = Job.objects.create(
        kind=KIND, title="测试：进行中", requested_by=personas.office, status=JobStatus.RUNNING, done=2, total=8
    )
    client = personas.client(personas.office)
    fragment = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and 'value="2" max="8"' in fragment and "（2 / 8）" in fragment
    # A reload of the job page shows it still running.
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "进行中" in page and reverse("core:job_progress", args=[job.pk]) in page
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="没有可下载的文件")
    fragment = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in fragment and "没有可下载的文件" in fragment
    listing = client.get(reverse("core:jobs")).content.decode()
    assert "测试：进行中" in listing and "失败" in listing


def test_progress_is_written_at_most_every_interval_and_always_at_the_end(personas: Any, fake: Fake, monkeypatch: Any) -> None:
    job = Job.objects.create(kind=KIND, title="测试", requested_by=personas.office)
    jobs.report_progress(job, 1, 100)
    job.refresh_from_db()
    assert job.done == 0  # inside a transaction (this test's): nobody else could see it, nothing written
    monkeypatch.setattr(jobs, "_in_transaction", lambda: False)  # as in the worker, between transactions
    jobs.report_progress(job, 1, 100)
    for n in range(2, 100):
        jobs.report_progress(job, n, 100)
    job.refresh_from_db()
    assert job.done == 1  # the items within the interval were not written
    jobs.report_progress(job, 100, 100)
    job.refresh_from_db()
    assert (job.done, job.total) == (100, 100)


def test_the_job_list_needs_a_sign_in_and_pins_its_queries(personas: Any, fake: Fake, django_assert_max_num_queries: Any) -> None:
    fake.allowed = {personas.office.pk}
    for n in range(5):
        Job.objects.create(kind=KIND, title=f"测试{n}", requested_by=personas.office)
    client = personas.client(personas.office)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("core:jobs")).status_code == 200
    assert personas.client(None).get(reverse("core:jobs")).status_code == 302


def test_purge_deletes_old_finished_jobs_with_their_files_and_fails_stale_ones(personas: Any, fake: Fake) -> None:
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.utils import timezone

    long_ago = timezone.now() - dt.timedelta(days=30)
    name = default_storage.save("jobs/old/result.zip", ContentFile(b"PK"))
    old = Job.objects.create(kind=KIND, title="旧", requested_by=personas.office, status=JobStatus.DONE, result_name=name)
    recent = Job.objects.create(kind=KIND, title="新", requested_by=personas.office, status=JobStatus.DONE)
    stale = Job.objects.create(kind=KIND, title="卡住", requested_by=personas.office, status=JobStatus.RUNNING)
    Job.objects.filter(pk=old.pk).update(finished_at=long_ago)
    Job.objects.filter(pk=recent.pk).update(finished_at=timezone.now())
    Job.objects.filter(pk=stale.pk).update(created_at=long_ago)
    call_command("purge_jobs", stdout=io.StringIO())
    assert not Job.objects.filter(pk=old.pk).exists() and not default_storage.exists(name)
    assert Job.objects.filter(pk=recent.pk).exists()
    stale.refresh_from_db()
    assert (stale.status, stale.error) == (JobStatus.FAILED, jobs.INTERRUPTED)
