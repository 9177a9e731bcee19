"""The "Blocked on" scope: what a goroutine waits on as values a client can expand — the object's
state, its waiters (paged), who refers to it (searched when expanded) and the object itself as the
program's own type where DWARF has it."""

from __future__ import annotations

from ..process import GoProcess
from ..values.base import TextValue, Value, ValueContext
from ..values.context import Loc
from .records import CHAN, RECEIVE, SEND, Wait, WaitEdge
from .view import BlockingView

MAX_LISTED_WAKERS = 1000
WAKER_PAGE = 20_000  # goroutines searched per expansion of `could wake it`
_VERBS = {RECEIVE: "receive from", SEND: "send to", "": "waits on"}


def wait_values(process: GoProcess, view: BlockingView, wait: Wait) -> list[Value]:
    """One value per object the goroutine waits on (a select has one per case)."""
    from ..variables import context_for  # the values engine loads only when the scope is opened

    ctx = context_for(process)
    if not wait.edges:
        return [TextValue(ctx, "waits for", wait.why or wait.reason)]
    return [ObjectValue(ctx, view, edge) for edge in wait.edges]


class ObjectValue(TextValue):
    """A wait object: its state in the summary, its facts, waiters and referrers as children."""

    def __init__(self, ctx: ValueContext, view: BlockingView, edge: WaitEdge) -> None:
        self._view = view
        self._edge = edge
        self._state = view.state(edge.obj)
        super().__init__(ctx, _VERBS.get(edge.direction, "waits on"), self._state.summary, edge.obj.kind)

    @property
    def memory_reference(self) -> int | None:
        return self._edge.obj.address

    def named_count(self) -> int:
        return len(self._children)

    def decode_named(self) -> list[Value]:
        return list(self._children)

    @property
    def _children(self) -> list[Value]:
        cached: list[Value] | None = getattr(self, "_cached", None)
        if cached is None:
            obj = self._edge.obj
            cached = [TextValue(self.ctx, name, text) for name, text in self._state.facts]
            waiters = [w.goid for w in self._view.waiters(obj)]
            cached.append(GoroutineList(self.ctx, "waiters", waiters))
            cached.append(WakerList(self.ctx, self._view, self._edge))
            typed = self._typed()
            if typed is not None:
                cached.append(typed)
            self._cached = cached
        return cached

    def _typed(self) -> Value | None:
        obj = self._edge.obj
        name = obj.kind
        if obj.kind == CHAN:
            elem = dict(self._state.facts).get("element type")
            name = f"chan {elem}"
        gotype = self.ctx.types.named(name)
        if gotype is None:
            return None
        if obj.kind == CHAN:
            return self.ctx.value("value", gotype, Loc(data=obj.address.to_bytes(8, "little")))
        return self.ctx.value("value", gotype, Loc(address=obj.address))


class GoroutineList(TextValue):
    """Goroutine ids, paged as indexed children."""

    def __init__(self, ctx: ValueContext, name: str, goids: list[int]) -> None:
        super().__init__(ctx, name, _count(goids))
        self._goids = goids

    def indexed_count(self) -> int:
        return len(self._goids)

    def decode_indexed(self, start: int, stop: int) -> list[Value]:
        return [TextValue(self.ctx, f"[{i}]", f"goroutine {self._goids[i]}") for i in range(start, stop)]


class WakerList(TextValue):
    """Who could wake the waiters, searched when the client expands it, WAKER_PAGE goroutines at a
    time: the last child continues the search where this one stopped."""

    def __init__(self, ctx: ValueContext, view: BlockingView, edge: WaitEdge, upto: int = WAKER_PAGE) -> None:
        held = view.from_globals(edge.obj)
        text = "a package variable refers to it: any goroutine may" if held else "expand to search the stacks"
        super().__init__(ctx, "could wake it" if upto == WAKER_PAGE else "search further", text)
        self._view = view
        self._edge = edge
        self._upto = upto

    def named_count(self) -> int:
        return 1  # unknown until searched: the search runs when the client asks for the children

    def decode_named(self) -> list[Value]:
        wakers, refs = self._view.wakers_among(self._edge.obj, self._upto)
        sync = self._edge.obj.kind.startswith("sync.")
        role = "likely holder" if sync and len(wakers) == 1 and refs.complete else "refers to it"
        out: list[Value] = [TextValue(self.ctx, f"goroutine {goid}", role) for goid in wakers[:MAX_LISTED_WAKERS]]
        if len(wakers) > MAX_LISTED_WAKERS:
            out.append(TextValue(self.ctx, "more", f"{len(wakers) - MAX_LISTED_WAKERS:,} more (console: waiters)"))
        if not refs.complete:
            searched = f"{refs.searched:,} of {refs.total:,} goroutines searched"
            out.append(WakerList(self.ctx, self._view, self._edge, self._upto + WAKER_PAGE))
            out.append(TextValue(self.ctx, "searched", searched))
        elif not wakers:
            out.append(TextValue(self.ctx, "none", "no other goroutine refers to it"))
        out += [TextValue(self.ctx, "bound", limit) for limit in refs.limits]
        return out


def _count(goids: list[int]) -> str:
    return f"{len(goids):,} goroutine{'s' if len(goids) != 1 else ''}"
