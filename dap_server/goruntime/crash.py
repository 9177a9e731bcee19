"""Why the process died, rebuilt from the core in the Go runtime's own words.

Sources of truth, in order: an M that is throwing (`fatal error: …`, message from the closure that
runtime.throw/runtime.fatal hands to systemstack), a goroutine's `_panic` chain (`panic: …` with
Go's print formatting and the `[signal …]` line from g.sig/sigcode0/sigcode1/sigpc), a signal
that came from outside the process (the outermost signal frame of the dumping thread), a fault in
non-Go code, or no crash at all (gcore of a live process).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from ..debuggee.api import SigInfo, Thread, UnreadableMemory, signal_name
from .crash_stack import sent_by_runtime
from .frames import Frame
from .goprint import indented, print_complex, print_float
from .goroutines import Goroutine
from .process import GoProcess
from .strings_table import read_go_string
from .threads import MachineThread
from .values.kinds import AbiKind

if TYPE_CHECKING:
    from .values.rtypes import RuntimeType, RuntimeTypes

MAX_PANIC_CHAIN = 64
MAX_MESSAGE = 1 << 16
_BUILTIN_NAMES = frozenset(
    "bool int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr float32 float64 "
    "complex64 complex128 string".split()
)
_SIGNAL_DESCRIPTIONS = {
    "SIGABRT": "abort",
    "SIGQUIT": "quit",
    "SIGSEGV": "segmentation violation",
    "SIGBUS": "bus error",
    "SIGFPE": "floating-point exception",
    "SIGILL": "illegal instruction",
    "SIGTRAP": "trace trap",
    "SIGTERM": "termination",
    "SIGINT": "interrupt",
    "SIGSYS": "bad system call",
}
_THROW_FUNCS = {"runtime.throw": "runtime.throw.func1", "runtime.fatal": "runtime.fatal.func1"}


class PanicRecord(NamedTuple):
    """One `_panic` of a goroutine's chain, oldest first."""

    text: str
    type_name: str
    recovered: bool
    repanicked: bool
    goexit: bool


@dataclass
class CrashExplanation:
    kind: str
    exception_id: str
    lines: list[str]
    goid: int | None = None
    thread: int | None = None
    panics: list[PanicRecord] = field(default_factory=list)
    signal: SigInfo | None = None
    details: list[str] = field(default_factory=list)
    # A signal that landed on a thread running no goroutine (Go prints `goroutine 0 [idle]`).
    no_goroutine: bool = False

    @property
    def crashed(self) -> bool:
        return self.kind != "no crash"

    @property
    def headline(self) -> str:
        return self.lines[0] if self.lines else self.kind

    @property
    def description(self) -> str:
        return "\n".join(self.lines)

    @property
    def summary(self) -> str:
        """A few words for the stop's badge ("panic", "fatal error", "signal SIGSEGV"); the badge
        sits beside the thread's name, which a whole panic message would hide."""
        if self.kind.endswith("signal"):
            return f"signal {self.exception_id}"
        return self.kind


class CrashExplainer:
    def __init__(self, process: GoProcess) -> None:
        self._process = process
        self._memory = process.memory
        self._types_reader: RuntimeTypes | None = None
        self._signal_names = self._read_sigtable()
        self._pid = process.debuggee.pid or 0
        self._m_by_lwp = process.thread_machines

    def explain(self) -> CrashExplanation:
        threads = self._process.debuggee.threads
        first = threads[0]
        ordered = list(threads)
        throwing = [(t, m) for t in ordered if (m := self._m_by_lwp.get(t.lwp)) is not None and m.throwing > 0]
        throwing.sort(key=lambda pair: not self._printed_first(*pair))
        for thread, m in throwing:
            fatal = self._fatal(thread, m)
            if fatal is not None:
                return fatal
        panicking = self._panicking_goroutine(first)
        if panicking is not None:
            explained = self._panic(panicking)
            if explained is not None:
                return explained
        for thread in ordered:
            signal = self._received_signal(thread)
            if signal is not None:
                return signal
        return CrashExplanation(
            kind="no crash",
            exception_id="no crash",
            lines=[f"no crash: {self._no_crash_source()}"],
            thread=first.lwp,
        )

    def _printed_first(self, thread: Thread, m: MachineThread) -> bool:
        """Of Ms that throw at once (two goroutines both finding concurrent map writes), the one
        that printed first has finished dopanic_m and waits there for ever (lock(&deadlock));
        the last to print is the one that crashes, and often the one that dumped the core."""
        names = {frame.function for frame in self._process.unwinder.thread_frames(thread, m)}
        return "runtime.dopanic_m" in names and "runtime.crash" not in names

    def _no_crash_source(self) -> str:
        debuggee = self._process.debuggee
        if debuggee.can_run:
            return "the process is running (godap stopped it to look)"
        if debuggee.stop_seconds > 0:  # only a snapshot has a stop time and cannot run
            return "godap took this snapshot of a running process, which runs on"
        return "the core was taken from a running process (for example with gcore)"

    def _types(self) -> RuntimeTypes:
        """Runtime type descriptors, read through the values engine (loaded only for panic values)."""
        if self._types_reader is None:
            from .variables import context_for  # defers the values engine until a panic value is read

            self._types_reader = context_for(self._process).rtypes
        return self._types_reader

    # fatal errors -----------------------------------------------------------------------------
    def _fatal(self, thread: Thread, m: MachineThread) -> CrashExplanation | None:
        frames = self._process.unwinder.thread_frames(thread, m)
        message = self._throw_message(frames)
        if message is None:
            return None
        curg = self._process.reader.read(m.curg) if m.curg else None
        goid = curg.goid if curg is not None and curg.unreadable is None else None
        lines = [f"fatal error: {indented(message)}"]
        if curg is not None and curg.unreadable is None and curg.sig:
            lines.append(self._signal_line(curg))
        return CrashExplanation(
            kind="fatal error",
            exception_id="fatal error",
            lines=lines,
            goid=goid,
            thread=thread.lwp,
            details=["raised by the runtime (throw)" if m.throwing >= 2 else "raised by the program (fatal)"],
        )

    def _throw_message(self, frames: list[Frame]) -> str | None:
        pclntab = self._process.program.pclntab
        for frame in frames:
            closure_name = _THROW_FUNCS.get(frame.function)
            if closure_name is None or frame.inlined or not frame.cfa:
                continue
            closure = pclntab.function_named(closure_name)
            if closure is None:
                continue
            text = self._closure_string(frame.sp, frame.cfa, closure.entry)
            if text is not None:
                return text
        return None

    def _closure_string(self, lo: int, hi: int, entry: int) -> str | None:
        """In [lo, hi), find a funcval whose code pointer is `entry` and the string it captured."""
        try:
            words = self._memory.read(lo, hi - lo)
        except UnreadableMemory:
            return None
        for i in range(0, len(words) - 8, 8):
            if struct.unpack_from("<Q", words, i)[0] != entry:
                continue
            for capture in (8, 16):
                text = self._plausible_string(lo + i + capture)
                if text is not None:
                    return text
        return None

    def _plausible_string(self, addr: int) -> str | None:
        try:
            ptr, length = struct.unpack("<QQ", self._memory.read(addr, 16))
            if not 0 < length <= MAX_MESSAGE:
                return None
            raw = self._memory.read(ptr, length)
        except UnreadableMemory:
            return None
        text = raw.decode("utf-8", "replace")
        return text if text.isprintable() or "\n" in text else None

    # panics -----------------------------------------------------------------------------------
    def _panicking_goroutine(self, first: Thread) -> Goroutine | None:
        process = self._process
        on_first = process.goroutine_on_thread(first)
        if on_first is not None and on_first.panic:
            return on_first
        dying = {m.curg for m in process.machines if m.dying and m.curg}
        candidates = [g for g in process.goroutines if g.panic and g.unreadable is None]
        for g in candidates:
            if g.addr in dying:
                return g
        return candidates[0] if len(candidates) == 1 else None

    def _panic(self, g: Goroutine) -> CrashExplanation | None:
        chain = self._panic_chain(g)
        if not chain or all(p.recovered and not p.repanicked for p in chain):
            return None
        lines = _printed_panics(chain)
        if g.sig:
            lines.append(self._signal_line(g))
        thread = self._process.unwinder.thread_of(g)
        details = [f"panic value of type {r.type_name}" for r in chain if not r.goexit and r.type_name != "string"]
        if any(r.goexit for r in chain):
            details.append("the goroutine was exiting through runtime.Goexit")
        return CrashExplanation(
            kind="panic",
            exception_id="panic",
            lines=lines or ["panic"],
            goid=g.goid,
            thread=thread.lwp if thread else None,
            panics=chain,
            details=details,
            signal=self._goroutine_signal(g),
        )

    def _panic_chain(self, g: Goroutine) -> list[PanicRecord]:
        layouts = self._process.layouts
        arg = layouts.offset("runtime._panic", "arg")
        link = layouts.offset("runtime._panic", "link")
        recovered = layouts.offset("runtime._panic", "recovered")
        goexit = layouts.offset("runtime._panic", "goexit")
        repanicked = layouts.offset("runtime._panic", "repanicked")
        if arg is None or link is None:
            return []
        records: list[PanicRecord] = []
        seen: set[int] = set()
        cursor = g.panic
        while cursor and cursor not in seen and len(records) < MAX_PANIC_CHAIN:
            seen.add(cursor)
            try:
                typ, data = struct.unpack("<QQ", self._memory.read(cursor + arg, 16))
                flags = {
                    name: bool(self._memory.read(cursor + off, 1)[0])
                    for name, off in (("recovered", recovered), ("goexit", goexit), ("repanicked", repanicked))
                    if off is not None
                }
                nxt = self._memory.u64(cursor + link)
            except UnreadableMemory as exc:
                records.append(PanicRecord(f"<unreadable: {exc.reason}>", "?", False, False, False))
                break
            text, type_name = self._panic_value(typ, data)
            records.append(
                PanicRecord(
                    text,
                    type_name,
                    flags.get("recovered", False),
                    flags.get("repanicked", False),
                    flags.get("goexit", False),
                )
            )
            cursor = nxt
        records.reverse()
        return records

    def _panic_value(self, typ: int, data: int) -> tuple[str, str]:
        """runtime.printpanicval / printanycustomtype."""
        if typ == 0:
            return "nil", "nil"
        rtype = self._types().describe(typ)
        if rtype is None:
            return f"(?) {data:#x}", "?"
        try:
            scalar = self._scalar(rtype, data)
        except UnreadableMemory as exc:
            return f"({rtype.name}) <unreadable: {exc.reason}>", rtype.name
        if scalar is None:
            return f"({rtype.name}) {data:#x}", rtype.name
        if rtype.name in _BUILTIN_NAMES:
            return scalar, rtype.name
        if rtype.kind == AbiKind.STRING:
            return f'{rtype.name}("{scalar}")', rtype.name
        return f"{rtype.name}({scalar})", rtype.name

    def _scalar(self, rtype: RuntimeType, data: int) -> str | None:
        kind = rtype.kind
        mem = self._memory
        if kind == AbiKind.STRING:
            return indented(read_go_string(mem, data, MAX_MESSAGE))
        if kind == AbiKind.BOOL:
            return "true" if mem.read(data, 1)[0] else "false"
        if AbiKind.INT <= kind <= AbiKind.UINTPTR:
            size = rtype.size if rtype.size in (1, 2, 4, 8) else 8
            signed = kind <= AbiKind.INT64
            return str(int.from_bytes(mem.read(data, size), "little", signed=signed))
        if kind == AbiKind.FLOAT32:
            return print_float(struct.unpack("<f", mem.read(data, 4))[0])
        if kind == AbiKind.FLOAT64:
            return print_float(struct.unpack("<d", mem.read(data, 8))[0])
        if kind == AbiKind.COMPLEX64:
            return print_complex(*struct.unpack("<ff", mem.read(data, 8)))
        if kind == AbiKind.COMPLEX128:
            return print_complex(*struct.unpack("<dd", mem.read(data, 16)))
        return None

    # signals ----------------------------------------------------------------------------------
    def _signal_line(self, g: Goroutine) -> str:
        return f"[signal {self._signal_title(g.sig)} code={g.sigcode0:#x} addr={g.sigcode1:#x} pc={g.sigpc:#x}]"

    def _goroutine_signal(self, g: Goroutine) -> SigInfo | None:
        if not g.sig:
            return None
        code = g.sigcode0 - (1 << 64) if g.sigcode0 >= 1 << 63 else g.sigcode0
        return SigInfo(g.sig, 0, code, g.sigcode1, 0, 0)

    def _received_signal(self, thread: Thread) -> CrashExplanation | None:
        """A signal the runtime did not send itself (from another process, the kernel, or the
        program's own kill(getpid(), …)): the outermost signal frame of the dumping thread."""
        m = self._m_by_lwp.get(thread.lwp)
        frames = self._process.unwinder.thread_frames(thread, m)
        notes = [(i, f) for i, f in enumerate(frames) if f.siginfo is not None]
        for index, note in reversed(notes):
            info = note.siginfo
            assert info is not None
            if sent_by_runtime(info, self._pid):
                continue  # the runtime's own crash() or the SIGQUIT it relays between threads
            interrupted = next((f for f in frames[index + 1 :] if not f.is_synthetic), None)
            pc = interrupted.pc if interrupted is not None else 0
            line = f"PC={pc:#x} m={m.id if m else '?'} sigcode={info.code}"
            if info.signo in (7, 11) and (self._process.program.go_minor or 99) >= 22:
                line += f" addr={info.addr:#x}"
            lines = [self._signal_title(info.signo), line]
            if m is not None and m.incgo:
                lines.append("signal arrived during cgo execution")
            details = []
            kind = "signal"
            if info.sent_by_process and info.sender_pid == self._pid:
                details.append(f"sent by the process itself (pid {info.sender_pid})")
            elif info.sent_by_process:
                kind = "external signal"
                details.append(f"sent by process {info.sender_pid} (uid {info.sender_uid})")
            g = self._process.goroutine_on_thread(thread)
            if g is None:
                details.append(_idle_landing(thread, m, frames[index + 1 :]))
            return CrashExplanation(
                kind=kind,
                exception_id=info.name,
                lines=lines,
                goid=g.goid if g is not None else None,
                thread=thread.lwp,
                signal=info,
                details=details,
                no_goroutine=g is None,
            )
        return None

    def _signal_title(self, signo: int) -> str:
        if signo < len(self._signal_names) and self._signal_names[signo]:
            return self._signal_names[signo]
        name = signal_name(signo)
        desc = _SIGNAL_DESCRIPTIONS.get(name)
        return f"{name}: {desc}" if desc else name

    def _read_sigtable(self) -> list[str]:
        """runtime.sigtable: [N]sigTabT{flags int32; name string}."""
        process = self._process
        sym = process.program.symbol("runtime.sigtable")
        entry = process.layouts.size("runtime.sigTabT")
        name = process.layouts.offset("runtime.sigTabT", "name")
        if sym is None or not entry or name is None or sym.size % entry:
            return []
        names = []
        for i in range(min(sym.size // entry, 128)):
            try:
                names.append(read_go_string(self._memory, sym.value + entry * i + name))
            except UnreadableMemory:
                names.append("")
        return names


def _idle_landing(thread: Thread, m: MachineThread | None, frames: list[Frame]) -> str:
    """Where a signal landed that no goroutine received: the thread and the runtime code it ran."""
    where = " ← ".join([f.function for f in frames if not f.is_synthetic and f.function][:3])
    machine = f" (m={m.id})" if m is not None else ""
    return (
        f"it landed on thread {thread.lwp}{machine}, which was running no goroutine"
        f" (Go prints it as goroutine 0 [idle]){': in ' + where if where else ''}"
    )


def _printed_panics(chain: list[PanicRecord]) -> list[str]:
    """runtime.printpanics: oldest first; a panic re-raised with the same value (1.25+) prints once."""
    lines: list[str] = []
    for index, record in enumerate(chain):
        prefix = ""
        if index > 0:
            older = chain[index - 1]
            if older.repanicked:
                continue
            if not older.goexit:
                prefix = "\t"
        if record.goexit:
            continue
        suffix = ""
        if record.recovered and record.repanicked:
            suffix = " [recovered, repanicked]"
        elif record.recovered:
            suffix = " [recovered]"
        lines.append(f"{prefix}panic: {record.text}{suffix}")
    return lines
