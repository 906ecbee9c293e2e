"""The demo installation: the Pingdingshan 2020 plan, loaded through the same import service as any office's.

Everything comes from the .xlsx files beside this module (generated once from the reconstructed
tables by ``tools/build_demo_xlsx.py``). People are placeholders; passwords are printed for the demo only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.demo import events as demo_events
from kaohe.insights import demo as insights_demo
from kaohe.insights import demo_reports as insights_reports_demo
from kaohe.inspections.abilitytests import demo as abilitytests_demo
from kaohe.inspections.casefiles import demo as casefiles_demo
from kaohe.inspections.fieldwork import demo as fieldwork_demo
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans import services
from kaohe.plans.models import Plan, PlanImport, ScoringPolicy
from kaohe.results import demo_rollup as results_demo_rollup
from kaohe.submissions.models import Extension
from kaohe.submissions.selectors import evidence_tasks

DATA_DIR = Path(__file__).resolve().parent / "pingdingshan-2020"
DEMO_TITLE = "平顶山市2020年度依法行政考核"
DEMO_PASSWORD = "Kaohe#2020demo"  # noqa: S105 - printed demo credential, documented in README
ORGANISER = "平顶山市法治政府建设领导小组办公室"

# (file, category, full score) — 部门1's table totals 15 points; it is converted to 100 (rules.md §A2).
INDICATOR_FILES = [
    ("indicators-county.xlsx", "县区政府", Decimal(100)),
    ("indicators-dept1.xlsx", "部门1", Decimal(100)),
    ("indicators-dept2.xlsx", "部门2", Decimal(100)),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    organisation: str
    role: Role


ACCOUNTS = [
    DemoAccount("office", "考核办演示用户", ORGANISER, Role.OFFICE),
    DemoAccount("desk_yfxz", "依法行政指导科演示用户", "市司法局依法行政指导科", Role.DESK),
    DemoAccount("desk_czj", "财政局演示用户", "市财政局", Role.DESK),
    DemoAccount("unit_wugang", "舞钢市演示用户", "舞钢市人民政府", Role.UNIT),
    DemoAccount("unit_sfj", "市司法局演示用户", "市司法局", Role.UNIT),
    DemoAccount("viewer", "领导小组演示用户", ORGANISER, Role.VIEWER),
    # 实地考察组 members and 评查员 (the office puts them into groups / on the panel of a plan).
    DemoAccount("field_a", "考察组成员甲（演示）", "市司法局", Role.FIELD_GROUP),
    DemoAccount("field_b", "考察组成员乙（演示）", "市财政局", Role.FIELD_GROUP),
    DemoAccount("reviewer_a", "评查员甲（演示）", "市司法局", Role.CASE_REVIEWER),
    DemoAccount("reviewer_b", "评查员乙（演示）", "市公安局", Role.CASE_REVIEWER),
    # 三员分立: three separate installation-wide powers, none of them with plan capabilities.
    DemoAccount("sysadmin", "系统管理员演示用户", ORGANISER, Role.SYSTEM_ADMIN),
    DemoAccount("secadmin", "安全管理员演示用户", ORGANISER, Role.SECURITY_ADMIN),
    DemoAccount("auditor", "审计管理员演示用户", ORGANISER, Role.AUDIT_ADMIN),
]


# 下级考核汇总 at two levels (kaohe/results/demo_rollup.py): the province's office above the city, 舞钢市's below it.
TWO_LEVEL_ACCOUNTS = [
    DemoAccount("province_office", "省考核办演示用户", results_demo_rollup.PROVINCE_OFFICE, Role.OFFICE),
    DemoAccount("wugang_office", "舞钢市考核办演示用户", results_demo_rollup.COUNTY_OFFICE, Role.OFFICE),
    # With an organisation in 河南省 the province is the top region: its administrators keep the holiday calendar.
    DemoAccount("province_sysadmin", "省系统管理员演示用户", results_demo_rollup.PROVINCE_OFFICE, Role.SYSTEM_ADMIN),
]


def demo_exists() -> bool:
    return Plan.objects.filter(title=DEMO_TITLE, year=2020).exists()


def _user(account: DemoAccount) -> User:
    user, created = User.objects.get_or_create(username=account.username, defaults={"display_name": account.display_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _import(
    plan: Plan, office: User, kind: str, filename: str, category: str = "", full_score: Decimal | None = None
) -> PlanImport:
    data = (DATA_DIR / filename).read_bytes()
    record = services.plan_import_upload(
        actor=office, plan=plan, kind=kind, data=data, original_name=filename, category_name=category, full_score=full_score
    )
    if record.error_count:
        raise RuntimeError(f"demo file {filename} has errors: {record.problems[:3]}")
    return services.plan_import_apply(actor=office, plan_import=record, accept_warnings=True)


def open_for_demo(plan: Plan, *, days: int = 60) -> int:
    """Extend every 报送资料 task for all units to ``days`` from today, so the demo can be tried now.

    The real 2020 deadlines have long passed; this is the office's ordinary extension act, in bulk,
    recorded once in the audit log, with the 日常考核 scoring deadline moved to the same day (the desks
    could not grade 日常掌握 tasks otherwise). Returns the number of extensions created.
    """
    office = User.objects.get(username=ACCOUNTS[0].username)
    until = timezone.localdate() + dt.timedelta(days=days)
    reason = "演示环境：原定 2020 年的截止日期已过，统一延期以便体验报送流程"
    rows = [
        Extension(plan=plan, task=task, unit=None, new_deadline=until, reason=reason, granted_by=office)
        for task in evidence_tasks(plan)
    ]
    with transaction.atomic():
        Extension.objects.bulk_create(rows)
        before = plan.daily_scores_deadline
        plan.daily_scores_deadline = until
        plan.save(update_fields=["daily_scores_deadline", "updated_at"])
        audit.record(
            actor=office,
            action="demo.extend_all",
            obj=plan,
            plan_id=plan.pk,
            before={"daily_scores_deadline": before},
            after={"tasks": len(rows), "new_deadline": until, "daily_scores_deadline": until},
        )
    return len(rows)


@transaction.atomic
def load_demo(*, publish: bool = True) -> Plan:
    """Create the organiser, accounts and the 2020 plan; idempotent (returns the existing plan)."""
    existing = Plan.objects.filter(title=DEMO_TITLE, year=2020).first()
    if existing:
        return existing
    henan, _ = Region.objects.get_or_create(parent=None, name="河南省", defaults={"level": Region.Level.PROVINCE})
    city, _ = Region.objects.get_or_create(parent=henan, name="平顶山市", defaults={"level": Region.Level.CITY})
    organiser, _ = Organisation.objects.get_or_create(region=city, name=ORGANISER, defaults={"kind": Organisation.Kind.OFFICE})
    office_account = ACCOUNTS[0]
    office = _user(office_account)
    Membership.objects.get_or_create(user=office, organisation=organiser, role=Role.OFFICE)
    audit.record(actor=None, action="demo.load", object_repr=DEMO_TITLE)

    plan = services.plan_create(
        actor=office,
        organiser=organiser,
        year=2020,
        title=DEMO_TITLE,
        doc_number="平法政办〔2020〕21号",
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31),
    )
    plan.submission_deadline = dt.date(2020, 12, 31)
    plan.case_files_deadline = dt.date(2021, 1, 13)
    # The 2020 plan's 日常考核 scoring deadline was 2021-01-19. It is enforced (services.ensure_daily_scoring_open), so
    # the loaded demo leaves it unset and stays gradable in any year; open_for_demo (the load_demo command) sets it
    # to the same day as the evidence extension, as an office would.
    # PDS 七(五): the office's contact (placeholders, never a real person or number)
    plan.office_contact_name = "示例联系人"
    plan.office_contact_phone = "0375-0000000"
    plan.office_contact_address = "平顶山市示例路1号 市法治政府建设领导小组办公室"
    plan.save(
        update_fields=[
            "submission_deadline",
            "case_files_deadline",
            "office_contact_name",
            "office_contact_phone",
            "office_contact_address",
        ]
    )
    # 回避: in the real 2020 plan the sections of 市司法局 graded 市司法局 (部门2) — allowed here and flagged on
    # the results (docs/scoring.md §8); a new plan refuses it by default.
    ScoringPolicy.objects.filter(plan=plan).update(own_department=ScoringPolicy.OwnDepartment.FLAG)

    _import(plan, office, PlanImport.Kind.UNITS, "units.xlsx")
    _import(plan, office, PlanImport.Kind.DESKS, "assessors.xlsx")
    for filename, category, full_score in INDICATOR_FILES:
        _import(plan, office, PlanImport.Kind.INDICATORS, filename, category, full_score)

    _set_demo_leaders(plan, office)
    demo_events.mark_event_tasks(plan, office)  # 事件触发报送: 出庭应诉, 履行复议决定
    for account in ACCOUNTS[1:]:
        user = _user(account)
        org = Organisation.objects.get(name=account.organisation, region__in=[city, *city.children.all()])
        Membership.objects.get_or_create(user=user, organisation=org, role=account.role)
    if publish:
        plan = services.plan_publish(actor=office, plan=plan, accept_warnings=True)
    _load_inspections(plan)
    demo_events.load_demo_events(plan)
    from kaohe.results import demo as results_demo  # 结果运用 (the composition root, as _load_inspections)

    results_demo.load_demo_data(plan, office)
    from kaohe.reviews import demo as reviews_demo  # 重点单位整改进展报告间隔

    if not plan.is_draft:
        reviews_demo.load_demo_data(plan, office)
    province_office, county_office, province_sysadmin = (_user(account) for account in TWO_LEVEL_ACCOUNTS)
    results_demo_rollup.load_demo_data(
        city=city, province_office=province_office, county_office=county_office, province_sysadmin=province_sysadmin
    )

    insights_reports_demo.load_demo_data(plan)
    insights_demo.load_demo_data(plan)  # 材料分析: evidence analysed at once, hints on desk_yfxz's grid
    return plan


DEMO_LEADER_NAMES = ["张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十"]


def demo_leader_post(name: str) -> str:
    """A placeholder post for a unit's 主要负责人, read from the unit's name."""
    if name.endswith("人民政府"):
        place = name.removesuffix("人民政府")
        return {"县": "县长", "区": "区长"}.get(place[-1:], "市长")
    if name.endswith("管委会") or name.endswith("管理委员会"):
        return "管委会主任"
    if name.endswith("局"):
        return "局长"
    if name.endswith("厅"):
        return "厅长"
    return "主任"


def _set_demo_leaders(plan: Plan, office: User) -> None:
    """Placeholder 主要负责人 for every unit (“张三（演示）”, 市长), through the same service as the units page."""
    units = plan.units.select_related("organisation").order_by("organisation__sort_key", "pk")
    for index, unit in enumerate(units):
        name = f"{DEMO_LEADER_NAMES[index % len(DEMO_LEADER_NAMES)]}（演示）"
        services.unit_leader_update(actor=office, plan=plan, unit=unit, name=name, post=demo_leader_post(unit.organisation.name))


def _load_inspections(plan: Plan) -> None:
    """The inspections' demo data: 实地考核 dates, case-file lists and the checklist, rosters and a question bank."""
    fieldwork_demo.load_demo_data(plan)
    abilitytests_demo.load_demo_data(plan)
    casefiles_demo.load_demo_data(plan)
