"""ptrace(2) and waitpid(2) through ctypes, run on one dedicated thread.

The kernel ties a tracee to the tracer *thread* that seized it: every later request for that
tracee must come from the same thread. `Tracer` owns that thread and runs each call on it.
Only the requests godap needs: seize, interrupt, registers, siginfo, detach.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

PTRACE_GETREGS = 12
PTRACE_GETFPREGS = 14
PTRACE_DETACH = 17
PTRACE_GETSIGINFO = 0x4202
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_EVENT_STOP = 128
WALL = 0x40000000  # __WALL: wait for threads (clones) as well as processes

USER_REGS_SIZE = 27 * 8
FXSAVE_SIZE = 512
SIGINFO_SIZE = 128

T = TypeVar("T")


class PtraceError(OSError):
    """A ptrace or waitpid call failed; `errno` says how."""


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.ptrace.restype = ctypes.c_long
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
    return libc


_LIBC = _libc()


def _ptrace(request: int, tid: int, addr: int = 0, data: int | ctypes.Array[ctypes.c_char] = 0) -> None:
    pointer = ctypes.addressof(data) if isinstance(data, ctypes.Array) else data
    if _LIBC.ptrace(request, tid, ctypes.c_void_p(addr), ctypes.c_void_p(pointer)) == -1:
        code = ctypes.get_errno()
        raise PtraceError(code, f"ptrace({request:#x}, {tid}): {os.strerror(code)}")


def seize(tid: int) -> None:
    """Trace `tid` without stopping it or sending it a signal (no PTRACE_O_EXITKILL: if godap dies,
    the kernel detaches and the process runs on)."""
    _ptrace(PTRACE_SEIZE, tid)


def interrupt(tid: int) -> None:
    _ptrace(PTRACE_INTERRUPT, tid)


def detach(tid: int, signal: int = 0) -> None:
    """Let `tid` run untraced; `signal` is delivered to it as it resumes (0: none)."""
    _ptrace(PTRACE_DETACH, tid, 0, signal)


def _read(request: int, tid: int, size: int) -> bytes:
    buffer = ctypes.create_string_buffer(size)
    _ptrace(request, tid, 0, buffer)
    return buffer.raw


def general_registers(tid: int) -> bytes:
    """`user_regs_struct`: the layout a core's NT_PRSTATUS carries."""
    return _read(PTRACE_GETREGS, tid, USER_REGS_SIZE)


def fp_registers(tid: int) -> bytes:
    """The FXSAVE area: the layout a core's NT_FPREGSET carries."""
    return _read(PTRACE_GETFPREGS, tid, FXSAVE_SIZE)


def siginfo(tid: int) -> bytes:
    return _read(PTRACE_GETSIGINFO, tid, SIGINFO_SIZE)


def wait_stop(tid: int) -> tuple[str, int]:
    """Wait for `tid` to stop: ("interrupted", 0) for a ptrace interrupt, ("signal", N) for a
    signal it was about to receive (to deliver at detach), ("exited", code) if it ended."""
    while True:
        try:
            _, status = os.waitpid(tid, WALL)
        except ChildProcessError as exc:
            raise PtraceError(errno.ECHILD, f"waitpid({tid}): not traced") from exc
        except InterruptedError:
            continue
        if os.WIFEXITED(status):
            return "exited", os.WEXITSTATUS(status)
        if os.WIFSIGNALED(status):
            return "exited", 128 + os.WTERMSIG(status)
        if os.WIFSTOPPED(status):
            event = status >> 16
            if event == PTRACE_EVENT_STOP:
                return "interrupted", 0
            return "signal", os.WSTOPSIG(status)


class Tracer:
    """One thread that makes every ptrace request of a session, in order."""

    def __init__(self) -> None:
        self._calls: queue.Queue[tuple[Callable[[], object], Future[object]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="godap-ptrace", daemon=True)
        self._thread.start()

    def run(self, call: Callable[[], T]) -> T:
        """Run `call` on the tracer thread and return its result (or raise its exception)."""
        done: Future[object] = Future()
        self._calls.put((call, done))
        result = done.result()
        return result  # type: ignore[return-value]

    def stop(self) -> None:
        self._calls.put(None)
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            item = self._calls.get()
            if item is None:
                return
            call, done = item
            try:
                done.set_result(call())
            except BaseException as exc:  # handed to the caller, who decides
                done.set_exception(exc)
