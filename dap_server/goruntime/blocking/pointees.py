"""What a stack word that may be a pointer leads to, for the reference search: which words are
followed, and the targets among the first words of the object it points to (read only up to the
object's end, its span's slot size: the words past it belong to a neighbour)."""

from __future__ import annotations

from typing import NamedTuple

from ...debuggee.api import UnreadableMemory
from ..heap.layout import HeapError, HeapLayout, object_extent, read_layout
from ..process import GoProcess

HOP_BYTES = 64  # words of a pointed-to object looked at: a closure's captures, a small struct's fields
MIN_POINTER = 1 << 16


def heap_layout(process: GoProcess) -> HeapLayout | None:
    try:
        return read_layout(process.program, process.layouts)
    except HeapError:
        return None  # no object bounds: HOP_BYTES are read wherever a pointer goes


def pointee_hits(process: GoProcess, heap: HeapLayout | None, addr: int, targets: set[int]) -> frozenset[int]:
    """The targets among the words of the object at `addr` (from `addr` to its end, HOP_BYTES at most)."""
    try:
        extent = object_extent(process.memory, heap, addr) if heap is not None else None
        data = process.memory.read(addr, hop_size(extent, addr))
    except UnreadableMemory:
        return frozenset()
    return frozenset(targets.intersection(memoryview(data).cast("Q")))


def hop_size(extent: tuple[int, int] | None, addr: int) -> int:
    """How many bytes from `addr` are read: HOP_BYTES, or fewer where its object ends sooner."""
    return HOP_BYTES if extent is None else min(HOP_BYTES, extent[0] + extent[1] - addr) & ~7


class Unfollowed(NamedTuple):
    """Words not followed besides small and unaligned ones: code addresses (`text`, start and
    end), and goroutine records (a g's stack bounds may equal an object's address)."""

    text: tuple[int, int]
    records: set[int]
