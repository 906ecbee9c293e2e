"""统一考试场次: one sitting for candidates of many units — roster with a unit column, one paper with a shuffle per
candidate, progress per unit, closing in bulk, each unit's score through the rule of a unit's test; roles; bad rows;
query counts at 1,100 candidates."""

from __future__ import annotations

import io
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from kaohe.inspections.abilitytests import attempts, selectors_sittings, services_sittings
from kaohe.inspections.abilitytests.models import AbilityTest, Paper, Question, Sitting, Testee
from kaohe.inspections.abilitytests.services import SITTING_MANAGED
from kaohe.inspections.abilitytests.tests.conftest import codes_in
from kaohe.scoring.models import Evaluation, EvaluationChange

pytestmark = pytest.mark.django_db

ENTER = reverse("testee:enter")
SUBMIT = reverse("testee:submit")
WXB, CBJ, JMB = "市委网信办", "市新闻出版局", "市委机要保密局"  # 部门1
WUGANG = "舞钢市人民政府"  # 县区政府


@pytest.fixture
def county_task(plan):
    from kaohe.plans.constants import Method
    from kaohe.plans.models import Category
    from tests import factories as f

    county = Category.objects.get(plan=plan, name="县区政府")
    return f.task(county, "3.1.9", 5, name="领导干部法律知识考试", method=Method.FIELD)


def _sheet(rows, header=("单位", "姓名", "职务", "分组", "处室")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(rows, **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile("考生名单.xlsx", _sheet(rows, **kwargs), content_type="application/octet-stream")


def _url(name: str, plan, sitting=None) -> str:
    args = [plan.pk] if sitting is None else [plan.pk, sitting.pk]
    return reverse(f"abilitytests:{name}", args=args)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _new_sitting(personas, plan, tasks, **paper) -> Sitting:
    rules = {"single": 3, "multiple": 2, "judge": 1, "short": 0, "category": "", "difficulty": "", **paper}
    return services_sittings.sitting_create(
        actor=personas.office, plan=plan, title="全市领导干部法律知识考试", tasks=tasks, paper_rules=rules, time_limit_minutes=30
    )


def _answers(paper: Paper, *, correct: bool) -> dict[str, object]:
    data: dict[str, object] = {"action": "submit"}
    for question in Question.objects.filter(pk__in=paper.question_ids):
        if question.kind == Question.Kind.MULTIPLE:
            data[f"q{question.pk}"] = list(question.answer) if correct else ["A"]
        else:
            data[f"q{question.pk}"] = question.answer if correct else "Z"
    return data


# --- the whole sitting through the office's pages --------------------------------------------------------------


def test_a_city_wide_sitting_from_roster_to_each_units_score(personas, ability, staff_task, county_task):
    office = personas.client(personas.office)
    response = office.post(
        _url("sitting_new", ability),
        {
            "title": "全市领导干部法律知识考试",
            "tasks": [staff_task.pk, county_task.pk],
            "single": "3",
            "multiple": "2",
            "judge": "1",
            "time_limit_minutes": "30",
        },
    )
    sitting = Sitting.objects.get(plan=ability)
    assert response.status_code == 302 and response.url == _url("sitting", ability, sitting)
    units = {u.organisation.name for u in services_sittings.sitting_units(sitting)}
    assert {WXB, CBJ, JMB, WUGANG, "宝丰县人民政府", "郏县人民政府"} == units  # both categories, nobody else
    rows = [
        (WXB, "考生甲01", "主任", "领导小组负责同志", ""),
        (WXB, "考生甲02", "副主任", "", "办公室"),  # 分组 left out: 工作人员
        (CBJ, "考生乙01", "局长", "领导小组成员", ""),
        (CBJ, "考生乙02", "科员", "工作人员", "法规科"),
        (WUGANG, "考生丙01", "市长", "领导小组负责同志", ""),
    ]
    text = _messages(office.post(_url("sitting_roster", ability, sitting), {"file": _upload(rows)}, follow=True))
    assert "已导入 3 个考核对象的 5 名考生" in text
    tests = {
        t.unit.organisation.name: t
        for t in AbilityTest.objects.filter(sitting=sitting).select_related("unit__organisation", "task")
    }
    assert set(tests) == {WXB, CBJ, WUGANG}
    assert tests[WXB].task == staff_task and tests[WUGANG].task == county_task  # the task of the unit's category
    assert Testee.objects.get(test=tests[WXB], seq=2).group == "staff"
    # one paper, the same draw stored for every unit's test
    office.post(_url("sitting_paper", ability, sitting))
    papers = list(Paper.objects.filter(test__sitting=sitting))
    assert len(papers) == 3 and len({(p.seed, tuple(p.question_ids)) for p in papers}) == 1
    assert papers[0].total_points == Decimal(30)
    # a unit's test inside the sitting is not opened, papered or drawn on its own
    text = _messages(
        office.post(reverse("abilitytests:open", args=[ability.pk, tests[WXB].pk]), {"time_limit_minutes": 20}, follow=True)
    )
    assert SITTING_MANAGED in text
    # opening: one code per candidate, shown once, every unit's test open at the same moment
    response = office.post(_url("sitting_open", ability, sitting), {"time_limit_minutes": "30"})
    assert response.status_code == 200
    codes = codes_in(response.content.decode())
    assert len(codes) == 5 and len(set(codes)) == 5
    assert all(t.sitting_is_open for t in AbilityTest.objects.filter(sitting=sitting))
    testees = list(Testee.objects.filter(test__sitting=sitting).order_by("test__unit__organisation__sort_key", "seq"))
    assert len({t.layout_seed for t in testees}) == 5 and all(len(t.code_hash) == 64 for t in testees)
    # per-candidate shuffle: question and option order from each candidate's stored seed (reproducible, different)
    paper = papers[0]
    questions = attempts.paper_questions(paper)
    layouts = [[(q.pk, tuple(order)) for q, order in attempts.testee_layout(t, paper, questions)] for t in testees]
    assert len(set(map(tuple, layouts))) > 1
    assert layouts[0] == [(q.pk, tuple(o)) for q, o in attempts.testee_layout(testees[0], paper, questions)]
    assert all(sorted(q for q, _ in layout) == sorted(paper.question_ids) for layout in layouts)
    # the codes page lists the candidates by unit (category order, then the units' order), each code once
    by_testee = dict(zip([(t.test.unit.organisation.name, t.seq) for t in _by_page_order(sitting)], codes, strict=True))
    # 考生甲01 answers everything right and hands in; 考生乙01 answers wrong and is still at it; the rest never start
    first, second = personas.client(None), personas.client(None)
    assert first.post(ENTER, {"code": by_testee[(WXB, 1)]}).status_code == 302
    assert first.post(SUBMIT, _answers(paper, correct=True)).status_code == 200
    second.post(ENTER, {"code": by_testee[(CBJ, 1)]})
    second.post(SUBMIT, {**_answers(paper, correct=False), "action": "save"})
    progress = {r.unit.organisation.name: r for r in selectors_sittings.progress(sitting)}
    assert (progress[WXB].candidates, progress[WXB].started, progress[WXB].finished) == (2, 1, 1)
    assert (progress[CBJ].started, progress[CBJ].answering, progress[CBJ].not_started) == (1, 1, 1)
    assert progress["宝丰县人民政府"].candidates == 0
    page = office.get(_url("sitting", ability, sitting)).content.decode()
    assert "各考核对象考试进度" in page and "名单中没有本单位考生" in page
    # recording before the end is refused
    assert "场次尚未结束" in _messages(office.post(_url("sitting_record", ability, sitting), follow=True))
    # closing: the attempt in progress is collected with its saved answers, those never started are 缺考
    text = _messages(office.post(_url("sitting_close", ability, sitting), follow=True))
    assert "超时收卷 1 人，缺考 3 人" in text
    assert Testee.objects.filter(test__sitting=sitting, finished_at__isnull=True).count() == 0
    assert Testee.objects.get(test=tests[WUGANG]).finish == Testee.Finish.ABSENT
    assert not Sitting.objects.get(pk=sitting.pk).is_open
    # results per unit, then recorded into each unit's task: points × mean score rate of its candidates
    results = {r.unit.organisation.name: r for r in selectors_sittings.results(sitting)}
    assert results[WXB].conversion.mean_percent == Decimal("50.00")  # 100% and 缺考 0%
    office.post(_url("sitting_record", ability, sitting))
    scores = {
        e.unit.organisation.name: e
        for e in Evaluation.objects.filter(unit__in=[t.unit for t in tests.values()]).select_related("unit__organisation", "task")
    }
    assert scores[WXB].score == Decimal("1.00") and scores[WXB].task == staff_task  # 2 × 50%
    assert scores[CBJ].score == Decimal("0.00")
    assert scores[WUGANG].score == Decimal("0.00") and scores[WUGANG].task == county_task
    assert scores[WXB].reason == "能力测试平均得分率 50.00%（2人）"
    change = EvaluationChange.objects.filter(evaluation=scores[WXB]).order_by("-pk").first()
    assert change.source == EvaluationChange.Source.ABILITY_TEST
    html = office.get(_url("sitting_results", ability, sitting)).content.decode()
    assert "各考核对象成绩" in html and "50.00%" in html and "无考生" in html


def _by_page_order(sitting):
    testees = Testee.objects.filter(test__sitting=sitting).select_related("test__unit__organisation", "test__unit__category")
    return sorted(testees, key=lambda t: (t.test.unit.category.order, t.test.unit.organisation.sort_key, t.seq))


# --- bad roster rows ------------------------------------------------------------------------------------------------


def test_bad_roster_rows_are_all_named_and_nothing_is_stored(personas, ability, staff_task):
    sitting = _new_sitting(personas, ability, [staff_task])
    office = personas.client(personas.office)
    rows = [
        (WXB, "考生甲01", "主任", "", ""),
        ("市委网信", "考生甲02", "", "", ""),  # not the full name
        (WUGANG, "考生丙01", "", "", ""),  # a unit not taking part (县区政府 has no task in this sitting)
        (WXB, "考生甲01", "副主任", "", ""),  # the same person twice
        (CBJ, "", "科员", "", ""),
        (CBJ, "考生乙01", "", "处长", ""),  # no such group
        ("", "考生丁01", "", "", ""),
    ]
    text = _messages(office.post(_url("sitting_roster", ability, sitting), {"file": _upload(rows)}, follow=True))
    assert "导入失败，考生名单未改变" in text
    assert "第3行：单位“市委网信”不是本场次的考核对象" in text
    assert f"第4行：单位“{WUGANG}”不是本场次的考核对象" in text
    assert "第5行：“考生甲01”与第2行重复" in text
    assert "第6行：缺少姓名" in text
    assert "第7行：分组“处长”无法识别" in text
    assert "第8行：缺少单位" in text
    assert not Testee.objects.filter(test__sitting=sitting).exists() and not AbilityTest.objects.filter(sitting=sitting).exists()
    # the same name in two sections of one unit, or in two units, is two people
    good = [(WXB, "考生甲01", "", "", "办公室"), (WXB, "考生甲01", "", "", "法规科"), (CBJ, "考生甲01", "", "", "")]
    office.post(_url("sitting_roster", ability, sitting), {"file": _upload(good)})
    assert Testee.objects.filter(test__sitting=sitting).count() == 3
    # a sheet without the unit column, a file that is not a workbook
    text = _messages(
        office.post(_url("sitting_roster", ability, sitting), {"file": _upload([("考生",)], header=("姓名",))}, follow=True)
    )
    assert "找不到表头“单位”“姓名”" in text
    junk = SimpleUploadedFile("名单.xlsx", b"%PDF-1.4 not a workbook", content_type="application/octet-stream")
    assert "导入失败" in _messages(office.post(_url("sitting_roster", ability, sitting), {"file": junk}, follow=True))
    assert Testee.objects.filter(test__sitting=sitting).count() == 3  # unchanged
    # re-importing replaces the candidates, and a unit left out is no longer in the sitting
    office.post(_url("sitting_roster", ability, sitting), {"file": _upload([(CBJ, "考生乙01", "", "", "")])})
    assert list(AbilityTest.objects.filter(sitting=sitting).values_list("unit__organisation__name", flat=True)) == [CBJ]
    # once open, the list is frozen
    services_sittings.sitting_paper_make(actor=personas.office, sitting=sitting)
    services_sittings.sitting_open(actor=personas.office, sitting=sitting, time_limit_minutes=30)
    text = _messages(office.post(_url("sitting_roster", ability, sitting), {"file": _upload(good)}, follow=True))
    assert "场次已开考，考生名单和试卷不能再改变" in text


def test_creating_a_sitting_checks_its_tasks(personas, ability, staff_task, leaders_task):
    from kaohe.plans.constants import Level, Method
    from kaohe.plans.models import Indicator

    office = personas.client(personas.office)
    response = office.post(
        _url("sitting_new", ability),
        {"title": "考试", "tasks": [staff_task.pk, leaders_task.pk], "single": "3", "time_limit_minutes": "30"},
    )
    assert response.status_code == 200 and "每个考核对象类别只能选择一项工作任务" in response.content.decode()
    submission = Indicator.objects.filter(plan=ability, level=Level.TASK, method=Method.SUBMISSION).first()
    response = office.post(
        _url("sitting_new", ability), {"title": "考试", "tasks": [submission.pk], "single": "3", "time_limit_minutes": "30"}
    )
    assert "所选工作任务不属于本方案" in response.content.decode()  # not offered, so not a valid choice
    response = office.post(_url("sitting_new", ability), {"title": "考试", "tasks": [staff_task.pk], "time_limit_minutes": "30"})
    assert "请设置组卷题量" in response.content.decode()
    assert not Sitting.objects.exists()


# --- who reaches a sitting ---------------------------------------------------------------------------------------


def test_only_the_office_reaches_a_sitting(personas, ability, staff_task, scorer, dept1_member, other_plan):
    sitting = _new_sitting(personas, ability, [staff_task])
    services_sittings.sitting_roster_import(
        actor=personas.office, sitting=sitting, data=_sheet([(WXB, "考生甲01", "", "", "")]), original_name="名单.xlsx"
    )
    pages = [_url(n, ability, sitting) for n in ("sitting", "sitting_results", "sitting_roster_template")]
    for url in pages:
        assert personas.client(personas.office).get(url).status_code == 200
        for user in (personas.unit, personas.desk, personas.viewer, scorer, dept1_member):
            assert personas.client(user).get(url).status_code == 403, (url, user)
        assert personas.client(personas.other_office).get(url).status_code == 404
    # a unit's member cannot replace the candidates, even of their own unit
    response = personas.client(dept1_member).post(
        _url("sitting_roster", ability, sitting), {"file": _upload([(WXB, "冒名", "", "", "")])}
    )
    assert response.status_code == 403
    assert list(Testee.objects.filter(test__sitting=sitting).values_list("name", flat=True)) == ["考生甲01"]
    # another plan's office does not see this plan's sitting, nor this office another plan's id
    other = personas.client(personas.other_office)
    assert other.post(_url("sitting_open", ability, sitting), {"time_limit_minutes": "30"}).status_code == 404
    assert (
        personas.client(personas.office).get(reverse("abilitytests:sitting", args=[ability.pk, sitting.pk + 999])).status_code
        == 404
    )
    assert Sitting.objects.get(pk=sitting.pk).opened_at is None


# --- 1,100 candidates: bulk writes, constant queries ---------------------------------------------------------------


def test_eleven_hundred_candidates_in_constant_queries(personas, ability, staff_task, county_task, django_assert_max_num_queries):
    sitting = _new_sitting(personas, ability, [staff_task, county_task])
    units = [u.organisation.name for u in services_sittings.sitting_units(sitting)]
    office = personas.client(personas.office)
    small = [(name, "考生0001", "干部", "", "") for name in units]
    services_sittings.sitting_roster_import(actor=personas.office, sitting=sitting, data=_sheet(small), original_name="名单.xlsx")
    reset_queries()  # the log keeps at most 9,000 queries: empty it before each count
    with CaptureQueriesContext(connection) as few:
        assert office.get(_url("sitting", ability, sitting)).status_code == 200
    rows = [(units[i % len(units)], f"考生{i:04d}", "干部", "", f"处室{i % 7}") for i in range(1100)]
    started = time.perf_counter()
    counts = services_sittings.sitting_roster_import(
        actor=personas.office, sitting=sitting, data=_sheet(rows), original_name="名单.xlsx"
    )
    imported = time.perf_counter() - started
    assert sum(counts.values()) == 1100 and len(counts) == 6
    services_sittings.sitting_paper_make(actor=personas.office, sitting=sitting)
    started = time.perf_counter()
    issued = services_sittings.sitting_open(actor=personas.office, sitting=sitting, time_limit_minutes=60)
    opened = time.perf_counter() - started
    assert len(issued) == 1100 and len({i.code for i in issued}) == 1100
    reset_queries()
    with CaptureQueriesContext(connection) as many:
        assert office.get(_url("sitting", ability, sitting)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)  # 6 candidates or 1,100: the same queries
    reset_queries()
    with django_assert_max_num_queries(20) as progress_queries:
        page = office.get(_url("sitting", ability, sitting))
    assert page.status_code == 200 and "考生 1100" in page.content.decode()
    # three candidates answer, then the office closes the sitting for the other 1,097 at once
    paper = Paper.objects.filter(test__sitting=sitting).first()
    for issued_code in issued[:3]:
        client = personas.client(None)
        client.post(ENTER, {"code": issued_code.code})
        client.post(SUBMIT, _answers(paper, correct=True))
    started = time.perf_counter()
    counts_closed = services_sittings.sitting_close(actor=personas.office, sitting=sitting)
    closed = time.perf_counter() - started
    assert counts_closed == {"timeout": 0, "absent": 1097}
    reset_queries()
    with django_assert_max_num_queries(20) as results_queries:
        page = office.get(_url("sitting_results", ability, sitting))
    assert page.status_code == 200 and page.content.decode().count('data-testid="result-row"') == 6
    reset_queries()
    with django_assert_max_num_queries(20):
        assert office.get(_url("index", ability)).status_code == 200
    # the timings, for the report (not asserted: a shared machine)
    print(
        f"\n1100 candidates: import {imported:.2f}s, open {opened:.2f}s, close {closed:.2f}s; queries: progress page"
        f" {len(progress_queries.captured_queries)} (6 candidates: {len(few.captured_queries)}), results page"
        f" {len(results_queries.captured_queries)}"
    )


def test_the_demo_sitting_has_placeholder_candidates_and_a_paper(personas, ability, staff_task):
    from kaohe.inspections.abilitytests.demo import SITTING_TITLE, load_demo_sitting

    load_demo_sitting(ability, personas.office)
    load_demo_sitting(ability, personas.office)  # idempotent
    sitting = Sitting.objects.get(plan=ability)
    assert sitting.title == SITTING_TITLE and sitting.opened_at is None
    units = services_sittings.sitting_units(sitting)
    names = list(Testee.objects.filter(test__sitting=sitting).values_list("name", flat=True))
    assert len(names) == 3 * len(units) and set(names) == {"领导干部01", "领导干部02", "领导干部03"}
    assert Paper.objects.filter(test__sitting=sitting).count() == len(units)


def test_a_units_test_in_a_sitting_lists_its_candidates_and_reissues_a_lost_code(personas, ability, staff_task):
    sitting = _new_sitting(personas, ability, [staff_task])
    rows = [(WXB, "考生甲01", "", "", ""), (WXB, "考生甲02", "", "", "")]
    services_sittings.sitting_roster_import(actor=personas.office, sitting=sitting, data=_sheet(rows), original_name="名单.xlsx")
    test = AbilityTest.objects.get(sitting=sitting)
    office = personas.client(personas.office)
    url = reverse("abilitytests:test", args=[ability.pk, test.pk])
    page = office.get(url).content.decode()
    assert "考生甲02" in page and 'data-testid="sitting-managed"' in page and 'data-testid="draw"' not in page
    services_sittings.sitting_paper_make(actor=personas.office, sitting=sitting)
    issued = services_sittings.sitting_open(actor=personas.office, sitting=sitting, time_limit_minutes=30)
    assert "重新生成测试码" in office.get(url).content.decode()
    testee = Testee.objects.get(test=test, seq=2)
    response = office.post(reverse("abilitytests:code_reissue", args=[ability.pk, test.pk, testee.pk]))
    (new,) = codes_in(response.content.decode())
    assert new != issued[1].code
    client = personas.client(None)
    assert "测试码无效" in client.post(ENTER, {"code": issued[1].code}, follow=True).content.decode()
    assert client.post(ENTER, {"code": new}).status_code == 302
    # a unit's own test in the sitting is closed by the sitting, not on its own
    text = _messages(office.post(reverse("abilitytests:close", args=[ability.pk, test.pk]), follow=True))
    assert SITTING_MANAGED in text
