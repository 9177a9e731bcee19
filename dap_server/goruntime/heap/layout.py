"""Where the heap's bookkeeping lives in this binary: mheap, mspan, heapArena and type descriptor
fields, with their sizes, read from DWARF; the few linux/amd64 constants DWARF does not carry.

The release differences that matter to a heap walk are decided here, from what the binary has:
a per-arena heap bitmap (≤ 1.21: `heapArena.bitmap`), allocation headers and `mspan.largeType`
(1.22+), and Green Tea's inline mark bits at the end of small-object spans
(`heapArena.pageUseSpanInlineMarkBits`, 1.25 experiment, default from 1.26).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...program.dwarf.dies import DwarfError
from ...program.program import Program

PAGE_SIZE = 8192  # runtime._PageSize on every release and platform
ARENA_BYTES = 64 << 20  # runtime.heapArenaBytes on linux/amd64
ARENA_BASE_OFFSET = 0xFFFF800000000000  # runtime.arenaBaseOffset on amd64 (a constant DWARF lacks)
SPAN_IN_USE = 1  # runtime.mSpanInUse
INLINE_MARK_BITS = 128  # sizeof(runtime.spanInlineMarkBits), when DWARF does not say
MAX_SMALL_SIZE = 32768  # runtime.maxSmallSize: larger objects get a span of their own
WORD = 8

SPAN_FIELDS = ("startAddr", "npages", "freeindex", "nelems", "allocBits", "spanclass", "state", "elemsize")


class HeapError(Exception):
    """The heap cannot be walked in this binary or core; the message is for the user."""


@dataclass(frozen=True)
class FieldAt:
    offset: int
    size: int


@dataclass(frozen=True)
class HeapLayout:
    mheap: int  # address of runtime.mheap_
    span_size: int
    span: dict[str, FieldAt]  # SPAN_FIELDS, plus largeType and specials where the release has them
    allspans: int  # offset of mheap.allspans
    arenas: int  # offset of mheap.arenas
    arena_bitmap: FieldAt | None  # heapArena.bitmap (≤ 1.21)
    arena_inline_marks: FieldAt | None  # heapArena.pageUseSpanInlineMarkBits (Green Tea)
    inline_mark_bytes: int
    header_min: int | None  # minSizeForMallocHeader (1.22+); None: no allocation headers
    type_fields: dict[str, FieldAt]  # internal/abi.Type: Size_, PtrBytes, TFlag, Kind_, GCData
    gcmask_on_demand: int  # TFlagGCMaskOnDemand (1.24+), 0 before
    moduledata: dict[str, FieldAt]  # data, edata, bss, ebss, gcdatamask, gcbssmask
    special: dict[str, FieldAt]  # next, offset, kind
    finalizer_kind: int | None
    finalizer_fn: int | None  # offset of specialfinalizer.fn


def read_layout(program: Program) -> HeapLayout:
    """The layout of this binary's heap structures; HeapError if its DWARF lacks one."""
    if not program.dwarf.present:
        raise HeapError("heap analysis needs the binary's DWARF (this one has none)")
    try:
        return _read(program)
    except DwarfError as exc:
        raise HeapError(f"cannot read the runtime's heap structures from DWARF: {exc}") from exc


def _read(program: Program) -> HeapLayout:
    dwarf = program.dwarf
    span = _fields(program, "runtime.mspan", SPAN_FIELDS, ("largeType", "specials"))
    heap = _fields(program, "runtime.mheap", ("allspans", "arenas"), ())
    arena = _fields(program, "runtime.heapArena", (), ("bitmap", "pageUseSpanInlineMarkBits"))
    abi = "internal/abi.Type" if dwarf.struct("internal/abi.Type") is not None else "runtime._type"
    names = ("Size_", "PtrBytes", "TFlag", "Kind_", "GCData")
    if abi == "runtime._type":  # no release we support, but say so plainly rather than misread
        raise HeapError("this binary has no internal/abi.Type in its DWARF")
    type_fields = _fields(program, abi, names, ())
    module = _fields(program, "runtime.moduledata", ("data", "edata", "bss", "ebss", "gcdatamask", "gcbssmask"), ())
    special = _fields(program, "runtime.special", ("next", "offset", "kind"), ())
    finalizer = dwarf.struct("runtime.specialfinalizer")
    inline = dwarf.struct("runtime.spanInlineMarkBits")
    header_min = dwarf.constant("runtime.minSizeForMallocHeader")
    if header_min is None:
        header_min = dwarf.constant("internal/runtime/gc.MinSizeForMallocHeader")
    if header_min is None and "largeType" in span:
        header_min = WORD * 64
    size = dwarf.struct("runtime.mspan")
    assert size is not None
    mheap = program.symbol_address("runtime.mheap_")
    if mheap is None:
        raise HeapError("this binary has no runtime.mheap_ symbol")
    return HeapLayout(
        mheap=mheap,
        span_size=size.size,
        span=span,
        allspans=heap["allspans"].offset,
        arenas=heap["arenas"].offset,
        arena_bitmap=arena.get("bitmap"),
        arena_inline_marks=arena.get("pageUseSpanInlineMarkBits"),
        inline_mark_bytes=inline.size if inline is not None else INLINE_MARK_BITS,
        header_min=header_min if "largeType" in span else None,
        type_fields=type_fields,
        gcmask_on_demand=dwarf.constant("internal/abi.TFlagGCMaskOnDemand") or 0,
        moduledata=module,
        special=special,
        finalizer_kind=dwarf.constant("runtime._KindSpecialFinalizer"),
        finalizer_fn=finalizer.members["fn"].offset if finalizer is not None and "fn" in finalizer.members else None,
    )


def _fields(program: Program, struct: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, FieldAt]:
    dwarf = program.dwarf
    layout = dwarf.struct(struct)
    if layout is None:
        raise HeapError(f"this binary's DWARF has no {struct}")
    found: dict[str, FieldAt] = {}
    for name in required + optional:
        member = layout.members.get(name)
        if member is None:
            if name in required:
                raise HeapError(f"this binary's DWARF has no {struct}.{name}")
            continue
        size = dwarf.types.at(member.type_offset).size if member.type_offset is not None else WORD
        found[name] = FieldAt(member.offset, size)
    return found
