"""The parts of the debuggee's memory a bulk pass reads, as numpy word arrays viewed in place.

A pass over every goroutine reads the same fields of 100,000 records, or the return addresses of
100,000 stacks: one numpy gather per field instead of one call per record. The ranges it needs
(records, stacks) are merged into runs, and each run is found in one buffer of the debuggee's
memory (`Memory.window`: the mmapped core); a run that no one buffer holds is split at its widest
gap until its parts are. Addresses outside every run are left to the caller's scalar reads.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..binfmt.elf import Buffer
from ..debuggee.api import Memory

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
_MERGE_GAP = 1 << 20  # ranges this close are tried as one run first


class Regions:
    """Aligned 8-byte words of the debuggee in the runs that cover `starts`/`ends`."""

    def __init__(self, memory: Memory, starts: I64, ends: I64) -> None:
        found: list[tuple[int, int, Buffer, int]] = []
        order = np.argsort(starts, kind="stable")
        lo, hi = starts[order].astype(np.int64), np.maximum.accumulate(ends[order].astype(np.int64))
        breaks = np.flatnonzero(lo[1:] - hi[:-1] > _MERGE_GAP) + 1
        pending = [(int(a), int(b) - 1) for a, b in zip(np.r_[0, breaks], np.r_[breaks, len(lo)], strict=True)]
        pending = pending if len(lo) else []
        while pending:
            i, j = pending.pop()
            start, end = int(lo[i]), int(hi[j])
            window = memory.window(start, end - start)
            if window is not None and (window[1] - start) % 8 == 0:
                found.append((start, end, window[0], window[1] - start))
            elif i < j:
                cut = i + 1 + int(np.argmax(lo[i + 1 : j + 1] - hi[i:j]))
                pending += [(i, cut - 1), (cut, j)]
        found.sort(key=lambda f: f[0])
        self._starts = np.array([f[0] for f in found], dtype=np.int64)
        self._ends = np.array([f[1] for f in found], dtype=np.int64)
        self._deltas = np.array([f[3] for f in found], dtype=np.int64)  # buffer offset − address
        buffers: dict[int, int] = {}
        self._words: list[U64] = []
        which = []
        for _, _, buffer, _ in found:
            if id(buffer) not in buffers:
                buffers[id(buffer)] = len(self._words)
                self._words.append(np.frombuffer(buffer, dtype="<u8", count=len(buffer) // 8))
            which.append(buffers[id(buffer)])
        self._buffer_of = np.array(which, dtype=np.int64)

    def locate(self, addrs: I64, size: int) -> tuple[I64, I64, Mask]:
        """For each address: the buffer and word index of its first word, and whether all `size`
        bytes from it lie in one run (8-aligned addresses only)."""
        run = np.searchsorted(self._starts, addrs, side="right") - 1
        ok = (run >= 0) & (addrs % 8 == 0)
        run = np.where(ok, run, 0)
        if len(self._starts):
            ok &= addrs + size <= self._ends[run]
        else:
            ok[:] = False
        word = (addrs + self._deltas[run]) >> 3 if len(self._starts) else np.zeros_like(addrs)
        buffer = self._buffer_of[run] if len(self._starts) else np.zeros_like(addrs)
        return buffer, np.where(ok, word, 0), ok

    def words(self, buffer: I64, word: I64) -> U64:
        """The words at located positions (as `locate` returned them, for addresses it found)."""
        if len(self._words) == 1:
            return self._words[0][word]
        values = np.zeros(len(word), dtype=np.uint64)
        for b, array in enumerate(self._words):
            sel = buffer == b
            values[sel] = array[word[sel]]
        return values

    def gather(self, addrs: I64) -> tuple[U64, Mask]:
        """The words at `addrs` and which of them were found (the others read 0)."""
        buffer, word, ok = self.locate(addrs, 8)
        values = self.words(buffer, word)
        values[~ok] = 0
        return values, ok
