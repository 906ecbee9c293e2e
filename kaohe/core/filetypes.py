"""What an uploaded file really is, told from its bytes rather than its name.

:func:`detect` looks at the first bytes of an upload (and, for ZIP containers, the last bytes, where
the central directory lives) and decides the evidence kind: PDF, image, Word/Excel/PowerPoint, WPS,
OFD, archive, video or plain text. Executables, web pages and SVG are refused whatever they are
called, and the name's extension must agree with what the bytes are.

Magic numbers come from the ``filetype`` library; this module adds what it lacks: OFD (a ZIP with
``OFD.xml``), reading the ZIP central directory (names only, nothing is ever extracted), the
directory of OLE compound files (doc/xls/ppt, and MSI installers), HTML/SVG/script sniffing and
the text check. :class:`TextGuard` repeats the text check on every chunk of a streamed upload.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
from dataclasses import dataclass

import filetype
from django.db import models


class Kind(models.TextChoices):
    PDF = "pdf", "PDF 文档"
    IMAGE = "image", "图片"
    WORD = "word", "Word 文档"
    EXCEL = "excel", "Excel 表格"
    POWERPOINT = "powerpoint", "PowerPoint 演示文稿"
    WPS = "wps", "WPS 文档"
    OFD = "ofd", "OFD 版式文档"
    ARCHIVE = "archive", "压缩包"
    VIDEO = "video", "视频"
    TEXT = "text", "文本文件"
    REJECTED = "rejected", "不允许的文件"


@dataclass(frozen=True)
class Detection:
    """The verdict on one file. ``extension`` is what the stored copy is named with (no dot)."""

    kind: Kind
    mime: str
    label: str
    accepted: bool
    reason: str = ""
    extension: str = ""
    content: str = ""  # what the bytes are, in words ("ZIP 压缩包"), for messages and logs
    tentative: bool = False  # a ZIP whose central directory has not been seen yet; confirm with the tail


class ContentRejected(Exception):
    """Raised by :class:`TextGuard` when a later chunk of a text upload turns out not to be plain text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Extensions each kind may carry. A known extension must agree with the content's kind.
EXTENSIONS: dict[Kind, frozenset[str]] = {
    Kind.PDF: frozenset({"pdf"}),
    Kind.IMAGE: frozenset({"jpg", "jpeg", "jpe", "jfif", "png", "gif", "bmp", "webp", "tif", "tiff", "heic", "heif", "avif"}),
    Kind.WORD: frozenset({"doc", "docx", "dot", "dotx", "rtf", "odt"}),
    Kind.EXCEL: frozenset({"xls", "xlsx", "xlt", "xltx", "ods"}),
    Kind.POWERPOINT: frozenset({"ppt", "pptx", "pps", "ppsx", "pot", "potx", "odp"}),
    Kind.WPS: frozenset({"wps", "et", "dps"}),
    Kind.OFD: frozenset({"ofd"}),
    Kind.ARCHIVE: frozenset({"zip", "rar", "7z", "gz", "tgz", "tar"}),
    Kind.VIDEO: frozenset({"mp4", "m4v", "mov", "avi", "wmv", "mkv", "flv", "webm", "mpg", "mpeg", "3gp"}),
    Kind.TEXT: frozenset({"txt", "csv"}),
}
_KIND_OF_EXTENSION = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}

# Refused by name alone (programs, scripts, web pages, macro-enabled Office files), whatever the bytes.
DANGEROUS_EXTENSIONS = frozenset(
    {
        "exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "mst", "dll", "sys", "cpl", "ocx", "jar",
        "apk", "ipa", "app", "dmg", "pkg", "deb", "rpm", "sh", "bash", "zsh", "csh", "ps1", "psm1", "vb",
        "vbs", "vbe", "js", "jse", "mjs", "wsf", "wsh", "hta", "htm", "html", "xhtml", "shtml", "mht",
        "mhtml", "svg", "svgz", "php", "asp", "aspx", "jsp", "py", "pl", "rb", "lnk", "url", "reg", "inf",
        "chm", "swf", "docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "ppam",
    }
)  # fmt: skip

# Office formats that may arrive as a ZIP (OOXML/ODF/OFD): a partial view of the ZIP can't refute them.
_ZIP_CAPABLE = frozenset({Kind.WORD, Kind.EXCEL, Kind.POWERPOINT, Kind.WPS, Kind.OFD})
# Extensions an OLE compound file may carry (OOXML ones too: password-protected OOXML is an OLE file).
_OLE_CAPABLE_EXTENSIONS = frozenset(
    {"doc", "dot", "xls", "xlt", "ppt", "pps", "pot", "wps", "et", "dps", "docx", "dotx", "xlsx", "xltx", "pptx", "ppsx", "potx"}
)
_OLE_MIME = {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}
_OLE_SUBTYPE_KIND = {"doc": Kind.WORD, "xls": Kind.EXCEL, "ppt": Kind.POWERPOINT}
_MIME_BY_EXTENSION = {
    "doc": "application/msword",
    "dot": "application/msword",
    "xls": "application/vnd.ms-excel",
    "xlt": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "pps": "application/vnd.ms-powerpoint",
    "pot": "application/vnd.ms-powerpoint",
    "wps": "application/msword",
    "et": "application/vnd.ms-excel",
    "dps": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "dotx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xltx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ppsx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "potx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "ofd": "application/ofd",
}

EMPTY = "空文件"
EXECUTABLE = "文件内容是可执行程序，不允许上传"
SVG = "文件内容是 SVG 图形（可能含有脚本），不允许上传"
NOT_TEXT = "文本文件须为 UTF-8 或 GB18030（GBK）编码的纯文本，且不含二进制内容"
TEXT_HAS_MARKUP = "文本文件中含有网页或脚本代码，不允许上传"
UNKNOWN = "无法识别的文件类型。可上传 PDF、图片、Word/Excel/PowerPoint/WPS 文档、OFD、压缩包、视频，以及 .txt/.csv 文本"


def html_reason(extension: str) -> str:
    if extension and extension not in {"htm", "html", "xhtml", "shtml"}:
        return f"文件内容是网页（HTML），与扩展名 .{extension} 不符"
    return "文件内容是网页（HTML），不允许上传"


def mismatch_reason(extension: str, content: str) -> str:
    return f"扩展名 .{extension} 与文件内容（{content}）不符"


def extension_of(name: str) -> str:
    """The lower-case extension without the dot, or "" when the name has none that looks like one."""
    _, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,10}", ext):
        return ""
    return ext.lower()


def is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


# --- what the bytes are ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Content:
    """What sniffing found. ``kind`` None means the family is not settled by the bytes alone."""

    verdict: str  # "ok", "executable", "html", "svg", "unsupported", "ole", "text", "unknown"
    kind: Kind | None = None
    mime: str = "application/octet-stream"
    extension: str = ""
    description: str = "无法识别的数据"
    container: str = ""  # "zip" or "ole"
    tentative: bool = False


_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O 32/64, both byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary, and Java classes
    b"dex\n",  # Android
    b"\x00asm",  # WebAssembly
    b"ITSF",  # compiled HTML help (.chm)
    b"L\x00\x00\x00\x01\x14\x02\x00",  # Windows shortcut (.lnk)
)
_EXECUTABLE_FILETYPES = frozenset({"exe", "elf", "swf", "wasm", "crx", "deb", "rpm"})

# filetype's extension → (kind, canonical extension, description). OLE, ZIP and ISO-BMFF are handled here.
_FILETYPE_KINDS: dict[str, tuple[Kind, str, str]] = {
    "pdf": (Kind.PDF, "pdf", "PDF 文档"),
    "jpg": (Kind.IMAGE, "jpg", "JPEG 图片"),
    "png": (Kind.IMAGE, "png", "PNG 图片"),
    "apng": (Kind.IMAGE, "png", "PNG 图片"),
    "gif": (Kind.IMAGE, "gif", "GIF 图片"),
    "webp": (Kind.IMAGE, "webp", "WebP 图片"),
    "tif": (Kind.IMAGE, "tif", "TIFF 图片"),
    "bmp": (Kind.IMAGE, "bmp", "BMP 图片"),
    "rtf": (Kind.WORD, "rtf", "RTF 文档"),
    "rar": (Kind.ARCHIVE, "rar", "RAR 压缩包"),
    "7z": (Kind.ARCHIVE, "7z", "7z 压缩包"),
    "gz": (Kind.ARCHIVE, "gz", "gzip 压缩包"),
    "tar": (Kind.ARCHIVE, "tar", "tar 归档"),
    "mkv": (Kind.VIDEO, "mkv", "MKV 视频"),
    "webm": (Kind.VIDEO, "webm", "WebM 视频"),
    "avi": (Kind.VIDEO, "avi", "AVI 视频"),
    "wmv": (Kind.VIDEO, "wmv", "WMV 视频"),
    "mpg": (Kind.VIDEO, "mpg", "MPEG 视频"),
    "flv": (Kind.VIDEO, "flv", "FLV 视频"),
}
_FILETYPE_MIME_FIX = {"apng": "image/png", "tif": "image/tiff", "rar": "application/vnd.rar"}


def _sniff(head: bytes, tail: bytes | None) -> _Content:
    if _is_executable(head):
        return _Content("executable", mime="application/x-msdownload", description="可执行程序")
    if is_zip(head):
        return _zip_content(head, tail)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _ole_content(head)
    if head[4:8] == b"ftyp" and len(head) >= 12:
        return _isobmff_content(head)
    match = filetype.guess(head)
    if match is not None:
        if match.extension in _EXECUTABLE_FILETYPES:
            return _Content("executable", mime=match.mime, description="可执行程序")
        known = _FILETYPE_KINDS.get(match.extension)
        if known is None:
            return _Content("unsupported", mime=match.mime, description=f"{match.extension.upper()} 文件")
        kind, ext, description = known
        return _Content("ok", kind, _FILETYPE_MIME_FIX.get(match.extension, match.mime), ext, description)
    markup = sniff_markup(head)
    if markup == "svg":
        return _Content("svg", mime="image/svg+xml", description="SVG 图形")
    if markup == "html":
        return _Content("html", mime="text/html", description="网页（HTML）")
    try:
        TextGuard().feed(head)
    except ContentRejected:
        return _Content("unknown")
    return _Content("text", mime="text/plain", description="纯文本")


def _is_executable(head: bytes) -> bool:
    if head.startswith(_EXECUTABLE_MAGIC):
        return True
    # Scripts with an interpreter line; "#!AMR" is an audio format, refused elsewhere.
    stripped = head.removeprefix(codecs.BOM_UTF8)
    return stripped.startswith(b"#!") and not stripped.startswith(b"#!AMR")


# Markup that a browser could run or render: refused in any upload that is not a recognised binary format.
_MARKUP = re.compile(
    r"<(?:script|html|body|head|iframe|frame|frameset|svg|object|embed|meta|link|style|form|applet|base)[\s/>]"
    r"|<!doctype\s+html|(?:javascript|vbscript)\s*:",
    re.IGNORECASE,
)
_LEADING_HTML = re.compile(
    r"<(?:!--|!doctype|html|head|body|script|iframe|h[1-6]|div|font|table|a|style|title|b|br|p|img|span|form)[\s/>]",
    re.IGNORECASE,
)
_SVG = re.compile(r"<svg[\s/>]|<!doctype\s+svg", re.IGNORECASE)


def sniff_markup(head: bytes) -> str:
    """Return "svg", "html" or "" for bytes that a browser would treat as markup."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore")
    else:
        # Latin-1 keeps every ASCII tag visible whatever the real encoding (UTF-8, GB18030).
        text = head.decode("latin-1")
    if _SVG.search(text):
        return "svg"
    if _MARKUP.search(text) or _LEADING_HTML.match(text.lstrip(" \t\r\n\f\ufeff\xef\xbb\xbf")):
        return "html"
    return ""


# --- ZIP: OOXML, OFD, ODF or a plain archive ------------------------------------------------------


def zip_names(head: bytes, tail: bytes | None) -> tuple[list[str], bool]:
    """Entry names of a ZIP, and whether the list is complete.

    With ``tail`` (the last bytes of the file, or the whole file), the central directory is read
    with :mod:`zipfile`: names only, no member is opened. Otherwise, or when the directory does not
    fit in the tail, the local file headers inside ``head`` are walked: a partial list.
    """
    if tail is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(tail)) as archive:
                return archive.namelist(), True
        except Exception:  # any malformed directory: fall back to the partial view
            names = _local_header_names(head)
        return names, False
    return _local_header_names(head), False


def _local_header_names(head: bytes, limit: int = 512) -> list[str]:
    names: list[str] = []
    pos = 0
    while len(names) < limit and pos + 30 <= len(head) and head[pos : pos + 4] == b"PK\x03\x04":
        (flags,) = struct.unpack_from("<H", head, pos + 6)
        (compressed,) = struct.unpack_from("<I", head, pos + 18)
        name_length, extra_length = struct.unpack_from("<HH", head, pos + 26)
        name_end = pos + 30 + name_length
        if name_end > len(head):
            break
        names.append(head[pos + 30 : name_end].decode("utf-8" if flags & 0x800 else "cp437", errors="replace"))
        data_start = name_end + extra_length
        if flags & 0x08 or compressed == 0xFFFFFFFF:
            # Sizes follow the data (or live in a ZIP64 extra field): look for the next header instead.
            pos = head.find(b"PK\x03\x04", data_start)
            if pos < 0:
                break
        else:
            pos = data_start + compressed
    return names


def _zip_content(head: bytes, tail: bytes | None) -> _Content:
    names, complete = zip_names(head, tail)
    if any(name.lower() == "ofd.xml" for name in names):
        return _Content("ok", Kind.OFD, "application/ofd", "ofd", "OFD 版式文档", container="zip")
    # OOXML needs [Content_Types].xml; a partial view (head only) settles for the part folders.
    ooxml = "[Content_Types].xml" in names or not complete
    for prefix, kind, ext, description in (
        ("word/", Kind.WORD, "docx", "Word 文档"),
        ("xl/", Kind.EXCEL, "xlsx", "Excel 表格"),
        ("ppt/", Kind.POWERPOINT, "pptx", "PowerPoint 演示文稿"),
    ):
        if ooxml and any(name.startswith(prefix) for name in names):
            return _Content("ok", kind, _MIME_BY_EXTENSION[ext], ext, description, container="zip")
    if names[:1] == ["mimetype"]:
        match = filetype.guess(head)
        odf = {"odt": (Kind.WORD, "OpenDocument 文本"), "ods": (Kind.EXCEL, "OpenDocument 表格")}
        odf["odp"] = (Kind.POWERPOINT, "OpenDocument 演示文稿")
        if match is not None and match.extension in odf:
            kind, description = odf[match.extension]
            return _Content("ok", kind, match.mime, match.extension, description, container="zip")
    return _Content("ok", Kind.ARCHIVE, "application/zip", "zip", "ZIP 压缩包", container="zip", tentative=not complete)


# --- OLE compound files: doc/xls/ppt (and WPS/ET/DPS), MSI installers -----------------------------

_MSI_CLSIDS = frozenset(
    bytes.fromhex(h)
    for h in (
        "84100c0000000000c000000000000046",  # installer package (.msi)
        "86100c0000000000c000000000000046",  # patch (.msp)
        "82100c0000000000c000000000000046",  # transform (.mst)
    )
)


def ole_entries(head: bytes) -> tuple[list[str], bytes]:
    """Names in an OLE compound file's directory, and the root entry's CLSID, as far as ``head`` reaches.

    Follows the directory's sector chain through the FAT while both lie inside ``head``.
    """
    if len(head) < 512:
        return [], b""
    (shift,) = struct.unpack_from("<H", head, 0x1E)
    if shift not in (9, 12):
        return [], b""
    sector = 1 << shift
    (fat_count,) = struct.unpack_from("<I", head, 0x2C)
    (sid,) = struct.unpack_from("<I", head, 0x30)
    difat = struct.unpack_from("<109I", head, 0x4C)[: min(fat_count, 109)]
    per_fat_sector = sector // 4
    names: list[str] = []
    clsid = b""
    seen: set[int] = set()
    while sid < 0xFFFFFFFA and sid not in seen and len(seen) < 64:
        seen.add(sid)
        offset = (sid + 1) * sector
        if offset + sector > len(head):
            break
        for entry in range(offset, offset + sector, 128):
            (name_length,) = struct.unpack_from("<H", head, entry + 0x40)
            entry_type = head[entry + 0x42]
            if entry_type == 0 or not 2 <= name_length <= 64:
                continue
            names.append(head[entry : entry + name_length - 2].decode("utf-16-le", errors="replace"))
            if entry_type == 5:
                clsid = head[entry + 0x50 : entry + 0x60]
        fat_index = sid // per_fat_sector
        if fat_index >= len(difat):
            break
        next_at = (difat[fat_index] + 1) * sector + 4 * (sid % per_fat_sector)
        if next_at + 4 > len(head):
            break
        (sid,) = struct.unpack_from("<I", head, next_at)
    return names, clsid


def _ole_content(head: bytes) -> _Content:
    names, clsid = ole_entries(head)
    if clsid in _MSI_CLSIDS:
        return _Content("executable", mime="application/x-msi", description="安装程序")
    subtype = ""
    if "WordDocument" in names:
        subtype = "doc"
    elif "Workbook" in names or "Book" in names:
        subtype = "xls"
    elif "PowerPoint Document" in names:
        subtype = "ppt"
    else:
        match = filetype.document_match(head)
        if match is not None and match.extension in _OLE_MIME:
            subtype = match.extension
    if not subtype:
        return _Content("ole", description="Office 97-2003 文档", container="ole")
    kind = _OLE_SUBTYPE_KIND[subtype]
    description = {"doc": "Word 97-2003 文档", "xls": "Excel 97-2003 表格", "ppt": "PowerPoint 97-2003 演示文稿"}[subtype]
    return _Content("ok", kind, _OLE_MIME[subtype], subtype, description, container="ole")


# --- ISO base media (ftyp box): MP4/MOV/3GP video, HEIC/AVIF images, M4A audio --------------------


def _isobmff_content(head: bytes) -> _Content:
    brand = head[8:12]
    if brand in {b"avif", b"avis"}:
        return _Content("ok", Kind.IMAGE, "image/avif", "avif", "AVIF 图片")
    if brand in {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}:
        return _Content("ok", Kind.IMAGE, "image/heic", "heic", "HEIC 图片")
    if brand in {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}:
        return _Content("unsupported", mime="audio/mp4", description="M4A 音频")
    if brand == b"qt  ":
        return _Content("ok", Kind.VIDEO, "video/quicktime", "mov", "QuickTime 视频")
    if brand.startswith((b"3gp", b"3g2")):
        return _Content("ok", Kind.VIDEO, "video/3gpp", "3gp", "3GP 视频")
    if brand in {b"M4V ", b"M4VH", b"M4VP"}:
        return _Content("ok", Kind.VIDEO, "video/x-m4v", "m4v", "M4V 视频")
    return _Content("ok", Kind.VIDEO, "video/mp4", "mp4", "MP4 视频")


# --- text --------------------------------------------------------------------------------------------

_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")


class TextGuard:
    """Checks a .txt/.csv upload chunk by chunk: UTF-8 or GB18030, no control characters, no markup.

    Starts as UTF-8 (a BOM is allowed); while everything so far was ASCII it may still switch to
    GB18030. Keeps only a few characters between chunks, so memory stays flat.
    """

    def __init__(self) -> None:
        self._decoder: codecs.IncrementalDecoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._encoding = "utf-8"
        self._ascii_so_far = True
        self._started = False
        self._carry = ""

    def feed(self, chunk: bytes) -> None:
        if not self._started:
            self._started = True
            if chunk.startswith(codecs.BOM_UTF8):
                self._ascii_so_far = False  # declared UTF-8: no switching
        if b"\x00" in chunk:
            raise ContentRejected(NOT_TEXT)
        try:
            text = self._decoder.decode(chunk)
        except UnicodeDecodeError:
            if self._encoding != "utf-8" or not self._ascii_so_far:
                raise ContentRejected(NOT_TEXT) from None
            pending, _ = self._decoder.getstate()
            self._decoder = codecs.getincrementaldecoder("gb18030")()
            self._encoding = "gb18030"
            try:
                text = self._decoder.decode(pending + chunk)
            except UnicodeDecodeError:
                raise ContentRejected(NOT_TEXT) from None
        self._check(text)

    def finish(self) -> None:
        try:
            text = self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ContentRejected(NOT_TEXT) from None
        self._check(text)

    def _check(self, text: str) -> None:
        if _BAD_CONTROL.search(text):
            raise ContentRejected(NOT_TEXT)
        window = self._carry + text
        if _MARKUP.search(window):
            raise ContentRejected(TEXT_HAS_MARKUP)
        self._carry = window[-64:]
        if self._ascii_so_far and not text.isascii():
            self._ascii_so_far = False


# --- the verdict -------------------------------------------------------------------------------------


def _accept(kind: Kind, mime: str, extension: str, content: str, *, tentative: bool = False) -> Detection:
    return Detection(
        kind=kind,
        mime=mime,
        label=kind.label,
        accepted=True,
        extension=extension,
        content=content,
        tentative=tentative,
    )


def _reject(reason: str, *, mime: str = "application/octet-stream", content: str = "") -> Detection:
    return Detection(kind=Kind.REJECTED, mime=mime, label=Kind.REJECTED.label, accepted=False, reason=reason, content=content)


def detect(head: bytes, original_name: str, *, tail: bytes | None = None) -> Detection:
    """Decide what a file is from its first bytes (``head``) and its name.

    ``tail`` is the last bytes of the file (pass ``head`` again when it holds the whole file): for a
    ZIP it lets the central directory settle OOXML/OFD/plain ZIP. Without it a ZIP whose head is not
    conclusive is accepted as the kind its extension names, with ``tentative=True``.
    """
    ext = extension_of(original_name)
    if not head:
        return _reject(EMPTY, content="空文件")
    content = _sniff(head, tail)
    if content.verdict == "executable":
        return _reject(EXECUTABLE, mime=content.mime, content=content.description)
    if content.verdict == "html":
        reason = TEXT_HAS_MARKUP if _KIND_OF_EXTENSION.get(ext) is Kind.TEXT else html_reason(ext)
        return _reject(reason, mime=content.mime, content=content.description)
    if content.verdict == "svg":
        return _reject(SVG, mime=content.mime, content=content.description)
    if ext in DANGEROUS_EXTENSIONS:
        return _reject(f"不允许上传扩展名为 .{ext} 的文件", mime=content.mime, content=content.description)
    ext_kind = _KIND_OF_EXTENSION.get(ext)

    if content.verdict == "text":
        if ext_kind is Kind.TEXT:
            return _accept(Kind.TEXT, "text/csv" if ext == "csv" else "text/plain", ext, content.description)
        if ext_kind is None:
            return _reject(f"不支持的文件类型（{content.description}）：文本文件请使用 .txt 或 .csv 扩展名")
        return _reject(mismatch_reason(ext, content.description), mime=content.mime, content=content.description)
    if content.verdict == "unknown":
        if ext_kind is Kind.TEXT:
            return _reject(NOT_TEXT, content=content.description)
        if ext_kind is None:
            return _reject(UNKNOWN, content=content.description)
        return _reject(mismatch_reason(ext, content.description), content=content.description)
    if content.verdict == "unsupported":
        if ext_kind is None:
            return _reject(f"不支持的文件类型（{content.description}）", mime=content.mime, content=content.description)
        return _reject(mismatch_reason(ext, content.description), mime=content.mime, content=content.description)

    if content.verdict == "ole":  # a compound file whose directory named nothing: trust an Office extension
        if ext in _OLE_CAPABLE_EXTENSIONS:
            return _accept(_KIND_OF_EXTENSION[ext], _MIME_BY_EXTENSION[ext], ext, content.description)
        if ext_kind is None:
            return _reject(
                "无法识别的 Office 97-2003 文档，请确认扩展名为 .doc、.xls、.ppt、.wps、.et 或 .dps",
                content=content.description,
            )
        return _reject(mismatch_reason(ext, content.description), content=content.description)

    kind = content.kind
    if kind is None:  # only "ok" verdicts reach here, and they always carry a kind
        return _reject(UNKNOWN, content=content.description)
    if ext_kind is None or ext_kind is kind:
        return _accept(kind, content.mime, content.extension or ext, content.description, tentative=content.tentative)
    if ext_kind is Kind.WPS and kind in {Kind.WORD, Kind.EXCEL, Kind.POWERPOINT}:
        return _accept(Kind.WPS, content.mime, ext, content.description)
    if ext_kind is Kind.ARCHIVE and content.container == "zip":
        return _accept(Kind.ARCHIVE, "application/zip", "zip", content.description)
    if content.tentative and ext_kind in _ZIP_CAPABLE:
        return _accept(ext_kind, _MIME_BY_EXTENSION.get(ext, "application/zip"), ext, content.description, tentative=True)
    return _reject(mismatch_reason(ext, content.description), mime=content.mime, content=content.description)
