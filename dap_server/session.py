"""One debugging session: a core, its executable and the Go runtime view on them. No DAP types.

The adapter turns DAP requests into calls on this class; `godap report` uses it the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from .binfmt.elf import Buffer
from .debuggee.core import CoreFile, open_core
from .debuggee.errors import DebuggeeError, UnreadableMemory
from .goruntime.bulk import gc_paused
from .goruntime.describe import Describer, GoroutineSummary
from .goruntime.filters import FilterError, matches_all, parse_filters
from .goruntime.frames import Frame
from .goruntime.goroutines import Goroutine
from .goruntime.grouping import GoroutineGroup, group_goroutines
from .goruntime.layouts import LayoutError
from .goruntime.process import GoProcess
from .program.errors import ProgramError
from .program.program import Program
from .sources import PathRule, SourceMap

Progress = Callable[[str, int, int], None]
SOURCE_SUFFIXES = (".go", ".s", ".c", ".h")  # what the Go toolchain compiles: all a binary may name to us
MAX_SOURCE_BYTES = 32 << 20


class SessionError(Exception):
    """The session cannot start; the message is meant for the user as is."""


@dataclass
class SessionOptions:
    program: str
    core: str
    substitute_path: list[PathRule] = field(default_factory=list)
    hide_system_goroutines: bool = False
    goroutine_filters: list[str] = field(default_factory=list)
    group_goroutines: bool = False
    show_global_variables: bool = True
    show_registers: bool = False
    stack_trace_depth: int = 50


@dataclass(slots=True)
class GoroutineView:
    """One entry of the thread list: a goroutine, or a group of goroutines with identical stacks."""

    goroutine: Goroutine
    summary: GoroutineSummary
    group: GoroutineGroup | None = None


class Session:
    """A core opened against its executable."""

    def __init__(self, options: SessionOptions, core: CoreFile, program: Program, process: GoProcess) -> None:
        self.options = options
        self.core = core
        self.program = program
        self.process = process
        self.sources = SourceMap(options.substitute_path, program.go_version)
        self.describer = Describer(process)
        self.warnings: list[str] = list(core.warnings) + list(process.warnings)
        self._summaries: dict[int, GoroutineSummary] = {}
        self._filters = parse_filters(options.goroutine_filters)
        self._recorded: frozenset[str] | None = None

    @classmethod
    def open(cls, options: SessionOptions, progress: Progress | None = None) -> Session:
        if not options.program:
            raise SessionError('launch needs "program": the path of the executable that produced the core')
        if not options.core:
            raise SessionError('launch needs "coreFilePath": the path of the core dump')
        core = None
        program = None
        try:
            core = open_core(options.core, on_progress=_bytes_progress(progress))
            program = Program(options.program)
            if program.dwarf.present:
                program.dwarf.inflate_in_background()
            if program.image.is_pie and core.auxv_entry:
                program.set_load_bias(core.auxv_entry - program.image.entry)
            warnings = _check_match(core, program)
            memory = core.memory(_backing_files(core, program))
            process = GoProcess.load(core, program, memory, _count_progress(progress))
            try:
                session = cls(options, core, program, process)
            except FilterError as exc:
                raise SessionError(f"goroutineFilters: {exc}") from exc
            session.warnings[:0] = warnings
            return session
        except (DebuggeeError, ProgramError, LayoutError) as exc:
            _close(core, program)
            raise SessionError(str(exc)) from exc
        except BaseException:
            _close(core, program)
            raise

    def close(self) -> None:
        _close(self.core, self.program)

    @property
    def goroutines(self) -> list[Goroutine]:
        return self.process.goroutines

    def goroutine(self, goid: int) -> Goroutine | None:
        return self.process.goroutine(goid)

    def goroutine_at(self, addr: int) -> Goroutine | None:
        """The goroutine record at `addr` (how unreadable records, which have no id, are found)."""
        return next((g for g in self.process.goroutines if g.addr == addr), None)

    def summary(self, g: Goroutine) -> GoroutineSummary:
        cached = self._summaries.get(g.goid)
        if cached is None:
            cached = self.describer.summary(g)
            self._summaries[g.goid] = cached
        return cached

    def set_goroutine_options(
        self, *, filters: list[str] | None = None, hide_system: bool | None = None, group: bool | None = None
    ) -> None:
        """Change how the goroutine list is built (console commands); raises FilterError on bad words."""
        if filters is not None:
            self._filters = parse_filters(filters)
            self.options.goroutine_filters = list(filters)
        if hide_system is not None:
            self.options.hide_system_goroutines = hide_system
        if group is not None:
            self.options.group_goroutines = group

    def goroutine_views(
        self, first: Goroutine | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> list[GoroutineView]:
        """The thread list: filters and hiding applied to every goroutine, then grouping; `first` leads.

        `progress(step, done, total)` is called every few thousand goroutines (it may raise to stop).
        """
        options = self.options
        chosen: list[tuple[Goroutine, GoroutineSummary]] = []
        goroutines = self.process.goroutines
        with gc_paused():
            for i, g in enumerate(goroutines):
                if progress is not None and i % 4096 == 0:
                    progress("Describing goroutines", i, len(goroutines))
                summary = self.summary(g)
                if g is not first:
                    if options.hide_system_goroutines and summary.system:
                        continue
                    if self._filters and not matches_all(self._filters, summary):
                        continue
                chosen.append((g, summary))
            if first is not None:
                chosen.sort(key=lambda pair: pair[0] is not first)
            if not options.group_goroutines:
                return [GoroutineView(g, s) for g, s in chosen]
            groups = group_goroutines(self.process, [g for g, _ in chosen], [s for _, s in chosen], progress)
        if first is not None:
            groups.sort(key=lambda grp: all(m is not first for m in grp.members))
        return [GoroutineView(grp.representative, grp.summaries[0], grp) for grp in groups]

    def frames(self, g: Goroutine) -> list[Frame]:
        return self.process.frames(g)

    def stopped_goroutine(self) -> Goroutine | None:
        """The goroutine the dumping thread was running (the kernel writes that thread first)."""
        for thread in self.core.threads:
            g = self.process.goroutine_on_thread(thread)
            if g is not None:
                return g
        return self.process.goroutines[0] if self.process.goroutines else None

    def local_path(self, recorded: str) -> str:
        return self.sources.to_local(recorded)

    def read_source(self, path: str) -> tuple[str, str]:
        """(local path, text) of a source file the binary names, given its recorded or local path.

        Only files the pc-line table records, with a suffix the Go toolchain compiles, are read:
        a client (or a crafted binary) cannot make the server read anything else.
        """
        recorded = path if path in self.recorded_sources() else self.sources.to_recorded(path)
        if recorded not in self.recorded_sources() or not recorded.endswith(SOURCE_SUFFIXES):
            raise SessionError(f"{path} is not a source file of this program")
        local = self.local_path(recorded)
        try:
            with open(local, "rb") as handle:
                data = handle.read(MAX_SOURCE_BYTES + 1)
        except OSError as exc:
            raise SessionError(f"cannot read {local}: {exc.strerror or exc}") from exc
        if len(data) > MAX_SOURCE_BYTES:
            raise SessionError(f"{local} is larger than {MAX_SOURCE_BYTES >> 20} MiB")
        return local, data.decode("utf-8", "replace")

    def recorded_sources(self) -> frozenset[str]:
        """Every source file the binary's pc-line table names."""
        if self._recorded is None:
            self._recorded = frozenset(self.program.pclntab.files())
        return self._recorded


def _check_match(core: CoreFile, program: Program) -> list[str]:
    """Refuse an executable that did not produce the core; returns warnings when unsure."""
    core_only = core.memory()
    for kind, (addr, expected) in program.build_ids.items():
        try:
            found = core_only.read(addr, len(expected))
        except UnreadableMemory:
            continue
        if found != expected:
            raise SessionError(
                f"the executable {program.path} does not match the core {core.path}: its {kind} build id "
                f"differs from the one in the dumped process. Pass the exact binary that produced the core."
            )
        return []
    if (
        core.process is not None
        and core.process.fname
        and not os.path.basename(program.path).startswith(core.process.fname[:15])
    ):
        return [
            f"could not verify that {program.path} produced the core (no build id in the core); "
            f"the core says the program was {core.process.fname!r}"
        ]
    return ["could not verify the executable against the core (no build id in the dumped memory)"]


def _backing_files(core: CoreFile, program: Program) -> dict[str, Buffer]:
    """NT_FILE paths that map the executable: pages the kernel left out are read from it."""
    loads = [seg.vaddr + program.bias for seg in program.image.segments]
    paths = {m.path for m in core.file_mappings if any(m.start <= addr < m.end for addr in loads)}
    if core.file_mappings and not paths:
        mapped = sorted({os.path.basename(m.path) for m in core.file_mappings if m.path})
        raise SessionError(
            f"the core {core.path} was not produced by {program.path}: the dumped process did not map it "
            f"(it mapped {', '.join(mapped[:4]) or 'no files'})"
        )
    return {path: program.image.data for path in paths}


def _close(core: CoreFile | None, program: Program | None) -> None:
    if program is not None:
        program.close()
    if core is not None:
        core.close()


def _bytes_progress(progress: Progress | None) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda done: progress("Decompressing the core", done, 0)


def _count_progress(progress: Progress | None) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress("Reading goroutines", done, total)
