"""Plain text of an uploaded file (minimal version: .docx, .pdf, .txt; the full module replaces it)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class Extraction:
    text: str  # plain text, paragraphs separated by "\n"
    pages: int
    method: str  # "pdf" | "docx" | "xlsx" | "ocr" | "text" | "none"
    note: str  # Chinese note when text could not be read


def extract_text(filename: str, stream: BinaryIO) -> Extraction:
    """The text of ``filename`` read from ``stream``; never raises on a damaged file (the note says why)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    try:
        if suffix == "docx":
            import docx

            document = docx.Document(io.BytesIO(stream.read()))
            paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
            return Extraction("\n".join(paragraphs), 0, "docx", "")
        if suffix == "pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(stream.read()))
            pages = [page.extract_text() or "" for page in reader.pages]
            text = "\n".join(p for p in pages if p.strip())
            note = "" if text.strip() else "PDF 中没有可读取的文字（可能是扫描件）"
            return Extraction(text, len(pages), "pdf", note)
        if suffix == "txt":
            return Extraction(stream.read().decode("utf-8", errors="replace"), 0, "text", "")
    except Exception:  # a damaged file is a note, not an error
        return Extraction("", 0, "none", "文件无法读取文字（文件可能已损坏）")
    return Extraction("", 0, "none", "该类型文件不读取文字")
