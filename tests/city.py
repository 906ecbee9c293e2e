"""The small city every test database holds: one office, a published plan with three short tables, the personas.

Built with the factories of ``tests/factories.py``, never from the demo plan: a test that needs more (another unit,
task, desk or plan) makes it. Names follow a real city so pages read naturally; the people are placeholders.

    平顶山市 (city) with 舞钢市, 宝丰县, 郏县 (counties)
    plan "平顶山市2020年度依法行政考核（测试）" (published), categories:
      县区政府  舞钢市人民政府, 宝丰县人民政府, 郏县人民政府        the COUNTY table (100 + a 加分项 and a 扣分项 row)
      部门1     市委网信办, 市新闻出版局, 市委机要保密局            15 points of 实地考核 only (converted to 100)
      部门2     市司法局, 市公安局, 市财政局, 市发改委              the same shape as 县区政府
    desks (考核主体): 市司法局依法行政指导科 and 市司法局行政执法协调监督科 (sections of 市司法局), 市财政局, 市发改委

The COUNTY table (县区政府 and 部门2), 100 points, every 报送资料 task due 2020-12-31:
    1.1.1 报送资料 10  依法行政指导科        1.1.2 报送资料 10  市发改委
    1.2.1 日常掌握 10  执法协调监督科
    2.1.1 报送资料 10  市财政局              2.1.2 报送资料 10  依法行政指导科
    2.2.1 日常掌握 10  依法行政指导科
    3.1.1 实地考核 20  依法行政指导科        3.2.1 集中评查 20  执法协调监督科
    4 加减分项 / 4.1 加减分项:
    4.1.1 加分项 (报送资料, 1 per item)  依法行政指导科
    4.1.2 扣分项 (日常掌握)               依法行政指导科
The 部门1 table: 1.1.1 实地考核 5, 1.2.1 实地考核 5, 2.1.1 实地考核 5 (no desk).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kaohe.organisations.models import Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Adjustment, Method
from kaohe.plans.models import AssessorDesk, Category, Plan, ScoringPolicy
from tests import factories as f

PLAN_TITLE = "平顶山市2020年度依法行政考核（测试）"
OFFICE = "平顶山市法治政府建设领导小组办公室"
DEADLINE = dt.date(2020, 12, 31)

COUNTY_UNITS = ("舞钢市人民政府", "宝丰县人民政府", "郏县人民政府")
DEPT1_UNITS = ("市委网信办", "市新闻出版局", "市委机要保密局")
DEPT2_UNITS = ("市司法局", "市公安局", "市财政局", "市发改委")
YFXZ = "市司法局依法行政指导科"
ZFJD = "市司法局行政执法协调监督科"

# username, display name, organisation, role — the personas of conftest.Personas
ACCOUNTS = (
    ("office", "考核办测试用户", OFFICE, Role.OFFICE),
    ("desk_yfxz", "依法行政指导科测试用户", YFXZ, Role.DESK),
    ("desk_czj", "财政局测试用户", "市财政局", Role.DESK),
    ("unit_wugang", "舞钢市测试用户", "舞钢市人民政府", Role.UNIT),
    ("unit_sfj", "市司法局测试用户", "市司法局", Role.UNIT),
    ("viewer", "领导小组测试用户", OFFICE, Role.VIEWER),
    ("field_a", "考察组成员甲（测试）", "市司法局", Role.FIELD_GROUP),
    ("field_b", "考察组成员乙（测试）", "市财政局", Role.FIELD_GROUP),
    ("reviewer_a", "评查员甲（测试）", "市司法局", Role.CASE_REVIEWER),
    ("reviewer_b", "评查员乙（测试）", "市公安局", Role.CASE_REVIEWER),
    ("sysadmin", "系统管理员测试用户", OFFICE, Role.SYSTEM_ADMIN),
    ("secadmin", "安全管理员测试用户", OFFICE, Role.SECURITY_ADMIN),
    ("auditor", "审计管理员测试用户", OFFICE, Role.AUDIT_ADMIN),
)


@dataclass(frozen=True)
class City:
    plan: Plan
    city: Region
    office: Organisation


def county_table(category: Category, desks: dict[str, AssessorDesk]) -> None:
    """The COUNTY table above: 100 points and the two adjustment rows."""
    yfxz, zfjd = desks[YFXZ], desks[ZFJD]
    f.task(category, "1.1.1", 10, name="制定年度法治政府建设工作计划", assessor=yfxz, materials="年度工作计划")
    f.task(category, "1.1.2", 10, name="深化“放管服”改革", assessor=desks["市发改委"], materials="改革情况报告")
    f.task(category, "1.2.1", 10, name="行政执法“三项制度”落实情况", method=Method.DAILY, assessor=zfjd)
    f.task(category, "2.1.1", 10, name="预算公开情况", assessor=desks["市财政局"], materials="预算公开截图")
    f.task(category, "2.1.2", 10, name="报送年度法治政府建设报告", assessor=yfxz, materials="年度报告")
    f.task(category, "2.2.1", 10, name="规范性文件备案审查", method=Method.DAILY, assessor=yfxz)
    f.task(category, "3.1.1", 20, name="实地查看依法行政工作", method=Method.FIELD, assessor=yfxz)
    f.task(category, "3.2.1", 20, name="开展行政执法案卷评查", method=Method.CASE_REVIEW, assessor=zfjd)
    f.task(category, "4.1.1", 1, name="加分项", adjustment=Adjustment.BONUS, assessor=yfxz, level1="加减分项", level2="加减分项")
    f.task(category, "4.1.2", 1, name="扣分项", method=Method.DAILY, adjustment=Adjustment.DEDUCTION, assessor=yfxz)


def build_city() -> City:
    """Create the small city (idempotent per database: returns the existing plan)."""
    existing = Plan.objects.filter(title=PLAN_TITLE, year=2020).select_related("organiser__region").first()
    if existing is not None:
        return City(plan=existing, city=existing.organiser.region, office=existing.organiser)
    henan = f.RegionFactory.create(name="河南省", level=Region.Level.PROVINCE, parent=None)
    city = f.RegionFactory.create(name="平顶山市", level=Region.Level.CITY, parent=henan)
    office = f.OrganisationFactory.create(name=OFFICE, region=city, kind=Organisation.Kind.OFFICE)
    orgs: dict[str, Organisation] = {OFFICE: office}
    for name in COUNTY_UNITS:
        region = f.RegionFactory.create(name=name.removesuffix("人民政府"), level=Region.Level.COUNTY, parent=city)
        orgs[name] = f.OrganisationFactory.create(name=name, region=region, kind=Organisation.Kind.GOVERNMENT)
    for name in (*DEPT1_UNITS, *DEPT2_UNITS):
        orgs[name] = f.OrganisationFactory.create(name=name, region=city, kind=Organisation.Kind.DEPARTMENT)
    for name in (YFXZ, ZFJD):
        orgs[name] = f.OrganisationFactory.create(name=name, region=city, kind=Organisation.Kind.SECTION, parent=orgs["市司法局"])

    plan = f.PlanFactory.create(
        organiser=office,
        title=PLAN_TITLE,
        doc_number="平法政办〔2020〕21号",
        submission_deadline=DEADLINE,
        case_files_deadline=dt.date(2021, 1, 13),
    )
    # 回避 as in the real 2020 plan: the sections of 市司法局 grade 市司法局 (部门2), flagged on the results.
    ScoringPolicy.objects.filter(plan=plan).update(own_department=ScoringPolicy.OwnDepartment.FLAG)
    desks = {name: f.DeskFactory.create(plan=plan, organisation=orgs[name]) for name in (YFXZ, ZFJD, "市财政局", "市发改委")}
    county = f.CategoryFactory.create(plan=plan, name="县区政府", order=1)
    dept1 = f.CategoryFactory.create(plan=plan, name="部门1", order=2)
    dept2 = f.CategoryFactory.create(plan=plan, name="部门2", order=3)
    for category, names in ((county, COUNTY_UNITS), (dept1, DEPT1_UNITS), (dept2, DEPT2_UNITS)):
        for name in names:
            f.UnitFactory.create(plan=plan, category=category, organisation=orgs[name])
    county_table(county, desks)
    county_table(dept2, desks)
    f.task(dept1, "1.1.1", 5, name="听取汇报", method=Method.FIELD)
    f.task(dept1, "1.2.1", 5, name="座谈了解情况", method=Method.FIELD)
    f.task(dept1, "2.1.1", 5, name="依法行政能力测试", method=Method.FIELD)

    for username, display_name, organisation, role in ACCOUNTS:
        f.UserFactory.create(username=username, display_name=display_name, memberships=[(orgs[organisation], role)])
    plan.status = Plan.Status.PUBLISHED
    plan.published_at = dt.datetime(2020, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    plan.save(update_fields=["status", "published_at"])
    return City(plan=plan, city=city, office=office)
