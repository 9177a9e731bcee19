"""The reference search (references.py) of a page of many goroutines at once, with numpy: the live
pointer words of every stack in one array (the stacks walked together), each distinct pointer
followed once for the whole page, and the hits joined back to the goroutines.

It gives the search's own answer while no goroutine reaches its budget of pointers followed and
the search stays under its bound: then every word is followed, in any order. Otherwise it gives
the words, and the caller goes one goroutine at a time, which tells where a bound cut it short.
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from ...debuggee.api import Memory, UnreadableMemory
from ..bulkwalk import parked_start, walk
from ..goroutines import Goroutine
from ..heap.layout import ARENA_BYTES, PAGE_SIZE, WORD, HeapLayout, heap_arena, span_bounds
from ..process import GoProcess
from ..regions import Regions
from .pointees import HOP_BYTES, MIN_POINTER, Unfollowed, pointee_hits
from .stackmaps import StackMaps, stack_words

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
ArrayT = TypeVar("ArrayT", I64, U64)
_NONE: frozenset[int] = frozenset()
_SIGNED_MAX = np.uint64((1 << 63) - 1)  # words above it are no user-space address: read one by one
_RECORD_MAX = 1 << 62  # heap records past it (damaged ones) are read one by one


class BulkWords(NamedTuple):
    """The live pointer words of many stacks: `values[i]` is a word of goroutine `owner[i]` (its
    index in the walk; ascending, each stack's words in frame order); `alone` marks the stacks
    the lean walk does not take, whose words are not there."""

    owner: I64
    values: U64
    alone: Mask


class PageSearch:
    """The live pointer words of a page of goroutines, and the targets they lead to."""

    def __init__(self, process: GoProcess, maps: StackMaps, page: list[Goroutine]) -> None:
        self._process = process
        self._page = page
        bulk = bulk_live_words(process, maps, page)
        owners, values = [bulk.owner], [bulk.values]
        for i in np.flatnonzero(bulk.alone).tolist():  # walked one by one, as the general walk does
            words = stack_words(process, maps, page[i]) or []
            owners.append(np.full(len(words), i, dtype=np.int64))
            values.append(np.array(words, dtype=np.uint64))
        owner, value = np.concatenate(owners), np.concatenate(values)
        order = np.argsort(owner, kind="stable")
        self.owner: I64 = owner[order]
        self.values: U64 = value[order]

    def lists(self) -> list[list[int] | None]:
        """Each goroutine's words, for the search one goroutine at a time."""
        bounds = np.searchsorted(self.owner, np.arange(len(self._page) + 1)).tolist()
        values = self.values.tolist()
        return [values[bounds[i] : bounds[i + 1]] for i in range(len(self._page))]

    def hits(
        self,
        targets: set[int],
        skip: Unfollowed,
        heap: HeapLayout | None,
        pointees: dict[int, frozenset[int]],
        max_hops: int,
        per_goroutine: int,
    ) -> dict[int, list[int]] | None:
        """target → the page's goroutines (ids, in page order) whose stacks refer to it, directly
        or one pointer away; `pointees` (what each followed word leads to) grows by the words
        followed. None, with nothing followed, when a bound would cut the search short."""
        values, owner = self.values, self.owner
        wanted = np.array(sorted(targets), dtype=np.uint64)
        (text_start, text_end), records = skip
        follow = (values >= MIN_POINTER) & (values & np.uint64(7) == 0)
        follow &= (values < np.uint64(text_start)) | (values >= np.uint64(text_end))
        words, word_owner = values[follow], owner[follow]
        if records:
            keep = ~_among(words, _distinct(np.fromiter(records, dtype=np.uint64, count=len(records))))
            words, word_owner = words[keep], word_owner[keep]
        distinct, first = np.unique(words, return_index=True)
        known = _found_in(distinct, pointees)
        new = distinct[~known]
        if len(pointees) + len(new) >= max_hops:
            return None
        if len(new) and int(np.bincount(word_owner[first[~known]]).max()) >= per_goroutine:
            return None
        found, hit = _pointee_targets(self._process, heap, new, wanted, targets)
        pointees.update(dict.fromkeys(new.tolist(), _NONE))
        pointees.update(_grouped(found, hit))
        leads, led = [found], [hit]  # (pointer, target) pairs, the new pointers' and the known ones'
        for addr in distinct[known].tolist():
            if pointees[addr]:
                leads.append(np.full(len(pointees[addr]), addr, dtype=np.uint64))
                led.append(np.array(sorted(pointees[addr]), dtype=np.uint64))
        via_owner, via_target = _join(words, word_owner, np.concatenate(leads), np.concatenate(led))
        direct = _among(values, wanted)
        return self._by_target(
            np.concatenate([owner[direct], via_owner]), np.concatenate([values[direct], via_target]), wanted
        )

    def _by_target(self, owner: I64, target: U64, wanted: U64) -> dict[int, list[int]]:
        """The (goroutine, target) pairs as lists of goroutine ids per target, each id once."""
        n = len(self._page)
        key = _distinct(np.searchsorted(wanted, target).astype(np.int64) * n + owner)
        which, members = key // n, key % n
        goids = np.array([g.goid for g in self._page], dtype=np.int64)[members]
        if not len(key):
            return {}
        cuts = (np.flatnonzero(np.diff(which)) + 1).tolist()
        ids = goids.tolist()
        return {int(wanted[which[s]]): ids[s:e] for s, e in zip([0, *cuts], [*cuts, len(ids)], strict=True)}


def bulk_live_words(process: GoProcess, maps: StackMaps, goroutines: list[Goroutine]) -> BulkWords:
    """`live_words` of each goroutine's frames, their slots read with one gather; not for a stack
    the lean walk does not take (or one whose frames leave it, where the general walk stops): the
    caller walks those one by one.

    Parked goroutines whose chain of pcs a bulk walk remembered (the grouping of identical stacks)
    have, chain by chain, the same frames at the same distances from their stack pointer: one of
    each chain is walked, and the slots of all are read at those distances from each one's sp."""
    lo = np.array([g.stack_lo for g in goroutines], dtype=np.int64)
    hi = np.array([g.stack_hi for g in goroutines], dtype=np.int64)
    sp = np.array([(parked_start(g) or (0, 0))[1] for g in goroutines], dtype=np.uint64).view(np.int64)
    alike: dict[tuple[int, ...], list[int]] = {}
    walked: list[int] = []
    remembered = process.remembered_chains(goroutines)
    for i, (chain, start) in enumerate(zip(remembered, sp.tolist(), strict=True)):
        if chain is None or start <= 0:
            walked.append(i)
        else:
            alike.setdefault(chain, []).append(i)
    chains = list(alike.values())
    first = _walked_slots(process, maps, goroutines, [members[0] for members in chains], lo, hi)
    alone = np.zeros(len(goroutines), dtype=bool)
    owners, slots = [], []
    for k, members in enumerate(chains):
        if first.alone[k]:  # its frames leave its stack: each of the chain is walked on its own
            walked += members
            continue
        at = np.array(members, dtype=np.int64)
        base = sp[members[0]]
        rel = first.slots[first.bounds[k] : first.bounds[k + 1]] - base
        alone[at] = (sp[at] + (first.low[k] - base) < lo[at]) | (sp[at] + (first.high[k] - base) > hi[at])
        at = at[~alone[at]]
        owners.append(np.repeat(at, len(rel)))
        slots.append((sp[at][:, None] + rel[None, :]).ravel())
    rest = _walked_slots(process, maps, goroutines, sorted(walked), lo, hi)
    alone[rest.which] = rest.alone
    keep = ~alone[rest.owner]
    owner = np.concatenate([*owners, rest.owner[keep]])
    addr = np.concatenate([*slots, rest.slots[keep]])
    values, ok = Regions(process.memory, lo, hi).gather(addr)
    for i in np.flatnonzero(~ok).tolist():
        try:
            values[i] = process.memory.u64(int(addr[i]))
            ok[i] = True
        except UnreadableMemory:
            continue
    order = np.argsort(owner[ok], kind="stable")  # each stack's words in frame order
    return BulkWords(owner[ok][order], values[ok][order], alone)


class _Walked(NamedTuple):
    """The live pointer slots of the stacks walked (`which`: goroutine indices): `slots[i]` is one
    of goroutine `owner[i]`'s, grouped by goroutine in the order of `which` (`bounds`), in frame
    order; per goroutine walked, whether the walk leaves it alone, its lowest and highest CFA."""

    which: I64
    owner: I64
    slots: I64
    bounds: list[int]
    alone: Mask
    low: I64
    high: I64


def _walked_slots(
    process: GoProcess, maps: StackMaps, goroutines: list[Goroutine], which: list[int], lo: I64, hi: I64
) -> _Walked:
    index = np.array(which, dtype=np.int64)
    n = len(which)
    low = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    high = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return _Walked(index, empty, empty, [0], np.zeros(0, dtype=bool), low, high)
    found = walk(process.unwinder, [goroutines[i] for i in which], chains=False, frames=True)
    lo, hi = lo[index], hi[index]
    alone = np.array([named is None for named in found.named], dtype=bool)
    last_cfa = np.full(n, -1, dtype=np.int64)
    owners: list[I64] = [np.zeros(0, dtype=np.int64)]
    slots: list[I64] = [np.zeros(0, dtype=np.int64)]
    for depth in found.depths:
        lanes, cfa = depth.lanes, depth.cfa.astype(np.int64)
        alone[lanes[(cfa < lo[lanes]) | (cfa > hi[lanes])]] = True
        low[lanes] = np.minimum(low[lanes], cfa)
        high[lanes] = np.maximum(high[lanes], cfa)
        fresh = cfa != last_cfa[lanes]  # inlined calls and frameless tops share their frame's slots
        last_cfa[lanes] = cfa
        for k, (func, pc, trap) in enumerate(zip(depth.funcs, depth.pcs, depth.traps, strict=True)):
            offsets = maps.offsets(func, pc, trap)
            if not offsets:
                continue
            sel = fresh & (depth.which == k)
            for off in offsets:
                owners.append(lanes[sel])
                slots.append(cfa[sel] + off)
    lane = np.concatenate(owners)
    order = np.argsort(lane, kind="stable")  # depth by depth: each stack's slots in frame order
    lane = lane[order]
    bounds = np.searchsorted(lane, np.arange(n + 1)).tolist()
    return _Walked(index, index[lane], np.concatenate(slots)[order], bounds, alone, low, high)


def _distinct(values: ArrayT) -> ArrayT:
    """The distinct values, sorted: `np.unique` without its first call's import of numpy.ma (50 ms CPU)."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _among(values: U64, ordered: U64) -> Mask:
    """Which of `values` are in `ordered` (sorted): `np.isin` without its import of numpy.ma."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values


def _found_in(values: U64, found: dict[int, frozenset[int]]) -> Mask:
    if not found:
        return np.zeros(len(values), dtype=bool)
    return _among(values, _distinct(np.fromiter(found, dtype=np.uint64, count=len(found))))


def _grouped(addrs: U64, targets: U64) -> dict[int, frozenset[int]]:
    out: dict[int, set[int]] = {}
    for addr, target in zip(addrs.tolist(), targets.tolist(), strict=True):
        out.setdefault(addr, set()).add(target)
    return {addr: frozenset(found) for addr, found in out.items()}


def _join(words: U64, word_owner: I64, leads: U64, led: U64) -> tuple[I64, U64]:
    """(owner, target) for every word that leads to targets: `leads[i]` leads to `led[i]`."""
    order = np.argsort(leads, kind="stable")
    leads, led = leads[order], led[order]
    at = _among(words, leads)
    lo = np.searchsorted(leads, words[at], side="left")
    count = np.searchsorted(leads, words[at], side="right") - lo
    total = int(count.sum())
    index = np.repeat(lo - (np.cumsum(count) - count), count) + np.arange(total, dtype=np.int64)
    return np.repeat(word_owner[at], count), led[index]


def _pointee_targets(
    process: GoProcess, heap: HeapLayout | None, addrs: U64, wanted: U64, targets: set[int]
) -> tuple[U64, U64]:
    """(pointer, target) for each of `addrs` (distinct) and each target among the words it
    points to, read as `pointees.pointee_hits` reads them: to the object's end, HOP_BYTES at most."""
    memory = process.memory
    slow = addrs > _SIGNED_MAX  # read one by one: no user-space address, or not in one buffer
    size, none = _hop_sizes(memory, heap, addrs, slow)
    read = np.flatnonzero(~slow & ~none & (size > 0))
    start = addrs[read].astype(np.int64)
    count = size[read] // WORD
    owner = np.repeat(read, count)
    step = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    values, ok = Regions(memory, start, start + size[read]).gather(np.repeat(start, count) + WORD * step)
    slow[owner[~ok]] = True
    hit = ok & ~slow[owner] & _among(values, wanted)
    found, led = [addrs[owner[hit]]], [values[hit]]
    for i in np.flatnonzero(slow).tolist():
        addr = int(addrs[i])
        hits = sorted(pointee_hits(process, heap, addr, targets))
        found.append(np.full(len(hits), addr, dtype=np.uint64))
        led.append(np.array(hits, dtype=np.uint64))
    return np.concatenate(found), np.concatenate(led)


def _hop_sizes(memory: Memory, heap: HeapLayout | None, addrs: U64, slow: Mask) -> tuple[I64, Mask]:
    """How many bytes from each address are read (`pointees.hop_size` of its object's extent), and
    which read nothing (a record on the way is unreadable); `slow` gets the ones to read alone."""
    size = np.full(len(addrs), HOP_BYTES, dtype=np.int64)
    none = np.zeros(len(addrs), dtype=bool)
    if heap is None or heap.arena_spans is None or not len(addrs):
        return size, none
    arena = (addrs - np.uint64(heap.arena_base)) // np.uint64(ARENA_BYTES)
    record = np.zeros(len(addrs), dtype=np.int64)
    for index in _distinct(arena[~slow]).tolist():
        sel = (arena == index) & ~slow
        try:
            found = heap_arena(memory, heap, index)
        except UnreadableMemory:
            none[sel] = True
            continue
        if found > _RECORD_MAX:  # a damaged map: no address arithmetic in int64 past it
            slow[sel] = True
        else:
            record[sel] = found
    at = np.flatnonzero(record != 0)
    page = ((addrs[at] % np.uint64(ARENA_BYTES)) // np.uint64(PAGE_SIZE)).astype(np.int64)
    slot = record[at] + heap.arena_spans.offset + WORD * page
    span, ok = Regions(memory, slot, slot + WORD).gather(slot)
    slow[at[~ok]] = True
    at, span = at[ok & (span != 0)], span[ok & (span != 0)]
    spans, which = np.unique(span, return_inverse=True)
    bounds = np.zeros((len(spans), 3), dtype=np.int64)  # start, end, slot size; 0s: no extent
    unreadable, damaged = np.zeros(len(spans), dtype=bool), np.zeros(len(spans), dtype=bool)
    for k, addr in enumerate(spans.tolist()):
        try:
            extent = span_bounds(memory, heap, addr)
        except UnreadableMemory:
            unreadable[k] = True
            continue
        if extent is not None and max(extent) > _RECORD_MAX:
            damaged[k] = True
        elif extent is not None:
            bounds[k] = extent
    none[at[unreadable[which]]] = True
    slow[at[damaged[which]]] = True
    lo, hi, slot_size = bounds[which, 0], bounds[which, 1], bounds[which, 2]
    addr = addrs[at].astype(np.int64)
    inside = (slot_size > 0) & (lo <= addr) & (addr < hi)
    at, addr, lo, slot_size = at[inside], addr[inside], lo[inside], slot_size[inside]
    end = lo + (addr - lo) // slot_size * slot_size + slot_size
    size[at] = np.minimum(HOP_BYTES, end - addr) & ~7
    return size, none
