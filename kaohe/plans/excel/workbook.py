"""File-level checks, safe loading and a merged-cell-aware view of each worksheet."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from .types import ERROR, Problem

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 200

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

Coord = tuple[int, int]  # (row, column), both 1-based


@dataclass
class Grid:
    """Cell values of one worksheet with merged ranges filled from their top-left cell."""

    title: str
    values: dict[Coord, Any] = field(default_factory=dict)
    formulas: set[Coord] = field(default_factory=set)  # cells holding a formula (value dropped)
    origins: dict[Coord, Coord] = field(default_factory=dict)  # merged cell -> its top-left cell
    max_row: int = 0
    max_column: int = 0
    truncated: bool = False  # the sheet had more rows/columns than we read

    def get(self, row: int, column: int) -> Any:
        return self.values.get((row, column))

    def origin(self, row: int, column: int) -> Coord:
        """The cell a value was written in: the top-left cell of a merged range, or itself."""
        return self.origins.get((row, column), (row, column))

    def row_is_empty(self, row: int) -> bool:
        return all(self.get(row, c) is None for c in range(1, self.max_column + 1))


@dataclass
class LoadResult:
    grids: list[Grid]
    problems: list[Problem]


def file_error(code: str, message: str) -> Problem:
    return Problem(ERROR, code, message)


def _size_text(size: int) -> str:
    """ "50 MB", "20.5 MB"; small limits (tests, tiny uploads) in KB."""
    if size < 1024 * 1024:
        return f"{max(size / 1024, 0.1):.1f}".removesuffix(".0") + " KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def read_bytes(data: bytes | BinaryIO, max_bytes: int) -> tuple[bytes | None, list[Problem]]:
    """Read the upload, refusing it (without parsing) when it is larger than max_bytes."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raw = data.read(max_bytes + 1)
        if len(raw) > max_bytes:
            return None, [_too_large(len(raw) + _remaining_size(data), max_bytes)]
    if len(raw) > max_bytes:
        return None, [_too_large(len(raw), max_bytes)]
    return raw, []


def _remaining_size(stream: BinaryIO) -> int:
    """Size of the rest of the stream, without keeping it in memory (counting stops at 1 GB)."""
    try:
        if stream.seekable():
            position = stream.tell()
            return stream.seek(0, io.SEEK_END) - position
    except (OSError, ValueError):
        pass
    total = 0
    while total < 1024**3 and (chunk := stream.read(1024 * 1024)):
        total += len(chunk)
    return total


def _too_large(size: int, max_bytes: int) -> Problem:
    return file_error("file_too_large", f"文件过大（{_size_text(size)}），上限 {_size_text(max_bytes)}")


def sniff(raw: bytes, max_bytes: int) -> list[Problem]:
    """Reject anything that is not a plain, reasonably sized .xlsx before openpyxl sees it."""
    if not raw:
        return [file_error("empty_file", "文件为空（0 字节），请重新选择文件")]
    if raw.startswith(CFB_MAGIC):
        if ENCRYPTION_STREAM in raw:
            return [file_error("encrypted", "文件设有密码保护，请取消密码后再导入")]
        return [file_error("legacy_xls", "这是旧版 .xls 文件，请在 WPS/Excel 中另存为 .xlsx 后再导入")]
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        return [file_error("not_xlsx", _not_xlsx_message(raw))]
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
    except Exception:  # BadZipFile, NotImplementedError (odd zip versions), OSError, ...
        return [file_error("not_xlsx", "不是有效的 .xlsx 文件（压缩包已损坏）")]
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        return [file_error("not_xlsx", "不是有效的 .xlsx 文件（压缩包中没有 Excel 工作簿）")]
    limit = min(10 * max_bytes, MAX_UNCOMPRESSED)
    if sum(info.file_size for info in infos) > limit:
        return [
            file_error(
                "zip_bomb",
                f"文件解压后超过 {_size_text(limit)}，可能已损坏或不是普通表格，请检查后再导入",
            )
        ]
    return []


def _not_xlsx_message(raw: bytes) -> str:
    head = raw[:8].lstrip()
    if head.startswith(b"%PDF"):
        return "不是有效的 .xlsx 文件（这是 PDF 文件），请上传 Excel 表格"
    return "不是有效的 .xlsx 文件，请上传 Excel/WPS 表格（.xlsx）"


def load(data: bytes | BinaryIO, max_bytes: int) -> LoadResult:
    """Check the upload and read every visible worksheet into a Grid; never raises."""
    raw, problems = read_bytes(data, max_bytes)
    if raw is None:
        return LoadResult([], problems)
    problems = sniff(raw, max_bytes)
    if problems:
        return LoadResult([], problems)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(raw), read_only=False, data_only=False, keep_links=False)
            grids = [_grid(ws) for ws in workbook.worksheets if ws.sheet_state == "visible"]
    except Exception as exc:  # any reader failure becomes a user-facing problem
        detail = type(exc).__name__
        return LoadResult([], [file_error("unreadable", f"文件已损坏或格式不受支持，无法读取（{detail}）")])
    return LoadResult(grids, [])


def _iter_cells(ws: Any) -> Iterator[Any]:
    cells = getattr(ws, "_cells", None)
    if isinstance(cells, dict):  # only the cells present in the file, not the whole rectangle
        yield from cells.values()
    else:  # pragma: no cover - fallback for other openpyxl versions
        for row in ws.iter_rows():
            yield from row


def _is_formula(cell: Any) -> bool:
    value = cell.value
    if isinstance(value, (ArrayFormula, DataTableFormula)):
        return True
    return bool(cell.data_type == "f" and isinstance(value, str) and value.startswith("="))


def _grid(ws: Any) -> Grid:
    grid = Grid(title=str(ws.title))
    for cell in _iter_cells(ws):
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        row, column = cell.row, cell.column
        if row > MAX_ROWS or column > MAX_COLUMNS:
            grid.truncated = True
            continue
        if _is_formula(cell):
            grid.formulas.add((row, column))
            value = None
        grid.values[(row, column)] = value
    coords = list(grid.values)
    grid.max_row = max((r for r, _ in coords), default=0)
    grid.max_column = max((c for _, c in coords), default=0)
    _fill_merged(ws, grid)
    # formula cells keep no value, but stay "occupied" for row-emptiness checks
    grid.values = {k: v for k, v in grid.values.items() if v is not None}
    return grid


def _fill_merged(ws: Any, grid: Grid) -> None:
    for merged in list(ws.merged_cells.ranges):
        min_col, min_row, max_col, max_row = merged.bounds
        # cells beyond the last written cell carry nothing of their own: don't fill them
        max_row = min(max_row, grid.max_row)
        max_col = min(max_col, grid.max_column)
        origin = (min_row, min_col)
        value = grid.values.get(origin)
        if value is None:
            continue
        for row in range(min_row, max_row + 1):
            for column in range(min_col, max_col + 1):
                grid.values[(row, column)] = value
                if (row, column) != origin:
                    grid.origins[(row, column)] = origin


def column_letter(column: int) -> str:
    return str(get_column_letter(column))
