"""Review tests: a deducted evaluation for 舞钢市人民政府, released feedback, and a settable clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


def set_now(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def beijing(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture
def wugang(demo_plan):
    from kaohe.plans.models import PlanUnit

    return PlanUnit.objects.select_related("organisation", "category").get(plan=demo_plan, organisation__name="舞钢市人民政府")


@pytest.fixture
def desk_tasks(demo_plan):
    """Three 县区政府 报送资料 tasks graded by desk_yfxz (市司法局依法行政指导科)."""
    from kaohe.plans.constants import Level, Method
    from kaohe.plans.models import Indicator

    return list(
        Indicator.objects.filter(
            plan=demo_plan,
            category__name="县区政府",
            level=Level.TASK,
            method=Method.SUBMISSION,
            assessor__organisation__name="市司法局依法行政指导科",
        ).order_by("order")[:3]
    )


def evaluate(personas, plan, unit, task, grade: str, reason: str = ""):
    from kaohe.scoring.services import evaluation_record

    return evaluation_record(
        actor=personas.desk, plan=plan, unit=unit, task=task, grade=grade, reason=reason, expected_version=None
    )


@pytest.fixture
def scored(personas, demo_plan, wugang, desk_tasks):
    """舞钢: two tasks deducted (良, 中), one at full marks (优)."""
    first, second, third = desk_tasks
    evaluate(personas, demo_plan, wugang, first, "good", "制度文件未按时报送")
    evaluate(personas, demo_plan, wugang, second, "fair", "年度报告内容不完整")
    evaluate(personas, demo_plan, wugang, third, "excellent")
    return desk_tasks
