"""Merged cells of an Excel 97-2003 (.xls) workbook, which calamine does not report.

An .xls is an OLE compound file whose "Workbook" stream is a run of BIFF8 records: the
globals name each sheet and where its records start (BOUNDSHEET), and each sheet lists its
used range (DIMENSIONS) and merged ranges (MERGEDCELLS). Only these records are read; any
file this does not understand yields no merges, and the sheet is still read as it is.
"""

from __future__ import annotations

import struct

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFA  # sector numbers from here up mark chain ends and free sectors
BOUNDSHEET, DIMENSIONS, MERGEDCELLS, EOF = 0x0085, 0x0200, 0x00E5, 0x000A


def merged_ranges(data: bytes) -> dict[str, tuple[int, list[tuple[int, int, int, int]]]]:
    """Sheet name -> (first used column, merged ranges as 0-based (row1, col1, row2, col2))."""
    try:
        stream = _workbook_stream(data)
        return _merges(stream) if stream else {}
    except (struct.error, IndexError, ValueError):
        return {}


def _workbook_stream(data: bytes) -> bytes | None:
    if data[:8] != SIGNATURE:
        return None
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    first_dir, cutoff = struct.unpack_from("<I4xI", data, 0x30)
    first_difat, n_difat = struct.unpack_from("<II", data, 0x44)

    def sector(i: int) -> bytes:
        return data[(i + 1) * size:(i + 2) * size]  # the header takes the first sector's place

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    following = first_difat
    for _ in range(n_difat):
        if following >= _END:
            break
        block = struct.unpack(f"<{size // 4}I", sector(following))
        difat += block[:-1]
        following = block[-1]
    fat: list[int] = []
    for s in difat:
        if s < _END:
            fat += struct.unpack(f"<{size // 4}I", sector(s))

    def chain(start: int) -> bytes:
        out, i = [], start
        while i < _END and i < len(fat) and len(out) <= len(fat):
            out.append(sector(i))
            i = fat[i]
        return b"".join(out)

    directory = chain(first_dir)
    for k in range(len(directory) // 128):
        entry = directory[k * 128:(k + 1) * 128]
        length = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[:max(length - 2, 0)].decode("utf-16-le", "ignore")
        start, stream_size = struct.unpack_from("<II", entry, 0x74)
        if entry[0x42] == 2 and name in ("Workbook", "Book"):
            # Excel pads its Workbook stream past the mini-stream cutoff (4096 bytes); a
            # smaller one is left alone (no merges) rather than read from the mini stream
            return chain(start)[:stream_size] if stream_size >= cutoff else None
    return None


def _records(stream: bytes, pos: int):
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4:pos + 4 + length]
        if kind == EOF:
            return
        pos += 4 + length


def _merges(stream: bytes) -> dict[str, tuple[int, list[tuple[int, int, int, int]]]]:
    sheets = []
    for kind, body in _records(stream, 0):
        if kind == BOUNDSHEET and len(body) >= 8:
            offset, chars, flags = struct.unpack_from("<I", body, 0)[0], body[6], body[7]
            name = (body[8:8 + 2 * chars].decode("utf-16-le", "ignore") if flags & 1
                    else body[8:8 + chars].decode("latin-1"))
            sheets.append((name, offset))
    out = {}
    for name, offset in sheets:
        first_col, ranges = 0, []
        for kind, body in _records(stream, offset):
            if kind == DIMENSIONS and len(body) >= 12:
                first_col = struct.unpack_from("<H", body, 8)[0]
            elif kind == MERGEDCELLS and len(body) >= 2:
                count = struct.unpack_from("<H", body, 0)[0]
                for k in range(min(count, (len(body) - 2) // 8)):
                    r1, r2, c1, c2 = struct.unpack_from("<HHHH", body, 2 + 8 * k)
                    ranges.append((r1, c1, r2, c2))
        if ranges:
            out[name] = (first_col, ranges)
    return out
