"""The live pointer slots of a goroutine's frames (goruntime/stackmaps.py): what the garbage
collector itself would scan, so that a stale word in a dead slot does not count as a reference.
Frames without stack maps (assembly) hold no pointers the compiler knows of here; stack objects
(address-taken locals) are reached one pointer away by the reference search, not here.
"""

from __future__ import annotations

from ...debuggee.api import UnreadableMemory
from ...program.pclntab import Pclntab
from ..frames import Frame
from ..process import GoProcess
from ..stackmaps import lookup_pc, pointer_offsets


class StackMaps:
    """Live pointer slots per pc, cached for the whole stop."""

    def __init__(self, pclntab: Pclntab) -> None:
        self._pclntab = pclntab
        self._offsets: dict[int, tuple[int, ...]] = {}

    def slots(self, frame: Frame) -> list[int]:
        """Addresses of the frame's live pointer slots (locals, then arguments)."""
        func = frame.func
        if func is None or frame.foreign:
            return []
        pc = lookup_pc(func, frame.pc, frame.trap)
        offsets = self._offsets.get(pc)
        if offsets is None:
            offsets = self._offsets[pc] = pointer_offsets(self._pclntab, func, pc, stack_objects=False) or ()
        return [frame.cfa + off for off in offsets]


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
