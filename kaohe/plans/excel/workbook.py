"""The plan importers' view of an upload: the guarded reader's grids, its refusal as a Problem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from kaohe.core.xlsx_read import Grid, Limits, column_letter, read_xlsx

from .types import ERROR, Problem

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

__all__ = ["DEFAULT_MAX_BYTES", "Grid", "LoadResult", "column_letter", "load"]


@dataclass
class LoadResult:
    grids: list[Grid]
    problems: list[Problem]


def load(data: bytes | BinaryIO, max_bytes: int) -> LoadResult:
    """Check the upload and read every visible worksheet into a Grid; never raises."""
    result = read_xlsx(data, Limits(max_bytes=max_bytes))
    if result.refusal is not None:
        return LoadResult([], [Problem(ERROR, result.refusal.code, result.refusal.message)])
    return LoadResult(result.grids, [])
