"""The guarded .docx table reader: every table of a Word document as a cell grid, like ``xlsx_read``.

Indicator tables are often published as Word documents. This reads the tables of ``word/document.xml``
into the same ``Grid`` the .xlsx reader gives (merged cells filled from their top-left cell, ``origins``
kept), so the importers read both through one path. It refuses, with a Chinese message, before a file can
cost more than a bounded amount of memory and time:

1. the raw size is checked while reading the upload (``Limits.max_bytes``);
2. the zip's central directory is inspected before anything is decompressed (``xlsx_read._inspect``'s
   checks: number of members, total unpacked size, compression ratio of each member), and the document
   part must exist and be under ``Limits.max_part_bytes`` unpacked;
3. a document type declaration (DTD) is refused outright; Python's expat never fetches external entities;
4. rows, columns and cells are capped as in ``xlsx_read.Limits``.

A table cell spanning columns (``w:gridSpan``) or rows (``w:vMerge``) is a merged range. Nested tables are
read as text of their cell. The paragraph just before each table is kept as its caption (the title).
Documents without a table return no grid and the document's paragraphs, so the caller can tell prose.

Pure Python, no Django, no python-docx (its object model hides merged ranges; the XML is read directly).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.etree.ElementTree import Element, fromstring

from kaohe.core.xlsx_read import MB, Grid, Limits, Refusal, size_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCUMENT = "word/document.xml"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class DocxResult:
    grids: list[Grid] = field(default_factory=list)  # one per table, titled 表格1, 表格2 …
    captions: dict[str, str] = field(default_factory=dict)  # grid title -> the paragraph before the table
    paragraphs: list[str] = field(default_factory=list)  # body text outside tables
    refusal: Refusal | None = None


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def is_docx(raw: bytes) -> bool:
    """A zip holding a Word document part (checked on the central directory only)."""
    if not raw.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return DOCUMENT in archive.namelist()
    except Exception:  # a broken zip is the .xlsx reader's to refuse
        return False


def read_docx(data: bytes | BinaryIO, limits: Limits) -> DocxResult:
    """Every table of a .docx upload within ``limits``; never raises on bad input."""
    try:
        raw = data if isinstance(data, bytes) else data.read(limits.max_bytes + 1)
        if len(raw) > limits.max_bytes:
            raise _Refused(Refusal("file_too_large", f"文件过大，上限 {size_text(limits.max_bytes)}"))
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            _inspect(archive, limits)
            xml = archive.read(DOCUMENT)
        if b"<!DOCTYPE" in xml:
            raise _Refused(Refusal("unreadable", "文件中含有不允许的 XML 文档类型声明（DTD），拒绝读取"))
        return _Document(limits).read(fromstring(xml))  # noqa: S314 - DTDs refused above, expat fetches nothing
    except _Refused as refused:
        return DocxResult(refusal=refused.refusal)
    except Exception as exc:
        return DocxResult(refusal=Refusal("unreadable", f"Word 文档已损坏或格式不受支持，无法读取（{type(exc).__name__}）"))


def _inspect(archive: zipfile.ZipFile, limits: Limits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise _bomb(f"压缩包内文件过多（{len(infos)} 个，上限 {limits.max_members} 个），不是普通 Word 文档")
    if sum(info.file_size for info in infos) > limits.unpacked_limit:
        raise _bomb(f"文件解压后超过 {size_text(limits.unpacked_limit)}，可能已损坏或不是普通 Word 文档")
    for info in infos:
        if info.file_size > limits.ratio_grace and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _bomb(f"文件中的“{info.filename}”压缩比异常（解压后 {size_text(info.file_size)}），可能是压缩炸弹，拒绝读取")
    sizes = {info.filename: info.file_size for info in infos}
    if DOCUMENT not in sizes:
        raise _Refused(Refusal("not_docx", "不是有效的 .docx 文件（缺少正文部件）"))
    if sizes[DOCUMENT] > max(limits.max_part_bytes, 4 * MB):
        raise _bomb(f"文档正文过大（{size_text(sizes[DOCUMENT])}），请删除无关内容后再导入")


def _bomb(message: str) -> _Refused:
    return _Refused(Refusal("zip_bomb", message))


def _text(element: Element) -> str:
    """Text of a paragraph or cell: runs joined, paragraphs on their own lines, tabs and breaks kept."""
    lines: list[str] = []
    for paragraph in element.iter(f"{W}p"):
        parts: list[str] = []
        for node in paragraph.iter():
            if node.tag == f"{W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{W}tab":
                parts.append("\t")
            elif node.tag in (f"{W}br", f"{W}cr"):
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines).strip()


def _int_attr(element: Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return max(1, int(element.get(f"{W}val", default)))
    except ValueError:
        return default


class _Document:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0
        self.result = DocxResult()

    def read(self, root: Element) -> DocxResult:
        body = root.find(f"{W}body")
        if body is None:
            raise _Refused(Refusal("not_docx", "不是有效的 .docx 文件（没有正文）"))
        last_paragraph = ""
        for child in body:
            if child.tag == f"{W}p":
                text = _text(child)
                if text:
                    self.result.paragraphs.append(text)
                    last_paragraph = text
            elif child.tag == f"{W}tbl":
                title = f"表格{len(self.result.grids) + 1}"
                grid = self._table(child, title)
                if grid.values:
                    self.result.grids.append(grid)
                    if last_paragraph:
                        self.result.captions[title] = last_paragraph
                last_paragraph = ""
        return self.result

    def _table(self, table: Element, title: str) -> Grid:
        grid = Grid(title=title)
        vertical: dict[int, tuple[int, int]] = {}  # column -> origin of an open vertical merge
        for row_number, row in enumerate(table.findall(f"{W}tr"), start=1):
            if row_number > self.limits.max_rows:
                raise _bomb(f"表格“{title}”行数过多（超过 {self.limits.max_rows} 行）")
            properties = row.find(f"{W}trPr")
            column = 1 + (_int_attr(properties.find(f"{W}gridBefore"), 0) if properties is not None else 0)
            for cell in row.findall(f"{W}tc"):
                cell_props = cell.find(f"{W}tcPr")
                span = _int_attr(cell_props.find(f"{W}gridSpan") if cell_props is not None else None, 1)
                merge = cell_props.find(f"{W}vMerge") if cell_props is not None else None
                if column + span - 1 > self.limits.max_columns:
                    raise _bomb(f"表格“{title}”列数过多（超过 {self.limits.max_columns} 列）")
                continues = merge is not None and merge.get(f"{W}val", "continue") == "continue"
                origin = vertical.get(column) if continues else None
                if origin is None:
                    origin = (row_number, column)
                    text = _text(cell)
                    if text:
                        grid.values[origin] = text
                        self._count(title)
                    if merge is not None:
                        vertical[column] = origin
                    else:
                        vertical.pop(column, None)
                for offset in range(span):
                    coord = (row_number, column + offset)
                    if coord != origin:
                        grid.origins[coord] = origin
                        if origin in grid.values:
                            grid.values[coord] = grid.values[origin]
                            self._count(title)
                column += span
            grid.max_row = row_number
            grid.max_column = max(grid.max_column, column - 1)
        return grid

    def _count(self, title: str) -> None:
        self.cells += 1
        if self.cells > self.limits.max_cells:
            raise _bomb(f"表格“{title}”单元格过多（超过 {self.limits.max_cells} 个）")
