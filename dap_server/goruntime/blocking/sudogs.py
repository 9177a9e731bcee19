"""runtime.sudog records: a goroutine's place in a channel's wait queue or the semaphore table.

Go 1.26 made `sudog.elem` and `sudog.c` two-word `maybeTraceablePtr`s whose `vu` word is the
source of truth (the `vp` word is cleared while the leak-detecting GC runs); older releases have
one pointer. The offsets come from the binary (DWARF, else the layout tables).
"""

from __future__ import annotations

import operator
import struct
from functools import partial
from typing import NamedTuple

from ...debuggee.api import Memory, UnreadableMemory
from ..goroutines import BULK_GOROUTINES
from ..layouts import LayoutError, RuntimeLayouts

SUDOG = "runtime.sudog"
MAX_SUDOGS = 1 << 22  # sudogs followed in one list or tree: no real process has this many waiters


class Sudog(NamedTuple):
    addr: int
    g: int
    elem: int
    c: int
    next: int
    prev: int
    waitlink: int


_FIELDS = Sudog._fields
_new_sudog = partial(tuple.__new__, Sudog)


class SudogReader:
    """Reads sudogs with the binary's own field offsets, each with one precompiled struct."""

    def __init__(self, memory: Memory, layouts: RuntimeLayouts) -> None:
        self._memory = memory
        placed = sorted(
            [(self._field(layouts, name), name) for name in ("g", "next", "prev", "waitlink")]
            + [(self._pointer(layouts, "elem"), "elem"), (self._pointer(layouts, "c"), "c")]
        )
        parts, cursor, order = ["<"], 0, []
        for off, name in placed:  # every field read is one word
            if off < cursor:
                raise LayoutError(f"runtime.sudog fields overlap at {name} ({layouts.source})")
            parts.append(f"{off - cursor}xQ" if off > cursor else "Q")
            cursor = off + 8
            order.append(name)
        self._struct = struct.Struct("".join(parts))
        self._chan = next(off for off, name in placed if name == "c")
        self._pick = operator.itemgetter(*[order.index(name) for name in Sudog._fields if name != "addr"])

    @staticmethod
    def _field(layouts: RuntimeLayouts, name: str) -> int:
        off = layouts.offset(SUDOG, name)
        if off is None:
            raise LayoutError(f"runtime.sudog has no field {name} ({layouts.source})")
        return off

    @classmethod
    def _pointer(cls, layouts: RuntimeLayouts, name: str) -> int:
        for path in (f"{name}.vu", f"{name}.maybeTraceablePtr.vu"):  # Go 1.26+: maybeTraceablePtr{vp, vu}
            wrapped = layouts.offset(SUDOG, path)
            if wrapped is not None:
                return wrapped
        return cls._field(layouts, name)

    def read(self, addr: int) -> Sudog:
        """The sudog at `addr` (UnreadableMemory when it cannot be read)."""
        return Sudog(addr, *self._pick(self._memory.unpack(self._struct, addr)))

    def channel(self, addr: int) -> int:
        """Only the channel of the sudog at `addr` (one read: a plain send or receive has one sudog)."""
        return self._memory.u64(addr + self._chan)

    def channels(self, addrs: list[int]) -> list[int]:
        """`channel` of each sudog address (0 for address 0, or where it cannot be read); on a big
        core in one gather."""
        if len(addrs) < BULK_GOROUTINES:
            return [self._channel_or_0(addr) for addr in addrs]
        import numpy as np  # only for big cores

        from ..regions import Regions

        at = np.array(addrs, dtype=np.uint64)
        at[at >= np.uint64(1 << 63)] = 0  # no user-space address: read one by one
        fields = at.view(np.int64) + self._chan
        values, ok = Regions(self._memory, fields, fields + 8).gather(fields)
        out = values.tolist()
        for i in np.flatnonzero(~ok | (at == 0)).tolist():
            out[i] = self._channel_or_0(addrs[i])
        return out

    def _channel_or_0(self, addr: int) -> int:
        if not addr:
            return 0
        try:
            return self.channel(addr)
        except UnreadableMemory:
            return 0

    def chain(self, first: int, link: str = "next") -> list[Sudog]:
        """The sudogs of a list linked by `next` (a wait queue) or `waitlink` (a g's waiting list)."""
        out: list[Sudog] = []
        seen: set[int] = set()
        unpack, layout, pick = self._memory.unpack, self._struct, self._pick  # a queue may hold 100,000
        at = _FIELDS.index("next" if link == "next" else "waitlink")
        node = first
        while node and node not in seen and len(out) < MAX_SUDOGS:
            seen.add(node)
            try:
                sudog = _new_sudog((node, *pick(unpack(layout, node))))
            except UnreadableMemory:
                break
            out.append(sudog)
            node = sudog[at]
        return out
