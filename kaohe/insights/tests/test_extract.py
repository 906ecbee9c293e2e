"""Text extraction: every supported kind, bounded, and malformed files give a note instead of a crash."""

from __future__ import annotations

import io
import zipfile

import pytest

from kaohe.insights import extract
from kaohe.insights.extract import NO_OCR, Extraction, extract_text
from kaohe.insights.tests.documents import REPORT_BODY, make_docx, make_pdf, make_xlsx, official

LETTER = official("宝丰县人民政府", "宝政〔2021〕3号", "关于2020年度法治政府建设情况的报告", REPORT_BODY, "二〇二一年一月十五日")


def test_pdf_text_and_pages() -> None:
    result = extract_text("报告.pdf", io.BytesIO(make_pdf([LETTER, "第二页：附件清单"])))
    assert result.method == "pdf"
    assert result.pages == 2
    assert "宝政〔2021〕3号" in result.text
    assert "附件清单" in result.text
    assert result.note == ""


def test_docx_paragraphs_and_tables() -> None:
    result = extract_text("报告.docx", io.BytesIO(make_docx(LETTER.split("\n"), [["序号", "任务"], ["1", "普法宣传"]])))
    assert result.method == "docx"
    assert "深入学习贯彻习近平法治思想" in result.text
    assert "1\t普法宣传" in result.text


def test_xlsx_cells() -> None:
    result = extract_text("台账.xlsx", io.BytesIO(make_xlsx([["序号", "案件名称"], [1, "某行政复议案"]])))
    assert result == Extraction(text="【台账】\n序号\t案件名称\n1\t某行政复议案", pages=1, method="xlsx", note="")


def test_plain_text_in_gb18030() -> None:
    result = extract_text("说明.txt", io.BytesIO("本单位无行政诉讼案件。".encode("gb18030")))
    assert (result.method, result.text) == ("text", "本单位无行政诉讼案件。")


def test_photo_without_tesseract_says_so_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "tesseract_path", lambda: None)
    result = extract_text("照片.jpg", io.BytesIO(b"\xff\xd8\xff\xe0" + b"\x00" * 100))
    assert result.note == NO_OCR == "未安装文字识别（OCR）组件，扫描件未提取文字"
    assert result.text == ""


def test_photo_goes_through_tesseract_with_chi_sim(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    class Done:
        returncode = 0
        stdout = "平政〔2020〕21号".encode()

    def run(args: list[str], **kwargs: object) -> Done:
        calls.append(args)
        return Done()

    monkeypatch.setattr(extract, "tesseract_path", lambda: "/usr/bin/tesseract")
    monkeypatch.setattr("subprocess.run", run)
    result = extract_text("扫描件.png", io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50))
    assert result.method == "ocr"
    assert result.text == "平政〔2020〕21号"
    assert calls[0][0] == "/usr/bin/tesseract" and "chi_sim+eng" in calls[0]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("坏.pdf", b"%PDF-1.4\n garbage without objects"),
        ("坏.pdf", make_pdf(["正文"])[:200]),
        ("坏.docx", b"PK\x03\x04 not a zip at all"),
        ("坏.xlsx", b"PK\x03\x04 not a zip at all"),
        ("空.pdf", b""),
        ("程序.exe", b"MZ\x90\x00"),
    ],
)
def test_malformed_files_give_a_note_never_a_crash(name: str, data: bytes) -> None:
    result = extract_text(name, io.BytesIO(data))
    assert isinstance(result, Extraction)
    assert result.text == "" or result.method != "none"
    assert result.note or result.method != "none"


def test_a_zip_bomb_is_refused_before_unpacking() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"a" * (30 * 1024 * 1024))
    result = extract_text("炸弹.docx", io.BytesIO(buffer.getvalue()))
    assert (result.text, result.method) == ("", "none")
    assert "压缩比异常" in result.note


def test_text_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_CHARS", 50)
    result = extract_text("长.txt", io.BytesIO(("法治政府" * 100).encode()))
    assert len(result.text) == 50
    assert "只保留前 50 个字" in result.note


def test_pages_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_PAGES", 2)
    result = extract_text("多页.pdf", io.BytesIO(make_pdf([f"第{i}页法治政府建设内容" for i in range(5)])))
    assert result.pages == 5
    assert "第1页" in result.text and "第3页" not in result.text
    assert "只提取了前 2 页" in result.note


def test_oversize_stream_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_BYTES", 10)
    result = extract_text("大.txt", io.BytesIO(b"x" * 100))
    assert result.note == extract.TOO_LARGE


def test_scanned_pdf_without_ocr_keeps_the_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "tesseract_path", lambda: None)
    monkeypatch.setattr(extract, "_pdf_images", lambda reader: [b"image"])
    result = extract_text("扫描.pdf", io.BytesIO(make_pdf(["", ""])))
    assert result.pages == 2
    assert result.note == NO_OCR
