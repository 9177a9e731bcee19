"""Which words of the heap's objects hold pointers, as the garbage collector itself knows them.

* ≤ 1.21: one bit per heap word in the arena's `heapArena.bitmap` (junk for free slots, which are
  dropped by keeping only words inside allocated objects).
* 1.22+: objects ≤ minSizeForMallocHeader in scannable spans: one bit per word at the span's end
  (below Green Tea's inline mark bits where the arena's per-page flag says the span has them);
  larger objects in small-object spans: an 8-byte `*abi.Type` header, whose GC mask is tiled over
  the rest of the slot; objects with a span of their own: `mspan.largeType`, tiled over the slot.
  A type whose mask is built on demand (1.24+ `TFlagGCMaskOnDemand`) and not yet built, or a GC
  program (`KindGCProg`, ≤ 1.23), counts every word below PtrBytes as a possible pointer.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ...debuggee.api import Memory, UnreadableMemory
from .image import U64, WordImage
from .layout import ARENA_BYTES, PAGE_SIZE, WORD, HeapLayout, arena_of, arena_start, heap_arena
from .spans import ObjectTable, SpanTable

KIND_GC_PROG = 1 << 6  # abi.KindGCProg, ≤ 1.23
TFLAG_UNROLLED_BITMAP = 1 << 4  # ≤ 1.23: a large object's type made from its GC program
MAX_MASK_WORDS = 1 << 24
CHUNK_WORDS = 1 << 22


@dataclass(frozen=True)
class TypeMask:
    size: int  # Size_
    words: npt.NDArray[np.int64]  # byte offsets of the pointer words of one element


class TypeMasks:
    """GC masks of type descriptors, read once each."""

    def __init__(self, memory: Memory, layout: HeapLayout) -> None:
        self._memory = memory
        self._layout = layout
        self._masks: dict[int, TypeMask | None] = {}

    def get(self, addr: int) -> TypeMask | None:
        if addr not in self._masks:
            try:
                self._masks[addr] = self._read(addr)
            except UnreadableMemory:
                self._masks[addr] = None
        return self._masks[addr]

    def _read(self, addr: int) -> TypeMask | None:
        f = self._layout.type_fields
        memory = self._memory
        size = memory.u64(addr + f["Size_"].offset)
        ptr_bytes = memory.u64(addr + f["PtrBytes"].offset)
        if size == 0 or ptr_bytes > size or ptr_bytes // WORD > MAX_MASK_WORDS:
            return None
        nwords = ptr_bytes // WORD
        tflag = memory.read(addr + f["TFlag"].offset, 1)[0]
        kind = memory.read(addr + f["Kind_"].offset, 1)[0]
        gcdata = memory.u64(addr + f["GCData"].offset)
        if self._layout.gcmask_on_demand and tflag & self._layout.gcmask_on_demand:
            gcdata = memory.u64(gcdata) if gcdata else 0
        program = kind & KIND_GC_PROG and not self._layout.gcmask_on_demand and not tflag & TFLAG_UNROLLED_BITMAP
        if not gcdata or program:
            return TypeMask(size, np.arange(nwords, dtype=np.int64) * WORD)  # no mask to read: every word
        bits = np.unpackbits(np.frombuffer(memory.read(gcdata, (nwords + 7) // 8), dtype=np.uint8), bitorder="little")
        return TypeMask(size, np.nonzero(bits[:nwords])[0].astype(np.int64) * WORD)


@dataclass
class PointerWords:
    """Words that hold pointers: where they are and in which object."""

    addr: U64
    source: npt.NDArray[np.int32]


def pointer_words(
    memory: Memory, image: WordImage, layout: HeapLayout, spans: SpanTable, objects: ObjectTable, masks: TypeMasks
) -> Iterator[PointerWords]:
    """The pointer words of the heap's objects, a chunk at a time: what one costs in temporaries
    stays bounded however big the heap."""
    if layout.header_min is None:
        found = _arena_bitmap_words(memory, layout, spans)
    else:
        found = itertools.chain(
            _span_bitmap_words(memory, image, layout, spans), _typed_words(image, layout, spans, objects, masks)
        )
    for whole in found:
        for addr in np.array_split(whole, max(1, len(whole) // CHUNK_WORDS)):
            source = objects.containing(addr)
            keep = source >= 0
            keep[keep] &= ~spans.noscan[objects.span[source[keep]]]
            yield PointerWords(addr[keep], source[keep])
        del whole


def _arena_bitmap_words(memory: Memory, layout: HeapLayout, spans: SpanTable) -> Iterator[U64]:
    assert layout.arena_bitmap is not None
    scan = ~spans.noscan
    arenas = sorted({arena_of(layout, int(b)) for b in spans.base[scan].tolist()})
    for index in arenas:
        try:
            record = heap_arena(memory, layout, index)
            if not record:
                continue
            raw = memory.read(record + layout.arena_bitmap.offset, layout.arena_bitmap.size)
        except UnreadableMemory:
            continue
        bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")
        start = arena_start(layout, index)
        yield np.uint64(start) + np.nonzero(bits)[0].astype(np.uint64) * np.uint64(WORD)


def _span_bitmap_words(memory: Memory, image: WordImage, layout: HeapLayout, spans: SpanTable) -> Iterator[U64]:
    """Pointer words of small-object spans (1.22+), grouped by span size to decode in bulk, some
    thousand spans at a time."""
    assert layout.header_min is not None
    small = ~spans.noscan & (spans.elemsize <= layout.header_min) & (spans.elemsize > 0)
    inline = _inline_mark_spans(memory, layout, spans, small)
    groups: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for i in np.nonzero(small)[0].tolist():
        groups[(int(spans.npages[i]), bool(inline[i]))].append(i)
    for (npages, has_inline), members in groups.items():
        per_chunk = max(1, CHUNK_WORDS // (npages * PAGE_SIZE // WORD))
        for lo in range(0, len(members), per_chunk):
            yield _span_bits(image, layout, spans, np.array(members[lo : lo + per_chunk], np.int64), npages, has_inline)


def _span_bits(
    image: WordImage, layout: HeapLayout, spans: SpanTable, rows: npt.NDArray[np.int64], npages: int, inline: bool
) -> U64:
    """The pointer words of spans `rows`, all of `npages` pages, from the bitmaps at their ends."""
    span_bytes = npages * PAGE_SIZE
    bitmap_words = span_bytes // WORD // 64
    start = spans.base[rows] + np.uint64(span_bytes - bitmap_words * WORD - (layout.inline_mark_bytes if inline else 0))
    where = start[:, None] + (np.arange(bitmap_words, dtype=np.uint64) * np.uint64(WORD))[None, :]
    words, ok = image.gather(where.ravel())
    words[~ok] = 0
    bits = np.unpackbits(words.astype("<u8").view(np.uint8).reshape(len(rows), -1), axis=1, bitorder="little")
    row, col = np.nonzero(bits)
    return spans.base[rows[row]] + col.astype(np.uint64) * np.uint64(WORD)


def _inline_mark_spans(
    memory: Memory, layout: HeapLayout, spans: SpanTable, small: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Which spans keep Green Tea's inline mark bits at their end (the arena's per-page flag)."""
    inline = np.zeros(len(spans.base), dtype=bool)
    field = layout.arena_inline_marks
    if field is None:
        return inline
    records: dict[int, bytes | None] = {}
    for i in np.nonzero(small & (spans.elemsize >= 16))[0].tolist():
        base = int(spans.base[i])
        index = arena_of(layout, base)
        if index not in records:
            try:
                record = heap_arena(memory, layout, index)
                records[index] = memory.read(record + field.offset, field.size) if record else None
            except UnreadableMemory:
                records[index] = None
        flags = records[index]
        if flags is None:
            continue
        page = (base % ARENA_BYTES) // PAGE_SIZE
        inline[i] = bool(flags[page // 8] >> (page % 8) & 1)
    return inline


def _typed_words(
    image: WordImage, layout: HeapLayout, spans: SpanTable, objects: ObjectTable, masks: TypeMasks
) -> Iterator[U64]:
    """Pointer words of objects typed by a malloc header or by their span's largeType (1.22+)."""
    assert layout.header_min is not None
    headed_spans, large_spans = spans.typed(layout.header_min)
    headed = np.nonzero(headed_spans[objects.span])[0]
    types, ok = image.gather(objects.addr[headed])
    types[~ok] = 0
    owners = np.nonzero(large_spans[objects.span])[0]
    large_types = spans.large_type[objects.span[owners]]
    for index, type_addrs, skip in ((headed, types, WORD), (owners, large_types, 0)):
        order = np.argsort(type_addrs, kind="stable")
        unique, first = np.unique(type_addrs[order], return_index=True)
        bounds = [*first.tolist(), len(order)]
        for k, typ in enumerate(unique.tolist()):
            mask = masks.get(typ) if typ else None
            if mask is None or len(mask.words) == 0:
                continue
            members = index[order[bounds[k] : bounds[k + 1]]]
            for size in np.unique(objects.size[members]).tolist():
                same = members[objects.size[members] == size]
                yield from _tiled(objects.addr[same], int(size) - skip, mask, skip)


def _tiled(addrs: U64, slot: int, mask: TypeMask, skip: int) -> Iterator[U64]:
    """The pointer words of objects holding as many elements of `mask`'s type as fit in `slot`
    bytes after `skip` (the runtime tiles the element's mask over the slot), in pieces of about
    CHUNK_WORDS words (a piece of one big array, or of many objects)."""
    count = slot // mask.size
    per_piece = max(1, CHUNK_WORDS // len(mask.words))
    for lo in range(0, count, per_piece):
        elements = np.arange(lo, min(count, lo + per_piece), dtype=np.int64)
        offsets = ((elements[:, None] * mask.size + mask.words[None, :]).ravel() + skip).astype(np.uint64)
        for chunk in np.array_split(addrs, max(1, len(addrs) * len(offsets) // CHUNK_WORDS)):
            yield (chunk[:, None] + offsets[None, :]).ravel()
