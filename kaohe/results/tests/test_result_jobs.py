"""Results of a large plan in the background: the compute button starts a job and the results page shows its
progress (again after a reload); the whole-snapshot .xlsx and the bulletin are made by jobs; the requester who
lost the office's role gets a failed job; nobody else sees the job or its file."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.core.models_job import Job, JobStatus
from kaohe.organisations.models import Membership
from kaohe.organisations.roles import Role
from kaohe.results import services, services_jobs
from kaohe.results.models import ResultSnapshot

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def province(settings: Any) -> Any:
    """Every plan counts as large: its results work goes through background jobs, run in-process."""
    settings.KAOHE_JOB_MIN_UNITS = 1
    settings.TASKS = IMMEDIATE
    return settings


def test_compute_runs_as_a_job_and_the_results_page_shows_it(
    personas: Any, plan: Any, graded_dept1: Any, province: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client(personas.office)
    index = reverse("results:index", args=[plan.pk])
    assert "计算在后台进行" in client.get(index).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    assert response.status_code == 302 and response["Location"] == index
    job = Job.objects.get(kind=services_jobs.COMPUTE, plan_id=plan.pk)
    snapshot = ResultSnapshot.objects.get(plan=plan)
    assert (job.status, job.requested_by, job.error) == (JobStatus.DONE, personas.office, "")
    assert job.result_url == reverse("results:snapshot", args=[plan.pk, snapshot.pk])
    assert AuditEvent.objects.filter(action="results.compute", object_id=str(snapshot.pk), actor_id=personas.office.pk).exists()
    html = client.get(index).content.decode()
    assert 'data-testid="compute-job"' in html and job.result_url in html


def test_a_running_computation_survives_a_reload_and_blocks_a_second_one(
    personas: Any, plan: Any, province: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client(personas.office)
    with django_capture_on_commit_callbacks(execute=False):  # queued, no worker has taken it yet
        client.post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    job = Job.objects.get(kind=services_jobs.COMPUTE, plan_id=plan.pk)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, message="正在读取评价")
    html = client.get(reverse("results:index", args=[plan.pk])).content.decode()
    assert reverse("core:job_progress", args=[job.pk]) in html and "正在读取评价" in html and "disabled" in html
    again = client.post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    assert again.status_code == 400 and "正在后台计算" in again.content.decode()
    assert Job.objects.filter(kind=services_jobs.COMPUTE).count() == 1


def test_bad_form_values_are_refused_before_anything_is_queued(personas: Any, plan: Any, province: Any) -> None:
    response = personas.client(personas.office).post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "zero"})
    assert response.status_code == 400
    assert not Job.objects.exists()


def test_a_requester_who_lost_the_office_role_gets_a_failed_job(
    personas: Any, plan: Any, province: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client(personas.office)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("results:compute", args=[plan.pk]), {"missing_policy": "report"})
    Membership.objects.filter(user=personas.office, role=Role.OFFICE).delete()
    for callback in queued:
        callback()
    job = Job.objects.get(kind=services_jobs.COMPUTE)
    assert (job.status, job.error) == (JobStatus.FAILED, "您已不再拥有发起此任务的权限，任务未执行")
    assert not ResultSnapshot.objects.filter(plan=plan).exists()


def test_the_snapshot_xlsx_and_bulletin_are_jobs_whose_files_only_the_office_gets(
    personas: Any, plan: Any, graded_dept1: Any, province: Any, django_capture_on_commit_callbacks: Any
) -> None:
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    client = personas.client(personas.office)
    page = client.get(reverse("results:snapshot", args=[plan.pk, snapshot.pk])).content.decode()
    assert 'data-testid="export-job"' in page and 'data-testid="bulletin-job"' in page
    for name, action, magic in (
        ("results:export_job", "results.export", b"PK"),
        ("results:bulletin_job", "results.bulletin", b"PK"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse(name, args=[plan.pk, snapshot.pk]))
        job = Job.objects.filter(plan_id=plan.pk).order_by("-pk").first()
        assert job is not None and response["Location"] == reverse("core:job", args=[job.pk])
        assert job.status == JobStatus.DONE, job.error
        download = client.get(reverse("core:job_download", args=[job.pk]))
        body = b"".join(download.streaming_content)
        assert body.startswith(magic) and f"第{snapshot.seq}次计算" in job.result_filename
        assert AuditEvent.objects.filter(action=action, object_id=str(job.pk)).count() == 1
        for user in (personas.desk, personas.viewer, personas.unit, personas.other_office):
            assert personas.client(user).get(reverse("core:job_download", args=[job.pk])).status_code == 404
    xlsx = Job.objects.get(kind=services_jobs.EXPORT)
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(reverse("core:job_download", args=[xlsx.pk])).streaming_content))
    )
    assert len(workbook.sheetnames) >= 2
    # Nobody but the office starts one.
    for user in (personas.desk, personas.viewer):
        assert personas.client(user).post(reverse("results:export_job", args=[plan.pk, snapshot.pk])).status_code == 403
