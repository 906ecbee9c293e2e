"""Facts of an official document (公文) read from its text: 文号, 成文日期, issuing organ — and the checks against a
plan's period and a unit's name that turn them into hints. Pure Python, no Django.

文号: an organ's prefix, the year in brackets, a number and 号 — 平政〔2020〕21号, with the variants units type:
[2020], (2020), （2020）, 【2020】, ［２０２０］, full-width digits, 第21号. 成文日期: 二〇二〇年三月五日 (the official
form) or 2020年3月5日; the last date of the text is taken (the 落款 comes last). Issuing organ: the line before the
文号 (its 版头, "…文件" dropped) or, failing that, the line before the 成文日期 (the 落款).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "O": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}

_NUMBER = r"([\u4e00-\u9fff]{1,10})\s*[〔\[(【{]\s*((?:19|20)\d{2})\s*[〕\])】}]\s*第?\s*\(?\s*(\d{1,5})\s*\)?\s*号"
DOC_NUMBER = re.compile(_NUMBER)
OWN_LINE_NUMBER = re.compile(r"^[ \t]*" + _NUMBER + r"[ \t]*$", re.MULTILINE)
ARABIC_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CHINESE_DATE = re.compile(
    r"([〇零○OＯ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
ORGAN_SUFFIX = re.compile(
    r"(人民政府|政府|办公室|委员会|局|厅|委|院|部|办|所|中心|处|司|站|队|会|街道办事处|街道|镇|乡|法院|检察院)$"
)
_LINE_MAX = 40  # an organ line is short


@dataclass(frozen=True)
class Facts:
    doc_number: str = ""  # normalised: 平政〔2020〕21号
    doc_number_year: int | None = None
    doc_date: dt.date | None = None
    organ: str = ""


def normalise(text: str) -> str:
    """Full-width digits, letters and brackets to their ASCII forms (〔〕 are kept: NFKC leaves them)."""
    return unicodedata.normalize("NFKC", text)


def _chinese_number(value: str) -> int | None:
    """一..三十一 as used in dates."""
    if value == "十":
        return 10
    if "十" in value:
        tens, _, ones = value.partition("十")
        return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(value) if len(value) == 1 else None


def _date(year: int, month: int | None, day: int | None) -> dt.date | None:
    if month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _dates(text: str) -> list[tuple[int, dt.date]]:
    found: list[tuple[int, dt.date]] = []
    for match in ARABIC_DATE.finditer(text):
        if day := _date(int(match[1]), int(match[2]), int(match[3])):
            found.append((match.start(), day))
    for match in CHINESE_DATE.finditer(text):
        year = int("".join(str(_CN_DIGITS[c]) for c in match[1]))
        if day := _date(year, _chinese_number(match[2]), _chinese_number(match[3])):
            found.append((match.start(), day))
    return sorted(found)


def _organ_line(line: str) -> str:
    line = re.sub(r"\s+", "", line)
    line = re.sub(r"^[^\u4e00-\u9fff]+", "", line)  # list marks, markdown "#", stray symbols before the name
    line = re.sub(r"文件$", "", line)
    if 2 <= len(line) <= _LINE_MAX and ORGAN_SUFFIX.search(line):
        return line
    return ""


def _line_before(text: str, position: int) -> str:
    """The organ on the last non-blank line before ``position`` (or earlier on the same line), or ""."""
    head = text[:position]
    same_line = head.rsplit("\n", 1)[-1].strip()
    if organ := _organ_line(same_line):
        return organ
    for line in reversed(head.split("\n")[:-1][-3:]):
        if line.strip():
            return _organ_line(line)
    return ""


def read_facts(text: str) -> Facts:
    """The document's 文号, 成文日期 and issuing organ, as far as its text tells them."""
    text = normalise(text)
    # the document's own 文号 stands on a line of its own under the 版头; others are cited in the body
    number = OWN_LINE_NUMBER.search(text[:3000]) or DOC_NUMBER.search(text)
    dates = _dates(text)
    organ = ""
    if number:
        organ = _line_before(text, number.start())
    if not organ and dates:
        organ = _line_before(text, dates[-1][0])
    return Facts(
        doc_number=f"{number[1]}〔{number[2]}〕{int(number[3])}号" if number else "",
        doc_number_year=int(number[2]) if number else None,
        doc_date=dates[-1][1] if dates else None,
        organ=organ,
    )


def outside_period(facts: Facts, start: dt.date, end: dt.date, latest: dt.date) -> str:
    """Why the document's date lies outside the plan's period, or "".

    Before the period starts is flagged; after it ends only past ``latest`` (the submission deadline, at least
    90 days after the period: annual summaries are written after the year closes). Without a date the 文号's year is checked.
    """
    if facts.doc_date is not None:
        if facts.doc_date < start:
            return f"成文日期为{facts.doc_date.year}年{facts.doc_date.month}月{facts.doc_date.day}日，早于考核期间（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）"
        if facts.doc_date > latest:
            return f"成文日期为{facts.doc_date.year}年{facts.doc_date.month}月{facts.doc_date.day}日，晚于考核期间（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）及其后的报送时间"
        return ""
    if facts.doc_number_year is not None and not start.year <= facts.doc_number_year <= latest.year:
        return f"文号 {facts.doc_number} 的年份为{facts.doc_number_year}年，不在考核年度内"
    return ""


def _core(name: str) -> str:
    """An organ's name without the usual suffixes, for a loose comparison (平顶山市司法局 → 平顶山市司法)."""
    return re.sub(r"(人民政府|办公室|委员会|文件)$", "", re.sub(r"\s+", "", name))


def other_organ(facts: Facts, names: list[str]) -> str:
    """Why the issuing organ is not the unit (one of ``names``: full name, short name), or ""."""
    if not facts.organ:
        return ""
    organ = facts.organ
    for name in filter(None, (re.sub(r"\s+", "", n) for n in names)):
        if name in organ or organ in name or _core(name) in organ or (_core(organ) and _core(organ) in name):
            return ""
    return f"文件的发文机关为“{organ}”，与本单位名称不一致，请核对是否为本单位材料"
