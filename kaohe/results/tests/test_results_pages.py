"""Results pages: who may open them, the per-unit breakdown, constant query counts, the .xlsx export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.plans.models import Indicator, PlanUnit
from kaohe.results import services
from kaohe.results.loader import load_plan
from kaohe.results.models import ResultSnapshot
from kaohe.results.tests.conftest import grade, tasks_of
from kaohe.scoring.models import Evaluation, NotApplicable
from tests import factories as f

# Pinned query counts, including the 6 of every page (session, user, plan, memberships, and the session
# save's UPDATE between SAVEPOINT/RELEASE). They do not grow with the number of units or evaluations. The
# breakdown adds one query each for bonus applications, deductions and changed evaluations, when there are any.
LOADER_QUERIES = 10
INDEX_QUERIES = 14  # + latest background computation, unit count (background or not), snapshot list, missing JSON path, task codes, unit names, the plan's missing-evaluation rule
SNAPSHOT_QUERIES = 9  # + snapshot header, the category's JSON paths
BREAKDOWN_QUERIES = 12  # + snapshot header, unit, the unit's JSON paths, indicator tree, its evaluations now


def _urls(plan, snapshot, unit):
    return {
        "index": reverse("results:index", args=[plan.pk]),
        "snapshot": reverse("results:snapshot", args=[plan.pk, snapshot.pk]),
        "breakdown": reverse("results:breakdown", args=[plan.pk, snapshot.pk, unit.pk]),
        "export": reverse("results:export", args=[plan.pk, snapshot.pk]),
    }


def test_pages_are_for_the_office_only(personas, plan, other_plan, graded_dept1):
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    wangxin = graded_dept1[0]
    urls = _urls(plan, snapshot, wangxin)
    for name, url in urls.items():
        assert personas.client(personas.office).get(url).status_code == 200, name
        for user in (personas.desk, personas.desk2, personas.unit, personas.unit2, personas.viewer):
            assert personas.client(user).get(url).status_code == 403, (name, user)
        for user in (personas.other_office, personas.other_unit, personas.sysadmin):
            assert personas.client(user).get(url).status_code == 404, (name, user)
        assert personas.client(None).get(url).status_code == 302
    # A snapshot of another plan through this plan's URL, and this plan's snapshot through the other plan's.
    foreign = ResultSnapshot.objects.create(
        plan=other_plan,
        seq=1,
        computed_by=personas.other_office,
        computed_at=dt.datetime(2021, 1, 5, tzinfo=dt.UTC),
        missing_policy="report",
        inputs_digest="0" * 64,
    )
    assert personas.client(personas.office).get(reverse("results:snapshot", args=[plan.pk, foreign.pk])).status_code == 404
    assert (
        personas.client(personas.other_office).get(reverse("results:snapshot", args=[other_plan.pk, snapshot.pk])).status_code
        == 404
    )
    # other_plan is a draft: its own office gets 404 (nothing to compute yet), as for the evidence pages.
    assert personas.client(personas.other_office).get(reverse("results:index", args=[other_plan.pk])).status_code == 404
    # A unit id that is not in this plan.
    assert (
        personas.client(personas.office).get(reverse("results:breakdown", args=[plan.pk, snapshot.pk, 999999])).status_code == 404
    )
    # The plan page is one click away.
    assert reverse("plans:detail", args=[plan.pk]) in personas.client(personas.office).get(urls["index"]).content.decode()


def test_breakdown_shows_each_task_who_gave_it_and_the_formula(personas, plan, graded_dept1):
    wangxin = graded_dept1[0]
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    page = personas.client(personas.office).get(reverse("results:breakdown", args=[plan.pk, snapshot.pk, wangxin.pk]))
    html = page.content.decode()
    assert "原始得分 12.35 ÷ 适用满分 15.00 × 100 = 82.33" in html
    assert "最终得分 = 内部考核得分 82.33 + 加分 0.00 − 减分 0.00 = 82.33" in html
    assert html.count('data-testid="task-row"') == len(tasks_of(wangxin)) == 3
    assert html.count('data-testid="level1-row"') == 2
    row = html[html.index(">2.1.1<") :]
    row = row[: row.index("</tr>")]
    assert "2.35" in row and "领导干部测试成绩偏低" in row and str(personas.office) in row and "2020-12-28 10:00" in row
    # Subtotals per 一级 with score rates: 一级 2 (2.1.1 only) 2.35 of 5 = 47.00 %.
    assert "2.35 / 5.00" in html and "47.00%" in html


def _graded_units(plan, personas, count):
    units = list(PlanUnit.objects.filter(plan=plan, category__name="部门2").select_related("category").order_by("pk")[:count])
    for unit in units:
        grade(plan, unit, personas.office, scores={tasks_of(unit)[0].code: Decimal(0)})
    return units


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_units_or_evaluations(personas, plan, django_assert_num_queries):
    # 部门2 gets eight more units (twelve in all) to grade.
    dept2 = plan.categories.get(name="部门2")
    for n in range(8):
        f.UnitFactory(
            plan=plan, category=dept2, organisation=f.OrganisationFactory(region=plan.organiser.region, name=f"市直部门{n}")
        )
    client = personas.client(personas.office)
    counts = []
    for graded in (2, 12):
        Evaluation.objects.filter(plan=plan).delete()
        units = _graded_units(plan, personas, graded)
        NotApplicable.objects.create(
            plan=plan, unit=units[1], task=tasks_of(units[1])[5], reason="不涉及", decided_by=personas.office
        )
        with django_assert_num_queries(LOADER_QUERIES):
            loaded = load_plan(plan, "report")
        assert (
            sum(len(u.evaluations) for c in loaded.categories for u in c.units)
            == Evaluation.objects.filter(plan=plan, task__counts_next_year=False).count()  # 明年考核: not this year
        )
        snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
        urls = _urls(plan, snapshot, units[1])
        client.get(urls["index"])  # warm the session
        counts.append(
            (
                _count(client, urls["index"]),
                _count(client, urls["snapshot"] + f"?category={units[1].category_id}"),
                _count(client, urls["breakdown"]),
            )
        )
        NotApplicable.objects.filter(plan=plan).delete()
    assert counts[0] == counts[1] == (INDEX_QUERIES, SNAPSHOT_QUERIES, BREAKDOWN_QUERIES)


def test_xlsx_export_reads_back_with_numbers_and_chinese_headers(personas, plan, graded_dept1):
    _wangxin, press, _secrecy = graded_dept1
    # 1.2.1 is 5 points: 市新闻出版局 keeps the top rank with 14.90 of 15 (99.33).
    Evaluation.objects.filter(unit=press, task__code="1.2.1").update(score=Decimal("4.90"), reason='=HYPERLINK("http://x")')
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    response = personas.client(personas.office).get(reverse("results:export", args=[plan.pk, snapshot.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert response["X-Content-Type-Options"] == "nosniff"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明", "县区政府", "部门1", "部门2", "得分明细"]
    ranked = book["部门1"]
    assert ranked["A1"].value == f"{plan.title}考核结果" and ranked["A2"].value == "类别：部门1"
    assert ranked["A3"].value.startswith(f"第{snapshot.seq}次计算（") and "生成时间：" in ranked["A3"].value
    assert [c.value for c in ranked[4]][:8] == [
        "排名",
        "考核对象",
        "原始得分",
        "适用满分",
        "换算得分",
        "加分",
        "减分",
        "最终得分",
    ]
    for sheet in (ranked, book["得分明细"]):  # printed as offices print them
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$4:$4" and sheet.freeze_panes == "C5"
        assert sheet.column_dimensions["B"].width >= 24
    assert ranked["B5"].alignment.wrap_text and "A1:K1" in {str(r) for r in ranked.merged_cells.ranges}
    rows = {r[1].value: r for r in ranked.iter_rows(min_row=5)}
    assert list(rows) == ["市新闻出版局", "市委机要保密局", "市委网信办"]
    last = rows["市委网信办"]
    assert last[0].value == 3
    assert isinstance(last[7].value, (int, float)) and last[7].value == 82.33 and last[7].number_format == "0.00"
    assert (last[2].value, last[3].value, last[4].value) == (12.35, 15, 82.33)
    county = book["县区政府"]
    assert county.cell(5, 8).value is None and "未评价" in county.cell(5, 11).value  # unscored: no number, a remark
    detail = book["得分明细"]
    assert detail["A1"].value == f"{plan.title}得分明细" and detail["A2"].value == "类别：全部类别"
    header = [c.value for c in detail[4]]
    assert header[:6] == ["类别", "考核对象", "一级指标", "二级指标", "任务编号", "工作任务"] and "扣分理由或说明" in header
    expected = sum(
        Indicator.objects.filter(plan=plan, level=3, category=u.category).count()
        for u in PlanUnit.objects.filter(plan=plan).select_related("category")
    )
    # Every task row of every unit: 3 units of 县区政府 and 4 of 部门2 × 10 tasks, 3 of 部门1 × 3.
    assert detail.max_row - 4 == expected == 3 * 10 + 3 * 3 + 4 * 10
    found = [r for r in detail.iter_rows(min_row=5, values_only=True) if r[1] == "市委网信办" and r[4] == "2.1.1"]
    assert len(found) == 1
    assert found[0][7] == 5 and found[0][9] == 2.35 and found[0][10] == "已评价" and found[0][14] == "领导干部测试成绩偏低"
    injected = next(r for r in detail.iter_rows(min_row=5) if r[1].value == "市新闻出版局" and r[4].value == "1.2.1")
    assert injected[14].data_type == "s" and injected[14].value.startswith("=HYPERLINK")
    assert AuditEvent.objects.filter(action="results.export", object_id=str(snapshot.pk)).count() == 1
    note = book["说明"]
    assert note["A1"].value == "考核方案" and note["B1"].value == plan.title
    assert snapshot.inputs_digest in [c.value for c in note["B"]]
