"""Where the heap's bookkeeping lives in this binary: mheap, mspan, heapArena and type descriptor
fields, with their sizes, read from DWARF; the few linux/amd64 constants DWARF does not carry.

The release differences that matter to a heap walk are decided here, from what the binary has:
a per-arena heap bitmap (≤ 1.21: `heapArena.bitmap`), allocation headers and `mspan.largeType`
(1.22+), and Green Tea's inline mark bits at the end of small-object spans
(`heapArena.pageUseSpanInlineMarkBits`, 1.25 experiment, default from 1.26).
"""

from __future__ import annotations

from typing import NamedTuple

from ...debuggee.api import Memory
from ...program.dwarf.dies import DwarfError
from ...program.layout_tables import HEAP_CONSTANTS, HEAP_FIELD_SIZES, release_key
from ...program.program import Program
from ..layouts import RuntimeLayouts

PAGE_SIZE = 8192  # runtime._PageSize on every release and platform
ARENA_BYTES = 64 << 20  # runtime.heapArenaBytes on linux/amd64
# runtime.arenaBaseOffset, per GOARCH (a constant DWARF lacks): amd64's heap may lie in the upper
# half of the address space, so its arena indices count from there; arm64's from 0.
ARENA_BASE_OFFSETS = {"amd64": 0xFFFF800000000000, "arm64": 0}
SPAN_IN_USE = 1  # runtime.mSpanInUse
INLINE_MARK_BITS = 128  # sizeof(runtime.spanInlineMarkBits), when DWARF does not say
WORD = 8

SPAN_FIELDS = ("startAddr", "npages", "freeindex", "nelems", "allocBits", "spanclass", "state", "elemsize")


class HeapError(Exception):
    """The heap cannot be walked in this binary or core; the message is for the user."""


class FieldAt(NamedTuple):
    offset: int
    size: int


class HeapLayout(NamedTuple):
    mheap: int  # address of runtime.mheap_
    span_size: int
    span: dict[str, FieldAt]  # SPAN_FIELDS, plus largeType and specials where the release has them
    allspans: int  # offset of mheap.allspans
    arenas: int  # offset of mheap.arenas
    arena_bitmap: FieldAt | None  # heapArena.bitmap (≤ 1.21)
    arena_inline_marks: FieldAt | None  # heapArena.pageUseSpanInlineMarkBits (Green Tea)
    arena_spans: FieldAt | None  # heapArena.spans: the span of each page
    arena_base: int  # runtime.arenaBaseOffset of the binary's architecture
    inline_mark_bytes: int
    header_min: int | None  # minSizeForMallocHeader (1.22+); None: no allocation headers
    type_fields: dict[str, FieldAt]  # internal/abi.Type: Size_, PtrBytes, TFlag, Kind_, GCData
    gcmask_on_demand: int  # TFlagGCMaskOnDemand (1.24+), 0 before
    moduledata: dict[str, FieldAt]  # data, edata, bss, ebss, gcdatamask, gcbssmask
    special: dict[str, FieldAt]  # next, offset, kind
    finalizer_kind: int | None
    finalizer_fn: int | None  # offset of specialfinalizer.fn


def arena_of(layout: HeapLayout, addr: int) -> int:
    """The index of the heap arena holding `addr`."""
    return ((addr - layout.arena_base) & ((1 << 64) - 1)) // ARENA_BYTES


def arena_start(layout: HeapLayout, index: int) -> int:
    """The first address of heap arena `index`."""
    return (index * ARENA_BYTES + layout.arena_base) & ((1 << 64) - 1)


def heap_arena(memory: Memory, layout: HeapLayout, index: int) -> int:
    """The heapArena record of arena `index` (linux/amd64: one level-1 entry)."""
    level2 = memory.u64(layout.mheap + layout.arenas)
    return memory.u64(level2 + WORD * index) if level2 else 0


def object_extent(memory: Memory, layout: HeapLayout, addr: int) -> tuple[int, int] | None:
    """(start, size) of the heap slot that holds `addr`, from the arena's page-to-span map; None
    where no in-use span holds it (a stack, a global) or the binary does not say where that map is.
    UnreadableMemory where the core lacks a record on the way."""
    if layout.arena_spans is None:
        return None
    record = heap_arena(memory, layout, arena_of(layout, addr))
    if not record:
        return None
    span = memory.u64(record + layout.arena_spans.offset + WORD * ((addr % ARENA_BYTES) // PAGE_SIZE))
    bounds = span_bounds(memory, layout, span) if span else None
    if bounds is None or not bounds[0] <= addr < bounds[1]:
        return None
    start, _, size = bounds
    return start + (addr - start) // size * size, size


def span_bounds(memory: Memory, layout: HeapLayout, span: int) -> tuple[int, int, int] | None:
    """(start, end, slot size) of the mspan at `span`; None when it is not in use or has no slot
    size. UnreadableMemory where the core lacks the record."""
    fields = layout.span
    state = memory.read(span + fields["state"].offset, 1)[0]
    start = memory.u64(span + fields["startAddr"].offset)
    pages = memory.u64(span + fields["npages"].offset)
    size = int.from_bytes(memory.read(span + fields["elemsize"].offset, fields["elemsize"].size), "little")
    if state != SPAN_IN_USE or not size:
        return None
    return start, start + pages * PAGE_SIZE, size


def read_layout(program: Program, layouts: RuntimeLayouts) -> HeapLayout:
    """The layout of this binary's heap structures: from DWARF, else the release's tables
    (program/layout_tables.py); HeapError if a field is in neither."""
    try:
        return _read(program, layouts)
    except DwarfError as exc:
        raise HeapError(f"cannot read the runtime's heap structures from DWARF: {exc}") from exc


def _read(program: Program, layouts: RuntimeLayouts) -> HeapLayout:
    fields = _Fields(program, layouts)
    span = fields.get("runtime.mspan", SPAN_FIELDS, ("largeType", "specials"))
    heap = fields.get("runtime.mheap", ("allspans", "arenas"), ())
    arena = fields.get("runtime.heapArena", (), ("bitmap", "pageUseSpanInlineMarkBits", "spans"))
    type_fields = fields.get("internal/abi.Type", ("Size_", "PtrBytes", "TFlag", "Kind_", "GCData"), ())
    module = fields.get("runtime.moduledata", ("data", "edata", "bss", "ebss", "gcdatamask", "gcbssmask"), ())
    special = fields.get("runtime.special", ("next", "offset", "kind"), ())
    finalizer = fields.get("runtime.specialfinalizer", (), ("fn",))
    header_min = fields.constant("runtime.minSizeForMallocHeader", "internal/runtime/gc.MinSizeForMallocHeader")
    if not header_min and "largeType" in span:
        header_min = WORD * 64
    mheap = program.symbol_address("runtime.mheap_")
    span_size = layouts.size("runtime.mspan")
    if mheap is None or span_size is None:
        raise HeapError("this binary has no runtime.mheap_ symbol" if mheap is None else "no size for runtime.mspan")
    inline = layouts.size("runtime.spanInlineMarkBits") if program.dwarf.present else None
    return HeapLayout(
        mheap=mheap,
        span_size=span_size,
        span=span,
        allspans=heap["allspans"].offset,
        arenas=heap["arenas"].offset,
        arena_bitmap=arena.get("bitmap"),
        arena_inline_marks=arena.get("pageUseSpanInlineMarkBits"),
        arena_spans=arena.get("spans"),
        arena_base=ARENA_BASE_OFFSETS.get(program.image.arch.name, 0),
        inline_mark_bytes=inline or INLINE_MARK_BITS,
        header_min=header_min if "largeType" in span else None,
        type_fields=type_fields,
        gcmask_on_demand=fields.constant("internal/abi.TFlagGCMaskOnDemand") or 0,
        moduledata=module,
        special=special,
        finalizer_kind=fields.constant("runtime._KindSpecialFinalizer"),
        finalizer_fn=finalizer["fn"].offset if "fn" in finalizer else None,
    )


class _Fields:
    """Offsets and widths of fields, and constants: DWARF's, else the release's tables."""

    def __init__(self, program: Program, layouts: RuntimeLayouts) -> None:
        self._dwarf = program.dwarf if program.dwarf.present else None
        self._layouts = layouts
        key = release_key(program.go_minor)
        self._sizes = HEAP_FIELD_SIZES[key]
        self._constants = HEAP_CONSTANTS[key]

    def get(self, struct: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, FieldAt]:
        layout = self._dwarf.struct(struct) if self._dwarf is not None else None
        found: dict[str, FieldAt] = {}
        for name in required + optional:
            offset = self._layouts.offset(struct, name)
            if offset is None:
                if name in required:
                    raise HeapError(f"cannot find {struct}.{name} in this binary ({self._layouts.source})")
                continue
            member = layout.members.get(name) if layout is not None else None
            if self._dwarf is not None and member is not None and member.type_offset is not None:
                size = self._dwarf.types.at(member.type_offset).size
            else:
                size = self._sizes.get((struct, name), WORD)
            found[name] = FieldAt(offset, size)
        return found

    def constant(self, *names: str) -> int | None:
        for name in names:
            value = self._dwarf.constant(name) if self._dwarf is not None else self._constants.get(name)
            if value is not None:
                return value
        return None
