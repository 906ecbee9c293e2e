"""Demo data of 依法行政能力测试: rosters of placeholder people for the 部门1 units and the demo question bank.

``load_demo_data(plan)`` is idempotent: a unit that already has a roster keeps it, and the bank is imported
only while the plan's bank is empty. Everything goes through the ordinary services (audited as the office).
"""

from __future__ import annotations

from pathlib import Path

from kaohe.accounts.models import User
from kaohe.inspections.abilitytests import services
from kaohe.inspections.abilitytests.draws import Person
from kaohe.inspections.abilitytests.models import Question, RosterVersion
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan, PlanUnit

BANK_FILE = Path(__file__).resolve().parent / "demo_data" / "bank.xlsx"
BANK_NAME = "依法行政能力测试题库（演示）.xlsx"
SECTIONS = ["办公室", "法规科", "业务一科", "业务二科"]


def demo_people() -> list[Person]:
    """1 负责同志, 4 成员 and 16 工作人员 in four sections: placeholder names only."""
    people = [Person("负责同志01", "主要负责人", "leader", "单位领导")]
    people += [Person(f"成员{i:02d}", "领导小组成员", "member", "单位领导") for i in range(1, 5)]
    people += [Person(f"工作人员{i:02d}", "科员", "staff", SECTIONS[(i - 1) % len(SECTIONS)]) for i in range(1, 17)]
    return people


def load_demo_data(plan: Plan) -> None:
    office = User.objects.filter(
        memberships__organisation_id=plan.organiser_id, memberships__role=Role.OFFICE, is_active=True
    ).first()
    if office is None:
        return
    units = PlanUnit.objects.filter(plan=plan, category__name="部门1").select_related("organisation").order_by("pk")
    for unit in units[:3]:
        if RosterVersion.objects.filter(unit=unit).exists():
            continue
        services.roster_save(
            actor=office,
            plan=plan,
            unit=unit,
            people=demo_people(),
            source=RosterVersion.Source.IMPORT,
            note="演示名册",
            expected_number=0,
        )
    if not Question.objects.filter(plan=plan).exists():
        record = services.bank_import_upload(actor=office, plan=plan, data=BANK_FILE.read_bytes(), original_name=BANK_NAME)
        if record.error_count:
            raise RuntimeError(f"demo bank has errors: {record.problems[:3]}")
        services.bank_import_apply(actor=office, record=record, accept_warnings=True)
