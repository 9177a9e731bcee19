"""Telling a runtime.g from garbage.

A damaged `allgs` (a corrupt length, an array pointer into the heap) yields records that decode
but cannot be goroutines. Shown as they are, they would be plausible lies, and one that reuses a
real goroutine's id would hide it. Such records are kept as unreadable, with the reason.
"""

from __future__ import annotations

from ..program.layout_tables import STATUS_NAMES
from .goroutines import Goroutine, GoroutineReader
from .threads import MachineThread

MAX_STATUS = max(STATUS_NAMES)
G_IDLE = 0
MAX_STACK = 1 << 32  # Go's maximum stack is 1 GB on 64-bit systems
MAX_GOID = 1 << 62


def implausibility(g: Goroutine) -> str | None:
    """Why a decoded record cannot be a live runtime.g, or None if it may be one."""
    if g.status > MAX_STATUS:
        return f"status {g.status:#x} is not a goroutine status"
    if g.status == G_IDLE:
        return "status idle never appears in allgs (the runtime publishes new goroutines as dead)"
    if not 0 < g.goid < MAX_GOID:
        return f"goroutine id {g.goid} is out of range"
    if not g.stack_lo < g.stack_hi <= g.stack_lo + MAX_STACK:
        return f"[{g.stack_lo:#x}, {g.stack_hi:#x}) is not a goroutine stack"
    if g.sched_sp and not g.stack_lo <= g.sched_sp <= g.stack_hi:
        return f"its saved stack pointer {g.sched_sp:#x} lies outside its stack"
    return None


def vet(goroutines: list[Goroutine]) -> tuple[list[Goroutine], list[str]]:
    """The records with implausible ones (and later ones reusing an address or a goroutine id)
    replaced by unreadable records, and a warning for each kind of damage found."""
    result: list[Goroutine] = []
    seen_addrs: set[int] = set()
    seen_ids: set[int] = set()
    garbage: list[Goroutine] = []
    repeated = 0
    for g in goroutines:
        if g.addr in seen_addrs:
            repeated += 1
            continue
        seen_addrs.add(g.addr)
        if g.unreadable is not None:
            result.append(g)
            continue
        reason = implausibility(g)
        if reason is None and g.goid in seen_ids:
            reason = f"goroutine id {g.goid} is already used by another record"
        if reason is not None:
            bad = Goroutine(g.addr, unreadable=f"not a goroutine: {reason}")
            garbage.append(bad)
            result.append(bad)
            continue
        seen_ids.add(g.goid)
        result.append(g)
    warnings = []
    if garbage:
        warnings.append(
            f"{len(garbage)} entr{'y' if len(garbage) == 1 else 'ies'} of runtime.allgs point at records that are "
            f"not goroutines (first at {garbage[0].addr:#x}: {garbage[0].unreadable}); the goroutine list is damaged"
        )
    if repeated:
        warnings.append(f"runtime.allgs lists {repeated} goroutine record(s) more than once")
    return result, warnings


def missing_from_threads(
    goroutines: list[Goroutine], machines: list[MachineThread], reader: GoroutineReader
) -> tuple[list[Goroutine], list[str]]:
    """Goroutines that threads run (or are locked to) but a damaged or unreadable allgs left out,
    read through runtime.allm; with a warning when there are any."""
    known_addrs = {g.addr for g in goroutines}
    known_ids = {g.goid for g in goroutines if g.unreadable is None}
    found: list[Goroutine] = []
    for m in machines:
        for addr in (m.curg, m.lockedg):
            if not addr or addr in known_addrs:
                continue
            known_addrs.add(addr)
            g = reader.read(addr)
            if g.unreadable is not None or g.is_dead or implausibility(g) is not None or g.goid in known_ids:
                continue
            known_ids.add(g.goid)
            found.append(g)
    if not found:
        return [], []
    ids = ", ".join(str(g.goid) for g in found[:8]) + (", ..." if len(found) > 8 else "")
    return found, [
        f"{len(found)} goroutine(s) missing from runtime.allgs were found through the threads "
        f"(goroutine {ids}); other goroutines may be missing too"
    ]
