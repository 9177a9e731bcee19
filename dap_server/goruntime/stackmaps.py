"""Which words of a goroutine's frame hold live pointers, as the garbage collector finds them: the
function's locals and arguments pointer maps (`FUNCDATA_LocalsPointerMaps`/`ArgsPointerMaps`) at
the frame's `PCDATA_StackMapIndex`, and optionally its stack objects (`FUNCDATA_StackObjects`,
address-taken locals, taken whole). A stale word in a dead slot is not a pointer.

Offsets are from the frame's CFA, so they are the same for every frame at one pc and are cached per
pc by callers. On amd64 the call pushed the return address below the CFA: a frame's locals end at
varp = CFA − 8 (− 8 more for the saved frame pointer when the frame has locals) and its arguments
start at the CFA. On arm64 nothing is pushed (the CFA is the frame's fp, as the runtime names it)
and a frame keeps a word for its callee's link register at 0(SP) (sys.MinFrameSize): locals end at
CFA (− 8 for the frame pointer) and arguments start at CFA + 8. A frame without maps (assembly, or
code the runtime itself scans conservatively) gets None: the caller decides whether to scan it whole
(the heap's roots, as the runtime does) or not at all (the blocking graph's references).
"""

from __future__ import annotations

import struct

from ..program.pclntab import Func, Pclntab

WORD = 8
PCDATA_STACK_MAP_INDEX = 1
FUNCDATA_ARGS_POINTER_MAPS = 0
FUNCDATA_LOCALS_POINTER_MAPS = 1
FUNCDATA_STACK_OBJECTS = 2
MAX_BITS = 1 << 20  # words of one frame's locals or arguments: no compiled frame comes near
MAX_STACK_OBJECTS = 1 << 12
CONSERVATIVE = ("runtime.asyncPreempt", "runtime.debugCall")  # frames the runtime scans whole
_HEADER = struct.Struct("<ii")  # runtime.stackmap: n (bitmaps), nbit (bits per bitmap)
_STACK_OBJECT = struct.Struct("<iiiI")  # off, size, ptrdata, gcdataoff


def lookup_pc(func: Func, pc: int, trap: bool) -> int:
    """The pc whose maps describe a frame: a return address's call instruction, a trap's own pc."""
    return pc if trap or pc == func.entry else pc - 1


def pointer_offsets(
    pclntab: Pclntab, func: Func, pc: int, stack_objects: bool, return_address_pushed: bool
) -> tuple[int, ...] | None:
    """Offsets from the CFA of the frame's live pointer words at lookup pc `pc`; None when the
    function has no maps there. `return_address_pushed`: the architecture's calls push the return
    address (amd64), rather than leave it in a link register (arm64)."""
    if func.name.startswith(CONSERVATIVE):
        return None
    table = func.pcdata[PCDATA_STACK_MAP_INDEX] if len(func.pcdata) > PCDATA_STACK_MAP_INDEX else 0
    index = max(pclntab.pcvalue(func, table, pc), 0) if table else 0
    pushed = WORD if return_address_pushed else 0
    argp = 0 if return_address_pushed else WORD
    sp = -pushed - pclntab.sp_delta(func, pc)
    varp = -pushed
    if varp > sp:
        varp -= WORD  # the saved frame pointer
    offsets: list[int] = []
    if varp > sp:
        locals_ = _bits(pclntab, func, FUNCDATA_LOCALS_POINTER_MAPS, index)
        if locals_ is None:
            return None
        offsets += [varp - (len(locals_) - i) * WORD for i, bit in enumerate(locals_) if bit]
    args = _bits(pclntab, func, FUNCDATA_ARGS_POINTER_MAPS, index) if func.args > 0 else []
    offsets += [argp + i * WORD for i, bit in enumerate(args or []) if bit]
    if stack_objects:
        offsets += _stack_object_offsets(pclntab, func, varp, argp)
    return tuple(offsets)


def _bits(pclntab: Pclntab, func: Func, which: int, index: int) -> list[bool] | None:
    """Bitmap `index` of the function's map `which`: [] for a map of no words, None for none."""
    addr = pclntab.funcdata_address(func, which)
    header = pclntab.read_funcdata(addr, _HEADER.size) if addr is not None else None
    if addr is None or header is None or len(header) < _HEADER.size:
        return None
    count, nbit = _HEADER.unpack(header)
    if nbit <= 0:
        return []
    if not 0 <= index < count or nbit > MAX_BITS:
        return None
    stride = (nbit + 7) // 8
    raw = pclntab.read_funcdata(addr + _HEADER.size + index * stride, stride)
    if raw is None or len(raw) < stride:
        return None
    return [bool(raw[i // 8] >> (i % 8) & 1) for i in range(nbit)]


def _stack_object_offsets(pclntab: Pclntab, func: Func, varp: int, argp: int) -> list[int]:
    addr = pclntab.funcdata_address(func, FUNCDATA_STACK_OBJECTS)
    raw = pclntab.read_funcdata(addr, WORD) if addr is not None else None
    if addr is None or raw is None:
        return []
    count = min(int.from_bytes(raw, "little"), MAX_STACK_OBJECTS)
    records = pclntab.read_funcdata(addr + WORD, count * _STACK_OBJECT.size) or b""
    offsets: list[int] = []
    for off, _size, ptrdata, _gcdata in _STACK_OBJECT.iter_unpack(records[: count * _STACK_OBJECT.size]):
        base = (varp if off < 0 else argp) + off
        offsets += range(base, base + max(ptrdata, 0), WORD)
    return offsets
