"""What the layers above see of a debuggee: the protocols a core file (and later a live process)
implements, and the plain records they hand out. Nothing above `debuggee/` imports another module
of it but this one (and `open_core`, which makes one).

Shaped after Delve's `proc.Process` / `proc.Thread` / `proc.MemoryReader`: memory and registers
come from one interface whatever their source.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ..binfmt.arch import Arch
from ..binfmt.elf import Buffer
from .errors import DebuggeeError, DebuggeeExited, UnreadableMemory
from .mappings import FileMapping
from .registers import Registers, from_mcontext
from .signals import SigInfo, parse_siginfo, signal_name

AT_ENTRY = 9  # auxv: the program's entry point as loaded (gives a PIE's load bias)

__all__ = [
    "AT_ENTRY",
    "Arch",
    "Debuggee",
    "DebuggeeError",
    "DebuggeeExited",
    "FileMapping",
    "Memory",
    "Registers",
    "SigInfo",
    "Thread",
    "UnreadableMemory",
    "from_mcontext",
    "parse_siginfo",
    "signal_name",
]


class Memory(Protocol):
    """The debuggee's address space. Every read returns all the bytes asked for or raises
    `UnreadableMemory` with the reason."""

    def read(self, addr: int, size: int) -> bytes: ...

    def unpack(self, fmt: struct.Struct, addr: int) -> tuple[Any, ...]: ...

    def window(self, addr: int, size: int) -> tuple[Buffer, int] | None:
        """A buffer holding all of [addr, addr+size) and the offset of `addr` in it, for a caller
        about to make many small reads there; None when no one buffer does."""
        ...

    def u64(self, addr: int) -> int: ...

    def u32(self, addr: int) -> int: ...

    def readable(self, addr: int, size: int = 1) -> bool: ...

    def why_unreadable(self, addr: int, size: int = 1) -> str | None: ...


class Thread(Protocol):
    """One OS thread, stopped: its LWP id, registers and the signal it reports."""

    @property
    def lwp(self) -> int: ...

    @property
    def signal(self) -> int:
        """The signal the thread stopped with (0: none)."""
        ...

    @property
    def registers(self) -> Registers: ...

    @property
    def siginfo(self) -> SigInfo | None: ...


class Debuggee(Protocol):
    """A stopped process, or what a core recorded of one."""

    @property
    def description(self) -> str:
        """What it is, for messages: "the core /tmp/core.123", "process 123"."""
        ...

    @property
    def pid(self) -> int | None: ...

    @property
    def arch(self) -> Arch:
        """The architecture of its threads' registers."""
        ...

    @property
    def command(self) -> str | None:
        """The program's name as the kernel knew it (at most 15 characters), when known."""
        ...

    @property
    def threads(self) -> Sequence[Thread]:
        """Every thread; the one that reported the stop (the crashing one in a core) first."""
        ...

    @property
    def siginfo(self) -> SigInfo | None:
        """The signal that stopped the process, when one did."""
        ...

    @property
    def mappings(self) -> Sequence[FileMapping]: ...

    @property
    def auxv(self) -> Mapping[int, int]: ...

    @property
    def warnings(self) -> list[str]: ...

    @property
    def can_run(self) -> bool:
        """Whether it can be resumed (a live process) or is a snapshot (a core)."""
        ...

    @property
    def can_write(self) -> bool: ...

    @property
    def stop_seconds(self) -> float:
        """How long the last stop took (0 for a core: nothing was stopped)."""
        ...

    def memory(self, backing: Mapping[str, Buffer] | None = None) -> Memory:
        """The address space; `backing` maps file paths to the bytes of files the debugger opened,
        for pages the debuggee's own record leaves out (read-only file-backed pages of a core)."""
        ...

    def resume(self) -> None:
        """Let it run on (DebuggeeError when it cannot run)."""
        ...

    def stop(self) -> None:
        """Stop it again after `resume` (DebuggeeError when it cannot run)."""
        ...

    def kill(self) -> None:
        """End the process (DebuggeeError when it cannot run); `close` still has to be called."""
        ...

    def close(self) -> None:
        """Let go of it: a live process is detached and runs on as before."""
        ...
