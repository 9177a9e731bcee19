"""The address space of a dumped process, read through an mmap of the core.

Spans of the address space come from three places: bytes dumped in the core, bytes of a file
that was mapped there (the kernel omits read-only file-backed pages such as the executable's text
and rodata; gcore omits whole mappings), or nowhere (PROT_NONE reservations, a truncated core).
Every read either returns all the bytes asked for or raises `UnreadableMemory` with the reason.
"""

from __future__ import annotations

import struct
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ..binfmt.elf import Buffer
from .errors import UnreadableMemory
from .mappings import FileMapping
from .reads import MemoryReads

_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")


class Span(NamedTuple):
    """[start, end) read from `buffer` at `offset`; a None buffer means the bytes are missing."""

    start: int
    end: int
    buffer: Buffer | None
    offset: int
    origin: str


_EMPTY = Span(0, 0, None, 0, "nothing")


class SegmentMemory(MemoryReads):
    """Random access to the dumped address space; reads never allocate more than they return."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self._spans = sorted(spans, key=lambda p: p.start)
        self._starts = [p.start for p in self._spans]
        self._last = _EMPTY

    def read(self, addr: int, size: int) -> bytes:
        """Exactly `size` bytes at `addr`, or UnreadableMemory."""
        if size <= 0:  # the fast path below would take an empty range as covered by any span
            if size == 0:
                return b""
            raise UnreadableMemory(addr, size, "negative size")
        span = self._last
        if not (span.start <= addr and addr + size <= span.end):
            i = bisect_right(self._starts, addr) - 1
            if i < 0:
                return self._read_spanning(addr, size)
            span = self._spans[i]
            if addr + size > span.end or span.buffer is None:
                return self._read_spanning(addr, size)
            self._last = span
        off = span.offset + addr - span.start
        data = span.buffer[off : off + size]  # type: ignore[index]
        if len(data) != size:
            return self._read_spanning(addr, size)
        return data if type(data) is bytes else bytes(data)

    def unpack(self, fmt: struct.Struct, addr: int) -> tuple[Any, ...]:
        """`fmt.unpack` of the bytes at `addr`, straight from the buffer when it lies in one span."""
        span = self._last
        size = fmt.size
        if not (span.start <= addr and addr + size <= span.end):
            i = bisect_right(self._starts, addr) - 1
            if i < 0:
                return fmt.unpack(self._read_spanning(addr, size))
            span = self._spans[i]
            if addr + size > span.end or span.buffer is None:
                return fmt.unpack(self._read_spanning(addr, size))
            self._last = span
        off = span.offset + addr - span.start
        try:
            return fmt.unpack_from(span.buffer, off)  # type: ignore[arg-type]
        except struct.error:
            return fmt.unpack(self._read_spanning(addr, size))

    def window(self, addr: int, size: int) -> tuple[Buffer, int] | None:
        """The buffer holding all of [addr, addr+size) and the offset of `addr` in it, for a
        caller about to make many small reads there (a stack walk); None if no one buffer does."""
        i = bisect_right(self._starts, addr) - 1
        if i < 0 or size <= 0:
            return None
        span = self._spans[i]
        off = span.offset + addr - span.start
        if span.buffer is None or addr + size > span.end or off + size > len(span.buffer):
            return None
        return span.buffer, off

    def _read_spanning(self, addr: int, size: int) -> bytes:
        if size < 0 or addr < 0 or addr + size > 1 << 64:
            raise UnreadableMemory(addr, size, "address out of range")
        out = bytearray()
        cursor = addr
        end = addr + size
        while cursor < end:
            i = bisect_right(self._starts, cursor) - 1
            if i < 0 or cursor >= self._spans[i].end:
                raise UnreadableMemory(addr, size, f"address {cursor:#x} is not mapped in the core")
            span = self._spans[i]
            if span.buffer is None:
                raise UnreadableMemory(addr, size, f"{cursor:#x} is {span.origin}")
            take = min(end, span.end) - cursor
            off = span.offset + cursor - span.start
            chunk = span.buffer[off : off + take]
            if len(chunk) != take:
                raise UnreadableMemory(addr, size, f"{cursor:#x} lies past the end of its backing file")
            out += chunk
            cursor += take
        return bytes(out)


def file_spans(mappings: Iterable[FileMapping], backing: Mapping[str, Buffer] | None) -> dict[tuple[int, int], Span]:
    """Spans of the mapped files godap could open (`backing`: path → bytes), by mapped range."""
    fills: dict[tuple[int, int], Span] = {}
    for mapping in mappings:
        buffer = (backing or {}).get(mapping.path)
        if buffer is None:
            continue
        size = min(mapping.end - mapping.start, max(0, len(buffer) - mapping.file_offset))
        if size > 0:
            fills[(mapping.start, mapping.end)] = Span(
                mapping.start, mapping.start + size, buffer, mapping.file_offset, f"file {mapping.path}"
            )
    return fills


def layer_spans(base: list[Span], fill: Mapping[tuple[int, int], Span]) -> list[Span]:
    """Overlay `fill` spans onto the missing parts of `base` (and onto unmapped gaps)."""
    result: list[Span] = []
    fills = sorted(fill.values(), key=lambda p: p.start)
    for span in base:
        if span.buffer is not None:
            result.append(span)
            continue
        result.extend(_cover(span, fills))
    covered = [(p.start, p.end) for p in base]
    for extra in fills:
        result.extend(_uncovered(extra, covered))
    return result


def _cover(missing: Span, fills: list[Span]) -> list[Span]:
    """Split a missing span into parts supplied by `fills` and parts still missing."""
    out: list[Span] = []
    cursor = missing.start
    for f in fills:
        if f.end <= cursor or f.start >= missing.end:
            continue
        if f.start > cursor:
            out.append(Span(cursor, f.start, None, 0, missing.origin))
            cursor = f.start
        stop = min(f.end, missing.end)
        out.append(Span(cursor, stop, f.buffer, f.offset + cursor - f.start, f.origin))
        cursor = stop
    if cursor < missing.end:
        out.append(Span(cursor, missing.end, None, 0, missing.origin))
    return out


def _uncovered(extra: Span, covered: list[tuple[int, int]]) -> list[Span]:
    """The parts of `extra` that no PT_LOAD segment describes (gdb's gcore drops whole mappings)."""
    parts = [(extra.start, extra.end)]
    for start, end in covered:
        next_parts = []
        for a, b in parts:
            if end <= a or start >= b:
                next_parts.append((a, b))
                continue
            if a < start:
                next_parts.append((a, start))
            if end < b:
                next_parts.append((end, b))
        parts = next_parts
        if not parts:
            break
    return [Span(a, b, extra.buffer, extra.offset + a - extra.start, extra.origin) for a, b in parts]
