"""Telling uploads apart by content: every accepted kind from tiny real samples, and every disguise refused.

The sample builders here are shared with test_storage.py.
"""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile
import zlib

import pytest

from kaohe.core.filetypes import EXECUTABLE, ContentRejected, Kind, TextGuard, detect, ole_entries, zip_names

# --- samples ------------------------------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MSI_CLSID = bytes.fromhex("84100c0000000000c000000000000046")


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("2020年度法治政府建设情况报告")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["指标", "得分"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pptx_bytes() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "_rels/.rels": b"<Relationships/>",
            "ppt/presentation.xml": b"<p:presentation/>",
        }
    )


def ofd_bytes() -> bytes:
    return zip_of({"OFD.xml": b'<?xml version="1.0"?><ofd:OFD/>', "Doc_0/Document.xml": b"<ofd:Document/>"})


def plain_zip_bytes() -> bytes:
    return zip_of({"材料/说明.txt": "佐证材料".encode(), "材料/照片.png": png_bytes()})


def ole_bytes(streams: list[str], clsid: bytes = bytes(16)) -> bytes:
    """A minimal OLE compound file: header, one FAT sector, one directory sector (root + up to 3 entries)."""
    header = bytearray(512)
    header[0:8] = OLE_MAGIC
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 0x2C, 1, 1, 0)  # FAT sectors, first directory sector, signature
    struct.pack_into("<IIII", header, 0x38, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray()
    for name, entry_type, entry_clsid in [("Root Entry", 5, clsid), *((s, 2, bytes(16)) for s in streams)]:
        entry = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(raw)] = raw
        struct.pack_into("<HBB", entry, 0x40, len(raw), entry_type, 1)
        struct.pack_into("<III", entry, 0x44, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        entry[0x50:0x60] = entry_clsid
        directory += entry
    directory += bytes(512 - len(directory))
    return bytes(header) + fat + bytes(directory)


def mp4_bytes(brand: bytes = b"isom") -> bytes:
    return struct.pack(">I", 24) + b"ftyp" + brand + b"\x00\x00\x02\x00" + brand + b"mp41" + b"\x00\x00\x00\x08free"


def rar_bytes() -> bytes:
    return b"Rar!\x1a\x07\x01\x00" + bytes(32)


def sevenz_bytes() -> bytes:
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24)


def tar_bytes() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        data = b"evidence"
        info = tarfile.TarInfo("a.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"\x80\x00\x00\x00" + bytes(64) + b"PE\x00\x00"


HTML = b"<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


# --- accepted kinds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "kind", "mime", "extension"),
    [
        ("自查报告.pdf", pdf_bytes, Kind.PDF, "application/pdf", "pdf"),
        ("现场照片.png", png_bytes, Kind.IMAGE, "image/png", "png"),
        ("现场照片.JPG", jpeg_bytes, Kind.IMAGE, "image/jpeg", "jpg"),
        (
            "情况报告.docx",
            docx_bytes,
            Kind.WORD,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        ("台账.xlsx", xlsx_bytes, Kind.EXCEL, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        (
            "汇报.pptx",
            pptx_bytes,
            Kind.POWERPOINT,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        ("通知.doc", lambda: ole_bytes(["WordDocument", "1Table"]), Kind.WORD, "application/msword", "doc"),
        ("统计.xls", lambda: ole_bytes(["Workbook"]), Kind.EXCEL, "application/vnd.ms-excel", "xls"),
        ("汇报.ppt", lambda: ole_bytes(["PowerPoint Document"]), Kind.POWERPOINT, "application/vnd.ms-powerpoint", "ppt"),
        ("通知.doc", lambda: ole_bytes(["Data"]), Kind.WORD, "application/msword", "doc"),  # directory says nothing
        ("通知.wps", lambda: ole_bytes(["WordDocument"]), Kind.WPS, "application/msword", "wps"),
        ("通知.wps", lambda: ole_bytes(["Data"]), Kind.WPS, "application/msword", "wps"),
        ("统计.et", lambda: ole_bytes(["Workbook"]), Kind.WPS, "application/vnd.ms-excel", "et"),
        ("汇报.dps", lambda: ole_bytes(["Data"]), Kind.WPS, "application/vnd.ms-powerpoint", "dps"),
        ("电子公文.ofd", ofd_bytes, Kind.OFD, "application/ofd", "ofd"),
        ("材料.zip", plain_zip_bytes, Kind.ARCHIVE, "application/zip", "zip"),
        ("材料.rar", rar_bytes, Kind.ARCHIVE, "application/vnd.rar", "rar"),
        ("材料.7z", sevenz_bytes, Kind.ARCHIVE, "application/x-7z-compressed", "7z"),
        ("材料.tar.gz", lambda: gzip.compress(b"evidence"), Kind.ARCHIVE, "application/gzip", "gz"),
        ("材料.tar", tar_bytes, Kind.ARCHIVE, "application/x-tar", "tar"),
        ("执法记录.mp4", mp4_bytes, Kind.VIDEO, "video/mp4", "mp4"),
        ("执法记录.mov", lambda: mp4_bytes(b"qt  "), Kind.VIDEO, "video/quicktime", "mov"),
        ("执法记录.avi", lambda: b"RIFF\x00\x00\x00\x00AVI LIST" + bytes(16), Kind.VIDEO, "video/x-msvideo", "avi"),
        ("说明.txt", lambda: "说明：佐证材料已上传。\n".encode(), Kind.TEXT, "text/plain", "txt"),
        ("说明.txt", lambda: "说明：佐证材料已上传。\r\n".encode("gb18030"), Kind.TEXT, "text/plain", "txt"),
        ("名单.csv", lambda: "\ufeff姓名,单位\n张三,司法局\n".encode(), Kind.TEXT, "text/csv", "csv"),
    ],
)
def test_accepted_kinds(name, build, kind, mime, extension):
    data = build()
    detection = detect(data, name, tail=data)
    assert detection.accepted, detection.reason
    assert (detection.kind, detection.mime, detection.extension) == (kind, mime, extension)
    assert detection.label == kind.label
    assert detection.reason == ""


def test_labels_are_chinese():
    assert {kind.value: kind.label for kind in Kind} == {
        "pdf": "PDF 文档",
        "image": "图片",
        "word": "Word 文档",
        "excel": "Excel 表格",
        "powerpoint": "PowerPoint 演示文稿",
        "wps": "WPS 文档",
        "ofd": "OFD 版式文档",
        "archive": "压缩包",
        "video": "视频",
        "text": "文本文件",
        "rejected": "不允许的文件",
    }


@pytest.mark.parametrize(
    ("name", "build", "kind", "extension"),
    [
        ("扫描件", pdf_bytes, Kind.PDF, "pdf"),  # no extension: the stored copy gets the right one
        ("扫描件.第3版", pdf_bytes, Kind.PDF, "pdf"),  # not an extension
        ("照片.jpg", png_bytes, Kind.IMAGE, "png"),  # same family, the content's extension wins
        ("报告.doc", docx_bytes, Kind.WORD, "docx"),
        ("台账.xls", xlsx_bytes, Kind.EXCEL, "xlsx"),
        ("报告.wps", docx_bytes, Kind.WPS, "wps"),  # WPS saving in OOXML
        ("报告.zip", docx_bytes, Kind.ARCHIVE, "zip"),  # a ZIP is a ZIP; never unpacked
        ("公文.zip", ofd_bytes, Kind.ARCHIVE, "zip"),
        ("视频", mp4_bytes, Kind.VIDEO, "mp4"),
        ("材料.abc", plain_zip_bytes, Kind.ARCHIVE, "zip"),  # unknown extension: judged by content
    ],
)
def test_extension_follows_content(name, build, kind, extension):
    data = build()
    detection = detect(data, name, tail=data)
    assert detection.accepted, detection.reason
    assert (detection.kind, detection.extension) == (kind, extension)


# --- refusals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("报告.pdf", b"", "空文件"),
        ("报告.pdf", exe_bytes(), EXECUTABLE),
        ("报告.exe", exe_bytes(), EXECUTABLE),
        ("报告", exe_bytes(), EXECUTABLE),
        ("通知.doc", b"\x7fELF\x02\x01\x01" + bytes(40), EXECUTABLE),
        ("说明.docx", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(40), EXECUTABLE),  # Mach-O
        ("说明.txt", b"#!/bin/sh\nrm -rf /\n", EXECUTABLE),
        ("安装.doc", ole_bytes(["Data"], clsid=MSI_CLSID), EXECUTABLE),  # MSI installer
        ("报告.pdf", HTML, "文件内容是网页（HTML），与扩展名 .pdf 不符"),
        ("报告.pdf", b"\n\n   <html><body>hi</body></html>", "文件内容是网页（HTML），与扩展名 .pdf 不符"),
        ("报告.pdf", "\ufeff<html><body>x</body></html>".encode("utf-16"), "文件内容是网页（HTML），与扩展名 .pdf 不符"),
        ("报告.pdf", b"<p>hello</p>", "文件内容是网页（HTML），与扩展名 .pdf 不符"),
        ("说明.txt", b"note\n<script>alert(1)</script>", "文本文件中含有网页或脚本代码，不允许上传"),
        ("页面.html", HTML, "文件内容是网页（HTML），不允许上传"),
        ("页面", HTML, "文件内容是网页（HTML），不允许上传"),
        ("图.png", SVG, "文件内容是 SVG 图形（可能含有脚本），不允许上传"),
        ("图.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "文件内容是 SVG 图形（可能含有脚本），不允许上传"),
        ("报告.pdf", plain_zip_bytes(), "扩展名 .pdf 与文件内容（ZIP 压缩包）不符"),
        ("报告.pdf", docx_bytes(), "扩展名 .pdf 与文件内容（Word 文档）不符"),
        ("报告.docx", plain_zip_bytes(), "扩展名 .docx 与文件内容（ZIP 压缩包）不符"),
        ("报告.docx", ofd_bytes(), "扩展名 .docx 与文件内容（OFD 版式文档）不符"),
        ("报告.ofd", docx_bytes(), "扩展名 .ofd 与文件内容（Word 文档）不符"),
        ("照片.png", pdf_bytes(), "扩展名 .png 与文件内容（PDF 文档）不符"),
        ("通知.doc", ole_bytes(["Workbook"]), "扩展名 .doc 与文件内容（Excel 97-2003 表格）不符"),
        ("报告.pdf", ole_bytes(["Data"]), "扩展名 .pdf 与文件内容（Office 97-2003 文档）不符"),
        ("报告", ole_bytes(["Data"]), "无法识别的 Office 97-2003 文档，请确认扩展名为 .doc、.xls、.ppt、.wps、.et 或 .dps"),
        ("报告.pdf", "只是一段文字".encode(), "扩展名 .pdf 与文件内容（纯文本）不符"),
        ("报告.pdf", bytes(range(256)) * 4, "扩展名 .pdf 与文件内容（无法识别的数据）不符"),
        ("说明", "只是一段文字".encode(), "不支持的文件类型（纯文本）：文本文件请使用 .txt 或 .csv 扩展名"),
        ("说明.txt", "Unicode 记事本".encode("utf-16"), "文本文件须为 UTF-8 或 GB18030（GBK）编码的纯文本，且不含二进制内容"),
        ("说明.csv", b"\x01\x02\x03\xff\xfe", "文本文件须为 UTF-8 或 GB18030（GBK）编码的纯文本，且不含二进制内容"),
        ("录音.m4a", mp4_bytes(b"M4A "), "不支持的文件类型（M4A 音频）"),
        ("录音.mp4", mp4_bytes(b"M4A "), "扩展名 .mp4 与文件内容（M4A 音频）不符"),
        ("报告.exe", pdf_bytes(), "不允许上传扩展名为 .exe 的文件"),
        ("报告.html", pdf_bytes(), "不允许上传扩展名为 .html 的文件"),
        ("宏.docm", docx_bytes(), "不允许上传扩展名为 .docm 的文件"),
        (
            "数据",
            bytes(range(256)) * 4,
            "无法识别的文件类型。可上传 PDF、图片、Word/Excel/PowerPoint/WPS 文档、OFD、压缩包、视频，以及 .txt/.csv 文本",
        ),
    ],
)
def test_refused(name, data, reason):
    detection = detect(data, name, tail=data)
    assert not detection.accepted
    assert detection.kind is Kind.REJECTED
    assert detection.reason == reason
    assert detection.extension == ""


# --- containers: what is read, and only that --------------------------------------------------------------


def test_zip_names_come_from_the_central_directory_or_local_headers():
    data = ofd_bytes()
    assert zip_names(data, data) == (["OFD.xml", "Doc_0/Document.xml"], True)
    names, complete = zip_names(data[:40], None)  # head only: the first local header
    assert (names, complete) == (["OFD.xml"], False)


def test_zip_with_an_inconclusive_head_is_tentative_until_the_tail_is_seen():
    big_first = bytes(range(256)) * 2048  # 512 KiB stored uncompressed ahead of OFD.xml
    data = zip_of({"Doc_0/Res/scan.bin": big_first, "OFD.xml": b"<ofd:OFD/>"}, compression=zipfile.ZIP_STORED)
    head, tail = data[: 256 * 1024], data[-512 * 1024 :]
    provisional = detect(head, "公文.ofd")
    assert provisional.accepted and provisional.tentative and provisional.kind is Kind.OFD
    assert detect(head, "公文.pdf").reason == "扩展名 .pdf 与文件内容（ZIP 压缩包）不符"
    final = detect(head, "公文.ofd", tail=tail)
    assert final.accepted and not final.tentative and final.kind is Kind.OFD
    assert detect(head, "公文.docx", tail=tail).reason == "扩展名 .docx 与文件内容（OFD 版式文档）不符"


def test_ole_directory_is_read_from_the_head():
    names, clsid = ole_entries(ole_bytes(["WordDocument", "1Table"], clsid=MSI_CLSID))
    assert names == ["Root Entry", "WordDocument", "1Table"]
    assert clsid == MSI_CLSID
    assert ole_entries(OLE_MAGIC + bytes(100)) == ([], b"")


# --- the streaming text check -----------------------------------------------------------------------------


def test_text_guard_handles_characters_split_across_chunks():
    data = ("第一行，中文。\n" * 50).encode()
    guard = TextGuard()
    for start in range(0, len(data), 7):  # 7 bytes cut most characters in two
        guard.feed(data[start : start + 7])
    guard.finish()


def test_text_guard_switches_to_gb18030_after_ascii():
    guard = TextGuard()
    guard.feed(b"name,unit\n" * 100)
    guard.feed("张三,司法局\n".encode("gb18030"))
    guard.finish()


def test_text_guard_refuses_utf8_then_gb18030():
    guard = TextGuard()
    guard.feed("张三\n".encode())
    with pytest.raises(ContentRejected, match="UTF-8 或 GB18030"):
        guard.feed("李四\n".encode("gb18030"))


def test_text_guard_finds_markup_split_across_chunks():
    guard = TextGuard()
    guard.feed(b"a,b\n1,2\n<scr")
    with pytest.raises(ContentRejected, match="网页或脚本"):
        guard.feed(b"ipt>alert(1)</script>\n")


def test_text_guard_refuses_a_truncated_character_at_the_end():
    guard = TextGuard()
    guard.feed("中文".encode()[:-1])
    with pytest.raises(ContentRejected):
        guard.finish()
