"""What each blocked goroutine waits on, from its wait reason, its `g.waiting` sudogs (channel
operations and select cases) and the semaphore table (sync primitives): no heap walk."""

from __future__ import annotations

from functools import partial

from ...debuggee.api import UnreadableMemory
from ..goroutines import G_LEAKED, G_SYSCALL, G_WAITING, Goroutine
from ..process import GoProcess
from .conds import cond_of
from .netpoll import poll_wait
from .objects import ObjectReader, mutex_field
from .records import CHAN, COND, MUTEX, RECEIVE, RWMUTEX, SEMAPHORE, SEND, WAITGROUP, Wait, WaitEdge, WaitObject
from .stackmaps import StackMaps
from .sudogs import SudogReader

_CHANNEL_REASONS = {"chan receive": RECEIVE, "chan send": SEND, "select": ""}
_NEVER = {
    "chan receive (nil chan)": "a receive from a nil channel: nothing can wake it",
    "chan send (nil chan)": "a send on a nil channel: nothing can wake it",
    "select (no cases)": "select {} with no cases: nothing can wake it",
}
# wait reason → (object kind, struct holding the semaphore, the semaphore's field paths)
_SEMAPHORES = {
    "sync.Mutex.Lock": (MUTEX, "sync.Mutex", ("sema",)),
    "sync.RWMutex.Lock": (RWMUTEX, "sync.RWMutex", ("writerSem",)),
    "sync.RWMutex.RLock": (RWMUTEX, "sync.RWMutex", ("readerSem",)),
    "sync.WaitGroup.Wait": (WAITGROUP, "sync.WaitGroup", ("sema",)),
}
_RUNTIME_WAKES = {
    "sleep": "a timer (time.Sleep): the runtime wakes it",
    "IO wait": "the network poller: it wakes when its file descriptor is ready",
    "timer goroutine (idle)": "the runtime's timers",
}
# Waits built by the 100,000 on a big core: as plain tuples (no keyword defaults to fill in)
_new_wait = partial(tuple.__new__, Wait)
_PLAIN = Wait(0, 0, "")[4:]  # the fields after `edges` of a wait on objects


class WaitReader:
    """Classifies the goroutines of one stop; `semaphores` maps g address → semaphore address."""

    def __init__(
        self, process: GoProcess, sudogs: SudogReader, objects: ObjectReader, semaphores: dict[int, int] | None
    ):
        self._process = process
        self._sudogs = sudogs
        self._objects = objects
        self._semaphores = semaphores
        self._offsets: dict[tuple[str, tuple[str, ...]], int | None] = {}
        self._maps = StackMaps(process.program)

    def wait(self, g: Goroutine, system: bool) -> Wait | None:
        """What `g` waits on; None when it is running or runnable."""
        return self.waits([g], [system])[0]

    def waits(self, goroutines: list[Goroutine], systems: list[bool]) -> list[Wait | None]:
        """`wait` of each goroutine. Goroutines in the same state (status, wait reason, system or
        not) are classified once; what tells them apart (a channel, a semaphore) is read per
        goroutine, and goroutines that wait on the same object share its record."""
        out: list[Wait | None] = [None] * len(goroutines)
        alike: dict[tuple[int, int, bool], list[int]] = {}
        for i, (g, system) in enumerate(zip(goroutines, systems, strict=True)):
            if g.unreadable is None:
                alike.setdefault((g.status, g.waitreason, system), []).append(i)
        for (status, _, system), members in alike.items():
            group = [goroutines[i] for i in members]
            for i, wait in zip(members, self._alike_waits(group, status, system), strict=True):
                out[i] = wait
        return out

    def _alike_waits(self, group: list[Goroutine], status: int, system: bool) -> list[Wait | None]:
        """The waits of goroutines of one status and wait reason."""
        if status == G_SYSCALL:
            return _same(group, "syscall", why="in a system call: the kernel returns it", runtime_wakes=True)
        if status not in (G_WAITING, G_LEAKED):
            return [None] * len(group)
        reason = self._process.names.wait_reason(group[0])
        base = reason.split(" (", 1)[0] if reason.endswith("(synctest)") else reason
        if base in _NEVER:
            return _same(group, reason, why=_NEVER[base], wakeable=False)
        if base in _CHANNEL_REASONS:
            return self._channel_waits(group, reason, _CHANNEL_REASONS[base])
        if base in _SEMAPHORES or base == "semacquire":
            return self._semaphore_waits(group, reason, base)
        why = _RUNTIME_WAKES.get(base, f"{reason}: the runtime wakes it" if system or not reason else reason)
        other = Wait(0, 0, reason, why=why, runtime_wakes=system or base in _RUNTIME_WAKES)
        if base == "IO wait" and not system:
            return [self._poll_wait(g, reason) or other._replace(goid=g.goid, g_addr=g.addr) for g in group]
        if base == "sync.Cond.Wait":
            return [self._cond_wait(g, reason) for g in group]
        return _same(group, *other[2:])

    def _poll_wait(self, g: Goroutine, reason: str) -> Wait | None:
        found = poll_wait(self._process, self._maps, g)
        if found is None:
            return None
        why = f"the network poller: {found.mode} on file descriptor {found.fd} (pollDesc {found.poll_desc:#x})"
        label = f"{found.mode} on fd {found.fd}"
        return Wait(g.goid, g.addr, reason, why=why, runtime_wakes=True, label=label)

    def _cond_wait(self, g: Goroutine, reason: str) -> Wait:
        cond = cond_of(self._process, self._maps, self._sudogs, g)
        if cond is None:
            return Wait(g.goid, g.addr, reason, why="sync.Cond.Wait (its frames do not show which Cond)")
        return Wait(g.goid, g.addr, reason, (WaitEdge(WaitObject(COND, cond)),))

    def _channel_waits(self, group: list[Goroutine], reason: str, direction: str) -> list[Wait | None]:
        """A plain send or receive names its channel in its one sudog; a select lists its cases."""
        chans = self._sudogs.channels([g.waiting for g in group]) if direction else [0] * len(group)
        shared: dict[int, tuple[WaitEdge, ...]] = {}
        out: list[Wait | None] = []
        for g, chan in zip(group, chans, strict=True):
            if not chan:
                out.append(self._select_wait(g, reason, direction))
                continue
            edges = shared.get(chan)
            if edges is None:
                edges = shared[chan] = (WaitEdge(WaitObject(CHAN, chan), direction),)
            out.append(_new_wait((g.goid, g.addr, reason, edges, *_PLAIN)))
        return out

    def _select_wait(self, g: Goroutine, reason: str, direction: str) -> Wait:
        edges: list[WaitEdge] = []
        for sudog in self._sudogs.chain(g.waiting, "waitlink") if g.waiting else []:
            if not sudog.c:
                continue
            obj = WaitObject(CHAN, sudog.c)
            how = direction or self._objects.state(obj).queued.get(sudog.addr, "")
            edges.append(WaitEdge(obj, how))
        if not edges:
            return Wait(
                g.goid, g.addr, reason, why=f"{reason}: the runtime lists no channel for it (g.waiting is empty)"
            )
        return Wait(g.goid, g.addr, reason, tuple(edges))

    def _semaphore_waits(self, group: list[Goroutine], reason: str, base: str) -> list[Wait | None]:
        if self._semaphores is None:
            why = f"{reason}: which lock is not known (no symbol for runtime.semtable: the binary is stripped)"
            return _same(group, reason, why=why)
        semaphores, fixed = self._semaphores, _SEMAPHORES.get(base)
        shared: dict[tuple[str, str, tuple[str, ...], int], tuple[WaitEdge, ...]] = {}
        out: list[Wait | None] = []
        for g in group:
            sema = semaphores.get(g.addr)
            if sema is None:
                out.append(Wait(g.goid, g.addr, reason, why=f"{reason}: not in the runtime's semaphore table"))
                continue
            kind, struct, paths = fixed or self._semacquire_kind(g)
            edges = shared.get((kind, struct, paths, sema))
            if edges is None:
                offset = self._sema_offset(struct, paths)
                plain = kind == SEMAPHORE or offset is None
                obj = WaitObject(SEMAPHORE, sema) if plain else WaitObject(kind, sema - (offset or 0))
                edges = shared[(kind, struct, paths, sema)] = (WaitEdge(obj),)
            out.append(_new_wait((g.goid, g.addr, reason, edges, *_PLAIN)))
        return out

    def _sema_offset(self, struct: str, paths: tuple[str, ...]) -> int | None:
        """Where the semaphore sits in its struct (the first of `paths` the binary has)."""
        key = (struct, paths)
        if key not in self._offsets:
            layouts = self._process.layouts
            if struct == "sync.Mutex":
                self._offsets[key] = mutex_field(layouts, "sema")
            else:
                self._offsets[key] = next((o for p in paths if (o := layouts.offset(struct, p)) is not None), None)
        return self._offsets[key]

    def _semacquire_kind(self, g: Goroutine) -> tuple[str, str, tuple[str, ...]]:
        """Go ≤1.23 says "semacquire" for WaitGroup.Wait: the frames tell which it is."""
        try:
            functions = {frame.function for frame in self._process.frames(g)[:12]}
        except UnreadableMemory:
            functions = set()
        if "sync.(*WaitGroup).Wait" in functions:
            return _SEMAPHORES["sync.WaitGroup.Wait"]
        return SEMAPHORE, "", ()


def _same(group: list[Goroutine], *fields: object, **named: object) -> list[Wait | None]:
    """The same wait (its fields after `goid` and `g_addr`) for every goroutine of `group`."""
    tail = Wait(0, 0, *fields, **named)[2:]  # type: ignore[arg-type]
    return [_new_wait((g.goid, g.addr, *tail)) for g in group]
