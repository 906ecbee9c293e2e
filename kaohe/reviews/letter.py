"""The feedback letter (问题反馈通知) as a .docx: scores with reasons, deductions, problems, the review procedure."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from kaohe.core.calendar import to_local_date
from kaohe.reviews.models import Feedback

FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"


def _points(value: object) -> str:
    if value is None or value == "":
        return "—"
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _font(run: object, name: str, size: float) -> None:
    run.font.name = name  # type: ignore[attr-defined]
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)  # type: ignore[attr-defined]


def _paragraph(document: object, text: str, *, size: float = 16, bold: bool = False, center: bool = False) -> None:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    _font(run, TITLE_FONT if center else FONT, size)


def feedback_letter(feedback: Feedback, *, request_days: int) -> bytes:
    """One released round of a unit as a Word document (the snapshot, not the current scores), naming the round.

    The final 考核情况反馈 lists every score; an in-year 问题反馈 round the scores of the tasks its problems concern.
    """
    plan = feedback.plan
    document = Document()
    _paragraph(document, f"{plan.title}问题反馈通知", size=22, center=True)
    _paragraph(document, f"（{feedback.round_label}）", center=True)
    _paragraph(document, f"{feedback.unit.organisation.name}：")
    if feedback.is_final:
        opening = f"现将你单位{plan.year}年度依法行政考核的得分、扣分理由及发现的问题反馈如下（{feedback.round_label}）。"
    else:
        opening = (
            f"现将考核办在{plan.year}年度依法行政考核日常工作中发现你单位的问题及所涉工作任务的得分"
            f"反馈如下（{feedback.round_label}）。"
        )
    _paragraph(
        document,
        opening + f"如有异议，请于收到本通知之日起{request_days}个工作日内，通过督导平台就有异议的事项逐项书面申请复核，"
        "并说明理由；逾期未申请的，视为无异议。",
    )
    if feedback.note:
        _paragraph(document, feedback.note)

    _paragraph(document, "一、得分与扣分理由" if feedback.is_final else "一、所涉工作任务的得分与扣分理由", bold=True)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("编号", "工作任务", "分值", "得分", "扣分理由"), strict=True):
        cell.text = text
    for row in feedback.scores:
        cells = table.add_row().cells
        score = _points(row.get("score"))
        if row.get("grade_label"):
            score = f"{score}（{row['grade_label']}）"
        values = (row["code"], row["name"], _points(row.get("points")), score, row.get("reason") or "")
        for cell, text in zip(cells, values, strict=True):
            cell.text = str(text)

    if feedback.is_final:
        _paragraph(document, "二、减分", bold=True)
        if not feedback.deductions:
            _paragraph(document, "无。")
        for i, d in enumerate(feedback.deductions, start=1):
            task = f"（相关工作任务 {d['task']}）" if d.get("task") else ""
            _paragraph(document, f"{i}. {d['matter']}：{d['kind']}，减 {_points(d['points'])} 分{task}。{d['reason']}")

    _paragraph(document, "三、发现的问题" if feedback.is_final else "二、发现的问题", bold=True)
    problems = list(feedback.problems.all())
    if not problems:
        _paragraph(document, "无。")
    for i, p in enumerate(problems, start=1):
        code = f"（{p.task.code}）" if p.task else ""
        _paragraph(document, f"{i}. {p.text}{code}")

    _paragraph(document, plan.organiser.name)
    if feedback.released_at is not None:
        day = to_local_date(feedback.released_at)
        _paragraph(document, f"{day.year}年{day.month}月{day.day}日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
