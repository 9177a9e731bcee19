"""The blocking graph of one stop, made on first use and attached to the process.

What a goroutine waits on costs a few reads per goroutine (its sudogs) plus one walk of the
semaphore table; who refers to the objects is one bounded pass over the stacks, made only when a
question needs it (wakers, findings).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..bulk import gc_paused
from ..goroutines import Goroutine
from ..layouts import LayoutError
from ..process import GoProcess
from .objects import ObjectReader, ObjectState
from .records import CHAN, Finding, Wait, WaitObject
from .semtable import semaphore_waiters
from .sudogs import SudogReader
from .waits import WaitReader

if TYPE_CHECKING:  # the reference search and the graph load with the first question that needs them
    from .analysis import Graph
    from .references import References, ReferenceSearch

Progress = Callable[[str, int, int], None]


class BlockingView:
    """Waits, wait objects, references and findings of one stop."""

    def __init__(self, process: GoProcess, system: Callable[[Goroutine], bool], created: Callable[[int], str]):
        self._process = process
        self._system = system
        self._created = created
        self.problem: str | None = None
        self._waits: dict[int, Wait | None] = {}
        self._all: dict[int, Wait] | None = None
        self._search: ReferenceSearch | None = None
        self._graph: Graph | None = None
        self._findings: list[Finding] | None = None
        try:
            sudogs = SudogReader(process.memory, process.layouts)
        except LayoutError as exc:
            self.problem = f"what goroutines wait on cannot be read: {exc}"
            self._reader: WaitReader | None = None
            return
        self.objects = ObjectReader(process, sudogs)
        semaphores = semaphore_waiters(process.memory, process.program, process.layouts, sudogs)
        self._reader = WaitReader(process, sudogs, self.objects, semaphores)

    def wait(self, g: Goroutine) -> Wait | None:
        """What `g` waits on (None: it is not blocked, or nothing can be read)."""
        if g.goid not in self._waits:
            self._waits[g.goid] = self._reader.wait(g, self._system(g)) if self._reader is not None else None
        return self._waits[g.goid]

    def waits(self) -> dict[int, Wait]:
        """Every blocked user goroutine's wait, by goroutine id."""
        if self._all is None:
            with gc_paused():  # 100,000 small records: collections would find nothing to free
                self._all = self._blocked()
        return self._all

    def _blocked(self) -> dict[int, Wait]:
        """`waits` made: the goroutines not asked about yet classified together."""
        goroutines = self._process.goroutines
        systems = [self._system(g) for g in goroutines]
        todo, todo_systems = goroutines, systems
        if self._waits:  # some were asked about one by one
            todo = [g for g in goroutines if g.goid not in self._waits]
            todo_systems = [self._system(g) for g in todo]
        if self._reader is not None and todo:
            self._waits.update(zip([g.goid for g in todo], self._reader.waits(todo, todo_systems), strict=True))
        waits = self._waits
        return {
            g.goid: wait
            for g, system in zip(goroutines, systems, strict=True)
            if not system and (wait := waits.get(g.goid)) is not None
        }

    def waiters(self, obj: WaitObject) -> list[Wait]:
        """The goroutines that wait on `obj` (a channel's in its queues' order)."""
        waits = self.waits()
        if obj.kind == CHAN:
            state = self.objects.state(obj)
            by_addr = {w.g_addr: w for w in waits.values()}
            ordered = [
                by_addr[g] for d in ("receive", "send") for g in state.queue_goroutines.get(d, []) if g in by_addr
            ]
            if ordered:
                return ordered
        return [w for w in waits.values() if any(e.obj == obj for e in w.edges)]

    def state(self, obj: WaitObject) -> ObjectState:
        return self.objects.state(obj)

    def references(self, progress: Progress | None = None, page: int | None = None) -> References:
        """Who refers to the objects goroutines wait on: all goroutines searched, or `page` more."""
        if self._search is None:
            from .references import ReferenceSearch

            targets = {e.obj.address for w in self.waits().values() for e in w.edges}
            self._search = ReferenceSearch(self._process, targets)
        step = None if progress is None else (lambda done, total: progress("Searching stacks", done, total))
        refs = self._search.result
        if refs.complete:
            return refs
        with gc_paused():
            return self._search.advance(refs.total if page is None else page, step)

    def graph(self, progress: Progress | None = None) -> Graph:
        if self._graph is None:
            with gc_paused():
                self._graph = self._made_graph(progress)
        return self._graph

    def _made_graph(self, progress: Progress | None) -> Graph:
        waits = self.waits()
        refs = self.references(progress)
        waiters: dict[WaitObject, list[int]] = {}
        for goid, wait in waits.items():
            for edge in wait.edges:
                waiters.setdefault(edge.obj, []).append(goid)
        free = {obj for obj in waiters if obj.address in refs.from_globals or self._not_blocking(obj)}
        from .analysis import Graph

        return Graph(waits, waiters, refs.by_target, free)

    def wakers(self, obj: WaitObject, progress: Progress | None = None) -> list[int]:
        """Goroutines that refer to `obj` and do not wait on it: who could wake its waiters."""
        return list(self.graph(progress).wakers.get(obj, []))

    def wakers_among(self, obj: WaitObject, searched: int) -> tuple[list[int], References]:
        """Wakers of `obj` among the first `searched` goroutines (the search goes at least that far)."""
        refs = self.references(page=0)
        if refs.searched < searched:
            refs = self.references(page=searched - refs.searched)
        own = {w.goid for w in self.waiters(obj)}
        return [goid for goid in refs.by_target.get(obj.address, []) if goid not in own], refs

    def from_globals(self, obj: WaitObject) -> bool:
        return obj.address in self.references(page=0).from_globals

    def findings(self, progress: Progress | None = None) -> list[Finding]:
        if self._findings is None:
            from .analysis import findings

            with gc_paused():
                self._findings = findings(self.graph(progress), self._created)
        return self._findings

    def _not_blocking(self, obj: WaitObject) -> bool:
        """A timer's channel (the runtime sends to it), or a lock that is not held: waits that end."""
        state = self.objects.state(obj)
        return state.timer or state.locked is False


def blocking_view(
    process: GoProcess, system: Callable[[Goroutine], bool], created: Callable[[int], str]
) -> BlockingView:
    """The stop's blocking graph (one per GoProcess)."""
    return process.attached.get(BlockingView, lambda: BlockingView(process, system, created))
