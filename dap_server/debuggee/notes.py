"""Decoders for the notes the Linux kernel (and gdb's gcore) write into a core file."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ..binfmt.arch import AMD64, Arch
from ..binfmt.elf import Note, c_string
from .mappings import FileMapping
from .registers import Registers, from_prstatus, vectors_from_fpregset
from .signals import SigInfo, parse_siginfo

NT_PRSTATUS = 1
NT_FPREGSET = 2
NT_PRPSINFO = 3
NT_AUXV = 6
NT_SIGINFO = 0x53494749
NT_FILE = 0x46494C45
NT_X86_XSTATE = 0x202
# The kernel and gdb name their process and thread notes "CORE"; Delve's `dump` writes the same
# notes with an empty name (and the x87/SSE registers in an XSAVE note instead of NT_FPREGSET).
_CORE_OWNERS = frozenset({b"CORE", b""})
DELVE_OWNER = b""

_PRSTATUS_REGS_OFFSET = 112


@dataclass(slots=True)
class ThreadNote:
    """One thread of the dumped process: LWP id, pending signal and registers."""

    lwp: int
    signal: int
    registers: Registers
    siginfo: SigInfo | None = None


def parse_prstatus(desc: bytes, arch: Arch = AMD64) -> ThreadNote | None:
    """`struct elf_prstatus`: the same head on every 64-bit Linux, then `arch`'s registers."""
    if len(desc) < _PRSTATUS_REGS_OFFSET + arch.gregs_struct.size:
        return None
    (signal,) = struct.unpack_from("<h", desc, 12)
    (lwp,) = struct.unpack_from("<i", desc, 32)
    regs = from_prstatus(desc[_PRSTATUS_REGS_OFFSET:], arch)
    return ThreadNote(lwp=lwp, signal=signal, registers=regs)


def add_fpregs(thread: ThreadNote, desc: bytes) -> None:
    thread.registers.vectors = vectors_from_fpregset(desc, thread.registers.arch)


@dataclass(slots=True)
class ProcessInfo:
    """NT_PRPSINFO: the process id and the command line as the kernel recorded them."""

    pid: int
    fname: str
    args: str


def parse_prpsinfo(desc: bytes) -> ProcessInfo | None:
    if len(desc) < 136:
        return None
    (pid,) = struct.unpack_from("<i", desc, 24)
    return ProcessInfo(pid=pid, fname=c_string(desc, 40, 16), args=c_string(desc, 56, 80).strip())


def parse_auxv(desc: bytes) -> dict[int, int]:
    values: dict[int, int] = {}
    for key, value in struct.iter_unpack("<QQ", desc[: len(desc) // 16 * 16]):
        if key == 0:
            break
        values[key] = value
    return values


def parse_file_note(desc: bytes) -> list[FileMapping]:
    if len(desc) < 16:
        return []
    count, page_size = struct.unpack_from("<QQ", desc)
    table_end = 16 + 24 * count
    if count > 1 << 20 or table_end > len(desc):
        return []
    names = desc[table_end:].split(b"\0")
    mappings = []
    for i in range(count):
        start, end, page_offset = struct.unpack_from("<QQQ", desc, 16 + 24 * i)
        path = names[i].decode("utf-8", "replace") if i < len(names) else ""
        mappings.append(FileMapping(start, end, page_offset * page_size, path))
    return mappings


@dataclass(slots=True)
class CoreNotes:
    """Everything the notes of a core say, decoded."""

    threads: list[ThreadNote] = field(default_factory=list)
    process: ProcessInfo | None = None
    siginfo: SigInfo | None = None
    auxv: dict[int, int] = field(default_factory=dict)
    files: list[FileMapping] = field(default_factory=list)


def decode_notes(notes: list[Note], arch: Arch = AMD64) -> CoreNotes:
    """Decode the notes in file order; gdb's gcore writes a SIGINFO after each thread's PRSTATUS."""
    result = CoreNotes()
    current: ThreadNote | None = None
    for note in notes:
        if note.type == NT_PRSTATUS and note.owner in _CORE_OWNERS:
            current = parse_prstatus(note.desc, arch)
            if current is not None:
                result.threads.append(current)
        elif note.type == NT_FPREGSET and note.owner in _CORE_OWNERS and current is not None:
            add_fpregs(current, note.desc)
        elif note.type == NT_X86_XSTATE and note.owner == DELVE_OWNER and current is not None:
            add_fpregs(current, note.desc)  # its first 512 bytes are the FXSAVE area
        elif note.type == NT_PRPSINFO and note.owner in _CORE_OWNERS:
            result.process = parse_prpsinfo(note.desc)
        elif note.type == NT_SIGINFO:
            info = parse_siginfo(note.desc)
            if current is not None and current.siginfo is None:
                current.siginfo = info
            if result.siginfo is None:
                result.siginfo = info
        elif note.type == NT_AUXV:
            result.auxv = parse_auxv(note.desc)
        elif note.type == NT_FILE:
            result.files = parse_file_note(note.desc)
    return result
