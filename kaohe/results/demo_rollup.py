"""Demo at two levels for 下级考核汇总: 河南省's office with a small province plan over four cities (results
published), and 舞钢市 (a county-level city under 平顶山市) with its own small plan for three of its departments and
three towns (results published), next to the Pingdingshan plan (in progress). Logged in as the province office, a
newcomer sees 平顶山市's plan (progress only) and 舞钢市's (results) side by side; as the city office, 舞钢市's.

The small tables are made directly (the Pingdingshan plan shows the Excel import); the plans are published and
their results computed, approved and published through the ordinary services. The evidence rows (报送, without
files) and evaluations are written straight into the tables (as the results tests do: the upload and grading pages
are not what this demo shows), with placeholder scores.
Idempotent: nothing is made twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kaohe.accounts.models import User
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.regions import region_get_or_create
from kaohe.organisations.roles import Role
from kaohe.plans import services as plan_services
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Category, Indicator, Plan, PlanUnit, ScoringPolicy
from kaohe.results import services
from kaohe.scoring.models import Evaluation
from kaohe.submissions.models import Submission

PROVINCE_OFFICE = "河南省法治政府建设领导小组办公室"
COUNTY_OFFICE = "舞钢市法治政府建设领导小组办公室"
PROVINCE_TITLE = "河南省2020年度依法行政考核（演示）"
COUNTY_TITLE = "舞钢市2020年度依法行政考核（演示）"
CITIES = ("平顶山市", "洛阳市", "许昌市", "漯河市")
DEPARTMENTS = ("舞钢市司法局", "舞钢市财政局", "舞钢市市场监督管理局")
TOWNS = (("尹集镇", "尹集镇人民政府"), ("武功乡", "武功乡人民政府"), ("垭口街道", "垭口街道办事处"))
# (code, 一级, 二级, task, points, method): the same 一级 in both plans, so the roll-up's columns line up.
TABLE = (
    ("1.1.1", "依法全面履行政府职能", "深化“放管服”改革", "权责清单动态调整", 30, Method.SUBMISSION),
    ("2.1.1", "依法科学民主决策", "重大行政决策程序", "重大行政决策目录公开", 30, Method.SUBMISSION),
    ("3.1.1", "严格规范公正文明执法", "行政执法“三项制度”", "行政执法公示与法制审核", 40, Method.DAILY),
)
WHEN = dt.datetime(2020, 12, 28, 10, 0, tzinfo=dt.UTC)
# Share of each task's points a unit loses, by the unit's position (placeholders giving 优秀 to 合格 under the
# default bands), and one point of a hundred more per task down the table.
LOSSES = tuple(Decimal(x) for x in ("0.02", "0.12", "0.05", "0.22", "0.08", "0.15", "0.03"))


def _table(category: Category) -> list[Indicator]:
    tasks = []
    order = 0
    for code, level1, level2, name, points, method in TABLE:
        one, two, _ = code.split(".")
        order += 1
        parent1 = Indicator.objects.create(
            plan=category.plan, category=category, level=Level.LEVEL1, code=one, order=order, name=level1, points=points
        )
        order += 1
        parent2 = Indicator.objects.create(
            plan=category.plan,
            category=category,
            parent=parent1,
            level=Level.LEVEL2,
            code=f"{one}.{two}",
            order=order,
            name=level2,
            points=points,
        )
        order += 1
        tasks.append(
            Indicator.objects.create(
                plan=category.plan,
                category=category,
                parent=parent2,
                level=Level.TASK,
                code=code,
                order=order,
                name=name,
                points=points,
                method=method,
                materials="相关材料" if method == Method.SUBMISSION else "",
            )
        )
    return tasks


def _plan(office: User, organiser: Organisation, title: str, categories: list[tuple[str, list[Organisation]]]) -> Plan:
    """A published plan with ``categories`` (name, units), each on the small TABLE, every unit graded and the
    results published."""
    plan = plan_services.plan_create(
        actor=office,
        organiser=organiser,
        year=2020,
        title=title,
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31),
    )
    rows = []
    reported = []
    position = 0
    for order, (name, organisations) in enumerate(categories, start=1):
        category = Category.objects.create(plan=plan, name=name, full_score=Decimal(100), order=order)
        tasks = _table(category)
        for organisation in organisations:
            unit = PlanUnit.objects.create(plan=plan, category=category, organisation=organisation)
            share = LOSSES[position % len(LOSSES)]
            position += 1
            for index, task in enumerate(tasks):
                points = task.points or Decimal(0)
                lost = (points * (share + Decimal(index) / 100)).quantize(Decimal("0.01"))
                if task.method == Method.SUBMISSION:
                    reported.append(
                        Submission(
                            plan=plan,
                            unit=unit,
                            task=task,
                            status=Submission.Status.EVALUATED,
                            note="演示：材料已报送（未附文件）",
                            first_submitted_at=WHEN,
                            last_changed_at=WHEN,
                            version=1,
                        )
                    )
                rows.append(
                    Evaluation(
                        plan=plan,
                        unit=unit,
                        task=task,
                        score=points - lost,
                        reason="材料不够完整（演示）" if lost else "",
                        evaluated_by=office,
                        evaluated_at=WHEN,
                    )
                )
    ScoringPolicy.objects.filter(plan=plan).update(bottom_n=1)  # a small plan's 约谈名单: the last unit
    plan = plan_services.plan_publish(actor=office, plan=plan, accept_warnings=True)
    Submission.objects.bulk_create(reported)
    Evaluation.objects.bulk_create(rows)
    snapshot = services.results_compute(actor=office, plan=plan, missing_policy="report")
    today = timezone.localdate()
    release = services.release_start(actor=office, plan=plan, snapshot=snapshot, consult_until=today + dt.timedelta(days=7))
    services.consultation_close(actor=office, plan=plan, release=release)
    services.release_approve(
        actor=office, plan=plan, release=release, approved_by="法治政府建设领导小组会议审定（演示）", approved_on=today
    )
    release.refresh_from_db()
    services.release_publish(actor=office, plan=plan, release=release)
    return plan


def _organisation(region: Region, name: str, kind: str) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(region=region, name=name, defaults={"kind": kind})
    return organisation


def load_demo_data(*, city: Region, province_office: User, county_office: User, province_sysadmin: User) -> None:
    """河南省's office and plan over four cities, 舞钢市's office and plan; the accounts become their 考核办, and
    the province's 系统管理员: with an organisation in 河南省, the province is the installation's top region, whose
    administrators keep the holiday calendar (``regions.top_region_ids``); the city's administrators keep their city."""
    province = city.parent
    if province is None or Plan.objects.filter(title__in=[PROVINCE_TITLE, COUNTY_TITLE]).exists():
        return
    Government = Organisation.Kind.GOVERNMENT
    office_org = _organisation(province, PROVINCE_OFFICE, Organisation.Kind.OFFICE)
    Membership.objects.get_or_create(user=province_office, organisation=office_org, role=Role.OFFICE)
    Membership.objects.get_or_create(user=province_sysadmin, organisation=office_org, role=Role.SYSTEM_ADMIN)
    cities = [
        _organisation(region_get_or_create(name=name, parent=province)[0], f"{name}人民政府", Government) for name in CITIES
    ]
    _plan(province_office, office_org, PROVINCE_TITLE, [("省辖市政府", cities)])

    wugang, _ = region_get_or_create(name="舞钢市", parent=city)
    county_org = _organisation(wugang, COUNTY_OFFICE, Organisation.Kind.OFFICE)
    Membership.objects.get_or_create(user=county_office, organisation=county_org, role=Role.OFFICE)
    departments = [_organisation(wugang, name, Organisation.Kind.DEPARTMENT) for name in DEPARTMENTS]
    towns = [_organisation(region_get_or_create(name=town, parent=wugang)[0], name, Government) for town, name in TOWNS]
    _plan(county_office, county_org, COUNTY_TITLE, [("市直部门", departments), ("乡镇街道", towns)])
