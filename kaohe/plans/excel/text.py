"""Text helpers shared by the parser and the writer: points, ordinals, dates, numerals."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

MAX_POINTS = Decimal("1000")  # anything at or above is surely a typo (and overflows storage)

_WHITESPACE = re.compile(r"\s+")  # \s covers U+3000 (full-width space) and newlines
_BRACKETED = re.compile(r"[(（][^)）]*[)）]")
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_SPACE_NEAR_CJK = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")

_NUMBER = r"[-－−]?\s*\d+(?:\s*[.．]\s*\d+)?"
# "… 1分", "… 0. 5 分", "（2分）", "(3 分)" at the end of a cell.
# "…两分", "（三分）": points written in Chinese numerals, which the office must rewrite as digits.
_TRAILING_CN_POINTS = re.compile(
    r"\s*[(（]?\s*(?P<num>[零〇一二两三四五六七八九十半]+(?:点[零〇一二三四五六七八九]+)?)\s*分\s*[)）]?\s*$"
)
_TRAILING_POINTS = re.compile(rf"\s*[(（]?\s*(?P<num>{_NUMBER})\s*分\s*[)）]?\s*$")
# Ordinal prefixes: "一、", "十一、", "1.", "1．", "2、", "（一）", "(3)".
_ORDINAL = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]"
    r"|\d+\s*(?:[、]|[.．](?!\d))"
    r"|[(（]\s*(?:[一二三四五六七八九十]+|\d+)\s*[)）])\s*"
)
_DATE_TEXT = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:之前|以前|前)?$"
)

MIN_YEAR = 2000
MAX_YEAR = 2100


def squash(text: str) -> str:
    """Remove every whitespace character (incl. full-width spaces and newlines)."""
    return _WHITESPACE.sub("", text)


def norm_header(text: str) -> str:
    """Header cell text reduced for synonym lookup: "时间\\n要求" → "时间要求", "分值（分）" → "分值"."""
    text = unicodedata.normalize("NFKC", squash(text))
    text = _BRACKETED.sub("", text)
    return text.strip("*:")


def clean_text(text: str) -> str:
    """Free text (task, requirement, materials): unify line ends and strip the outside."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def clean_name(text: str) -> str:
    """Label text (一级/二级 names): join wrapped lines, drop wrap spaces next to CJK characters."""
    text = _SPACE_NEAR_CJK.sub("", text.strip())
    return _WHITESPACE.sub(" ", text)


def format_points(value: Decimal) -> str:
    """2.50 → "2.5", 10 → "10" (never exponent notation)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def tidy_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation."""
    return Decimal(format_points(value))


@dataclass(frozen=True)
class PointsResult:
    value: Decimal | None
    error_code: str = ""
    error_message: str = ""


def check_points(value: Decimal, shown: str) -> PointsResult:
    """Validate a parsed number: finite, not negative, at most 2 decimal places, below 1000."""
    if not value.is_finite():
        return PointsResult(None, "points_unreadable", f"分值无法识别：“{shown}”")
    if value < 0:
        return PointsResult(None, "points_negative", f"分值不能为负数：“{shown}”")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return PointsResult(None, "points_precision", f"分值最多保留两位小数：“{shown}”")
    if value >= MAX_POINTS:
        return PointsResult(None, "points_too_large", f"分值过大：“{shown}”")
    return PointsResult(tidy_decimal(value))


def number_from_text(text: str) -> Decimal | None:
    """Parse "0. 5", "１", "-1" into a Decimal; None when it is not a plain number."""
    text = squash(unicodedata.normalize("NFKC", text)).replace("−", "-")
    if not re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already guarantees a number
        return None


def points_from_cell_text(text: str) -> PointsResult:
    """A points cell holding text: "2", "0.5分", "1 分"; "两分"/"约1" are unreadable."""
    shown = text.strip()
    body = squash(unicodedata.normalize("NFKC", shown))
    if body.endswith("分"):
        body = body[:-1]
    value = number_from_text(body)
    if value is None:
        value = chinese_number(body)
    if value is None:
        return PointsResult(None, "points_unreadable", f"分值无法识别：“{shown}”")
    return check_points(value, shown)


def points_from_number(value: float | int | Decimal) -> PointsResult:
    """A numeric points cell (never through float arithmetic; 15 significant digits like Excel)."""
    text = format(value, ".15g") if isinstance(value, float) else str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return PointsResult(None, "points_unreadable", f"分值无法识别：“{text}”")
    return check_points(number, text)


@dataclass(frozen=True)
class SplitPoints:
    """Text with its trailing "N分" split off."""

    text: str
    points: PointsResult | None  # None when the text carries no trailing points


# Length-preserving: full-width digits and dot to ASCII, so match positions stay valid in the original text.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> Decimal | None:
    """ "五" → 5, "十五" → 15, "二十" → 20, "两" → 2, "半" → 0.5, "一点五" → 1.5; None when not a numeral."""
    text = squash(text)
    if text == "半":
        return Decimal("0.5")
    whole, _, fraction = text.partition("点")
    if not whole or (fraction and not all(ch in _CN_DIGITS for ch in fraction)):
        return None
    if "十" in whole:
        head, _, tail = whole.partition("十")
        if len(head) > 1 or len(tail) > 1 or (head and head not in _CN_DIGITS) or (tail and tail not in _CN_DIGITS):
            return None
        value = (_CN_DIGITS[head] if head else 1) * 10 + (_CN_DIGITS[tail] if tail else 0)
    elif len(whole) == 1 and whole in _CN_DIGITS:
        value = _CN_DIGITS[whole]
    else:
        return None
    digits = "".join(str(_CN_DIGITS[ch]) for ch in fraction)
    return Decimal(f"{value}.{digits}") if digits else Decimal(value)


def split_trailing_points(text: str) -> SplitPoints:
    """ "规范行政权力运行2.5分" → ("规范行政权力运行", 2.5); "(2分)", "0. 5 分", "２分", "（五分）" also work."""
    match = _TRAILING_POINTS.search(text.translate(_FULL_WIDTH_DIGITS))
    if match is None:
        cn = _TRAILING_CN_POINTS.search(text)
        if cn is not None:
            shown = squash(cn.group("num")) + "分"
            value = chinese_number(cn.group("num"))
            if value is None:
                return SplitPoints(
                    text[: cn.start()].strip(),
                    PointsResult(None, "points_unreadable", f"分值无法识别：“{shown}”，请写成阿拉伯数字（如 2分）"),
                )
            return SplitPoints(text[: cn.start()].strip(), check_points(value, shown))
        return SplitPoints(text.strip(), None)
    raw = match.group("num")
    number = number_from_text(raw)
    if number is None:  # pragma: no cover - the regex only matches numbers
        return SplitPoints(text.strip(), None)
    return SplitPoints(text[: match.start()].strip(), check_points(number, squash(raw) + "分"))


_RULE_VERB_BEFORE = re.compile(r"(?:扣|减|加|得|计|给|扣除|最高|最多|不超过|满)\s*$")


def split_stated_points(text: str) -> SplitPoints:
    """Trailing points of free text ("…并公开。2分", "…（1.5分）"), but never a rule's "扣0.5分" or "加1分"."""
    split = split_trailing_points(text)
    if split.points is None:
        return split
    if _RULE_VERB_BEFORE.search(split.text.rstrip("（( ")):
        return SplitPoints(text.strip(), None)
    return split


def strip_ordinal(text: str) -> str:
    """ "一、依法全面履行政府职能" → "依法全面履行政府职能"; "1. 听取…" → "听取…"."""
    return _ORDINAL.sub("", text, count=1)


def parse_date_text(text: str) -> date | None:
    """ "2020-12-31", "2020/12/31", "2020.12.31", "2020年12月31日" → date; otherwise None."""
    match = _DATE_TEXT.match(squash_keep_time(unicodedata.normalize("NFKC", text)))
    if match is None:
        return None
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def squash_keep_time(text: str) -> str:
    """Strip the outside and collapse inner runs of whitespace to one space."""
    return _WHITESPACE.sub(" ", text.strip())


def year_in_range(value: date) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def cell_text(value: object) -> str:
    """Any cell value as display text ("" for empty); numbers without float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 23 → 二十三 (1..99; larger numbers fall back to digits)."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")
