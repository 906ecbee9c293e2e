"""An uploaded sheet as every importer sees it: the guarded readers' grids, and each finding as a Problem.

.xlsx goes through ``kaohe.core.xlsx_read``, .docx (its tables) through ``kaohe.core.docx_read``, BIFF8 .xls
through ``kaohe.core.xls_read`` (our own small guarded reader, which stops at its caps: docs/architecture.md): all give the same
cell grid with merged ranges, so a reader does not care which it was. Only indicator tables take .docx/.xls
(``allow_docx``); every other list stays .xlsx. Used by the plan importers (``plans/excel``), the people list
(accounts) and the inspections' sheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from kaohe.core.docx_read import is_docx, read_docx
from kaohe.core.xls_read import is_xls, read_xls
from kaohe.core.xlsx_read import Grid, Limits, column_letter, read_xlsx

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

__all__ = ["DEFAULT_MAX_BYTES", "ERROR", "WARNING", "Grid", "LoadResult", "Problem", "column_letter", "load"]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about an uploaded workbook, shown to the user as is."""

    severity: str  # "error" | "warning"
    code: str  # machine code, e.g. "points_unreadable"
    message: str  # Chinese, self-contained
    sheet: str = ""
    row: int | None = None  # 1-based Excel row
    column: str = ""  # Excel column letter, e.g. "D"

    @property
    def location(self) -> str:
        """Chinese location text, e.g. 工作表“附件3”第12行D列 (missing parts omitted)."""
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"{self.column}列")
        return "".join(parts)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass
class LoadResult:
    grids: list[Grid]
    problems: list[Problem]
    captions: dict[str, str] = field(default_factory=dict)  # .docx: table title -> the paragraph above it
    paragraphs: list[str] = field(default_factory=list)  # .docx: body text outside tables
    kind: str = "xlsx"  # "xlsx" | "docx" | "xls"


def load(data: bytes | BinaryIO, max_bytes: int, *, allow_docx: bool = False) -> LoadResult:
    """Check the upload and read every visible worksheet (or .docx table) into a Grid; never raises."""
    if allow_docx:
        start = data.tell() if not isinstance(data, bytes) and data.seekable() else None
        raw = data if isinstance(data, bytes) else data.read(max_bytes + 1)
        if len(raw) <= max_bytes and is_docx(raw):
            document = read_docx(raw, Limits(max_bytes=max_bytes))
            if document.refusal is not None:
                return LoadResult([], [Problem(ERROR, document.refusal.code, document.refusal.message)], kind="docx")
            return LoadResult(document.grids, [], document.captions, document.paragraphs, "docx")
        if len(raw) <= max_bytes and is_xls(raw):
            workbook = read_xls(raw, Limits(max_bytes=max_bytes))
            if workbook.refusal is None:
                return LoadResult(workbook.grids, [], kind="xls")
            if workbook.refusal.code != "unreadable":
                return LoadResult([], [Problem(ERROR, workbook.refusal.code, workbook.refusal.message)], kind="xls")
            # not a compound file we can read: the .xlsx reader's refusal names it (encrypted, legacy .xls)
        if start is not None and not isinstance(data, bytes):
            data.seek(start)  # the .xlsx reader measures (and refuses) the whole upload itself
        else:
            data = raw
    result = read_xlsx(data, Limits(max_bytes=max_bytes))
    if result.refusal is not None:
        return LoadResult([], [Problem(ERROR, result.refusal.code, result.refusal.message)])
    return LoadResult(result.grids, [])
