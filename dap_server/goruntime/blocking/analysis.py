"""Findings of the blocking graph: deadlocks (cycles of goroutines that only each other can wake),
leaks (goroutines waiting on objects nobody else can reach) and the biggest groups of identical waits.

The rule is the one Go 1.26's leak detector applies to the heap, applied to the references found
on stacks: a goroutine may run again if it is not blocked, if the runtime will wake it, or if what
it waits on is held by a package variable or by a goroutine that may itself run again. Whatever
that fixpoint leaves is stuck; a cycle among the stuck is a deadlock, a stuck goroutine whose
objects no other goroutine refers to is a leak. A mutex's likely holder is a goroutine that refers
to it and does not wait on it: Go does not record holders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from .records import Finding, Wait, WaitEdge, WaitObject

MAX_GROUPS = 10
SEARCHED = "searched: every goroutine's live pointer slots and what they point to, one level deep; package variables"
DEADLOCK, LEAK, STUCK, GROUP = "deadlock", "leak", "stuck", "group"


@dataclass(slots=True)
class Graph:
    """The blocked goroutines, who waits on what, and who refers to it."""

    waits: dict[int, Wait]  # blocked user goroutines by id
    waiters: dict[WaitObject, list[int]]
    refs: dict[int, list[int]]  # object address → goroutines referring to it
    free: set[WaitObject]  # held by a package variable, a timer, or not blocking now
    wakers: dict[WaitObject, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for obj, waiting in self.waiters.items():
            own = set(waiting)
            self.wakers[obj] = [goid for goid in self.refs.get(obj.address, []) if goid not in own]


def may_run(graph: Graph) -> set[int]:
    """Goroutines of `graph.waits` that may run again (the fixpoint above)."""
    referring: dict[int, list[WaitObject]] = defaultdict(list)
    for obj, goids in graph.wakers.items():
        for goid in goids:
            referring[goid].append(obj)

    blocked = graph.waits
    ready = {goid for goid, wait in blocked.items() if wait.runtime_wakes or (wait.wakeable and not wait.edges)}
    for obj in graph.free:
        ready.update(graph.waiters.get(obj, []))
    for goids in graph.wakers.values():  # referring goroutines that are not blocked at all
        ready.update(goid for goid in goids if goid not in blocked)
    pending = [goid for goid in ready if goid in referring]  # only these can wake others
    while pending:
        goid = pending.pop()
        for obj in referring[goid]:
            for waiter in graph.waiters.get(obj, []):
                if waiter not in ready:
                    ready.add(waiter)
                    if waiter in referring:
                        pending.append(waiter)
    return ready


def findings(graph: Graph, created: Callable[[int], str]) -> list[Finding]:
    """Deadlocks first, then leaks, goroutines stuck behind them, then the biggest groups."""
    ready = may_run(graph)
    stuck = {goid for goid in graph.waits if goid not in ready}
    out: list[Finding] = []
    edges = {goid: sorted({w for e in graph.waits[goid].edges for w in graph.wakers.get(e.obj, [])}) for goid in stuck}
    in_cycle: set[int] = set()
    for component in _cycles(edges):
        in_cycle.update(component)
        out.append(_deadlock(graph, component))
    by_objects: dict[tuple[WaitObject, ...], list[int]] = defaultdict(list)
    for goid in sorted(stuck - in_cycle):
        by_objects[tuple(e.obj for e in graph.waits[goid].edges)].append(goid)
    for objects, goids in sorted(by_objects.items(), key=lambda item: -len(item[1])):
        out.append(_leak_or_stuck(graph, objects, goids, edges))
    out.extend(_groups(graph, created))
    return out


def _deadlock(graph: Graph, component: list[int]) -> Finding:
    details = []
    objects: list[WaitObject] = []
    members = set(component)
    for goid in component:
        for edge in graph.waits[goid].edges:
            holders = [w for w in graph.wakers.get(edge.obj, []) if w in members]
            objects.append(edge.obj)
            whom = ", ".join(f"goroutine {w}" for w in holders) or "no one"
            role = "its likely holder" if edge.obj.kind.startswith("sync.") else "the only ones that refer to it"
            details.append(f"goroutine {goid} waits {graph.waits[goid].summary}; {whom} ({role}) waits too")
    names = ", ".join(str(g) for g in component)
    return Finding(DEADLOCK, f"deadlock: goroutines {names} wait on each other", list(component), objects, details)


def _leak_or_stuck(
    graph: Graph, objects: tuple[WaitObject, ...], goids: list[int], edges: dict[int, list[int]]
) -> Finding:
    count = _waiting(len(goids))
    first = graph.waits[goids[0]]
    if not objects:
        return Finding(LEAK, f"leak: {_goroutines(len(goids))} can never be woken ({first.why})", goids)
    labels = ", ".join(obj.label for obj in objects)
    others = sorted({w for goid in goids for w in edges.get(goid, [])} - set(goids))
    if not others:
        title = f"leak: {count} on {labels}, which no other goroutine and no package variable refers to"
        return Finding(LEAK, title, goids, list(objects), [SEARCHED])
    names = ", ".join(str(w) for w in others[:20])
    title = f"stuck: {count} on {labels}; only goroutines that are stuck themselves refer to it ({names})"
    return Finding(STUCK, title, goids, list(objects))


def _groups(graph: Graph, created: Callable[[int], str]) -> list[Finding]:
    groups: dict[tuple[str, tuple[WaitObject, ...]], list[int]] = defaultdict(list)
    objects: dict[tuple[WaitEdge, ...], tuple[WaitObject, ...]] = {}  # waiters of one object share its edges
    for goid, wait in graph.waits.items():
        if wait.edges:
            objs = objects.get(wait.edges)
            if objs is None:
                objs = objects[wait.edges] = tuple(e.obj for e in wait.edges)
            groups[(wait.reason, objs)].append(goid)
    ranked = sorted((goids for goids in groups.values() if len(goids) > 1), key=lambda goids: (-len(goids), goids[0]))
    out = []
    for goids in ranked[:MAX_GROUPS]:
        wait = graph.waits[goids[0]]
        origin = created(goids[0])
        where = f" (created by {origin})" if origin else ""
        title = f"{_waiting(len(goids))}: {wait.summary} [{wait.reason}]{where}"
        out.append(Finding(GROUP, title, sorted(goids), [e.obj for e in wait.edges]))
    return out


def _goroutines(n: int) -> str:
    return f"{n:,} goroutine{'s' if n != 1 else ''}"


def _waiting(n: int) -> str:
    return f"{_goroutines(n)} {'waits' if n == 1 else 'wait'}"


def _cycles(edges: dict[int, list[int]]) -> list[list[int]]:
    """Strongly connected components of two or more goroutines (Tarjan's algorithm, iterative)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = edges.get(node, [])
            if i < len(successors):
                work.append((node, i + 1))
                nxt = successors[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out
