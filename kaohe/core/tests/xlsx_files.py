"""Hand-made .xlsx packages for the guarded reader's tests: the sheet XML is written here, streamed into the
zip, so a file of millions of cells costs the test a few MB, not the gigabytes openpyxl would take."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterable, Iterator

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{extra}</Types>"
)
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>分组</t></is></c></row>'


def package(
    sheet: Iterable[str],
    *,
    shared_strings: Iterable[str] | None = None,
    extra: dict[str, bytes | str] | None = None,
    level: int = 9,
) -> bytes:
    """An .xlsx with one worksheet whose XML is the concatenation of `sheet` (streamed into the zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=SHARED_STRINGS_TYPE if shared_strings else ""))
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _stream(archive, "xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            _stream(archive, "xl/sharedStrings.xml", shared_strings)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _stream(archive: zipfile.ZipFile, name: str, parts: Iterable[str]) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        chunk: list[str] = []
        size = 0
        for part in parts:
            chunk.append(part)
            size += len(part)
            if size > 1 << 20:
                member.write("".join(chunk).encode())
                chunk, size = [], 0
        member.write("".join(chunk).encode())


def sheet_xml(rows: Iterable[str], *, after: str = "") -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
    yield from rows
    yield f"</sheetData>{after}</worksheet>"


def tiny_cells(count: int, *, per_row: int = 100, noisy: bool = False) -> Iterator[str]:
    """`count` one-digit cells without addresses after a 姓名/分组 header (the pen-test file). Noisy digits
    keep the compression ratio of a normal sheet (about 20:1), so only the cell cap can stop it."""
    rng = random.Random(5)
    # 500 different rows of random digits, drawn at random: more than deflate's 32 KB window can match
    pool = ["".join(f"<c><v>{rng.randrange(10)}</v></c>" for _ in range(per_row)) for _ in range(500 if noisy else 1)]
    yield HEADER_ROW
    rows, rest = divmod(count, per_row)
    for _ in range(rows):
        yield "<row>" + rng.choice(pool) + "</row>"
    if rest:
        yield "<row>" + "<c><v>1</v></c>" * rest + "</row>"


def one_row(count: int) -> Iterator[str]:
    """A single <row> holding `count` cells (a parser that builds the row first builds them all)."""
    rng = random.Random(6)
    pool = ["".join(f"<c><v>{rng.randrange(10)}</v></c>" for _ in range(100)) for _ in range(500)]
    yield HEADER_ROW + '<row r="2">'
    for _ in range(count // 100):
        yield rng.choice(pool)
    yield "</row>"


def rows_of(values: dict[str, str]) -> str:
    """Inline-string cells by address, each on its own row: {"A1": "姓名", ...}."""
    return "".join(f'<row><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>' for ref, text in values.items())
