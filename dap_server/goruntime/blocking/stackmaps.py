"""The live pointer slots of a goroutine's frames (goruntime/stackmaps.py): what the garbage
collector itself would scan, so that a stale word in a dead slot does not count as a reference.
Frames without stack maps (assembly) hold no pointers the compiler knows of here; stack objects
(address-taken locals) are reached one pointer away by the reference search, not here.
"""

from __future__ import annotations

from ...debuggee.api import UnreadableMemory
from ...program.pclntab import Func
from ...program.program import Program
from ..frames import Frame
from ..goroutines import Goroutine
from ..process import GoProcess
from ..stackmaps import lookup_pc, pointer_offsets


class StackMaps:
    """Live pointer slots per pc, cached for the whole stop."""

    def __init__(self, program: Program) -> None:
        self._pclntab = program.pclntab
        self._pushed = program.image.arch.return_address_pushed
        self._offsets: dict[int, tuple[int, ...]] = {}

    def slots(self, frame: Frame) -> list[int]:
        """Addresses of the frame's live pointer slots (locals, then arguments)."""
        func = frame.func
        if func is None or frame.foreign:
            return []
        return [frame.cfa + off for off in self.offsets(func, frame.pc, frame.trap)]

    def offsets(self, func: Func, pc: int, trap: bool) -> tuple[int, ...]:
        """The live pointer slots of a frame of `func` at `pc`, as offsets from its CFA."""
        lookup = lookup_pc(func, pc, trap)
        offsets = self._offsets.get(lookup)
        if offsets is None:
            offsets = self._offsets[lookup] = (
                pointer_offsets(self._pclntab, func, lookup, stack_objects=False, return_address_pushed=self._pushed)
                or ()
            )
        return offsets


def live_words(process: GoProcess, maps: StackMaps, frames: list[Frame]) -> list[int]:
    """The values of every live pointer slot of the goroutine's physical frames."""
    out: list[int] = []
    seen: set[int] = set()
    for frame in frames:
        if frame.is_synthetic or frame.cfa in seen:
            continue  # inlined calls share their physical frame's slots
        seen.add(frame.cfa)
        for slot in maps.slots(frame):
            try:
                out.append(process.memory.u64(slot))
            except UnreadableMemory:
                continue
    return out


def bulk_live_words(process: GoProcess, maps: StackMaps, goroutines: list[Goroutine]) -> list[list[int] | None]:
    """`live_words` of each goroutine's frames, their stacks walked together (bulkwalk.py) and
    their slots read with one gather; None for a stack the lean walk does not take (or one whose
    frames leave it, where the general walk stops): the caller walks those one by one."""
    import numpy as np  # only for big cores

    from ..bulkwalk import walk
    from ..regions import Regions

    found = walk(process.unwinder, goroutines, chains=False, frames=True)
    lo = np.array([g.stack_lo for g in goroutines], dtype=np.int64)
    hi = np.array([g.stack_hi for g in goroutines], dtype=np.int64)
    alone = np.array([named is None for named in found.named], dtype=bool)
    last_cfa = np.full(len(goroutines), -1, dtype=np.int64)
    owners: list[np.ndarray] = []
    slots: list[np.ndarray] = []
    for depth in found.depths:
        lanes, cfa = depth.lanes, depth.cfa.astype(np.int64)
        alone[lanes[(cfa < lo[lanes]) | (cfa > hi[lanes])]] = True
        fresh = cfa != last_cfa[lanes]  # inlined calls and frameless tops share their frame's slots
        last_cfa[lanes] = cfa
        for k, (func, pc, trap) in enumerate(zip(depth.funcs, depth.pcs, depth.traps, strict=True)):
            offsets = maps.offsets(func, pc, trap)
            if not offsets:
                continue
            sel = fresh & (depth.which == k)
            for off in offsets:
                owners.append(lanes[sel])
                slots.append(cfa[sel] + off)
    words: list[list[int] | None] = [None if a else [] for a in alone.tolist()]
    if not slots:
        return words
    owner, addr = np.concatenate(owners), np.concatenate(slots)
    values, ok = Regions(process.memory, lo, hi).gather(addr)
    for i in np.flatnonzero(~ok).tolist():
        try:
            values[i] = process.memory.u64(int(addr[i]))
            ok[i] = True
        except UnreadableMemory:
            continue
    order = np.argsort(owner[ok], kind="stable")  # each stack's words in frame order
    owner, values = owner[ok][order], values[ok][order]
    bounds = np.searchsorted(owner, np.arange(len(goroutines) + 1))
    for i in np.unique(owner).tolist():
        if words[i] is not None:
            words[i] = values[bounds[i] : bounds[i + 1]].tolist()
    return words
