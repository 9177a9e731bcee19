"""Every goroutine of the dumped process, decoded from `runtime.allgs` in one pass.

Each g is read with a single struct.unpack built from the binary's own field offsets, which keeps
100,000 goroutines at a few µs each.
"""

from __future__ import annotations

import contextlib
import operator
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..debuggee.api import Memory, UnreadableMemory
from ..program.layout_tables import STATUS_NAMES
from ..program.program import Program
from .bulk import gc_paused
from .layouts import LayoutError, RuntimeLayouts
from .strings_table import read_string_table

G_SCAN = 0x1000
G_RUNNING = 2
G_SYSCALL = 3
G_WAITING = 4
G_DEAD = 6
G_LEAKED = 10
G_DEAD_EXTRA = 11
DEAD_STATUSES = frozenset({G_DEAD, G_DEAD_EXTRA})
MAX_GOROUTINES = 5_000_000  # ~2 GB of Python objects; no real Go process comes near (each has a stack)
# From this many records on, allgs is decoded and stacks are walked with numpy (gtable.py,
# bulkwalk.py); below, importing numpy (~110 ms CPU) costs more than it saves (~9 µs a goroutine
# listed, ~14 µs grouped: measured even at 10,005 goroutines). GODAP_BULK_GOROUTINES moves the
# threshold (the tests set 1 to drive the bulk path on small cores).
_BULK_SETTING = os.environ.get("GODAP_BULK_GOROUTINES", "").strip()
BULK_GOROUTINES = int(_BULK_SETTING) if _BULK_SETTING.isdigit() else 10_000

# (attribute, struct path in runtime.g, struct format char); optional fields may be absent.
_G_FIELDS: list[tuple[str, str, str, bool]] = [
    ("stack_lo", "stack.lo", "Q", True),
    ("stack_hi", "stack.hi", "Q", True),
    ("panic", "_panic", "Q", True),
    ("defer", "_defer", "Q", True),
    ("m", "m", "Q", True),
    ("sched_sp", "sched.sp", "Q", True),
    ("sched_pc", "sched.pc", "Q", True),
    ("sched_bp", "sched.bp", "Q", True),
    ("sched_lr", "sched.lr", "Q", False),
    ("sched_ctxt", "sched.ctxt", "Q", False),
    ("syscallsp", "syscallsp", "Q", True),
    ("syscallpc", "syscallpc", "Q", True),
    ("syscallbp", "syscallbp", "Q", False),
    ("status", "atomicstatus", "I", True),
    ("goid", "goid", "Q", True),
    ("waitsince", "waitsince", "q", False),
    ("waitreason", "waitreason", "B", True),
    ("lockedm", "lockedm", "Q", False),
    ("sig", "sig", "I", False),
    ("sigcode0", "sigcode0", "Q", False),
    ("sigcode1", "sigcode1", "Q", False),
    ("sigpc", "sigpc", "Q", False),
    ("parent_goid", "parentGoid", "Q", False),
    ("gopc", "gopc", "Q", True),
    ("startpc", "startpc", "Q", True),
    ("waiting", "waiting", "Q", False),
    ("labels", "labels", "Q", False),
    ("running_cleanups", "runningCleanups", "B", False),
]
_SIZES = {"Q": 8, "q": 8, "I": 4, "B": 1}


class Goroutine(NamedTuple):
    """One runtime.g as the core holds it. A tuple: 100,000 of them are built at launch."""

    addr: int
    goid: int = 0
    status: int = 0  # atomicstatus without the GC's scan bit
    waitreason: int = 0
    waitsince: int = 0
    stack_lo: int = 0
    stack_hi: int = 0
    panic: int = 0
    defer: int = 0
    m: int = 0
    sched_sp: int = 0
    sched_pc: int = 0
    sched_bp: int = 0
    sched_lr: int = 0  # the link register saved with the context (arm64; 0 on amd64)
    sched_ctxt: int = 0
    syscallsp: int = 0
    syscallpc: int = 0
    syscallbp: int = 0
    lockedm: int = 0
    sig: int = 0
    sigcode0: int = 0
    sigcode1: int = 0
    sigpc: int = 0
    parent_goid: int = 0
    gopc: int = 0
    startpc: int = 0
    waiting: int = 0
    labels: int = 0
    running_cleanups: int = 0
    unreadable: str | None = None

    @property
    def is_dead(self) -> bool:
        return self.status in DEAD_STATUSES

    @property
    def locked_to_thread(self) -> bool:
        return self.lockedm != 0


@dataclass
class GoroutineSet:
    """The result of reading allgs: live goroutines in allgs order, and what went wrong."""

    goroutines: list[Goroutine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sound: bool = False  # every record is known plausible and unique: `sanity.vet` has nothing to do


class GoroutineReader:
    """Decodes runtime.g records with one precompiled struct per binary.

    The struct reads the fields this binary has, in offset order, straight from the mmapped core;
    an itemgetter puts them (and zeros for fields the release lacks) in Goroutine's order.
    """

    def __init__(self, memory: Memory, program: Program, layouts: RuntimeLayouts) -> None:
        self._memory = memory
        self._program = program
        placed: list[tuple[int, str, str]] = []
        for attr, path, fmt, required in _G_FIELDS:
            off = layouts.offset("runtime.g", path)
            if off is None:
                if required:
                    raise LayoutError(f"runtime.g has no field {path} ({layouts.source})")
                continue
            placed.append((off, attr, fmt))
        placed.sort()
        fmt_parts = ["<"]
        cursor = 0
        order: list[str] = []
        self._placed: list[tuple[int, str, str]] = []
        for off, attr, fmt in placed:
            if off < cursor:
                continue
            if off > cursor:
                fmt_parts.append(f"{off - cursor}x")
            fmt_parts.append(fmt)
            cursor = off + _SIZES[fmt]
            order.append(attr)
            self._placed.append((off, attr, fmt))
        self._span = cursor
        self._struct = struct.Struct("".join(fmt_parts))
        fields = Goroutine._fields[1:-1]
        self._zeros = (0,) * len(fields)
        self._pick = operator.itemgetter(
            *[order.index(name) if name in order else len(order) + i for i, name in enumerate(fields)]
        )

    def read(self, addr: int) -> Goroutine:
        try:
            values = self._memory.unpack(self._struct, addr)
        except UnreadableMemory as exc:
            return Goroutine(addr, unreadable=exc.reason)
        g = tuple.__new__(Goroutine, (addr, *self._pick(values + self._zeros), None))
        return g._replace(status=g.status & ~G_SCAN) if g.status & G_SCAN else g

    @property
    def memory(self) -> Memory:
        return self._memory

    @property
    def placed(self) -> list[tuple[int, str, str]]:
        """(offset, Goroutine attribute, struct format char) of each field read, in offset order."""
        return self._placed

    @property
    def span(self) -> int:
        """How many bytes of a record the fields cover."""
        return self._span

    def read_all(
        self, progress: Callable[[int, int], None] | None = None, bulk: BulkDecoder | None = None
    ) -> GoroutineSet:
        """Every live goroutine of allgs; `bulk` decodes them all at once on a big core."""
        result = GoroutineSet()
        addresses = self._allgs(result)
        with gc_paused():
            if bulk is not None and len(addresses) >= BULK_GOROUTINES:
                result.goroutines, result.sound = bulk(self, addresses)
            else:
                result.goroutines = self._read_each(addresses, progress)
        unreadable = [g for g in result.goroutines if g.unreadable is not None]
        if unreadable:
            result.warnings.append(
                f"{len(unreadable)} goroutine record(s) cannot be read (first at {unreadable[0].addr:#x}: "
                f"{unreadable[0].unreadable})"
            )
        return result

    def _read_each(self, addresses: list[int], progress: Callable[[int, int], None] | None) -> list[Goroutine]:
        found: list[Goroutine] = []
        for i, addr in enumerate(addresses):
            g = self.read(addr)
            if g.unreadable is None and g.is_dead:
                continue
            found.append(g)
            if progress is not None and i % 4096 == 4095:
                progress(i + 1, len(addresses))
        return found

    def _allgs(self, result: GoroutineSet) -> list[int]:
        program = self._program
        allgs = program.symbol_address("runtime.allgs")
        if allgs is None:
            result.warnings.append(
                "the executable has no symbol table (stripped): runtime.allgs cannot be found, "
                "so only goroutines running on threads are shown"
            )
            return []
        try:
            array, length, capacity = struct.unpack("<QQQ", self._memory.read(allgs, 24))
        except UnreadableMemory as exc:
            result.warnings.append(f"cannot read runtime.allgs: {exc.reason}")
            return []
        allglen_addr = program.symbol_address("runtime.allglen")
        count = length
        if allglen_addr is not None:
            with contextlib.suppress(UnreadableMemory):
                count = min(length, self._memory.u64(allglen_addr))
        if count > capacity or count > MAX_GOROUTINES:
            bounded = min(capacity, MAX_GOROUTINES)
            result.warnings.append(f"runtime.allgs claims {count} goroutines (cap {capacity}); reading {bounded}")
            count = bounded
        addresses: list[int] = []
        chunk = 65536
        read = 0
        for start in range(0, count, chunk):
            n = min(chunk, count - start)
            try:
                raw = self._memory.read(array + 8 * start, 8 * n)
            except UnreadableMemory as exc:
                result.warnings.append(f"the goroutine list is cut short at entry {start} of {count}: {exc.reason}")
                break
            addresses.extend(filter(None, memoryview(raw).cast("Q").tolist()))
            read += n
        if len(addresses) < read:  # the runtime never stores nil in allgs
            result.warnings.append(
                f"{read - len(addresses)} of {read} entries of runtime.allgs are nil: the goroutine list is damaged"
            )
        return addresses


# Decodes the records at the addresses given, all at once: (live goroutines, known sound).
BulkDecoder = Callable[[GoroutineReader, list[int]], tuple[list[Goroutine], bool]]


class StatusNames:
    """How Go prints a goroutine's state: wait reasons and status names from the binary's tables."""

    def __init__(self, memory: Memory, program: Program) -> None:
        self.wait_reasons = read_string_table(memory, program, "runtime.waitReasonStrings") or []
        statuses = read_string_table(memory, program, "runtime.gStatusStrings")
        self.statuses = dict(enumerate(statuses)) if statuses else dict(STATUS_NAMES)

    def status(self, g: Goroutine) -> str:
        name = self.statuses.get(g.status) or STATUS_NAMES.get(g.status) or f"status {g.status}"
        return name

    def wait_reason(self, g: Goroutine) -> str:
        if g.waitreason == 0:
            return ""
        if g.waitreason < len(self.wait_reasons) and self.wait_reasons[g.waitreason]:
            return self.wait_reasons[g.waitreason]
        return f"wait reason {g.waitreason}"

    def state(self, g: Goroutine) -> str:
        """The word Go prints in `goroutine N [state]:` (wait reason for waiting goroutines)."""
        if g.status in (G_WAITING, G_LEAKED) and g.waitreason != 0:
            return self.wait_reason(g)
        return self.status(g)
