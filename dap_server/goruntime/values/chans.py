"""Channels: length/capacity, buffered elements in receive order, and the goroutines blocked on
them (from the recvq/sendq sudog lists), with the value each blocked sender is trying to send.
"""

from __future__ import annotations

from functools import cached_property

from ...program.dwarf.types import GoType
from .base import GroupValue, Value
from .context import MAX_CHAIN, Loc, Unreadable


class ChanValue(Value):
    @cached_property
    def hchan(self) -> GoType:
        found = self.gotype.internal or self.ctx.types.named("runtime.hchan")
        if found is None:
            raise Unreadable("the runtime.hchan layout is not in DWARF")
        return found

    def _offset(self, struct: GoType, name: str) -> int:
        f = struct.field(name)
        if f is None:
            raise Unreadable(f"{struct.name} has no field {name}")
        return f.offset

    def header(self) -> int:
        return self.word()

    def state(self) -> tuple[int, int, bool]:
        """(queued elements, buffer size, closed)."""
        h = self.header()
        hchan = self.hchan
        qcount = self.ctx.word(h + self._offset(hchan, "qcount"))
        size = self.ctx.word(h + self._offset(hchan, "dataqsiz"))
        closed = int.from_bytes(self.ctx.read(h + self._offset(hchan, "closed"), 4), "little") != 0
        if qcount > size:
            raise Unreadable(f"corrupt channel: {qcount} queued elements in a buffer of {size}")
        return qcount, size, closed

    def check(self) -> None:
        if self.header():
            self.state()

    def referenced_address(self) -> int | None:
        return self.header() or None

    def render_value(self, budget: int, depth: int) -> str:
        prefix = f"{self.type_name} " if depth == 0 else ""
        if self.header() == 0:
            return prefix + "nil"
        qcount, size, closed = self.state()
        text = f"{prefix}{qcount}/{size}"
        if closed:
            text += " closed"
        if depth == 0:
            senders, receivers = self._waiters("sendq"), self._waiters("recvq")
            if senders:
                text += f", {len(senders)} sender{'s' if len(senders) != 1 else ''} waiting"
            if receivers:
                text += f", {len(receivers)} receiver{'s' if len(receivers) != 1 else ''} waiting"
        return text

    def _waiters(self, queue: str) -> list[tuple[int | None, int]]:
        return self._queues[queue]

    @cached_property
    def _queues(self) -> dict[str, list[tuple[int | None, int]]]:
        return {queue: self._read_queue(queue) for queue in ("sendq", "recvq")}

    def _read_queue(self, queue: str) -> list[tuple[int | None, int]]:
        """(goroutine id, address of the element it sends or receives into) for each sudog."""
        h = self.header()
        waitq = self.hchan.field(queue)
        if waitq is None:
            return []
        first = waitq.type.field("first")
        sudog = first.type.elem if first is not None else None
        if sudog is None:
            return []
        g_off, next_off, elem_off = (self._offset(sudog, name) for name in ("g", "next", "elem"))
        out = []
        seen: set[int] = set()
        node = self.ctx.word(h + waitq.offset + first.offset) if first is not None else 0
        for _ in range(MAX_CHAIN):
            if node == 0 or node in seen:
                break
            seen.add(node)
            out.append((self.ctx.goroutine_id(self.ctx.word(node + g_off)), self.ctx.word(node + elem_off)))
            node = self.ctx.word(node + next_off)
        return out

    def named_count(self) -> int:
        return len(self._groups)

    def decode_named(self) -> list[Value]:
        return self._groups

    @cached_property
    def _groups(self) -> list[Value]:
        """One synthetic child per non-empty wait queue."""
        if self.header() == 0:
            return []
        out: list[Value] = []
        elem = self.gotype.elem
        for queue, label in (("sendq", "senders waiting"), ("recvq", "receivers waiting")):
            waiters = self._waiters(queue)
            if not waiters:
                continue
            members: list[Value] = []
            for goid, data in waiters:
                name = f"goroutine {goid}" if goid is not None else "goroutine ?"
                if queue == "sendq" and elem is not None and data:
                    members.append(self.ctx.value(name, elem, Loc(address=data)))
            text = ", ".join(f"goroutine {goid}" for goid, _ in waiters)
            out.append(GroupValue(self.ctx, label, text, members))
        return out

    def indexed_count(self) -> int:
        if self.header() == 0:
            return 0
        return self.state()[0]

    def decode_indexed(self, start: int, stop: int) -> list[Value]:
        elem = self.gotype.elem
        if elem is None:
            raise Unreadable(f"the element type of {self.type_name} is unknown")
        h = self.header()
        _, size, _ = self.state()
        buf = self.ctx.word(h + self._offset(self.hchan, "buf"))
        recvx = self.ctx.word(h + self._offset(self.hchan, "recvx"))
        if size == 0 or recvx >= size:
            return []
        return [
            self.ctx.value(f"[{i}]", elem, Loc(address=buf + elem.size * ((recvx + i) % size)))
            for i in range(start, stop)
        ]
