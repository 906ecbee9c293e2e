"""JZ 一 "11个督导主体账号、8个考察组、1月20日至29日": the bulletin's opening states the year's figures from the plan
(desks, field groups, field dates) by default; the office's own opening (results:bulletin_edit) replaces it."""

from __future__ import annotations

import datetime as dt
import io

import docx
from django.urls import reverse
from django.utils import timezone

from kaohe.inspections.fieldwork.models import FieldGroup
from kaohe.plans.models import AssessorDesk, Plan
from kaohe.results import services
from kaohe.results.bulletin import build_bulletin, default_texts, year_figures
from kaohe.results.tests.test_bulletin import ZERO_NOTE
from tests import factories as f

DAY = dt.date(2026, 11, 22)


def _opening(plan, snapshot, **kwargs) -> str:
    document = docx.Document(io.BytesIO(build_bulletin(plan, snapshot, today=DAY, **kwargs)))
    return next(p.text for p in document.paragraphs if "现将有关情况通报如下" in p.text)


def test_opening_states_desks_groups_and_field_dates_from_the_plan(personas, plan, graded_dept1):
    desks = AssessorDesk.objects.filter(plan=plan).count()
    assert desks >= 2
    for name in ("第一考察组", "第二考察组", "第三考察组"):
        FieldGroup.objects.create(plan=plan, name=name)
    Plan.objects.filter(pk=plan.pk).update(field_start=dt.date(2021, 1, 20), field_end=dt.date(2021, 1, 29))
    plan.refresh_from_db()
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note=ZERO_NOTE)
    opening = _opening(plan, snapshot)
    assert f"设{desks}个考核主体，组成3个实地考察组，于2021年1月20日至2021年1月29日开展实地考核。" in opening
    assert opening.endswith("现将有关情况通报如下：")


def test_figures_the_plan_does_not_have_are_left_out(plan):
    FieldGroup.objects.filter(plan=plan).delete()
    Plan.objects.filter(pk=plan.pk).update(field_start=None, field_end=None)
    plan.refresh_from_db()
    figures = year_figures(plan)
    assert "考察组" not in figures and "实地考核" not in figures and "个考核主体" in figures
    empty = f.PlanFactory()  # a new plan: no desks, no groups, no window
    assert year_figures(empty) == ""
    assert "本年度考核" not in default_texts(empty, DAY).opening


def test_office_edit_replaces_the_default_opening(personas, plan, graded_dept1):
    FieldGroup.objects.create(plan=plan, name="第一考察组")
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note=ZERO_NOTE)
    services.release_start(
        actor=personas.office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=5)
    )
    office = personas.client(personas.office)
    page = office.get(reverse("results:release", args=[plan.pk])).content.decode()
    assert "组成1个实地考察组" in page  # the default proposed in the edit form
    mine = "本年度共设12个考核主体，组成9个考察组。现将有关情况通报如下："
    assert office.post(reverse("results:bulletin_edit", args=[plan.pk]), {"bulletin_opening": mine}).status_code == 302
    document = docx.Document(io.BytesIO(office.get(reverse("results:release_bulletin", args=[plan.pk])).content))
    openings = [p.text for p in document.paragraphs if "现将有关情况通报如下" in p.text]
    assert openings == [mine]
