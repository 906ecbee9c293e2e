"""考核分析 pages on the small city of tests/city.py: who may open them, which snapshot the figures come from, the reasons of the
versions the snapshot used, year over year, the .xlsx, and a pinned number of queries."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.urls import reverse

from kaohe.plans import services as plan_services
from kaohe.plans.constants import Adjustment, Level
from kaohe.plans.models import Category, Indicator, PlanUnit
from kaohe.results import analysis, services
from kaohe.results.models import ResultSnapshot
from kaohe.scoring.models import Evaluation, GradeChoice
from kaohe.scoring.services import evaluation_record

DESK = "市司法局依法行政指导科"
WUGANG = "舞钢市人民政府"
LEVEL1 = "一级指标2"  # the city's 一级 2, in all three categories (tests/city.py)
NOTE = "考核办2021年1月5日会议决定：未评价的任务按0分计"
# 7 of every page (session, user, plan, memberships, and the session save's UPDATE between SAVEPOINT/RELEASE)
# + snapshot list, the snapshot's JSON paths, indicators, evaluations now, previous year's snapshot (none here).
# + the 问题类型 counts (evaluations, feedback problems).
PAGE_QUERIES = 14


def _task(plan, category: str, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, category__name=category, level=Level.TASK, code=code)


def _unit(plan, name: str) -> PlanUnit:
    return PlanUnit.objects.select_related("organisation", "category").get(plan=plan, organisation__name=name)


def _record(personas, plan, unit, task, *, grade="", score="", reason="", version=None):
    return evaluation_record(
        actor=personas.desk, plan=plan, unit=unit, task=task, grade=grade, score=score, reason=reason, expected_version=version
    )


@pytest.fixture
def graded(personas, plan):
    """Three evaluations by 市司法局依法行政指导科 for 舞钢市人民政府, then a snapshot with missing ones as 0:
    1.1.1 良 (8.00 of 10), 2.2.1 0.50 of 10 (日常掌握), 2.1.2 优 (10.00 of 10)."""
    wugang = _unit(plan, WUGANG)
    _record(personas, plan, wugang, _task(plan, "县区政府", "1.1.1"), grade=GradeChoice.GOOD, reason="制度不健全")
    _record(personas, plan, wugang, _task(plan, "县区政府", "2.2.1"), score="0.5", reason=" 学法\n 记录不全 ")
    _record(personas, plan, wugang, _task(plan, "县区政府", "2.1.2"), grade=GradeChoice.EXCELLENT)
    return services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note=NOTE)


def _url(plan, name="index", **query):
    url = reverse(f"analysis:{name}", args=[plan.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_who_may_open_the_analysis(personas, plan, other_plan, graded):
    foreign = ResultSnapshot.objects.create(
        plan=other_plan,
        seq=1,
        computed_by=personas.other_office,
        computed_at=dt.datetime(2021, 1, 5, tzinfo=dt.UTC),
        missing_policy="report",
        inputs_digest="0" * 64,
    )
    for name in ("index", "export"):
        url = _url(plan, name)
        for user in (personas.office, personas.viewer):
            assert personas.client(user).get(url).status_code == 200, (name, user)
        for user in (personas.unit, personas.unit2, personas.desk, personas.desk2):
            assert personas.client(user).get(url).status_code == 403, (name, user)
        for user in (personas.other_office, personas.other_unit, personas.sysadmin):
            assert personas.client(user).get(url).status_code == 404, (name, user)
        assert personas.client(None).get(url).status_code == 302
        # Another plan's snapshot, an unknown id and garbage: 404, nothing shown.
        for bad in (foreign.pk, 999999, "abc"):
            assert personas.client(personas.office).get(_url(plan, name, snapshot=bad)).status_code == 404, (name, bad)
    # The other city's office reaches its own plan's analysis, and never this plan's snapshot through it.
    assert personas.client(personas.other_office).get(_url(other_plan)).status_code == 200
    assert personas.client(personas.other_office).get(_url(other_plan, snapshot=graded.pk)).status_code == 404


def test_without_a_snapshot_a_friendly_page_and_no_download(personas, plan):
    page = personas.client(personas.viewer).get(_url(plan))
    html = page.content.decode()
    assert page.status_code == 200
    assert "尚无考核结果" in html and 'data-testid="no-snapshot"' in html
    assert "analysis-charts" not in html
    assert reverse("results:index", args=[plan.pk]) not in html  # the viewer cannot compute
    office = personas.client(personas.office).get(_url(plan)).content.decode()
    assert reverse("results:index", args=[plan.pk]) in office
    assert personas.client(personas.office).get(_url(plan, "export")).status_code == 404


def _desk_points(plan) -> Decimal:
    """Σ over units of the points of the desk's ordinary tasks in the unit's category (nothing is 不涉及 here);
    the 明年考核 tasks are not this year's."""
    total = Decimal(0)
    for category in Category.objects.filter(plan=plan):
        points = Indicator.objects.filter(
            category=category,
            level=Level.TASK,
            assessor__organisation__name=DESK,
            adjustment=Adjustment.NONE,
            counts_next_year=False,
        ).aggregate(s=Sum("points"))["s"] or Decimal(0)
        total += points * PlanUnit.objects.filter(plan=plan, category=category).count()
    return total


def test_page_names_its_snapshot_and_shows_the_figures(personas, plan, graded):
    page = personas.client(personas.viewer).get(_url(plan))
    html = page.content.decode()
    assert f"第{graded.seq}次计算" in html
    assert "已全部计分" in html and NOTE in html  # complete only because missing evaluations count as 0
    assert "已计分的考核对象 10/10 个" in html
    a = page.context["a"]
    # 市司法局依法行政指导科: 8.00 (良 of 10 points) + 0.50 + 10.00 over all its tasks' points in every unit.
    desk = next(d for d in a.desks if d.desk == DESK)
    assert desk.earned == Decimal("18.50")
    assert desk.rate == analysis.score_rate(Decimal("18.50"), _desk_points(plan))
    assert f"{desk.rate:.2f} %" in html
    # The bulletin's figure: 一级指标2 across the three categories (only 舞钢's 10.00 + 0.50 was earned).
    row = next(r for r in a.level1 if r.scope == analysis.ACROSS and r.name == LEVEL1)
    assert row.earned == Decimal("10.50")
    # Possible: 一级 2 is 30 points in 县区政府 and 部门2, 5 in 部门1: 30 × 3 + 5 × 3 + 30 × 4 = 225.
    assert row.possible == Decimal(225)
    assert row.rate == analysis.score_rate(Decimal("10.50"), row.possible)
    # Heat map of 县区政府 has 舞钢 with its 一级 2 rate; reasons are grouped with whitespace collapsed.
    assert [r.reason for r in a.reasons] == ["学法 记录不全", "制度不健全"]
    assert "学法 记录不全" in html and "来源：低于满分的评价" in html
    assert "无上年度数据" in html
    assert 'id="analysis-charts"' in html and "results/analysis.js" in html and "<script>" not in html


def test_reasons_are_those_of_the_version_the_snapshot_used(personas, plan, graded):
    wugang = _unit(plan, WUGANG)
    task = _task(plan, "县区政府", "1.1.1")
    _record(personas, plan, wugang, task, grade=GradeChoice.FAIR, reason="后来的理由", version=1)
    a = personas.client(personas.office).get(_url(plan)).context["a"]
    assert [r.reason for r in a.reasons] == ["学法 记录不全", "制度不健全"]
    latest = services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note=NOTE)
    page = personas.client(personas.office).get(_url(plan))
    assert page.context["snapshot"] == latest
    assert sorted(r.reason for r in page.context["a"].reasons) == ["后来的理由", "学法 记录不全"]
    # The earlier snapshot can still be chosen, and says it is not the latest.
    page = personas.client(personas.office).get(_url(plan, snapshot=graded.pk))
    assert page.context["snapshot"] == graded
    assert "不是最新的计算结果" in page.content.decode()
    assert sorted(r.reason for r in page.context["a"].reasons) == ["制度不健全", "学法 记录不全"]


def test_an_incomplete_snapshot_says_so(personas, plan):
    wugang = _unit(plan, WUGANG)
    _record(personas, plan, wugang, _task(plan, "县区政府", "2.2.1"), score="0.5", reason="记录不全")
    services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    page = personas.client(personas.office).get(_url(plan))
    html = page.content.decode()
    assert "评价未齐" in html and "已计分的考核对象 0/10 个" in html
    assert [r.reason for r in page.context["a"].reasons] == ["记录不全"]  # evaluations of unscored units count here


def test_year_over_year_against_the_organisers_previous_plan(personas, plan, graded):
    wugang = _unit(plan, WUGANG)
    previous = plan_services.plan_create(
        actor=personas.office,
        organiser=plan.organiser,
        year=plan.year - 1,
        title="平顶山市2019年度依法行政考核",
        period_start=dt.date(2019, 1, 1),
        period_end=dt.date(2019, 12, 31),
    )
    category = Category.objects.create(plan=previous, name="县区政府", full_score=Decimal(100))
    level1 = Indicator.objects.create(plan=previous, category=category, level=Level.LEVEL1, code="2", order=1, name=LEVEL1)
    unit = {
        "unit_id": 1,
        "organisation_id": wugang.organisation_id,
        "name": WUGANG,
        "scored": True,
        "raw": "80.00",
        "applicable_max": "100.00",
        "converted": "80.00",
        "final": "81.00",
    }
    ResultSnapshot.objects.create(
        plan=previous,
        seq=1,
        computed_by=personas.office,
        computed_at=dt.datetime(2020, 1, 10, 9, 0, tzinfo=dt.UTC),
        missing_policy="report",
        inputs_digest="0" * 64,
        data={
            "order": [f"c{category.pk}"],
            "categories": {
                f"c{category.pk}": {
                    "meta": {"name": "县区政府", "level1": {str(level1.pk): ["3.00", "4.00", "0.7500"]}, "ranked": [1]},
                    "units": {"u1": unit},
                }
            },
        },
    )
    page = personas.client(personas.office).get(_url(plan))
    html = page.content.decode()
    a = page.context["a"]
    assert "平顶山市2019年度依法行政考核 第1次计算" in html and "无上年度数据" not in html
    row = next(r for r in a.year_level1 if r.name == LEVEL1)
    current = next(r for r in a.level1 if r.scope == analysis.ACROSS and r.name == row.name)
    assert (row.previous, row.current, row.change) == (Decimal("75.00"), current.rate, current.rate - Decimal("75.00"))
    [mine] = a.year_units
    this_year = ResultSnapshot.objects.get(pk=graded.pk).data["categories"][f"c{wugang.category_id}"]["units"][f"u{wugang.pk}"]
    assert (mine.name, mine.previous, mine.previous_final) == (WUGANG, Decimal("80.00"), Decimal("81.00"))
    assert mine.current_final == Decimal(this_year["final"])
    assert mine.final_change == Decimal(this_year["final"]) - Decimal("81.00")
    # The 2019 plan is a draft: the viewer may not see it, so for them there is no previous year.
    assert "无上年度数据" in personas.client(personas.viewer).get(_url(plan)).content.decode()


def test_workbook_holds_every_table_with_numbers(personas, plan, graded):
    response = personas.client(personas.viewer).get(_url(plan, "export", snapshot=graded.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "说明",
        "一级指标得分率",
        "二级指标得分率",
        "考核主体得分率",
        "得分分布",
        "热力图-县区政府",
        "热力图-部门1",
        "热力图-部门2",
        "薄弱任务",
        "扣分理由",
        "问题类型统计（按类别）",
        "问题类型统计（按考核对象）",
    ]
    about = {row[0].value: row[1].value for row in book["说明"].iter_rows()}
    assert f"第{graded.seq}次计算" in about["数据来源"] and about["上年度"] == "无上年度数据"
    assert NOTE in about["考核办的决定"]
    desks = {row[0]: row for row in book["考核主体得分率"].iter_rows(min_row=5, values_only=True)}
    a = personas.client(personas.viewer).get(_url(plan)).context["a"]
    mine = next(d for d in a.desks if d.desk == DESK)
    assert desks[DESK][2] == pytest.approx(18.50) and desks[DESK][4] == pytest.approx(float(mine.rate / 100))
    assert book["考核主体得分率"]["E5"].number_format == "0.00%"
    assert book["考核主体得分率"]["A1"].value == f"{plan.title}考核主体得分率"
    assert book["考核主体得分率"].print_title_rows == "$4:$4"
    reasons = list(book["扣分理由"].iter_rows(min_row=5, max_row=6, values_only=True))
    assert reasons == [("学法 记录不全", 1, 1, 9.5), ("制度不健全", 1, 1, 2.0)]  # points lost: 10 − 0.5, 10 − 8
    heat = {row[0]: row for row in book["热力图-县区政府"].iter_rows(min_row=5, values_only=True) if row and row[0]}
    assert WUGANG in heat and all(isinstance(v, (int, float)) for v in heat[WUGANG][1:])


def test_query_count_is_pinned(personas, plan, graded, django_assert_num_queries):
    client = personas.client(personas.office)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(_url(plan))
    # More evaluations (of other units too; and a new snapshot) do not add queries.
    for name, code in (("宝丰县人民政府", "1.1.1"), ("宝丰县人民政府", "2.1.2"), ("郏县人民政府", "1.1.1")):
        _record(personas, plan, _unit(plan, name), _task(plan, "县区政府", code), grade=GradeChoice.POOR, reason="未报送")
    services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note=NOTE)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(_url(plan))
    assert Evaluation.objects.filter(plan=plan).count() == 6
