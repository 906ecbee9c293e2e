"""The one guarded .xlsx reader every import goes through (indicators, units, desks, rosters, question bank,
case files, checklists).

An upload is refused, with a Chinese message, before it can cost more than a bounded amount of memory
and time:

1. the raw size is checked while reading the upload (``Limits.max_bytes``);
2. the zip's central directory is inspected before anything is decompressed: number of members, total
   unpacked size, compression ratio of each member, presence of the workbook parts;
3. the small package parts (content types, workbook, its relationships, styles) are parsed only when
   each is under ``Limits.max_part_bytes``; shared strings are streamed and counted against the cell cap;
4. each visible worksheet is streamed with ``iterparse`` (never loaded as a whole: openpyxl's normal
   mode builds every cell object first, 1.9 GB for a 105 KB file of 3 million tiny cells). Every
   element is dropped as soon as it has been read, and reading stops at the first cell past the row,
   column or cell cap, or past the element cap (blank formatted cells count there).

Merged ranges (``<mergeCell>``, after the cell data) are filled from their top-left cell, as the
importers expect; filled cells count against the cell cap too. Cell values are converted by openpyxl's
own worksheet parser (``WorkSheetParser.parse_cell``), so dates, numbers, shared and inline strings and
formulas read exactly as they did with ``load_workbook``.

Legacy .xls (and encrypted workbooks, which are OLE files) are refused by content; nothing reads them.
Pure Python, no Django: the memory test runs it in a bare subprocess.
"""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO
from xml.etree.ElementTree import Element, iterparse

from openpyxl.cell.text import Text
from openpyxl.packaging.manifest import Manifest
from openpyxl.reader.excel import _find_workbook_part
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHEET_MAIN_NS
from openpyxl.xml.functions import fromstring

MB = 1024 * 1024
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

_ROW = f"{{{SHEET_MAIN_NS}}}row"
_CELL = f"{{{SHEET_MAIN_NS}}}c"
_MERGE = f"{{{SHEET_MAIN_NS}}}mergeCell"
_STRING = f"{{{SHEET_MAIN_NS}}}si"

Coord = tuple[int, int]  # (row, column), both 1-based


@dataclass(frozen=True)
class Limits:
    """Caps of one import. The defaults fit every table of the platform several times over."""

    max_bytes: int  # the upload itself
    max_rows: int = 20_000  # last row holding a value
    max_columns: int = 200  # last column holding a value
    max_cells: int = 100_000  # cells holding a value, merged fills included, over all sheets read
    max_elements: int = 2_000_000  # XML elements of the sheets read (blank formatted cells count here)
    max_unpacked: int = 50 * MB  # all members unpacked (at most 10 × max_bytes)
    max_members: int = 1_000  # members of the zip
    max_ratio: int = 100  # unpacked / packed size of one member (Apache POI's default) ...
    ratio_grace: int = 1 * MB  # ... checked only for members bigger than this unpacked
    max_part_bytes: int = 5 * MB  # content types, workbook, relationships, styles: each
    max_merges: int = 10_000  # merged ranges of one sheet
    max_sheets: int = 200  # worksheets listed in the workbook
    max_cell_elements: int = 1_000  # rich-text runs and the like inside one cell

    @property
    def unpacked_limit(self) -> int:
        return min(10 * self.max_bytes, self.max_unpacked)


@dataclass(frozen=True)
class Refusal:
    """Why a file was not read: a stable code and a message for the user, in Chinese."""

    code: str
    message: str
    sheet: str = ""
    row: int | None = None


@dataclass
class Grid:
    """Cell values of one worksheet with merged ranges filled from their top-left cell."""

    title: str
    values: dict[Coord, Any] = field(default_factory=dict)
    formulas: set[Coord] = field(default_factory=set)  # cells holding a formula (value dropped)
    origins: dict[Coord, Coord] = field(default_factory=dict)  # merged cell -> its top-left cell
    max_row: int = 0
    max_column: int = 0

    def get(self, row: int, column: int) -> Any:
        return self.values.get((row, column))

    def origin(self, row: int, column: int) -> Coord:
        """The cell a value was written in: the top-left cell of a merged range, or itself."""
        return self.origins.get((row, column), (row, column))

    def row_is_empty(self, row: int) -> bool:
        return all(self.get(row, c) is None for c in range(1, self.max_column + 1))


@dataclass
class ReadResult:
    grids: list[Grid]  # visible worksheets, in workbook order
    refusal: Refusal | None = None


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def cell_text(value: Any) -> str:
    """A cell's value as one line of text: None → "", 3.0 → "3", every run of whitespace → one space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def cell_key(value: Any) -> str:
    """``cell_text`` without any whitespace: for matching headers, account and role names typed with spaces."""
    return "".join(cell_text(value).split())


def size_text(size: int) -> str:
    """ "50 MB", "20.5 MB"; small limits (tests, tiny uploads) in KB."""
    if size < MB:
        return f"{max(size / 1024, 0.1):.1f}".removesuffix(".0") + " KB"
    return f"{size / MB:.1f}".removesuffix(".0") + " MB"


def column_letter(column: int) -> str:
    return str(get_column_letter(column))


def read_xlsx(data: bytes | BinaryIO, limits: Limits) -> ReadResult:
    """Read every visible worksheet of an .xlsx upload within `limits`; never raises on bad input."""
    try:
        raw = _read_upload(data, limits.max_bytes)
        with zipfile.ZipFile(io.BytesIO(_sniff(raw))) as archive:
            _inspect(archive, limits)
            return ReadResult(_Reader(archive, limits).read())
    except _Refused as refused:
        return ReadResult([], refused.refusal)
    except Exception as exc:  # any reader failure (bad XML, bad zip, odd parts) becomes a refusal
        return ReadResult([], Refusal("unreadable", f"文件已损坏或格式不受支持，无法读取（{type(exc).__name__}）"))


# -- the upload and its zip ------------------------------------------------------------------------


def _read_upload(data: bytes | BinaryIO, max_bytes: int) -> bytes:
    """The upload's bytes, refused (without keeping more than max_bytes + 1) when it is larger."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        size = len(raw)
    else:
        raw = data.read(max_bytes + 1)
        size = len(raw) + (_remaining_size(data) if len(raw) > max_bytes else 0)
    if size > max_bytes:
        raise _Refused(Refusal("file_too_large", f"文件过大（{size_text(size)}），上限 {size_text(max_bytes)}"))
    return raw


def _remaining_size(stream: BinaryIO) -> int:
    """Size of the rest of the stream, without keeping it in memory (counting stops at 1 GB)."""
    try:
        if stream.seekable():
            position = stream.tell()
            return stream.seek(0, io.SEEK_END) - position
    except (OSError, ValueError):
        pass
    total = 0
    while total < 1024**3 and (chunk := stream.read(MB)):
        total += len(chunk)
    return total


def _sniff(raw: bytes) -> bytes:
    """Refuse what is not a zip at all: empty files, .xls, encrypted workbooks, PDFs, text."""
    if not raw:
        raise _Refused(Refusal("empty_file", "文件为空（0 字节），请重新选择文件"))
    if raw.startswith(CFB_MAGIC):
        if ENCRYPTION_STREAM in raw:
            raise _Refused(Refusal("encrypted", "文件设有密码保护，请取消密码后再导入"))
        raise _Refused(Refusal("legacy_xls", "这是旧版 .xls 文件，请在 WPS/Excel 中另存为 .xlsx 后再导入"))
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        if raw[:8].lstrip().startswith(b"%PDF"):
            raise _Refused(Refusal("not_xlsx", "不是有效的 .xlsx 文件（这是 PDF 文件），请上传 Excel 表格"))
        raise _Refused(Refusal("not_xlsx", "不是有效的 .xlsx 文件，请上传 Excel/WPS 表格（.xlsx）"))
    try:
        zipfile.ZipFile(io.BytesIO(raw)).close()
    except Exception as exc:  # BadZipFile, NotImplementedError (odd zip versions), OSError, ...
        raise _Refused(Refusal("not_xlsx", "不是有效的 .xlsx 文件（压缩包已损坏）")) from exc
    return raw


def _bomb(message: str) -> _Refused:
    return _Refused(Refusal("zip_bomb", message))


def _inspect(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Check the central directory (nothing is decompressed yet). zipfile never inflates a member past
    the size written there (and checks its CRC), so these sizes bound what reading can produce."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise _bomb(f"压缩包内文件过多（{len(infos)} 个，上限 {limits.max_members} 个），不是普通表格，请检查后再导入")
    names = {info.filename for info in infos}
    if ARC_CONTENT_TYPES not in names or not any(n.startswith("xl/") for n in names):
        raise _Refused(Refusal("not_xlsx", "不是有效的 .xlsx 文件（压缩包中没有 Excel 工作簿）"))
    limit = limits.unpacked_limit
    if sum(info.file_size for info in infos) > limit:
        raise _bomb(f"文件解压后超过 {size_text(limit)}，可能已损坏或不是普通表格，请检查后再导入")
    for info in infos:
        if info.file_size > limits.ratio_grace and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _bomb(f"文件中的“{info.filename}”压缩比异常（解压后 {size_text(info.file_size)}），可能是压缩炸弹，拒绝读取")


# -- the workbook ----------------------------------------------------------------------------------


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive = archive
        self.limits = limits
        self.sizes = {info.filename: info.file_size for info in archive.infolist()}
        self.cells = 0  # cells holding a value, over all sheets
        self.elements = 0  # XML elements streamed, over all sheets

    def read(self) -> list[Grid]:
        manifest = Manifest.from_tree(fromstring(self._part(ARC_CONTENT_TYPES)))
        workbook_part = _find_workbook_part(manifest).PartName[1:]
        self._part(workbook_part)  # size check; WorkbookParser reads it
        rels_path = posixpath.join(posixpath.dirname(workbook_part), "_rels", posixpath.basename(workbook_part) + ".rels")
        if rels_path in self.sizes:
            self._part(rels_path)
        parser = WorkbookParser(self.archive, workbook_part, keep_links=False)
        parser.parse()
        workbook = parser.wb
        if ARC_STYLE in self.sizes:
            self._part(ARC_STYLE)
            apply_stylesheet(self.archive, workbook)
        if len(parser.sheets) > self.limits.max_sheets:
            raise _bomb(
                f"工作簿中的工作表过多（{len(parser.sheets)} 个，上限 {self.limits.max_sheets} 个），请删除多余的工作表后再导入"
            )
        strings = self._shared_strings(manifest)
        grids: list[Grid] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # odd sheets or out-of-range dates: read as openpyxl would
            for sheet, rel in parser.find_sheets():
                if sheet.state != "visible" or rel.target not in self.sizes or "chartsheet" in rel.Type:
                    continue
                cells = WorkSheetParser(
                    None,
                    strings,
                    data_only=False,
                    epoch=workbook.epoch,
                    date_formats=workbook._date_formats,
                    timedelta_formats=workbook._timedelta_formats,
                )
                with self.archive.open(rel.target) as source:
                    grids.append(self._sheet(str(sheet.name), source, cells))
        return grids

    def _part(self, name: str) -> bytes:
        size = self.sizes.get(name)
        if size is None:
            raise _Refused(Refusal("not_xlsx", "不是有效的 .xlsx 文件（缺少工作簿部件）"))
        if size > self.limits.max_part_bytes:
            raise _bomb(f"文件中的“{name}”过大（{size_text(size)}），不是普通表格，请另存为新文件后再导入")
        data = self.archive.read(name)
        if b"<!DOCTYPE" in data:
            raise _Refused(_DOCTYPE)
        return data

    def _shared_strings(self, manifest: Manifest) -> list[str]:
        part = manifest.find("application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml")
        if part is None or part.PartName[1:] not in self.sizes:
            return []
        strings: list[str] = []
        with self.archive.open(part.PartName[1:]) as source:
            for event, element in self._stream(source, inside=_STRING, wanted=frozenset({_STRING})):
                if event == "end":
                    if len(strings) >= self.limits.max_cells:
                        raise self._too_many_cells("")
                    strings.append(Text.from_tree(element).content.replace("x005F_", ""))
        return strings

    def _stream(self, source: IO[bytes], *, inside: str, wanted: frozenset[str]) -> Iterator[tuple[str, Element]]:
        """Yield ("start", row) at each row's start and ("end", element) for each `wanted` element, then drop
        every element from the tree as soon as it ends (elements inside an `inside` element stay until that
        one is done). Stops at the element caps."""
        stack: list[Element] = []
        pop, push = stack.pop, stack.append
        depth_inside = 0  # elements open inside the current `inside` element
        nested = 0  # elements met inside it so far
        limits = self.limits
        max_elements = limits.max_elements - self.elements
        elements = 0
        # Python's expat caps entity expansion (billion laughs) and ElementTree never fetches external
        # entities; a package part has no business declaring a DTD at all, so one is refused outright.
        for event, element in iterparse(_NoDoctype(source), events=("start", "end")):  # noqa: S314 - see above
            if event == "start":
                elements += 1
                if elements > max_elements:
                    raise _bomb(f"表格中的单元格过多（超过 {limits.max_elements} 个，含空白格式），请删除多余的行列后再导入")
                if depth_inside:
                    depth_inside += 1
                    nested += 1
                    if nested > limits.max_cell_elements:
                        raise _bomb("表格中有内容异常复杂的单元格，请另存为新文件后再导入")
                elif element.tag == inside:
                    depth_inside, nested = 1, 0
                elif element.tag == _ROW:
                    yield event, element  # at its start, for its row number
                push(element)
                continue
            pop()
            if depth_inside > 1:
                depth_inside -= 1
                continue  # inside a cell: kept until the cell is done
            depth_inside = 0
            if element.tag in wanted:
                yield event, element
            if stack:
                parent = stack[-1]
                if len(parent) and parent[-1] is element:
                    del parent[-1]
        self.elements += elements

    def _sheet(self, title: str, source: IO[bytes], cells: WorkSheetParser) -> Grid:
        grid = Grid(title=title)
        limits = self.limits
        merges: list[str] = []
        for event, element in self._stream(source, inside=_CELL, wanted=frozenset({_CELL, _MERGE})):
            tag = element.tag
            if event == "start":
                _start_row(cells, element)
            elif tag == _CELL:
                self._cell(grid, cells.parse_cell(element))
            elif tag == _MERGE:
                if len(merges) >= limits.max_merges:
                    raise _bomb(f"工作表“{title}”合并单元格过多（超过 {limits.max_merges} 处），请检查后再导入")
                merges.append(element.get("ref", ""))
        grid.max_row = max((r for r, _ in grid.values), default=0)
        grid.max_column = max((c for _, c in grid.values), default=0)
        self._fill_merged(grid, merges)
        # formula cells keep no value, but stay "occupied" for row-emptiness checks
        for coord in [k for k, v in grid.values.items() if v is None]:
            del grid.values[coord]
        return grid

    def _cell(self, grid: Grid, cell: dict[str, Any]) -> None:
        value = cell["value"]
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        row, column = int(cell["row"]), int(cell["column"])
        limits = self.limits
        if row > limits.max_rows:
            raise _Refused(
                Refusal(
                    "sheet_too_large",
                    f"工作表“{grid.title}”超过 {limits.max_rows} 行（第{row}行有内容），请删除多余的行或分批导入",
                    grid.title,
                    row,
                )
            )
        if column > limits.max_columns:
            raise _Refused(
                Refusal(
                    "sheet_too_large",
                    f"工作表“{grid.title}”超过 {limits.max_columns} 列（{column_letter(column)}列有内容），请删除多余的列后再导入",
                    grid.title,
                    row,
                )
            )
        self._count_cell(grid.title)
        if _is_formula(cell):
            grid.formulas.add((row, column))
            value = None
        grid.values[(row, column)] = value

    def _count_cell(self, title: str) -> None:
        self.cells += 1
        if self.cells > self.limits.max_cells:
            raise self._too_many_cells(title)

    def _too_many_cells(self, title: str) -> _Refused:
        where = f"工作表“{title}”" if title else "表格"
        message = f"{where}内容过多（超过 {self.limits.max_cells} 个单元格），请删除多余的内容或分批导入"
        return _Refused(Refusal("too_many_cells", message, title))

    def _fill_merged(self, grid: Grid, merges: list[str]) -> None:
        for ref in merges:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            if min_col is None or min_row is None or max_col is None or max_row is None:
                continue  # whole rows or columns: nothing to fill from
            # cells beyond the last written cell carry nothing of their own: don't fill them
            max_row = min(max_row, grid.max_row)
            max_col = min(max_col, grid.max_column)
            origin = (min_row, min_col)
            value = grid.values.get(origin)
            if value is None:
                continue
            for row in range(min_row, max_row + 1):
                for column in range(min_col, max_col + 1):
                    if (row, column) != origin:
                        if (row, column) not in grid.values:
                            self._count_cell(grid.title)
                        grid.origins[(row, column)] = origin
                    grid.values[(row, column)] = value


_DOCTYPE = Refusal("unreadable", "文件中含有不允许的 XML 文档类型声明（DTD），拒绝读取")


class _NoDoctype:
    """A read-only view of a package part that refuses it on a document type declaration."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(size)
        if b"<!DOCTYPE" in self.tail + chunk:
            raise _Refused(_DOCTYPE)
        self.tail = chunk[-16:]
        return chunk


def _start_row(cells: WorkSheetParser, element: Element) -> None:
    """Row numbering as openpyxl's parser does it (cells without an address follow the row's number)."""
    number = element.get("r")
    if number is None:
        cells.row_counter += 1
    else:
        value = float(number)
        if not value.is_integer():
            raise ValueError(f"{number} is not a valid row number")
        cells.row_counter = int(value)
    cells.col_counter = 0


def _is_formula(cell: dict[str, Any]) -> bool:
    value = cell["value"]
    if isinstance(value, (ArrayFormula, DataTableFormula)):
        return True
    return bool(cell["data_type"] == "f" and isinstance(value, str) and value.startswith("="))
