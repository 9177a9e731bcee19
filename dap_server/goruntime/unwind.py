"""Walking a goroutine's stack on linux/amd64 and linux/arm64 with pclntab's pcsp tables (no
DWARF needed).

Follows the rules of Go's own unwinder (src/runtime/traceback.go): frame size from pcsp, the
return address just below the caller's SP (amd64) or saved at the frame's own SP, else still in
the link register (arm64), pc−1 for symbolization except at a trap; and crosses
what Go's traceback crosses on a core: signal frames (sigtramp's ucontext), systemstack and
morestack switches from g0 to the user goroutine. Facts about each pc are cached, so walking
100,000 similar stacks costs little more than reading their return addresses.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..checkpoints import checkpoint
from ..debuggee.api import (
    FileMapping,
    Memory,
    Registers,
    SigInfo,
    Thread,
    UnreadableMemory,
    from_mcontext,
    parse_siginfo,
    signal_name,
)
from ..program.cfi import CallFrameTable, FrameRule
from ..program.pclntab import Func, Pclntab, SourceLocation
from ..program.program import Program
from .code_roles import CodeRoles, Roles
from .frames import STACK_GOROUTINE, STACK_SIGNAL, STACK_SYSTEM, Frame
from .goroutines import G_RUNNING, G_SYSCALL, Goroutine, GoroutineReader
from .threads import MachineThread

MAX_FRAMES = 50_000
_SIGINFO_SIZE = 128
# On a link-register machine, the signal handler that injects a call (sigpanic) first pushes the
# interrupted function's LR: alignUp(sys.MinFrameSize, sys.StackAlign) bytes (traceback.go).
_INJECTED_LR_PAD = 16
_PC_CACHE_LIMIT = 1_000_000
_CHECKPOINT_EVERY = 1023  # frames between checks of the request's cancellation and time budget

_NORMAL, _TOP, _SIGTRAMP, _SWITCH, _SPWRITE, _CGO_SWITCH = range(6)
_INJECTED = frozenset({"runtime.sigpanic", "runtime.asyncPreempt", "runtime.debugCallV2"})
_STACK_SWITCHERS = frozenset({"runtime.systemstack", "runtime.morestack"})
_SPWRITE_EXEMPT = frozenset({"runtime.cgocallback"})
_CGO_CALLERS = frozenset({"runtime.asmcgocall", "runtime.asmcgocall_landingpad"})


@dataclass(slots=True)
class _State:
    pc: int
    sp: int
    bp: int
    trap: bool
    stack: str
    registers: Registers | None
    lo: int = 0
    hi: int = 0
    lr: int = 0  # the return address still in the link register (arm64), 0 when not known


class _PcInfo(NamedTuple):
    func: Func
    cfa_delta: int
    kind: int
    injected: bool


_U64 = struct.Struct("<Q")


class LeanFacts(NamedTuple):
    """One frame as the lean walk sees it (`Unwinder.lean_facts`)."""

    cfa_delta: int  # the CFA's distance from the frame's SP
    ends: bool  # the stack ends with this frame
    injected: bool  # an injected call (sigpanic): the next frame is reached by a trap
    roles: Roles  # the code roles of its logical frames
    func: Func


# A physical frame: (pc, sp, cfa, trap, stack kind, registers or None, func).
Step = tuple[int, int, int, bool, str, Registers | None, Func]


class _NeedsFullWalk(Exception):
    """A stack the lean walk does not handle; the general one will."""


class UnwindFacts:
    """What unwinding learns about the executable's code (call-frame rules, per-pc facts, whose
    code is where): true of every stop of the process, so kept when the process runs again."""

    def __init__(self, program: Program) -> None:
        self.cfi = CallFrameTable(program.image)
        self.pc_info: dict[int, _PcInfo | None] = {}
        self.code = CodeRoles(program)


class Unwinder:
    """Produces the frames of any goroutine, given the threads and Ms of one stop."""

    def __init__(
        self,
        facts: UnwindFacts,
        memory: Memory,
        program: Program,
        reader: GoroutineReader,
        machines: list[MachineThread],
        threads: Sequence[Thread],
        mappings: Sequence[FileMapping],
    ) -> None:
        self._memory = memory
        self._mappings = sorted(mappings, key=lambda m: m.start)
        self._cfi = facts.cfi
        self._pcln: Pclntab = program.pclntab
        self._program = program
        self._reader = reader
        self._machines = {m.addr: m for m in machines}
        self._thread_by_lwp = {t.lwp: t for t in threads}
        self._pc_info = facts.pc_info
        self._code = facts.code
        self._arch = program.image.arch
        self._pushed = program.image.arch.return_address_pushed

    @property
    def memory(self) -> Memory:
        return self._memory

    def thread_of(self, g: Goroutine) -> Thread | None:
        """The OS thread currently running `g`, if it is running and its M is known."""
        m = self._machines.get(g.m)
        if m is None or m.curg != g.addr or not m.lwp:
            return None
        return self._thread_by_lwp.get(m.lwp)

    def syscall_thread_frames(self, g: Goroutine, limit: int = MAX_FRAMES) -> list[Frame]:
        """The current frames of the thread running `g` in a system call (Delve numbers a
        goroutine's frames from these); [] when `g` is in no system call on a known thread. The
        goroutine's own frames start where it entered the call, as Go's traceback does."""
        thread = self.thread_of(g) if g.status == G_SYSCALL else None
        if thread is None:
            return []
        return self.thread_frames(thread, self._machines.get(g.m), limit)

    def goroutine_frames(self, g: Goroutine, limit: int = MAX_FRAMES) -> list[Frame]:
        return self._expand(self._goroutine_steps(g, limit), limit)

    def thread_frames(self, thread: Thread, m: MachineThread | None, limit: int = MAX_FRAMES) -> list[Frame]:
        return self._expand(self._steps(self._thread_state(thread, m), m, limit), limit)

    def top_and_user(self, g: Goroutine, limit: int = 64) -> tuple[SourceLocation | None, SourceLocation | None]:
        """The innermost location, and the one that says where the goroutine is in the program:
        the first frame of the program's own module, else of another module, else the first
        outside the runtime's own directories (a goroutine living in net/http is named after
        net/http, not runtime.gopark), else the outermost runtime function; never a generated
        wrapper (code_roles.py). Walks at most `limit` frames.

        Called for every goroutine of a core (the thread list), so parked goroutines take a lean
        path: one cached lookup per pc and one read per frame; anything unusual on the way (a
        stack switch, a signal frame) falls back to the general walk.
        """
        top: SourceLocation | None = None
        fallbacks: list[SourceLocation | None] = [None, None, None]
        roles_of = self._code.roles
        try:
            for pc, trap, info in self._lean(g, limit):
                roles = roles_of(pc if trap or pc == info.func.entry else pc - 1)
                if top is None:
                    top = roles[0]
                if roles[1] is not None:
                    return top, roles[1]
                note_fallbacks(fallbacks, roles)
        except _NeedsFullWalk:
            return self._top_and_user_walk(self._goroutine_steps(g, limit))
        return top, best_fallback(fallbacks)

    def _lean(self, g: Goroutine, limit: int) -> Iterator[tuple[int, bool, _PcInfo]]:
        """(pc, trap, facts) of each frame of a parked goroutine, one cached lookup and one read
        per frame; raises _NeedsFullWalk at anything the general walk must handle (a running
        goroutine, a stack switch, a signal frame, code that is not Go)."""
        if g.status == G_RUNNING or (g.status == G_SYSCALL and self.thread_of(g) is not None):
            raise _NeedsFullWalk
        pc, sp = (g.syscallpc, g.syscallsp) if g.syscallsp else (g.sched_pc, g.sched_sp)
        trap = False
        infos, read = self._pc_info, self._memory.unpack
        lo, hi = g.stack_lo, g.stack_hi
        stack = self._memory.window(lo, hi - lo)  # return addresses are read straight from it
        for _ in range(limit):
            info = infos.get(pc) or self._info(pc)
            if info is None or info.kind > _TOP:
                raise _NeedsFullWalk
            yield pc, trap, info
            if info.kind == _TOP:
                return
            cfa = sp + info.cfa_delta
            if self._pushed:
                slot = cfa - 8
            elif info.cfa_delta:
                slot = sp
            else:
                raise _NeedsFullWalk  # a frameless function: its return address is in a register
            try:
                if stack is not None and lo <= slot and slot + 8 <= hi:
                    (pc,) = _U64.unpack_from(stack[0], stack[1] + slot - lo)
                else:
                    (pc,) = read(_U64, slot)
            except UnreadableMemory:
                return
            if info.injected and not self._pushed:
                raise _NeedsFullWalk
            sp, trap = cfa, info.injected
            if not pc:
                return

    def lean_start(self, g: Goroutine) -> tuple[int, int] | None:
        """The (pc, sp) a parked goroutine's lean walk starts from; None when its stack needs the
        general walk (it runs, or sits in a system call on a known thread)."""
        if g.unreadable is not None or g.status == G_RUNNING or (g.status == G_SYSCALL and self.thread_of(g)):
            return None
        return (g.syscallpc, g.syscallsp) if g.syscallsp else (g.sched_pc, g.sched_sp)

    @property
    def pushes_return_address(self) -> bool:
        """Whether a call pushes its return address (amd64: it is the word below the caller's CFA)
        rather than leaving it in the link register for the callee to save at its SP (arm64)."""
        return self._pushed

    def lean_facts(self, pc: int, trap: bool) -> LeanFacts | None:
        """What the lean walk uses of the frame at `pc` (reached by a trap or a return), for
        walking many stacks at once (bulkwalk.py); None where the lean walk gives up
        (`_NeedsFullWalk`)."""
        info = self._info(pc)
        if info is None or info.kind > _TOP:
            return None
        ends = info.kind == _TOP
        if not ends and not self._pushed and (info.injected or not info.cfa_delta):
            return None
        roles = self._code.roles(pc if trap or pc == info.func.entry else pc - 1)
        return LeanFacts(info.cfa_delta, ends, info.injected, roles, info.func)

    def _top_and_user_walk(self, steps: Iterator[Step | Frame]) -> tuple[SourceLocation | None, SourceLocation | None]:
        top: SourceLocation | None = None
        fallbacks: list[SourceLocation | None] = [None, None, None]
        for step in steps:
            if type(step) is not tuple:
                continue
            pc, trap, func = step[0], step[3], step[6]
            roles = self._code.roles(pc if trap or pc == func.entry else pc - 1)
            top = top or roles[0]
            if roles[1] is not None:
                return top, roles[1]
            note_fallbacks(fallbacks, roles)
        return top, best_fallback(fallbacks)

    def pc_chain(self, g: Goroutine, limit: int = MAX_FRAMES) -> tuple[int, ...]:
        """The physical pcs of a goroutine's stack (for grouping identical stacks)."""
        try:
            return tuple(pc for pc, _, _ in self._lean(g, limit))
        except _NeedsFullWalk:
            return tuple(s[0] if not isinstance(s, Frame) else -1 for s in self._goroutine_steps(g, limit))

    def frames_at(self, step: Step) -> list[Frame]:
        """The logical frames (inlined calls first) of one physical frame."""
        pc, sp, cfa, trap, stack, registers, func = step
        sym_pc = pc if trap or pc == func.entry else pc - 1
        return [
            Frame(
                pc=pc,
                sp=sp,
                cfa=cfa,
                function=loc.function,
                file=loc.file,
                line=loc.line,
                inlined=loc.inlined,
                trap=trap,
                stack=stack,
                func=func,
                registers=registers,
            )
            for loc in self._pcln.locations(sym_pc)
        ]

    def _expand(self, steps: Iterator[Step | Frame], limit: int) -> list[Frame]:
        frames: list[Frame] = []
        for step in steps:
            if isinstance(step, Frame):
                frames.append(step)
            else:
                frames.extend(self.frames_at(step))
            if len(frames) >= limit:
                break
        return frames

    def _goroutine_steps(self, g: Goroutine, limit: int) -> Iterator[Step | Frame]:
        thread = self.thread_of(g) if g.status in (G_RUNNING, G_SYSCALL) else None
        if thread is not None:
            m = self._machines.get(g.m)
            if g.status == G_RUNNING or (m is not None and m.incgo):
                # Running, or inside a cgo call: the thread's registers show the frames above the
                # goroutine's saved context (C code runs on the thread's own stack).
                return self._steps(self._thread_state(thread, m), m, limit)
        if g.syscallsp:
            state = _State(g.syscallpc, g.syscallsp, g.syscallbp, False, STACK_GOROUTINE, None, g.stack_lo, g.stack_hi)
        else:
            state = _State(
                g.sched_pc, g.sched_sp, g.sched_bp, False, STACK_GOROUTINE, None, g.stack_lo, g.stack_hi, g.sched_lr
            )
        steps = self._steps(state, None, limit)
        if g.status == G_RUNNING and not g.syscallsp:
            note = _note(
                state,
                "running on a thread that is not in the core; this stack is where it last yielded and may be stale",
            )
            return _prepend(note, steps)
        return steps

    def _thread_state(self, thread: Thread, m: MachineThread | None) -> _State:
        regs = thread.registers
        kind, lo, hi = self._bounds_for(regs.sp, m)
        return _State(regs.pc, regs.sp, regs.bp, True, kind, regs, lo, hi, regs.lr)

    def _bounds_for(self, sp: int, m: MachineThread | None) -> tuple[str, int, int]:
        if m is None:
            return STACK_GOROUTINE, 0, 0
        for addr, kind in ((m.curg, STACK_GOROUTINE), (m.gsignal, STACK_SIGNAL), (m.g0, STACK_SYSTEM)):
            if not addr:
                continue
            g = self._reader.read(addr)
            if g.unreadable is None and g.stack_lo <= sp < g.stack_hi:
                return kind, g.stack_lo, g.stack_hi
        return STACK_SYSTEM, 0, 0

    def _info(self, pc: int) -> _PcInfo | None:
        try:
            return self._pc_info[pc]
        except KeyError:
            pass
        func = self._pcln.func_for_pc(pc)
        info = None
        if func is not None:
            name = func.name
            if name == "runtime.sigtramp":
                kind = _SIGTRAMP
            elif func.is_top_frame:
                kind = _TOP
            elif name in _STACK_SWITCHERS:
                kind = _SWITCH
            elif name in _CGO_CALLERS:
                kind = _CGO_SWITCH
            elif func.writes_sp and name not in _SPWRITE_EXEMPT:
                kind = _SPWRITE
            else:
                kind = _NORMAL
            pushed = 8 if self._pushed else 0  # the CFA is the SP before the call
            info = _PcInfo(func, self._pcln.sp_delta(func, pc) + pushed, kind, name in _INJECTED)
        if len(self._pc_info) > _PC_CACHE_LIMIT:
            self._pc_info.clear()
        self._pc_info[pc] = info
        return info

    def _steps(self, state: _State, m: MachineThread | None, limit: int) -> Iterator[Step | Frame]:
        count = 0
        while count < limit:
            if count & _CHECKPOINT_EVERY == _CHECKPOINT_EVERY:
                checkpoint()
            info = self._info(state.pc)
            if info is None:
                if state.pc == 0:
                    return
                yield self._foreign_frame(state)
                count += 1
                failure = self._c_caller(state)
                if failure is not None:
                    yield _note(state, failure)
                    if not self._leave_cgo(state, m):
                        return
                continue
            cfa = state.sp + info.cfa_delta
            yield (state.pc, state.sp, cfa, state.trap, state.stack, state.registers, info.func)
            count += 1
            kind = info.kind
            if kind == _SIGTRAMP:
                note = self._resume_from_signal(state, cfa, m)
                yield note
                if note.signal == 0:
                    return
                continue
            if kind == _TOP:
                return
            # On arm64, a switcher with no frame yet (prologue, epilogue) has not switched.
            if kind in (_SWITCH, _CGO_SWITCH) and state.stack == STACK_SYSTEM and (self._pushed or info.cfa_delta):
                failure = self._switch_to_curg(state, m, syscall=kind == _CGO_SWITCH)
                if failure is not None:
                    if failure:
                        yield _note(state, failure)
                    return
                continue
            if kind == _SPWRITE and count > 1:
                yield _note(state, f"the stack ends at {info.func.name}, which switches stacks")
                return
            try:
                ret = self._return_address(state, cfa)
            except UnreadableMemory as exc:
                yield _note(
                    state, f"unwinding stopped: cannot read the return address of {info.func.name}: {exc.reason}"
                )
                return
            if ret == 0:
                return
            if state.hi and not state.lo <= cfa <= state.hi:
                yield _note(state, f"unwinding stopped: the frame of {info.func.name} leaves its stack")
                return
            state.bp = self._saved_frame_pointer(state, cfa)
            state.pc = ret
            state.sp = cfa
            state.trap = info.injected
            state.registers = None
            state.lr = 0
            if info.injected and not self._pushed:
                self._skip_pushed_lr(state)
        yield _note(state, f"stack truncated after {limit} frames")

    def _return_address(self, state: _State, cfa: int) -> int:
        """Where the frame at `state` returns to: the word below its CFA on amd64; on arm64 the
        word its prologue saved at its SP, or the link register while it has no frame."""
        if self._pushed:
            return self._memory.u64(cfa - 8)
        if cfa > state.sp or not state.lr:
            return self._memory.u64(state.sp)
        return state.lr

    def _saved_frame_pointer(self, state: _State, cfa: int) -> int:
        """The caller's frame pointer, which a Go prologue saved (0 when the frame has none)."""
        frame = cfa - state.sp
        if frame <= (8 if self._pushed else 0):
            return 0
        try:
            return self._memory.u64(cfa - 16 if self._pushed else state.sp - 8)
        except UnreadableMemory:
            return 0

    def _skip_pushed_lr(self, state: _State) -> None:
        """Past an injected call on arm64: the handler pushed the interrupted function's LR
        below its SP; a function interrupted before it had a frame still returns through it."""
        try:
            saved = self._memory.u64(state.sp)
        except UnreadableMemory:
            saved = 0
        state.sp += _INJECTED_LR_PAD
        info = self._info(state.pc)
        if info is not None and info.cfa_delta == 0:
            state.lr = saved

    def _resume_from_signal(self, state: _State, cfa: int, m: MachineThread | None) -> Frame:
        """Continue with the registers the kernel saved in sigtramp's ucontext (at its CFA).

        Returns the note frame marking the signal; its `signal` is 0 when the context is unreadable.
        """
        arch = self._arch
        try:
            raw = self._memory.read(cfa + arch.sigframe_regs, arch.mcontext_struct.size)
            info = parse_siginfo(self._memory.read(cfa + arch.sigframe_siginfo, _SIGINFO_SIZE))
        except UnreadableMemory as exc:
            return _note(state, f"unwinding stopped: cannot read the signal context: {exc.reason}")
        if info is None or info.signo <= 0 or info.signo > 64:
            return _note(state, "unwinding stopped: the signal context is not readable")
        regs = from_mcontext(raw, arch)
        kind, lo, hi = self._bounds_for(regs.sp, m)
        note = _note(state, f"{signal_name(info.signo)} received here", siginfo=info)
        state.pc, state.sp, state.bp, state.trap, state.lr = regs.pc, regs.sp, regs.bp, True, regs.lr
        state.stack, state.lo, state.hi = kind, lo, hi
        state.registers = regs
        return note

    def _switch_to_curg(self, state: _State, m: MachineThread | None, syscall: bool = False) -> str | None:
        """systemstack/morestack (or asmcgocall) on g0: continue with the user goroutine's saved
        context (its syscall context for a cgo call).

        Returns None when switched, "" when there is no goroutine to switch to (the end of a
        scheduler stack), or the reason the switch failed.
        """
        if m is None or not m.curg:
            return ""
        g = self._reader.read(m.curg)
        if g.unreadable is not None:
            return "unwinding stopped: the goroutine this thread switched from cannot be read"
        if syscall and g.syscallsp:
            state.pc, state.sp, state.bp, state.lr = g.syscallpc, g.syscallsp, g.syscallbp, 0
        elif g.sched_sp:
            state.pc, state.sp, state.bp, state.lr = g.sched_pc, g.sched_sp, g.sched_bp, g.sched_lr
        else:
            return "unwinding stopped: the goroutine this thread switched from has no saved context"
        state.trap = False
        state.stack, state.lo, state.hi = STACK_GOROUTINE, g.stack_lo, g.stack_hi
        state.registers = None
        return None

    def _c_frame(self, state: _State) -> tuple[FrameRule, int] | str:
        """The CFI rule of a C frame and its CFA; the reason if there is none."""
        lookup = state.pc if state.trap else state.pc - 1
        rule = self._cfi.rule_at(lookup - self._program.bias)
        # A leaf function on arm64 never saves its return address: it is still in the link register.
        if rule is None or (rule.ra_offset is None and not state.lr):
            return f"no unwind information for C code at {state.pc:#x} ({self._where(state.pc)})"
        arch = self._arch
        base = {arch.dwarf_sp: state.sp, arch.dwarf_fp: state.bp}.get(rule.cfa_register)
        if base is None:
            return f"C frame at {state.pc:#x} uses an unsupported CFA rule"
        return rule, base + rule.cfa_offset

    def _c_caller(self, state: _State) -> str | None:
        """Step from a C frame to its caller with the executable's CFI; the reason if impossible."""
        found = self._c_frame(state)
        if isinstance(found, str):
            return found
        rule, cfa = found
        try:
            ret = self._memory.u64(cfa + rule.ra_offset) if rule.ra_offset is not None else state.lr
            if rule.fp_offset is not None:
                state.bp = self._memory.u64(cfa + rule.fp_offset)
        except UnreadableMemory as exc:
            return f"cannot read the return address of a C frame: {exc.reason}"
        if cfa < state.sp or (cfa == state.sp and self._pushed) or ret == 0:
            return "the C stack ends here"
        state.pc, state.sp, state.trap, state.registers, state.lr = ret, cfa, False, None, 0
        return None

    def _leave_cgo(self, state: _State, m: MachineThread | None) -> bool:
        """After C frames that cannot be unwound: resume at the cgo call of the goroutine, if any."""
        return self._switch_to_curg(state, m, syscall=True) is None

    def _where(self, pc: int) -> str:
        for mapping in self._mappings:
            if mapping.start <= pc < mapping.end:
                return f"{mapping.path.rsplit('/', 1)[-1]}+{pc - mapping.start + mapping.file_offset:#x}"
        return "unknown mapping"

    def _foreign_frame(self, state: _State) -> Frame:
        link_pc = state.pc - self._program.bias
        in_executable = self._program.image.segment_for(link_pc) is not None
        sym = self._program.symbols.function_at(link_pc) if in_executable else None
        name = sym.name if sym is not None else self._where(state.pc)
        found = self._c_frame(state)
        return Frame(
            pc=state.pc,
            sp=state.sp,
            cfa=0 if isinstance(found, str) else found[1],
            function=name,
            trap=state.trap,
            stack=state.stack,
            registers=state.registers,
            foreign=True,
        )


def note_fallbacks(fallbacks: list[SourceLocation | None], roles: Roles) -> None:
    """Keep the first frame of another module, the first of the standard library, the outermost."""
    fallbacks[0] = fallbacks[0] or roles[2]
    fallbacks[1] = fallbacks[1] or roles[3]
    fallbacks[2] = roles[4] or fallbacks[2]


def best_fallback(fallbacks: list[SourceLocation | None]) -> SourceLocation | None:
    return next((loc for loc in fallbacks if loc is not None), None)


def _prepend(first: Frame, rest: Iterator[Step | Frame]) -> Iterator[Step | Frame]:
    yield first
    yield from rest


def _note(state: _State, text: str, siginfo: SigInfo | None = None) -> Frame:
    """A synthetic frame carrying an explanation (signal received, why unwinding stopped)."""
    return Frame(
        pc=state.pc,
        sp=state.sp,
        cfa=0,
        function="",
        stack=state.stack,
        note=text,
        signal=siginfo.signo if siginfo is not None else 0,
        siginfo=siginfo,
    )
