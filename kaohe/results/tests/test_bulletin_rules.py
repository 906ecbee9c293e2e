"""The bulletin as offices expect it (issue 13, item 11): official layout, 抄送 from the release, 联系人, the office's
分析, the tie rule at the bottom-N cut, units not assessed left out, no internal note, finals below 0 explained."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import docx
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn
from docx.shared import Length

from kaohe.core.models import AuditEvent
from kaohe.core.officialdoc import TEXT_WIDTH_MM
from kaohe.organisations.models import Organisation
from kaohe.plans.models import PlanUnit
from kaohe.results import services
from kaohe.results.bulletin import BulletinTexts, _analysis, _interview_lines
from kaohe.results.models import ResultRelease
from kaohe.results.tests.conftest import grade, more_counties, tasks_of
from tests import factories as f

ZERO_NOTE = "2021年1月8日考核办主任办公会决定：逾期未评按0分计。"
ANALYSIS = "从考核情况看，各单位依法行政意识明显增强。\n但仍有部分单位行政执法监督不到位。"


def _ties_in_counties(plan, office) -> list[PlanUnit]:
    """Seven of the eleven counties graded, losing 0, 0.05 (three), 0.10 (two) and 0.15 points: the 5th lowest is tied
    with two more. The other four have nothing."""
    counties = list(PlanUnit.objects.filter(plan=plan, category__name="县区政府").select_related("category").order_by("pk"))
    for unit, lost in zip(counties, ("0", "0.05", "0.05", "0.05", "0.10", "0.10", "0.15"), strict=False):
        biggest = max(tasks_of(unit), key=lambda t: t.points or 0)
        grade(plan, unit, office, scores={biggest.code: (biggest.points or Decimal(0)) - Decimal(lost)})
    return counties


def _release(plan, office, snapshot) -> ResultRelease:
    return services.release_start(
        actor=office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=5)
    )


def test_release_bulletin_official_layout_copies_contact_analysis_ties(personas, plan, graded_dept1):
    more_counties(plan, 8)  # eleven counties, as in the real plan
    counties = _ties_in_counties(plan, personas.office)
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note=ZERO_NOTE)
    release = _release(plan, personas.office, snapshot)
    org = f.OrganisationFactory(region=plan.organiser.region, name="市委组织部", kind=Organisation.Kind.DEPARTMENT)
    services.copy_recipient_add(actor=personas.office, plan=plan, release=release, organisation=org)
    office = personas.client(personas.office)
    response = office.post(
        reverse("results:bulletin_edit", args=[plan.pk]),
        {"bulletin_contact": "联系人：张三，0375-2345678", "bulletin_analysis": ANALYSIS},
    )
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.bulletin_contact == "联系人：张三，0375-2345678" and release.bulletin_analysis == ANALYSIS
    event = AuditEvent.objects.filter(action="results.bulletin_edit").latest("seq")
    assert set(event.after) == {"bulletin_contact", "bulletin_analysis"}
    county_page = office.get(
        reverse("results:snapshot", args=[plan.pk, snapshot.pk]) + f"?category={counties[0].category_id}"
    ).content.decode()
    assert county_page.count("未取得任何评价，按0分计，不列入约谈名单") == 4
    page = office.get(reverse("results:release", args=[plan.pk])).content.decode()
    assert 'name="bulletin_contact"' in page and 'name="bulletin_analysis"' in page

    document = docx.Document(io.BytesIO(office.get(reverse("results:release_bulletin", args=[plan.pk])).content))
    texts = [p.text for p in document.paragraphs]
    joined = "\n".join(texts)

    # A4, red 版头, 文号 over the red rule.
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = int(section.left_margin or 0) + int(section.right_margin or 0)
    assert round(Length(int(section.page_width or 0) - margins).mm) == TEXT_WIDTH_MM
    head = document.paragraphs[texts.index(f"{plan.organiser.name}文件")]
    assert head.runs and all(str(r.font.color.rgb) == "C00000" for r in head.runs)
    number = document.paragraphs[texts.index("平法政办〔" + str(timezone.localdate().year) + "〕  号")]
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "C00000"

    # No internal note; the zero fill said in public words.
    assert ZERO_NOTE not in joined and "主任办公会" not in joined and "。）。" not in joined
    assert "项工作任务按0分计。" in joined

    # The office's 分析 under 三, before 四.
    start, end = texts.index("三、考核分析评估"), texts.index("四、工作要求")
    assert texts.index("从考核情况看，各单位依法行政意识明显增强。") in range(start, end)
    assert "但仍有部分单位行政执法监督不到位。" in texts[start:end]

    # Tie rule: the 5th lowest (99) is tied with two more: six named, and the text says so.
    names = [u.organisation.name for u in counties]
    county_line = next(t for t in texts[start:end] if t.startswith("县区政府："))
    listed = county_line.split("：", 1)[1].split("。", 1)[0].split("、")
    assert listed == [names[6], names[4], names[5], names[1], names[2], names[3]]
    assert county_line.endswith("因得分相同，并列第2名的3个单位一并列入。")
    assert "得分相同的并列列入，未实际考核的单位不列入" in joined
    # The four counties and the 4 departments (部门2) without any evaluation are not in the list, and are named as such.
    skipped = next(t for t in texts[start:end] if t.startswith("县区政府中"))
    assert all(name in skipped for name in names[7:]) and "（4个）本年度未取得任何评价" in skipped
    assert not any(name in county_line for name in names[7:])
    assert any(t.startswith("部门2中") and "（4个）" in t for t in texts[start:end])
    assert not any(t.startswith("部门2：") for t in texts)
    assert "本类别4个考核对象均未取得任何评价（按0分计），不作得分分析。" in joined
    # Grade lists say how many were not assessed; score rates are over the assessed units only.
    assert any(t.startswith("3.不合格等次（4个，其中4个未取得任何评价、按0分计）：") for t in texts)
    county_analysis = next(t for t in texts if t.startswith("（一）县区政府。"))
    assert "已计分的7个考核对象平均得分" in county_analysis and "得分率最高，为100.00%" in county_analysis

    # 联系人 under the date; 版记: 抄送 then the 印发 line, between rules.
    assert "（联系人：张三，0375-2345678）" in texts
    assert texts[-1].endswith("印发") and texts[-2] == "抄送：市委组织部。"
    copy_line, imprint = document.paragraphs[-2], document.paragraphs[-1]
    assert copy_line._p.pPr.find(qn("w:pBdr")).find(qn("w:top")) is not None
    assert imprint._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None
    assert texts.index("（联系人：张三，0375-2345678）") < len(texts) - 2


def test_without_copy_recipients_no_copy_line_and_frozen_texts_keep_them():
    texts = BulletinTexts(contact="李四 0375-1111111", copies=("市委组织部", "市纪委监委"))
    again = BulletinTexts.from_json(texts.as_json())
    assert again == texts
    assert BulletinTexts.from_json({"title": "旧的公布稿"}).copies == ()


def _meta(
    finals: dict[int, str | None], bottom: list[int], not_assessed: Sequence[int] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    units, ranks = {}, {}
    ordered = sorted((f for f in finals.values() if f is not None), key=Decimal, reverse=True)
    for unit_id, final in finals.items():
        ranks[unit_id] = 1 + sum(1 for f in ordered if Decimal(f) > Decimal(final)) if final is not None else None
        units[f"u{unit_id}"] = {"name": f"单位{unit_id}", "scored": final is not None, "final": final, "rank": ranks[unit_id]}
    ranked = sorted(finals, key=lambda u: (ranks[u] is None, ranks[u] or 0, u))
    meta = {"name": "部门2", "ranked": ranked, "bottom": bottom, "not_assessed": list(not_assessed), "level1": {}}
    return meta, units


def test_interview_list_without_ties_says_nothing_more():
    meta, units = _meta({1: "95.00", 2: "90.00", 3: "80.00"}, [3, 2])
    assert _interview_lines(meta, units, 2) == ["部门2：单位3、单位2。"]


def test_interview_list_with_a_tie_at_the_cut_names_all_tied():
    meta, units = _meta({1: "95.00", 2: "90.00", 3: "90.00", 4: "90.00", 5: "80.00"}, [5, 2, 3, 4])
    assert _interview_lines(meta, units, 2) == ["部门2：单位5、单位2、单位3、单位4。因得分相同，并列第2名的3个单位一并列入。"]


def test_final_below_zero_is_explained():
    meta, units = _meta({1: "95.00", 2: "-2.00"}, [2])
    text = _analysis(meta, units, {})
    assert "最低-2.00分" in text
    assert "单位2的最终得分低于0分，系减分超过其考核得分所致（考核实施方案未规定最低分，按实际计算结果列示）。" in text
    meta, units = _meta({1: "95.00", 2: "0.00"}, [2])
    assert "低于0分" not in _analysis(meta, units, {})


def test_units_not_assessed_are_left_out_of_the_averages():
    meta, units = _meta({1: "90.00", 2: "80.00", 3: "0.00", 4: "0.00"}, [2, 1], not_assessed=[3, 4])
    text = _analysis(meta, units, {})
    assert text.startswith("已计分的2个考核对象平均得分85.00分，最高90.00分，最低80.00分")
    lines = _interview_lines(meta, units, 5)
    assert lines == [
        "部门2：单位2、单位1。",
        "部门2中单位3、单位4（2个）本年度未取得任何评价，按0分计但未实际考核，不列入上述名单。",
    ]


def test_score_sheet_remarks_explain_not_assessed_and_finals_below_zero():
    from kaohe.results.exports import _remarks
    from kaohe.results.selectors import RankedRow

    def row(**kwargs: Any) -> RankedRow:
        values: dict[str, Any] = {
            "unit_id": 1,
            "name": "单位1",
            "scored": True,
            "raw": "0.00",
            "applicable_max": "100.00",
            "converted": "0.00",
            "bonus_total": "0.00",
            "deduction_total": "0.00",
            "final": "0.00",
            "rank": 1,
            "proposed_grade": None,
            "grade": None,
            "vetoes_applied": [],
            "zero_filled": True,
            "missing": 96,
            "warnings": 0,
        }
        return RankedRow(**(values | kwargs))

    assert _remarks(row(not_assessed=True), 5) == "未取得任何评价，96 项按0分计，不列入后5名"
    below = _remarks(row(zero_filled=False, missing=0, final="-2.00", deduction_total="2.00", in_bottom=True), 5)
    assert below == "减分超过考核得分，最终得分低于0分（方案未规定最低分）；后5名"
