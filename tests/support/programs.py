"""What the fixture programs (tests/fixtures/programs) do, as data tests can compare with.

Each program prints, before ``READY``, one ``G <goid> <name>`` line per
goroutine of its set-up (``many`` prints ``KINDS chan=.. sleep=.. mutex=..``).
The tables below say, for each name, the function the goroutine waits in and
the wait reason Go prints for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .toolchains import Release

ZOO, MANY, CGOZOO = "zoo", "many", "cgozoo"

# zoo scenario -> how it dies (after the common set-up).
ZOO_SCENARIOS = {
    "blocked": "waits for a signal; with the argument 'panic' panics in main.dieBlocked",
    "abort": "main spins in main.busyLoop until a signal arrives",
    "nilderef": "SIGSEGV: nil *Plain dereferenced in main.derefPlain",
    "index": "index out of range [5] with length 3 in main.elementAt",
    "panicerr": "panic(fmt.Errorf('wrapped: %w', errors.New('boom')))",
    "panicstruct": "panic(PanicStruct{Code: 7, Reason: 'custom struct'})",
    "gopanic": "panic in goroutine main.panicInGoroutine while main waits",
    "nested": "panic, then a deferred call panics again",
    "repanic": "panic recovered in a deferred call, which panics with a new value",
    "repanicsame": "panic recovered and re-panicked with the same value",
    "mapwrites": "fatal error: concurrent map writes (two main.writeMap goroutines)",
    "recursion": "panic at the bottom of 10000 main.deepPanic frames",
    "deadlock": "fatal error: all goroutines are asleep - deadlock! (reduced set-up)",
    "goexit": "runtime.Goexit in main, then deadlock (reduced set-up)",
}
# Scenarios that need a signal from outside to die.
ZOO_SIGNALLED = frozenset({"blocked", "abort"})
# Scenarios whose set-up leaves out timers, netpoll and syscalls (see Blocked.full_only).
ZOO_REDUCED = frozenset({"deadlock", "goexit"})

ZOO_RECURSION_DEPTH = 50  # extra main.recurse frames of the "recurse" goroutine
ZOO_DEEP_RECURSION = 10000  # main.deepPanic frames of the recursion scenario
ZOO_PANIC_MESSAGE = "zoo: panic in main after set-up"


@dataclass(frozen=True)
class Blocked:
    name: str  # as in the manifest
    function: str  # the main.* function the goroutine waits in
    wait_reason: str  # as Go 1.24+ prints it
    locked_to_thread: bool = False
    full_only: bool = False  # absent from the reduced set-up

    def wait_reason_for(self, release: Release) -> str:
        if self.wait_reason == "sync.WaitGroup.Wait" and not release.at_least(1, 24):
            return "semacquire"
        return self.wait_reason


ZOO_BLOCKED = (
    Blocked("blockChanRecv", "main.blockChanRecv", "chan receive"),
    Blocked("blockChanSend", "main.blockChanSend", "chan send"),
    Blocked("blockSelect", "main.blockSelect", "select"),
    Blocked("blockSelectNoCases", "main.blockSelectNoCases", "select (no cases)"),
    Blocked("blockNilChan", "main.blockNilChan", "chan receive (nil chan)"),
    Blocked("blockMutex", "main.blockMutex", "sync.Mutex.Lock"),
    Blocked("blockRWMutexRLock", "main.blockRWMutexRLock", "sync.RWMutex.RLock"),
    Blocked("blockRWMutexLock", "main.blockRWMutexLock", "sync.RWMutex.Lock"),
    Blocked("blockCond", "main.blockCond", "sync.Cond.Wait"),
    Blocked("blockWaitGroup", "main.blockWaitGroup", "sync.WaitGroup.Wait"),
    Blocked("blockLocked", "main.blockLocked", "chan receive", locked_to_thread=True),
    Blocked("recurse", "main.recurse", "chan receive"),
    Blocked("blockInlined", "main.blockInlined", "chan receive"),
    Blocked("labeledWait", "main.labeledWait", "chan receive"),
    Blocked("blockClosure", "main.blockClosure", "chan receive"),
    Blocked("closure", "main.blockClosure.func1", "chan receive"),
    Blocked("refreshOnNotification", "main.refreshOnNotification", "select"),
    Blocked("generic", "main.blockGeneric[...]", "chan receive"),
    Blocked("blockSleep", "main.blockSleep", "sleep", full_only=True),
    Blocked("blockSyscall", "main.blockSyscall", "syscall", full_only=True),
    Blocked("blockNetpoll", "main.blockNetpoll", "IO wait", full_only=True),
)

CGOZOO_SCENARIOS = {
    "blocked": "waits for a signal; with the argument 'panic' panics in main.main",
    "ccrash": "SIGSEGV from a NULL write in C (c_null_write)",
    "cbpanic": "panic in Go (goPanicInCallback) called from C",
}
CGOZOO_BLOCKED = (
    Blocked("blockInC", "main.blockInC", "syscall"),
    Blocked("goBlockInCallback", "main.goBlockInCallback", "chan receive", locked_to_thread=True),
    Blocked("blockGo", "main.blockGo", "chan receive"),
)

# many: function -> wait reason; goroutine i runs the (i % 3)-th.
MANY_BLOCKED = (
    Blocked("chan", "main.waitChan", "chan receive"),
    Blocked("sleep", "main.waitSleep", "sleep"),
    Blocked("mutex", "main.waitMutex", "sync.Mutex.Lock"),
)

_MANIFEST = re.compile(r"^G (?P<id>\d+) (?P<name>\S+)$", re.MULTILINE)
_KINDS = re.compile(r"^KINDS (?P<kinds>.*)$", re.MULTILINE)


def parse_manifest(stdout: str) -> dict[int, str]:
    """goroutine id -> name, from the ``G <goid> <name>`` lines."""
    return {int(m["id"]): m["name"] for m in _MANIFEST.finditer(stdout)}


def parse_many_kinds(stdout: str) -> dict[str, int]:
    """``KINDS chan=1 sleep=1 mutex=1`` -> {"chan": 1, "sleep": 1, "mutex": 1}."""
    match = _KINDS.search(stdout)
    if match is None:
        raise ValueError("no KINDS line in the output of many")
    return {key: int(value) for key, value in (item.split("=") for item in match["kinds"].split())}
