"""Fixtures and helpers of the 加减分 tests (imported by test_adjustments*.py; the personas come from the root conftest)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.scoring.models import BonusApplication, BonusKind, Deduction

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf(name: str = "表彰决定.pdf", body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def url(name: str, plan, *args) -> str:
    return reverse(f"scoring:{name}", args=[plan.pk, *args])


@pytest.fixture
def wugang(plan):
    """舞钢市人民政府 (县区政府): the unit of personas.unit."""
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name="舞钢市人民政府")


@pytest.fixture
def sfj(plan):
    """市司法局 (部门2): the unit of personas.unit2."""
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name="市司法局")


def first_task(plan, category: str) -> Indicator:
    task = Indicator.objects.filter(plan=plan, category__name=category, level=Level.TASK).order_by("order").first()
    assert task is not None
    return task


@pytest.fixture
def county_task(plan):
    return first_task(plan, "县区政府")


@pytest.fixture
def dept_task(plan):
    return first_task(plan, "部门2")


def apply(client, plan, matter: str, *, kind: str = BonusKind.AWARD, evidence=None, description: str = ""):
    data = {"kind": kind, "matter": matter, "description": description}
    if evidence is not None:
        data["evidence"] = evidence
    return client.post(url("bonus_apply", plan), data)


def decide(client, plan, application, decision: str, reason: str = "", duplicate_of=None):
    data = {"decision": decision, "reason": reason}
    if duplicate_of is not None:
        data["duplicate_of"] = duplicate_of.pk
    return client.post(url("bonus_decide", plan, application.pk), data)


def application(matter: str) -> BonusApplication:
    return BonusApplication.objects.get(matter=matter)


def record_deduction(client, plan, unit, *, matter: str = "超越法定权限作出重大行政决策", points: str = "2", task=None, **extra):
    data = {
        "unit": unit.pk,
        "kind": "illegal_decision",
        "matter": matter,
        "points": points,
        "task": task.pk if task else "",
        "reason": "经查，该决策未经合法性审查，造成重大损失",
        **extra,
    }
    return client.post(url("deduction_record", plan), data)


def deduction(matter: str) -> Deduction:
    return Deduction.objects.get(matter=matter)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
