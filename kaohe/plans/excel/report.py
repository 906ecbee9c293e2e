"""The import preview as plain data (the ``import_indicators`` command's JSON)."""

from __future__ import annotations

from typing import Any

from .types import ERROR, IndicatorTable, Problem


def _points(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "message": problem.message,
        "code": problem.code,
    }


def preview_data(table: IndicatorTable, problems: list[Problem]) -> dict[str, Any]:
    """``{"ok", "errors", "warnings", "indicators", …}``: the tree in import order with the codes the import
    writes (``1``, ``1.1``, ``1.1.1``). Level 3 is a 工作任务; a two-level table's repeated 二级 is left out, so
    its tasks name their 一级 as parent. ``points`` is "12.00" or null. ``ok``: importable (warnings allowed).
    """
    indicators: list[dict[str, Any]] = []
    for i, level1 in enumerate(table.level1, start=1):
        code1 = str(i)
        indicators.append(
            {
                "level": 1,
                "code": code1,
                "name": level1.name,
                "points": _points(level1.points),
                "parent": None,
                "adjustment": level1.adjustment or "",
            }
        )
        for j, level2 in enumerate(level1.children, start=1):
            code2 = f"{i}.{j}"
            if not level2.implicit:
                indicators.append(
                    {
                        "level": 2,
                        "code": code2,
                        "name": level2.name,
                        "points": _points(level2.points),
                        "parent": code1,
                        "adjustment": "",
                    }
                )
            for k, task in enumerate(level2.tasks, start=1):
                indicators.append(
                    {
                        "level": 3,
                        "code": f"{i}.{j}.{k}",
                        "name": task.name,
                        "points": _points(task.points),
                        "parent": code1 if level2.implicit else code2,
                        "adjustment": task.adjustment or "",
                        "requirement": task.requirement,
                        "rules": task.rules,
                        "distributed": task.distributed,
                    }
                )
    errors = [p for p in problems if p.severity == ERROR]
    return {
        "ok": not errors and bool(table.level1),
        "errors": [_problem(p) for p in errors],
        "warnings": [_problem(p) for p in problems if p.severity != ERROR],
        "title": table.title,
        "columns": table.column_reading,
        "sheets": table.sheet_choices,
        "undistributed": table.undistributed,
        "indicators": indicators,
    }
