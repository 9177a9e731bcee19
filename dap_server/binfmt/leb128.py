"""LEB128 numbers (DWARF's ULEB/SLEB, Go's uvarint): one reader for every format that uses them."""

from __future__ import annotations

MAX_BYTES = 10  # a 64-bit value needs at most 10 bytes; longer runs are damage


class LebError(ValueError, IndexError):
    """A LEB128 number runs past the end of its data or past 64 bits."""


def read_uleb(data: bytes | bytearray, pos: int) -> tuple[int, int]:
    """(value, position after it) of the unsigned LEB128 number at `pos`."""
    if pos >= len(data):
        raise LebError("a LEB128 number runs past the end of its data")
    byte = data[pos]
    if byte < 0x80:
        return byte, pos + 1
    value = byte & 0x7F
    shift = 7
    end = min(len(data), pos + MAX_BYTES)
    pos += 1
    while pos < end:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
    raise LebError("a LEB128 number runs past the end of its data or past 64 bits")


def read_sleb(data: bytes | bytearray, pos: int) -> tuple[int, int]:
    """(value, position after it) of the signed LEB128 number at `pos`."""
    start = pos
    value, pos = read_uleb(data, pos)
    bits = 7 * (pos - start)
    if data[pos - 1] & 0x40:
        value -= 1 << bits
    return value, pos
