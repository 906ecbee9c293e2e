"""Plain result types of the Excel import/export (no Django, no ORM)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# A finding about an upload is the same type for every importer (kaohe/core/sheets.py); named here too.
from kaohe.core.sheets import ERROR as ERROR
from kaohe.core.sheets import WARNING as WARNING
from kaohe.core.sheets import Problem as Problem


@dataclass
class TaskRow:
    name: str
    method: str  # a Method value
    materials: str
    points: Decimal | None
    deadline: date | None
    requirement: str
    assessor: str  # normalised text, "" if none
    adjustment: str  # an Adjustment value
    counts_next_year: bool
    row: int | None = None  # source row
    # deduction rules read from the requirement text (see rules.py); [] when none or not understood
    rules: list[dict[str, Any]] = field(default_factory=list)
    distributed: bool = False  # points are an even share of the group's total, chosen on the preview
    event_label: str = ""  # 事件触发报送 (a 触发事件 column): evidence is due per event, 5 working days after it


@dataclass
class Level2Row:
    name: str
    points: Decimal | None
    tasks: list[TaskRow]
    row: int | None = None
    implicit: bool = False  # a two-level table: this 二级 only repeats its 一级 (not shown as a level of its own)


@dataclass
class Level1Row:
    name: str
    points: Decimal | None
    children: list[Level2Row]
    row: int | None = None
    adjustment: str = ""  # an Adjustment value: a 加分项/减分项 section outside the stated total


@dataclass
class IndicatorTable:
    title: str
    level1: list[Level1Row]
    sheet: str = ""
    # logical field -> Excel column letter; keys among: level1, level2, task,
    # method, points, deadline, requirement, assessor, materials
    columns: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # how each column was read: {"sheet", "letter", "header", "role", "how"} (how: name | content | override | "")
    column_reading: list[dict[str, str]] = field(default_factory=list)
    # every worksheet (or .docx table): {"title", "has_header", "chosen"}
    sheet_choices: list[dict[str, Any]] = field(default_factory=list)
    # groups whose total is known but whose tasks carry no points: [{"name", "points", "tasks"}]
    undistributed: list[dict[str, Any]] = field(default_factory=list)

    def tasks(self) -> Iterator[tuple[Level1Row, Level2Row, TaskRow]]:
        for level1 in self.level1:
            for level2 in level1.children:
                for task in level2.tasks:
                    yield level1, level2, task

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)


@dataclass
class UnitRow:
    category: str
    name: str
    sort_key: str = ""
    row: int | None = None
    contact: str = ""  # optional columns: who uses the unit's platform account, and its 登录账号
    account: str = ""
    region_path: str = ""  # optional 所属区划 column: where below the office the unit lies ("平顶山市/舞钢市")
    written: str = ""  # the name with its inner spaces, if any ("平顶山市 舞钢市人民政府"): perhaps a region path


@dataclass
class UnitTable:
    units: list[UnitRow]
    problems: list[Problem]
    sheet: str = ""

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)


@dataclass
class DeskRow:
    seq: str
    name: str
    contact: str
    phone: str
    address: str
    account: str
    row: int | None = None
    region_path: str = ""  # optional 所属区划 column, as for units
    written: str = ""  # as for units


@dataclass
class DeskTable:
    desks: list[DeskRow]
    problems: list[Problem]
    sheet: str = ""

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)
