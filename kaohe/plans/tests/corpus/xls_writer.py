"""A minimal BIFF8 .xls writer for the import corpus and tests (xlwt is not installed).

Writes an OLE2 compound file with one "Workbook" stream: strings through the shared string table (split over
CONTINUE records like Excel does), numbers as NUMBER records, merged ranges as MERGEDCELLS. Enough for the
importer's reader (kaohe/core/xls_read.py); not a general writer.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

SECTOR = 512
ENDOFCHAIN, FREESECT, FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
MAX_RECORD = 8224


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(sheet_type: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, sheet_type, 0x0DBB, 0x07CC, 0, 0x06))


def _sst(strings: list[str]) -> bytes:
    records: list[bytearray] = [bytearray(struct.pack("<II", len(strings), len(strings)))]
    for text in strings:
        if len(records[-1]) + 3 + 2 > MAX_RECORD:
            records.append(bytearray())
        records[-1] += struct.pack("<HB", len(text), 0x01)
        rest = text
        while rest:
            room = (MAX_RECORD - len(records[-1])) // 2
            if room == 0:
                records.append(bytearray(b"\x01"))  # a CONTINUE restarts with the character width
                continue
            records[-1] += rest[:room].encode("utf-16-le")
            rest = rest[room:]
    out = _record(0x00FC, bytes(records[0]))
    for more in records[1:]:
        out += _record(0x003C, bytes(more))
    return out


def _sheet(rows: Sequence[Sequence[Any]], merges: Sequence[tuple[int, int, int, int]], index: dict[str, int]) -> bytes:
    out = _bof(0x0010)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                out += _record(0x00FD, struct.pack("<HHHI", r, c, 15, index[value]))
            else:
                out += _record(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))
    if merges:
        data = struct.pack("<H", len(merges)) + b"".join(struct.pack("<HHHH", *m) for m in merges)
        out += _record(0x00E5, data)
    return out + _record(0x000A, b"")


def workbook_stream(sheets: Sequence[tuple[str, Sequence[Sequence[Any]], Sequence[tuple[int, int, int, int]]]]) -> bytes:
    """sheets: (title, rows, merges as (first_row, last_row, first_col, last_col), 0-based)."""
    strings: list[str] = []
    index: dict[str, int] = {}
    for _, rows, _ in sheets:
        for row in rows:
            for value in row:
                if isinstance(value, str) and value not in index:
                    index[value] = len(strings)
                    strings.append(value)
    bodies = [_sheet(rows, merges, index) for _, rows, merges in sheets]
    names = [title.encode("utf-16-le") for title, _, _ in sheets]
    bound_lengths = [4 + 8 + len(name) for name in names]
    globals_length = len(_bof(0x0005)) + sum(bound_lengths) + len(_sst(strings)) + 4
    position = globals_length
    out = _bof(0x0005)
    for (title, _, _), name, body in zip(sheets, names, bodies, strict=True):
        out += _record(0x0085, struct.pack("<IBBBB", position, 0, 0, len(title), 0x01) + name)
        position += len(body)
    out += _sst(strings) + _record(0x000A, b"")
    return out + b"".join(bodies)


def compound_file(stream: bytes) -> bytes:
    """An OLE2 file (version 3, 512-byte sectors) holding ``stream`` as "Workbook" (padded past 4096 bytes)."""
    stream = stream + b"\x00" * max(0, 4096 - len(stream))
    count = -(-len(stream) // SECTOR)
    if count + 2 > SECTOR // 4:
        raise ValueError("too big for this small writer")
    fat = [FATSECT, ENDOFCHAIN, *range(3, count + 2), ENDOFCHAIN]
    fat += [FREESECT] * (SECTOR // 4 - len(fat))
    header = bytearray(SECTOR)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x003E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    difat = [0] + [FREESECT] * 108
    struct.pack_into("<109I", header, 76, *difat)
    directory = _entry("Root Entry", 5, ENDOFCHAIN, 0, child=1) + _entry("Workbook", 2, 2, len(stream))
    directory += b"\x00" * (SECTOR - len(directory))
    body = stream + b"\x00" * (count * SECTOR - len(stream))
    return bytes(header) + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + body


def _entry(name: str, kind: int, start: int, size: int, child: int = FREESECT) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le")
    entry = bytearray(128)
    entry[: len(encoded)] = encoded
    struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
    struct.pack_into("<III", entry, 68, FREESECT, FREESECT, child)
    struct.pack_into("<II", entry, 116, start, size)
    return bytes(entry)


def xls_bytes(sheets: Sequence[tuple[str, Sequence[Sequence[Any]], Sequence[tuple[int, int, int, int]]]]) -> bytes:
    return compound_file(workbook_stream(sheets))
