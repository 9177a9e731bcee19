"""The live pointer slots of a goroutine's frames, from the stack maps the compiler leaves for the
garbage collector (FUNCDATA_LocalsPointerMaps / ArgsPointerMaps at PCDATA_StackMapIndex): what the
GC itself would scan, so that a stale word in a dead slot does not count as a reference.

On amd64 a frame's locals end at varp = CFA − 8 (− 8 more for the saved frame pointer when the
frame has locals) and its arguments start at the CFA. Frames without stack maps (assembly) hold
no pointers the compiler knows of; stack objects (address-taken locals) are reached one pointer
away by the reference search, not here.
"""

from __future__ import annotations

import struct

from ...debuggee.api import UnreadableMemory
from ...program.pclntab import Func, Pclntab
from ..frames import Frame
from ..process import GoProcess

FUNCDATA_ARGS_POINTER_MAPS = 0
FUNCDATA_LOCALS_POINTER_MAPS = 1
PCDATA_STACK_MAP_INDEX = 1
_PTR = 8
_HEADER = struct.Struct("<ii")  # runtime.stackmap: n (bitmaps), nbit (bits per bitmap)
_MAX_BITS = 1 << 16  # words of one frame's locals or arguments: no compiled frame comes near


class StackMaps:
    """Live pointer slots per pc, cached for the whole stop."""

    def __init__(self, pclntab: Pclntab) -> None:
        self._pclntab = pclntab
        self._slots: dict[int, tuple[int, tuple[int, ...], tuple[int, ...]]] = {}

    def slots(self, frame: Frame) -> list[int]:
        """Addresses of the frame's live pointer slots (locals, then arguments)."""
        func = frame.func
        if func is None or frame.foreign:
            return []
        pc = frame.pc if frame.trap or frame.pc == func.entry else frame.pc - 1
        cached = self._slots.get(pc)
        if cached is None:
            cached = self._slots[pc] = self._offsets(func, pc)
        locals_size, locals_, args = cached
        sp = frame.cfa - _PTR - self._pclntab.sp_delta(func, pc)
        varp = frame.cfa - _PTR
        if varp > sp:
            varp -= _PTR  # the saved frame pointer
        out = [varp - locals_size + off for off in locals_] if varp > sp else []
        return out + [frame.cfa + off for off in args]

    def _offsets(self, func: Func, pc: int) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
        """(bytes the locals map covers, live offsets in it, live argument offsets from the CFA)."""
        table = func.pcdata[PCDATA_STACK_MAP_INDEX] if len(func.pcdata) > PCDATA_STACK_MAP_INDEX else 0
        index = max(0, self._pclntab.pcvalue(func, table, pc)) if table else 0
        nbit, local_bits = self._bits(func, FUNCDATA_LOCALS_POINTER_MAPS, index)
        _, arg_bits = self._bits(func, FUNCDATA_ARGS_POINTER_MAPS, index) if func.args > 0 else (0, [])
        return nbit * _PTR, tuple(b * _PTR for b in local_bits), tuple(b * _PTR for b in arg_bits)

    def _bits(self, func: Func, which: int, index: int) -> tuple[int, list[int]]:
        """(bits per bitmap, the set bits of bitmap `index`) of the function's map `which`."""
        header = self._pclntab.read_funcdata(func, which, 0, _HEADER.size)
        if header is None or len(header) < _HEADER.size:
            return 0, []
        count, nbit = _HEADER.unpack(header)
        if not 0 <= index < count or not 0 < nbit <= _MAX_BITS:
            return 0, []
        width = (nbit + 7) >> 3
        data = self._pclntab.read_funcdata(func, which, _HEADER.size + index * width, width)
        if data is None or len(data) < width:
            return 0, []
        return nbit, [i for i in range(nbit) if data[i >> 3] >> (i & 7) & 1]


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
