"""Insights tests: files added straight to storage (the upload's own checks are the submissions tests' business)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions.models import EvidenceFile, Submission

SHANGHAI = ZoneInfo("Asia/Shanghai")


def set_now(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def beijing(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def docx_of(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_file(plan: Plan, unit: PlanUnit, task: Indicator, name: str, data: bytes, user: Any) -> EvidenceFile:
    submission, _ = Submission.objects.get_or_create(
        plan=plan, unit=unit, task=task, defaults={"status": Submission.Status.SUBMITTED}
    )
    key = default_storage.save(f"evidence/test/plan-{plan.pk}/{hashlib.sha256(data).hexdigest()[:12]}-{name}", ContentFile(data))
    return EvidenceFile.objects.create(
        submission=submission,
        storage_name=key,
        display_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        kind="pdf",
        mime="application/pdf",
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )


def unit_named(plan: Plan, name: str) -> PlanUnit:
    return PlanUnit.objects.select_related("organisation").get(plan=plan, organisation__name=name)


def county_task(plan: Plan, desk: str) -> Indicator:
    found = (
        Indicator.objects.filter(
            plan=plan, category__name="县区政府", level=Level.TASK, method=Method.SUBMISSION, assessor__organisation__name=desk
        )
        .order_by("order")
        .first()
    )
    assert found is not None
    return found


@pytest.fixture
def wugang(plan: Plan) -> PlanUnit:
    return unit_named(plan, "舞钢市人民政府")


@pytest.fixture
def baofeng(plan: Plan) -> PlanUnit:
    return unit_named(plan, "宝丰县人民政府")


@pytest.fixture
def task(plan: Plan) -> Indicator:
    """A 县区政府 报送资料 task graded by desk_yfxz."""
    return county_task(plan, "市司法局依法行政指导科")


@pytest.fixture
def other_desk_task(plan: Plan) -> Indicator:
    """A 县区政府 报送资料 task graded by 市发改委 (not desk_yfxz)."""
    return county_task(plan, "市发改委")
