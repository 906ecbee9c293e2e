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
def wugang(plan):
    from kaohe.plans.models import PlanUnit

    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name="舞钢市人民政府")


@pytest.fixture
def desk_tasks(plan):
    """Three 县区政府 报送资料 tasks graded by desk_yfxz (市司法局依法行政指导科).

    The city's table has two (1.1.1 and 2.1.2, tests/city.py); the test adds a third, 5.1.1 (10 points).
    """
    from kaohe.plans.constants import Adjustment, Level, Method
    from kaohe.plans.models import AssessorDesk, Category, Indicator
    from tests import factories as f

    county = Category.objects.get(plan=plan, name="县区政府")
    yfxz = AssessorDesk.objects.get(plan=plan, organisation__name="市司法局依法行政指导科")
    f.task(county, "5.1.1", 10, name="组织开展领导干部学法活动", assessor=yfxz, materials="学法记录")
    return list(
        Indicator.objects.filter(
            plan=plan,
            category=county,
            level=Level.TASK,
            method=Method.SUBMISSION,
            adjustment=Adjustment.NONE,
            assessor=yfxz,
        ).order_by("order")
    )


def evaluate(personas, plan, unit, task, grade: str, reason: str = ""):
    from kaohe.scoring.services import evaluation_record

    return evaluation_record(
        actor=personas.desk, plan=plan, unit=unit, task=task, grade=grade, reason=reason, expected_version=None
    )


@pytest.fixture
def scored(personas, plan, wugang, desk_tasks):
    """舞钢: two tasks deducted (良, 中), one at full marks (优)."""
    first, second, third = desk_tasks
    evaluate(personas, plan, wugang, first, "good", "制度文件未按时报送")
    evaluate(personas, plan, wugang, second, "fair", "年度报告内容不完整")
    evaluate(personas, plan, wugang, third, "excellent")
    return desk_tasks
