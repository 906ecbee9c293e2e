"""A snapshot as the results bulletin (考核情况的通报): a .docx in the official document layout (GB/T 9704 habits).

Modelled on the Jiaozuo 2020 bulletin (焦法政办〔2021〕8号, rules.md Part B): red issuing-authority line and
rule, 文号, title, addressees, then 一、考核基本情况 (period, categories, unit counts, score composition),
二、考核结果等次 (per category the grade lists, units in rank order), 三、考核分析评估 (highest and lowest
score rate of the 一级指标, the bottom-N interview list), 四、工作要求, signature, date and the 印发 line.

By default it is a draft for the office to edit: the bulletin's own number is left blank ("〔2026〕  号"). A
release (``ResultRelease``) stores the office's edits (``BulletinTexts``: 文号, title, 主送, opening, 工作要求,
signature and date, 印发 line); blank ones keep the defaults, and at publication the resolved texts are frozen on
the publication. A snapshot whose evaluations are not complete still produces a document, marked
"（结果尚不完整，仅供审核）". Queries: the snapshot's data and inputs, the 一级指标 names.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from kaohe.plans.constants import Level
from kaohe.plans.models import Indicator, Plan
from kaohe.results.loader import ukey
from kaohe.results.models import ResultRelease, ResultSnapshot
from kaohe.results.selectors import TwoYears
from kaohe.scoring.rules import Component

# Fonts (East Asian names; Latin text and digits in Times New Roman).
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"
#: Substitutes named in the font table, for machines without the GB2312/方正 fonts.
ALT_FONTS = {XIAOBIAOSONG: SONGTI, FANGSONG: "仿宋", KAITI: "楷体"}

RED = RGBColor(0xC0, 0x00, 0x00)
RED_HEX = "C00000"
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
IMPRINT_PT = 14  # 4号
LINE_PT = 28  # fixed line spacing of the body (22 lines a page)
TEXT_WIDTH_MM = 210 - 28 - 26

INCOMPLETE_NOTE = "（结果尚不完整，仅供审核）"
ORDINALS = "一二三四五六七八九十"
HUNDRED = Decimal(100)


# --- dates and numbers ---------------------------------------------------------------------------------


def chinese_date(day: dt.date) -> str:
    """2026-11-22 → "2026年11月22日"."""
    return f"{day.year}年{day.month}月{day.day}日"


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
    match = re.match(r"\s*(.*?)\s*[〔\[［(（]\s*\d{4}\s*[〕\]］)）]", plan.doc_number or "")
    if match is None or not match.group(1):
        return "〔 〕号"
    return f"{match.group(1)}〔{year}〕  号"


# --- low-level formatting ------------------------------------------------------------------------------


def _font(run_or_style: Any, east_asia: str, size: float | None = None) -> None:
    run_or_style.font.name = LATIN  # w:ascii and w:hAnsi
    if size is not None:
        run_or_style.font.size = Pt(size)
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), LATIN)


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    font: str = FANGSONG,
    size: float = BODY_PT,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Any:
    run = paragraph.add_run(text)
    _font(run, font, size)
    if bold:
        run.font.bold = True
    if color is not None:
        run.font.color.rgb = color
    return run


def _border(paragraph: Paragraph, edges: Mapping[str, tuple[str, int]]) -> None:
    """Paragraph borders: ``{"bottom": ("C00000", 18)}`` (size in eighths of a point)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "bottom"):  # schema order
        if edge not in edges:
            continue
        color, size = edges[edge]
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), str(size))
        line.set(qn("w:space"), "1")
        line.set(qn("w:color"), color)
        borders.append(line)
    # pBdr goes before shd/tabs/spacing/ind/jc in CT_PPr; python-docx keeps the sequence when inserting.
    ppr.insert_element_before(
        borders,
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )


class Writer:
    """Paragraphs in the house style: body text indented two characters, fixed 28 pt lines."""

    def __init__(self) -> None:
        self.document: Any = Document()
        self._page()
        self._styles()
        self._font_table()

    def _page(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(25)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(footer, "— ", font=SONGTI, size=IMPRINT_PT)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        number = _run(footer, "1", font=SONGTI, size=IMPRINT_PT)
        footer._p.remove(number._r)
        field.append(number._r)
        footer._p.append(field)
        _run(footer, " —", font=SONGTI, size=IMPRINT_PT)

    def _styles(self) -> None:
        # The template's defaults name theme fonts, which would win over the fonts named below: drop them.
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
        if default_rpr is not None:
            for element in default_rpr.iterchildren(qn("w:rFonts"), qn("w:lang")):
                for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                    element.attrib.pop(qn(theme), None)
                if element.tag == qn("w:rFonts"):
                    element.set(qn("w:ascii"), LATIN)
                    element.set(qn("w:hAnsi"), LATIN)
                    element.set(qn("w:eastAsia"), FANGSONG)
                    element.set(qn("w:cs"), LATIN)
                else:
                    element.set(qn("w:eastAsia"), "zh-CN")
        normal = self.document.styles["Normal"]
        _font(normal, FANGSONG, BODY_PT)
        rpr = normal.element.get_or_add_rPr()
        if rpr.find(qn("w:lang")) is None:
            lang = OxmlElement("w:lang")
            lang.set(qn("w:val"), "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")
            rpr.append(lang)
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT)
        fmt.widow_control = True

    def _font_table(self) -> None:
        """Name a common substitute (w:altName) for each GB font, for machines that do not have it."""
        part = self.document.part
        for rel in part.rels.values():
            if rel.reltype != RT.FONT_TABLE:
                continue
            target = rel.target_part
            blob = target.blob.decode("utf-8")
            extra = "".join(
                f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                f'<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
                for name, alt in ALT_FONTS.items()
                if f'w:name="{name}"' not in blob
            )
            if extra and "</w:fonts>" in blob:
                target._blob = blob.replace("</w:fonts>", extra + "</w:fonts>").encode("utf-8")

    def paragraph(
        self,
        text: str = "",
        *,
        font: str = FANGSONG,
        size: float = BODY_PT,
        bold: bool = False,
        color: RGBColor | None = None,
        align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent: bool = True,
    ) -> Paragraph:
        paragraph: Paragraph = self.document.add_paragraph()
        paragraph.alignment = align
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(size * 2)
        if text:
            _run(paragraph, text, font=font, size=size, bold=bold, color=color)
        return paragraph

    def heading1(self, text: str) -> Paragraph:
        return self.paragraph(text, font=HEITI)

    def heading2(self, text: str) -> Paragraph:
        return self.paragraph(text, font=KAITI)

    def blank(self) -> Paragraph:
        return self.paragraph(indent=False)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


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

    def as_json(self) -> dict[str, str | None]:
        values = asdict(self)
        for key in ("date", "imprint_date"):
            values[key] = values[key].isoformat() if values[key] is not None else None
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
        )

    @classmethod
    def of_release(cls, release: ResultRelease) -> BulletinTexts:
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
        )


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
            f"考核期间为{chinese_date(plan.period_start)}至{chinese_date(plan.period_end)}。现将有关情况通报如下："
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


def _header(w: Writer, plan: Plan, number: str) -> None:
    organiser = plan.organiser.name
    banner = f"{organiser}文件"
    width_pt = TEXT_WIDTH_MM / 25.4 * 72
    size = max(22, min(42, int(width_pt / max(len(banner), 1))))  # one line, 初号 at most
    for _ in range(2):
        w.blank()
    head = w.paragraph(banner, font=XIAOBIAOSONG, size=size, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    head.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    head.paragraph_format.space_after = Pt(LINE_PT)
    doc_no = w.paragraph(number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    doc_no.paragraph_format.space_after = Pt(6)
    _border(doc_no, {"bottom": (RED_HEX, 18)})  # the red rule under the 文号
    w.blank()


def _title(w: Writer, text: str, complete: bool) -> None:
    title = w.paragraph(align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    fmt = title.paragraph_format
    fmt.line_spacing = Pt(35)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        run = _run(title, line, font=XIAOBIAOSONG, size=TITLE_PT)
        if index < len(lines) - 1:
            run.add_break()
    if not complete:
        w.paragraph(INCOMPLETE_NOTE, bold=True, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    w.blank()


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
) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Per grade (bands order, then any other grade met), the names in rank order; and the names not yet scored."""
    groups: dict[str, list[str]] = {name: [] for name in band_names}
    unscored: list[str] = []
    for unit_id in meta["ranked"]:
        unit = units[ukey(unit_id)]
        if not unit["scored"] or not unit["grade"]:
            unscored.append(unit["name"])
        else:
            groups.setdefault(unit["grade"], []).append(unit["name"])
    return [(name, names) for name, names in groups.items() if names], unscored


def _analysis(meta: Mapping[str, Any], units: Mapping[str, Any], level1: Mapping[str, str]) -> str:
    finals = [Decimal(units[ukey(u)]["final"]) for u in meta["ranked"] if units[ukey(u)]["scored"] and units[ukey(u)]["final"]]
    parts: list[str] = []
    if finals:
        average = sum(finals, Decimal(0)) / len(finals)
        parts.append(f"已计分的{len(finals)}个考核对象平均得分{average:.2f}分，最高{max(finals):.2f}分，最低{min(finals):.2f}分")
    rates = [
        (Decimal(values[2]), level1.get(key, key))
        for key, values in (meta.get("level1") or {}).items()
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
    return "，".join(parts) + "。"


def _two_years_from_meta(categories: Sequence[Mapping[str, Any]]) -> TwoYears:
    """The draft's view (snapshot only): the engine's list against the organiser's latest snapshot of year − 1."""
    if any(c["meta"].get("excellent_two_years") is None for c in categories) or not categories:
        return TwoYears(False, "没有上一年度的考核结果，无法评定连续两年优秀的单位。", "", [])
    rows = [(c["meta"]["name"], [c["units"][ukey(u)]["name"] for u in c["meta"]["excellent_two_years"]]) for c in categories]
    return TwoYears(True, "", "", rows)


TWO_YEARS_HEADING = "连续两年被评为优秀等次的单位"


def build_bulletin(
    plan: Plan,
    snapshot: ResultSnapshot,
    *,
    today: dt.date | None = None,
    texts: BulletinTexts | None = None,
    two_years: TwoYears | None = None,
) -> bytes:
    """The snapshot's results bulletin as .docx bytes.

    ``texts`` are the office's edits (blank fields keep the defaults, dated today unless ``today`` is given);
    ``two_years`` is the "优秀 two years running" list of a release (else the engine's, from the snapshot).
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

    w = Writer()
    _header(w, plan, words.number)
    _title(w, words.title, complete)
    w.paragraph(words.addressees, indent=False)
    w.paragraph(words.opening)

    w.heading1("一、考核基本情况")
    total = sum(int(c["meta"]["unit_count"]) for c in categories)
    counts = "、".join(f"{c['meta']['name']}（{c['meta']['unit_count']}个）" for c in categories)
    situation = f"本年度考核对象共{total}个，分为{len(categories)}类：{counts}。" if categories else "本年度尚无考核对象。"
    if snapshot.missing_count and snapshot.is_zero_filled:
        situation += f"缺少的{snapshot.missing_count}项评价按0分计（{snapshot.decision_note}）。"
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
            (f"{grade}等次（{len(members)}个）：" + "、".join(members), None) for grade, members in groups
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
        for name, names in listed:
            w.paragraph(f"{name}：" + "、".join(names) + "。")
        if not listed:
            w.paragraph("无。")

    w.heading1("三、考核分析评估")
    for index, category in enumerate(categories):
        meta, units = category["meta"], category["units"]
        w.paragraph(f"（{_ordinal(index)}）{meta['name']}。" + _analysis(meta, units, level1))
    bottoms = [(c["meta"]["name"], [c["units"][ukey(u)]["name"] for u in c["meta"]["bottom"]]) for c in categories]
    bottoms = [(name, names) for name, names in bottoms if names]
    if bottoms:
        w.paragraph(
            f"按照考核实施方案，各类别排名后{bottom_n}名的考核对象由{organiser}约谈："
            if bottom_n
            else f"{organiser}将约谈以下考核对象："
        )
        for name, names in bottoms:
            w.paragraph(f"{name}：" + "、".join(names) + "。")

    w.heading1("四、工作要求")
    for paragraph in words.requirements.splitlines():
        if paragraph.strip():
            w.paragraph(paragraph.strip())

    for _ in range(3):
        w.blank()
    signature = w.paragraph(words.signature, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    signature.paragraph_format.right_indent = Pt(BODY_PT * 2)
    dated = w.paragraph(date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    dated.paragraph_format.right_indent = Pt(BODY_PT * 2)

    for _ in range(2):
        w.blank()
    imprint = w.paragraph(align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    fmt = imprint.paragraph_format
    fmt.left_indent = fmt.right_indent = Pt(IMPRINT_PT)
    fmt.line_spacing = Pt(LINE_PT)
    fmt.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - Pt(IMPRINT_PT), WD_TAB_ALIGNMENT.RIGHT)  # at the right indent
    _run(imprint, f"{words.imprint}\t{chinese_date(words.imprint_date or words.date or day)}印发", size=IMPRINT_PT)
    _border(imprint, {"top": ("000000", 8), "bottom": ("000000", 8)})
    return w.save()
