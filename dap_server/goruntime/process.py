"""The Go process at one stop: the debuggee's memory and threads read with the binary's facts.

Everything here is per-stop state: when the process runs again the session drops this object
(and all that is attached to it) and loads a new one on the same `GoBinary`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..debuggee.api import Debuggee, Memory, Thread
from ..program.program import Program
from .attachments import Attachments
from .binary import GoBinary
from .frames import Frame
from .goroutines import Goroutine, GoroutineReader, StatusNames
from .layouts import RuntimeLayouts
from .sanity import missing_from_threads, vet
from .threads import MachineThread, machines_by_thread, read_machines
from .unwind import Unwinder


@dataclass
class GoProcess:
    """Everything the runtime view needs at one stop of the debuggee."""

    debuggee: Debuggee
    binary: GoBinary
    program: Program
    memory: Memory
    layouts: RuntimeLayouts
    reader: GoroutineReader
    goroutines: list[Goroutine]
    machines: list[MachineThread]
    thread_machines: dict[int, MachineThread]
    unwinder: Unwinder
    names: StatusNames
    warnings: list[str] = field(default_factory=list)
    attached: Attachments = field(default_factory=Attachments)
    _by_goid: dict[int, Goroutine] = field(default_factory=dict)
    _frames: dict[int, list[Frame]] = field(default_factory=dict)
    _chains: dict[int, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        debuggee: Debuggee,
        binary: GoBinary,
        memory: Memory,
        progress: Callable[[int, int], None] | None = None,
    ) -> GoProcess:
        program, layouts = binary.program, binary.layouts
        threads = list(debuggee.threads)
        stripped_notes = binary.recover_symbols(memory, threads)
        reader = GoroutineReader(memory, program, layouts)
        gset = reader.read_all(progress, _decode_in_bulk)
        goroutines, vet_warnings = (gset.goroutines, []) if gset.sound else vet(gset.goroutines)
        machines, m_warnings = read_machines(memory, program, layouts)
        rescued, rescue_warnings = missing_from_threads(goroutines, machines, reader)
        goroutines += rescued
        thread_machines = machines_by_thread(threads, machines, reader)
        unwinder = Unwinder(binary.unwind_facts, memory, program, reader, machines, threads, debuggee.mappings)
        process = cls(
            debuggee=debuggee,
            binary=binary,
            program=program,
            memory=memory,
            layouts=layouts,
            reader=reader,
            goroutines=goroutines,
            machines=machines,
            thread_machines=thread_machines,
            unwinder=unwinder,
            names=StatusNames(memory, program),
            warnings=stripped_notes + gset.warnings + vet_warnings + m_warnings + rescue_warnings,
        )
        readable = [g for g in goroutines if g.unreadable is None]
        process._by_goid = dict(zip([g.goid for g in readable], readable, strict=True))
        if layouts.dwarf_damage is not None:
            process.warnings.insert(0, f"{layouts.dwarf_damage}; runtime structures are read with {layouts.source}")
        return process

    def goroutine(self, goid: int) -> Goroutine | None:
        return self._by_goid.get(goid)

    def frames(self, g: Goroutine) -> list[Frame]:
        cached = self._frames.get(g.addr)
        if cached is None:
            cached = self.unwinder.goroutine_frames(g)
            self._frames[g.addr] = cached
        return cached

    def pc_chains(self, goroutines: list[Goroutine]) -> list[tuple[int, ...]]:
        """The physical pcs of each goroutine's stack (for grouping identical stacks)."""
        chains, walk = self._chains, self.unwinder.pc_chain
        return [chain if (chain := chains.get(g.addr)) is not None else walk(g) for g in goroutines]

    def remembered_chains(self, goroutines: list[Goroutine]) -> list[tuple[int, ...] | None]:
        """`pc_chain` of each goroutine that a bulk walk found already (None: not walked, or not by it)."""
        chains = self._chains
        return [chains.get(g.addr) for g in goroutines]

    def remember_chains(self, goroutines: list[Goroutine], chains: list[tuple[int, ...] | None]) -> None:
        """Keep the pc chains a bulk walk found (None: not found there) for `pc_chain`."""
        self._chains.update((g.addr, chain) for g, chain in zip(goroutines, chains, strict=True) if chain is not None)

    def goroutine_on_thread(self, thread: Thread) -> Goroutine | None:
        m = self.thread_machines.get(thread.lwp)
        if m is None or not m.curg:
            return None
        g = self.reader.read(m.curg)
        return self._by_goid.get(g.goid) if g.unreadable is None else None


def _decode_in_bulk(reader: GoroutineReader, addresses: list[int]) -> tuple[list[Goroutine], bool]:
    from .gtable import decode_all  # numpy, imported only for a core with many goroutines

    return decode_all(reader, addresses)
