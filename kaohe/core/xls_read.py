"""A small guarded reader of legacy .xls (BIFF8 in an OLE2 compound file): cell values and merged ranges.

The usual .xls library reads a whole sheet before any cap applies (docs/architecture.md); the importers need little: text, numbers, merged ranges and which
cells hold formulas. This reads exactly that into the ``Grid`` of ``xlsx_read`` (merged cells filled from their
top-left cell), so .xls goes through the same indicator reader as .xlsx and .docx. Formats, styles, dates
(numbers stay Excel serial numbers, which the importers read as dates where a date is due) and everything else
are ignored.

Guards, all before memory or time can run away: the upload size; the compound file's sector size, FAT and
directory sizes and every sector chain (no loops, no sector outside the file); the workbook stream is at most
the upload's size; rows, columns, cells and merged ranges are capped as in ``xlsx_read.Limits``; the shared
string table may not claim more strings than the cell cap. Encrypted workbooks (FILEPASS) are refused.
Pure Python, no Django.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from kaohe.core.xlsx_read import CFB_MAGIC, Grid, Limits, Refusal, size_text

ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
MAX_REGULAR = 0xFFFFFFFA

BOF, EOF, BOUNDSHEET, SST, CONTINUE, FILEPASS = 0x0809, 0x000A, 0x0085, 0x00FC, 0x003C, 0x002F
LABELSST, LABEL, NUMBER, RK, MULRK, FORMULA, MERGEDCELLS, BOOLERR = 0x00FD, 0x0204, 0x0203, 0x027E, 0x00BD, 0x0006, 0x00E5, 0x0205


@dataclass
class XlsResult:
    grids: list[Grid] = field(default_factory=list)
    refusal: Refusal | None = None


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.refusal = Refusal(code, message)


def _broken(detail: str = "") -> _Refused:
    return _Refused("unreadable", f"旧版 .xls 文件已损坏或格式不受支持，无法读取{detail}，请另存为 .xlsx 后再导入")


def is_xls(raw: bytes) -> bool:
    return raw.startswith(CFB_MAGIC)


def read_xls(raw: bytes, limits: Limits) -> XlsResult:
    """Every visible worksheet of a BIFF8 .xls; never raises on bad input."""
    try:
        if len(raw) > limits.max_bytes:
            raise _Refused("file_too_large", f"文件过大（{size_text(len(raw))}），上限 {size_text(limits.max_bytes)}")
        stream = _Compound(raw).stream("Workbook")
        return XlsResult(_Workbook(stream, limits).read())
    except _Refused as refused:
        return XlsResult(refusal=refused.refusal)
    except (struct.error, IndexError, ValueError, UnicodeDecodeError):
        return XlsResult(refusal=_broken().refusal)


# -- the OLE2 compound file ------------------------------------------------------------------------------------


class _Compound:
    def __init__(self, raw: bytes) -> None:
        if len(raw) < 512 or not raw.startswith(CFB_MAGIC):
            raise _broken()
        self.raw = raw
        shift, mini_shift = struct.unpack_from("<HH", raw, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise _broken("（扇区大小异常）")
        self.size = 1 << shift
        self.mini_size = 1 << mini_shift
        self.sectors = (len(raw) - 1) // self.size  # sectors after the header
        fat_count, self.dir_start = struct.unpack_from("<II", raw, 44)[0], struct.unpack_from("<I", raw, 48)[0]
        self.cutoff, self.minifat_start, minifat_count, difat_start, difat_count = struct.unpack_from("<IIIII", raw, 56)
        if fat_count > self.sectors or minifat_count > self.sectors or difat_count > self.sectors:
            raise _broken("（文件结构异常）")
        fat_sectors = [s for s in struct.unpack_from("<109I", raw, 76) if s <= MAX_REGULAR]
        sector = difat_start
        seen: set[int] = set()
        while sector <= MAX_REGULAR and len(fat_sectors) < fat_count:
            if sector in seen or len(seen) > difat_count:
                raise _broken("（文件结构异常）")
            seen.add(sector)
            entries = struct.unpack_from(f"<{self.size // 4}I", self._sector(sector))
            fat_sectors += [s for s in entries[:-1] if s <= MAX_REGULAR]
            sector = entries[-1]
        self.fat: list[int] = []
        for number in fat_sectors[:fat_count]:
            self.fat += struct.unpack_from(f"<{self.size // 4}I", self._sector(number))

    def _sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise _broken("（扇区越界）")
        start = (number + 1) * self.size
        return self.raw[start : start + self.size]

    def _chain(self, start: int, table: list[int], limit: int) -> list[int]:
        chain: list[int] = []
        seen: set[int] = set()
        sector = start
        while sector != ENDOFCHAIN:
            if sector > MAX_REGULAR or sector >= len(table) or sector in seen or len(chain) > limit:
                raise _broken("（扇区链异常）")
            seen.add(sector)
            chain.append(sector)
            sector = table[sector]
        return chain

    def _read(self, start: int, size: int) -> bytes:
        chain = self._chain(start, self.fat, self.sectors)
        data = b"".join(self._sector(s) for s in chain)
        return data[:size]

    def stream(self, wanted: str) -> bytes:
        directory = self._read(self.dir_start, self.sectors * self.size)
        entries: list[tuple[str, int, int, int]] = []
        for offset in range(0, len(directory) - 127, 128):
            name_length, kind = struct.unpack_from("<HB", directory, offset + 64)
            if kind == 0 or not 2 <= name_length <= 64:
                continue
            name = directory[offset : offset + name_length - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<II", directory, offset + 116)
            entries.append((name, kind, start, size))
        root = next((e for e in entries if e[1] == 5), None)
        target = next((e for e in entries if e[1] == 2 and e[0] in (wanted, "Book")), None)
        if target is None:
            if any(e[0] == "EncryptedPackage" for e in entries):
                raise _Refused("encrypted", "文件设有密码保护，请取消密码后再导入")
            raise _Refused("not_xls", "不是 Excel 工作簿（.xls 文件中没有工作簿数据），请另存为 .xlsx 后再导入")
        if target[0] == "Book":
            raise _Refused("legacy_xls", "这是 Excel 95 或更早的 .xls 文件，请在 WPS/Excel 中另存为 .xlsx 后再导入")
        _, _, start, size = target
        if size > len(self.raw):
            raise _broken("（数据长度异常）")
        if size >= self.cutoff:
            return self._read(start, size)
        if root is None:
            raise _broken()
        mini_stream = self._read(root[2], min(root[3], len(self.raw)))
        minifat: list[int] = []
        for sector in self._chain(self.minifat_start, self.fat, self.sectors):
            minifat += struct.unpack_from(f"<{self.size // 4}I", self._sector(sector))
        chain = self._chain(start, minifat, len(mini_stream) // self.mini_size + 1)
        data = b"".join(mini_stream[s * self.mini_size : (s + 1) * self.mini_size] for s in chain)
        return data[:size]


# -- BIFF8 records ---------------------------------------------------------------------------------------------


def _records(stream: bytes, position: int) -> list[tuple[int, bytes]]:
    """Records from ``position`` up to the matching EOF (CONTINUE records stay separate)."""
    records: list[tuple[int, bytes]] = []
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        data = stream[position + 4 : position + 4 + length]
        position += 4 + length
        records.append((kind, data))
        if kind == EOF:
            break
    return records


def _rk(value: int) -> float:
    """An RK number: a 30-bit integer or the top 30 bits of a double, optionally ÷ 100."""
    if value & 2:
        number = float(struct.unpack("<i", struct.pack("<I", value))[0] >> 2)
    else:
        number = float(struct.unpack("<d", struct.pack("<Q", (value & 0xFFFFFFFC) << 32))[0])
    return number / 100 if value & 1 else number


def _number(value: float) -> float | int:
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


class _Strings:
    """Reads XLUnicodeRichExtendedString values across SST + CONTINUE records."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.index = 0
        self.offset = 0

    def _take(self, count: int) -> bytes:
        piece = self.pieces[self.index]
        if self.offset + count > len(piece):
            raise _broken("（共享字符串异常）")
        data = piece[self.offset : self.offset + count]
        self.offset += count
        return data

    def _next_piece(self) -> None:
        self.index += 1
        self.offset = 0
        if self.index >= len(self.pieces):
            raise _broken("（共享字符串异常）")

    def _skip(self, count: int) -> None:
        while count:
            available = len(self.pieces[self.index]) - self.offset
            if available == 0:
                self._next_piece()
                continue
            step = min(available, count)
            self.offset += step
            count -= step

    def read(self) -> str:
        if self.offset >= len(self.pieces[self.index]):
            self._next_piece()
        length, flags = struct.unpack("<HB", self._take(3))
        runs = struct.unpack("<H", self._take(2))[0] if flags & 0x08 else 0
        extra = struct.unpack("<I", self._take(4))[0] if flags & 0x04 else 0
        wide = flags & 0x01
        chars: list[str] = []
        remaining = length
        while remaining:
            available = len(self.pieces[self.index]) - self.offset
            if available == 0:
                self._next_piece()
                wide = self._take(1)[0] & 0x01  # each CONTINUE restarts with the character width
                continue
            count = min(remaining, available // (2 if wide else 1))
            if count == 0:
                raise _broken("（共享字符串异常）")
            raw = self._take(count * (2 if wide else 1))
            chars.append(raw.decode("utf-16-le") if wide else raw.decode("latin-1"))
            remaining -= count
        self._skip(runs * 4 + extra)
        return "".join(chars)


class _Workbook:
    def __init__(self, stream: bytes, limits: Limits) -> None:
        self.stream = stream
        self.limits = limits
        self.cells = 0

    def read(self) -> list[Grid]:
        globals_ = _records(self.stream, 0)
        if not globals_ or globals_[0][0] != BOF or struct.unpack_from("<H", globals_[0][1])[0] != 0x0600:
            raise _Refused("legacy_xls", "这是 Excel 95 或更早的 .xls 文件，请在 WPS/Excel 中另存为 .xlsx 后再导入")
        sheets: list[tuple[str, int]] = []
        strings: list[str] = []
        for i, (kind, data) in enumerate(globals_):
            if kind == FILEPASS:
                raise _Refused("encrypted", "文件设有密码保护，请取消密码后再导入")
            if kind == BOUNDSHEET:
                position, hidden, sheet_type = struct.unpack_from("<IBB", data)
                if sheet_type == 0 and hidden == 0:
                    sheets.append((self._sheet_name(data[6:]), position))
                if len(sheets) > self.limits.max_sheets:
                    raise _bomb(f"工作表过多（超过 {self.limits.max_sheets} 个）")
            elif kind == SST:
                strings = self._sst(data, globals_[i + 1 :])
        return [self._sheet(title, position, strings) for title, position in sheets]

    def _sheet_name(self, data: bytes) -> str:
        length, flags = data[0], data[1]
        raw = data[2 : 2 + length * (2 if flags & 1 else 1)]
        return raw.decode("utf-16-le") if flags & 1 else raw.decode("latin-1")

    def _sst(self, data: bytes, following: list[tuple[int, bytes]]) -> list[str]:
        unique = struct.unpack_from("<I", data, 4)[0]
        if unique > self.limits.max_cells:
            raise _bomb(f"共享字符串过多（超过 {self.limits.max_cells} 个）")
        pieces = [data[8:]]
        for kind, more in following:
            if kind != CONTINUE:
                break
            pieces.append(more)
        reader = _Strings(pieces)
        return [reader.read() for _ in range(unique)]

    def _sheet(self, title: str, position: int, strings: list[str]) -> Grid:
        grid = Grid(title=title)
        merges: list[tuple[int, int, int, int]] = []
        for kind, data in _records(self.stream, position)[1:]:
            if kind == LABELSST:
                row, column, _, index = struct.unpack_from("<HHHI", data)
                self._put(grid, row, column, strings[index] if index < len(strings) else "")
            elif kind == LABEL:
                row, column, _, length, flags = struct.unpack_from("<HHHHB", data)
                raw = data[9 : 9 + length * (2 if flags & 1 else 1)]
                self._put(grid, row, column, raw.decode("utf-16-le") if flags & 1 else raw.decode("latin-1"))
            elif kind == NUMBER:
                row, column, _, value = struct.unpack_from("<HHHd", data)
                self._put(grid, row, column, _number(value))
            elif kind == RK:
                row, column, _, value = struct.unpack_from("<HHHI", data)
                self._put(grid, row, column, _number(_rk(value)))
            elif kind == MULRK:
                row, first = struct.unpack_from("<HH", data)
                for k in range((len(data) - 6) // 6):
                    value = struct.unpack_from("<I", data, 4 + k * 6 + 2)[0]
                    self._put(grid, row, first + k, _number(_rk(value)))
            elif kind == FORMULA:
                row, column = struct.unpack_from("<HH", data)
                self._check(grid, row + 1, column + 1)
                grid.formulas.add((row + 1, column + 1))
            elif kind == MERGEDCELLS:
                count = struct.unpack_from("<H", data)[0]
                for k in range(count):
                    merges.append(struct.unpack_from("<HHHH", data, 2 + k * 8))
                if len(merges) > self.limits.max_merges:
                    raise _bomb(f"工作表“{title}”合并单元格过多")
        self._fill(grid, merges)
        return grid

    def _check(self, grid: Grid, row: int, column: int) -> None:
        if row > self.limits.max_rows or column > self.limits.max_columns:
            raise _bomb(f"工作表“{grid.title}”超过 {self.limits.max_rows} 行或 {self.limits.max_columns} 列")
        self.cells += 1
        if self.cells > self.limits.max_cells:
            raise _bomb(f"表格中的单元格过多（超过 {self.limits.max_cells} 个）")
        grid.max_row = max(grid.max_row, row)
        grid.max_column = max(grid.max_column, column)

    def _put(self, grid: Grid, row: int, column: int, value: object) -> None:
        if isinstance(value, str) and not value.strip():
            return
        self._check(grid, row + 1, column + 1)
        grid.values[(row + 1, column + 1)] = value

    def _fill(self, grid: Grid, merges: list[tuple[int, int, int, int]]) -> None:
        for first_row, last_row, first_col, last_col in merges:
            origin = (first_row + 1, first_col + 1)
            value = grid.values.get(origin)
            for row in range(first_row + 1, last_row + 2):
                for column in range(first_col + 1, last_col + 2):
                    if (row, column) == origin:
                        continue
                    self._check(grid, row, column)
                    grid.origins[(row, column)] = origin
                    if value is not None:
                        grid.values[(row, column)] = value


def _bomb(message: str) -> _Refused:
    return _Refused("zip_bomb", message)
