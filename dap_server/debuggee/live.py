"""A running process, stopped with ptrace for as long as godap looks at it.

Attaching seizes every thread (PTRACE_SEIZE sends no signal) and interrupts it; threads created
meanwhile are found by listing /proc/PID/task again until no new one appears. Resuming detaches
every thread, so that the process runs exactly as untraced (no signal stop waits for godap while it
runs); stopping again seizes them anew. A signal that arrived during a stop is handed back at
detach. If godap dies, the kernel detaches and the process runs on (no PTRACE_O_EXITKILL).
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from signal import SIGKILL

from ..binfmt.arch import AMD64
from ..binfmt.elf import Buffer
from . import ptrace
from .errors import DebuggeeError, DebuggeeExited
from .mappings import FileMapping
from .notes import parse_auxv
from .permissions import explain_denied, refuse_early
from .proc_maps import read_maps
from .process_memory import ProcessMemory
from .registers import Registers, from_prstatus, vectors_from_fpregset
from .signals import SigInfo, parse_siginfo

_SETTLE_ROUNDS = 100  # listings of /proc/PID/task before giving up on a process that keeps cloning


@dataclass(slots=True)
class LiveThread:
    """One stopped thread: the signal it was about to receive (0: none), its registers, and the
    FXSAVE area they came with (a written core carries it whole)."""

    lwp: int
    signal: int
    registers: Registers
    siginfo: SigInfo | None = None
    fxsave: bytes = b""


class LiveProcess:
    """A Debuggee over a live process; `stop()` and `resume()` between looks, `close()` detaches."""

    def __init__(self, pid: int) -> None:
        refuse_early(pid)
        self.pid = pid
        self.arch = AMD64  # ptrace's register sets are read as the host's (godap runs on x86-64)
        self.command = _read_text(f"/proc/{pid}/comm").strip() or None
        self.executable = _executable(pid)
        self.warnings: list[str] = []
        self.stop_seconds = 0.0  # seizing every thread, the last time
        self.stopped_for = 0.0  # from the first seize to the last detach, the last time it ran again
        self._stopped_since = 0.0
        self._tracer = ptrace.Tracer()
        self._threads: list[LiveThread] = []
        self._memories: list[ProcessMemory] = []
        self._stopped = False
        try:
            self.stop()
        except BaseException:
            self._tracer.stop()
            raise

    # what a Debuggee tells -------------------------------------------------------------------
    @property
    def description(self) -> str:
        return f"process {self.pid}" + (f" ({self.command})" if self.command else "")

    @property
    def threads(self) -> list[LiveThread]:
        """The main thread first (it is the one the process is known by), then the others."""
        return self._threads

    @property
    def siginfo(self) -> SigInfo | None:
        return None  # stopped by godap, not by a signal

    @property
    def mappings(self) -> list[FileMapping]:
        return [entry.as_file_mapping() for entry in read_maps(self.pid) if entry.file_backed]

    @property
    def auxv(self) -> dict[int, int]:
        try:
            with open(f"/proc/{self.pid}/auxv", "rb") as handle:
                return parse_auxv(handle.read())
        except OSError:
            return {}

    @property
    def can_run(self) -> bool:
        return True

    @property
    def can_write(self) -> bool:
        return False

    def memory(self, backing: Mapping[str, Buffer] | None = None) -> ProcessMemory:
        """The address space now; every page is readable through /proc/PID/mem, so `backing`
        (files that fill pages a core leaves out) is not needed."""
        self._require_stopped()
        memory = ProcessMemory(self.pid)
        self._memories.append(memory)
        return memory

    # running and stopping --------------------------------------------------------------------
    def stop(self) -> None:
        """Seize and interrupt every thread, read their registers; sets `stop_seconds`."""
        if self._stopped:
            return
        self._stopped_since = time.perf_counter()
        self._threads = self._tracer.run(self._seize_all)
        self._stopped = True
        self.stop_seconds = time.perf_counter() - self._stopped_since

    def resume(self) -> None:
        """Let the process run untraced, signals that arrived while it was stopped delivered."""
        if not self._stopped:
            return
        self._drop_memories()
        threads, self._threads, self._stopped = self._threads, [], False
        self._tracer.run(lambda: _detach_all(threads))
        self.stopped_for = time.perf_counter() - self._stopped_since

    def kill(self) -> None:
        """SIGKILL: it ends even while stopped; `close` then finds no thread to let go."""
        with contextlib.suppress(ProcessLookupError):  # it ended on its own
            os.kill(self.pid, SIGKILL)

    def close(self) -> None:
        """Detach (the process runs on as before) and end the tracer thread."""
        try:
            self.resume()
        finally:
            self._tracer.stop()

    def _require_stopped(self) -> None:
        if not self._stopped:
            raise DebuggeeError(f"{self.description} is running: stop it first")

    def _drop_memories(self) -> None:
        for memory in self._memories:
            memory.close()
        self._memories.clear()

    # on the tracer thread --------------------------------------------------------------------
    def _seize_all(self) -> list[LiveThread]:
        pending: dict[int, int] = {}  # stopped thread -> the signal it stopped with
        gone: set[int] = set()
        for _ in range(_SETTLE_ROUNDS):
            new = [tid for tid in _task_ids(self.pid) if tid not in pending and tid not in gone]
            if not new:
                break
            for tid in new:
                signal = _seize_one(self.pid, tid)
                if signal is None:
                    gone.add(tid)
                else:
                    pending[tid] = signal
        else:
            _detach_all([LiveThread(tid, sig, Registers({})) for tid, sig in pending.items()])
            raise DebuggeeError(f"{self.description} keeps creating threads: could not stop them all")
        if not pending:
            raise DebuggeeExited(f"{self.description} has exited")
        threads = [_read_thread(tid, sig) for tid, sig in sorted(pending.items(), key=lambda i: i[0] != self.pid)]
        return [t for t in threads if t is not None]


def _seize_one(pid: int, tid: int) -> int | None:
    """Seize, interrupt and wait for one thread: the signal it stopped with, None if it is gone."""
    try:
        ptrace.seize(tid)
    except ptrace.PtraceError as exc:
        if exc.errno == errno.ESRCH:
            return None
        raise DebuggeeError(explain_denied(pid, exc)) from exc
    try:
        ptrace.interrupt(tid)
        kind, value = ptrace.wait_stop(tid)
    except ptrace.PtraceError as exc:
        if exc.errno in (errno.ESRCH, errno.ECHILD):
            return None
        raise DebuggeeError(f"cannot stop thread {tid} of process {pid}: {exc.strerror}") from exc
    if kind == "exited":
        return None
    return value


def _read_thread(tid: int, signal: int) -> LiveThread | None:
    try:
        registers = from_prstatus(ptrace.general_registers(tid))
        fxsave = ptrace.fp_registers(tid)
        registers.vectors = vectors_from_fpregset(fxsave)
        info = parse_siginfo(ptrace.siginfo(tid)) if signal else None
    except ptrace.PtraceError:
        return None  # the thread ended between its stop and now
    return LiveThread(tid, signal, registers, info, fxsave)


def _detach_all(threads: list[LiveThread]) -> None:
    for thread in threads:
        try:
            ptrace.detach(thread.lwp, thread.signal)
        except ptrace.PtraceError:
            continue  # it exited while stopped: nothing to let go


def _task_ids(pid: int) -> list[int]:
    try:
        return sorted(int(name) for name in os.listdir(f"/proc/{pid}/task"))
    except FileNotFoundError:
        return []


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _executable(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe").removesuffix(" (deleted)")
    except OSError:
        return ""
