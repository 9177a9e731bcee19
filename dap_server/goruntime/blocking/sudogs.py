"""runtime.sudog records: a goroutine's place in a channel's wait queue or the semaphore table.

Go 1.26 made `sudog.elem` and `sudog.c` two-word `maybeTraceablePtr`s whose `vu` word is the
source of truth (the `vp` word is cleared while the leak-detecting GC runs); older releases have
one pointer. The offsets come from the binary (DWARF, else the layout tables).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...debuggee.api import Memory, UnreadableMemory
from ..layouts import LayoutError, RuntimeLayouts

SUDOG = "runtime.sudog"
MAX_SUDOGS = 1 << 22  # sudogs followed in one list or tree: no real process has this many waiters


@dataclass(frozen=True, slots=True)
class Sudog:
    addr: int
    g: int
    elem: int
    c: int
    next: int
    prev: int
    waitlink: int
    is_select: bool


class SudogReader:
    """Reads sudogs with the binary's own field offsets."""

    def __init__(self, memory: Memory, layouts: RuntimeLayouts) -> None:
        self._memory = memory
        self._offsets = {name: self._field(layouts, name) for name in ("g", "next", "prev", "waitlink", "isSelect")}
        self._elem = self._pointer(layouts, "elem")
        self._chan = self._pointer(layouts, "c")

    @staticmethod
    def _field(layouts: RuntimeLayouts, name: str) -> int:
        off = layouts.offset(SUDOG, name)
        if off is None:
            raise LayoutError(f"runtime.sudog has no field {name} ({layouts.source})")
        return off

    @classmethod
    def _pointer(cls, layouts: RuntimeLayouts, name: str) -> int:
        wrapped = layouts.offset(SUDOG, f"{name}.vu")  # Go 1.26+: maybeTraceablePtr
        return wrapped if wrapped is not None else cls._field(layouts, name)

    def read(self, addr: int) -> Sudog:
        """The sudog at `addr` (UnreadableMemory when it cannot be read)."""
        word, off = self._memory.u64, self._offsets
        return Sudog(
            addr=addr,
            g=word(addr + off["g"]),
            elem=word(addr + self._elem),
            c=word(addr + self._chan),
            next=word(addr + off["next"]),
            prev=word(addr + off["prev"]),
            waitlink=word(addr + off["waitlink"]),
            is_select=self._memory.read(addr + off["isSelect"], 1) != b"\0",
        )

    def chain(self, first: int, link: str = "next") -> list[Sudog]:
        """The sudogs of a list linked by `next` (a wait queue) or `waitlink` (a g's waiting list)."""
        out: list[Sudog] = []
        seen: set[int] = set()
        node = first
        while node and node not in seen and len(out) < MAX_SUDOGS:
            seen.add(node)
            try:
                sudog = self.read(node)
            except UnreadableMemory:
                break
            out.append(sudog)
            node = sudog.next if link == "next" else sudog.waitlink
        return out
