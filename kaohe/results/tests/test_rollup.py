"""下级考核汇总: an office sees the lower offices' plans (progress; results once published there), never a parent's
or a sibling's, never unpublished scores; constant queries whatever the number of lower plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaohe.core.models import AuditEvent
from kaohe.organisations.models import Organisation, Region
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan
from kaohe.results import services
from kaohe.results.models import ResultRelease
from kaohe.scoring.models import Evaluation
from kaohe.submissions.models import Submission
from tests import factories as f

WHEN = dt.datetime(2020, 12, 28, 10, 0, tzinfo=dt.UTC)
ODD_SCORE = Decimal("47.77")  # 1.1.1 of the second unit: final 87.77, a figure found nowhere else on the pages


def _publish(plan: Plan, office) -> None:
    snapshot = services.results_compute(actor=office, plan=plan, missing_policy="report")
    release = services.release_start(
        actor=office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=5)
    )
    services.consultation_close(actor=office, plan=plan, release=release)
    services.release_approve(
        actor=office, plan=plan, release=release, approved_by="县法治政府建设领导小组会议审定", approved_on=timezone.localdate()
    )
    services.release_publish(actor=office, plan=plan, release=ResultRelease.objects.get(pk=release.pk))


def lower_plan(parent: Region, name: str, *, level: str = Region.Level.COUNTY, graded: bool = True, publish: bool = False):
    """A lower office (in region ``name`` under ``parent``) with a published plan of two departments and two
    tasks under two 一级; graded: the first unit full marks, the second 87.77; publish: results published."""
    region = f.RegionFactory.create(name=name, level=level, parent=parent)
    office_org = f.OrganisationFactory.create(
        region=region, name=f"{name}法治政府建设领导小组办公室", kind=Organisation.Kind.OFFICE
    )
    office = f.UserFactory.create(username=f"office_{region.pk}", memberships=[(office_org, Role.OFFICE)])
    plan = f.PlanFactory.create(organiser=office_org, published=True, title=f"{name}2020年度依法行政考核")
    category = f.CategoryFactory.create(plan=plan, name="部门", order=1)
    first = f.task(category, "1.1.1", 60, level1="依法全面履行政府职能", materials="工作总结")
    second = f.task(category, "2.1.1", 40, level1="依法科学民主决策", materials="决策目录")
    units = [
        f.UnitFactory.create(
            plan=plan, category=category, organisation=f.OrganisationFactory.create(region=region, name=f"{name}{dept}")
        )
        for dept in ("司法局", "财政局")
    ]
    Submission.objects.create(plan=plan, unit=units[0], task=first, status=Submission.Status.SUBMITTED)
    if graded:
        for unit, score in ((units[0], first.points), (units[1], ODD_SCORE)):
            for task, points in ((first, score), (second, second.points)):
                Evaluation.objects.create(
                    plan=plan,
                    unit=unit,
                    task=task,
                    score=points,
                    reason="" if points == task.points else "材料不全",
                    evaluated_by=office,
                    evaluated_at=WHEN,
                )
    if publish:
        _publish(plan, office)
    return plan, office


@pytest.fixture
def province(plan):
    """河南省's office (above 平顶山市) and its 考核办 account."""
    henan = plan.organiser.region.parent
    org = f.OrganisationFactory.create(region=henan, name="河南省法治政府建设领导小组办公室", kind=Organisation.Kind.OFFICE)
    return f.UserFactory.create(username="province_office", memberships=[(org, Role.OFFICE)])


def test_unpublished_scores_never_show_then_published_results_do(personas, plan, province):
    city = plan.organiser.region
    county_plan, county_office = lower_plan(city, "舞钢市", level=Region.Level.COUNTY_CITY)
    # Computed and put out for consultation, not published: a snapshot exists, yet no score may show.
    snapshot = services.results_compute(actor=county_office, plan=county_plan, missing_policy="report")
    services.release_start(
        actor=county_office, plan=county_plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=5)
    )
    for user in (province, personas.office):
        client = personas.client(user)
        page = client.get(reverse("rollup:index")).content.decode()
        assert county_plan.title in page
        assert "87.77" not in page and "93.89" not in page  # the unit's final, the plan's average
        assert "已公布的考核结果" in page and "下级方案的考核结果尚未公布" in page
        detail = client.get(reverse("rollup:plan", args=[county_plan.pk])).content.decode()
        assert "87.77" not in detail
        assert "尚未公布" in detail
        assert "25.00%" in detail  # 1 of 4 evidence rows reported
        assert client.get(reverse("rollup:bulletin", args=[county_plan.pk])).status_code == 404
    # The city's own plan is not below the city office; the province sees it (progress only: nothing published).
    office = personas.client(personas.office)
    assert plan.title not in office.get(reverse("rollup:index")).content.decode()
    assert plan.title in personas.client(province).get(reverse("rollup:index")).content.decode()

    release = ResultRelease.objects.get(plan=county_plan, is_current=True)
    services.consultation_close(actor=county_office, plan=county_plan, release=release)
    services.release_approve(
        actor=county_office, plan=county_plan, release=release, approved_by="县领导小组审定", approved_on=timezone.localdate()
    )
    services.release_publish(actor=county_office, plan=county_plan, release=ResultRelease.objects.get(pk=release.pk))
    client = personas.client(province)
    page = client.get(reverse("rollup:index")).content.decode()
    assert "93.89" in page  # average of 100 and 87.77
    # 一级 rates: 依法全面履行政府职能 (60 + 47.77) / 120 = 89.81 %; 依法科学民主决策 100 %.
    assert "89.81" in page and "100.00" in page and "依法科学民主决策" in page
    detail = client.get(reverse("rollup:plan", args=[county_plan.pk])).content.decode()
    assert "87.77" in detail and "下载通报" in detail
    # A category that is not this plan's, or no number at all: the plan's first category, nothing else.
    other_category = plan.categories.first().pk
    for bad in (str(other_category), "abc", "-1", "9" * 30):
        response = client.get(reverse("rollup:plan", args=[county_plan.pk]), {"category": bad})
        assert response.status_code == 200 and "87.77" in response.content.decode()
        assert "县区政府" not in response.content.decode()  # the city plan's category name
    response = client.get(reverse("rollup:bulletin", args=[county_plan.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    # The higher office's download of a lower plan's bulletin is an audit event of that plan.
    assert AuditEvent.objects.filter(action="rollup.bulletin", plan_id=county_plan.pk).count() == 1


def test_a_lower_office_sees_neither_its_parent_nor_a_sibling(personas, plan, province, other_plan):
    city = plan.organiser.region
    county_plan, county_office = lower_plan(city, "舞钢市", level=Region.Level.COUNTY_CITY, publish=True)
    sibling_plan, _sibling_office = lower_plan(city, "宝丰县", publish=True)
    province_plan = f.PlanFactory.create(organiser=province.memberships.get().organisation, published=True)
    other_plan.status = Plan.Status.PUBLISHED
    other_plan.save(update_fields=["status"])
    county = personas.client(county_office)
    page = county.get(reverse("rollup:index")).content.decode()
    assert "下级区划暂无已发布的考核方案" in page and sibling_plan.title not in page
    for other in (sibling_plan, plan, province_plan, other_plan, county_plan):
        assert county.get(reverse("rollup:plan", args=[other.pk])).status_code == 404
        assert county.get(reverse("rollup:bulletin", args=[other.pk])).status_code == 404
    # The city office sees both counties, not the province's plan nor 洛阳's (a sibling city).
    city_office = personas.client(personas.office)
    page = city_office.get(reverse("rollup:index")).content.decode()
    assert county_plan.title in page and sibling_plan.title in page and other_plan.title not in page
    assert city_office.get(reverse("rollup:plan", args=[county_plan.pk])).status_code == 200
    for other in (province_plan, other_plan):
        assert city_office.get(reverse("rollup:plan", args=[other.pk])).status_code == 404
    # 洛阳's office sees nothing of 平顶山; the province sees everything below it.
    assert county_plan.title not in personas.client(personas.other_office).get(reverse("rollup:index")).content.decode()
    assert personas.client(personas.other_office).get(reverse("rollup:plan", args=[county_plan.pk])).status_code == 404
    page = personas.client(province).get(reverse("rollup:index")).content.decode()
    assert all(p.title in page for p in (county_plan, sibling_plan, plan, other_plan)) and province_plan.title not in page
    # Units, desks, viewers, administrators: 403; anonymous: to the login page.
    for user in (personas.unit, personas.desk, personas.viewer, personas.sysadmin, personas.field):
        client = personas.client(user)
        assert client.get(reverse("rollup:index")).status_code == 403
        assert client.get(reverse("rollup:plan", args=[county_plan.pk])).status_code == 403
        assert client.get(reverse("rollup:bulletin", args=[county_plan.pk])).status_code == 403
    assert personas.client(None).get(reverse("rollup:index")).status_code == 302


def test_a_draft_lower_plan_is_not_shown(personas, plan):
    draft, _office = lower_plan(plan.organiser.region, "舞钢市", level=Region.Level.COUNTY_CITY, graded=False)
    Plan.objects.filter(pk=draft.pk).update(status=Plan.Status.DRAFT)
    client = personas.client(personas.office)
    assert draft.title not in client.get(reverse("rollup:index")).content.decode()
    assert client.get(reverse("rollup:plan", args=[draft.pk])).status_code == 404


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("rollup:index")).status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_the_number_of_lower_plans(personas, plan, django_assert_max_num_queries):
    """1 lower plan, then 5: the same queries (published plans; then 1 and 5 more in progress, whose overdue units
    are counted)."""
    city = plan.organiser.region
    lower_plan(city, "舞钢市", level=Region.Level.COUNTY_CITY, publish=True)
    client = personas.client(personas.office)
    one = _queries(client)
    for name in ("宝丰县", "郏县", "叶县", "鲁山县"):
        lower_plan(city, name, publish=True)
    assert _queries(client) == one
    lower_plan(city, "汝州市", level=Region.Level.COUNTY_CITY)
    running = _queries(client)
    for name in ("新华区", "卫东区", "湛河区", "石龙区"):
        lower_plan(city, name, level=Region.Level.DISTRICT)
    with django_assert_max_num_queries(running):
        page = client.get(reverse("rollup:index")).content.decode()
    assert _queries(client) == running
    assert page.count('data-testid="rollup-row"') == 10 and page.count('data-testid="published-row"') == 5


def test_the_demo_at_two_levels(personas, demo_plan):
    """load_demo: the province's office sees 平顶山市's plan (in progress: no scores) and 舞钢市's (published), the
    city's office 舞钢市's; both find the link on their home page, a unit does not."""
    from kaohe.accounts.models import User
    from kaohe.results import demo_rollup

    province = personas.client(User.objects.get(username="province_office"))
    assert "rollup-link" in province.get(reverse("core:home")).content.decode()
    assert "rollup-link" not in personas.client(personas.unit).get(reverse("core:home")).content.decode()
    page = province.get(reverse("rollup:index")).content.decode()
    assert demo_plan.title in page and demo_rollup.COUNTY_TITLE in page and demo_rollup.PROVINCE_TITLE not in page
    assert page.count('data-testid="published-row"') == 1 and "严格规范公正文明执法" in page
    county_plan = Plan.objects.get(title=demo_rollup.COUNTY_TITLE)
    assert province.get(reverse("rollup:plan", args=[demo_plan.pk])).status_code == 200
    assert province.get(reverse("rollup:bulletin", args=[county_plan.pk])).status_code == 200
    city = personas.client(User.objects.get(username="office"))
    page = city.get(reverse("rollup:index")).content.decode()
    assert demo_rollup.COUNTY_TITLE in page and demo_plan.title not in page
    assert (
        personas.client(User.objects.get(username="wugang_office")).get(reverse("rollup:plan", args=[demo_plan.pk])).status_code
        == 404
    )


def test_annual_reports_of_lower_plans_are_counted_across_levels(personas, plan):
    """The city's roll-up counts each lower plan's 法治政府建设年度报告: published ones, and the units still without
    one after the due date (逾期), with the same queries for one lower plan as for three."""
    from kaohe.insights.models_reports import AnnualReport, AnnualReportSetting, AnnualReportVersion
    from kaohe.plans.models import PlanUnit

    city = plan.organiser.region
    county_plan, county_office = lower_plan(city, "舞钢市", level=Region.Level.COUNTY_CITY)
    first = PlanUnit.objects.filter(plan=county_plan).order_by("pk").first()
    report = AnnualReport.objects.create(plan=county_plan, unit=first)
    AnnualReportVersion.objects.create(
        report=report,
        number=1,
        file_name="2020年度法治政府建设情况报告.docx",
        file_sha256="0" * 64,
        file_storage_name="reports/test.docx",
        publication_url="http://www.example.gov.cn/fzzf/2020.html",
        published_on=dt.date(2021, 3, 20),
        submitted_by=county_office,
        submitted_at=WHEN,
    )
    client = personas.client(personas.office)
    today = timezone.localdate()
    # Before the due date the other unit is only 未报送; after it, 逾期.
    setting = AnnualReportSetting.objects.create(
        plan=county_plan, report_due=today + dt.timedelta(days=3), publish_due=today + dt.timedelta(days=3)
    )
    page = client.get(reverse("rollup:index")).content.decode()
    assert 'data-testid="reports-published">1/2<' in page and 'data-testid="reports-overdue">0<' in page
    AnnualReportSetting.objects.filter(pk=setting.pk).update(
        report_due=today - dt.timedelta(days=1), publish_due=today - dt.timedelta(days=1)
    )
    page = client.get(reverse("rollup:index")).content.decode()
    assert 'data-testid="reports-published">1/2<' in page and 'data-testid="reports-overdue">1<' in page
    one = _queries(client)
    for name in ("宝丰县", "叶县"):
        lower_plan(city, name)
    assert _queries(client) == one
