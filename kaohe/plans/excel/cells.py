"""Interpretation of single indicator cells: 考核方式, 分值, 时间要求, 一级/二级 labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl.utils.datetime import from_excel

from kaohe.plans.constants import Adjustment, Method

from .text import (
    PointsResult,
    cell_text,
    clean_name,
    clean_text,
    parse_date_text,
    points_from_cell_text,
    points_from_number,
    split_trailing_points,
    squash,
    strip_ordinal,
    year_in_range,
)

METHOD_PREFIXES: tuple[tuple[str, Method], ...] = (
    ("报送资料", Method.SUBMISSION),
    ("报送材料", Method.SUBMISSION),
    ("日常掌握", Method.DAILY),
    ("日常考核", Method.DAILY),
    ("实地考核", Method.FIELD),
    ("实地考察", Method.FIELD),
    ("集中评查", Method.CASE_REVIEW),
    ("集中评审", Method.CASE_REVIEW),
    ("其他", Method.OTHER),
    ("其它", Method.OTHER),
)

_PREFIX_PATTERNS = tuple(
    (re.compile(r"^\s*" + r"\s*".join(prefix) + r"\s*[:：]?\s*"), method) for prefix, method in METHOD_PREFIXES
)


@dataclass(frozen=True)
class MethodCell:
    method: str
    materials: str
    points: PointsResult | None  # trailing "N分" of the cell, if any
    recognised: bool


def parse_method(text: str) -> MethodCell:
    """ "报送资料:证明事项清理报告 1分" → (SUBMISSION, "证明事项清理报告", 1)."""
    for pattern, method in _PREFIX_PATTERNS:
        match = pattern.match(text)
        if match is not None:
            split = split_trailing_points(text[match.end() :])
            return MethodCell(method.value, clean_text(split.text), split.points, True)
    split = split_trailing_points(text)
    return MethodCell(Method.OTHER.value, clean_text(split.text), split.points, False)


def parse_points_cell(value: Any) -> PointsResult | None:
    """A value of the 分值 column; None when the cell is empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return PointsResult(None, "points_unreadable", f"分值无法识别：“{cell_text(value)}”")
    if isinstance(value, (int, float, Decimal)):
        return points_from_number(value)
    text = cell_text(value)
    if isinstance(value, str) and text:
        return points_from_cell_text(text)
    return PointsResult(None, "points_unreadable", f"分值无法识别：“{text}”")


@dataclass(frozen=True)
class DeadlineResult:
    value: date | None
    error: str = ""  # Chinese message when invalid


def parse_deadline(value: Any) -> DeadlineResult:
    """Date cells, ISO/slash/dot/年月日 text; numbers are Excel serial dates."""
    if value is None:
        return DeadlineResult(None)
    parsed: date | None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        parsed = _serial_date(value)
    elif isinstance(value, str):
        parsed = parse_date_text(value)
    else:
        parsed = None
    if parsed is None:
        return DeadlineResult(None, f"时间要求不是有效日期：“{cell_text(value)}”")
    if not year_in_range(parsed):
        return DeadlineResult(None, f"时间要求不是有效日期：{parsed.isoformat()}")
    return DeadlineResult(parsed)


def _serial_date(value: float) -> date | None:
    try:
        converted = from_excel(value)
    except (ValueError, OverflowError, TypeError):
        return None
    if isinstance(converted, datetime):
        return converted.date()
    return converted if isinstance(converted, date) else None


@dataclass(frozen=True)
class LevelLabel:
    name: str
    points: PointsResult | None


def parse_level_label(text: str) -> LevelLabel:
    """ "一、依法全面履行政府职能13分" → ("依法全面履行政府职能", 13); "1. 听取…(2分)" too."""
    split = split_trailing_points(clean_name(text))
    return LevelLabel(clean_name(strip_ordinal(split.text)), split.points)


def is_adjustment_level2(name: str) -> bool:
    """The 二级 "加减分项" (also "加分扣分项", "加分和减分项" …)."""
    text = squash(name)
    return "加减分" in text or ("加分" in text and ("扣分" in text or "减分" in text))


def adjustment_of(task_name: str) -> str:
    text = squash(task_name)
    if "加分" in text:
        return Adjustment.BONUS.value
    if "扣分" in text or "减分" in text:
        return Adjustment.DEDUCTION.value
    return Adjustment.NONE.value


def counts_next_year(task_name: str, requirement: str) -> bool:
    return "明年考核" in squash(task_name) or "明年考核" in squash(requirement)


def normalise_desk(value: Any) -> str:
    return squash(cell_text(value))


def free_text(value: Any) -> str:
    return clean_text(cell_text(value))
