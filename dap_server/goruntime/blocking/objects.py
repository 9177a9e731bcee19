"""The state of a wait object, read from its own memory: a channel's length, capacity, element type,
closed flag and wait queues; a mutex's lock bits and waiter count; a WaitGroup's counter."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...debuggee.api import UnreadableMemory
from ..layouts import RuntimeLayouts
from ..process import GoProcess
from .records import CHAN, COND, MUTEX, RECEIVE, RWMUTEX, SEND, WAITGROUP, WaitObject
from .sudogs import SudogReader

HCHAN = "runtime.hchan"
_MUTEX_LOCKED, _MUTEX_WOKEN, _MUTEX_STARVING, _MUTEX_WAITER_SHIFT = 1, 2, 4, 3
_WAITGROUP_WAITERS = 0x7FFF_FFFF  # Go 1.25+ keeps a synctest flag in bit 31 of the low word


class LayoutUnknown(Exception):
    """Neither DWARF nor the layout tables give a field of the object's struct."""


@dataclass(slots=True)
class ObjectState:
    """What the object's memory says; `facts` are (name, value) rows in display order."""

    obj: WaitObject
    facts: list[tuple[str, str]] = field(default_factory=list)
    queued: dict[int, str] = field(default_factory=dict)  # channels: sudog address → RECEIVE or SEND
    queue_goroutines: dict[str, list[int]] = field(default_factory=dict)  # direction → g addresses
    locked: bool | None = None
    timer: bool = False  # a channel of a time.Timer/Ticker: the runtime sends to it
    unreadable: str | None = None

    @property
    def summary(self) -> str:
        if self.unreadable is not None:
            return f"{self.obj.label} (unreadable: {self.unreadable})"
        return f"{self.obj.label} " + ", ".join(f"{k} {v}" for k, v in self.facts if k != "address")


class ObjectReader:
    """Reads wait objects of one stop; each object is read once."""

    def __init__(self, process: GoProcess, sudogs: SudogReader) -> None:
        self._process = process
        self._sudogs = sudogs
        self._states: dict[WaitObject, ObjectState] = {}

    def state(self, obj: WaitObject) -> ObjectState:
        found = self._states.get(obj)
        if found is None:
            found = self._states[obj] = self._read(obj)
        return found

    def _read(self, obj: WaitObject) -> ObjectState:
        state = ObjectState(obj, [("address", f"{obj.address:#x}")])
        try:
            if obj.kind == CHAN:
                self._channel(state)
            elif obj.kind == MUTEX:
                self._mutex(state, obj.address)
            elif obj.kind == RWMUTEX:
                self._rwmutex(state)
            elif obj.kind == WAITGROUP:
                self._waitgroup(state)
            elif obj.kind == COND:
                self._cond(state)
        except UnreadableMemory as exc:
            state.unreadable = exc.reason
        except LayoutUnknown as exc:
            state.unreadable = str(exc)
        return state

    def _offset(self, struct: str, *paths: str) -> int:
        layouts = self._process.layouts
        for path in paths:
            off = layouts.offset(struct, path)
            if off is not None:
                return off
        raise LayoutUnknown(f"the layout of {struct} is not known ({layouts.source})")

    def _channel(self, state: ObjectState) -> None:
        memory, h = self._process.memory, state.obj.address
        qcount = memory.u64(h + self._offset(HCHAN, "qcount"))
        size = memory.u64(h + self._offset(HCHAN, "dataqsiz"))
        closed = memory.u32(h + self._offset(HCHAN, "closed")) != 0
        elem = memory.u64(h + self._offset(HCHAN, "elemtype"))
        timer_off = self._process.layouts.offset(HCHAN, "timer")  # Go 1.23+
        state.timer = timer_off is not None and memory.u64(h + timer_off) != 0
        state.facts += [
            ("element type", self._type_name(elem)),
            ("len", str(qcount)),
            ("cap", str(size)),
            ("closed", "true" if closed else "false"),
        ]
        if state.timer:
            state.facts.append(("timer", "a time.Timer's channel: the runtime sends to it"))
        for direction, queue in ((RECEIVE, "recvq"), (SEND, "sendq")):
            first = memory.u64(h + self._offset(HCHAN, f"{queue}.first"))
            chain = self._sudogs.chain(first)
            state.queue_goroutines[direction] = [s.g for s in chain]
            for sudog in chain:
                state.queued[sudog.addr] = direction

    def _type_name(self, addr: int) -> str:
        from ..variables import context_for  # the values engine loads only when a channel is shown

        if not addr:
            return "?"
        try:
            return context_for(self._process).rtypes.qualified_name(addr)
        except Exception as exc:  # a damaged descriptor names no type; the channel is still shown
            return f"? ({exc})"

    def _mutex(self, state: ObjectState, addr: int) -> None:
        off = mutex_field(self._process.layouts, "state")
        if off is None:
            raise LayoutUnknown(f"the layout of sync.Mutex is not known ({self._process.layouts.source})")
        word = self._process.memory.u32(addr + off)
        state.locked = bool(word & _MUTEX_LOCKED)
        flags = [name for bit, name in ((_MUTEX_WOKEN, "woken"), (_MUTEX_STARVING, "starving")) if word & bit]
        state.facts += [
            ("state", f"{word:#x} ({'locked' if state.locked else 'unlocked'}{''.join(', ' + f for f in flags)})"),
            ("waiters counted", str(word >> _MUTEX_WAITER_SHIFT)),
        ]

    def _rwmutex(self, state: ObjectState) -> None:
        addr, memory = state.obj.address, self._process.memory
        readers = _int32(memory.u32(addr + self._offset("sync.RWMutex", "readerCount")))
        departing = _int32(memory.u32(addr + self._offset("sync.RWMutex", "readerWait")))
        writer = self._offset("sync.RWMutex", "w")
        self._mutex(state, addr + writer)
        state.facts[1] = ("writer lock", state.facts[1][1])
        pending = readers < 0  # a writer subtracts rwmutexMaxReaders while it waits or holds the lock
        state.facts += [
            ("readers", str(readers + (1 << 30) if pending else readers)),
            ("writer pending or holding", "true" if pending else "false"),
            ("departing readers", str(departing)),
        ]

    def _cond(self, state: ObjectState) -> None:
        base = state.obj.address + self._offset("sync.Cond", "notify")
        wait = self._process.memory.u32(base + self._offset("runtime.notifyList", "wait"))
        notified = self._process.memory.u32(base + self._offset("runtime.notifyList", "notify"))
        state.facts += [("tickets waiting", str((wait - notified) & 0xFFFF_FFFF))]

    def _waitgroup(self, state: ObjectState) -> None:
        word = self._process.memory.u64(state.obj.address + self._offset("sync.WaitGroup", "state"))
        state.facts += [("counter", str(_int32(word >> 32))), ("waiters", str(word & _WAITGROUP_WAITERS))]


def mutex_field(layouts: RuntimeLayouts, name: str) -> int | None:
    """The offset of sync.Mutex's `state` or `sema`: its own field up to Go 1.23, its embedded
    internal/sync.Mutex's from 1.24."""
    direct = layouts.offset("sync.Mutex", name)
    if direct is not None:
        return direct
    outer, inner = layouts.offset("sync.Mutex", "mu"), layouts.offset("internal/sync.Mutex", name)
    return None if outer is None or inner is None else outer + inner


def _int32(value: int) -> int:
    value &= 0xFFFF_FFFF
    return value - (1 << 32) if value & 0x8000_0000 else value
