"""The feedback letter (问题反馈通知) as a .docx in the GB/T 9704 layout of ``core/officialdoc.py``, like the bulletin.

版头 (the organiser in red, a 文号 whose number the office fills in, the red rule), title naming the round, 主送 (the
unit), the body (review procedure), a table of the scores that fits the page (编号 / 工作任务 / 分值 / 得分 / 等次 /
扣分理由, fixed widths: the task name wide, the numbers narrow, the header repeated on every page), the deductions
and problems, 落款 and date, the 印发 line. What it shows is the round's snapshot, not the current scores.
"""

from __future__ import annotations

from typing import Any

from kaohe.core.calendar import to_local_date
from kaohe.core.officialdoc import OfficialDocument, blank_number, chinese_date
from kaohe.reviews.models import Feedback

SCORE_HEADERS = ("编号", "工作任务", "分值", "得分", "等次", "扣分理由")
#: Column widths in proportion (mm of the 156 mm text width): the task name and the reason wide, numbers narrow
#: (12 mm holds a two-character 5号 header inside the cell margins).
SCORE_WEIGHTS = (16, 57, 12, 13, 12, 46)
SCORE_CENTRED = (True, False, True, True, True, False)


def _points(value: object) -> str:
    if value is None or value == "":
        return "—"
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _score_row(row: dict[str, Any]) -> list[str]:
    return [
        str(row["code"]),
        str(row["name"]),
        _points(row.get("points")),
        _points(row.get("score")),
        str(row.get("grade_label") or ""),
        str(row.get("reason") or ""),
    ]


def feedback_letter(feedback: Feedback, *, request_days: int) -> bytes:
    """One released round of a unit as a Word document (the snapshot, not the current scores), naming the round.

    The final 考核情况反馈 lists every score; an in-year 问题反馈 round the scores of the tasks its problems concern.
    """
    plan = feedback.plan
    organiser = plan.organiser.name
    day = to_local_date(feedback.released_at) if feedback.released_at is not None else None
    w = OfficialDocument()
    w.header(organiser, blank_number(plan.doc_number, (day or plan.period_end).year))
    w.title(f"关于{plan.year}年度依法行政考核\n{feedback.round_label or '问题反馈'}的通知")
    w.addressees(f"{feedback.unit.organisation.name}：")
    if feedback.is_final:
        opening = f"现将你单位{plan.year}年度依法行政考核的得分、扣分理由及发现的问题反馈如下（{feedback.round_label}）。"
    else:
        opening = (
            f"现将考核办在{plan.year}年度依法行政考核日常工作中发现你单位的问题及所涉工作任务的得分"
            f"反馈如下（{feedback.round_label}）。"
        )
    w.paragraph(
        opening + f"如有异议，请于收到本通知之日起{request_days}个工作日内，通过督导平台就有异议的事项逐项书面申请复核，"
        "并说明理由；逾期未申请的，视为无异议。"
    )
    if feedback.note:
        w.paragraphs(feedback.note)

    w.heading1("一、得分与扣分理由" if feedback.is_final else "一、所涉工作任务的得分与扣分理由")
    if feedback.scores:
        w.table(SCORE_HEADERS, [_score_row(row) for row in feedback.scores], SCORE_WEIGHTS, centred=SCORE_CENTRED)
    else:
        w.paragraph("无。")

    if feedback.is_final:
        w.heading1("二、减分")
        if not feedback.deductions:
            w.paragraph("无。")
        for i, d in enumerate(feedback.deductions, start=1):
            task = f"（相关工作任务 {d['task']}）" if d.get("task") else ""
            w.paragraph(f"{i}. {d['matter']}：{d['kind']}，减 {_points(d['points'])} 分{task}。{d['reason']}")

    w.heading1("三、发现的问题" if feedback.is_final else "二、发现的问题")
    problems = list(feedback.problems.all())
    if not problems:
        w.paragraph("无。")
    for i, p in enumerate(problems, start=1):
        code = f"（{p.task.code}）" if p.task else ""
        w.paragraph(f"{i}. {p.text}{code}")

    w.signature(organiser, chinese_date(day) if day is not None else "", blank_lines=2)
    if day is not None:
        w.imprint(organiser, day)
    return w.save()
