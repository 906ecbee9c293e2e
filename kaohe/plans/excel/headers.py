"""Header-row detection by column-name synonyms."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .cells import parse_deadline, parse_method, parse_points_cell
from .text import cell_text, norm_header
from .workbook import Grid, column_letter

HEADER_SCAN_ROWS = 20

# logical field -> accepted header texts (after norm_header). Tables of other offices name the same
# columns differently (考核项目 / 考核内容 / 评分标准 / 标准分 …); "note" and "seq" columns are read and ignored.
INDICATOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标", "一级", "一级指标名称", "考核类别", "指标类别", "考核板块", "评价指标"),
    "level2": ("二级指标", "二级", "二级指标名称", "考核子项", "子项目"),
    "task": (
        "工作任务",
        "考核内容",
        "任务",
        "三级指标",
        "考核要点",
        "指标内容",
        "具体内容",
        "评价内容",
        "工作内容",
        "主要任务",
        "考核事项",
    ),
    "method": ("考核方式", "考核方法"),
    "points": ("分值", "分数", "标准分", "满分", "基础分", "分值分", "标准分值", "赋分"),
    "deadline": ("时间要求", "完成时限", "时限", "截止时间", "完成时间"),
    "requirement": (
        "工作要求",
        "考核要求",
        "评分标准",
        "考核标准",
        "扣分标准",
        "评分细则",
        "评分办法",
        "评分方法",
        "计分方法",
        "考核细则",
        "评分说明",
        "评分依据",
    ),
    "assessor": ("责任主体", "责任单位", "考核主体", "牵头单位", "考核单位"),
    "materials": ("报送资料", "报送材料", "佐证材料", "考核资料"),
    # 事件触发报送: the event whose evidence is due within 5 working days (出庭应诉, 履行复议决定)
    "event": ("触发事件", "事件触发报送", "报送触发事件"),
    "note": ("备注", "说明"),
    "seq": ("序号", "编号"),
}

# Header texts that name 一级指标 when the table has a separate task column, else the task itself.
AMBIGUOUS_HEADERS: dict[str, tuple[str, ...]] = {
    "考核项目": ("task", "level1"),
    "考核指标": ("task", "level1"),
    "项目": ("task", "level1"),
    "指标": ("task", "level1"),
    "考核内容及标准": ("task", "requirement"),
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
    "event": "触发事件（事件触发报送）",
    "note": "备注（不导入）",
    "seq": "序号（不导入）",
}

# Roles the office may give a column on the preview ("" = not imported).
COLUMN_ROLES: tuple[str, ...] = (
    "level1",
    "level2",
    "task",
    "method",
    "points",
    "deadline",
    "requirement",
    "assessor",
    "materials",
    "event",
)

# An optional column naming the unit's region path ("平顶山市/舞钢市"), for a plan reaching below its own region.
REGION_HEADERS = ("所属区划", "区划", "区划路径", "路径", "所属地区", "行政区划")

UNIT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "单位", "名称", "考核对象", "考核对象名称"),
    "category": ("类别", "考核对象类别", "分类", "单位类别"),
    "sort_key": ("排序", "排序码", "排序号"),
    "contact": ("联系人", "姓名"),
    "account": ("督导平台登录账号", "登录账号", "账号", "平台账号", "督导平台账号"),
    "region": REGION_HEADERS,
}

ASSESSOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "seq": ("序号",),
    "name": ("单位", "考核主体", "单位名称"),
    "contact": ("联系人",),
    "phone": ("联系电话", "电话", "手机", "手机号码"),
    "address": ("联系地址", "地址", "办公地址"),
    "account": ("督导平台登录账号", "登录账号", "账号", "平台账号", "督导平台账号"),
    "region": REGION_HEADERS,
}


@dataclass
class Header:
    row: int  # last header row; data starts below it
    columns: dict[str, int]  # logical field -> 1-based column
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (field, column) ignored
    how: dict[int, str] = field(default_factory=dict)  # column -> "name" | "content" | "override"


def _lookup(synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {norm_header(text): name for name, texts in synonyms.items() for text in texts}


def is_header_text(text: str, synonyms: Mapping[str, tuple[str, ...]], name: str) -> bool:
    return norm_header(text) in synonyms.get(name, ())


def _row_mapping(grid: Grid, row: int, lookup: Mapping[str, str], ambiguous: bool = False) -> Header:
    header = Header(row=row, columns={})
    pending: list[tuple[int, tuple[str, ...]]] = []
    for column in range(1, grid.max_column + 1):
        text = norm_header(cell_text(grid.get(row, column)))
        name = lookup.get(text)
        if name is None:
            if ambiguous and text in AMBIGUOUS_HEADERS:
                pending.append((column, AMBIGUOUS_HEADERS[text]))
            continue
        if name in header.columns:
            if header.columns[name] != column:
                header.duplicates.append((name, column))
            continue
        header.columns[name] = column
        header.how[column] = "name"
    levels = [column for column, choices in pending if "level1" in choices]
    if len(levels) >= 2 and "task" not in header.columns and "level1" not in header.columns:
        # 考核项目 | 考核指标: the left one groups the right one
        header.columns["level1"] = levels[0]
        header.how[levels[0]] = "name"
    for column, choices in pending:  # e.g. 考核项目: the task, unless a 考核内容 column holds the tasks
        free = [name for name in choices if name not in header.columns]
        if free and column not in header.how:
            header.columns[free[0]] = column
            header.how[column] = "name"
    return header


def find_header(
    grid: Grid,
    synonyms: Mapping[str, tuple[str, ...]],
    is_valid: Callable[[set[str]], bool],
) -> tuple[Header | None, Header | None]:
    """Return (header, best partial match). The header is the valid row with most matches."""
    lookup = _lookup(synonyms)
    ambiguous = synonyms is INDICATOR_SYNONYMS
    best: Header | None = None
    partial: Header | None = None
    for row in range(1, min(HEADER_SCAN_ROWS, grid.max_row) + 1):
        mapping = _row_mapping(grid, row, lookup, ambiguous)
        if partial is None or len(mapping.columns) > len(partial.columns):
            partial = mapping
        if not is_valid(set(mapping.columns)):
            continue
        if best is None or len(mapping.columns) > len(best.columns):
            best = mapping
    if best is not None:
        _extend(grid, best, lookup, ambiguous)
    return best, partial


def _extend(grid: Grid, header: Header, lookup: Mapping[str, str], ambiguous: bool) -> None:
    """Swallow header continuation rows: a vertically merged repeat, or "一级" / "指标" splits."""
    while header.row < grid.max_row:
        below = header.row + 1
        same = _row_mapping(grid, below, lookup, ambiguous)
        if same.columns == header.columns:
            header.row = below
            continue
        added = _continuation(grid, header, below, lookup)
        if added is None:
            return
        header.columns.update(added)
        header.how.update({column: "name" for column in added.values()})
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


# -- reading columns by what they hold, and the office's own reading ---------------------------------

CONTENT_SAMPLE_ROWS = 200
CONTENT_SHARE = 0.8


def _is_points_value(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not 0 < value <= 100:
        return False
    result = parse_points_cell(value)
    return result is not None and result.value is not None


def _is_date_value(value: object) -> bool:
    if isinstance(value, (int, float)):
        return False  # a plain number is far more likely points than an Excel serial date
    return parse_deadline(value).value is not None


def _is_counter(values: list[object]) -> bool:
    """1, 2, 3 … (a 序号 column without its header)."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return len(numbers) == len(values) and numbers == list(range(1, len(numbers) + 1))


def role_by_content(grid: Grid, header_row: int, column: int) -> str | None:
    """The role a column's values suggest: points, deadline, method or a scoring standard; None if unclear."""
    last = min(grid.max_row, header_row + CONTENT_SAMPLE_ROWS)
    seen: set[tuple[int, int]] = set()
    values: list[object] = []
    for row in range(header_row + 1, last + 1):
        origin = grid.origin(row, column)
        value = grid.get(row, column)
        if origin in seen or value is None or not cell_text(value):
            continue
        seen.add(origin)
        values.append(value)
    if len(values) < 2 or _is_counter(values):
        return None

    def share(test: Callable[[object], bool]) -> float:
        return sum(1 for v in values if test(v)) / len(values)

    if share(_is_points_value) >= CONTENT_SHARE:
        return "points"
    if share(_is_date_value) >= CONTENT_SHARE:
        return "deadline"
    if share(lambda v: parse_method(cell_text(v)).recognised) >= CONTENT_SHARE:
        return "method"
    if share(lambda v: "扣" in cell_text(v) and "分" in cell_text(v)) >= CONTENT_SHARE / 2:
        return "requirement"
    return None


def read_by_content(grid: Grid, header: Header) -> None:
    """Give columns whose header names nothing we know a role from what they hold (roles still free only)."""
    ignored = {column for _, column in header.duplicates}
    for column in range(1, grid.max_column + 1):
        if column in header.how or column in ignored:
            continue
        role = role_by_content(grid, header.row, column)
        if role is not None and role not in header.columns:
            header.columns[role] = column
            header.how[column] = "content"


def apply_roles(header: Header, roles: Mapping[str, str]) -> None:
    """The office's reading of the columns: letter -> role ("" = not imported); it overrides any guess."""
    by_letter = {column_letter(column): column for column in {*header.columns.values(), *header.how}}
    for letter, role in roles.items():
        column = by_letter.get(letter) or _column_number(letter)
        if column is None:
            continue
        for name, mapped in list(header.columns.items()):
            if mapped == column or name == role:
                del header.columns[name]
                header.how.pop(mapped, None)
        header.duplicates = [(n, c) for n, c in header.duplicates if c != column]
        if role:
            header.columns[role] = column
        header.how[column] = "override"


def _column_number(letter: str) -> int | None:
    if not letter.isascii() or not letter.isalpha() or len(letter) > 3:
        return None
    number = 0
    for char in letter.upper():
        number = number * 26 + ord(char) - 64
    return number
