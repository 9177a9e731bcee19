"""OS threads of the core matched to the runtime's Ms: by `m.procid` (the thread's LWP id), else
by the stack the thread's stack pointer is on."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..debuggee.api import Memory, Thread, UnreadableMemory
from ..program.program import Program
from .goroutines import GoroutineReader
from .layouts import RuntimeLayouts

MAX_MS = 100_000

_M_FIELDS = (
    ("g0", "g0", "Q"),
    ("procid", "procid", "Q"),
    ("gsignal", "gsignal", "Q"),
    ("curg", "curg", "Q"),
    ("caughtsig", "caughtsig", "Q"),
    ("id", "id", "q"),
    ("throwing", "throwing", "i"),
    ("dying", "dying", "I"),
    ("alllink", "alllink", "Q"),
    ("lockedg", "lockedg", "Q"),
    ("morebuf_sp", "morebuf.sp", "Q"),
    ("morebuf_pc", "morebuf.pc", "Q"),
    ("vdso_sp", "vdsoSP", "Q"),
    ("vdso_pc", "vdsoPC", "Q"),
    ("incgo", "incgo", "B"),
)


@dataclass(slots=True)
class MachineThread:
    """One runtime.m: the goroutines it runs and the state it died in."""

    addr: int
    id: int = -1
    procid: int = 0
    g0: int = 0
    gsignal: int = 0
    curg: int = 0
    caughtsig: int = 0
    throwing: int = 0
    dying: int = 0
    alllink: int = 0
    lockedg: int = 0
    morebuf_sp: int = 0
    morebuf_pc: int = 0
    vdso_sp: int = 0
    vdso_pc: int = 0
    incgo: int = 0
    lwp: int = 0  # the OS thread found running this M (0: none)


def read_machines(memory: Memory, program: Program, layouts: RuntimeLayouts) -> tuple[list[MachineThread], list[str]]:
    """Every M on the runtime.allm list (bounded, cycle-safe), and warnings."""
    warnings: list[str] = []
    head_addr = program.symbol_address("runtime.allm")
    if head_addr is None:
        return [], ["runtime.allm cannot be found (no symbol table): threads are not matched to goroutines"]
    fields = [(layouts.offset("runtime.m", path), attr, fmt) for attr, path, fmt in _M_FIELDS]
    present = sorted((off, attr, fmt) for off, attr, fmt in fields if off is not None)
    span = max(off + struct.calcsize("<" + fmt) for off, _, fmt in present)
    machines: list[MachineThread] = []
    seen: set[int] = set()
    try:
        cursor = memory.u64(head_addr)
    except UnreadableMemory as exc:
        return [], [f"cannot read runtime.allm: {exc.reason}"]
    while cursor and cursor not in seen and len(machines) < MAX_MS:
        seen.add(cursor)
        try:
            raw = memory.read(cursor, span)
        except UnreadableMemory as exc:
            warnings.append(f"the list of threads (runtime.allm) breaks at {cursor:#x}: {exc.reason}")
            break
        m = MachineThread(cursor)
        for off, attr, fmt in present:
            (value,) = struct.unpack_from("<" + fmt, raw, off)
            setattr(m, attr, value)
        machines.append(m)
        cursor = m.alllink
    return machines, warnings


def machines_by_thread(
    threads: list[Thread], machines: list[MachineThread], reader: GoroutineReader
) -> dict[int, MachineThread]:
    """LWP id → M, for the threads of the core that run an M; sets each such M's `lwp`.

    A thread matches the M whose `procid` is its LWP id. A thread can run an M that has no
    procid yet: `minit` unblocks signals before it stores the id, and a crash's SIGQUIT relay
    can land in between (seen in cgo crash cores under qemu); such threads are matched by stack."""
    by_procid = {m.procid: m for m in machines if m.procid}
    found = {t.lwp: by_procid[t.lwp] for t in threads if t.lwp in by_procid}
    claimed = {m.addr for m in found.values()}
    rest = [t for t in threads if t.lwp not in found]
    if rest:
        found.update(machines_by_stack(rest, [m for m in machines if m.addr not in claimed], reader))
    for lwp, m in found.items():
        m.lwp = lwp
    return found


def machines_by_stack(
    threads: list[Thread], machines: list[MachineThread], reader: GoroutineReader
) -> dict[int, MachineThread]:
    """LWP id → M, for each thread whose stack pointer lies on the system stack, signal stack or
    current goroutine's stack of exactly one M, when no other thread is on that M's stacks."""
    stacks: list[tuple[int, int, MachineThread]] = []
    for m in machines:
        for addr in {m.g0, m.gsignal, m.curg} - {0}:
            g = reader.read(addr)
            if g.unreadable is None and g.stack_lo < g.stack_hi:
                stacks.append((g.stack_lo, g.stack_hi, m))
    candidates: dict[int, set[int]] = {}
    by_addr = {m.addr: m for _, _, m in stacks}
    for t in threads:
        sp = t.registers.sp
        candidates[t.lwp] = {m.addr for lo, hi, m in stacks if lo <= sp < hi}
    claims: dict[int, int] = {}
    for addrs in candidates.values():
        for addr in addrs:
            claims[addr] = claims.get(addr, 0) + 1
    return {
        lwp: by_addr[addr]
        for lwp, addrs in candidates.items()
        if len(addrs) == 1 and claims[addr := next(iter(addrs))] == 1
    }
