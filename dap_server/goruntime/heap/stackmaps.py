"""Which words of a goroutine frame hold live pointers, as the garbage collector finds them: the
locals and arguments pointer maps of the function (`FUNCDATA_LocalsPointerMaps`/`ArgsPointerMaps`)
at the frame's `PCDATA_StackMapIndex`, and its stack objects (`FUNCDATA_StackObjects`, address-taken
locals, scanned whole here). A frame with no maps (assembly, or where the runtime itself scans
conservatively) has every word of it scanned."""

from __future__ import annotations

import struct

from ...program.pclntab import Func, Pclntab
from .layout import WORD

PCDATA_STACK_MAP_INDEX = 1
FUNCDATA_ARGS_POINTER_MAPS = 0
FUNCDATA_LOCALS_POINTER_MAPS = 1
FUNCDATA_STACK_OBJECTS = 2
MAX_BITS = 1 << 20
MAX_STACK_OBJECTS = 1 << 12
_HEADER = struct.Struct("<ii")
_STACK_OBJECT = struct.Struct("<iiiI")  # off, size, ptrdata, gcdataoff
CONSERVATIVE = ("runtime.asyncPreempt", "runtime.debugCall")


def frame_pointer_words(pclntab: Pclntab, func: Func | None, pc: int, sp: int, cfa: int) -> list[int] | None:
    """Addresses of the frame's live pointer words, or None: scan [sp, cfa) conservatively."""
    if func is None or func.name.startswith(CONSERVATIVE):
        return None
    target = pc if pc == func.entry else pc - 1  # the call instruction, as the runtime looks it up
    index = pclntab.pcvalue(func, func.pcdata[PCDATA_STACK_MAP_INDEX], target) if len(func.pcdata) > 1 else -1
    index = max(index, 0)
    varp = cfa - WORD
    if varp > sp:
        varp -= WORD  # the saved frame pointer
    words: list[int] = []
    locals_ = _bits(pclntab, func, FUNCDATA_LOCALS_POINTER_MAPS, index) if varp > sp else []
    if locals_ is None and varp > sp:
        return None
    nbits = len(locals_ or [])
    words += [varp - (nbits - i) * WORD for i, bit in enumerate(locals_ or []) if bit]
    args = _bits(pclntab, func, FUNCDATA_ARGS_POINTER_MAPS, index)
    words += [cfa + i * WORD for i, bit in enumerate(args or []) if bit]
    words += _stack_object_words(pclntab, func, varp, cfa)
    return words


def _bits(pclntab: Pclntab, func: Func, which: int, index: int) -> list[bool] | None:
    addr = pclntab.funcdata_address(func, which)
    if addr is None:
        return None
    header = pclntab.read_funcdata(addr, _HEADER.size)
    if header is None:
        return None
    count, nbit = _HEADER.unpack(header)
    if nbit <= 0:
        return []
    if count <= 0 or nbit > MAX_BITS or index >= count:
        return None
    stride = (nbit + 7) // 8
    raw = pclntab.read_funcdata(addr + _HEADER.size + index * stride, stride)
    if raw is None:
        return None
    return [bool(raw[i // 8] >> (i % 8) & 1) for i in range(nbit)]


def _stack_object_words(pclntab: Pclntab, func: Func, varp: int, argp: int) -> list[int]:
    addr = pclntab.funcdata_address(func, FUNCDATA_STACK_OBJECTS)
    raw = pclntab.read_funcdata(addr, WORD) if addr is not None else None
    if addr is None or raw is None:
        return []
    count = min(int.from_bytes(raw, "little"), MAX_STACK_OBJECTS)
    records = pclntab.read_funcdata(addr + WORD, count * _STACK_OBJECT.size) or b""
    words: list[int] = []
    for off, _size, ptrdata, _gcdata in _STACK_OBJECT.iter_unpack(records):
        base = (varp if off < 0 else argp) + off
        words += range(base, base + max(ptrdata, 0), WORD)
    return words
