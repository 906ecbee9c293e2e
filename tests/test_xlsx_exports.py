"""Every .xlsx the platform hands out is free of formulas, whatever people typed (pen-test finding 5).

Hostile text goes in where users can put it — a desk's deduction reason, an organisation's, a field group's
and an address's name, an indicator's name, an audit event's object — then every export is downloaded
through its URL and each workbook is scanned cell by cell: no formula cell anywhere, every hostile text is
there as quote-prefixed text, and numbers are still numbers.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from kaohe.core import audit
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level
from kaohe.plans.models import Category, Indicator, PlanUnit

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
UNIT_NAME = "=1+1"
GROUP_NAME = "@SUM(A1)"
ADDRESS = "+1"
TASK_NAME = "-1"
NOTE = "@SUM(A1)：未评价的任务按0分计"
HOSTILE = (HYPERLINK, UNIT_NAME, GROUP_NAME, ADDRESS, TASK_NAME, NOTE)


def _scan(data: bytes) -> tuple[list[Any], dict[str, Any]]:
    """All cells holding a value, and the cells starting with each hostile text (text → cell)."""
    book = load_workbook(io.BytesIO(data))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    found = {}
    for cell in cells:
        assert cell.data_type != "f", f"formula in {cell.parent.title}!{cell.coordinate}: {cell.value!r}"
        if isinstance(cell.value, str):
            assert not cell.value.startswith(("=", "+", "-", "@")) or cell.quotePrefix, (cell.parent.title, cell.value)
            for text in HOSTILE:
                if cell.value.startswith(text):
                    found[text] = cell
    return cells, found


def _hostile_plan(personas: Any, plan: Any) -> dict[str, Any]:
    from kaohe.inspections.fieldwork import services as fieldwork
    from kaohe.results import services as results
    from kaohe.scoring.services import evaluation_record

    wugang = PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name="舞钢市人民政府")
    county = Category.objects.get(plan=plan, name="县区政府")
    Indicator.objects.filter(plan=plan, category=county, level=Level.TASK, code="1.1.1").update(name=TASK_NAME)
    task = Indicator.objects.get(plan=plan, category=county, level=Level.TASK, code="2.2.1")  # 日常掌握, desk_yfxz's
    evaluation_record(
        actor=personas.desk, plan=plan, unit=wugang, task=task, grade="", score="0.5", reason=HYPERLINK, expected_version=None
    )
    Organisation.objects.filter(pk=wugang.organisation_id).update(name=UNIT_NAME)
    wugang.refresh_from_db()
    plan.field_start, plan.field_end = dt.date(2021, 1, 20), dt.date(2021, 1, 29)
    plan.save(update_fields=["field_start", "field_end", "updated_at"])
    group = fieldwork.group_save(actor=personas.office, plan=plan, name=GROUP_NAME, leader_id=personas.field.pk, member_ids=[])
    fieldwork.assignment_set(
        actor=personas.office, plan=plan, group=group, unit=wugang, visit_date=dt.date(2021, 1, 21), address=ADDRESS
    )
    snapshot = results.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note=NOTE)
    audit.record(actor=personas.office, action="plan.update", plan_id=plan.pk, object_repr=HYPERLINK)
    return {"county": county, "group": group, "snapshot": snapshot}


def test_every_export_is_free_of_formulas(personas: Any, plan: Any) -> None:
    made = _hostile_plan(personas, plan)
    auditor = personas.sysadmin.__class__.objects.create_user(username="auditor_x", password="x", display_name="审计管理员")
    Membership.objects.create(
        user=auditor, organisation=Organisation.objects.get(name="平顶山市法治政府建设领导小组办公室"), role=Role.AUDIT_ADMIN
    )
    snapshot, county = made["snapshot"], made["county"]
    office = personas.client(personas.office)
    exports = {
        "analysis": (office, reverse("analysis:export", args=[plan.pk]) + f"?snapshot={snapshot.pk}", {HYPERLINK, UNIT_NAME}),
        "field_schedule": (
            office,
            reverse("fieldwork:group_xlsx", args=[plan.pk, made["group"].pk]),
            {UNIT_NAME, GROUP_NAME, ADDRESS},
        ),
        "indicators": (office, reverse("plans:export", args=[plan.pk, county.pk]), {TASK_NAME}),
        "results": (office, reverse("results:export", args=[plan.pk, snapshot.pk]), {HYPERLINK, UNIT_NAME, NOTE, TASK_NAME}),
        "score_sheet": (
            office,
            reverse("results:score_sheet", args=[plan.pk, snapshot.pk, county.pk]),
            {HYPERLINK, UNIT_NAME, NOTE, TASK_NAME},
        ),
        "audit": (personas.client(auditor), reverse("security:audit_export"), {HYPERLINK}),
        "roster_template": (office, reverse("abilitytests:roster_template", args=[plan.pk]), set()),
        "bank_template": (office, reverse("abilitytests:bank_template", args=[plan.pk]), set()),
        "case_file_template": (office, reverse("casefiles:import_template", args=[plan.pk]), set()),
    }
    numbers = 0
    for name, (client, url, expected) in exports.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        cells, found = _scan(body)
        assert expected <= set(found), (name, expected - set(found))
        for text in expected:
            assert found[text].data_type == "s" and found[text].quotePrefix, (name, text)
        numbers += sum(1 for c in cells if c.data_type == "n")
    assert numbers > 100  # scores, points and rates are still numbers


def test_score_sheet_numbers_stay_numbers_next_to_hostile_text(personas: Any, plan: Any) -> None:
    made = _hostile_plan(personas, plan)
    url = reverse("results:score_sheet", args=[plan.pk, made["snapshot"].pk, made["county"].pk])
    book = load_workbook(io.BytesIO(personas.client(personas.office).get(url).content))
    sheet = book["得分明细"]
    header = [c.value for c in sheet[4]]  # under the title rows
    rows = [row for row in sheet.iter_rows(min_row=5) if row[header.index("扣分理由或说明")].value == HYPERLINK]
    assert len(rows) == 1
    score = rows[0][header.index("得分")]
    assert score.data_type == "n" and Decimal(str(score.value)) == Decimal("0.5")
