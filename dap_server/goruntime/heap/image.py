"""The debuggee's words as numpy arrays: whole address ranges viewed in place (a core is mmapped),
so that millions of heap words are read with one gather instead of one call each."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ...debuggee.api import Memory, UnreadableMemory
from . import graphnative

U64 = npt.NDArray[np.uint64]


class WordImage:
    """Aligned 8-byte words of the ranges given, each range one array when the debuggee's memory
    holds it in one buffer (else read once into one)."""

    def __init__(self, memory: Memory, ranges: list[tuple[int, int]]) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._arrays: list[U64] = []
        self.missing = 0  # bytes of the ranges the debuggee does not have
        for start, end in _merged(ranges):
            self._add(memory, start, end)
        self._start_array = np.array(self._starts, dtype=np.uint64)
        self._end_array = np.array(self._ends, dtype=np.uint64)

    def _add(self, memory: Memory, start: int, end: int) -> None:
        found = memory.window(start, end - start)
        if found is not None:
            buffer, offset = found
            array = np.frombuffer(buffer, dtype="<u8", count=(end - start) // 8, offset=offset)
        else:
            try:
                array = np.frombuffer(memory.read(start, end - start), dtype="<u8")
            except UnreadableMemory:
                if end - start > 1 << 16:  # split: keep what can be read
                    middle = start + ((end - start) // 2 & ~0xFFF)
                    self._add(memory, start, middle)
                    self._add(memory, middle, end)
                else:
                    self.missing += end - start
                return
        self._starts.append(start)
        self._ends.append(end)
        self._arrays.append(array)

    def words(self, start: int, count: int) -> U64 | None:
        """`count` words from `start` as a view, or None when they do not lie in one range."""
        i = int(np.searchsorted(self._start_array, np.uint64(start), side="right")) - 1
        if i < 0 or start + 8 * count > self._ends[i]:
            return None
        first = (start - self._starts[i]) // 8
        return self._arrays[i][first : first + count]

    def gather(self, addrs: U64) -> tuple[U64, npt.NDArray[np.bool_]]:
        """The words at `addrs` (8-aligned) and which of them could be read (the others read 0)."""
        return graphnative.gather(self._start_array, self._end_array, self._arrays, addrs)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
