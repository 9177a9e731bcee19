"""One debugging session: a debuggee, its executable and the Go runtime view on them. No DAP types.

The adapter and the console turn requests into calls on this class and reach nothing behind it.
State has two owners here: per-binary facts (`GoBinary`: layouts, per-pc unwind facts) live as
long as the session; per-stop state (`GoProcess`: goroutines, frames, values; summaries, the crash
explanation, the disassembler) is dropped in one place, `clear_caches`, when the process has run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from .binfmt.elf import Buffer
from .debuggee.api import AT_ENTRY, Debuggee, DebuggeeError, DebuggeeExited, FileMapping, UnreadableMemory
from .debuggee.core import CoreFile, open_core
from .goruntime.binary import GoBinary
from .goruntime.blocking.objects import ObjectState
from .goruntime.blocking.records import Finding, Wait, WaitObject
from .goruntime.blocking.view import BlockingView, blocking_view
from .goruntime.bulk import gc_paused, gc_thaw
from .goruntime.crash import CrashExplainer, CrashExplanation
from .goruntime.crash_stack import go_traceback_order
from .goruntime.describe import CreatedBy, Describer, GoroutineSummary
from .goruntime.filters import FilterError, matches_all, parse_filters
from .goruntime.frames import Frame
from .goruntime.goroutines import Goroutine
from .goruntime.grouping import GoroutineGroup, group_goroutines
from .goruntime.layouts import LayoutError
from .goruntime.process import GoProcess
from .program.errors import ProgramError
from .program.pclntab import Pclntab
from .program.program import Program
from .sources import PathRule, SourceMap

if TYPE_CHECKING:
    from .debuggee.exit_watch import ExitWatch
    from .goruntime.disassembly import Disassembler
    from .goruntime.expr.evaluate_scope import ExpressionScope
    from .goruntime.heap.analysis import HeapAnalysis
    from .goruntime.values.base import Value

Progress = Callable[[str, int, int], None]
SOURCE_SUFFIXES = (".go", ".s", ".c", ".h")  # what the Go toolchain compiles: all a binary may name to us
MAX_SOURCE_BYTES = 32 << 20
_DESCRIBE_BATCH = 50_000  # goroutines summarised between two progress reports


class SessionError(Exception):
    """The session cannot start (or go on); the message is meant for the user as is."""


class ProcessExited(SessionError):
    """The live process ended: there is nothing left to stop or look at."""


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


class GoroutineView(NamedTuple):
    """One entry of the thread list: a goroutine, or a group of goroutines with identical stacks
    (a tuple: the list of a big core has 100,000 of them, made in one C loop)."""

    goroutine: Goroutine
    summary: GoroutineSummary
    group: GoroutineGroup | None = None


_new_view = partial(tuple.__new__, GoroutineView)
_goid = attrgetter("goid")


class ExecutableInfo(NamedTuple):
    """What the modules view says of the executable and the modules linked into it."""

    path: str
    name: str
    go_version: str
    symbols: str
    text_range: tuple[int, int]
    dependencies: list[tuple[str, str]]  # (module path, version or "version => replacement")


class Session:
    """A debuggee opened against its executable."""

    def __init__(
        self,
        options: SessionOptions,
        debuggee: Debuggee,
        program: Program,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.options = options
        self._debuggee = debuggee
        self._program = program
        self._binary = GoBinary(program)
        self._backing = _backing_files(debuggee, program)
        self.sources = SourceMap(options.substitute_path, program.go_version)
        self._filters = parse_filters(options.goroutine_filters)
        self._recorded: frozenset[str] | None = None
        self._running = False
        self._exit_watch: ExitWatch | None = None
        self._load_stop(progress)
        self.warnings: list[str] = list(debuggee.warnings) + list(self._process.warnings)

    def _load_stop(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Read the debuggee as it is now: the per-stop state, on the per-binary facts."""
        memory = self._debuggee.memory(self._backing)
        self._process = GoProcess.load(self._debuggee, self._binary, memory, progress)
        self._describer = Describer(self._process)
        self._summaries: dict[int, GoroutineSummary] = {}
        self._crash: CrashExplanation | None = None
        self._crash_frames: list[Frame] | None = None
        self._disassembler: Disassembler | None = None
        self._blocking_view: BlockingView | None = None
        self._heap: HeapAnalysis | None = None

    @property
    def can_run(self) -> bool:
        """A live process (it can be resumed and stopped again), not a core."""
        return self._debuggee.can_run

    @property
    def running(self) -> bool:
        """Resumed and not stopped since: nothing of the stop may be read until `stop`."""
        return self._running

    @property
    def description(self) -> str:
        """What is being looked at: "the core …", "process N (name)", "the snapshot of process N …"."""
        return self._debuggee.description

    @property
    def stop_seconds(self) -> float:
        """How long the last stop took to make (0 for a core)."""
        return self._debuggee.stop_seconds

    def resume(self, on_exit: Callable[[], None] | None = None) -> None:
        """Let the debuggee run (SessionError for a core). `on_exit()` is called, from another
        thread, if the process ends before `stop` or `close`."""
        try:
            self._debuggee.resume()
        except DebuggeeError as exc:
            raise SessionError(str(exc)) from exc
        self._running = True
        if on_exit is not None and self._debuggee.pid is not None:
            from .debuggee.exit_watch import ExitWatch  # a live process's only

            self._exit_watch = ExitWatch(self._debuggee.pid, on_exit)

    def _unwatch(self) -> None:
        if self._exit_watch is not None:
            self._exit_watch.cancel()
            self._exit_watch = None

    def stop(self) -> None:
        """Stop the debuggee again and read the new stop."""
        self._unwatch()
        try:
            self._debuggee.stop()
        except DebuggeeExited as exc:
            raise ProcessExited(str(exc)) from exc
        except DebuggeeError as exc:
            raise SessionError(str(exc)) from exc
        self._running = False
        self.clear_caches()

    def kill(self) -> None:
        """End a live process (SessionError for a core); `close` still lets go of it."""
        try:
            self._debuggee.kill()
        except DebuggeeError as exc:
            raise SessionError(str(exc)) from exc

    def clear_caches(self) -> None:
        """Drop every per-stop fact (goroutines, frames, summaries, values, the crash explanation)
        and read the stop anew; per-binary facts are kept. The one place to call when the process
        has run (Delve's `ClearCaches`)."""
        self._load_stop()

    @classmethod
    def open(cls, options: SessionOptions, progress: Progress | None = None) -> Session:
        """A session on a core dump (`options.core`) and the executable that produced it."""
        if not options.program:
            raise SessionError('launch needs "program": the path of the executable that produced the core')
        if not options.core:
            raise SessionError('launch needs "coreFilePath": the path of the core dump')
        return cls._start(options, lambda: open_core(options.core, on_progress=_bytes_progress(progress)), progress)

    @classmethod
    def attach(
        cls, options: SessionOptions, pid: int, progress: Progress | None = None, snapshot: bool = False
    ) -> Session:
        """A session on the running process `pid`, stopped until `resume` (or `close`, which
        detaches); `options.program` defaults to the process's own executable. With `snapshot`,
        what a Go view needs is copied at once and the process runs on: the session browses the copy."""
        from .debuggee.live import LiveProcess  # ptrace and ctypes load only for a live process
        from .debuggee.snapshot import reserve, snapshot_and_detach

        reserved = reserve(pid) if snapshot else None  # faulted in while the process still runs

        def stop() -> LiveProcess:
            process = LiveProcess(pid)
            if not options.program:
                options.program = process.executable
            return process

        def copy(process: Debuggee) -> Debuggee:
            assert isinstance(process, LiveProcess)
            return snapshot_and_detach(process, reserved)

        return cls._start(options, stop, progress, copy if snapshot else None)

    @classmethod
    def _start(
        cls,
        options: SessionOptions,
        open_debuggee: Callable[[], Debuggee],
        progress: Progress | None,
        settle: Callable[[Debuggee], Debuggee] | None = None,
    ) -> Session:
        """Open the debuggee and the program, check that they belong together, then `settle`
        the debuggee (a snapshot replaces the process it was taken from) and read the stop."""
        debuggee = None
        program = None
        try:
            debuggee = open_debuggee()
            program = Program(options.program)
            _check_arch(debuggee, program)
            if program.dwarf.present:
                program.dwarf.inflate_in_background()
            entry = debuggee.auxv.get(AT_ENTRY)
            if program.image.is_pie and entry:
                program.set_load_bias(entry - program.image.entry)
            if isinstance(debuggee, CoreFile):
                debuggee.assume_mapped(_executable_mappings(program))
            warnings = _check_match(debuggee, program)
            if settle is not None:
                debuggee = settle(debuggee)
            try:
                session = cls(options, debuggee, program, _count_progress(progress))
            except FilterError as exc:
                raise SessionError(f"goroutineFilters: {exc}") from exc
            session.warnings[:0] = warnings
            return session
        except (DebuggeeError, ProgramError, LayoutError) as exc:
            _close(debuggee, program)
            raise SessionError(str(exc)) from exc
        except BaseException:
            _close(debuggee, program)
            raise

    def close(self) -> None:
        self._unwatch()
        _close(self._debuggee, self._program)
        gc_thaw()

    # the debuggee -----------------------------------------------------------------------------
    @property
    def process(self) -> GoProcess:
        """The Go runtime view of the current stop (for goruntime-level callers and tests)."""
        return self._process

    @property
    def pid(self) -> int | None:
        return self._debuggee.pid

    @property
    def executable(self) -> str:
        return self._program.path

    def exit_code(self) -> int:
        """128 + the signal the reporting thread stopped with (a shell's convention), else 0."""
        threads = self._debuggee.threads
        sig = threads[0].signal if threads else 0
        return 128 + sig if sig > 0 else 0

    def crash(self) -> CrashExplanation:
        """Why the process stopped, in the Go runtime's own words (made once per stop)."""
        if self._crash is None:
            self._crash = CrashExplainer(self._process).explain()
        return self._crash

    def read_memory(self, address: int, count: int, chunk: int = 4096) -> tuple[bytes, str | None]:
        """The readable prefix of [address, address+count), and why it stops short (None if it does not)."""
        memory = self._process.memory
        data = bytearray()
        cursor = address
        while cursor < address + count:
            take = min(chunk - cursor % chunk, address + count - cursor)
            try:
                data += memory.read(cursor, take)
            except UnreadableMemory as exc:
                return bytes(data), exc.reason
            cursor += take
        return bytes(data), None

    def disassembler(self) -> Disassembler:
        if self._disassembler is None:
            from .goruntime.disassembly import Disassembler  # capstone loads on first use

            self._disassembler = Disassembler(self._process)
        return self._disassembler

    @property
    def heap_analysed(self) -> bool:
        """Whether `heap` would answer at once."""
        return self._heap is not None

    def heap(self, progress: Progress | None = None) -> HeapAnalysis:
        """The heap analysis of this stop: made on first use (numpy and the graph code load then); a core's
        is saved beside it and read back by the next session on the same core."""
        if self._heap is None:
            from .goruntime.heap import store
            from .goruntime.heap.analysis import HeapAnalysis
            from .goruntime.heap.layout import HeapError

            core = self.options.core  # empty for a live process or a snapshot: nothing to save beside
            facts = store.load(core, self._program.path) if core else None
            if facts is None:
                try:
                    facts = HeapAnalysis.build(self._process, progress).facts
                except HeapError as exc:
                    raise SessionError(str(exc)) from exc
                if core:
                    store.save(facts, core, self._program.path)
            self._heap = HeapAnalysis(facts)
        return self._heap

    def shared_libraries(self) -> list[tuple[str, int, int]]:
        """Shared objects the process had mapped, with their address ranges, lowest first."""
        ranges: dict[str, tuple[int, int]] = {}
        exe = os.path.realpath(self._program.path)
        for mapping in self._debuggee.mappings:
            path = mapping.path
            if not path or ".so" not in os.path.basename(path) or os.path.realpath(path) == exe:
                continue
            low, high = ranges.get(path, (mapping.start, mapping.end))
            ranges[path] = (min(low, mapping.start), max(high, mapping.end))
        return [(path, low, high) for path, (low, high) in sorted(ranges.items(), key=lambda item: item[1][0])]

    # the executable ---------------------------------------------------------------------------
    @property
    def pclntab(self) -> Pclntab:
        """The executable's functions and pc → file:line tables."""
        return self._program.pclntab

    def executable_info(self) -> ExecutableInfo:
        program = self._program
        info = program.buildinfo
        if program.dwarf.present:
            symbols = "symbols and DWARF"
        else:
            symbols = "symbols, no DWARF" if program.symbols else "stripped (pclntab only)"
        return ExecutableInfo(
            path=program.path,
            name=info.main_path if info and info.main_path else os.path.basename(program.path),
            go_version=program.go_version,
            symbols=symbols,
            text_range=(self.pclntab.text_start, self.pclntab.text_end),
            dependencies=[
                (dep.path, dep.version + (f" => {dep.replaced_by}" if dep.replaced_by else ""))
                for dep in (info.deps if info else [])
            ],
        )

    def type_names(self) -> list[str]:
        """Every type DWARF names."""
        return list(self._program.dwarf.types.names())

    def global_variable_names(self) -> list[str]:
        """Full names of the package variables in the symbol table."""
        from .program.symbols import STT_OBJECT

        return [symbol.name for symbol in self._program.symbols.defined(STT_OBJECT) if "." in symbol.name]

    # options ----------------------------------------------------------------------------------
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

    def set_view_options(
        self, *, show_globals: bool | None = None, show_registers: bool | None = None, stack_depth: int | None = None
    ) -> None:
        if show_globals is not None:
            self.options.show_global_variables = show_globals
        if show_registers is not None:
            self.options.show_registers = show_registers
        if stack_depth is not None:
            self.options.stack_trace_depth = stack_depth

    def set_substitute_path(self, rules: list[PathRule]) -> None:
        self.options.substitute_path = rules
        self.sources = SourceMap(rules, self._program.go_version)

    # goroutines -------------------------------------------------------------------------------
    @property
    def goroutines(self) -> list[Goroutine]:
        return self._process.goroutines

    def goroutine(self, goid: int) -> Goroutine | None:
        return self._process.goroutine(goid)

    def goroutine_at(self, addr: int) -> Goroutine | None:
        """The goroutine record at `addr` (how unreadable records, which have no id, are found)."""
        return next((g for g in self._process.goroutines if g.addr == addr), None)

    def summary(self, g: Goroutine) -> GoroutineSummary:
        cached = self._summaries.get(g.goid)
        if cached is None:
            cached = self._describer.summary(g)
            self._summaries[g.goid] = cached
        return cached

    def created_by(self, g: Goroutine) -> CreatedBy | None:
        return self._describer.created_by(g)

    def group(
        self,
        goroutines: list[Goroutine],
        summaries: list[GoroutineSummary],
        progress: Callable[[str, int, int], None] | None = None,
    ) -> list[GoroutineGroup]:
        """Goroutines with identical stacks grouped, biggest group first."""
        return group_goroutines(self._process, goroutines, summaries, progress)

    def goroutine_views(
        self, first: Goroutine | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> list[GoroutineView]:
        """The thread list: filters and hiding applied to every goroutine, then grouping; `first` leads.

        `progress(step, done, total)` is called every few thousand goroutines (it may raise to stop).
        """
        options = self.options
        goroutines = self._process.goroutines
        with gc_paused():
            self._describe_all(goroutines, progress)
            summaries = map(self._summaries.__getitem__, map(_goid, goroutines))
            chosen = list(map(_new_view, zip(goroutines, summaries, repeat(None))))
            if options.hide_system_goroutines or self._filters:
                chosen = [view for view in chosen if view.goroutine is first or self._shown(view.summary)]
            lead = next((i for i, view in enumerate(chosen) if view.goroutine is first), 0) if first is not None else 0
            if lead:
                chosen.insert(0, chosen.pop(lead))
            if not options.group_goroutines:
                return chosen
            groups = self.group([view.goroutine for view in chosen], [view.summary for view in chosen], progress)
        lead = next((i for i, grp in enumerate(groups) if first in grp.members), 0) if first is not None else 0
        if lead:
            groups.insert(0, groups.pop(lead))
        return [GoroutineView(grp.representative, grp.summaries[0], grp) for grp in groups]

    def _shown(self, summary: GoroutineSummary) -> bool:
        """Whether the thread list shows a goroutine, by the hiding and filter options."""
        if self.options.hide_system_goroutines and summary.system:
            return False
        return not self._filters or matches_all(self._filters, summary)

    def _describe_all(self, goroutines: list[Goroutine], progress: Callable[[str, int, int], None] | None) -> None:
        """Summaries of the goroutines not summarised yet, in batches (which a big core walks together)."""
        missing = [g for g in goroutines if g.goid not in self._summaries]
        size = -(-len(missing) // -(-len(missing) // _DESCRIBE_BATCH)) if missing else 1  # equal batches
        for start in range(0, len(missing), size):
            if progress is not None:
                progress("Describing goroutines", start, len(missing))
            batch = missing[start : start + size]
            found = self._describer.summaries(batch, chains=self.options.group_goroutines)
            self._summaries.update(zip([g.goid for g in batch], found, strict=True))

    def frames(self, g: Goroutine) -> list[Frame]:
        """Innermost first; the crashing goroutine's start where Go's traceback starts (crash_stack.py)."""
        crash = self.crash()
        if not crash.crashed or crash.goid != g.goid:
            return self._process.frames(g)
        if self._crash_frames is None:
            self._crash_frames = go_traceback_order(self._process.frames(g), self._debuggee.pid or 0)
        return self._crash_frames

    def syscall_thread_frames(self, g: Goroutine) -> list[Frame]:
        """The current frames of the thread running `g` in a system call ([] if none)."""
        return self._process.unwinder.syscall_thread_frames(g)

    def stopped_goroutine(self) -> Goroutine | None:
        """The goroutine the reporting thread was running (the thread that dumped a core)."""
        for thread in self._debuggee.threads:
            g = self._process.goroutine_on_thread(thread)
            if g is not None:
                return g
        return self._process.goroutines[0] if self._process.goroutines else None

    # the blocking graph -----------------------------------------------------------------------
    def _blocking(self) -> BlockingView:
        if self._blocking_view is None:
            self._blocking_view = blocking_view(self._process, lambda g: self.summary(g).system, self._creation_site)
        return self._blocking_view

    def _creation_site(self, goid: int) -> str:
        g = self._process.goroutine(goid)
        created = self.created_by(g) if g is not None else None
        return f"{created.function} at {os.path.basename(created.file)}:{created.line}" if created else ""

    @property
    def blocking_problem(self) -> str | None:
        """Why nothing of the blocking graph can be read (a layout the binary lacks), else None."""
        return self._blocking().problem

    def wait_of(self, g: Goroutine) -> Wait | None:
        """What `g` waits on: channels, locks, or why nothing can be named; None when it is not blocked."""
        return self._blocking().wait(g)

    def blocked(self) -> list[Wait]:
        """Every blocked user goroutine's wait, in goroutine order."""
        return sorted(self._blocking().waits().values(), key=lambda w: w.goid)

    def blocked_count(self) -> int:
        """How many user goroutines are blocked (`len(blocked())` without sorting 100,000 waits)."""
        return len(self._blocking().waits())

    def wait_object(self, obj: WaitObject) -> ObjectState:
        """A channel's or lock's state as its memory holds it."""
        return self._blocking().state(obj)

    def waiters(self, obj: WaitObject) -> list[Wait]:
        return self._blocking().waiters(obj)

    def wakers(self, obj: WaitObject, progress: Progress | None = None) -> list[int]:
        """Goroutines that refer to `obj` without waiting on it (bounded search of every stack)."""
        return self._blocking().wakers(obj, progress)

    def held_by_global(self, obj: WaitObject) -> bool:
        return self._blocking().from_globals(obj)

    def reference_limits(self) -> list[str]:
        """What the bounds of the reference search left unsearched."""
        return list(self._blocking().references().limits)

    def blocked_on_values(self, g: Goroutine) -> list[Value]:
        """The "Blocked on" scope: each object `g` waits on, expandable; empty when it is not blocked."""
        from .goruntime.blocking.values import wait_values

        wait = self.wait_of(g)
        return [] if wait is None else wait_values(self._process, self._blocking(), wait)

    def blocking_findings(self, progress: Progress | None = None) -> list[Finding]:
        """Deadlocks, leaks, goroutines stuck behind them and the biggest groups of identical waits."""
        return self._blocking().findings(progress)

    # values (the values engine loads when first asked) ----------------------------------------
    def arguments(self, frame: Frame) -> list[Value]:
        from .goruntime import variables

        return variables.arguments(self._process, frame)

    def locals(self, frame: Frame) -> list[Value]:
        from .goruntime import variables

        return variables.locals(self._process, frame)

    def has_c_variables(self, frame: Frame) -> bool:
        """Whether a C frame's function has DWARF (its C file was compiled with -g)."""
        from .goruntime import variables

        return frame.foreign and variables.c_function(self._process, frame) is not None

    def function_name(self, frame: Frame) -> str:
        """The frame's function as the program instantiated it: a generic function with its type
        arguments (`main.(*Stack[string]).Peek`) rather than the GC shapes it was compiled for."""
        from .goruntime.generics import SHAPE

        if SHAPE not in frame.function:
            return frame.function  # not generic: the values engine need not load for a stack trace
        from .goruntime import variables

        found = variables.instance(self._process, frame)
        return found.name if found is not None else frame.function

    def package_globals(self, package: str) -> list[Value]:
        from .goruntime import variables

        return variables.package_globals(self._process, package)

    def registers(self, frame: Frame) -> list[Value]:
        from .goruntime import variables

        return variables.registers(self._process, frame)

    def expression_scope(self, frame: Frame | None = None) -> ExpressionScope:
        """Where a Go expression's names are looked up: the frame's, else package `main`'s."""
        from .goruntime.expr.evaluate_scope import ExpressionScope

        return ExpressionScope(self._process, frame)

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
            self._recorded = frozenset(self._program.pclntab.files())
        return self._recorded


def _check_arch(debuggee: Debuggee, program: Program) -> None:
    """Refuse an executable of another architecture than the debuggee's."""
    if debuggee.arch is not program.image.arch:
        raise SessionError(
            f"{debuggee.description} is of an {debuggee.arch.description} process, but {program.path} "
            f"is an {program.image.arch.description} executable; pass the executable that produced it"
        )


def _check_match(debuggee: Debuggee, program: Program) -> list[str]:
    """Refuse an executable that did not produce the debuggee; returns warnings when unsure."""
    own_memory = debuggee.memory()
    for kind, (addr, expected) in program.build_ids.items():
        try:
            found = own_memory.read(addr, len(expected))
        except UnreadableMemory:
            continue
        if found != expected:
            raise SessionError(
                f"the executable {program.path} does not match {debuggee.description}: its {kind} build id "
                f"differs from the one in the process's memory. Pass the exact binary that produced it."
            )
        return []
    command = debuggee.command
    if command and not os.path.basename(program.path).startswith(command[:15]):
        return [
            f"could not verify that {program.path} produced {debuggee.description} (no build id in its memory); "
            f"the process was {command!r}"
        ]
    return [f"could not verify the executable against {debuggee.description} (no build id in its memory)"]


def _executable_mappings(program: Program) -> list[FileMapping]:
    """Where the executable's PT_LOAD segments map it (page-aligned, as mmap maps them)."""
    page = 0x1000
    return [
        FileMapping(
            (seg.vaddr + program.bias) & ~(page - 1),
            seg.vaddr + program.bias + seg.filesz,
            seg.offset & ~(page - 1),
            program.path,
        )
        for seg in program.image.segments
        if seg.filesz
    ]


def _backing_files(debuggee: Debuggee, program: Program) -> dict[str, Buffer]:
    """Mapped paths that map the executable: pages the debuggee's memory lacks are read from it."""
    loads = [seg.vaddr + program.bias for seg in program.image.segments]
    mappings = debuggee.mappings
    paths = {m.path for m in mappings if any(m.start <= addr < m.end for addr in loads)}
    if mappings and not paths:
        mapped = sorted({os.path.basename(m.path) for m in mappings if m.path})
        raise SessionError(
            f"{debuggee.description} was not produced by {program.path}: the process did not map it "
            f"(it mapped {', '.join(mapped[:4]) or 'no files'})"
        )
    return {path: program.image.data for path in paths}


def _close(debuggee: Debuggee | None, program: Program | None) -> None:
    if program is not None:
        program.close()
    if debuggee is not None:
        debuggee.close()


def _bytes_progress(progress: Progress | None) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda done: progress("Decompressing the core", done, 0)


def _count_progress(progress: Progress | None) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress("Reading goroutines", done, total)
