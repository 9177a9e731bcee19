"""Write a snapshot as an ELF core file, laid out as the Linux kernel lays out its own.

Notes first (per thread NT_PRSTATUS and NT_FPREGSET; for the process NT_PRPSINFO, NT_AUXV and
NT_FILE, after the first thread's status, in the kernel's order), then one PT_LOAD per copied
mapping, page-aligned. Pages the process never touched are holes in a sparse file, as the kernel
leaves them: every reader sees zeros there, and they take no disk. Read-only file-backed pages
are not written (filesz 0); godap, Delve and gdb read them from the files NT_FILE names.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable

from .live import LiveThread
from .mappings import FileMapping
from .registers import amd64_to_prstatus
from .snapshot import PAGE, Snapshot

ET_CORE = 4
EM_X86_64 = 62
PT_LOAD = 1
PT_NOTE = 4
NT_PRSTATUS = 1
NT_FPREGSET = 2
NT_PRPSINFO = 3
NT_AUXV = 6
NT_FILE = 0x46494C45
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")
_NOTE = struct.Struct("<III")
_PHNUM_MAX = 0xFFFF  # PN_XNUM: more would need the count in section 0


def write_core(snapshot: Snapshot, path: str) -> int:
    """Write `snapshot` to `path`; returns the bytes the file holds on disk (holes not counted)."""
    notes = _notes(snapshot)
    loads = [m.entry for m in snapshot.copied]
    if len(loads) + 1 > _PHNUM_MAX:
        raise ValueError(f"{len(loads)} mappings: more than an ELF core without section headers can describe")
    phnum = len(loads) + 1
    notes_offset = _EHDR.size + phnum * _PHDR.size
    data_offset = _align(notes_offset + len(notes), PAGE)
    headers = [_PHDR.pack(PT_NOTE, 0, notes_offset, 0, 0, len(notes), 0, 4)]
    offsets = []
    cursor = data_offset
    for entry in loads:
        size = entry.end - entry.start
        headers.append(_PHDR.pack(PT_LOAD, _flags(entry.perms), cursor, entry.start, 0, size, size, PAGE))
        offsets.append(cursor)
        cursor += size
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header = _EHDR.pack(ident, ET_CORE, EM_X86_64, 1, 0, _EHDR.size, 0, 0, _EHDR.size, _PHDR.size, phnum, 64, 0, 0)
    with open(path, "wb") as out:
        out.write(header + b"".join(headers) + notes)
        for copied, offset in zip(snapshot.copied, offsets, strict=True):
            for run in copied.runs:
                if run.buffer is not None:
                    out.seek(offset + run.start - copied.entry.start)
                    out.write(run.data())
        out.truncate(cursor)
        return os.fstat(out.fileno()).st_blocks * 512


def _notes(snapshot: Snapshot) -> bytes:
    threads = list(snapshot.threads)
    parts = []
    for index, thread in enumerate(threads):
        parts.append(_note(NT_PRSTATUS, _prstatus(thread, snapshot.pid)))
        if index == 0:
            parts.append(_note(NT_PRPSINFO, _prpsinfo(snapshot)))
            parts.append(_note(NT_AUXV, _auxv(snapshot.auxv.items())))
            parts.append(_note(NT_FILE, _file_note(snapshot.mappings)))
        if thread.fxsave:
            parts.append(_note(NT_FPREGSET, thread.fxsave))
    return b"".join(parts)


def _note(kind: int, desc: bytes) -> bytes:
    name = b"CORE\0"
    return _NOTE.pack(len(name), len(desc), kind) + _pad4(name) + _pad4(desc)


def _prstatus(thread: LiveThread, pid: int) -> bytes:
    """`struct elf_prstatus` of amd64 (336 bytes): the signal, the thread id and the registers."""
    head = struct.pack("<iiihxxQQiiii", thread.signal, 0, 0, thread.signal, 0, 0, thread.lwp, 0, pid, pid)
    times = bytes(64)
    return head + times + amd64_to_prstatus(thread.registers) + struct.pack("<ixxxx", 1 if thread.fxsave else 0)


def _prpsinfo(snapshot: Snapshot) -> bytes:
    """`struct elf_prpsinfo` of amd64 (136 bytes)."""
    name = (snapshot.command or "").encode()[:15]
    args = snapshot.command_line.encode()[:79]
    return struct.pack(
        "<bccbxxxxQIIiiii16s80s", 0, b"R", b"\0", 0, 0, 0, 0, snapshot.pid, 0, snapshot.pid, 0, name, args
    )


def _auxv(items: Iterable[tuple[int, int]]) -> bytes:
    return b"".join(struct.pack("<QQ", key, value) for key, value in items) + bytes(16)


def _file_note(mappings: list[FileMapping]) -> bytes:
    table = b"".join(struct.pack("<QQQ", m.start, m.end, m.file_offset // PAGE) for m in mappings)
    names = b"".join(m.path.encode() + b"\0" for m in mappings)
    return struct.pack("<QQ", len(mappings), PAGE) + table + names


def _flags(perms: str) -> int:
    return (4 if "r" in perms else 0) | (2 if "w" in perms else 0) | (1 if "x" in perms else 0)


def _align(value: int, to: int) -> int:
    return (value + to - 1) // to * to


def _pad4(data: bytes) -> bytes:
    return data + bytes(-len(data) % 4)
