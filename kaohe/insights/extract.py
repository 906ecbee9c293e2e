"""The text of an uploaded file: PDF (pypdf), .docx (python-docx), .xlsx cells (openpyxl, read-only), plain text, and
scans or photos through Tesseract OCR (chi_sim) where the ``tesseract`` program is installed.

Bounded and never raising: at most ``MAX_BYTES`` are read, ``MAX_PAGES`` pages (or sheets' rows) looked at and
``MAX_CHARS`` characters kept; zip containers are inspected before anything is unpacked; a malformed file gives
an ``Extraction`` with empty text and a note saying why, in Chinese. Pure Python, no Django.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_BYTES = 50 * MB  # read from the stream at most
MAX_PAGES = 300  # PDF pages (and OCR'd pages) read at most
MAX_CHARS = 300_000  # characters kept
MAX_ROWS = 20_000  # spreadsheet rows read at most, over all sheets
MAX_UNPACKED = 200 * MB  # a zip container's members together, unpacked
MAX_RATIO = 100  # unpacked / packed size of one member above RATIO_GRACE
RATIO_GRACE = 1 * MB
OCR_TIMEOUT = 60  # seconds per page image
OCR_MAX_IMAGES = 20  # page images of one scanned PDF sent to OCR
SCANNED_CHARS_PER_PAGE = 10  # a PDF with fewer extracted characters per page is taken for a scan

NO_OCR = "未安装文字识别（OCR）组件，扫描件未提取文字"
TRUNCATED = "文字过长，只保留前 {chars} 个字"
PAGES_CAPPED = "页数过多，只提取了前 {pages} 页"
UNSUPPORTED = "该类型文件不提取文字"
BROKEN = "{kind}文件已损坏或格式不受支持，未能提取文字"  # users read it: no exception names (they are logged)
ENCRYPTED = "PDF 文件已加密，未能提取文字"
TOO_LARGE = "文件过大，未提取文字"
ZIP_BOMB = "文件解压后过大或压缩比异常，未提取文字"

PDF, DOCX, XLSX, TEXT, OCR, NONE = "pdf", "docx", "xlsx", "text", "ocr", "none"
IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp"})
TEXT_EXTENSIONS = frozenset({"txt", "csv", "md"})


@dataclass(frozen=True)
class Extraction:
    text: str
    pages: int
    method: str
    note: str


class _Refused(Exception):
    pass


def extract_text(filename: str, stream: BinaryIO) -> Extraction:
    """The text of one file, chosen by its content first and its extension second; never raises."""
    extension = os.path.splitext(filename)[1].lower().lstrip(".")
    try:
        raw = stream.read(MAX_BYTES + 1)
    except Exception as exc:
        logger.warning("insights: %s could not be read (%s)", filename, type(exc).__name__)
        return Extraction("", 0, NONE, BROKEN.format(kind=""))
    if len(raw) > MAX_BYTES:
        return Extraction("", 0, NONE, TOO_LARGE)
    kind = _kind(raw, extension)
    try:
        if kind == PDF:
            result = _pdf(raw)
        elif kind == DOCX:
            result = _docx(raw)
        elif kind == XLSX:
            result = _xlsx(raw)
        elif kind == TEXT:
            result = Extraction(_decode(raw), 1, TEXT, "")
        elif kind == OCR:
            result = _ocr_images([raw], pages=1)
        else:
            return Extraction("", 0, NONE, UNSUPPORTED)
    except _Refused as refused:
        return Extraction("", 0, NONE, str(refused))
    except Exception as exc:  # a malformed file is a note, never a crash
        label = {PDF: "PDF ", DOCX: "Word ", XLSX: "Excel ", OCR: "图片"}.get(kind, "")
        logger.info("insights: no text from %s (%s: %s)", filename, type(exc).__name__, exc)
        return Extraction("", 0, NONE, BROKEN.format(kind=label))
    return _capped(result)


def _kind(raw: bytes, extension: str) -> str:
    if raw.startswith(b"%PDF-"):
        return PDF
    if raw.startswith(b"PK\x03\x04"):
        if extension in {"docx", "xlsx"}:
            return DOCX if extension == "docx" else XLSX
        names = _zip_names(raw)
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        return NONE
    if extension in IMAGE_EXTENSIONS or raw[:8] == b"\x89PNG\r\n\x1a\n" or raw[:3] == b"\xff\xd8\xff":
        return OCR
    if extension in TEXT_EXTENSIONS:
        return TEXT
    return NONE


def _zip_names(raw: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return set(archive.namelist())
    except Exception:
        return set()


def _capped(result: Extraction) -> Extraction:
    text = result.text.replace("\x00", "")
    notes = [result.note] if result.note else []
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        notes.append(TRUNCATED.format(chars=MAX_CHARS))
    return Extraction(text.strip(), result.pages, result.method, "；".join(notes))


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _check_zip(raw: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(raw))
    infos = archive.infolist()
    if len(infos) > 2_000 or sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise _Refused(ZIP_BOMB)
    for info in infos:
        if info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _Refused(ZIP_BOMB)
    return archive


def _pdf(raw: bytes) -> Extraction:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(raw))
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                raise _Refused(ENCRYPTED)
        except _Refused:
            raise
        except Exception as exc:
            raise _Refused(ENCRYPTED) from exc
    total = len(reader.pages)
    notes = [PAGES_CAPPED.format(pages=MAX_PAGES)] if total > MAX_PAGES else []
    parts: list[str] = []
    size = 0
    for page in reader.pages[:MAX_PAGES]:
        try:
            piece = page.extract_text() or ""
        except Exception:  # one broken page is skipped, the others kept
            piece = ""
        parts.append(piece)
        size += len(piece)
        if size > MAX_CHARS:
            break
    text = "\n".join(parts).strip()
    if len("".join(text.split())) >= SCANNED_CHARS_PER_PAGE * max(min(total, MAX_PAGES), 1) or total == 0:
        return Extraction(text, total, PDF, "；".join(notes))
    # Too little text for its pages: a scan. Its page images go to OCR when it is installed.
    images = _pdf_images(reader)
    if not images:
        return Extraction(text, total, PDF, "；".join(notes))
    scanned = _ocr_images(images, pages=total)
    if scanned.method != OCR:
        return Extraction(text, total, PDF, "；".join([*notes, scanned.note]))
    return Extraction(
        (text + "\n" + scanned.text).strip(), total, OCR, "；".join([*notes, scanned.note] if scanned.note else notes)
    )


def _pdf_images(reader: object) -> list[bytes]:
    images: list[bytes] = []
    for page in getattr(reader, "pages", [])[:MAX_PAGES]:
        try:
            for image in page.images:
                images.append(image.data)
                if len(images) >= OCR_MAX_IMAGES:
                    return images
        except Exception:  # noqa: S112 - an unreadable image is left out; the page's text is kept
            continue
    return images


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def _ocr_images(images: list[bytes], *, pages: int) -> Extraction:
    program = tesseract_path()
    if program is None:
        return Extraction("", pages, NONE, NO_OCR)
    parts: list[str] = []
    failures = 0
    with tempfile.TemporaryDirectory(prefix="kaohe-ocr-") as folder:
        for index, data in enumerate(images[:OCR_MAX_IMAGES]):
            path = os.path.join(folder, f"page-{index}")
            with open(path, "wb") as handle:
                handle.write(data)
            try:
                done = subprocess.run(  # noqa: S603 - fixed program and arguments
                    [program, path, "stdout", "-l", "chi_sim+eng"],
                    capture_output=True,
                    timeout=OCR_TIMEOUT,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired):
                failures += 1
                continue
            if done.returncode != 0:
                failures += 1
                continue
            parts.append(done.stdout.decode("utf-8", errors="replace"))
    note = f"文字识别失败 {failures} 页" if failures else ""
    if not parts:
        return Extraction("", pages, NONE, note or "文字识别未得到文字")
    return Extraction("\n".join(parts), pages, OCR, note)


def _docx(raw: bytes) -> Extraction:
    from docx import Document

    with _check_zip(raw):
        pass
    document = Document(io.BytesIO(raw))
    lines: list[str] = []
    size = 0
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            line = "".join(node.text or "" for node in block.iter() if node.tag.endswith("}t"))
            lines.append(line)
        elif tag == "tbl":
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row:
                        if cell.tag.endswith("}tc"):
                            cells.append("".join(node.text or "" for node in cell.iter() if node.tag.endswith("}t")))
                    lines.append("\t".join(cells))
        size += len(lines[-1]) if lines else 0
        if size > MAX_CHARS:
            break
    pages = 1 + sum(1 for node in document.element.body.iter() if node.tag.endswith("}br") and node.get(_W_TYPE) == "page")
    return Extraction("\n".join(lines), pages, DOCX, "")


_W_TYPE = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type"


def _xlsx(raw: bytes) -> Extraction:
    from openpyxl import load_workbook

    with _check_zip(raw):
        pass
    workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    lines: list[str] = []
    rows = 0
    size = 0
    capped = False
    try:
        for sheet in workbook.worksheets:
            lines.append(f"【{sheet.title}】")
            for row in sheet.iter_rows(values_only=True):
                rows += 1
                if rows > MAX_ROWS or size > MAX_CHARS:
                    capped = True
                    break
                cells = ["" if value is None else str(value) for value in row]
                line = "\t".join(cells).rstrip()
                if line:
                    lines.append(line)
                    size += len(line)
            if capped:
                break
        sheets = len(workbook.worksheets)
    finally:
        workbook.close()
    return Extraction("\n".join(lines), sheets, XLSX, f"行数过多，只提取了前 {MAX_ROWS} 行" if rows > MAX_ROWS else "")
