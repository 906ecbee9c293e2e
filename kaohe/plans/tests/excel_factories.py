"""Small workbooks built in code for the Excel import/export tests (no files on disk needed)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = datetime.combine(date(2020, 11, 1), datetime.min.time())
WIDE_HEADER = ["一级指标", "二级指标", "工作任务", "考核方式", "时间要求", "工作要求", "责任主体"]


@dataclass
class SheetSpec:
    """Rows of values (None = empty cell) written from A1, plus merged ranges like "A3:A5"."""

    rows: Sequence[Sequence[Any]]
    title: str = "Sheet1"
    merges: Iterable[str] = ()
    formulas: dict[str, str] = field(default_factory=dict)  # "D3" -> "=1+1"
    hidden: bool = False


def workbook_bytes(*sheets: SheetSpec) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        ws = workbook.create_sheet(spec.title)
        for row in spec.rows:
            ws.append(list(row))
        for coordinate, formula in spec.formulas.items():
            ws[coordinate] = formula
        for merged in spec.merges:
            ws.merge_cells(merged)
        if spec.hidden:
            ws.sheet_state = "hidden"
    return save(workbook)


def save(workbook: Workbook) -> bytes:
    """Workbook bytes, identical from run to run (Workbook.save would stamp the current time)."""
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


def sheet(*rows: Sequence[Any], **kwargs: Any) -> bytes:
    """A one-sheet workbook."""
    return workbook_bytes(SheetSpec(rows=rows, **kwargs))


def task_row(
    level1: str | None = "一、依法全面履行政府职能13分",
    level2: str | None = "规范行政权力运行2.5分",
    task: str | None = "证明事项清理情况",
    method: str | None = "报送资料:证明事项清理报告 1分",
    deadline: Any = "2020-12-31",
    requirement: str | None = "凡没有依据的证明事项应当立即清理",
    assessor: str | None = "市委编办",
) -> list[Any]:
    return [level1, level2, task, method, deadline, requirement, assessor]


def wide_table(*rows: list[Any], title_rows: int = 0, **kwargs: Any) -> bytes:
    """附件3/5 layout: optional title rows, the header row, then the given data rows."""
    titles: list[list[Any]] = [["平顶山市2020年度依法行政考核内容"]] * title_rows
    return sheet(*titles, WIDE_HEADER, *rows, **kwargs)


# -- files that are not plain .xlsx ---------------------------------------------------------------

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def cfb_file(*, encrypted: bool) -> bytes:
    """A fabricated OLE/CFB container: header sector + one directory sector.

    An encrypted OOXML file is a CFB container holding "EncryptionInfo" and "EncryptedPackage"
    streams; a legacy .xls holds a "Workbook" stream. Directory entry names are UTF-16LE.
    """
    header = CFB_MAGIC + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 480
    names = ["Root Entry", "EncryptionInfo", "EncryptedPackage"] if encrypted else ["Root Entry", "Workbook"]
    directory = b""
    for name in names:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry = encoded.ljust(64, b"\x00") + len(encoded).to_bytes(2, "little") + b"\x02" + b"\x00" * 61
        directory += entry
    return header + directory.ljust(512, b"\x00") + b"\x00" * 1024


def pdf_file() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def zip_with_member(name: str, size: int, *, xlsx_like: bool = True) -> bytes:
    """A zip whose member really decompresses to `size` zero bytes (streamed, low memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        if xlsx_like:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open(name, "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            remaining = size
            while remaining > 0:
                member.write(chunk[: min(remaining, len(chunk))])
                remaining -= len(chunk)
    return buffer.getvalue()


def plain_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# -- 附件4 layout ----------------------------------------------------------------------------------


def annex4_table() -> bytes:
    """Two-row header: "考核指标" over 一级/二级; 考核内容/考核要求/考核方式 merged vertically."""
    rows: list[list[str | None]] = [
        ["附件4"],
        ["平顶山市2020年度依法行政考核内容"],
        ["考核指标", None, "考核内容", "考核要求", "考核方式"],
        ["一级指标", "二级指标", None, None, None],
        ["一、听取汇报(3分)", "1. 听取考核对象推进依法行政工作情况汇报(2分)", "汇报整体情况", "领导重视", "实地考核"],
        [None, "2. 座谈了解情况(1分)", "了解营商环境情况", "结合实际", "实地考核"],
        ["二、依法行政能力测试(7分)", "3. 领导干部依法行政能力测试(5分)", "现场随机提问", "思路清晰", "实地考核"],
        [None, "4. 机关人员依法行政能力测试(2分)", "抽取工作人员测试", "掌握牢固", "实地考核"],
    ]
    return sheet(*rows, title="附件4", merges=["A3:B3", "C3:C4", "D3:D4", "E3:E4", "A5:A6", "A7:A8"])


def image_only_sheet() -> bytes | None:
    """A sheet holding just a picture; None when Pillow is not installed."""
    try:
        from openpyxl.drawing.image import Image
        from PIL import Image as PILImage
    except ImportError:
        return None
    picture = io.BytesIO()
    PILImage.new("RGB", (20, 20), "red").save(picture, format="PNG")
    picture.seek(0)
    workbook = Workbook()
    workbook.active.add_image(Image(picture), "B2")
    return save(workbook)
