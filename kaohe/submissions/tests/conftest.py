"""Evidence tests run "during the submission window" of the small city's plan (tests/city.py; its deadlines are in 2020)."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, PlanUnit

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def set_now(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


@pytest.fixture
def in_window(monkeypatch):
    """2020-12-20 10:00 in Beijing: every 2020-12-31 task of the plan is open."""
    set_now(monkeypatch, dt.datetime(2020, 12, 20, 10, 0, tzinfo=SHANGHAI))


def pdf(name: str = "总结报告.pdf", body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("2020年度法治政府建设工作报告")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def wugang(plan):
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name="舞钢市人民政府")


@pytest.fixture
def sfj(plan):
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name="市司法局")


def county_task(plan, *, desk: str = "市司法局依法行政指导科", deadline: dt.date = dt.date(2020, 12, 31)):
    return (
        Indicator.objects.filter(
            plan=plan,
            category__name="县区政府",
            level=Level.TASK,
            method=Method.SUBMISSION,
            assessor__organisation__name=desk,
            deadline=deadline,
        )
        .order_by("order")
        .first()
    )


@pytest.fixture
def task(plan):
    """A 县区政府 报送资料 task graded by desk_yfxz (市司法局依法行政指导科), due 2020-12-31."""
    return county_task(plan)


@pytest.fixture
def other_desk_task(plan):
    """A 县区政府 报送资料 task of another desk (市发改委)."""
    return county_task(plan, desk="市发改委")
