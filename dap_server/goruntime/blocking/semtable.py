"""Goroutines parked on semaphores (sync.Mutex, RWMutex, WaitGroup, semacquire), from runtime.semtable.

`semtable` is 251 `semaRoot`s, each a treap of sudogs keyed by semaphore address (`sudog.elem`;
children in `prev`/`next`), with later waiters on the same address chained by `waitlink`. Go
records the semaphore in `g.waiting` only from 1.26, so the table is read for every release; it
holds only waiters, so reading it costs what the waiters number, never a heap walk.
"""

from __future__ import annotations

from ...debuggee.api import Memory, UnreadableMemory
from ...program.program import Program
from ..layouts import RuntimeLayouts
from .sudogs import MAX_SUDOGS, SudogReader

SEM_TAB_SIZE = 251


def semaphore_waiters(
    memory: Memory, program: Program, layouts: RuntimeLayouts, sudogs: SudogReader
) -> dict[int, int] | None:
    """g address → address of the semaphore it waits on, for every goroutine in the table; None
    when the table cannot be found (a binary without a symbol table)."""
    symbol = program.symbol("runtime.semtable")
    base = program.symbol_address("runtime.semtable")
    treap = layouts.offset("runtime.semaRoot", "treap")
    if symbol is None or base is None or treap is None:
        return None
    entry = symbol.size // SEM_TAB_SIZE if symbol.size else 64  # a root padded to a cache line
    found: dict[int, int] = {}
    seen: set[int] = set()
    for i in range(SEM_TAB_SIZE):
        try:
            root = memory.u64(base + i * entry + treap)
        except UnreadableMemory:
            continue
        pending = [root] if root else []
        while pending and len(seen) < MAX_SUDOGS:
            node = pending.pop()
            if node in seen:
                continue
            seen.add(node)
            try:
                sudog = sudogs.read(node)
            except UnreadableMemory:
                continue
            for waiter in sudogs.chain(node, "waitlink"):
                if waiter.g:
                    found[waiter.g] = sudog.elem
            pending.extend(child for child in (sudog.prev, sudog.next) if child)
    return found
