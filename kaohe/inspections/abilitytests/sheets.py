"""Reading rosters and question banks from .xlsx, and writing their blank templates (pure: bytes in, data out).

Both readers go through the guarded reader (kaohe.core.xlsx_read, via the plans app's loader) and never raise
on bad input: every problem is reported at once, with its row number, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kaohe.core import xlsx_write
from kaohe.core.sheets import ERROR, WARNING, Grid, Problem, load
from kaohe.core.xlsx_read import cell_key, cell_text
from kaohe.inspections.abilitytests.draws import GROUP_LABELS, LETTERS, Person, normalise_letters

MAX_BYTES = 5 * 1024 * 1024
MAX_PEOPLE = 2000
MAX_QUESTIONS = 5000

ROSTER_HEADERS = ["姓名", "职务", "分组", "处室"]
BANK_HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "分类", "难度", "分值"]

KIND_WORDS = {
    "单选": "single",
    "单选题": "single",
    "单项选择": "single",
    "单项选择题": "single",
    "多选": "multiple",
    "多选题": "multiple",
    "多项选择": "multiple",
    "多项选择题": "multiple",
    "判断": "judge",
    "判断题": "judge",
    "简答": "short",
    "简答题": "short",
}
TRUE_WORDS = {"对", "正确", "√", "✓", "T", "TRUE", "是", "Y"}
FALSE_WORDS = {"错", "错误", "×", "✗", "X", "F", "FALSE", "否", "N"}
GROUP_WORDS = {
    "领导小组负责同志": "leader",
    "负责同志": "leader",
    "领导小组成员": "member",
    "成员": "member",
    "工作人员": "staff",
    "处室工作人员": "staff",
}
DEFAULT_POINTS = {"single": Decimal(5), "multiple": Decimal(5), "judge": Decimal(5), "short": Decimal(10)}


def _error(message: str, row: int | None = None, column: str = "") -> Problem:
    return Problem(ERROR, "row", message, row=row, column=column)


def _find_header(grid: Grid, required: list[str]) -> tuple[int, dict[str, int]] | None:
    """The first row (within 10) holding every required header, with each header's column."""
    for row in range(1, min(grid.max_row, 10) + 1):
        columns: dict[str, int] = {}
        for column in range(1, grid.max_column + 1):
            name = cell_key(grid.get(row, column))
            if name and name not in columns:
                columns[name] = column
        if all(h in columns for h in required):
            return row, columns
    return None


# ------------------------------------------------------------------------------------------------ rosters


@dataclass
class RosterTable:
    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def check_people(people: list[Person]) -> list[str]:
    """Problems of a roster as a whole (also used for manual entry): duplicate people, size."""
    messages: list[str] = []
    seen: set[tuple[str, str]] = set()
    for person in people:
        key = (person.name, person.section)
        if key in seen:
            where = f"（{person.section}）" if person.section else ""
            messages.append(f"“{person.name}”{where}在名册中重复；同名人员请以处室区分")
        seen.add(key)
    if len(people) > MAX_PEOPLE:
        messages.append(f"名册最多 {MAX_PEOPLE} 人")
    return messages


def parse_roster(data: bytes) -> RosterTable:
    table = RosterTable()
    loaded = load(data, MAX_BYTES)
    if loaded.problems or not loaded.grids:
        table.problems = loaded.problems or [_error("文件中没有可读取的工作表")]
        return table
    grid = loaded.grids[0]
    found = _find_header(grid, ["姓名", "分组"])
    if found is None:
        table.problems.append(_error("第一张工作表前10行中找不到表头“姓名”“分组”，请使用名册模板"))
        return table
    header_row, columns = found
    for row in range(header_row + 1, grid.max_row + 1):
        if grid.row_is_empty(row):
            continue
        name = cell_text(grid.get(row, columns["姓名"]))[:50]
        group_text = cell_key(grid.get(row, columns["分组"]))
        post = cell_text(grid.get(row, columns["职务"]))[:50] if "职务" in columns else ""
        section = cell_text(grid.get(row, columns["处室"]))[:50] if "处室" in columns else ""
        if not name:
            table.problems.append(_error(f"第{row}行：缺少姓名", row))
            continue
        group = GROUP_WORDS.get(group_text)
        if group is None:
            allowed = "、".join(GROUP_LABELS.values())
            table.problems.append(_error(f"第{row}行：分组“{group_text}”无法识别，应为 {allowed}", row))
            continue
        table.people.append(Person(name=name, post=post, group=group, section=section))
    if not table.people and not table.problems:
        table.problems.append(_error("表中没有人员"))
    table.problems.extend(_error(m) for m in check_people(table.people))
    return table


# ------------------------------------------------------------------------------------------------ a sitting's candidates

MAX_CANDIDATES = 5000
UNIT_HEADERS = ("单位", "考核对象", "所在单位")
SITTING_ROSTER_HEADERS = ["单位", *ROSTER_HEADERS]


@dataclass(frozen=True)
class Candidate:
    row: int
    unit_id: int
    person: Person


@dataclass
class CandidateTable:
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def parse_sitting_roster(data: bytes, units: dict[str, int]) -> CandidateTable:
    """The candidates of a city-wide sitting: the roster sheet with a unit column (单位 / 考核对象).

    ``units`` maps the name of each unit taking part to its id. Every problem is reported with its row: an
    unknown unit, a missing name, an unknown group (分组 may be left out: 工作人员), the same person twice in
    one unit (same name and 处室). 分组 and 处室 are optional columns here.
    """
    table = CandidateTable()
    loaded = load(data, MAX_BYTES)
    if loaded.problems or not loaded.grids:
        table.problems = loaded.problems or [_error("文件中没有可读取的工作表")]
        return table
    grid = loaded.grids[0]
    found = None
    for unit_header in UNIT_HEADERS:
        found = _find_header(grid, [unit_header, "姓名"])
        if found is not None:
            break
    if found is None:
        table.problems.append(_error("第一张工作表前10行中找不到表头“单位”“姓名”，请使用考生名单模板"))
        return table
    header_row, columns = found
    unit_column = next(columns[h] for h in UNIT_HEADERS if h in columns)
    seen: dict[tuple[int, str, str], int] = {}
    for row in range(header_row + 1, grid.max_row + 1):
        if grid.row_is_empty(row):
            continue
        unit_name = cell_text(grid.get(row, unit_column))
        name = cell_text(grid.get(row, columns["姓名"]))[:50]
        post = cell_text(grid.get(row, columns["职务"]))[:50] if "职务" in columns else ""
        section = cell_text(grid.get(row, columns["处室"]))[:50] if "处室" in columns else ""
        group_text = cell_key(grid.get(row, columns["分组"])) if "分组" in columns else ""
        problems: list[str] = []
        unit_id = units.get(unit_name)
        if not unit_name:
            problems.append("缺少单位")
        elif unit_id is None:
            problems.append(f"单位“{unit_name}”不是本场次的考核对象（请核对单位全称）")
        if not name:
            problems.append("缺少姓名")
        group = GROUP_WORDS.get(group_text) if group_text else "staff"
        if group is None:
            problems.append(f"分组“{group_text}”无法识别，应为 {'、'.join(GROUP_LABELS.values())}")
        if unit_id is not None and name:
            key = (unit_id, name, section)
            if key in seen:
                where = f"（{section}）" if section else ""
                problems.append(f"“{name}”{where}与第{seen[key]}行重复：同一单位同名人员请以处室区分")
            else:
                seen[key] = row
        if problems:
            table.problems.append(_error(f"第{row}行：{'；'.join(problems)}", row))
            continue
        assert unit_id is not None and group is not None  # noqa: S101 - checked above
        table.candidates.append(Candidate(row, unit_id, Person(name=name, post=post, group=group, section=section)))
    if not table.candidates and not table.problems:
        table.problems.append(_error("表中没有考生"))
    if len(table.candidates) > MAX_CANDIDATES:
        table.problems.append(_error(f"一个场次最多 {MAX_CANDIDATES} 名考生"))
    return table


# ------------------------------------------------------------------------------------------------ question bank


@dataclass(frozen=True)
class QuestionRow:
    row: int
    kind: str
    stem: str
    options: tuple[str, ...]
    answer: str
    category: str
    difficulty: str
    points: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "kind": self.kind,
            "stem": self.stem,
            "options": list(self.options),
            "answer": self.answer,
            "category": self.category,
            "difficulty": self.difficulty,
            "points": f"{self.points:.2f}",
        }


@dataclass
class BankTable:
    questions: list[QuestionRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def _points(value: Any) -> Decimal | str | None:
    """The 分值 cell: None when blank, a Decimal when valid, an error text otherwise."""
    text = cell_text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return f"分值“{text}”不是数字"
    if not number.is_finite() or number <= 0 or number > 100:
        return f"分值“{text}”应在 0 到 100 之间"
    if number != number.quantize(Decimal("0.01")):
        return f"分值“{text}”最多两位小数"
    return number.quantize(Decimal("0.01"))


def _option_columns(columns: dict[str, int]) -> list[int | None]:
    return [columns.get(f"选项{letter}", columns.get(letter)) for letter in LETTERS]


def _parse_question(grid: Grid, row: int, columns: dict[str, int]) -> tuple[QuestionRow | None, list[str]]:
    messages: list[str] = []
    kind_text = cell_key(grid.get(row, columns["题型"]))
    kind = KIND_WORDS.get(kind_text)
    stem = cell_text(grid.get(row, columns["题干"]))
    answer_raw = cell_text(grid.get(row, columns["答案"])) if "答案" in columns else ""
    if kind is None:
        shown = f"“{kind_text}”" if kind_text else "为空"
        messages.append(f"题型{shown}无法识别，应为 单选、多选、判断 或 简答")
    if not stem:
        messages.append("缺少题干")
    options: list[str] = []
    gap_at = ""
    gap_error = False
    for letter, column in zip(LETTERS, _option_columns(columns), strict=True):
        value = cell_text(grid.get(row, column)) if column else ""
        if value and gap_at:
            messages.append(f"选项{gap_at}为空，但其后的选项{letter}有内容；选项须从A起连续填写")
            gap_error = True
            break
        if value:
            options.append(value)
        elif not gap_at:
            gap_at = letter
    answer = ""
    label = {"single": "单选", "multiple": "多选", "judge": "判断", "short": "简答"}.get(kind or "", "")
    if kind in ("single", "multiple"):
        if len(options) < 2 and not gap_error:
            messages.append(f"{label}题至少需要两个选项（选项A、选项B）")
        if not answer_raw:
            messages.append(f"{label}题缺少答案")
        else:
            letters = normalise_letters(answer_raw)
            junk = "".join(ch for ch in answer_raw.upper() if ch not in LETTERS and ch not in " ,，、;；")
            available = LETTERS[: len(options)]
            outside = "".join(ch for ch in letters if ch not in available)
            if junk or not letters:
                messages.append(f"答案“{answer_raw}”应为选项字母（如 A 或 ACD）")
            elif outside:
                span = f"A–{available[-1]}" if available else "无选项"
                messages.append(f"答案“{answer_raw}”不在选项中（本题选项为 {span}）")
            elif kind == "single" and len(letters) != 1:
                messages.append(f"单选题只能有一个答案，而答案为“{answer_raw}”")
            elif kind == "multiple" and len(letters) < 2:
                messages.append(f"多选题答案至少两个选项，而答案为“{answer_raw}”；只有一个正确选项的请作为单选题")
            answer = letters
    elif kind == "judge":
        word = answer_raw.upper().replace(" ", "")
        if not answer_raw:
            messages.append("判断题缺少答案")
        elif word in TRUE_WORDS:
            answer = "T"
        elif word in FALSE_WORDS:
            answer = "F"
        else:
            messages.append(f"判断题答案“{answer_raw}”无法识别，应为 对/错（或 正确/错误、√/×）")
        options = []
    elif kind == "short":
        answer = answer_raw  # the reference answer, optional
        options = []
    points_cell = _points(grid.get(row, columns["分值"])) if "分值" in columns else None
    if isinstance(points_cell, str):
        messages.append(points_cell)
    category = cell_text(grid.get(row, columns["分类"]))[:50] if "分类" in columns else ""
    difficulty = cell_text(grid.get(row, columns["难度"]))[:20] if "难度" in columns else ""
    if messages or kind is None:
        return None, messages
    points = points_cell if isinstance(points_cell, Decimal) else DEFAULT_POINTS[kind]
    return QuestionRow(row, kind, stem, tuple(options), answer, category, difficulty, points), []


def parse_bank(data: bytes) -> BankTable:
    table = BankTable()
    loaded = load(data, MAX_BYTES)
    if loaded.problems or not loaded.grids:
        table.problems = loaded.problems or [_error("文件中没有可读取的工作表")]
        return table
    grid = loaded.grids[0]
    found = _find_header(grid, ["题型", "题干", "答案"])
    if found is None:
        table.problems.append(_error("第一张工作表前10行中找不到表头“题型”“题干”“答案”，请使用题库模板"))
        return table
    header_row, columns = found
    stems: dict[tuple[str, str], int] = {}
    for row in range(header_row + 1, grid.max_row + 1):
        if grid.row_is_empty(row):
            continue
        question, messages = _parse_question(grid, row, columns)
        table.problems.extend(_error(f"第{row}行：{m}", row) for m in messages)
        if question is None:
            continue
        key = (question.kind, question.stem)
        if key in stems:
            table.problems.append(_error(f"第{row}行：与第{stems[key]}行是同一道题（题型、题干相同）", row))
            continue
        stems[key] = row
        table.questions.append(question)
    if len(table.questions) > MAX_QUESTIONS:
        table.problems.append(_error(f"一次最多导入 {MAX_QUESTIONS} 道题"))
    if not table.questions and not table.problems:
        table.problems.append(_error("表中没有试题"))
    return table


def duplicate_warning(row: int) -> Problem:
    return Problem(WARNING, "in_bank", f"第{row}行：题库中已有这道题，导入时将跳过", row=row)


# ------------------------------------------------------------------------------------------------ templates


def _workbook(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    book = xlsx_write.new_workbook()
    sheet = xlsx_write.first_sheet(book, title)
    xlsx_write.header(sheet, headers, fill=False)
    for row in rows:
        xlsx_write.append(sheet, row)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 40 if header == "题干" else 14
    return xlsx_write.save(book)


def roster_template() -> bytes:
    rows = [
        ["人员甲01", "局长", "领导小组负责同志", "局领导"],
        ["人员甲02", "副局长", "领导小组成员", "局领导"],
        ["工作人员01", "科员", "工作人员", "办公室"],
    ]
    return _workbook("测试人员名册", ROSTER_HEADERS, rows)


def sitting_roster_workbook(rows: list[list[Any]]) -> bytes:
    """A sitting's candidates (单位, 姓名, 职务, 分组, 处室) as an .xlsx (the demo's list)."""
    return _workbook("考生名单", SITTING_ROSTER_HEADERS, rows)


def sitting_roster_template(unit_names: list[str]) -> bytes:
    first = unit_names[0] if unit_names else "某某县人民政府"
    rows = [
        [first, "人员甲01", "县长", "领导小组负责同志", ""],
        [first, "人员甲02", "副县长", "领导小组成员", ""],
        [first, "人员甲03", "司法局局长", "工作人员", "司法局"],
    ]
    return _workbook("考生名单", SITTING_ROSTER_HEADERS, rows)


def bank_workbook(rows: list[list[Any]]) -> bytes:
    return _workbook("题库", BANK_HEADERS, rows)


def bank_template() -> bytes:
    rows: list[list[Any]] = [
        [
            "单选",
            "示例：行政机关实施行政管理，应当依照（ ）的规定进行。",
            "法律、法规、规章",
            "领导指示",
            "惯例",
            "",
            "",
            "",
            "A",
            "依法行政",
            "易",
            5,
        ],
        ["判断", "示例：行政机关可以在没有法律依据的情况下减损公民权利。", "", "", "", "", "", "", "错", "依法行政", "易", ""],
    ]
    return bank_workbook(rows)
