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


def stack_words(process: GoProcess, maps: StackMaps, g: Goroutine) -> list[int] | None:
    """The values of g's live pointer slots, as the garbage collector would scan them (None:
    its record or its stack cannot be read)."""
    if g.unreadable is not None:
        return None
    try:
        frames = process.frames(g)
    except UnreadableMemory:
        return None
    return live_words(process, maps, frames)
