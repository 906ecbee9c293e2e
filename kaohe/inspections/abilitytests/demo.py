"""Demo data of 依法行政能力测试: rosters of placeholder people for the 部门1 units, the demo question bank and a
city-wide sitting (全市领导干部法律知识考试) with three placeholder candidates per unit, its paper drawn, not yet open.

``load_demo_data(plan)`` is idempotent: a unit that already has a roster keeps it, and the bank is imported
only while the plan's bank is empty. Everything goes through the ordinary services (audited as the office).
"""

from __future__ import annotations

from pathlib import Path

from kaohe.accounts.models import User
from kaohe.inspections.abilitytests import selectors, services, services_sittings, sheets
from kaohe.inspections.abilitytests.draws import Person
from kaohe.inspections.abilitytests.models import Question, RosterVersion, Sitting
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit

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
    load_demo_sitting(plan, office)


SITTING_TITLE = "全市领导干部法律知识考试（演示）"
CANDIDATE_POSTS = (
    ("领导干部01", "主要负责人", "领导小组负责同志"),
    ("领导干部02", "分管负责人", "领导小组成员"),
    ("领导干部03", "法制机构负责人", "领导小组成员"),
)


def load_demo_sitting(plan: Plan, office: User) -> None:
    """One city-wide sitting, three placeholder candidates per unit, the paper drawn; left unopened so the office
    can open it. It scores the first ability-test task of each category that has one (部门1 2.1.1 in the 2020
    plan) and, for the other categories, their non-报送资料 task on checking training (县区政府 and 部门2 4.3.2
    检验培训成效提升执法能力): the 2020 tables name no test for them."""
    if plan.status != Plan.Status.PUBLISHED or Sitting.objects.filter(plan=plan, title=SITTING_TITLE).exists():
        return
    tasks: dict[int, Indicator] = {}
    for task in selectors.ability_tasks(plan):
        tasks.setdefault(task.category_id, task)
    training = (
        Indicator.objects.filter(plan=plan, level=Level.TASK, name__contains="检验培训成效")
        .exclude(method=Method.SUBMISSION)
        .order_by("category__order", "order")
    )
    for task in training:
        tasks.setdefault(task.category_id, task)
    if not tasks:
        return
    rules = {"single": 10, "multiple": 4, "judge": 6, "short": 0, "category": "", "difficulty": ""}
    sitting = services_sittings.sitting_create(
        actor=office, plan=plan, title=SITTING_TITLE, tasks=list(tasks.values()), paper_rules=rules, time_limit_minutes=60
    )
    rows = [
        [unit.organisation.name, name, post, group, ""]
        for unit in services_sittings.sitting_units(sitting)
        for name, post, group in CANDIDATE_POSTS
    ]
    services_sittings.sitting_roster_import(
        actor=office, sitting=sitting, data=sheets.sitting_roster_workbook(rows), original_name="考生名单（演示）.xlsx"
    )
    services_sittings.sitting_paper_make(actor=office, sitting=sitting)
