"""The insight pages: a submission's text, facts, duplicates and hints for its desk and the office; units 403,
other units and outsiders 404; the other side of a pair only for who may read it; dismissing; text search."""

from __future__ import annotations

from django.urls import reverse

from kaohe.core.models import AuditEvent
from kaohe.insights import services
from kaohe.insights.models import Hint
from kaohe.insights.tests.conftest import add_file
from kaohe.insights.tests.documents import REPORT_BODY, make_docx, make_pdf, official


def _pair(plan, personas, wugang, baofeng, task, their_task):
    mine = add_file(plan, wugang, task, "舞钢报告.docx", make_docx(REPORT_BODY), personas.unit)
    edited = [line.replace("37件", "41件") for line in REPORT_BODY]
    theirs = add_file(plan, baofeng, their_task, "宝丰报告.docx", make_docx(edited), personas.office)
    services.version_analyse(mine.pk)
    services.version_analyse(theirs.pk)
    return mine, theirs


def test_desk_sees_text_facts_and_the_named_duplicate(personas, plan, wugang, baofeng, task):
    _pair(plan, personas, wugang, baofeng, task, task)
    url = reverse("insights:submission", args=[plan.pk, wugang.pk, task.pk])
    page = personas.client(personas.desk).get(url).content.decode()
    assert "不影响评分" in page
    assert "深入学习贯彻习近平法治思想" in page  # the extracted text
    assert f"与宝丰县人民政府 {task.code} 的材料“宝丰报告.docx”文字" in page
    assert 'data-testid="hint-passages"' in page
    assert "41件" not in page or "37件" in page


def test_a_desk_not_reading_the_other_side_sees_no_name_nor_passage(personas, plan, wugang, baofeng, task, other_desk_task):
    _pair(plan, personas, wugang, baofeng, task, other_desk_task)  # 宝丰's copy sits in another desk's task
    url = reverse("insights:submission", args=[plan.pk, wugang.pk, task.pk])
    page = personas.client(personas.desk).get(url).content.decode()
    assert "与一份您无权查看的材料文字" in page
    assert "宝丰" not in page
    assert 'data-testid="hint-passages"' not in page
    office_page = personas.client(personas.office).get(url).content.decode()
    assert "宝丰县人民政府" in office_page


def test_who_may_open_the_page(personas, plan, wugang, baofeng, task, django_assert_max_num_queries):
    _pair(plan, personas, wugang, baofeng, task, task)
    url = reverse("insights:submission", args=[plan.pk, wugang.pk, task.pk])
    desk = personas.client(personas.desk)
    desk.get(url)
    with django_assert_max_num_queries(22):
        assert desk.get(url).status_code == 200
    assert personas.client(personas.office).get(url).status_code == 200
    assert personas.client(personas.unit).get(url).status_code == 403  # its own submission: the desk's notes
    for outsider in (personas.unit2, personas.desk2, personas.viewer, personas.other_office):
        response = personas.client(outsider).get(url)
        assert response.status_code == 404, outsider
        assert "宝丰" not in response.content.decode()
    assert personas.client(None).get(url).status_code == 302


def test_dismiss_with_reason_is_audited_and_leaves_the_page(personas, plan, wugang, task):
    version = add_file(
        plan,
        wugang,
        task,
        "旧文件.pdf",
        make_pdf([official("郏县人民政府", "郏政〔2018〕3号", "通知", ["正文"], "2018年5月4日")]),
        personas.unit,
    )
    services.version_analyse(version.pk)
    hint = Hint.objects.get(version=version, kind=Hint.Kind.OUTSIDE_YEAR)
    url = reverse("insights:dismiss", args=[plan.pk, hint.pk])
    client = personas.client(personas.desk)
    client.post(url, {"reason": ""})
    hint.refresh_from_db()
    assert hint.is_open  # a reason is required
    assert personas.client(personas.unit).post(url, {"reason": "不是"}).status_code == 403
    assert personas.client(personas.desk2).post(url, {"reason": "不是"}).status_code == 404
    response = client.post(url, {"reason": "该文件为历年制度，仍在执行"})
    assert response.status_code == 302
    hint.refresh_from_db()
    assert hint.dismissed_by == personas.desk and hint.dismiss_reason == "该文件为历年制度，仍在执行"
    event = AuditEvent.objects.get(action="insight.hint_dismiss")
    assert event.object_id == str(hint.pk)
    page = client.get(reverse("insights:submission", args=[plan.pk, wugang.pk, task.pk])).content.decode()
    assert "该文件为历年制度，仍在执行" in page  # listed among the dismissed
    assert client.post(url, {"reason": "再次"}).status_code == 302  # refused with a message, nothing changes
    hint.refresh_from_db()
    assert hint.dismiss_reason == "该文件为历年制度，仍在执行"


def test_text_search_finds_only_readable_files(personas, plan, wugang, baofeng, task, other_desk_task):
    add_file(plan, wugang, task, "复议.docx", make_docx(["全年受理行政复议案件37件"]), personas.unit)
    add_file(plan, baofeng, other_desk_task, "发改.docx", make_docx(["全年受理行政复议案件12件"]), personas.office)
    services.backfill()
    url = reverse("insights:search", args=[plan.pk])
    desk_page = personas.client(personas.desk).get(url, {"q": "行政复议"}).content.decode()
    assert "复议.docx" in desk_page and "发改.docx" not in desk_page
    office_page = personas.client(personas.office).get(url, {"q": "行政复议"}).content.decode()
    assert "复议.docx" in office_page and "发改.docx" in office_page
    assert personas.client(personas.unit).get(url, {"q": "行政复议"}).status_code == 403
    assert personas.client(personas.other_office).get(url).status_code == 404
    assert personas.client(personas.desk).get(url, {"q": "x"}).status_code == 200  # too short: a form error


def test_the_task_page_links_desks_to_the_analysis(personas, plan, wugang, task):
    add_file(plan, wugang, task, "报告.docx", make_docx(REPORT_BODY), personas.unit)
    url = reverse("submissions:task", args=[plan.pk, wugang.pk, task.pk])
    link = reverse("insights:submission", args=[plan.pk, wugang.pk, task.pk])
    assert link in personas.client(personas.desk).get(url).content.decode()
    assert link not in personas.client(personas.unit).get(url).content.decode()


def test_an_annual_report_shows_its_coverage_table(personas, plan, wugang, task):
    from pathlib import Path

    excerpt = (Path(__file__).parent / "fixtures" / "zhongzhan_2020_excerpt.txt").read_text(encoding="utf-8")
    add_file(plan, wugang, task, "年度报告.docx", make_docx(excerpt.split("\n")), personas.unit)
    services.backfill()
    page = personas.client(personas.desk).get(reverse("insights:submission", args=[plan.pk, wugang.pk, task.pk])).content.decode()
    assert 'data-testid="report-coverage"' in page
    assert "还存在着一些短板弱项" in page
    assert "未找到相关语句" in page  # 完善依法行政制度体系 is not in the excerpt
