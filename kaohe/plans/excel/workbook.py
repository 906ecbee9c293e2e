"""The plan importers' view of an upload: the guarded readers' grids, a refusal as a Problem.

.xlsx goes through ``kaohe.core.xlsx_read``, .docx (its tables) through ``kaohe.core.docx_read``, BIFF8 .xls
through ``kaohe.core.xls_read`` (our own small guarded reader, which stops at its caps: docs/architecture.md): all give the same
cell grid with merged ranges, so the indicator reader does not care which it was. Only indicator tables take
.docx/.xls; unit and assessor lists stay .xlsx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from kaohe.core.docx_read import is_docx, read_docx
from kaohe.core.xls_read import is_xls, read_xls
from kaohe.core.xlsx_read import Grid, Limits, column_letter, read_xlsx

from .types import ERROR, Problem

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

__all__ = ["DEFAULT_MAX_BYTES", "Grid", "LoadResult", "column_letter", "load"]


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
