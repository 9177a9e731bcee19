"""What each blocked goroutine waits on, from its wait reason, its `g.waiting` sudogs (channel
operations and select cases) and the semaphore table (sync primitives): no heap walk."""

from __future__ import annotations

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
        if g.unreadable is not None:
            return None
        if g.status == G_SYSCALL:
            return Wait(g.goid, g.addr, "syscall", why="in a system call: the kernel returns it", runtime_wakes=True)
        if g.status not in (G_WAITING, G_LEAKED):
            return None
        reason = self._process.names.wait_reason(g)
        base = reason.split(" (", 1)[0] if reason.endswith("(synctest)") else reason
        if base in _NEVER:
            return Wait(g.goid, g.addr, reason, why=_NEVER[base], wakeable=False)
        if base in _CHANNEL_REASONS:
            return self._channel_wait(g, reason, _CHANNEL_REASONS[base])
        if base in _SEMAPHORES or base == "semacquire":
            return self._semaphore_wait(g, reason, base)
        if base == "IO wait" and not system:
            found = poll_wait(self._process, self._maps, g)
            if found is not None:
                why = f"the network poller: {found.mode} on file descriptor {found.fd} (pollDesc {found.poll_desc:#x})"
                label = f"{found.mode} on fd {found.fd}"
                return Wait(g.goid, g.addr, reason, why=why, runtime_wakes=True, label=label)
        if base == "sync.Cond.Wait":
            cond = cond_of(self._process, self._maps, self._sudogs, g)
            if cond is None:
                return Wait(g.goid, g.addr, reason, why="sync.Cond.Wait (its frames do not show which Cond)")
            return Wait(g.goid, g.addr, reason, (WaitEdge(WaitObject(COND, cond)),))
        why = _RUNTIME_WAKES.get(base, f"{reason}: the runtime wakes it" if system or not reason else reason)
        return Wait(g.goid, g.addr, reason, why=why, runtime_wakes=system or base in _RUNTIME_WAKES)

    def _channel_wait(self, g: Goroutine, reason: str, direction: str) -> Wait:
        if direction and g.waiting:
            try:
                chan = self._sudogs.channel(g.waiting)
            except UnreadableMemory:
                chan = 0
            if chan:
                return Wait(g.goid, g.addr, reason, (WaitEdge(WaitObject(CHAN, chan), direction),))
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

    def _semaphore_wait(self, g: Goroutine, reason: str, base: str) -> Wait:
        if self._semaphores is None:
            why = f"{reason}: which lock is not known (no symbol for runtime.semtable: the binary is stripped)"
            return Wait(g.goid, g.addr, reason, why=why)
        sema = self._semaphores.get(g.addr)
        if sema is None:
            return Wait(g.goid, g.addr, reason, why=f"{reason}: not in the runtime's semaphore table")
        kind, struct, paths = _SEMAPHORES.get(base) or self._semacquire_kind(g)
        offset = self._sema_offset(struct, paths)
        if kind == SEMAPHORE or offset is None:
            return Wait(g.goid, g.addr, reason, (WaitEdge(WaitObject(SEMAPHORE, sema)),))
        return Wait(g.goid, g.addr, reason, (WaitEdge(WaitObject(kind, sema - offset)),))

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
