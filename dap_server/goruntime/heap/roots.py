"""Where the garbage collector starts: pointer words of the data and bss sections (the masks the
runtime builds in `moduledata.gcdatamask`/`gcbssmask`), the live part of every goroutine's stack
(the words each frame's stack maps say are live pointers, every word of a frame without maps;
each word named by its frame),
and the objects with finalizers (the finalizer's closure, and the object itself: it is not freed
before its finalizer has run)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ...debuggee.api import Memory, UnreadableMemory
from ...program.symbols import STT_OBJECT
from ..frames import STACK_GOROUTINE
from ..goroutines import G_RUNNING
from ..process import GoProcess
from ..stackmaps import CONSERVATIVE, lookup_pc, pointer_offsets
from .image import U64, WordImage
from .layout import PAGE_SIZE, WORD, HeapLayout
from .spans import SpanTable

MAX_STACK_BYTES = 1 << 30


@dataclass
class Roots:
    """Root words: their addresses, values and the root (by index into `names`) holding each."""

    names: list[str] = field(default_factory=list)
    addrs: list[U64] = field(default_factory=list)
    values: list[U64] = field(default_factory=list)
    owners: list[npt.NDArray[np.int64]] = field(default_factory=list)
    globals: list[tuple[str, int]] = field(default_factory=list)  # named globals and their addresses
    missing: list[str] = field(default_factory=list)  # roots the core lacks, for the user

    def add(self, names: list[str], addrs: U64, values: U64, owners: npt.NDArray[np.int64]) -> None:
        self.addrs.append(addrs)
        self.values.append(values)
        self.owners.append(owners + len(self.names))
        self.names += names


def read_roots(process: GoProcess, layout: HeapLayout, spans: SpanTable) -> Roots:
    roots = Roots()
    _globals(process, layout, roots)
    _stacks(process, roots)
    _finalizers(process.memory, layout, spans, roots)
    return roots


def _globals(process: GoProcess, layout: HeapLayout, roots: Roots) -> None:
    memory, program = process.memory, process.program
    module = program.symbol_address("runtime.firstmoduledata")
    if module is None:
        return
    f = layout.moduledata
    symbols = sorted(program.symbols.defined(STT_OBJECT), key=lambda s: s.value)
    starts = np.array([s.value + program.bias for s in symbols], dtype=np.uint64)
    ends = starts + np.array([s.size for s in symbols], dtype=np.uint64)
    for start_name, end_name, mask_name in (("data", "edata", "gcdatamask"), ("bss", "ebss", "gcbssmask")):
        try:
            start = memory.u64(module + f[start_name].offset)
            end = memory.u64(module + f[end_name].offset)
            nbits = memory.u32(module + f[mask_name].offset)
            bytedata = memory.u64(module + f[mask_name].offset + WORD)
            raw = memory.read(bytedata, (nbits + 7) // 8)
        except UnreadableMemory:
            roots.missing.append(f"the {start_name} section's pointer mask")
            continue
        bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8), bitorder="little")[: min(nbits, (end - start) // WORD)]
        addrs = np.uint64(start) + np.nonzero(bits)[0].astype(np.uint64) * np.uint64(WORD)
        values, ok = WordImage(memory, [(start, end)]).gather(addrs)
        if not ok.all():
            roots.missing.append(f"{int((~ok).sum()):,} pointer words of the {start_name} section")
        addrs, values = addrs[ok], values[ok]
        which = np.searchsorted(starts, addrs, side="right").astype(np.int64) - 1
        named = which >= 0
        named[named] &= addrs[named] < ends[which[named]]
        keys = np.where(named, which, -1 - ((addrs - np.uint64(start)) // np.uint64(PAGE_SIZE)).astype(np.int64))
        unique, owners = np.unique(keys, return_inverse=True)
        names = [
            symbols[k].name if k >= 0 else f"{start_name}+{(-1 - k) * PAGE_SIZE:#x} (no symbol)"
            for k in unique.tolist()
        ]
        roots.add(names, addrs, values, owners.astype(np.int64))
        roots.globals += [(symbols[k].name, int(starts[k])) for k in unique.tolist() if k >= 0]


def _stacks(process: GoProcess, roots: Roots) -> None:
    memory, pclntab = process.memory, process.program.pclntab
    pushed = process.program.image.arch.return_address_pushed
    offsets_at: dict[int, tuple[int, ...] | None] = {}  # per lookup pc: the same for every frame there
    for g in process.goroutines:
        if g.unreadable is not None or g.is_dead or not g.stack_hi or g.stack_hi - g.stack_lo > MAX_STACK_BYTES:
            continue
        frames = [
            f
            for f in process.frames(g)
            if f.stack == STACK_GOROUTINE
            and not f.inlined
            and not f.foreign
            and g.stack_lo <= f.sp < f.cfa <= g.stack_hi
        ]
        if not frames:
            continue
        image = WordImage(memory, [(frames[0].sp & ~(WORD - 1), frames[-1].cfa + WORD)])
        names: list[str] = []
        addrs: list[int] = []
        owners: list[int] = []
        # A frame stopped at any instruction (a running goroutine's innermost, a trap, the caller of
        # asyncPreempt or debugCall) may be at a pc without maps: it is scanned whole, as the runtime does.
        interrupted = g.status == G_RUNNING
        for frame in frames:
            words = None
            if not interrupted and not frame.trap and frame.func is not None:
                pc = lookup_pc(frame.func, frame.pc, False)
                if pc not in offsets_at:
                    offsets_at[pc] = pointer_offsets(pclntab, frame.func, pc, True, pushed)
                offsets = offsets_at[pc]
                words = None if offsets is None else [frame.cfa + off for off in offsets]
            interrupted = frame.function.startswith(CONSERVATIVE)
            if words is None:
                words = list(range(frame.sp & ~(WORD - 1), frame.cfa, WORD))
            addrs += words
            owners += [len(names)] * len(words)
            names.append(f"goroutine {g.goid} frame {frame.function}")
        where = np.array(addrs, dtype=np.uint64)
        values, ok = image.gather(where)
        if not ok.all():
            roots.missing.append(f"part of goroutine {g.goid}'s stack")
        roots.add(names, where[ok], values[ok], np.array(owners, dtype=np.int64)[ok])


def _finalizers(memory: Memory, layout: HeapLayout, spans: SpanTable, roots: Roots) -> None:
    """One root per finalizer: it holds the object and the finalizer's closure."""
    if layout.finalizer_kind is None or layout.finalizer_fn is None:
        return
    s = layout.special
    addrs: list[int] = []
    values: list[int] = []
    owners: list[int] = []
    names: list[str] = []
    for i in np.nonzero(spans.specials)[0].tolist():
        special = int(spans.specials[i])
        for _ in range(1 << 16):
            if not special:
                break
            try:
                kind = memory.read(special + s["kind"].offset, 1)[0]
                offset = int.from_bytes(memory.read(special + s["offset"].offset, s["offset"].size), "little")
                following = memory.u64(special + s["next"].offset)
                if kind == layout.finalizer_kind:
                    target = int(spans.base[i]) + offset
                    addrs += [special + s["offset"].offset, special + layout.finalizer_fn]
                    values += [target, memory.u64(special + layout.finalizer_fn)]
                    owners += [len(names)] * 2
                    names.append(f"finalizer of {target:#x}")
            except UnreadableMemory:
                break
            special = following
    if names:
        roots.add(names, np.array(addrs, np.uint64), np.array(values, np.uint64), np.array(owners, np.int64))
