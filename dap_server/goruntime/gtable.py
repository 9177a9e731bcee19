"""Every runtime.g of a big core decoded at once: one numpy gather per field over the mmapped
core, then one tuple per goroutine built from the columns (no Python call per record).

The result is the one `GoroutineReader.read` gives record by record: records that do not lie in
one buffer of the debuggee's memory are read by it, so unreadable ones keep their reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from itertools import repeat

import numpy as np

from .goroutines import DEAD_STATUSES, G_SCAN, Goroutine, GoroutineReader
from .regions import I64, Mask, Regions
from .sanity import MAX_GOID, MAX_STACK, MAX_STATUS

_DECODED = Goroutine._fields[1:-1]
_new_goroutine = partial(tuple.__new__, Goroutine)
_SIGNED = {"q"}
_BITS = {"Q": 64, "q": 64, "I": 32, "B": 8}


def decode_all(reader: GoroutineReader, addresses: list[int]) -> tuple[list[Goroutine], bool]:
    """The live goroutines at `addresses` (allgs order; dead ones dropped, unreadable ones kept),
    and whether they are certainly sound: every record plausible, no address or id twice (else
    the caller vets them one by one, which also says what is wrong).
    """
    raw = np.array(addresses, dtype=np.uint64)  # a damaged allgs holds any 64-bit word
    raw[raw >= np.uint64(1 << 63)] = 0  # no user-space address: read one by one, as unreadable
    addrs = raw.view(np.int64)
    regions = Regions(reader.memory, addrs, addrs + reader.span)
    buffer, word, ok = regions.locate(addrs, reader.span)
    buffer, word = buffer[ok], word[ok]
    columns: dict[str, np.ndarray] = {}
    for off, attr, fmt in reader.placed:
        values = regions.words(buffer, word + (off >> 3))
        bits = _BITS[fmt]
        if bits < 64:
            values = (values >> np.uint64((off & 7) * 8)) & np.uint64((1 << bits) - 1)
        columns[attr] = values.view(np.int64) if fmt in _SIGNED else values
    del buffer, word
    status = columns["status"] & ~np.uint64(G_SCAN)
    columns["status"] = status
    live = ~np.isin(status, np.array(sorted(DEAD_STATUSES), dtype=np.uint64))
    if not live.all():  # the columns of the live records only (one copy at a time: 35 of them)
        columns = {a: columns.pop(a)[live] for a in list(columns)}
    sound = bool(ok.all()) and _sound(columns, addrs)
    decoded = _tuples(columns, addrs[ok][live])
    if ok.all():
        return decoded, sound
    return _merge(addresses, ok, live, decoded, reader.read), sound


def _tuples(columns: dict[str, np.ndarray], addrs: I64) -> list[Goroutine]:
    """The records as tuples; `columns` is emptied as they are made (each column once in memory)."""
    lists = [_values(columns.pop(name, None)) for name in _DECODED]
    return list(map(_new_goroutine, zip(addrs.tolist(), *lists, repeat(None))))


def _values(column: np.ndarray | None) -> Iterable[int]:
    """A column's values as Python ints. A column of a few values (pcs, wait reasons, parents)
    repeats those few ints instead of making one per goroutine (32 bytes each): the few are
    guessed from the first records, then completed with the records that differ from them."""
    if column is None or not len(column):
        return repeat(0)
    few = _distinct_values(column[:_SAMPLE])
    for _ in range(2):
        if len(few) > _FEW:
            break
        at = np.minimum(np.searchsorted(few, column), len(few) - 1)
        missed = few[at] != column
        if not missed.any():
            return repeat(int(few[0])) if len(few) == 1 else map(few.tolist().__getitem__, at.tolist())
        few = _distinct_values(np.concatenate((few, column[missed][:_SAMPLE])))
    return column.tolist()


def _distinct_values(values: np.ndarray) -> np.ndarray:
    """`values`' distinct values in order (np.unique would import numpy.ma)."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


_SAMPLE = 256  # records looked at to guess whether a column holds only a few values
_FEW = 16  # at most this many: their indexes are ints Python keeps shared (below 257)


def _merge(
    addresses: list[int], ok: Mask, live: Mask, decoded: list[Goroutine], read_one: Callable[[int], Goroutine]
) -> list[Goroutine]:
    """Decoded records and the ones read one by one, in allgs order."""
    result: list[Goroutine] = []
    found = iter(decoded)
    live_iter = iter(live.tolist())
    for addr, here in zip(addresses, ok.tolist(), strict=True):
        if here:
            if next(live_iter):
                result.append(next(found))
            continue
        g = read_one(addr)
        if g.unreadable is not None or not g.is_dead:
            result.append(g)
    return result


def _sound(columns: dict[str, np.ndarray], addrs: I64) -> bool:
    """No record `sanity.implausibility` would reject, and no address or goroutine id twice."""
    status, goid = columns["status"], columns["goid"]
    lo, hi, sp = columns["stack_lo"], columns["stack_hi"], columns["sched_sp"]
    plausible = (
        (status <= MAX_STATUS)
        & (status != 0)
        & (goid > 0)
        & (goid < MAX_GOID)
        & (lo < hi)
        & (hi - lo <= MAX_STACK)
        & ((sp == 0) | ((lo <= sp) & (sp <= hi)))
    )
    return bool(plausible.all()) and _distinct(addrs) and _distinct(goid)


def _distinct(values: np.ndarray) -> bool:
    ordered = np.sort(values)
    return bool((ordered[1:] != ordered[:-1]).all())
