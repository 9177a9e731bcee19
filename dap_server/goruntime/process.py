"""The Go process in a core: program + memory + runtime structures, assembled once per session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..debuggee.core import CoreFile
from ..debuggee.memory import Memory
from ..debuggee.notes import ThreadNote
from ..program.program import Program
from .frames import Frame
from .goroutines import Goroutine, GoroutineReader, StatusNames
from .layouts import RuntimeLayouts
from .sanity import missing_from_threads, vet
from .stripped import recover_runtime_symbols
from .threads import MachineThread, machines_by_thread, read_machines
from .unwind import Unwinder


@dataclass
class GoProcess:
    """Everything the runtime view needs, built from one core and its executable."""

    core: CoreFile
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
    _by_goid: dict[int, Goroutine] = field(default_factory=dict)
    _frames: dict[int, list[Frame]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, core: CoreFile, program: Program, memory: Memory, progress: Callable[[int, int], None] | None = None
    ) -> GoProcess:
        layouts = RuntimeLayouts(program)
        stripped_notes = recover_runtime_symbols(memory, program, layouts, core.threads)
        reader = GoroutineReader(memory, program, layouts)
        gset = reader.read_all(progress)
        goroutines, vet_warnings = vet(gset.goroutines)
        machines, m_warnings = read_machines(memory, program, layouts)
        rescued, rescue_warnings = missing_from_threads(goroutines, machines, reader)
        goroutines += rescued
        unwinder = Unwinder(memory, program, reader, machines, core.threads, core.file_mappings)
        process = cls(
            core=core,
            program=program,
            memory=memory,
            layouts=layouts,
            reader=reader,
            goroutines=goroutines,
            machines=machines,
            thread_machines=machines_by_thread(core.threads, machines),
            unwinder=unwinder,
            names=StatusNames(memory, program),
            warnings=stripped_notes + gset.warnings + vet_warnings + m_warnings + rescue_warnings,
        )
        process._by_goid = {g.goid: g for g in goroutines if g.unreadable is None}
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

    def goroutine_on_thread(self, thread: ThreadNote) -> Goroutine | None:
        m = self.thread_machines.get(thread.lwp)
        if m is None or not m.curg:
            return None
        g = self.reader.read(m.curg)
        return self._by_goid.get(g.goid) if g.unreadable is None else None
