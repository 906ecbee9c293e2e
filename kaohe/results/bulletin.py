"""A snapshot as the results bulletin (考核情况的通报): a .docx in the GB/T 9704 layout of ``core/officialdoc.py``.

Modelled on the Jiaozuo 2020 bulletin (焦法政办〔2021〕8号, rules.md Part B): red issuing-authority line and
rule, 文号, title, addressees, the opening (with the year's figures from the plan: desks, field groups, field
dates), then 一、考核基本情况 (period, categories, unit counts, score composition),
二、考核结果等次 (per category the grade lists, units in rank order), 三、考核分析评估 (highest and lowest
score rate of the 一级指标, the office's own 分析 paragraphs, the bottom-N interview list), 四、工作要求,
signature and date, the 联系人 line, and the 版记 (抄送 from the release's copy recipients, the 印发 line).

By default it is a draft for the office to edit: the bulletin's own number is left blank ("〔2026〕  号"). A
release (``ResultRelease``) stores the office's edits (``BulletinTexts``: 文号, title, 主送, opening, 分析,
工作要求, signature and date, 联系人, 印发 line); blank ones keep the defaults, and at publication the resolved
texts (with the 抄送 list) are frozen on the publication. A snapshot whose evaluations are not complete still
produces a document, marked "（结果尚不完整，仅供审核）".

Rules the text follows (docs/scoring.md §11): the office's written missing-evaluation decision is an internal
record and never printed; units tied at the bottom-N cut are all named, with a sentence saying so; units counted
at 0 without any evaluation (not assessed) are left out of the interview list and named as such; a final below
0 is explained. Queries: the snapshot's data and inputs, the 一级指标 names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone
from docx.shared import RGBColor

from kaohe.core.officialdoc import RED, OfficialDocument, blank_number, chinese_date
from kaohe.inspections.fieldwork.models import FieldGroup
from kaohe.plans.constants import Level
from kaohe.plans.models import AssessorDesk, Indicator, Plan, PlanUnit
from kaohe.results.analysis.problems import problem_sentences
from kaohe.results.loader import ukey
from kaohe.results.models import ResultRelease, ResultSnapshot
from kaohe.results.selectors import TwoYears
from kaohe.results.selectors_analysis import problem_rows
from kaohe.scoring.rules import Component, round_rate

INCOMPLETE_NOTE = "（结果尚不完整，仅供审核）"
ORDINALS = "一二三四五六七八九十"
HUNDRED = Decimal(100)


def _ordinal(index: int) -> str:
    """0 → "一", 10 → "十一", 19 → "二十"."""
    n = index + 1
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else ORDINALS[tens - 1]}十{ORDINALS[ones - 1] if ones else ''}"


def _points(value: str | Decimal) -> str:
    """ "80.00" → "80", "12.50" → "12.5"."""
    number = Decimal(value)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rate(rate: str) -> str:
    return f"{Decimal(rate) * HUNDRED:.2f}%"


def bulletin_number(plan: Plan, year: int) -> str:
    """The bulletin's 文号, number left blank: the prefix of the plan's 文号 (平法政办〔2020〕5号 → 平法政办〔2026〕  号)."""
    return blank_number(plan.doc_number, year)


# --- content -------------------------------------------------------------------------------------------


def _level1_names(plan: Plan) -> dict[str, str]:
    return {str(pk): name for pk, name in Indicator.objects.filter(plan=plan, level=Level.LEVEL1).values_list("pk", "name")}


@dataclass(frozen=True)
class BulletinTexts:
    """The bulletin's editable texts. ``requirements`` holds the 工作要求 paragraphs, one per line."""

    number: str = ""
    title: str = ""  # a line break splits it into lines
    addressees: str = ""
    opening: str = ""
    requirements: str = ""
    signature: str = ""
    date: dt.date | None = None
    imprint: str = ""  # the 印发机关 of the 印发 line
    imprint_date: dt.date | None = None
    contact: str = ""  # the 联系人 line: name and telephone
    analysis: str = ""  # the office's own 分析 paragraphs under 三、考核分析评估, one per line
    copies: tuple[str, ...] = ()  # 抄送: the release's copy recipients (not edited here: the release page adds them)
    problem_lines: tuple[str, ...] = ()  # 问题类型统计 quoted under 三 when the office ticks it (fixed at publication)

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        for key in ("date", "imprint_date"):
            values[key] = values[key].isoformat() if values[key] is not None else None
        values["copies"] = list(self.copies)
        values["problem_lines"] = list(self.problem_lines)
        return values

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> BulletinTexts:
        def text(key: str) -> str:
            return str(value.get(key) or "")

        def day(key: str) -> dt.date | None:
            return dt.date.fromisoformat(value[key]) if value.get(key) else None

        return cls(
            number=text("number"),
            title=text("title"),
            addressees=text("addressees"),
            opening=text("opening"),
            requirements=text("requirements"),
            signature=text("signature"),
            date=day("date"),
            imprint=text("imprint"),
            imprint_date=day("imprint_date"),
            contact=text("contact"),
            analysis=text("analysis"),
            copies=tuple(str(name) for name in value.get("copies") or ()),
            problem_lines=tuple(str(line) for line in value.get("problem_lines") or ()),
        )

    @classmethod
    def of_release(cls, release: ResultRelease) -> BulletinTexts:
        """The release's edits and its copy recipients (one query; two more when it quotes the 问题类型 counts)."""
        copies = tuple(release.copy_recipients.values_list("organisation__name", flat=True))
        lines = tuple(problem_sentences(problem_rows(release.plan))) if release.bulletin_problem_counts else ()
        return cls(
            number=release.bulletin_number,
            title=release.bulletin_title,
            addressees=release.bulletin_addressees,
            opening=release.bulletin_opening,
            requirements=release.bulletin_requirements,
            signature=release.bulletin_signature,
            date=release.bulletin_date,
            imprint=release.bulletin_imprint,
            imprint_date=release.bulletin_imprint_date,
            contact=release.bulletin_contact,
            analysis=release.bulletin_analysis,
            copies=copies,
            problem_lines=lines,
        )


def year_figures(plan: Plan) -> str:
    """The year's figures of the opening (JZ 一: "11个督导主体账号、8个考察组、1月20日至29日"), from the plan.

    The number of 考核主体 desks, of 实地考察组 field groups and the 实地考核 window; a figure the plan does not
    have yet is left out (no desks, no groups, no window: an empty string). Two queries.
    """
    desks = AssessorDesk.objects.filter(plan=plan).count()
    groups = FieldGroup.objects.filter(plan=plan).count()
    parts = []
    if desks:
        parts.append(f"设{desks}个考核主体")
    if groups:
        parts.append(f"组成{groups}个实地考察组")
    if plan.field_start and plan.field_end:
        parts.append(f"于{chinese_date(plan.field_start)}至{chinese_date(plan.field_end)}开展实地考核")
    return f"本年度考核{'，'.join(parts)}。" if parts else ""


def default_texts(plan: Plan, day: dt.date) -> BulletinTexts:
    """What the bulletin says when the office has not edited it."""
    organiser = plan.organiser.name
    cited = f"《{plan.title}》" + (f"（{plan.doc_number}）" if plan.doc_number else "")
    return BulletinTexts(
        number=bulletin_number(plan, day.year),
        title=f"{organiser}\n关于{plan.year}年度依法行政考核情况的通报",
        addressees="各考核对象，各有关单位：",
        opening=(
            f"按照{cited}要求，{organiser}组织开展了{plan.year}年度依法行政考核工作。"
            f"考核期间为{chinese_date(plan.period_start)}至{chinese_date(plan.period_end)}。"
            f"{year_figures(plan)}现将有关情况通报如下："
        ),
        requirements="\n".join(
            (
                "（一）正确看待考核结果。被确定为优秀等次的单位要戒骄戒躁、发扬成绩；其他单位要对标优秀，固强补弱，争创一流。",
                "（二）认真整改存在问题。各考核对象对考核中发现的问题要报单位主要领导审阅，逐项整改，"
                f"并按要求向{organiser}报送整改情况。整改情况将作为下一年度依法行政考核的重要内容。",
            )
        ),
        signature=organiser,
        date=day,
        imprint=organiser,
        imprint_date=day,
    )


def resolve_texts(plan: Plan, edits: BulletinTexts | None, day: dt.date) -> BulletinTexts:
    """The office's edits over the defaults: blank fields keep the default; the 印发 date follows the date."""
    defaults = default_texts(plan, (edits.date if edits and edits.date else None) or day)
    if edits is None:
        return defaults
    chosen = {key: value for key, value in asdict(edits).items() if value not in ("", None)}
    texts = replace(defaults, **chosen)
    if edits.imprint_date is None:
        texts = replace(texts, imprint_date=texts.date)
    return texts


def _composition(policy: Mapping[str, Any], full_scores: set[str]) -> list[str]:
    lines: list[str] = []
    weights = policy.get("weights")
    total = "百分制" if full_scores == {"100"} else "各类别指标表的满分"
    if weights:
        parts = [f"{Component(key).label}{_points(value)}分" for key, value in weights.items() if Decimal(value)]
        lines.append(f"考核实行{total}，其中" + "，".join(parts) + "。")
    else:
        lines.append(f"考核实行{total}，按各类别指标表所列分值计分。")
    pct = policy.get("grade_percentages") or {}
    if pct:
        labels = {"excellent": "优", "good": "良", "fair": "中", "poor": "差"}
        keys = [k for k in labels if k in pct] + [k for k in pct if k not in labels]
        names = "".join(f"“{labels.get(k, k)}”" for k in keys)
        values = "、".join(f"{_points(pct[k])}%" for k in keys)
        lines.append(f"督导平台评价等次{names}分别按该项分值的{values}计分。")
    if policy.get("convert_to_full"):
        lines.append("考核对象因不涉及部分工作任务而适用满分不足的，按满分换算。")
    adjustments = f"加分累计不超过{_points(policy['bonus_cap'])}分" if "bonus_cap" in policy else ""
    if "deduction_min" in policy and "deduction_max" in policy:
        deductions = f"减分每项{_points(policy['deduction_min'])}至{_points(policy['deduction_max'])}分"
        adjustments = f"{adjustments}，{deductions}" if adjustments else deductions
    if adjustments:
        lines.append(f"加减分经审核确认后计入最终得分，{adjustments}。")
    bands = policy.get("bands") or []
    if bands:
        described = []
        for index, band in enumerate(bands):
            if index == len(bands) - 1 and Decimal(band["min"]) == 0:
                described.append(band["name"])
                continue
            text = f"{band['name']}（{_points(band['min'])}分以上"
            if band.get("quota_pct"):
                text += f"，且不超过本类别考核对象的{_points(band['quota_pct'])}%"
            described.append(text + "）")
        lines.append("考核结果按最终得分确定为" + "、".join(described) + f"{len(bands)}个等次。")
    return lines


def _grade_lists(
    meta: Mapping[str, Any], units: Mapping[str, Any], band_names: Sequence[str]
) -> tuple[list[tuple[str, list[str], int]], list[str]]:
    """Per grade (bands order, then any other grade met), the names in rank order and how many of them were not
    assessed (counted at 0 without any evaluation); and the names not yet scored."""
    skipped = _not_assessed(meta)
    groups: dict[str, list[str]] = {name: [] for name in band_names}
    not_assessed: dict[str, int] = {}
    unscored: list[str] = []
    for unit_id in meta["ranked"]:
        unit = units[ukey(unit_id)]
        if not unit["scored"] or not unit["grade"]:
            unscored.append(unit["name"])
        else:
            groups.setdefault(unit["grade"], []).append(unit["name"])
            not_assessed[unit["grade"]] = not_assessed.get(unit["grade"], 0) + (unit_id in skipped)
    return [(name, names, not_assessed.get(name, 0)) for name, names in groups.items() if names], unscored


def _not_assessed(meta: Mapping[str, Any]) -> set[int]:
    """Units counted at 0 without a single evaluation (the engine's ``not_assessed``; absent in older snapshots)."""
    return {int(u) for u in meta.get("not_assessed") or ()}


def _level1_subtotals(meta: Mapping[str, Any], details: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """The category's [earned, possible, rate] per 一级指标: the engine's (over the scored units), or, when some
    units were not assessed, summed again over the assessed units only (their zeros would pull every rate down)."""
    skipped = _not_assessed(meta)
    if not skipped or details is None:
        return dict(meta.get("level1") or {})
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for unit_id in meta["ranked"]:
        detail = details.get(ukey(unit_id))
        if unit_id in skipped or detail is None:
            continue
        for key, values in (detail.get("level1") or {}).items():
            earned, possible = sums.get(key, (Decimal(0), Decimal(0)))
            sums[key] = (earned + Decimal(values[0]), possible + Decimal(values[1]))
    return {
        key: [str(earned), str(possible), str(round_rate(earned / possible)) if possible > 0 else None]
        for key, (earned, possible) in sums.items()
    }


def _analysis(
    meta: Mapping[str, Any], units: Mapping[str, Any], level1: Mapping[str, str], details: Mapping[str, Any] | None = None
) -> str:
    """Average, highest and lowest final of the assessed units, the best and worst 一级指标 score rate among them; a
    final below 0 is explained (deductions beyond the points earned: the plan sets no floor, docs/scoring.md F1)."""
    skipped = _not_assessed(meta)
    counted = [
        units[ukey(u)] for u in meta["ranked"] if units[ukey(u)]["scored"] and units[ukey(u)]["final"] and u not in skipped
    ]
    finals = [Decimal(unit["final"]) for unit in counted]
    if not finals and skipped:
        return f"本类别{len(skipped)}个考核对象均未取得任何评价（按0分计），不作得分分析。"
    parts: list[str] = []
    if finals:
        average = sum(finals, Decimal(0)) / len(finals)
        parts.append(f"已计分的{len(finals)}个考核对象平均得分{average:.2f}分，最高{max(finals):.2f}分，最低{min(finals):.2f}分")
    rates = [
        (Decimal(values[2]), level1.get(key, key))
        for key, values in _level1_subtotals(meta, details).items()
        if values and len(values) > 2 and values[2] is not None
    ]
    if rates:
        rates.sort(key=lambda r: (-r[0], r[1]))
        high, low = rates[0], rates[-1]
        parts.append(f"各一级指标中“{high[1]}”得分率最高，为{_rate(str(high[0]))}")
        if len(rates) > 1:
            parts.append(f"“{low[1]}”得分率最低，为{_rate(str(low[0]))}")
    if not parts:
        return "尚无已计分的考核对象。"
    text = "，".join(parts) + "。"
    below = [unit["name"] for unit in counted if Decimal(unit["final"]) < 0]
    if below:
        text += f"{'、'.join(below)}的最终得分低于0分，系减分超过其考核得分所致（考核实施方案未规定最低分，按实际计算结果列示）。"
    return text


def _interview_lines(meta: Mapping[str, Any], units: Mapping[str, Any], bottom_n: int) -> list[str]:
    """The category's bottom-N (约谈) sentence: the names, lowest first; when units tied at the cut make the list
    longer than N, the tie rule said; the units not assessed (left out of the list) named."""
    name = meta["name"]
    bottom = [units[ukey(u)] for u in meta["bottom"]]
    lines: list[str] = []
    if bottom:
        line = f"{name}：" + "、".join(unit["name"] for unit in bottom) + "。"
        if bottom_n and len(bottom) > bottom_n:
            cut = Decimal(bottom[bottom_n - 1]["final"])
            tied = [unit for unit in bottom if Decimal(unit["final"]) == cut]
            rank = tied[0]["rank"]
            line += f"因得分相同，并列第{rank}名的{len(tied)}个单位一并列入。"
        lines.append(line)
    skipped = [units[ukey(u)]["name"] for u in meta["ranked"] if u in _not_assessed(meta)]
    if skipped:
        lines.append(
            f"{name}中{'、'.join(skipped)}（{len(skipped)}个）本年度未取得任何评价，按0分计但未实际考核，不列入上述名单。"
        )
    return lines


def _two_years_from_meta(categories: Sequence[Mapping[str, Any]]) -> TwoYears:
    """The draft's view (snapshot only): the engine's list against the organiser's latest snapshot of year − 1."""
    if any(c["meta"].get("excellent_two_years") is None for c in categories) or not categories:
        return TwoYears(False, "没有上一年度的考核结果，无法评定连续两年优秀的单位。", "", [])
    rows = [(c["meta"]["name"], [c["units"][ukey(u)]["name"] for u in c["meta"]["excellent_two_years"]]) for c in categories]
    return TwoYears(True, "", "", rows)


TWO_YEARS_HEADING = "连续两年被评为优秀等次的单位"


def unit_leaders(plan: Plan) -> dict[str, str]:
    """Each unit's 主要负责人 for the plan's year, by the unit's name, for the commendation list ("…的单位及主要负责人"):
    "张三，市长"; units without one are left out (the list then names the unit alone). One query."""
    rows = (
        PlanUnit.objects.filter(plan=plan).exclude(leader_name="").values_list("organisation__name", "leader_name", "leader_post")
    )
    return {unit: f"{name}，{post}" if post else name for unit, name, post in rows}


def _with_leader(name: str, leaders: Mapping[str, str]) -> str:
    leader = leaders.get(name)
    return f"{name}（主要负责人：{leader}）" if leader else name


def _contact(text: str) -> str:
    """The 附注 text of the 联系人 line, whether or not the office typed the label."""
    return "联系人：" + re.sub(r"^\s*联系人\s*[:：]?\s*", "", text)


def build_bulletin(
    plan: Plan,
    snapshot: ResultSnapshot,
    *,
    today: dt.date | None = None,
    texts: BulletinTexts | None = None,
    two_years: TwoYears | None = None,
) -> bytes:
    """The snapshot's results bulletin as .docx bytes.

    ``texts`` are the office's edits (blank fields keep the defaults, dated today unless ``today`` is given) with
    the 抄送 list; ``two_years`` is the "优秀 two years running" list of a release (else the engine's, from the
    snapshot). The office's recorded missing-evaluation decision is an internal note: the bulletin says only
    that missing evaluations were counted as 0.
    """
    data, inputs = ResultSnapshot.objects.filter(pk=snapshot.pk).values_list("data", "inputs").get()
    day = today or timezone.localdate()
    words = resolve_texts(plan, texts, day)
    date_text = chinese_date(words.date or day)
    organiser = plan.organiser.name
    policy: Mapping[str, Any] = inputs.get("policy") or {}
    band_names = [b["name"] for b in policy.get("bands") or []]
    bottom_n = int(policy.get("bottom_n") or 0)
    categories = [data["categories"][key] for key in data.get("order", [])]
    complete = bool(snapshot.complete and data.get("complete", False))
    level1 = _level1_names(plan)
    excellent = two_years if two_years is not None else _two_years_from_meta(categories)

    w = OfficialDocument()
    w.header(organiser, words.number)
    w.title(words.title, notes=() if complete else (INCOMPLETE_NOTE,))
    w.addressees(words.addressees)
    w.paragraph(words.opening)

    w.heading1("一、考核基本情况")
    total = sum(int(c["meta"]["unit_count"]) for c in categories)
    counts = "、".join(f"{c['meta']['name']}（{c['meta']['unit_count']}个）" for c in categories)
    situation = f"本年度考核对象共{total}个，分为{len(categories)}类：{counts}。" if categories else "本年度尚无考核对象。"
    if snapshot.missing_count and snapshot.is_zero_filled:
        situation += f"逾期未评价的{snapshot.missing_count}项工作任务按0分计。"
    elif not complete:
        waiting = int(snapshot.unit_count) - int(snapshot.scored_count)
        situation += f"截至本次计算，尚有{waiting}个考核对象缺少{snapshot.missing_count}项评价，暂不计分、不排名。"
    w.paragraph(situation)
    full_scores = {_points(c["meta"]["full_score"]) for c in categories}
    w.paragraph("".join(_composition(policy, full_scores)))

    w.heading1("二、考核结果等次")
    lead = f"经考核汇总、问题反馈，{plan.year}年度依法行政考核结果等次如下："
    w.paragraph(lead + (INCOMPLETE_NOTE if not complete else ""))
    for index, category in enumerate(categories):
        meta, units = category["meta"], category["units"]
        w.heading2(f"（{_ordinal(index)}）{meta['name']}")
        groups, unscored = _grade_lists(meta, units, band_names)
        lines: list[tuple[str, RGBColor | None]] = [
            (
                f"{grade}等次（{len(members)}个"
                + (f"，其中{skipped}个未取得任何评价、按0分计" if skipped else "")
                + "）："
                + "、".join(members),
                None,
            )
            for grade, members, skipped in groups
        ]
        if unscored:
            lines.append((f"尚未计分（{len(unscored)}个，缺少评价）：" + "、".join(unscored), RED))
        for position, (line, color) in enumerate(lines, start=1):
            w.paragraph(f"{position}.{line}", color=color)
    w.heading2(f"（{_ordinal(len(categories))}）{TWO_YEARS_HEADING}")
    if not excellent.available:
        w.paragraph(excellent.note)
    else:
        listed = [(name, names) for name, names in excellent.rows if names]
        leaders = unit_leaders(plan) if listed else {}
        for name, names in listed:
            w.paragraph(f"{name}：" + "、".join(_with_leader(n, leaders) for n in names) + "。")
        if not listed:
            w.paragraph("无。")

    w.heading1("三、考核分析评估")
    for index, category in enumerate(categories):
        meta, units = category["meta"], category["units"]
        w.paragraph(f"（{_ordinal(index)}）{meta['name']}。" + _analysis(meta, units, level1, category.get("details")))
    w.paragraphs(words.analysis)
    if words.problem_lines:
        w.paragraph("考核中发现的问题按类型统计：" + "".join(words.problem_lines))
    interviews = [line for c in categories for line in _interview_lines(c["meta"], c["units"], bottom_n)]
    if any(c["meta"]["bottom"] for c in categories):
        rule = "得分相同的并列列入，未实际考核的单位不列入"
        w.paragraph(
            f"按照考核实施方案，各类别排名后{bottom_n}名的考核对象由{organiser}约谈（{rule}）："
            if bottom_n
            else f"{organiser}将约谈以下考核对象："
        )
        for line in interviews:
            w.paragraph(line)

    w.heading1("四、工作要求")
    w.paragraphs(words.requirements)

    w.signature(words.signature, date_text)
    if words.contact.strip():
        w.note(_contact(words.contact.strip()))
    w.imprint(words.imprint, words.imprint_date or words.date or day, copies=words.copies)
    return w.save()
