"""What a goroutine is doing, in Go's own words: state, wait time, creator, system or user."""

from __future__ import annotations

import contextlib
from functools import partial
from typing import NamedTuple

from ..debuggee.api import UnreadableMemory
from ..program.dwarf.dies import DwarfError
from ..program.pclntab import Pclntab, SourceLocation
from .goroutines import BULK_GOROUTINES, G_LEAKED, G_SYSCALL, G_WAITING, Goroutine
from .labels import read_labels
from .process import GoProcess

_NS_PER_MINUTE = 60_000_000_000
# Goroutines started at these functions are user goroutines even though they live in runtime.
_USER_STARTS = frozenset({"runtime.main", "runtime.corostart", "runtime.handleAsyncEvent"})
_FINALIZER_STARTS = frozenset({"runtime.runfinq", "runtime.runFinalizers"})
_FING_RUNNING_FINALIZER_DEFAULT = 2


class CreatedBy(NamedTuple):
    function: str
    file: str
    line: int
    parent_goid: int


class GoroutineSummary(NamedTuple):
    """What the thread list says about one goroutine (a tuple: one per goroutine of the core)."""

    goid: int
    state: str
    wait_minutes: int | None
    locked: bool
    system: bool
    created_by: CreatedBy | None
    top: SourceLocation | None
    user: SourceLocation | None
    thread: int | None
    status: str = ""
    start_function: str = ""
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def header(self) -> str:
        """`[chan receive, 14 minutes, locked to thread]`, as Go prints it."""
        parts = [self.state]
        if self.wait_minutes:
            parts.append(f"{self.wait_minutes} minutes")
        if self.locked:
            parts.append("locked to thread")
        return "[" + ", ".join(parts) + "]"


_new_summary = partial(tuple.__new__, GoroutineSummary)  # without NamedTuple's Python-level __new__


class Describer:
    """Summaries of goroutines, sharing per-process facts (dump time, finalizer state)."""

    def __init__(self, process: GoProcess) -> None:
        self._process = process
        self._pcln: Pclntab = process.program.pclntab
        self.now = _estimate_now(process)
        self._finalizer_running = _finalizer_running(process)
        self._minor = process.program.go_minor
        self._created: dict[tuple[int, int], CreatedBy | None] = {}
        self._start_names: dict[int, str] = {}

    def summaries(self, goroutines: list[Goroutine], chains: bool = False) -> list[GoroutineSummary]:
        """`summary` of each goroutine; on a big core their stacks are walked together
        (bulkwalk.py), and with `chains` to their ends, for `GoProcess.pc_chains` (grouping)."""
        if len(goroutines) < BULK_GOROUTINES:
            return [self.summary(g) for g in goroutines]
        from .bulkwalk import walk  # numpy: only for big cores

        found = walk(self._process.unwinder, goroutines, chains)
        if found.chains is not None:
            self._process.remember_chains(goroutines, found.chains)
        # what goroutines started alike, waiting alike share: state, status, start, system, creator
        shared: dict[tuple[int, ...], tuple[str, str, str, bool, CreatedBy | None]] = {}
        result = []
        wait_minutes, new = self._wait_minutes, _new_summary
        for g, named in zip(goroutines, found.named, strict=True):
            if named is None:
                result.append(self.summary(g))
                continue
            key = (g.status, g.waitreason, g.startpc, g.running_cleanups, g.gopc, g.parent_goid, g.goid == 1)
            common = shared.get(key)
            if common is None:
                start = self.start_function(g)
                names = self._process.names
                common = shared[key] = (
                    names.state(g),
                    names.status(g),
                    start,
                    self._is_system(start, g),
                    self.created_by(g),
                )
            if g.m or g.labels:  # on a thread, or labelled: the general way
                result.append(self._summary(g, named, common))
                continue
            state, status, start, system, created = common
            result.append(  # `_summary` inlined: this loop runs once per goroutine of a big core
                new(
                    (
                        g.goid,
                        state,
                        wait_minutes(g) if g.waitsince else None,
                        g.lockedm != 0,
                        system,
                        created,
                        named[0],
                        named[1],
                        None,
                        status,
                        start,
                        (),
                    )
                )
            )
        return result

    def summary(self, g: Goroutine) -> GoroutineSummary:
        process = self._process
        named = process.unwinder.top_and_user(g) if g.unreadable is None else (None, None)
        start = self.start_function(g)
        state = process.names.state(g) if g.unreadable is None else "unreadable"
        common = (state, process.names.status(g), start, self._is_system(start, g), self.created_by(g))
        return self._summary(g, named, common)

    def _summary(
        self,
        g: Goroutine,
        named: tuple[SourceLocation | None, SourceLocation | None],
        common: tuple[str, str, str, bool, CreatedBy | None],
    ) -> GoroutineSummary:
        state, status, start, system, created = common
        thread = self._process.unwinder.thread_of(g) if g.m else None
        labels = (
            tuple(read_labels(self._process.memory, g.labels, self._minor, self._process.layouts)) if g.labels else ()
        )
        return _new_summary(  # a plain tuple: built once per goroutine of the core
            (
                g.goid,
                state,
                self._wait_minutes(g) if g.waitsince else None,
                g.lockedm != 0,
                system,
                created,
                named[0],
                named[1],
                thread.lwp if thread is not None else None,
                status,
                start,
                labels,
            )
        )

    def _wait_minutes(self, g: Goroutine) -> int | None:
        if g.status not in (G_WAITING, G_SYSCALL, G_LEAKED) or not g.waitsince or not self.now:
            return None
        minutes = (self.now - g.waitsince) // _NS_PER_MINUTE
        return minutes if minutes >= 1 else None

    def created_by(self, g: Goroutine) -> CreatedBy | None:
        if g.goid == 1 or not g.gopc:
            return None
        key = (g.gopc, g.parent_goid)
        if key not in self._created:
            self._created[key] = self._creator(g.gopc, g.parent_goid)
        return self._created[key]

    def _creator(self, gopc: int, parent_goid: int) -> CreatedBy | None:
        func = self._pcln.func_for_pc(gopc)
        if func is None:
            return None
        pc = gopc - 1 if gopc > func.entry else gopc
        file, line = self._pcln.file_line(func, pc)
        return CreatedBy(func.name, file, line, parent_goid)

    def start_function(self, g: Goroutine) -> str:
        name = self._start_names.get(g.startpc)
        if name is None:
            func = self._pcln.func_for_pc(g.startpc)
            name = func.name if func is not None else ""
            self._start_names[g.startpc] = name
        return name

    def _is_system(self, name: str, g: Goroutine) -> bool:
        """runtime.isSystemGoroutine (traceback.go), decided by the start function's `name`."""
        if not name or name in _USER_STARTS:
            return False
        if name in _FINALIZER_STARTS:
            return not self._finalizer_running
        if name == "runtime.runCleanups":
            return not g.running_cleanups
        return name.startswith("runtime.")


def _finalizer_running(process: GoProcess) -> bool:
    addr = process.program.symbol_address("runtime.fingStatus")
    if addr is None:
        return False
    try:
        flag = process.program.dwarf.constant("runtime.fingRunningFinalizer") if process.program.dwarf.present else None
    except DwarfError:  # damaged DWARF: the runtime's own default
        flag = None
    try:
        return bool(process.memory.u32(addr) & (flag or _FING_RUNNING_FINALIZER_DEFAULT))
    except UnreadableMemory:
        return False


def _estimate_now(process: GoProcess) -> int:
    """The monotonic clock at the time of the dump, from below: the newest timestamp the runtime kept."""
    candidates = [g.waitsince for g in process.goroutines if g.waitsince > 0]
    sched = process.program.symbol_address("runtime.sched")
    offset = process.layouts.offset("runtime.schedt", "lastpoll")
    if sched is not None and offset is not None:
        with contextlib.suppress(UnreadableMemory):
            candidates.append(process.memory.u64(sched + offset))
    return max(candidates, default=0)
