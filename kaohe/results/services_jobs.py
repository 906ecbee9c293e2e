"""Results work in the background (后台任务, kaohe.core.jobs): computing a large plan, its whole-snapshot .xlsx and
its bulletin .docx.

A plan with at least ``KAOHE_JOB_MIN_UNITS`` units (a province) computes and exports through a job; a smaller one
keeps the immediate path. The start services check what the synchronous views check (``results:compute`` on a
published plan) and validate the form's values before anything is queued; the job checks again when it runs, as
the requester (who may have lost the role meanwhile: the job then fails with 无权 and writes nothing), and the
computation itself is ``services.results_compute`` with its own checks and its audit event. Downloads of the
files are audited at download time with the synchronous views' actions (results.export / results.bulletin).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from kaohe import access
from kaohe.accounts.models import User
from kaohe.core import jobs, tasks
from kaohe.core.jobs import JobFile, JobKind
from kaohe.core.models_job import Job, JobStatus
from kaohe.plans.models import Plan, PlanUnit
from kaohe.results import exports
from kaohe.results.bulletin import build_bulletin
from kaohe.results.models import ResultSnapshot
from kaohe.results.services.computation import _clean_choice, results_compute

COMPUTE = "results.compute"
EXPORT = "results.export"
BULLETIN = "results.bulletin"


def runs_in_background(plan: Plan) -> bool:
    """Whether the plan is large enough for its results work to run as a background job."""
    return PlanUnit.objects.filter(plan=plan).count() >= settings.KAOHE_JOB_MIN_UNITS


def snapshot_in_background(snapshot: ResultSnapshot) -> bool:
    """Whether the snapshot's .xlsx and bulletin are made by a background job (a province's are)."""
    return snapshot.unit_count >= settings.KAOHE_JOB_MIN_UNITS


def _plan(job: Job) -> Plan | None:
    return Plan.objects.filter(pk=job.plan_id).first() if job.plan_id is not None else None


def _permitted(user: Any, job: Job) -> bool:
    plan = _plan(job)
    return plan is not None and not plan.is_draft and access.can(user, "results:compute", plan)


def _snapshot(job: Job, plan: Plan) -> ResultSnapshot:
    snapshot = ResultSnapshot.objects.defer("inputs", "data").filter(plan=plan, pk=job.params.get("snapshot_id")).first()
    if snapshot is None:
        raise ValidationError("该次计算结果已不存在")
    return snapshot


def _require(actor: User, plan: Plan) -> None:
    access.require(actor, "results:compute", plan)
    if plan.is_draft:
        raise ValidationError("方案尚未发布，不能计算结果")


# --- start ------------------------------------------------------------------------------------------------------


def results_compute_start(*, actor: User, plan: Plan, missing_policy: str, decision_note: str = "") -> Job:
    """Queue the computation of every category (the form's values checked now, everything again when it runs)."""
    _require(actor, plan)
    choice, note = _clean_choice(missing_policy, decision_note)
    if Job.objects.filter(plan_id=plan.pk, kind=COMPUTE, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exists():
        raise ValidationError("本方案的结果正在后台计算，请等待完成后再计算")
    return tasks.job_start(
        actor=actor,
        kind=COMPUTE,
        title=f"{plan.title}：计算考核结果",
        plan_id=plan.pk,
        params={"missing_policy": choice.value, "decision_note": note},
    )


def snapshot_file_start(*, actor: User, plan: Plan, snapshot: ResultSnapshot, kind: str) -> Job:
    """Queue the whole-snapshot .xlsx (``EXPORT``) or the bulletin .docx (``BULLETIN``) of one computation."""
    _require(actor, plan)
    if snapshot.plan_id != plan.pk or kind not in (EXPORT, BULLETIN):
        raise ValidationError("该次计算结果不存在")
    what = "导出考核结果（Excel）" if kind == EXPORT else "生成考核情况通报（Word）"
    return tasks.job_start(
        actor=actor,
        kind=kind,
        title=f"{plan.title}：第{snapshot.seq}次计算 {what}",
        plan_id=plan.pk,
        params={"snapshot_id": snapshot.pk},
    )


# --- run ----------------------------------------------------------------------------------------------------------


def _run_compute(job: Job) -> str:
    plan = _plan(job)
    if plan is None:
        raise ValidationError("考核方案已不存在")
    jobs.report_progress(job, 0, 0, "正在读取评价、加减分和否决情形并计算各类别")
    snapshot = results_compute(
        actor=job.requested_by,
        plan=plan,
        missing_policy=str(job.params.get("missing_policy", "")),
        decision_note=str(job.params.get("decision_note", "")),
    )
    return reverse("results:snapshot", args=[plan.pk, snapshot.pk])


def _run_export(job: Job) -> JobFile:
    plan = _plan(job)
    if plan is None:
        raise ValidationError("考核方案已不存在")
    snapshot = _snapshot(job, plan)
    jobs.report_progress(job, 0, 1, "正在生成排名表和得分明细")
    body = exports.snapshot_workbook(plan, snapshot)
    jobs.report_progress(job, 1, 1, "正在保存文件")
    return JobFile(body, f"{plan.title}-考核结果-第{snapshot.seq}次计算.xlsx", "xlsx")


def _run_bulletin(job: Job) -> JobFile:
    plan = _plan(job)
    if plan is None:
        raise ValidationError("考核方案已不存在")
    snapshot = _snapshot(job, plan)
    jobs.report_progress(job, 0, 1, "正在生成通报")
    body = build_bulletin(plan, snapshot)
    jobs.report_progress(job, 1, 1, "正在保存文件")
    return JobFile(body, f"{plan.title}-考核情况通报-第{snapshot.seq}次计算.docx", "docx")


def _back(job: Job) -> str:
    return reverse("results:index", args=[job.plan_id]) if job.plan_id is not None else ""


def register() -> None:
    """Called from ResultsConfig.ready()."""
    jobs.register_kind(COMPUTE, JobKind("计算考核结果", _run_compute, _permitted, back=_back))
    jobs.register_kind(EXPORT, JobKind("导出考核结果", _run_export, _permitted, download_action="results.export", back=_back))
    jobs.register_kind(
        BULLETIN, JobKind("生成考核情况通报", _run_bulletin, _permitted, download_action="results.bulletin", back=_back)
    )
