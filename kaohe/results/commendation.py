"""The 表彰建议 to the city government (PDS 六 "对连续2年考核优秀的考核对象…提出表彰建议报市政府"), as a .docx.

Built from the published results' "优秀 two years running" list (``ResultPublication.excellent_two_years``, the list
the bulletin prints), with each unit's 主要负责人 of the plan's year (``bulletin.unit_leaders``), in the GB/T 9704
layout of ``core/officialdoc.py``: 版头 and a blank 文号, title, 主送 (the organiser's region's 人民政府), the
reason, a table (序号, 类别, 单位, 主要负责人), 落款 and date, 版记. Queries: the 主要负责人 (one).
"""

from __future__ import annotations

import datetime as dt

from kaohe.core.officialdoc import OfficialDocument, chinese_date
from kaohe.plans.models import Plan
from kaohe.results.bulletin import bulletin_number, unit_leaders
from kaohe.results.selectors import TwoYears

HEADERS = ("序号", "类别", "单位", "主要负责人")


def commendation_title(plan: Plan) -> str:
    return f"{plan.organiser.name}\n关于对{plan.year}年度依法行政考核连续两年优秀单位予以表彰的建议"


def build_commendation(plan: Plan, two_years: TwoYears, day: dt.date) -> bytes:
    """The 表彰建议 of ``two_years`` (a published list, with at least one unit) dated ``day``, as .docx bytes."""
    organiser = plan.organiser.name
    leaders = unit_leaders(plan)
    cited = f"《{plan.title}》" + (f"（{plan.doc_number}）" if plan.doc_number else "")
    w = OfficialDocument()
    w.header(organiser, bulletin_number(plan, day.year))
    w.title(commendation_title(plan))
    w.addressees(f"{plan.organiser.region.name}人民政府：")
    previous = f"与{two_years.previous}的结果比对，" if two_years.previous else ""
    w.paragraph(
        f"根据{cited}“对连续2年考核优秀的考核对象，提出表彰建议报市政府”的规定，{previous}"
        f"下列{two_years.count}个单位在{plan.year - 1}年度、{plan.year}年度依法行政考核中连续两年被评为优秀等次。"
        "建议对上述单位予以通报表彰。"
    )
    rows: list[tuple[str, str, str, str]] = []
    for category, names in two_years.rows:
        for name in names:
            leader = leaders.get(name, "")
            rows.append((str(len(rows) + 1), category, name, leader))
    w.table(HEADERS, rows, (0.6, 1.4, 3.0, 2.0), centred=(True, False, False, False))
    w.paragraph("妥否，请批示。")
    w.signature(organiser, chinese_date(day))
    w.imprint(organiser, day)
    return w.save()
