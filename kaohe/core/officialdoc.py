"""Official documents (公文) as .docx in the GB/T 9704-2012 layout: the bulletin and the feedback letters use it.

What it lays out, top to bottom: the 版头 (issuing authority in red 方正小标宋, the 文号, the red rule), the title
(2号小标宋, centred), 主送, the body (3号仿宋_GB2312, fixed 28 pt lines: 22 lines of 28 characters on A4 with
margins 37/35/28/26 mm), tables that fit the text width (fixed layout, header row repeated on every page), the
落款 and 成文日期, the 附注 (联系人), and the 版记 (抄送, then 印发机关 and 印发日期 between rules). Page numbers
("— 1 —", 4号宋体) sit in the footer.

Nothing here knows about plans or results: callers pass texts. Fonts are named as offices have them (方正小标宋简体,
仿宋_GB2312, 楷体_GB2312, 黑体) with common substitutes in the font table for machines without them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

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
TABLE_PT = 10.5  # 5号
LINE_PT = 28  # fixed line spacing of the body (22 lines a page)
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297  # A4
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]
THICK_RULE = 8  # eighths of a point: 1 pt ≈ 0.35 mm, the first and last rule of the 版记
THIN_RULE = 6  # ≈ 0.25 mm, the rules between


def chinese_date(day: dt.date) -> str:
    """2026-11-22 → "2026年11月22日"."""
    return f"{day.year}年{day.month}月{day.day}日"


def blank_number(doc_number: str, year: int) -> str:
    """A 文号 with its number left blank, from the prefix of another: 平法政办〔2020〕5号 → 平法政办〔2026〕  号."""
    match = re.match(r"\s*(.*?)\s*[〔\[［(（]\s*\d{4}\s*[〕\]］)）]", doc_number or "")
    if match is None or not match.group(1):
        return "〔 〕号"
    return f"{match.group(1)}〔{year}〕  号"


# --- low-level formatting ------------------------------------------------------------------------------


def set_font(run_or_style: Any, east_asia: str, size: float | None = None) -> None:
    run_or_style.font.name = LATIN  # w:ascii and w:hAnsi
    if size is not None:
        run_or_style.font.size = Pt(size)
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), LATIN)


def add_run(
    paragraph: Paragraph,
    text: str,
    *,
    font: str = FANGSONG,
    size: float = BODY_PT,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Any:
    run = paragraph.add_run(text)
    set_font(run, font, size)
    if bold:
        run.font.bold = True
    if color is not None:
        run.font.color.rgb = color
    return run


#: The children of w:pPr that come after w:pBdr (CT_PPr sequence).
_AFTER_PBDR = (
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


def set_border(paragraph: Paragraph, edges: Mapping[str, tuple[str, int]]) -> None:
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
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def column_widths(weights: Sequence[float], total_mm: float = TEXT_WIDTH_MM) -> list[Emu]:
    """Widths proportional to ``weights`` that add up to ``total_mm`` exactly (in twips, as Word stores them)."""
    total_twips = round(total_mm / 25.4 * 1440)
    scale = sum(weights)
    twips = [int(total_twips * weight / scale) for weight in weights]
    twips[-1] += total_twips - sum(twips)  # the rounding remainder goes to the last column
    return [Emu(t * 635) for t in twips]


# --- the writer ----------------------------------------------------------------------------------------


class OfficialDocument:
    """A 公文 being written: A4, GB/T 9704 margins, page numbers, house styles; paragraphs and parts in order."""

    def __init__(self) -> None:
        self.document: Any = Document()
        self._page()
        self._styles()
        self._font_table()

    def _page(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.header_distance, section.footer_distance = Mm(15), Mm(25)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(footer, "— ", font=SONGTI, size=IMPRINT_PT)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        number = add_run(footer, "1", font=SONGTI, size=IMPRINT_PT)
        footer._p.remove(number._r)
        field.append(number._r)
        footer._p.append(field)
        add_run(footer, " —", font=SONGTI, size=IMPRINT_PT)

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
        set_font(normal, FANGSONG, BODY_PT)
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

    # --- paragraphs ---

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
            add_run(paragraph, text, font=font, size=size, bold=bold, color=color)
        return paragraph

    def heading1(self, text: str) -> Paragraph:
        return self.paragraph(text, font=HEITI)

    def heading2(self, text: str) -> Paragraph:
        return self.paragraph(text, font=KAITI)

    def blank(self) -> Paragraph:
        return self.paragraph(indent=False)

    def paragraphs(self, text: str) -> None:
        """One body paragraph per non-blank line of ``text``."""
        for line in text.splitlines():
            if line.strip():
                self.paragraph(line.strip())

    # --- the parts of a 公文 ---

    def header(self, authority: str, number: str) -> None:
        """版头: "<authority>文件" in red on one line, the 文号 centred, the red rule under it."""
        banner = f"{authority}文件"
        width_pt = TEXT_WIDTH_MM / 25.4 * 72
        size = max(22, min(42, int(width_pt / max(len(banner), 1))))  # one line, 初号 at most
        for _ in range(2):
            self.blank()
        head = self.paragraph(banner, font=XIAOBIAOSONG, size=size, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        head.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        head.paragraph_format.space_after = Pt(LINE_PT)
        doc_no = self.paragraph(number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        doc_no.paragraph_format.space_after = Pt(6)
        set_border(doc_no, {"bottom": (RED_HEX, 18)})  # the red rule under the 文号
        self.blank()

    def title(self, text: str, *, notes: Sequence[str] = ()) -> None:
        """The title in 2号小标宋 (a line break in ``text`` splits it), then any red notes, each on its own line."""
        title = self.paragraph(align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        title.paragraph_format.line_spacing = Pt(35)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            run = add_run(title, line, font=XIAOBIAOSONG, size=TITLE_PT)
            if index < len(lines) - 1:
                run.add_break()
        for note in notes:
            self.paragraph(note, bold=True, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        self.blank()

    def addressees(self, text: str) -> Paragraph:
        """主送: flush left."""
        return self.paragraph(text, indent=False)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        weights: Sequence[float],
        *,
        centred: Sequence[bool] = (),
    ) -> Table:
        """A grid table exactly as wide as the text: fixed layout, column widths in proportion to ``weights``,
        5号仿宋 on single lines, the header row in 黑体 and repeated at the top of every page."""
        widths = column_widths(weights)
        table: Table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False  # w:tblLayout fixed
        tbl_pr = table._tbl.tblPr
        width = tbl_pr.find(qn("w:tblW"))
        if width is None:
            width = OxmlElement("w:tblW")
            tbl_pr.append(width)
        width.set(qn("w:type"), "dxa")
        width.set(qn("w:w"), str(sum(w.twips for w in widths)))
        for column, column_width in zip(table.columns, widths, strict=True):
            column.width = column_width  # w:gridCol (LibreOffice reads these)
        header_row = table.rows[0]
        tr_pr = header_row._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        self._fill(header_row.cells, headers, widths, [True] * len(headers), font=HEITI)
        centre = list(centred) + [False] * (len(headers) - len(centred))
        for values in rows:
            self._fill(table.add_row().cells, values, widths, centre, font=FANGSONG)  # type: ignore[no-untyped-call]
        return table

    def _fill(
        self, cells: Sequence[Any], values: Sequence[str], widths: Sequence[Emu], centre: Sequence[bool], *, font: str
    ) -> None:
        for cell, value, cell_width, centred in zip(cells, values, widths, centre, strict=True):
            cell.width = cell_width  # w:tcW (Word reads these)
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
            fmt = paragraph.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.first_line_indent = None
            if value:
                add_run(paragraph, str(value), font=font, size=TABLE_PT)

    def signature(self, signature: str, date_text: str, *, blank_lines: int = 3) -> None:
        """落款 and 成文日期, right-aligned two characters in from the right margin."""
        for _ in range(blank_lines):
            self.blank()
        for text in (signature, date_text):
            line = self.paragraph(text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
            line.paragraph_format.right_indent = Pt(BODY_PT * 2)

    def note(self, text: str) -> Paragraph:
        """附注 under the date (e.g. the 联系人 line), indented two characters, in parentheses."""
        return self.paragraph(f"（{text}）")

    def imprint(self, authority: str, day: dt.date, *, copies: Sequence[str] = ()) -> None:
        """版记: "抄送：…。" when there are copy recipients, then the 印发机关 and 印发日期 line, between rules
        (thick first and last, thin between). The 印发 line is the document's last paragraph."""
        for _ in range(2):
            self.blank()
        lines: list[Paragraph] = []
        if copies:
            copy_line = self.paragraph(align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
            add_run(copy_line, "抄送：" + "，".join(copies) + "。", size=IMPRINT_PT)
            lines.append(copy_line)
        printed = self.paragraph(align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
        printed.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - Pt(IMPRINT_PT), WD_TAB_ALIGNMENT.RIGHT)
        add_run(printed, f"{authority}\t{chinese_date(day)}印发", size=IMPRINT_PT)
        lines.append(printed)
        for index, line in enumerate(lines):
            fmt = line.paragraph_format
            fmt.left_indent = fmt.right_indent = Pt(IMPRINT_PT)  # one character in on both sides
            top = THICK_RULE if index == 0 else THIN_RULE
            edges = {"top": ("000000", top)}
            if index == len(lines) - 1:
                edges["bottom"] = ("000000", THICK_RULE)
            set_border(line, edges)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()
