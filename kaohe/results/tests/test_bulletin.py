"""The results bulletin (考核情况的通报) as .docx: layout, content read back with python-docx, who may download it."""

from __future__ import annotations

import datetime as dt
import io

import docx
from django.urls import reverse
from docx.oxml.ns import qn

from kaohe.core.models import AuditEvent
from kaohe.core.officialdoc import chinese_date
from kaohe.results import services
from kaohe.results.bulletin import INCOMPLETE_NOTE, _composition, build_bulletin, bulletin_number
from kaohe.results.models import ResultSnapshot

DAY = dt.date(2026, 11, 22)
ZERO_NOTE = "2021年1月8日考核办主任办公会决定：逾期未评按0分计"


def _read(body: bytes):
    return docx.Document(io.BytesIO(body))


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _east_asia(paragraph) -> set[str]:
    return {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in paragraph.runs if run.text}


def _index(texts: list[str], wanted: str) -> int:
    return next(i for i, t in enumerate(texts) if wanted in t)


def test_bulletin_layout_grades_in_rank_order_and_imprint(personas, plan, graded_dept1):
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="zero", decision_note=ZERO_NOTE)
    assert snapshot.complete
    document = _read(build_bulletin(plan, snapshot, today=DAY))
    texts = _texts(document)
    organiser = plan.organiser.name

    section = document.sections[0]
    lengths = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    lengths += [section.left_margin, section.right_margin]
    assert [round(length.mm, 1) for length in lengths] == [210, 297, 37, 35, 28, 26]  # stored in twips

    # Red issuing-authority line, then the 文号 with the red rule under it.
    head = document.paragraphs[_index(texts, f"{organiser}文件")]
    assert head.text == f"{organiser}文件"
    assert _east_asia(head) == {"方正小标宋简体"}
    assert all(str(r.font.color.rgb) == "C00000" for r in head.runs)
    number = document.paragraphs[_index(texts, "〕")]
    assert number.text == bulletin_number(plan, 2026)
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "C00000"

    title = document.paragraphs[_index(texts, "依法行政考核情况的通报")]
    assert f"关于{plan.year}年度依法行政考核情况的通报" in title.text
    assert _east_asia(title) == {"方正小标宋简体"}
    assert INCOMPLETE_NOTE not in "\n".join(texts)

    # Body: 仿宋_GB2312 3号, fixed lines.
    body = document.paragraphs[_index(texts, "按照《")]
    assert _east_asia(body) == {"仿宋_GB2312"}
    assert all(r.font.size.pt == 16 for r in body.runs)
    assert body.paragraph_format.line_spacing is not None or document.styles["Normal"].paragraph_format.line_spacing.pt == 28

    # Per category a heading, then each grade's list: every unit once, in rank order, under its grade.
    data = ResultSnapshot.objects.get(pk=snapshot.pk).data
    start = _index(texts, "二、考核结果等次")
    end = _index(texts, "三、考核分析评估")
    section_texts = texts[start:end]
    ordinals = "一二三四五六七八九十"
    for index, key in enumerate(data["order"]):
        meta, units = data["categories"][key]["meta"], data["categories"][key]["units"]
        heading = f"（{ordinals[index]}）{meta['name']}"
        at = section_texts.index(heading)
        following = section_texts[at + 1 :]
        stop = next((i for i, t in enumerate(following) if t.startswith("（")), len(following))
        lists = following[:stop]
        expected: dict[str, list[str]] = {}
        for unit_id in meta["ranked"]:
            unit = units[f"u{unit_id}"]
            expected.setdefault(unit["grade"], []).append(unit["name"])
        found: dict[str, list[str]] = {}
        for line in lists:
            label, _, names = line.partition("：")
            grade = label.split(".", 1)[1].split("等次（")[0]
            found[grade] = names.split("、")
            assert label.split("等次（", 1)[1].startswith(f"{len(found[grade])}个")  # then how many were not assessed
        assert found == expected, meta["name"]

    # The graded 部门1 units rank 市新闻出版局 (100) > 市委机要保密局 > 市委网信办 (82.33).
    dept1 = next(t for t in section_texts if "市新闻出版局" in t)
    assert dept1.index("市新闻出版局") < dept1.index("市委机要保密局") < dept1.index("市委网信办")

    # Analysis quotes the 一级指标 score rates; the zero-fill is stated, the office's internal note is not.
    analysis = "\n".join(texts[end : _index(texts, "四、工作要求")])
    assert "得分率最高，为" in analysis and "%" in analysis
    joined = "\n".join(texts)
    assert ZERO_NOTE not in joined and "。）。" not in joined
    assert "项工作任务按0分计。" in joined

    # Signature, date, 印发 line between two rules.
    assert chinese_date(DAY) == "2026年11月22日"
    signature = _index(texts, "四、工作要求")
    tail = texts[signature:]
    assert organiser in tail and "2026年11月22日" in tail
    imprint = document.paragraphs[-1]
    assert imprint.text == f"{organiser}\t2026年11月22日印发"
    borders = imprint._p.pPr.find(qn("w:pBdr"))
    assert borders.find(qn("w:top")) is not None and borders.find(qn("w:bottom")) is not None


def test_incomplete_snapshot_is_marked_and_lists_the_unscored(personas, plan, graded_dept1):
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    assert not snapshot.complete
    texts = _texts(_read(build_bulletin(plan, snapshot, today=DAY)))
    joined = "\n".join(texts)
    assert INCOMPLETE_NOTE in joined
    assert any(t.startswith(INCOMPLETE_NOTE) for t in texts)  # its own line under the title
    assert "尚未计分" in joined
    assert "市新闻出版局" in joined


def test_bulletin_number_placeholder():
    class P:
        doc_number = ""

    assert bulletin_number(P(), 2026) == "〔 〕号"
    P.doc_number = "平法政办〔2020〕5号"
    assert bulletin_number(P(), 2021) == "平法政办〔2021〕  号"


def test_download_is_for_the_office_only_and_audited(personas, plan, other_plan, graded_dept1):
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    url = reverse("results:bulletin", args=[plan.pk, snapshot.pk])
    response = personas.client(personas.office).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "依法行政考核情况的通报" in "\n".join(_texts(_read(response.content)))
    assert AuditEvent.objects.filter(action="results.bulletin", object_id=str(snapshot.pk)).count() == 1
    for user in (personas.desk, personas.desk2, personas.unit, personas.unit2, personas.viewer):
        assert personas.client(user).get(url).status_code == 403, user
    for user in (personas.other_office, personas.other_unit, personas.sysadmin):
        assert personas.client(user).get(url).status_code == 404, user
    assert personas.client(None).get(url).status_code == 302
    page = personas.client(personas.office).get(reverse("results:snapshot", args=[plan.pk, snapshot.pk]))
    assert url in page.content.decode()


def test_score_composition_quotes_the_weights_and_bands():
    policy = {
        "weights": {"platform": "80.00", "field": "15.00", "case_review": "5.00"},
        "grade_percentages": {"poor": "0.00", "excellent": "100.00", "fair": "60.00", "good": "80.00"},
        "bands": [{"name": "优秀", "min": "90", "quota_pct": "30"}, {"name": "良好", "min": "0"}],
    }
    text = "".join(_composition(policy, {"100"}))
    assert "考核实行百分制，其中督导平台和日常考核80分，实地考核15分，集中评查5分。" in text
    assert "“优”“良”“中”“差”分别按该项分值的100%、80%、60%、0%计分" in text
    assert "优秀（90分以上，且不超过本类别考核对象的30%）、良好2个等次" in text
