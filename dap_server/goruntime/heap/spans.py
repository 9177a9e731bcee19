"""The heap's spans and the objects allocated in them, from `mheap_.allspans` and each span's
`allocBits`: a slot is allocated when its bit is set or it lies below `freeindex` (the bits are
those of the last sweep; the slots below freeindex were handed out since)."""

from __future__ import annotations

import struct
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ...debuggee.api import Memory, UnreadableMemory
from . import graphnative
from .layout import PAGE_SIZE, SPAN_IN_USE, HeapError, HeapLayout

Progress = Callable[[str, int, int], None]
MAX_SPANS = 1 << 26

_UNSIGNED = {1: "B", 2: "H", 4: "I", 8: "Q"}


@dataclass
class SpanTable:
    """In-use spans, by start address."""

    base: npt.NDArray[np.uint64]
    npages: npt.NDArray[np.int64]
    elemsize: npt.NDArray[np.int64]
    nelems: npt.NDArray[np.int64]
    spanclass: npt.NDArray[np.int64]
    large_type: npt.NDArray[np.uint64]  # mspan.largeType (1.22+; 0 before)
    specials: npt.NDArray[np.uint64]
    alloc_bits: npt.NDArray[np.uint64]
    freeindex: npt.NDArray[np.int64]
    unreadable: int  # spans whose record or allocation bits are missing from the core

    @property
    def noscan(self) -> npt.NDArray[np.bool_]:
        return (self.spanclass & 1).astype(bool)

    def typed(self, header_min: int) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Which spans' objects carry a malloc header, and which spans are one large object typed
        by largeType (1.22+); per span, where a mask per object would cost 8-byte temporaries."""
        large = (self.nelems == 1) & (self.elemsize > header_min)
        return ~self.noscan & ~large & (self.elemsize > header_min), ~self.noscan & large

    @property
    def limit(self) -> npt.NDArray[np.uint64]:
        return self.base + (self.npages * PAGE_SIZE).astype(np.uint64)


@dataclass
class ObjectTable:
    """Every allocated object, by address: its slot size and its span."""

    addr: npt.NDArray[np.uint64]
    size: npt.NDArray[np.int64]
    span: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.addr)

    def containing(self, addrs: npt.NDArray[np.uint64]) -> npt.NDArray[np.int32]:
        """The object each address lies in, -1 where none does."""
        return graphnative.containing(self.addr, self.size, addrs)


def read_spans(memory: Memory, layout: HeapLayout, progress: Progress | None) -> SpanTable:
    try:
        array, count = struct.unpack("<QQ", memory.read(layout.mheap + layout.allspans, 16))
        if count > MAX_SPANS:
            raise HeapError(f"mheap_.allspans has {count} entries: the core is damaged")
        pointers = np.frombuffer(memory.read(array, 8 * count), dtype="<u8")
    except UnreadableMemory as exc:
        raise HeapError(f"cannot read mheap_.allspans: {exc}") from exc
    fields = {name: (f.offset, struct.Struct("<" + _UNSIGNED[f.size])) for name, f in layout.span.items()}
    rows: dict[str, list[int]] = defaultdict(list)
    unreadable = 0
    for i, pointer in enumerate(pointers.tolist()):
        if progress is not None and i % 65536 == 0:
            progress("Reading spans", i, count)
        try:
            record = memory.read(pointer, layout.span_size)
        except UnreadableMemory:
            unreadable += 1
            continue
        if record[fields["state"][0]] != SPAN_IN_USE:
            continue
        for name, (offset, fmt) in fields.items():
            rows[name].append(fmt.unpack_from(record, offset)[0])
    order = np.argsort(np.array(rows["startAddr"], dtype=np.uint64), kind="stable")

    def column(name: str, dtype: type) -> npt.NDArray[Any]:
        values = rows.get(name) or [0] * len(order)
        return np.array(values, dtype=dtype)[order]

    return SpanTable(
        base=column("startAddr", np.uint64),
        npages=column("npages", np.int64),
        elemsize=column("elemsize", np.int64),
        nelems=column("nelems", np.int64),
        spanclass=column("spanclass", np.int64),
        large_type=column("largeType", np.uint64),
        specials=column("specials", np.uint64),
        alloc_bits=column("allocBits", np.uint64),
        freeindex=column("freeindex", np.int64),
        unreadable=unreadable,
    )


def read_objects(memory: Memory, spans: SpanTable) -> tuple[ObjectTable, int]:
    """The allocated objects of the spans, and how many spans' bits could not be read."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i, n in enumerate(spans.nelems.tolist()):
        if n > 0 and spans.elemsize[i] > 0:
            groups[n].append(i)
    addrs, sizes, owners = [], [], []
    missing = 0
    for nelems, members in groups.items():
        nbytes = (nelems + 7) // 8
        chunks = []
        kept = []
        for i in members:
            try:
                chunks.append(memory.read(int(spans.alloc_bits[i]), nbytes))
                kept.append(i)
            except UnreadableMemory:
                missing += 1
        if not kept:
            continue
        rows = np.array(kept, dtype=np.int64)
        bits = np.unpackbits(
            np.frombuffer(b"".join(chunks), dtype=np.uint8).reshape(len(kept), nbytes), axis=1, bitorder="little"
        )[:, :nelems].astype(bool)
        bits |= np.arange(nelems)[None, :] < spans.freeindex[rows][:, None]
        row, slot = np.nonzero(bits)
        span = rows[row]
        addrs.append(spans.base[span] + (slot * spans.elemsize[span]).astype(np.uint64))
        sizes.append(spans.elemsize[span])
        owners.append(span.astype(np.int32))
    if not addrs:
        empty = ObjectTable(np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int32))
        return empty, missing
    addr = np.concatenate(addrs)
    order = np.argsort(addr, kind="stable")
    return ObjectTable(addr[order], np.concatenate(sizes)[order], np.concatenate(owners)[order]), missing
