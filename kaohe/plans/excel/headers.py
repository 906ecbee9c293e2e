"""Header-row detection by column-name synonyms."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .text import cell_text, norm_header
from .workbook import Grid

HEADER_SCAN_ROWS = 20

# logical field -> accepted header texts (after norm_header)
INDICATOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标", "一级"),
    "level2": ("二级指标", "二级"),
    "task": ("工作任务", "考核内容", "考核项目", "任务"),
    "method": ("考核方式", "考核方法"),
    "points": ("分值", "分数"),
    "deadline": ("时间要求", "完成时限", "时限", "截止时间"),
    "requirement": ("工作要求", "考核要求", "评分标准"),
    "assessor": ("责任主体", "责任单位", "考核主体"),
    "materials": ("报送资料", "报送材料"),
}

INDICATOR_LABELS: dict[str, str] = {
    "level1": "一级指标",
    "level2": "二级指标",
    "task": "工作任务",
    "method": "考核方式",
    "points": "分值",
    "deadline": "时间要求",
    "requirement": "工作要求",
    "assessor": "责任主体",
    "materials": "报送资料",
}

UNIT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "单位", "名称", "考核对象", "考核对象名称"),
    "category": ("类别", "考核对象类别", "分类", "单位类别"),
    "sort_key": ("排序", "排序码", "排序号"),
    "contact": ("联系人", "姓名"),
    "account": ("督导平台登录账号", "登录账号", "账号", "平台账号", "督导平台账号"),
}

ASSESSOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "seq": ("序号",),
    "name": ("单位", "考核主体", "单位名称"),
    "contact": ("联系人",),
    "phone": ("联系电话", "电话", "手机", "手机号码"),
    "address": ("联系地址", "地址", "办公地址"),
    "account": ("督导平台登录账号", "登录账号", "账号", "平台账号", "督导平台账号"),
}


@dataclass
class Header:
    row: int  # last header row; data starts below it
    columns: dict[str, int]  # logical field -> 1-based column
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (field, column) ignored


def _lookup(synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {norm_header(text): name for name, texts in synonyms.items() for text in texts}


def is_header_text(text: str, synonyms: Mapping[str, tuple[str, ...]], name: str) -> bool:
    return norm_header(text) in synonyms.get(name, ())


def _row_mapping(grid: Grid, row: int, lookup: Mapping[str, str]) -> Header:
    header = Header(row=row, columns={})
    for column in range(1, grid.max_column + 1):
        name = lookup.get(norm_header(cell_text(grid.get(row, column))))
        if name is None:
            continue
        if name in header.columns:
            if header.columns[name] != column:
                header.duplicates.append((name, column))
            continue
        header.columns[name] = column
    return header


def find_header(
    grid: Grid,
    synonyms: Mapping[str, tuple[str, ...]],
    is_valid: Callable[[set[str]], bool],
) -> tuple[Header | None, Header | None]:
    """Return (header, best partial match). The header is the valid row with most matches."""
    lookup = _lookup(synonyms)
    best: Header | None = None
    partial: Header | None = None
    for row in range(1, min(HEADER_SCAN_ROWS, grid.max_row) + 1):
        mapping = _row_mapping(grid, row, lookup)
        if partial is None or len(mapping.columns) > len(partial.columns):
            partial = mapping
        if not is_valid(set(mapping.columns)):
            continue
        if best is None or len(mapping.columns) > len(best.columns):
            best = mapping
    if best is not None:
        _extend(grid, best, lookup)
    return best, partial


def _extend(grid: Grid, header: Header, lookup: Mapping[str, str]) -> None:
    """Swallow header continuation rows: a vertically merged repeat, or "一级" / "指标" splits."""
    while header.row < grid.max_row:
        below = header.row + 1
        same = _row_mapping(grid, below, lookup)
        if same.columns == header.columns:
            header.row = below
            continue
        added = _continuation(grid, header, below, lookup)
        if added is None:
            return
        header.columns.update(added)
        header.row = below


def _continuation(grid: Grid, header: Header, row: int, lookup: Mapping[str, str]) -> dict[str, int] | None:
    added: dict[str, int] = {}
    seen_any = False
    for column in range(1, grid.max_column + 1):
        text = cell_text(grid.get(row, column))
        if not text:
            continue
        seen_any = True
        above = cell_text(grid.get(header.row, column))
        if norm_header(text) == norm_header(above) and above:
            continue
        name = lookup.get(norm_header(above + text))
        if name is None:
            return None
        if name not in header.columns:
            added[name] = column
    return added if seen_any else None


def missing_labels(required: list[tuple[str, ...]], found: set[str], labels: Mapping[str, str]) -> str:
    """ "“工作任务”“考核方式”或“分值”" for the required groups (any-of) not found."""
    parts = []
    for group in required:
        if not found.intersection(group):
            parts.append("或".join(f"“{labels[name]}”" for name in group))
    return "".join(parts)


_ANNEX = re.compile(r"^附件\s*\d+$")


def title_above(grid: Grid, header_row: int) -> str:
    """The first text above the header that is not an "附件3" label."""
    for row in range(1, header_row):
        for column in range(1, grid.max_column + 1):
            text = cell_text(grid.get(row, column))
            if text and not _ANNEX.match(text):
                return text
    return ""
